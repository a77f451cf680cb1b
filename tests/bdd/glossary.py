"""The clinical words feature files use, mapped to the patient document and the plan.

Feature files are read by doctors: they say "CEAP clinical class", never `veins.ceap_c`.
Every phrase a step accepts is listed here, so a typo fails loudly with the known phrases.
"""

from __future__ import annotations

from typing import Any

from careflow import labels

# leg table rows: label -> (path under the leg, kind)
LEG_ROWS: dict[str, tuple[str, str]] = {
    "knee pain (0-10)": ("knee.pain_nrs", "int"),
    "knee pain pattern": ("knee.pain_pattern", "patterns"),
    "Kellgren-Lawrence grade": ("knee.kl_grade", "int"),
    "hot swollen knee": ("knee.hot_swollen_joint", "bool"),
    "recent knee trauma": ("knee.recent_trauma", "bool"),
    "cannot bear weight": ("knee.cannot_bear_weight", "bool"),
    "artificial knee": ("knee.prior_arthroplasty", "bool"),
    "ankle-brachial index": ("abi", "float"),
    "signs of acute ischaemia": ("acute_ischemia_signs", "bool"),
    "Wells score": ("wells_score", "int"),
    "vein symptoms": ("veins.symptoms", "symptoms"),
    "CEAP clinical class": ("veins.ceap_c", "int"),
    "bleeding varicose vein": ("veins.bleeding", "bool"),
    "acute superficial thrombophlebitis": ("veins.superficial_thrombophlebitis", "bool"),
    "great saphenous reflux (ms)": ("veins.duplex.gsv_reflux_ms", "float"),
    "small saphenous reflux (ms)": ("veins.duplex.ssv_reflux_ms", "float"),
    "deep reflux (ms)": ("veins.duplex.deep_reflux_ms", "float"),
    "great saphenous diameter (mm)": ("veins.duplex.gsv_diameter_mm", "float"),
    "small saphenous diameter (mm)": ("veins.duplex.ssv_diameter_mm", "float"),
    "deep vein thrombosis on duplex": ("veins.duplex.dvt", "bool"),
    # the same finding, for "its reasons include the ... of yes" (a label without " of ")
    "acute ischaemia signs": ("acute_ischemia_signs", "bool"),
}

PATIENT_ROWS: dict[str, tuple[str, str]] = {
    "height (cm)": ("height_cm", "float"),
    "weight (kg)": ("weight_kg", "float"),
    "BMI": ("bmi", "bmi"),
    "eGFR": ("egfr", "float"),
    "pregnant": ("pregnant", "bool"),
    "smoker": ("lifestyle.smoker", "bool"),
    "alcohol (drinks a week)": ("lifestyle.alcohol_drinks_per_week", "float"),
    "hours standing a day": ("lifestyle.standing_hours_per_day", "float"),
    "sits on the floor": ("lifestyle.sits_on_floor", "bool"),
    "Japanese-style toilet": ("lifestyle.japanese_style_toilet", "bool"),
    "sleeps on a futon": ("lifestyle.sleeps_on_futon", "bool"),
    "accepts self-pay treatment": ("preferences.accepts_self_pay", "bool"),
    "wants further improvement": ("preferences.wants_further_improvement", "bool"),
    "prefers treatment without heat": ("preferences.prefers_non_thermal", "bool"),
}

PATTERNS = {
    "start-up pain": "start_up", "pain on movement": "on_movement", "pain at rest": "at_rest",
    "worse after standing": "worse_after_standing",
    "relieved by elevation": "relieved_by_elevation",
}

SYMPTOMS = {
    "bulging veins": "bulging_veins", "visible blue veins": "visible_blue_veins",
    "heaviness": "heaviness", "evening swelling": "evening_swelling",
    "night cramps": "night_cramps", "leg fatigue and pain": "leg_fatigue_pain",
    "skin pigmentation": "skin_pigmentation",
}

CONDITIONS = {
    "diabetes": "diabetes", "type 1 diabetes": "type1_diabetes",
    "peripheral arterial disease": "peripheral_arterial_disease",
    "heart failure": "heart_failure", "severe neuropathy": "severe_neuropathy",
    "a skin infection": "skin_infection", "rheumatoid arthritis": "rheumatoid_arthritis",
    "an active infection": "active_infection", "sepsis": "sepsis",
    "a malignancy": "malignancy", "a suspected malignancy": "suspected_malignancy",
    "a history of pancreatitis": "pancreatitis_history",
    "medullary thyroid cancer or MEN2": "medullary_thyroid_cancer_or_men2",
    "thrombophilia": "thrombophilia", "a history of deep vein thrombosis": "dvt_history",
    "hormone therapy": "hormone_therapy", "immobility": "immobile",
    "a bleeding disorder": "bleeding_disorder",
}

