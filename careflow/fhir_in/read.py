"""A FHIR R4 bundle (JP Core / JP-CLINS shape) read into a careflow patient document, with
the report of where each fact came from (docs/fhir-in.md).

Nothing is guessed: a value careflow cannot read stays unknown and is reported; a list whose
entries careflow cannot all read is left not asked (docs/fhir-in.md#lists); the patient
document is then checked by the same validator as a YAML file, and its refusals are named
by resource and element."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from .. import vocabulary as v
from ..errors import FhirInputError, InputError
from ..model import Patient, got, parse_patient
from ..provenance import MappingReport, Source
from .bundle import READ, Entry, entries
from .codes import tables
from .history import read_procedure
from .lists import AskedList, answer, read_allergy, read_condition, read_medication
from .observations import build_legs, patient_fields, read_observation
from .reading import (
    PATIENT_ID_SYSTEM,
    Reading,
    date_text,
    to_date,
)


def _patient(r: Reading, entry: Entry, assessed_from: Source) -> None:
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
    born = to_date(label, "birthDate", birth)
    day = r.assessed_on
    if born > day:
        raise FhirInputError([f"{label}.birthDate: is after the assessment day "
                              f"{day.isoformat()} (got {got(birth)})"])
    r.doc["age"] = day.year - born.year - ((day.month, day.day) < (born.month, born.day))
    r.source("age", Source(resource=label, element="birthDate"))
    r.source("age", assessed_from)



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
        stamp = date_text(bundle.get("timestamp"))
        if not stamp:
            raise FhirInputError(["Bundle.timestamp: not given, and no assessed_on was passed: "
                                  "careflow needs the day the plan is for"])
        day = to_date("Bundle", "timestamp", stamp)
        assessed_from = Source(resource="Bundle", element="timestamp")
    r = Reading(t=tables(), assessed_on=day, patient_label=patient.label)
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
    lists = {name: AskedList(name) for name in v.ASKED_LISTS}
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
            read_observation(r, e)
        elif rtype == "Condition":
            read_condition(r, e, lists["conditions"])
        elif rtype == "AllergyIntolerance":
            read_allergy(r, e, lists["allergies"])
        elif rtype in ("MedicationRequest", "MedicationStatement"):
            read_medication(r, e, lists["medications"], by_ref)
        elif rtype == "Procedure":
            read_procedure(r, e, history)
    if not r.sides:
        raise FhirInputError(["Bundle: names no leg: careflow needs at least one Observation "
                              "whose bodySite names a leg (a leg-assessed observation for a "
                              "leg with a complaint but no measurement)"])
    patient_fields(r)
    build_legs(r)
    for name in v.ASKED_LISTS:
        answer(r, lists[name])
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


def _defaults(r: Reading) -> None:
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


def _validate(r: Reading) -> Patient:
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


def _report(r: Reading, bundle: Mapping[str, Any]) -> MappingReport:
    bid = bundle.get("id")
    return MappingReport(
        bundle=bid if isinstance(bid, str) else None,
        facts={k: tuple(s) for k, s in r.sources.items()},
        unrecognised=tuple(r.unrecognised), not_used=tuple(r.not_used),
        unknown=tuple(r.unknown), defaults=tuple(r.defaults))
