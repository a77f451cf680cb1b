"""The public vocabulary (docs/patient.md#codes, docs/plan.md): codes, actions, statuses.

Rules and patients may only use these names; everything that checks a name checks it here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

# The plan's codes, declared once as types (what a downstream type checker sees) and, from
# them, as the tuples the code and the JSON Schema use.
Side = Literal["right", "left"]
Kind = Literal["referral", "assessment", "treatment", "advice"]
Track = Literal["safety", "knee", "vein", "general"]
Phase = Literal["referral", "assessment", "conservative", "venous_intervention", "self_pay"]
Coverage = Literal["insurance", "self_pay"]
Urgency = Literal["emergency", "urgent", "routine"]
Status = Literal["contraindicated", "not_recommended", "deferred", "recommended", "option",
                 "next_step"]
Question = Literal["conditions", "allergies", "medications"]

SIDES: tuple[Side, ...] = get_args(Side)
SEXES = ("female", "male")

CONDITIONS = (
    "diabetes", "type1_diabetes", "peripheral_arterial_disease", "heart_failure",
    "severe_neuropathy", "skin_infection", "rheumatoid_arthritis", "active_infection",
    "sepsis", "malignancy", "suspected_malignancy", "pancreatitis_history",
    "medullary_thyroid_cancer_or_men2", "thrombophilia", "dvt_history", "hormone_therapy",
    "immobile", "bleeding_disorder", "severe_heart_failure", "breastfeeding",
    "eating_disorder", "frailty", "dialysis", "severe_thyroid_disease",
)
IMPLIED_CONDITIONS = {"diabetes": ("type1_diabetes",), "heart_failure": ("severe_heart_failure",)}
"""A condition that counts as another too: type 1 diabetes is diabetes, severe heart failure
is heart failure (docs/patient.md#codes)."""
ALLERGIES = ("cyanoacrylate", "contrast_media", "imipenem", "stocking_material",
             "local_anaesthetic")
MEDICATIONS = (
    "anticoagulant", "antiplatelet", "valproate", "metformin", "insulin_or_sulfonylurea",
    "glp1_receptor_agonist", "estrogen_therapy", "serm", "systemic_corticosteroid",
)
ASKED_LISTS: tuple[Question, ...] = get_args(Question)
"""The lists whose absence means "not asked" (unknown) and whose presence, even empty, is the
complete answer (docs/patient.md#asked)."""
VEINS = ("gsv", "ssv", "aasv")
"""The superficial trunks a duplex measures and an endovenous treatment closes."""
PAIN_PATTERNS = (
    "start_up", "on_movement", "at_rest", "worse_after_standing", "relieved_by_elevation",
)
VEIN_SYMPTOMS = (
    "bulging_veins", "visible_blue_veins", "heaviness", "evening_swelling", "night_cramps",
    "leg_fatigue_pain", "skin_pigmentation",
)
RESPONSES = ("none", "partial", "good", "not_tolerated")

KINDS: tuple[Kind, ...] = get_args(Kind)
TRACKS: tuple[Track, ...] = get_args(Track)
PHASES: tuple[Phase, ...] = get_args(Phase)
COVERAGES: tuple[Coverage, ...] = get_args(Coverage)
URGENCIES: tuple[Urgency, ...] = get_args(Urgency)
STATUSES: tuple[Status, ...] = get_args(Status)
DISCLOSURES = (
    "treatment_content", "sessions_and_period", "self_pay_cost", "main_risks",
    "insured_alternatives", "separate_from_insured_care", "off_label_use",
    "unapproved_product", "procurement_route", "domestic_approved_alternatives",
    "foreign_safety_information", "relief_system_not_covered",
)
SELF_PAY_DISCLOSURES = DISCLOSURES[:6]
"""What every self-pay item discloses (the advertising guideline's 限定解除 items, the insured
alternatives and the mixed-billing rule: docs/plan.md#disclosures)."""
OFF_LABEL_DISCLOSURES = ("procurement_route", "domestic_approved_alternatives",
                         "foreign_safety_information", "relief_system_not_covered")
"""What an off-label or unapproved use adds, beside `off_label_use` or `unapproved_product`."""
PRECAUTIONS = (
    "anticoagulation_plan", "hold_metformin", "contrast_kidney_care",
    "estrogen_thrombosis_risk", "thrombophilia_prophylaxis", "prior_dvt_deep_vein_check",
    "immobility_thromboprophylaxis", "heart_failure_monitoring", "glucose_monitoring",
    "hypoglycaemia_risk", "nsaid_kidney_bleeding_risk", "small_trunk_diameter", "donning_aid",
    "bleeding_disorder_plan", "bleeding_risk_plan", "heparin_only", "renal_agent_choice",
    "anticoagulant_failure", "steroid_before_arthroplasty", "cardiac_risk_assessment",
    "corticosteroid_healing_risk",
)
"""What a doctor must plan for an item; a precaution never changes its status
(docs/plan.md#precautions)."""
QUESTIONS = ASKED_LISTS

# Strength for the resolver (docs/plan.md#resolution): contraindicated > not_recommended >
# deferred > recommended/option > next_step. Recommended outranks option only to break a tie
# deterministically.
STATUS_STRENGTH: dict[str, int] = {
    "contraindicated": 5, "not_recommended": 4, "deferred": 3, "recommended": 2, "option": 2,
    "next_step": 0,
}
STATUS_TIEBREAK: dict[str, int] = {s: i for i, s in enumerate(STATUSES)}
HEADLINE = ("red_flag", "pregnancy", "allergy", "medication", "condition", "measurement",
            "history", "other", "clinic_policy")
"""Which reason heads an item when several rules give it the same winning status, strongest
first: a red flag, then pregnancy, an allergy, a medication, a condition, a measurement,
the treatment history, anything else, and last the clinic's own policy (never the alphabet)."""
NEVER_HELD = (
    "anticoagulation", "haemostasis", "wound_care", "pad_management", "topical_nsaid",
    "oral_analgesic", "duplex_ultrasound", "knee_xray", "abi_measurement", "toe_pressure",
    "blood_test", "d_dimer", "pregnancy_test",
)
"""Items no hold defers: care that must continue under a red flag or an unasked question
(the urgent care, wound and arterial care, insured analgesics, every assessment)."""
OFFERED = ("recommended", "option", "next_step")
"""The statuses of an item that could be offered: a hold defers them, annotations reach
them, `checked` is shown on them."""

RED_FLAGS = (
    "suspected_dvt", "deep_vein_thrombosis", "acute_limb_ischemia", "critical_limb_ischemia",
    "septic_arthritis", "possible_fracture", "sepsis", "suspected_malignancy",
)
URGENT_CARE = ("bleeding_varicose_vein", "superficial_vein_thrombosis")
"""Time-critical care the clinic gives in house that holds nothing (docs/protocol.md#safety)."""
REFERRAL_REASONS = RED_FLAGS + URGENT_CARE + ("orthopaedic_review", "arterial_review")


@dataclass(frozen=True)
class Action:
    """One action code (docs/plan.md#actions) with the fixed attributes of its items."""

    code: str
    kind: str
    track: str
    phase: str
    coverage: str | None = None
    disclosures: tuple[str, ...] = ()
    invasive: bool = False


_SELF_PAY = SELF_PAY_DISCLOSURES
_OFF_LABEL = ("off_label_use", *OFF_LABEL_DISCLOSURES)
_UNAPPROVED = ("unapproved_product", *OFF_LABEL_DISCLOSURES)

ACTIONS: dict[str, Action] = {
    a.code: a
    for a in (
        Action("referral", "referral", "safety", "referral"),
        Action("duplex_ultrasound", "assessment", "vein", "assessment", "insurance"),
        Action("knee_xray", "assessment", "knee", "assessment", "insurance"),
        Action("abi_measurement", "assessment", "vein", "assessment", "insurance"),
        Action("toe_pressure", "assessment", "vein", "assessment", "insurance"),
        Action("blood_test", "assessment", "knee", "assessment", "insurance"),
        Action("d_dimer", "assessment", "vein", "assessment", "insurance"),
        Action("pregnancy_test", "assessment", "general", "assessment", "insurance"),
        Action("exercise_therapy", "treatment", "knee", "conservative", "insurance"),
        Action("topical_nsaid", "treatment", "knee", "conservative", "insurance"),
        Action("oral_analgesic", "treatment", "knee", "conservative", "insurance"),
        Action("hyaluronic_acid_injection", "treatment", "knee", "conservative", "insurance",
               invasive=True),
        Action("steroid_injection", "treatment", "knee", "conservative", "insurance",
               invasive=True),
        # Japan reimburses garments only for venous ulcers (docs/protocol.md#stockings).
        Action("compression_stockings", "treatment", "vein", "conservative", "self_pay"),
        Action("wound_care", "treatment", "vein", "conservative", "insurance"),
        Action("haemostasis", "treatment", "vein", "conservative", "insurance"),
        Action("anticoagulation", "treatment", "vein", "conservative", "insurance"),
        Action("endovenous_thermal_ablation", "treatment", "vein", "venous_intervention",
               "insurance", invasive=True),
        Action("cyanoacrylate_closure", "treatment", "vein", "venous_intervention",
               "insurance", invasive=True),
        Action("pad_management", "treatment", "general", "conservative", "insurance"),
        # imipenem/cilastatin and microspheres are both off-label for the knee
        Action("intra_arterial_injection", "treatment", "knee", "self_pay", "self_pay",
               _SELF_PAY + _OFF_LABEL, invasive=True),
        Action("exosome_injection", "treatment", "knee", "self_pay", "self_pay",
               _SELF_PAY + _UNAPPROVED, invasive=True),
        # a programme that adds a GLP-1 drug adds the off-label set (rules/self_pay.yaml)
        Action("medical_diet", "treatment", "knee", "self_pay", "self_pay", _SELF_PAY),
        *(
            Action(code, "advice", "general", "conservative")
            for code in (
                "avoid_prolonged_standing", "avoid_prolonged_sitting", "avoid_floor_sitting",
                "use_western_toilet", "use_bed_not_futon", "stop_smoking", "limit_alcohol",
                "walk_within_pain_free_range", "elevate_legs", "stay_hydrated",
                "weight_management",
            )
        ),
    )
}

ACTION_ORDER = {code: i for i, code in enumerate(ACTIONS)}
TREATMENT_CODES = tuple(
    a.code for a in ACTIONS.values() if a.kind == "treatment" and a.code != "haemostasis"
)
"""The codes a history entry may name (first aid for a bleeding vein is not a course)."""
ACTION_GROUPS: dict[str, tuple[str, ...]] = {
    "invasive": tuple(a.code for a in ACTIONS.values() if a.invasive),
    "treatments": tuple(a.code for a in ACTIONS.values() if a.kind == "treatment"),
    "assessments": tuple(a.code for a in ACTIONS.values() if a.kind == "assessment"),
    "self_pay": tuple(a.code for a in ACTIONS.values() if a.phase == "self_pay"),
    "endovenous": ("endovenous_thermal_ablation", "cyanoacrylate_closure"),
    "knee_injections": ("hyaluronic_acid_injection", "steroid_injection"),
    "endovascular": ("endovenous_thermal_ablation", "cyanoacrylate_closure",
                     "intra_arterial_injection"),
    "analgesics": ("topical_nsaid", "oral_analgesic"),
}
