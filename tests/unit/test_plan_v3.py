"""The plan fields protocol v3 adds (docs/plan.md): precautions, checked and unchecked,
considered (why not), questions_open, urgency and the review within a week, and that every
reader of a plan (text, rich text, CDS Hooks cards, FHIR) shows them."""

from __future__ import annotations

import json
from typing import Any

from careflow import evaluate
from careflow.export import cds_hooks, fhir, rich_text, text
from careflow.plan import Plan

from .helpers import patient

REFLUX_400 = {"side": "right", "abi": 1.1,
              "veins": {"symptoms": ["heaviness"], "ceap_c": 3,
                        "duplex": {"gsv_reflux_ms": 400, "gsv_diameter_mm": 6}}}


def _all_formats(plan: Plan, lang: str) -> dict[str, str]:
    return {
        "text": text.render(plan, lang),
        "rich": rich_text.render_ansi(plan, lang, width=400),
        "cards": json.dumps(cds_hooks.to_cards(plan, lang), ensure_ascii=False),
        "fhir": fhir.to_fhir_json(plan, lang),
    }


def test_considered_names_the_fact_that_stopped_the_treatment_and_what_it_needs() -> None:
    plan = evaluate(patient(legs=[REFLUX_400]))
    by_action = {c.action: c for c in plan.considered}
    eta = by_action["endovenous_thermal_ablation"]
    assert eta.side == "right"
    assert [(u.fact, u.value, u.needs) for u in eta.unmet] == [
        ("legs.right.veins.duplex.gsv_reflux_ms", 400.0, "> 500")]
    # the reflux rule's finding is named through the findings the treatment needs
    assert plan.item("endovenous_thermal_ablation", "right") is None


def test_considered_leaves_out_care_that_answers_what_the_patient_does_not_have() -> None:
    plan = evaluate(patient(legs=[REFLUX_400]))
    actions = {c.action for c in plan.considered}
    assert not actions & {"anticoagulation", "haemostasis", "wound_care", "pad_management",
                          "referral"}


def test_a_treatment_three_facts_away_is_not_considered() -> None:
    far = {"side": "right", "abi": 1.1,
           "veins": {"ceap_c": 1, "duplex": {"gsv_reflux_ms": 100, "gsv_diameter_mm": 6}}}
    plan = evaluate(patient(legs=[far]))
    assert "endovenous_thermal_ablation" not in {c.action for c in plan.considered}


def test_checked_shows_the_values_that_exclude_each_contraindication() -> None:
    plan = evaluate(patient(legs=[{"side": "right", "abi": 1.05, "veins": {"ceap_c": 3}}]))
    stockings = plan.item("compression_stockings", "right")
    assert stockings is not None and stockings.status == "recommended"
    checked = {(c.rule, c.fact, c.value) for c in stockings.checked}
    assert ("VEIN_STOCKINGS_NOT_WITH_LOW_ABI", "legs.right.abi", 1.05) in checked
    assert ("VEIN_STOCKINGS_NOT_WITH_SEVERE_HEART_FAILURE", "conditions.severe_heart_failure",
            False) in checked
    # with a reliable ABI an unmeasured toe pressure is no missing check
    assert not stockings.unchecked


def test_an_unasked_list_makes_its_contraindications_unchecked_not_checked() -> None:
    plan = evaluate(patient(conditions=None, legs=[{"side": "right", "abi": 1.05,
                                                   "veins": {"ceap_c": 3}}]))
    stockings = plan.item("compression_stockings", "right")
    assert stockings is not None and stockings.status == "recommended"
    assert any(c.fact == "conditions" and c.value is None for c in stockings.unchecked)
    assert not any(c.fact.startswith("conditions") for c in stockings.checked)
    assert plan.questions_open == ("conditions",)


def _urgent_dvt() -> dict[str, Any]:
    return {"side": "right", "abi": 1.05,
            "veins": {"ceap_c": 3, "duplex": {"performed_on": "2026-11-19", "dvt": True}}}


