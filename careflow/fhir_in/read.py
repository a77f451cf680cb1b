"""A FHIR R4 bundle (JP Core / JP-CLINS shape) read into a careflow patient document, with
the report of where each fact came from (docs/fhir-in.md).

Nothing is guessed: a value careflow cannot read stays unknown and is reported; a list whose
entries careflow cannot all read is left not asked (docs/fhir-in.md#lists); the patient
document is then checked by the same validator as a YAML file, and its refusals are named
by resource and element.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from .. import vocabulary as v
from ..errors import FhirInputError, InputError
from ..model import Patient, got, parse_patient
from ..provenance import MappingReport, Note, Source
from .bundle import READ, Entry, entries
from .codes import ATC, ICD10, YJ, ObservationCode, Tables, tables

PATIENT_ID_SYSTEM = "urn:careflow:patient-id"  # as careflow.export.fhir writes it

_OBS_USED = ("final", "amended", "corrected", "preliminary")
_ACTIVE = ("active", "recurrence", "relapse")
_INACTIVE = ("inactive", "remission", "resolved")
_UNCONFIRMED = ("unconfirmed", "provisional", "differential")
_MED_CURRENT = {"MedicationRequest": ("active", "on-hold"),
                "MedicationStatement": ("active", "intended", "on-hold")}
_MED_NOT_CURRENT = {"MedicationRequest": ("completed", "stopped", "cancelled", "draft",
                                          "entered-in-error", "ended"),
                    "MedicationStatement": ("completed", "stopped", "not-taken",
                                            "entered-in-error")}
_PROC_USED = ("completed", "in-progress", "stopped")


@dataclass
class _Fact:
    value: Any
    source: Source
    date: str  # "" when undated
    order: int


@dataclass
class _Reading:
    """What the bundle says, collected before the patient document is built."""

    t: Tables
    assessed_on: dt.date
    patient_label: str
    doc: dict[str, Any] = field(default_factory=dict)
    facts: dict[str, list[_Fact]] = field(default_factory=dict)  # "legs.right.abi" -> ...
    members: dict[str, list[_Fact]] = field(default_factory=dict)
    sides: list[str] = field(default_factory=list)
    markers: dict[str, list[_Fact]] = field(default_factory=dict)
    sources: dict[str, list[Source]] = field(default_factory=dict)
    unrecognised: list[Note] = field(default_factory=list)
    not_used: list[Note] = field(default_factory=list)
    unknown: list[Note] = field(default_factory=list)
    defaults: list[Note] = field(default_factory=list)

    def note(self, kind: str, resource: str | None, reason: str, *, element: str | None = None,
             fact: str | None = None, code: str | None = None) -> None:
        getattr(self, kind).append(Note(resource=resource, element=element, fact=fact,
                                        code=code, reason=reason))

    def source(self, fact: str, src: Source) -> None:
        found = self.sources.setdefault(fact, [])
        if src not in found:
            found.append(src)


# --- small readers of FHIR JSON --------------------------------------------------------


def _codings(concept: Any) -> list[dict[str, Any]]:
    if not isinstance(concept, Mapping):
        return []
    return [dict(c) for c in concept.get("coding") or () if isinstance(c, Mapping)]


def _shown(codings: list[dict[str, Any]], concept: Any = None) -> str:
    parts = [f"{c.get('system', '(no system)')}|{c.get('code', '')}" for c in codings]
    text = concept.get("text") if isinstance(concept, Mapping) else None
    if not parts and isinstance(text, str):
        return f"text {got(text)}"
    return ", ".join(parts) or "(no coding)"


def _status_code(concept: Any) -> str | None:
    for c in _codings(concept):
        code = c.get("code")
        if isinstance(code, str):
            return code
    return None


def _date(text: Any) -> str:
    return text[:10] if isinstance(text, str) and len(text) >= 10 else ""


def _effective(res: Mapping[str, Any]) -> tuple[str, str]:
    for key in ("effectiveDateTime", "effectiveInstant"):
        if key in res:
            return _date(res[key]), key
    period = res.get("effectivePeriod")
    if isinstance(period, Mapping):
        return _date(period.get("start")), "effectivePeriod.start"
    return "", ""


def _day(label: str, element: str, text: str) -> dt.date:
    """A FHIR date (or the date part of a dateTime) as a date, or FhirInputError."""
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        raise FhirInputError([f"{label}.{element}: not a real date (got {got(text)})"]) \
            from None


def _number(label: str, element: str, value: Any) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal, str)):
        raise FhirInputError([f"{label}.{element}: must be a number (got {got(value)})"])
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise FhirInputError([f"{label}.{element}: must be a number (got {got(value)})"]) \
            from None
    if not number.is_finite():
        raise FhirInputError([f"{label}.{element}: must be a finite number (got {got(value)})"])
    return number


def _plain(number: Decimal) -> int | float:
    return int(number) if number == number.to_integral_value() else float(number)


# --- the patient resource ---------------------------------------------------------------


def _patient(r: _Reading, entry: Entry, assessed_from: Source) -> None:
    res, label = entry.resource, entry.label
    ident = None
    for i, idf in enumerate(res.get("identifier") or ()):
        if isinstance(idf, Mapping) and idf.get("system") == PATIENT_ID_SYSTEM:
            ident = (idf.get("value"), f"identifier[{i}].value")
    if ident is None and isinstance(res.get("id"), str):
        ident = (res["id"], "id")
    if ident is None:
        for i, idf in enumerate(res.get("identifier") or ()):
            if isinstance(idf, Mapping) and isinstance(idf.get("value"), str):
                ident = (idf["value"], f"identifier[{i}].value")
                break
    if ident is None:
        raise FhirInputError([f"{label}.id: the patient needs an id or an identifier"])
    r.doc["id"] = ident[0]
    r.source("id", Source(resource=label, element=ident[1]))

    gender = res.get("gender")
    if gender not in ("female", "male"):
        raise FhirInputError([f"{label}.gender: careflow needs female or male (got "
                              f"{got(gender)})"])
    r.doc["sex"] = gender
    r.source("sex", Source(resource=label, element="gender"))

    birth = res.get("birthDate")
    if not isinstance(birth, str) or len(birth) != 10:
        raise FhirInputError([f"{label}.birthDate: careflow needs the full birth date to count "
                              f"the age (got {got(birth)})"])
    born = _day(label, "birthDate", birth)
    day = r.assessed_on
    if born > day:
        raise FhirInputError([f"{label}.birthDate: is after the assessment day "
                              f"{day.isoformat()} (got {got(birth)})"])
    r.doc["age"] = day.year - born.year - ((day.month, day.day) < (born.month, born.day))
    r.source("age", Source(resource=label, element="birthDate"))
    r.source("age", assessed_from)


# --- observations -----------------------------------------------------------------------


def _side_of(r: _Reading, label: str, concepts: Any,
             regions: tuple[str, ...] = ()) -> tuple[str | None, str]:
    """The leg a bodySite names: 'right' or 'left', or None with why. With `regions`, only
    body sites of those regions count (a knee pain score needs the knee)."""
    if isinstance(concepts, Mapping):
        concepts = [concepts]
    found = set()
    shown = []
    for concept in concepts or ():
        codings = _codings(concept)
        shown.append(_shown(codings, concept))
        for c in codings:
            key = r.t.key(c.get("system"), c.get("code"))
            if key and key in r.t.sides and (not regions or r.t.regions[key] in regions):
                found.add(r.t.sides[key])
    if found == {"both"}:
        return None, "bodySite names both legs, not one"
    if len(found) == 1:
        return found.pop(), ""
    if not found:
        where = f" ({' or '.join(regions)})" if regions else ""
        return None, ("no bodySite" if not shown else
                      f"bodySite {'; '.join(shown)} names no leg{where} careflow reads")
    return None, "bodySite names both legs"


def _observation(r: _Reading, entry: Entry) -> None:
    res, label = entry.resource, entry.label
    codings = _codings(res.get("code"))
    spec: ObservationCode | None = None
    key = None
    for c in codings:
        key = r.t.key(c.get("system"), c.get("code"))
        if key in r.t.observations:
            spec = r.t.observations[key]
            break
    if spec is None:
        r.note("unrecognised", label, "not an observation careflow reads", element="code",
               code=_shown(codings, res.get("code")))
        return
    code = f"{r.t.uri(key.split('#')[0])}|{key.split('#', 1)[1]}" if key else None
    status = res.get("status")
    if status not in _OBS_USED:
        r.note("not_used", label, f"status {got(status)}: not a result careflow uses",
               element="status", fact=spec.field, code=code)
        return
    if spec.value == "ignored":
        r.note("not_used", label, spec.reason, element="code", fact=spec.field, code=code)
        return
    date, date_element = _effective(res)
    if date and spec.scope != "duplex" and date > r.assessed_on.isoformat():
        r.note("not_used", label, f"dated {date}, after the assessment day "
               f"{r.assessed_on.isoformat()}", element=date_element, fact=spec.field, code=code)
        return
    path = spec.field
    if spec.scope in ("leg", "duplex"):
        side, why = _side_of(r, label, res.get("bodySite"), spec.regions)
        if side not in v.SIDES:
            r.note("not_used", label, f"{why}: a leg measurement needs its side",
                   element="bodySite", fact=spec.field.replace("*", "(side)"), code=code)
            return
        assert side is not None
        if side not in r.sides:
            r.sides.append(side)
        path = spec.field.replace("*", side)
    order = entry.index
    if spec.value == "marker":
        if res.get("valueBoolean") is False:
            r.note("not_used", label, "says it was not done (valueBoolean false)",
                   element="valueBoolean", fact=path, code=code)
            return
        r.markers.setdefault(path, []).append(
            _Fact(True, Source(resource=label, element="code", code=code), date, order))
        return
    value, element = _value(r, entry, spec, path, code)
    if element is None:
        return
    fact = _Fact(value, Source(resource=label, element=element, code=code), date, order)
    if spec.value == "member":
        r.members.setdefault(path, []).append(fact)
    else:
        r.facts.setdefault(path, []).append(fact)


def _value(r: _Reading, entry: Entry, spec: ObservationCode, path: str,
           code: str | None) -> tuple[Any, str | None]:
    """The observation's value in the field's terms, and the element it was read from;
    (None, None) when there is none to use (reported)."""
    res, label = entry.resource, entry.label
    if "dataAbsentReason" in res:
        r.note("unknown", label, f"no value: dataAbsentReason "
               f"{_shown(_codings(res['dataAbsentReason']), res['dataAbsentReason'])}",
               element="dataAbsentReason", fact=path, code=code)
        return None, None
    kind = spec.value
    if kind in ("number", "integer"):
        if "valueInteger" in res:
            number, element = _number(label, "valueInteger", res["valueInteger"]), \
                "valueInteger"
        elif isinstance(res.get("valueQuantity"), Mapping):
            q = res["valueQuantity"]
            if "value" not in q:
                r.note("unknown", label, "valueQuantity has no value",
                       element="valueQuantity", fact=path, code=code)
                return None, None
            if q.get("comparator") is not None:
                r.note("unknown", label, f"not an exact value (comparator "
                       f"{got(q['comparator'])}): {path} stays unknown",
                       element="valueQuantity.comparator", fact=path, code=code)
                return None, None
            number = _number(label, "valueQuantity.value", q["value"])
            element = "valueQuantity.value"
            if spec.units:
                unit = q.get("code") if isinstance(q.get("code"), str) else q.get("unit")
                if unit is None and "1" in spec.units:
                    unit = "1"  # a ratio (the ABI) needs no unit
                if not isinstance(unit, str) or unit not in spec.units:
                    raise FhirInputError([
                        f"{label}.valueQuantity.code: {spec.display} takes "
                        f"{', '.join(repr(u) for u in spec.units)} (got {got(unit)})"])
                number = number * Decimal(str(spec.units[unit]))
        else:
            r.note("unknown", label, "no valueQuantity or valueInteger", element="value[x]",
                   fact=path, code=code)
            return None, None
        if kind == "integer" and number != number.to_integral_value():
            raise FhirInputError([f"{label}.{element}: {spec.display} is a whole number "
                                  f"(got {_plain(number)})"])
        return _plain(number), element
    if kind == "boolean":
        if "valueBoolean" not in res:
            r.note("unknown", label, "no valueBoolean", element="value[x]", fact=path,
                   code=code)
            return None, None
        if not isinstance(res["valueBoolean"], bool):
            raise FhirInputError([f"{label}.valueBoolean: must be true or false (got "
                                  f"{got(res['valueBoolean'])})"])
        return res["valueBoolean"], "valueBoolean"
    if kind == "date":
        text = res.get("valueDateTime")
        if not isinstance(text, str) or len(text) < 10:
            raise FhirInputError([f"{label}.valueDateTime: {spec.display} needs a full date "
                                  f"(got {got(text)})"])
        return text[:10], "valueDateTime"
    concept = res.get("valueCodeableConcept")
    codings = _codings(concept)
    if kind == "coded":
        for c in codings:
            key = r.t.key(c.get("system"), c.get("code"))
            if key in spec.values:
                if spec.values[key] is None:
                    r.note("unknown", label, f"recorded as unknown ({key})",
                           element="valueCodeableConcept", fact=path, code=code)
                    return None, None
                return spec.values[key], "valueCodeableConcept"
        r.note("unrecognised", label, f"an answer careflow does not read: {path} stays "
               "unknown", element="valueCodeableConcept", fact=path,
               code=_shown(codings, concept))
        return None, None
    # member: one entry of a list field, coded in careflow's own system for that list
    allowed = {"pain-pattern": v.PAIN_PATTERNS, "vein-symptom": v.VEIN_SYMPTOMS}
    system = spec.member_system or ""
    for c in codings:
        if r.t.name(c.get("system")) == system and c.get("code") in allowed.get(system, ()):
            return c["code"], "valueCodeableConcept"
    r.note("unrecognised", label, f"an answer careflow does not read: not added to {path}",
           element="valueCodeableConcept", fact=path, code=_shown(codings, concept))
    return None, None


def _settle(r: _Reading, path: str, found: list[_Fact]) -> _Fact:
    """The current value of a field given by several observations: the latest by date; two
    different values on the same date (or both undated) are refused, naming both."""
    ordered = sorted(found, key=lambda f: (f.date, f.order))
    last = ordered[-1]
    for other in ordered[:-1]:
        if other.date == last.date and other.value != last.value:
            raise FhirInputError([
                f"{last.source.resource}.{last.source.element}: {path} is "
                f"{got(last.value)} here and {got(other.value)} in "
                f"{other.source.resource}, with no later date to tell which is current"])
        if other.value != last.value or other.source.resource != last.source.resource:
            older = other.date or "undated"
            r.note("not_used", other.source.resource, f"an older value ({older}) than "
                   f"{last.source.resource} ({last.date})", element=other.source.element,
                   fact=path)
    return last


def _put(doc: dict[str, Any], parts: list[str], value: Any) -> None:
    for part in parts[:-1]:
        doc = doc.setdefault(part, {})
    doc[parts[-1]] = value


def _legs(r: _Reading) -> None:
    legs: dict[str, dict[str, Any]] = {s: {"side": s} for s in r.sides}
    for path in sorted(set(r.markers) | set(r.facts) | set(r.members)):
        if not path.startswith("legs."):
            continue
        parts = path.split(".")
        leg = legs[parts[1]]
        rest = parts[2:]
        if path in r.markers:
            for m in r.markers[path]:
                r.source(path, m.source)
            if rest:
                _put(leg, rest + ["__marker__"], True)
        if path in r.facts:
            fact = _settle(r, path, r.facts[path])
            _put(leg, rest, fact.value)
            r.source(path, fact.source)
        if path in r.members:
            values = list(dict.fromkeys(f.value for f in r.members[path]))
            _put(leg, rest, values)
            for f in r.members[path]:
                r.source(path, f.source)
    for side, leg in legs.items():
        veins = leg.get("veins")
        if isinstance(veins, dict):
            veins.pop("__marker__", None)
            duplex = veins.get("duplex")
            if isinstance(duplex, dict):
                duplex.pop("__marker__", None)
                _performed_on(r, side, duplex)
    r.doc["legs"] = [legs[s] for s in r.sides]


def _performed_on(r: _Reading, side: str, duplex: dict[str, Any]) -> None:
    """The scan date: the duplex-performed observation's date, else the earliest date of
    the duplex values when every one is dated (the conservative reading of recency)."""
    path = f"legs.{side}.veins.duplex"
    markers = [m for m in r.markers.get(path, []) if m.date]
    if markers:
        last = max(markers, key=lambda m: (m.date, m.order))
        duplex["performed_on"] = last.date
        r.source(f"{path}.performed_on", Source(resource=last.source.resource,
                                                element="effectiveDateTime",
                                                code=last.source.code))
        return
    values = [f for p, fs in r.facts.items() if p.startswith(path + ".") for f in fs]
    if values and all(f.date for f in values):
        first = min(values, key=lambda f: (f.date, f.order))
        duplex["performed_on"] = first.date
        r.source(f"{path}.performed_on", Source(resource=first.source.resource,
                                                element="effective[x]"))
        r.note("unknown", None, "no duplex-performed observation: the scan date is the "
               "earliest date of the duplex values", fact=f"{path}.performed_on")
    else:
        r.note("unknown", None, "no dated duplex observation: the scan is not known to be "
               "recent", fact=f"{path}.performed_on")


def _patient_fields(r: _Reading) -> None:
    for path in sorted(set(r.facts) | set(r.markers)):
        if path.startswith("legs."):
            continue
        if path in r.facts:
            fact = _settle(r, path, r.facts[path])
            _put(r.doc, path.split("."), fact.value)
            r.source(path, fact.source)


# --- the three asked lists --------------------------------------------------------------


@dataclass
class _List:
    name: str
    codes: list[str] = field(default_factory=list)
    used: list[str] = field(default_factory=list)  # resource labels that answered
    none_known: list[str] = field(default_factory=list)
    no_info: list[str] = field(default_factory=list)
    doubt: list[str] = field(default_factory=list)


_ONE = {"conditions": "condition", "allergies": "allergy", "medications": "medication"}


def _answer(r: _Reading, lst: _List) -> None:
    """Put a list in the document when the bundle answers it completely (docs/fhir-in.md#lists)."""
    if lst.doubt:
        r.note("unknown", None, f"left not asked: careflow cannot read "
               f"{', '.join(lst.doubt)}, so no {_ONE[lst.name]} can be taken as absent",
               fact=lst.name)
        return
    if lst.no_info and not lst.codes:
        r.note("unknown", lst.no_info[0], "the bundle says there is no information: not "
               "asked", fact=lst.name)
        return
    if not lst.used and not lst.none_known:
        kind = {"conditions": "Condition", "allergies": "AllergyIntolerance",
                "medications": "MedicationRequest or MedicationStatement"}[lst.name]
        r.note("unknown", None, f"no {kind} in the bundle: not asked", fact=lst.name)
        return
    r.doc[lst.name] = list(dict.fromkeys(lst.codes))
    for label in lst.used + lst.none_known:
        r.source(lst.name, Source(resource=label, element="code"))


def _verification(res: Mapping[str, Any]) -> str:
    code = _status_code(res.get("verificationStatus"))
    if code in ("entered-in-error", "refuted"):
        return "void"
    return "unconfirmed" if code in _UNCONFIRMED else "confirmed"


def _condition(r: _Reading, entry: Entry, lst: _List) -> None:
    res, label = entry.resource, entry.label
    verification = _verification(res)
    if verification == "void":
        r.note("not_used", label, f"verificationStatus "
               f"{_status_code(res.get('verificationStatus'))}", element="verificationStatus")
        return
    clinical = _status_code(res.get("clinicalStatus"))
    status = "inactive" if clinical in _INACTIVE else "active"
    concept = res.get("code")
    codings = _codings(concept)
    keys = [r.t.key(c.get("system"), c.get("code")) for c in codings]
    if any(k in r.t.no_known["conditions"] for k in keys):
        lst.none_known.append(label)
        return
    if any(k in r.t.no_information["conditions"] for k in keys):
        lst.no_info.append(label)
        return
    own = [k.split("#", 1)[1] for k in keys if k and k.startswith("condition#")
           and k.split("#", 1)[1] in v.CONDITIONS]
    icd = [c["code"] for c, k in zip(codings, keys, strict=True)
           if k and k.startswith(f"{ICD10}#")]
    if not own and not icd:
        lst.doubt.append(f"{label} ({_shown(codings, concept)})")
        r.note("unrecognised", label, "a diagnosis coded in no system careflow reads "
               "(ICD-10, or careflow's condition codes)", element="code",
               code=_shown(codings, concept), fact="conditions")
        return
    lst.used.append(label)
    found: list[tuple[str | None, str]] = [(c, f"condition#{c}") for c in own]
    found += [(r.t.condition(code, f"{verification}/{status}")[0], code) for code in icd]
    if verification == "unconfirmed":
        would = [c for c in own] + [r.t.condition(code, f"confirmed/{status}")[0]
                                    for code in icd]
        for (condition, code), confirmed in zip(found, would, strict=True):
            if condition != "suspected_malignancy":
                r.note("not_used", label, "an unconfirmed diagnosis (疑い病名, "
                       f"verificationStatus {_status_code(res.get('verificationStatus'))}): "
                       "never a confirmed condition", element="verificationStatus",
                       code=code, fact=f"conditions.{confirmed}" if confirmed else None)
        found = [(c, code) for c, code in found if c == "suspected_malignancy"]
    hit = False
    for condition, code in found:
        if condition is None:
            continue
        hit = True
        lst.codes.append(condition)
        r.source(f"conditions.{condition}", Source(resource=label, element="code",
                                                   code=code))
    if not hit and verification != "unconfirmed":
        r.note("not_used", label, "not one of careflow's conditions"
               + (" at this clinical status" if clinical else ""), element="code",
               code=_shown(codings, concept))


def _allergy(r: _Reading, entry: Entry, lst: _List) -> None:
    res, label = entry.resource, entry.label
    verification = _status_code(res.get("verificationStatus"))
    if verification in ("entered-in-error", "refuted"):
        r.note("not_used", label, f"verificationStatus {verification}",
               element="verificationStatus")
        return
    clinical = _status_code(res.get("clinicalStatus"))
    concept = res.get("code")
    codings = _codings(concept)
    keys = [r.t.key(c.get("system"), c.get("code")) for c in codings]
    if any(k in r.t.no_known["allergies"] for k in keys):
        lst.none_known.append(label)
        return
    if any(k in r.t.no_information["allergies"] for k in keys):
        lst.no_info.append(label)
        return
    if clinical in ("inactive", "resolved"):
        lst.used.append(label)
        r.note("not_used", label, f"clinicalStatus {clinical}: no longer an allergy",
               element="clinicalStatus", code=_shown(codings, concept))
        return
    own = [k.split("#", 1)[1] for k in keys if k and k.startswith("allergy#")
           and k.split("#", 1)[1] in v.ALLERGIES]
    if not own:
        lst.doubt.append(f"{label} ({_shown(codings, concept)})")
        r.note("unrecognised", label, "an allergen careflow cannot tell apart from its own "
               "five", element="code", code=_shown(codings, concept), fact="allergies")
        return
    lst.used.append(label)
    for allergy in own:
        lst.codes.append(allergy)
        r.source(f"allergies.{allergy}", Source(resource=label, element="code",
                                                code=f"{r.t.uri('allergy')}|{allergy}"))


def _medication_concept(r: _Reading, entry: Entry,
                        by_ref: Mapping[str, Entry]) -> tuple[Any, str, str]:
    res = entry.resource
    if "medicationCodeableConcept" in res:
        return res["medicationCodeableConcept"], entry.label, "medicationCodeableConcept"
    ref = res.get("medicationReference")
    target = ref.get("reference") if isinstance(ref, Mapping) else None
    if isinstance(target, str):
        if target.startswith("#"):
            for c in res.get("contained") or ():
                if isinstance(c, Mapping) and c.get("id") == target[1:]:
                    return c.get("code"), entry.label, "contained.code"
        elif target in by_ref:
            return by_ref[target].resource.get("code"), by_ref[target].label, "code"
    return None, entry.label, "medicationReference"


def _medication(r: _Reading, entry: Entry, lst: _List, by_ref: Mapping[str, Entry]) -> None:
    res, label = entry.resource, entry.label
    kind = res["resourceType"]
    status = res.get("status")
    if status in _MED_NOT_CURRENT[kind]:
        lst.used.append(label)
        r.note("not_used", label, f"status {status}: not taken now", element="status")
        return
    concept, where, element = _medication_concept(r, entry, by_ref)
    codings = _codings(concept)
    keys = [r.t.key(c.get("system"), c.get("code")) for c in codings]
    if any(k in r.t.no_known["medications"] for k in keys):
        lst.none_known.append(label)
        return
    if any(k in r.t.no_information["medications"] for k in keys):
        lst.no_info.append(label)
        return
    if status not in _MED_CURRENT[kind]:
        lst.doubt.append(f"{label} (status {got(status)})")
        r.note("unrecognised", label, "a medication whose status careflow cannot read",
               element="status", fact="medications")
        return
    found: list[tuple[str, str]] = []
    doubt = not codings
    for k in keys:
        if not k:
            continue
        name, code = k.split("#", 1)
        if name == "medication" and code in v.MEDICATIONS:
            found.append((code, k))
        elif name in (YJ, ATC):
            med = r.t.medication(name, code)
            if med:
                found.append((med, k))
            elif name == YJ or r.t.medication_in_doubt(name, code):
                doubt = True
    readable = any(k and k.split("#")[0] in (YJ, ATC, "medication") for k in keys)
    if not found and (doubt or not readable):
        lst.doubt.append(f"{label} ({_shown(codings, concept)})")
        r.note("unrecognised", where, "a drug whose class careflow cannot tell from its code",
               element=element, code=_shown(codings, concept), fact="medications")
        return
    lst.used.append(label)
    if not found:
        r.note("not_used", where, "not one of careflow's medication classes",
               element=element, code=_shown(codings, concept))
    for med, k in found:
        lst.codes.append(med)
        name, code = k.split("#", 1)
        r.source(f"medications.{med}", Source(resource=where, element=element,
                                              code=f"{r.t.uri(name)}|{code}"))


# --- procedures: the treatment history --------------------------------------------------


def _procedure(r: _Reading, entry: Entry, history: list[tuple[dict[str, Any], str]]) -> None:
    res, label = entry.resource, entry.label
    status = res.get("status")
    if status not in _PROC_USED:
        r.note("not_used", label, f"status {got(status)}: not a treatment that was done",
               element="status")
        return
    concept = res.get("code")
    codings = _codings(concept)
    treatment = None
    for c in codings:
        key = r.t.key(c.get("system"), c.get("code"))
        if key in r.t.procedures:
            treatment = r.t.procedures[key]
            break
    if treatment is None:
        r.note("unrecognised", label, "not a treatment careflow reads: not in the history",
               element="code", code=_shown(codings, concept), fact="history")
        return
    out: dict[str, Any] = {"treatment": treatment}
    sites = res.get("bodySite") or []
    side, _why = _side_of(r, label, [s for s in sites if not any(
        r.t.name(c.get("system")) == "vein" for c in _codings(s))])
    if side in v.SIDES:
        out["side"] = side
    for s in sites:
        for c in _codings(s):
            if r.t.name(c.get("system")) == "vein":
                out["vein"] = c.get("code")
    weeks = _weeks(r, res, label)
    if weeks is None:
        r.note("unknown", label, "no performed date or period: the weeks are unknown, so "
               "the treatment is not in the history", element="performed[x]", fact="history")
        return
    out["weeks"] = weeks
    response = None
    for o in _codings(res.get("outcome")):
        if r.t.name(o.get("system")) == "response" and o.get("code") in v.RESPONSES:
            response = o["code"]
    if response is None:
        r.note("unknown", label, "no outcome careflow reads (none, partial, good, "
               "not_tolerated): the treatment is not in the history", element="outcome",
               fact="history")
        return
    out["response"] = response
    history.append((out, label))


def _weeks(r: _Reading, res: Mapping[str, Any], label: str) -> int | None:
    """A course's length from its period, or the weeks since a procedure from its date
    (docs/patient.md#history)."""
    day = r.assessed_on
    period = res.get("performedPeriod")
    if isinstance(period, Mapping) and _date(period.get("start")):
        start = _day(label, "performedPeriod.start", _date(period["start"]))
        end_text = _date(period.get("end"))
        end = _day(label, "performedPeriod.end", end_text) if end_text else day
        if start > day:
            raise FhirInputError([f"{label}.performedPeriod.start: is after the assessment "
                                  f"day {day.isoformat()} (got {got(period['start'])})"])
        return max(0, (min(end, day) - start).days // 7)
    when = _date(res.get("performedDateTime"))
    if when:
        done = _day(label, "performedDateTime", when)
        if done > day:
            raise FhirInputError([f"{label}.performedDateTime: is after the assessment day "
                                  f"{day.isoformat()} (got {got(res['performedDateTime'])})"])
        return (day - done).days // 7
    return None


# --- the whole bundle -------------------------------------------------------------------


def _subject_check(entry: Entry, patient: Entry) -> None:
    res = entry.resource
    key = "patient" if res["resourceType"] == "AllergyIntolerance" else "subject"
    ref = res.get(key)
    target = ref.get("reference") if isinstance(ref, Mapping) else None
    if not isinstance(target, str):
        return
    pid = patient.resource.get("id")
    if target == patient.full_url or (pid and (target == f"Patient/{pid}"
                                               or target.endswith(f"/Patient/{pid}"))):
        return
    raise FhirInputError([f"{entry.label}.{key}.reference: is not the bundle's patient "
                          f"{patient.label} (got {got(target)})"])


def read(bundle: Any, assessed_on: dt.date | None) -> tuple[Patient, MappingReport]:
    """The bundle as a Patient and its mapping report, or FhirInputError."""
    found, skipped = entries(bundle)
    patients = [e for e in found if e.resource["resourceType"] == "Patient"]
    if not patients:
        raise FhirInputError(["Bundle: has no Patient resource (careflow needs the birth date "
                              "and the sex)"])
    if len(patients) > 1:
        raise FhirInputError([f"Bundle: has {len(patients)} Patient resources "
                              f"({', '.join(p.label for p in patients)}): one patient a bundle"])
    patient = patients[0]
    if assessed_on is not None:
        if not isinstance(assessed_on, dt.date) or isinstance(assessed_on, dt.datetime):
            raise FhirInputError([f"assessed_on: must be a date (got {got(assessed_on)})"])
        day, assessed_from = assessed_on, Source(resource="(caller)", element="assessed_on")
    else:
        stamp = _date(bundle.get("timestamp"))
        if not stamp:
            raise FhirInputError(["Bundle.timestamp: not given, and no assessed_on was passed: "
                                  "careflow needs the day the plan is for"])
        day = _day("Bundle", "timestamp", stamp)
        assessed_from = Source(resource="Bundle", element="timestamp")
    r = _Reading(t=tables(), assessed_on=day, patient_label=patient.label)
    r.doc["assessed_on"] = day.isoformat()
    r.source("assessed_on", assessed_from)
    for label in skipped:
        r.note("not_used", label, "a search outcome, not a record" if "search outcome" in label
               else "a repeat of a resource already read")
    _patient(r, patient, assessed_from)
    by_ref: dict[str, Entry] = {}
    for e in found:
        if e.resource["resourceType"] == "Medication":
            by_ref[e.label] = e
            if e.full_url:
                by_ref[e.full_url] = e
    lists = {name: _List(name) for name in v.ASKED_LISTS}
    history: list[tuple[dict[str, Any], str]] = []
    for e in found:
        rtype = e.resource["resourceType"]
        if rtype in ("Patient", "Medication"):
            continue
        if rtype not in READ:
            r.note("not_used", e.label, "a resource type careflow does not read")
            continue
        _subject_check(e, patient)
        if rtype == "Observation":
            _observation(r, e)
        elif rtype == "Condition":
            _condition(r, e, lists["conditions"])
        elif rtype == "AllergyIntolerance":
            _allergy(r, e, lists["allergies"])
        elif rtype in ("MedicationRequest", "MedicationStatement"):
            _medication(r, e, lists["medications"], by_ref)
        elif rtype == "Procedure":
            _procedure(r, e, history)
    if not r.sides:
        raise FhirInputError(["Bundle: names no leg: careflow needs at least one Observation "
                              "whose bodySite names a leg (a leg-assessed observation for a "
                              "leg with a complaint but no measurement)"])
    _patient_fields(r)
    _legs(r)
    for name in v.ASKED_LISTS:
        _answer(r, lists[name])
    kept = []
    for entry_doc, label in history:
        if entry_doc.get("side") not in (None, *r.sides):
            r.note("not_used", label, f"a treatment of the {entry_doc['side']} leg, which is "
                   "not in this assessment", element="bodySite", fact="history")
        else:
            kept.append((entry_doc, label))
    history = kept
    for i, (_entry, label) in enumerate(history):
        r.source(f"history[{i}]", Source(resource=label, element="code"))
        r.source("history", Source(resource=label, element="code"))
    if history:
        r.doc["history"] = [h for h, _ in history]
    _defaults(r)
    patient_model = _validate(r)
    return patient_model, _report(r, bundle)


_SECTIONS = ("knee", "veins", "duplex", "lifestyle", "preferences", "legs", "history",
             "conditions", "allergies", "medications", "id", "assessed_on", "age", "sex",
             "side")


def _defaults(r: _Reading) -> None:
    """Name, one note per section, the measurements the bundle did not give (unknown) and
    the true/false fields it did not give, which the patient document reads as false
    (docs/patient.md#reading)."""
    from ..model import Duplex, Knee, Leg, Lifestyle, Patient, Preferences, Veins

    def missing(model: Any, given: Mapping[str, Any], prefix: str) -> None:
        fields = model.model_fields.items()
        false = [n for n, f in fields
                 if f.annotation is bool and f.default is False and n not in given]
        unknown = [n for n, f in fields if f.default is None and n not in given
                   and n not in _SECTIONS
                   and not (n.startswith("svt_") and not given.get("superficial_thrombophlebitis"))]
        if false:
            r.note("defaults", None, "not in the bundle, read as false: " + ", ".join(false),
                   fact=prefix)
        if unknown:
            r.note("unknown", None, "not in the bundle, unknown: " + ", ".join(unknown),
                   fact=prefix)

    missing(Patient, r.doc, "patient")
    missing(Lifestyle, r.doc.get("lifestyle", {}), "lifestyle")
    missing(Preferences, r.doc.get("preferences", {}), "preferences")
    for leg in r.doc["legs"]:
        side = leg["side"]
        missing(Leg, leg, f"legs.{side}")
        if "knee" in leg:
            missing(Knee, leg["knee"], f"legs.{side}.knee")
        if "veins" in leg:
            missing(Veins, leg["veins"], f"legs.{side}.veins")
            if "duplex" in leg["veins"]:
                missing(Duplex, leg["veins"]["duplex"], f"legs.{side}.veins.duplex")


def _named(path: str, legs: list[dict[str, Any]]) -> str:
    """`legs[0].abi` as a plan reason names it: `legs.right.abi`."""
    if path.startswith("legs[") and "]" in path:
        n = path[5:path.index("]")]
        if n.isdigit() and int(n) < len(legs):
            return f"legs.{legs[int(n)]['side']}{path[path.index(']') + 1:]}"
    return path


def _validate(r: _Reading) -> Patient:
    try:
        return parse_patient(r.doc)
    except InputError as exc:
        problems = []
        for problem in exc.problems:
            path, _, message = problem.partition(": ")
            named = _named(path, r.doc.get("legs", []))
            key = max((k for k in r.sources if named == k or named.startswith(k + ".")
                       or named.startswith(k + "[")), key=len, default=None)
            if key is None:
                problems.append(f"Bundle: {named}: {message}")
            else:
                where = "; ".join(f"{s.resource}.{s.element}" for s in r.sources[key])
                problems.append(f"{where}: {named}: {message}")
        raise FhirInputError(problems) from None


def _report(r: _Reading, bundle: Mapping[str, Any]) -> MappingReport:
    bid = bundle.get("id")
    return MappingReport(
        bundle=bid if isinstance(bid, str) else None,
        facts={k: tuple(s) for k, s in r.sources.items()},
        unrecognised=tuple(r.unrecognised), not_used=tuple(r.not_used),
        unknown=tuple(r.unknown), defaults=tuple(r.defaults))
