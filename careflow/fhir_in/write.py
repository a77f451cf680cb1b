"""A careflow patient written as a FHIR R4 collection Bundle, in exactly the codes `from_bundle`
reads (docs/fhir-in.md#writing): the round trip from YAML to a bundle and back gives the same
plan. Standard codes where the table has one (LOINC, JLAC10, ICD-10, ATC), careflow's own
code systems otherwise. Each resource names the JP Core profile it meets in meta.profile."""

from __future__ import annotations

import datetime as dt
from typing import Any

from .. import vocabulary as v
from ..model import Leg, Patient
from .bundle import entries
from .codes import ObservationCode, Tables, tables
from .reading import PATIENT_ID_SYSTEM

SUBJECT = {"reference": "Patient/patient"}
LEG_SITE = {"right": ("62175007", "Structure of right lower limb", "右下肢"),
            "left": ("32153003", "Structure of left lower limb", "左下肢")}
KNEE_SITE = {"right": ("6757004", "Structure of right knee region", "右膝"),
             "left": ("82169009", "Structure of left knee region", "左膝")}

# One ICD-10 code that stands for each condition the table reads from ICD-10; the others are
# written in careflow's own condition system (ICD-10 cannot say them).
ICD10_WRITTEN = {
    "type1_diabetes": "E10.9", "diabetes": "E11.9", "peripheral_arterial_disease": "I73.9",
    "heart_failure": "I50.9", "skin_infection": "L03.1", "rheumatoid_arthritis": "M06.9",
    "sepsis": "A41.9", "malignancy": "C80", "suspected_malignancy": "C80",
    "pancreatitis_history": "K86.1", "thrombophilia": "D68.6", "dvt_history": "I80.2",
    "bleeding_disorder": "D68.4", "eating_disorder": "F50.9", "dialysis": "Z99.2",
}
# One WHO ATC code for each medication class.
ATC_WRITTEN = {
    "anticoagulant": "B01AF02", "antiplatelet": "B01AC06", "valproate": "N03AG01",
    "metformin": "A10BA02", "insulin_or_sulfonylurea": "A10BB12",
    "glp1_receptor_agonist": "A10BJ06", "estrogen_therapy": "G03CA03", "serm": "G03XC01",
    "systemic_corticosteroid": "H02AB06",
}
_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
# JP Core's profiles for what the writer makes, their canonical URLs as JP Core's own sources
# define them (jami-fhir-jp-wg/jp-core-v1x, input/fsh/profiles/JP_*.fsh `^url`, v1.2). Each
# resource written meets its profile's cardinalities; an Observation is JP_Observation_Common,
# which needs a category coded in JP Core's own category system (aliases-jpcore.fsh).
JP_CORE = "http://jpfhir.jp/fhir/core/StructureDefinition/"
JP_PROFILE = {"Patient": "JP_Patient", "Observation": "JP_Observation_Common",
              "Condition": "JP_Condition", "AllergyIntolerance": "JP_AllergyIntolerance",
              "MedicationStatement": "JP_MedicationStatement", "Procedure": "JP_Procedure"}
JP_CATEGORY = "http://jpfhir.jp/fhir/core/CodeSystem/JP_SimpleObservationCategory_CS"


def _meta(resource_type: str) -> dict[str, list[str]]:
    return {"profile": [JP_CORE + JP_PROFILE[resource_type]]}


class _Writer:
    def __init__(self, patient: Patient) -> None:
        self.p = patient
        self.t: Tables = tables()
        self.day = patient.assessed_on.isoformat()
        self.out: list[dict[str, Any]] = []
        self.n: dict[str, int] = {}

    def add(self, resource: dict[str, Any]) -> None:
        kind = resource["resourceType"]
        self.n[kind] = self.n.get(kind, 0) + 1
        prefix = {"Observation": "obs", "Condition": "cond", "AllergyIntolerance": "allergy",
                  "MedicationStatement": "med", "Procedure": "proc"}[kind]
        self.out.append({"id": f"{prefix}-{self.n[kind]}", "meta": _meta(kind), **resource})

    def coding(self, key: str, display: str = "") -> dict[str, str]:
        name, code = key.split("#", 1)
        out = {"system": self.t.uri(name), "code": code}
        if display:
            out["display"] = display
        return out

    def observation(self, field: str, value: Any, side: str | None = None,
                    date: str | None = None) -> None:
        spec = self.t.by_field[field]
        res: dict[str, Any] = {
            "resourceType": "Observation", "status": "final",
            "category": [{"coding": [{"system": _CATEGORY, "code": _category(spec)}]},
                         {"coding": [{"system": JP_CATEGORY, "code": _jp_category(spec)}]}],
            "code": {"coding": [self.coding(spec.codes[0], spec.display)],
                     "text": spec.display},
            "subject": SUBJECT,
        }
        when = self.day if spec.scope != "duplex" else date
        if when:
            res["effectiveDateTime"] = when
        if side is not None:
            site = KNEE_SITE[side] if ".knee." in field else LEG_SITE[side]
            res["bodySite"] = {"coding": [{"system": self.t.uri("snomed"), "code": site[0],
                                           "display": site[1]}], "text": site[2]}
        if spec.value != "marker":
            res.update(_value(self, spec, value))
        self.add(res)