def test_an_urgent_item_brings_the_review_to_one_week() -> None:
    plan = evaluate(patient(legs=[_urgent_dvt()]))
    anticoagulation = plan.item("anticoagulation", "right")
    assert anticoagulation is not None and anticoagulation.urgency == "urgent"
    assert plan.review_after_weeks == 1
    calm = evaluate(patient(legs=[{"side": "right", "abi": 1.05, "veins": {"ceap_c": 3}}]))
    assert calm.review_after_weeks == 12


def test_every_format_shows_precautions_checked_questions_and_why_not() -> None:
    plan = evaluate(patient(age=80, allergies=None, legs=[
        {"side": "right", "abi": 1.05, "veins": {"ceap_c": 3}}, {**REFLUX_400, "side": "left"}]))
    stockings = plan.item("compression_stockings", "right")
    assert stockings is not None and stockings.precautions == ("donning_aid",)
    assert plan.considered and plan.questions_open == ("allergies",)
    for lang, words in (("en", ("donning aid", "Questions not yet asked", "allergies",
                                "great saphenous reflux (ms) = 400")),
                        ("ja", ("着用補助具", "問診未完了", "アレルギー歴",
                                "大伏在静脈の逆流時間（ms） = 400"))):
        for name, shown in _all_formats(plan, lang).items():
            for word in words:
                assert word in shown, f"{name} ({lang}) does not show {word!r}"
    for lang, word in (("en", "ankle-brachial index 1.05"),
                       ("ja", "ABI（足関節上腕血圧比） 1.05")):
        for name in ("text", "rich", "cards", "fhir"):
            assert word in _all_formats(plan, lang)[name], (name, lang)


def test_not_recommended_is_not_shown_as_contraindicated_in_japanese() -> None:
    plan = evaluate(patient(legs=[{"side": "right", "abi": 1.05, "veins": {"ceap_c": 2}}],
                            history=[{"treatment": "compression_stockings", "side": "right",
                                      "weeks": 2, "response": "not_tolerated"}]))
    stockings = plan.item("compression_stockings", "right")
    assert stockings is not None and stockings.status == "not_recommended"
    shown = text.render(plan, "ja")
    assert "[非推奨] 弾性ストッキング" in shown and "[禁忌] 弾性ストッキング" not in shown


def test_plan_item_needs_the_leg_for_a_leg_item() -> None:
    import pytest

    from careflow.errors import UsageError

    plan = evaluate(patient(legs=[{"side": "right", "abi": 1.05, "veins": {"ceap_c": 3}}]))
    assert plan.item("compression_stockings", "right") is not None
    assert plan.item("compression_stockings", "left") is None
    with pytest.raises(UsageError, match="leg item in this plan: give side= one of 'right'"):
        plan.item("compression_stockings")
    assert plan.item("elevate_legs") is not None  # a whole-patient item needs no side
    assert plan.item("medical_diet") is None  # not in the plan at all: None


def test_every_format_shows_the_unchecked_the_urgency_and_careflows_version() -> None:
    # conditions not asked: the stocking's heart-failure check cannot be made; a Wells score
    # of 2 without a duplex gives an urgent duplex
    plan = evaluate(patient(conditions=None, legs=[
        {"side": "right", "abi": 1.05, "wells_score": 2, "veins": {"ceap_c": 3}}]))
    stockings = plan.item("compression_stockings", "right")
    duplex = plan.item("duplex_ultrasound", "right")
    assert stockings is not None and stockings.unchecked
    assert duplex is not None and duplex.urgency == "urgent"
    for lang, words in (("en", ("not checked", "urgent")), ("ja", ("未確認", "至急"))):
        for name, shown in _all_formats(plan, lang).items():
            for word in words:
                assert word in shown, f"{name} ({lang}) does not show {word!r}"
            assert plan.protocol.careflow in shown, f"{name} ({lang}) has no careflow version"