ALLERGIES = {
    "cyanoacrylate": "cyanoacrylate", "contrast media": "contrast_media",
    "imipenem": "imipenem", "the stocking material": "stocking_material",
}

TREATMENTS = {
    "exercise therapy": "exercise_therapy",
    "hyaluronic acid injections": "hyaluronic_acid_injection",
    "steroid injections": "steroid_injection",
    "compression stockings": "compression_stockings",
    "endovenous thermal ablation": "endovenous_thermal_ablation",
    "cyanoacrylate glue closure": "cyanoacrylate_closure",
    "wound care": "wound_care",
    "the intra-arterial injection": "intra_arterial_injection",
    "an exosome injection": "exosome_injection",
    "the medical diet": "medical_diet",
    "the exosome injection": "exosome_injection",
    "the intra-arterial injection (動注治療)": "intra_arterial_injection",
}

RESPONSES = {
    "no response": "none", "a partial response": "partial", "a good response": "good",
    "it was not tolerated": "not_tolerated",
}

STATUS_WORDS = {
    "recommended": "recommended", "an option": "option", "contraindicated": "contraindicated",
    "deferred": "deferred", "the next step": "next_step", "a next step": "next_step",
}

URGENCY_WORDS = {"as an emergency": "emergency", "urgently": "urgent", "routinely": "routine"}

# plan reasons: label -> path relative to the leg ("legs.<side>." is added) or the patient
LEG_FACTS = {label: path for label, (path, _kind) in LEG_ROWS.items()}
PATIENT_FACTS = {label: path for label, (path, _kind) in PATIENT_ROWS.items() if path != "bmi"}
PATIENT_FACTS.update({"BMI": "bmi", "age": "age", "sex": "sex"})


def action_code(text: str) -> str:
    """`compression stockings` -> compression_stockings; also accepts the treatment words."""
    text = text.strip()
    for code, (en, _ja) in labels.ACTIONS.items():
        if text.lower() in (en.lower(), en.lower().split(" (")[0]):
            return code
    if text in TREATMENTS:
        return TREATMENTS[text]
    raise AssertionError(f"unknown action phrase {text!r}; known: "
                         f"{sorted(en for en, _ in labels.ACTIONS.values())}")


def _code_of(table: dict[str, tuple[str, str]], text: str, what: str) -> str:
    """The code whose English label is `text` (any case)."""
    text = text.strip()
    for code, (en, _ja) in table.items():
        if text.lower() == en.lower():
            return code
    raise AssertionError(f"unknown {what} phrase {text!r}; known: "
                         f"{sorted(en for en, _ in table.values())}")


def reason_code(text: str) -> str:
    return _code_of(labels.REASONS, text, "reason")


def finding_code(text: str) -> str:
    return _code_of(labels.FINDINGS, text, "finding")


def lookup(table: dict[str, Any], text: str, what: str) -> Any:
    text = text.strip()
    if text not in table:
        raise AssertionError(f"unknown {what} {text!r}; known: {sorted(table)}")
    return table[text]


def convert(kind: str, text: str) -> Any:
    text = text.strip()
    if text in ("unknown", "not measured", "not known"):
        return None
    if kind == "int":
        return int(text)
    if kind in ("float", "bmi"):
        return float(text)
    if kind == "bool":
        return lookup({"yes": True, "no": False}, text, "yes/no")
    if kind == "patterns":
        return [lookup(PATTERNS, t, "pain pattern") for t in _split(text, PATTERNS)]
    if kind == "symptoms":
        return [lookup(SYMPTOMS, t, "vein symptom") for t in _split(text, SYMPTOMS)]
    raise AssertionError(kind)


def _split(text: str, known: dict[str, str]) -> list[str]:
    """`heaviness, night cramps and leg fatigue and pain`: split on commas, then on " and "
    only where the words are not one known phrase."""
    if text in ("none", ""):
        return []
    out: list[str] = []
    for part in (p.strip() for p in text.split(",") if p.strip()):
        if part in known or " and " not in part:
            out.append(part)
            continue
        words = part.split(" and ")
        while words:
            for n in range(len(words), 0, -1):
                phrase = " and ".join(words[:n])
                if phrase in known or n == 1:
                    out.append(phrase)
                    words = words[n:]
                    break
    return out