def _category(spec: ObservationCode) -> str:
    if spec.field == "egfr":
        return "laboratory"
    if spec.field in ("height_cm", "weight_kg", "bmi") or spec.field.endswith("pain_nrs"):
        return "vital-signs"
    if spec.field.startswith(("lifestyle", "preferences")):
        return "social-history"
    return "exam"


def _jp_category(spec: ObservationCode) -> str:
    """JP Core's category (JP_SimpleObservationCategory_CS): HL7's, but height, weight and BMI
    are a body measurement there."""
    if spec.field in ("height_cm", "weight_kg", "bmi"):
        return "body-measurement"
    return _category(spec)


def _value(w: _Writer, spec: ObservationCode, value: Any) -> dict[str, Any]:
    if spec.value == "number":
        unit = next(u for u, factor in spec.units.items() if factor == 1) if spec.units \
            else None
        quantity: dict[str, Any] = {"value": value}
        if unit is not None:
            quantity.update({"unit": unit, "system": w.t.uri("ucum"), "code": unit})
        return {"valueQuantity": quantity}
    if spec.value == "integer":
        return {"valueInteger": value}
    if spec.value == "boolean":
        return {"valueBoolean": value}
    if spec.value == "date":
        return {"valueDateTime": value.isoformat()}
    if spec.value == "coded":
        key = next(k for k, x in spec.values.items() if x is value)
        return {"valueCodeableConcept": {"coding": [w.coding(key)]}}
    assert spec.value == "member" and spec.member_system
    return {"valueCodeableConcept": {"coding": [w.coding(f"{spec.member_system}#{value}")]}}


def _birth_date(patient: Patient) -> str:
    day = patient.assessed_on
    year = day.year - patient.age
    try:
        return dt.date(year, day.month, day.day).isoformat()
    except ValueError:  # 29 February in a year without one: the day before
        return dt.date(year, 2, 28).isoformat()


def _fields(w: _Writer, model: Any, prefix: str, side: str | None = None,
            skip: tuple[str, ...] = ()) -> None:
    """Every field of a section that differs from "left out", in the table's order."""
    for name, info in type(model).model_fields.items():
        if name in skip:
            continue
        value = getattr(model, name)
        field = f"{prefix}.{name}" if prefix else name
        if field not in w.t.by_field:
            continue
        if value is None or (value is False and info.default is False) or value == () \
                or (value == 0 and info.default == 0 and not isinstance(value, bool)):
            continue
        if isinstance(value, tuple):
            for entry in value:
                w.observation(field, entry, side)
        else:
            w.observation(field, value, side)


def _leg(w: _Writer, leg: Leg) -> None:
    side = leg.side
    base = "legs.*"
    w.observation(base, True, side)
    _fields(w, leg, base, side, skip=("side", "knee", "veins"))
    if leg.knee is not None:
        w.observation(f"{base}.knee.pain_nrs", leg.knee.pain_nrs, side)
        _fields(w, leg.knee, f"{base}.knee", side, skip=("pain_nrs",))
    if leg.veins is not None:
        w.observation(f"{base}.veins", True, side)
        _fields(w, leg.veins, f"{base}.veins", side, skip=("duplex",))
        duplex = leg.veins.duplex
        if duplex is not None:
            date = duplex.performed_on.isoformat() if duplex.performed_on else None
            w.observation(f"{base}.veins.duplex", True, side, date)
            for name in type(duplex).model_fields:
                value = getattr(duplex, name)
                if name != "performed_on" and value is not None:
                    w.observation(f"{base}.veins.duplex.{name}", value, side, date)


