"""Observations read into patient fields (docs/fhir-in.md#what-is-read): the code picks the
field, bodySite the leg, the value is converted to the field's unit; several values for one
field are settled by date; the legs, knees, veins and duplex scans are built from them."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from .. import vocabulary as v
from ..errors import FhirInputError
from ..model import got
from ..provenance import Source
from .bundle import Entry
from .codes import ObservationCode
from .reading import (
    Fact,
    Reading,
    coding_list,
    effective_date,
    shown_codes,
    to_decimal,
    to_plain,
)

_OBS_USED = ("final", "amended", "corrected", "preliminary")



def side_of(r: Reading, label: str, concepts: Any,
             regions: tuple[str, ...] = ()) -> tuple[str | None, str]:
    """The leg a bodySite names: 'right' or 'left', or None with why. With `regions`, only
    body sites of those regions count (a knee pain score needs the knee)."""
    if isinstance(concepts, Mapping):
        concepts = [concepts]
    found = set()
    shown = []
    for concept in concepts or ():
        codings = coding_list(concept)
        shown.append(shown_codes(codings, concept))
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


def read_observation(r: Reading, entry: Entry) -> None:
    res, label = entry.resource, entry.label
    codings = coding_list(res.get("code"))
    spec: ObservationCode | None = None
    key = None
    for c in codings:
        key = r.t.key(c.get("system"), c.get("code"))
        if key in r.t.observations:
            spec = r.t.observations[key]
            break
    if spec is None:
        r.note("unrecognised", label, "not an observation careflow reads", element="code",
               code=shown_codes(codings, res.get("code")))
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
    date, date_element = effective_date(res)
    if date and spec.scope != "duplex" and date > r.assessed_on.isoformat():
        r.note("not_used", label, f"dated {date}, after the assessment day "
               f"{r.assessed_on.isoformat()}", element=date_element, fact=spec.field, code=code)
        return
    path = spec.field
    if spec.scope in ("leg", "duplex"):
        side, why = side_of(r, label, res.get("bodySite"), spec.regions)
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
            Fact(True, Source(resource=label, element="code", code=code), date, order))
        return
    value, element = _value(r, entry, spec, path, code)
    if element is None:
        return
    fact = Fact(value, Source(resource=label, element=element, code=code), date, order)
    if spec.value == "member":
        r.members.setdefault(path, []).append(fact)
    else:
        r.facts.setdefault(path, []).append(fact)


def _value(r: Reading, entry: Entry, spec: ObservationCode, path: str,
           code: str | None) -> tuple[Any, str | None]:
    """The observation's value in the field's terms, and the element it was read from;
    (None, None) when there is none to use (reported)."""
    res, label = entry.resource, entry.label
    if "dataAbsentReason" in res:
        r.note("unknown", label, f"no value: dataAbsentReason "
               f"{shown_codes(coding_list(res['dataAbsentReason']), res['dataAbsentReason'])}",
               element="dataAbsentReason", fact=path, code=code)
        return None, None
    kind = spec.value
    if kind in ("number", "integer"):
        if "valueInteger" in res:
            number, element = to_decimal(label, "valueInteger", res["valueInteger"]), \
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
            number = to_decimal(label, "valueQuantity.value", q["value"])
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
                                  f"(got {to_plain(number)})"])
        return to_plain(number), element
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
    codings = coding_list(concept)
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
               code=shown_codes(codings, concept))
        return None, None
    # member: one entry of a list field, coded in careflow's own system for that list
    allowed = {"pain-pattern": v.PAIN_PATTERNS, "vein-symptom": v.VEIN_SYMPTOMS}
    system = spec.member_system or ""
    for c in codings:
        if r.t.name(c.get("system")) == system and c.get("code") in allowed.get(system, ()):
            return c["code"], "valueCodeableConcept"
    r.note("unrecognised", label, f"an answer careflow does not read: not added to {path}",
           element="valueCodeableConcept", fact=path, code=shown_codes(codings, concept))
    return None, None


def _settle(r: Reading, path: str, found: list[Fact]) -> Fact:
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


def build_legs(r: Reading) -> None:
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


def _performed_on(r: Reading, side: str, duplex: dict[str, Any]) -> None:
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


def patient_fields(r: Reading) -> None:
    for path in sorted(set(r.facts) | set(r.markers)):
        if path.startswith("legs."):
            continue
        if path in r.facts:
            fact = _settle(r, path, r.facts[path])
            _put(r.doc, path.split("."), fact.value)
            r.source(path, fact.source)
