"""The public vocabulary (docs/patient.md#codes, docs/plan.md): codes, actions, statuses.

Rules and patients may only use these names; everything that checks a name checks it here.
"""

from __future__ import annotations

from dataclasses import dataclass

SIDES = ("right", "left")
SEXES = ("female", "male")

CONDITIONS = (
    "diabetes", "type1_diabetes", "peripheral_arterial_disease", "heart_failure",
    "severe_neuropathy", "skin_infection", "rheumatoid_arthritis", "active_infection",
    "sepsis", "malignancy", "suspected_malignancy", "pancreatitis_history",
    "medullary_thyroid_cancer_or_men2", "thrombophilia", "dvt_history", "hormone_therapy",
    "immobile", "bleeding_disorder",
)
ALLERGIES = ("cyanoacrylate", "contrast_media", "imipenem", "stocking_material")
PAIN_PATTERNS = (
    "start_up", "on_movement", "at_rest", "worse_after_standing", "relieved_by_elevation",
)
VEIN_SYMPTOMS = (
    "bulging_veins", "visible_blue_veins", "heaviness", "evening_swelling", "night_cramps",
    "leg_fatigue_pain", "skin_pigmentation",
)
RESPONSES = ("none", "partial", "good", "not_tolerated")

KINDS = ("referral", "assessment", "treatment", "advice")
TRACKS = ("safety", "knee", "vein", "general")
PHASES = ("referral", "assessment", "conservative", "venous_intervention", "self_pay")
COVERAGES = ("insurance", "self_pay")
URGENCIES = ("emergency", "urgent", "routine")
STATUSES = ("contraindicated", "deferred", "recommended", "option", "next_step")
DISCLOSURES = ("self_pay_cost", "main_risks", "off_label_use", "unapproved_product")

# Strength for the resolver (docs/plan.md#resolution): contraindicated > deferred >
# recommended/option > next_step. Recommended outranks option only to break a tie deterministically.
STATUS_STRENGTH = {
    "contraindicated": 4, "deferred": 3, "recommended": 2, "option": 2, "next_step": 0,
}
STATUS_TIEBREAK = {s: i for i, s in enumerate(STATUSES)}
HEADLINE = ("red_flag", "pregnancy", "allergy", "medication", "condition", "measurement",
            "history", "other", "clinic_policy")
"""Which reason heads an item when several rules give it the same winning status, strongest
first: a red flag, then pregnancy, an allergy, a medication, a condition, a measurement,
the treatment history, anything else, and last the clinic's own policy (never the alphabet)."""
OFFERED = ("recommended", "option", "next_step")
"""The statuses of an item that could be offered: a hold defers them, annotations reach
them, `checked` is shown on them."""

RED_FLAGS = (
    "suspected_dvt", "acute_limb_ischemia", "septic_arthritis", "possible_fracture",
    "bleeding_varicose_vein", "sepsis", "suspected_malignancy",
)
REFERRAL_REASONS = RED_FLAGS + ("orthopaedic_review", "arterial_review")


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


_SELF_PAY = ("self_pay_cost", "main_risks")

ACTIONS: dict[str, Action] = {
    a.code: a
    for a in (
        Action("referral", "referral", "safety", "referral"),
        Action("duplex_ultrasound", "assessment", "vein", "assessment", "insurance"),
        Action("knee_xray", "assessment", "knee", "assessment", "insurance"),
        Action("abi_measurement", "assessment", "vein", "assessment", "insurance"),
        Action("toe_pressure", "assessment", "vein", "assessment", "insurance"),
        Action("blood_test", "assessment", "knee", "assessment", "insurance"),
        Action("exercise_therapy", "treatment", "knee", "conservative", "insurance"),
        Action("hyaluronic_acid_injection", "treatment", "knee", "conservative", "insurance",
               invasive=True),
        Action("steroid_injection", "treatment", "knee", "conservative", "insurance",
               invasive=True),
        # Japan reimburses garments only for venous ulcers (clinical-reference §0, [V]).
        Action("compression_stockings", "treatment", "vein", "conservative", "self_pay"),
        Action("wound_care", "treatment", "vein", "conservative", "insurance"),
        Action("endovenous_thermal_ablation", "treatment", "vein", "venous_intervention",
               "insurance", invasive=True),
        Action("cyanoacrylate_closure", "treatment", "vein", "venous_intervention",
               "insurance", invasive=True),
        Action("intra_arterial_injection", "treatment", "knee", "self_pay", "self_pay",
               _SELF_PAY, invasive=True),
        Action("exosome_injection", "treatment", "knee", "self_pay", "self_pay",
               _SELF_PAY + ("unapproved_product",), invasive=True),
        # The clinic's medical diet may use GLP-1 drugs outside their label (§7.2).
        Action("medical_diet", "treatment", "knee", "self_pay", "self_pay",
               _SELF_PAY + ("off_label_use",)),
        *(
            Action(code, "advice", "general", "conservative")
            for code in (
                "avoid_prolonged_standing", "avoid_floor_sitting", "use_western_toilet",
                "use_bed_not_futon", "stop_smoking", "limit_alcohol",
                "walk_within_pain_free_range", "elevate_legs", "stay_hydrated",
                "weight_management",
            )
        ),
    )
}

ACTION_ORDER = {code: i for i, code in enumerate(ACTIONS)}
TREATMENT_CODES = tuple(
    a.code for a in ACTIONS.values() if a.kind == "treatment"
)
ACTION_GROUPS: dict[str, tuple[str, ...]] = {
    "invasive": tuple(a.code for a in ACTIONS.values() if a.invasive),
    "treatments": TREATMENT_CODES,
    "assessments": tuple(a.code for a in ACTIONS.values() if a.kind == "assessment"),
    "self_pay": tuple(a.code for a in ACTIONS.values() if a.phase == "self_pay"),
    "endovenous": ("endovenous_thermal_ablation", "cyanoacrylate_closure"),
    "knee_injections": ("hyaluronic_acid_injection", "steroid_injection"),
}