def _conditions(w: _Writer) -> None:
    codes = w.p.conditions
    if codes is None:
        return
    if not codes:
        w.add({"resourceType": "Condition", "subject": SUBJECT,
               "code": {"coding": [w.coding("snomed#160245001",
                                            "No current problems or disability")]}})
        return
    for code in codes:
        unconfirmed = code == "suspected_malignancy"
        clinical = "resolved" if code in ("dvt_history", "pancreatitis_history") else "active"
        coding = w.coding(f"icd10#{ICD10_WRITTEN[code]}") if code in ICD10_WRITTEN else \
            w.coding(f"condition#{code}")
        w.add({"resourceType": "Condition", "subject": SUBJECT,
               "clinicalStatus": {"coding": [w.coding(f"condition-clinical#{clinical}")]},
               "verificationStatus": {"coding": [w.coding(
                   "condition-verification#"
                   + ("unconfirmed" if unconfirmed else "confirmed"))]},
               "code": {"coding": [coding], "text": code}})


def _allergies(w: _Writer) -> None:
    codes = w.p.allergies
    if codes is None:
        return
    status = {"clinicalStatus": {"coding": [w.coding("allergy-clinical#active")]},
              "verificationStatus": {"coding": [w.coding("allergy-verification#confirmed")]}}
    if not codes:
        w.add({"resourceType": "AllergyIntolerance", "patient": SUBJECT, **status,
               "code": {"coding": [w.coding("snomed#716186003", "No known allergy")]}})
    for code in codes:
        w.add({"resourceType": "AllergyIntolerance", "patient": SUBJECT, **status,
               "code": {"coding": [w.coding(f"allergy#{code}")], "text": code}})


def _medications(w: _Writer) -> None:
    codes = w.p.medications
    if codes is None:
        return
    if not codes:
        w.add({"resourceType": "MedicationStatement", "status": "active", "subject": SUBJECT,
               "medicationCodeableConcept": {"coding": [w.coding(
                   "snomed#787481004", "No known medications")]}})
    for code in codes:
        w.add({"resourceType": "MedicationStatement", "status": "active", "subject": SUBJECT,
               "medicationCodeableConcept": {"coding": [w.coding(f"atc#{ATC_WRITTEN[code]}")],
                                             "text": code}})


def _history(w: _Writer) -> None:
    day = w.p.assessed_on
    for entry in w.p.history:
        started = (day - dt.timedelta(weeks=entry.weeks)).isoformat()
        res: dict[str, Any] = {
            "resourceType": "Procedure", "status": "completed", "subject": SUBJECT,
            "code": {"coding": [w.coding(f"action#{entry.treatment}")],
                     "text": entry.treatment},
            "outcome": {"coding": [w.coding(f"response#{entry.response}")]},
        }
        if entry.treatment in v.ACTION_GROUPS["endovenous"]:
            res["performedDateTime"] = started  # a procedure: the weeks since it was done
        else:
            res["performedPeriod"] = {"start": started, "end": day.isoformat()}  # a course
        sites = []
        if entry.side is not None:
            code, display, text = LEG_SITE[entry.side]
            sites.append({"coding": [{"system": w.t.uri("snomed"), "code": code,
                                      "display": display}], "text": text})
        if entry.vein is not None:
            sites.append({"coding": [w.coding(f"vein#{entry.vein}")]})
        if sites:
            res["bodySite"] = sites
        w.add(res)


def write(patient: Patient) -> dict[str, Any]:
    w = _Writer(patient)
    w.out.append({
        "resourceType": "Patient", "id": "patient", "meta": _meta("Patient"),
        "identifier": [{"system": PATIENT_ID_SYSTEM, "value": patient.id}],
        "gender": patient.sex, "birthDate": _birth_date(patient),
    })
    _fields(w, patient, "", skip=("id", "assessed_on", "age", "sex", "legs", "history",
                                  "conditions", "allergies", "medications"))
    _fields(w, patient.lifestyle, "lifestyle")
    _fields(w, patient.preferences, "preferences")
    for leg in patient.legs:
        _leg(w, leg)
    _conditions(w)
    _allergies(w)
    _medications(w)
    _history(w)
    bundle = {"resourceType": "Bundle", "type": "collection",
              "timestamp": f"{w.day}T09:00:00+09:00",
              "entry": [{"resource": r} for r in w.out]}
    entries(bundle)  # every resource valid against its R4B model
    return bundle
