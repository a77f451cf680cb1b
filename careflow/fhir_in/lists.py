"""The three asked lists (docs/fhir-in.md#lists): Conditions, AllergyIntolerances and
MedicationRequests / MedicationStatements, each list put in the document only when the bundle
answers it completely; an unconfirmed diagnosis (疑い病名) is never a confirmed condition."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .. import vocabulary as v
from ..model import got
from ..provenance import Source
from .bundle import Entry
from .codes import ATC, ICD10, YJ
from .reading import (
    Reading,
    coding_list,
    shown_codes,
    status_of,
)

_INACTIVE = ("inactive", "remission", "resolved")
_UNCONFIRMED = ("unconfirmed", "provisional", "differential")
_MED_CURRENT = {"MedicationRequest": ("active", "on-hold"),
                "MedicationStatement": ("active", "intended", "on-hold")}
_MED_NOT_CURRENT = {"MedicationRequest": ("completed", "stopped", "cancelled", "draft",
                                          "entered-in-error", "ended"),
                    "MedicationStatement": ("completed", "stopped", "not-taken",
                                            "entered-in-error")}



@dataclass
class AskedList:
    name: str
    codes: list[str] = field(default_factory=list)
    used: list[str] = field(default_factory=list)  # resource labels that answered
    none_known: list[str] = field(default_factory=list)
    no_info: list[str] = field(default_factory=list)
    doubt: list[str] = field(default_factory=list)


_ONE = {"conditions": "condition", "allergies": "allergy", "medications": "medication"}


def answer(r: Reading, lst: AskedList) -> None:
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


POSTFIX_MODIFIER = \
    "http://jpfhir.jp/fhir/core/Extension/StructureDefinition/JP_Condition_DiseasePostfixModifier"


def _verification(res: Mapping[str, Any]) -> str:
    code = status_of(res.get("verificationStatus"))
    if code in ("entered-in-error", "refuted"):
        return "void"
    return "unconfirmed" if code in _UNCONFIRMED or _says_suspected(res) else "confirmed"


def _says_suspected(res: Mapping[str, Any]) -> bool:
    """A JP Core diagnosis whose name or postfix modifier says 疑い (the suspected-diagnosis
    modifier 「の疑い」) is a suspicion whatever its verificationStatus: careflow never reads
    it as confirmed."""
    concept = res.get("code")
    if not isinstance(concept, Mapping):
        return False
    texts = [concept.get("text")] + [c.get("display") for c in coding_list(concept)]
    for ext in concept.get("extension") or ():
        if isinstance(ext, Mapping) and ext.get("url") == POSTFIX_MODIFIER:
            value = ext.get("valueCodeableConcept")
            texts += [value.get("text") if isinstance(value, Mapping) else None]
            texts += [c.get("display") for c in coding_list(value)]
    return any(isinstance(t, str) and "疑" in t for t in texts)


def read_condition(r: Reading, entry: Entry, lst: AskedList) -> None:
    res, label = entry.resource, entry.label
    verification = _verification(res)
    if verification == "void":
        r.note("not_used", label, f"verificationStatus "
               f"{status_of(res.get('verificationStatus'))}", element="verificationStatus")
        return
    clinical = status_of(res.get("clinicalStatus"))
    status = "inactive" if clinical in _INACTIVE else "active"
    concept = res.get("code")
    codings = coding_list(concept)
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
        lst.doubt.append(f"{label} ({shown_codes(codings, concept)})")
        r.note("unrecognised", label, "a diagnosis coded in no system careflow reads "
               "(ICD-10, or careflow's condition codes)", element="code",
               code=shown_codes(codings, concept), fact="conditions")
        return
    lst.used.append(label)
    found: list[tuple[str | None, str]] = [(c, f"condition#{c}") for c in own]
    found += [(r.t.condition(code, f"{verification}/{status}")[0], code) for code in icd]
    if verification == "unconfirmed":
        would = [c for c in own] + [r.t.condition(code, f"confirmed/{status}")[0]
                                    for code in icd]
        for (condition, code), confirmed in zip(found, would, strict=True):
            if condition != "suspected_malignancy":
                said = status_of(res.get("verificationStatus"))
                how = "its name says 疑い" if said not in _UNCONFIRMED else \
                    f"verificationStatus {said}"
                r.note("not_used", label, f"an unconfirmed diagnosis (疑い病名, {how}): "
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
        entries = [r.t.condition(code, f"{verification}/{status}")[1] for code in icd]
        otherwise = next((e.otherwise for e in entries if e is not None and e.otherwise), "")
        r.note("not_used", label, otherwise or "not one of careflow's conditions"
               + (" at this clinical status" if clinical else ""), element="code",
               code=shown_codes(codings, concept))


def read_allergy(r: Reading, entry: Entry, lst: AskedList) -> None:
    res, label = entry.resource, entry.label
    verification = status_of(res.get("verificationStatus"))
    if verification in ("entered-in-error", "refuted"):
        r.note("not_used", label, f"verificationStatus {verification}",
               element="verificationStatus")
        return
    clinical = status_of(res.get("clinicalStatus"))
    concept = res.get("code")
    codings = coding_list(concept)
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
               element="clinicalStatus", code=shown_codes(codings, concept))
        return
    own = [k.split("#", 1)[1] for k in keys if k and k.startswith("allergy#")
           and k.split("#", 1)[1] in v.ALLERGIES]
    if not own:
        lst.doubt.append(f"{label} ({shown_codes(codings, concept)})")
        r.note("unrecognised", label, "an allergen careflow cannot tell apart from its own "
               "five", element="code", code=shown_codes(codings, concept), fact="allergies")
        return
    lst.used.append(label)
    for allergy in own:
        lst.codes.append(allergy)
        r.source(f"allergies.{allergy}", Source(resource=label, element="code",
                                                code=f"{r.t.uri('allergy')}|{allergy}"))


def _medication_concept(r: Reading, entry: Entry,
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


def read_medication(r: Reading, entry: Entry, lst: AskedList, by_ref: Mapping[str, Entry]) -> None:
    res, label = entry.resource, entry.label
    kind = res["resourceType"]
    status = res.get("status")
    if status in _MED_NOT_CURRENT[kind]:
        lst.used.append(label)
        r.note("not_used", label, f"status {status}: not taken now", element="status")
        return
    concept, where, element = _medication_concept(r, entry, by_ref)
    codings = coding_list(concept)
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
        lst.doubt.append(f"{label} ({shown_codes(codings, concept)})")
        r.note("unrecognised", where, "a drug whose class careflow cannot tell from its code",
               element=element, code=shown_codes(codings, concept), fact="medications")
        return
    lst.used.append(label)
    if not found:
        r.note("not_used", where, "not one of careflow's medication classes",
               element=element, code=shown_codes(codings, concept))
    for med, k in found:
        lst.codes.append(med)
        name, code = k.split("#", 1)
        r.source(f"medications.{med}", Source(resource=where, element=element,
                                              code=f"{r.t.uri(name)}|{code}"))
