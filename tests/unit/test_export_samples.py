"""Patients and plans the format tests share: the worked examples, plus a routine referral
(a referral that is not a red flag) and a leg whose stockings are contraindicated.

The tests here only check that the samples cover what the format tests rely on."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from careflow import Plan, evaluate, parse_patient, read_patient
from careflow import vocabulary as v

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))

EXTRA: dict[str, dict[str, Any]] = {
    # A painful artificial knee: a routine orthopaedic referral, nothing held; nothing was
    # asked about conditions, allergies or medications (the questions-open banner).
    "routine-referral": {
        "id": "P-ROUTINE", "assessed_on": "2026-11-20", "age": 71, "sex": "male",
        "height_cm": 168, "weight_kg": 64, "egfr": 80,
        "legs": [{"side": "left", "abi": 1.0, "wells_score": 0,
                  "knee": {"pain_nrs": 5, "pain_pattern": ["on_movement"], "kl_grade": 3,
                           "prior_arthroplasty": True}}],
    },
    # Varicose veins with severe heart failure: stockings contraindicated; both legs examined.
    "stockings-contraindicated": {
        "id": "P-HF", "assessed_on": "2026-11-20", "age": 58, "sex": "female",
        "pregnant": False, "height_cm": 160, "weight_kg": 70, "egfr": 60,
        "conditions": ["severe_heart_failure"], "allergies": [], "medications": [],
        "lifestyle": {"standing_hours_per_day": 8, "smoker": True},
        "legs": [
            {"side": "right", "abi": 1.1, "wells_score": 0,
             "veins": {"symptoms": ["bulging_veins", "heaviness"], "ceap_c": 3}},
            {"side": "left", "abi": 1.1, "wells_score": 0,
             "knee": {"pain_nrs": 3, "pain_pattern": ["start_up"], "kl_grade": 1}},
        ],
    },
}


@cache
def sample_plans() -> dict[str, Plan]:
    """Every sample's plan, by name (computed once per test session)."""
    plans = {case.stem: evaluate(read_patient(case)) for case in EXAMPLES}
    plans.update({name: evaluate(parse_patient(doc)) for name, doc in EXTRA.items()})
    return plans


def names() -> list[str]:
    return [case.stem for case in EXAMPLES] + list(EXTRA)


def test_samples_cover_every_status_and_both_kinds_of_referral() -> None:
    items = [i for plan in sample_plans().values() for i in plan.items]
    assert {i.status for i in items} == set(v.STATUSES)
    reasons = {i.reason_code for i in items if i.action == "referral"}
    assert reasons & set(v.RED_FLAGS), "no red-flag referral among the samples"
    assert reasons - set(v.RED_FLAGS), "no routine referral among the samples"
    assert {i.side for i in items} >= {"right", "left", None}
    assert any(i.coverage == "self_pay" and i.disclosures for i in items)
    assert any(i.urgency for i in items)
    assert any(i.detail for i in items)


# --- every format, for generated patients --------------------------------------------------
def test_every_format_is_valid_for_generated_patients() -> None:
    """Generated patients (tests/unit/gen_patients.py): each plan validates against the plan
    schema, its FHIR export parses back with the R4B models and passes the binding check, and
    its cards validate against the CDS Hooks response shape, in both languages."""
    import json

    from fhir.resources.R4B.careplan import CarePlan
    from hypothesis import given

    from careflow.export import cds_hooks, fhir, rich_text
    from careflow.export.schema import plan_schema
    from tests.unit.gen_patients import examples, patients
    from tests.unit.test_export_cds_hooks import VALIDATOR as CARDS
    from tests.unit.test_export_schema import validator

    assert plan_schema()  # the schema module loads

    @examples(30)
    @given(patients())
    def check(doc: dict[str, Any]) -> None:
        plan = evaluate(parse_patient(doc))
        assert list(validator("plan").iter_errors(json.loads(plan.to_json()))) == []
        for lang in ("en", "ja"):
            care_plan = CarePlan.model_validate_json(fhir.to_fhir_json(plan, lang))
            fhir.check_bindings(care_plan)
            cards = json.loads(cds_hooks.to_cards_json(plan, lang))
            assert list(CARDS.iter_errors(cards)) == []
            assert len(cards["cards"]) == (len(plan.items) + bool(plan.questions_open)
                                           + bool(plan.considered))
            assert rich_text.render_ansi(plan, lang)

    check()
