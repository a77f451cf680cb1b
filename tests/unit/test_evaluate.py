"""evaluate(): a justified, deterministic, clinically ordered plan."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from careflow import evaluate, read_patient
from careflow.plan import clinical_order

from .helpers import patient

EXAMPLE = "examples/vascular-knee-pain.yaml"


def test_same_patient_gives_byte_identical_json() -> None:
    p = read_patient(EXAMPLE)
    assert evaluate(p).to_json() == evaluate(p).to_json()


def test_every_item_has_a_rule_reasons_and_evidence_on_treatments() -> None:
    plan = evaluate(read_patient(EXAMPLE))
    assert plan.items
    for item in plan.items:
        assert item.rule and item.reasons
        if item.kind in ("treatment", "referral"):
            assert item.evidence, item.action


def test_items_are_in_clinical_order_and_unique_per_action_and_side() -> None:
    plan = evaluate(read_patient(EXAMPLE))
    assert list(plan.items) == sorted(plan.items, key=clinical_order)
    keys = [(i.action, i.side) for i in plan.items]
    assert len(keys) == len(set(keys))


def test_the_plan_names_its_rule_set() -> None:
    plan = evaluate(read_patient(EXAMPLE))
    assert plan.protocol.name and plan.protocol.version
    assert plan.protocol.digest.startswith("sha256:")


def test_reasons_expand_derived_findings_to_patient_facts() -> None:
    plan = evaluate(read_patient(EXAMPLE))
    stockings = plan.item("compression_stockings", "right")
    assert stockings is not None
    via = [r for r in stockings.reasons if r.via]
    assert any(r.fact == "legs.right.veins.ceap_c" and r.value == 2 for r in via)
    assert all(not r.fact.startswith("f__") for r in stockings.reasons)


def test_a_red_flag_gives_its_item_and_holds_procedures_not_care() -> None:
    p = patient(legs=[{"side": "right", "wells_score": 3, "knee": {"pain_nrs": 5, "kl_grade": 2},
                       "veins": {"ceap_c": 3}}])
    plan = evaluate(p)
    duplex = plan.item("duplex_ultrasound", "right")
    assert duplex is not None and duplex.reason_code == "suspected_dvt"
    assert duplex.urgency == "urgent" and plan.review_after_weeks == 1
    held = plan.item("hyaluronic_acid_injection", "right")
    assert held is not None and held.status == "deferred" and held.reason_code == "suspected_dvt"
    assert any(o.rule == "KNEE_HYALURONIC_ACID" for o in held.other_rules)  # the loser stays
    for action in ("exercise_therapy", "topical_nsaid", "compression_stockings"):
        kept = plan.item(action, "right")  # care that goes on under a suspected thrombosis
        assert kept is not None and kept.status == "recommended", action


def test_unknown_is_never_normal_abi_missing_in_an_at_risk_leg_defers_stockings() -> None:
    plan = evaluate(patient(age=70, legs=[{"side": "right", "veins": {"ceap_c": 2}}]))
    stockings = plan.item("compression_stockings", "right")
    assert stockings is not None and stockings.status == "deferred"
    assert stockings.reason_code == "abi_unknown"
    assert plan.item("abi_measurement", "right") is not None


def test_two_legs_are_two_tracks() -> None:
    plan = evaluate(patient(legs=[
        {"side": "right", "abi": 1.0, "veins": {"ceap_c": 3}},
        {"side": "left", "abi": 1.0, "knee": {"pain_nrs": 2, "kl_grade": 2}},
    ]))
    assert plan.item("compression_stockings", "right") is not None
    assert plan.item("compression_stockings", "left") is None
    assert plan.item("exercise_therapy", "left") is not None
    assert plan.item("exercise_therapy", "right") is None


def test_a_stocking_that_waits_for_its_abi_carries_no_pressure() -> None:
    """The bug that made the rule language three-valued: `not: {abi: {lt: 0.6}}` held when
    the ABI was never measured, so a stocking on hold for its ABI still got 30-40 mmHg."""
    from careflow import evaluate, parse_patient

    plan = evaluate(parse_patient({
        "id": "P-ABI", "assessed_on": "2026-11-20", "age": 60, "sex": "male",
        "lifestyle": {"smoker": True},
        "legs": [{"side": "right", "veins": {"symptoms": ["heaviness"], "ceap_c": 4}}]}))
    stocking = plan.item("compression_stockings", "right")
    assert stocking is not None and stocking.status == "deferred"
    assert "pressure_mmhg" not in stocking.detail
    abi = plan.item("abi_measurement", "right")
    assert abi is not None and abi.status == "recommended"


def test_an_unmeasured_abi_is_unchecked_not_checked_when_no_abi_is_required() -> None:
    from careflow import evaluate, parse_patient

    plan = evaluate(parse_patient({
        "id": "P-YOUNG", "assessed_on": "2026-11-20", "age": 40, "sex": "male",
        "legs": [{"side": "right", "veins": {"symptoms": ["heaviness"], "ceap_c": 2}}]}))
    stocking = plan.item("compression_stockings", "right")
    assert stocking is not None and stocking.status == "recommended"
    assert stocking.detail.get("pressure_mmhg") == "20-30"
    assert "VEIN_STOCKINGS_NOT_WITH_LOW_ABI" in {c.rule for c in stocking.unchecked}
    assert "VEIN_STOCKINGS_NOT_WITH_LOW_ABI" not in {c.rule for c in stocking.checked}


def test_the_headline_reason_follows_the_declared_precedence_not_the_alphabet(
        tmp_path: Path) -> None:
    """Two contraindications at the same priority: pregnancy heads a measurement, and a red
    flag heads pregnancy, whatever the rule ids (docs/plan.md#resolution: red flag >
    pregnancy > allergy > medication > condition > measurement > history > clinic policy)."""
    from careflow import evaluate, load_rulebook, parse_patient

    from .helpers import write_rules

    stock = {"action": "compression_stockings", "status": "contraindicated"}
    book = load_rulebook(write_rules(tmp_path / "r", [
        {"id": "TEST_STOCKINGS", "title": "t", "when": {"veins.ceap_c": {"gte": 2}},
         "claim": {"action": "compression_stockings", "status": "recommended"},
         "evidence": ["EV"]},
        {"id": "TEST_A_LOW_ABI", "title": "t", "when": {"abi": {"lt": 0.6}},
         "claim": {**stock, "reason_code": "low_abi"}, "evidence": ["EV"]},
        {"id": "TEST_B_PREGNANT", "title": "t", "when": {"pregnant": True},
         "claim": {**stock, "reason_code": "pregnancy"}, "evidence": ["EV"]},
        {"id": "TEST_C_FLAG", "title": "t", "when": {"acute_ischemia_signs": True},
         "claim": {**stock, "reason_code": "acute_limb_ischemia"}, "evidence": ["EV"]},
    ]))

    def headline(**leg: object) -> str | None:
        plan = evaluate(parse_patient({
            "id": "P-H", "assessed_on": "2026-11-20", "age": 30, "sex": "female",
            "pregnant": True, "legs": [{"side": "right", "abi": 0.5, "veins": {"ceap_c": 2},
                                        **leg}]}), book)
        item = plan.item("compression_stockings", "right")
        assert item is not None and item.status == "contraindicated"
        return item.reason_code

    assert headline() == "pregnancy"
    assert headline(acute_ischemia_signs=True) == "acute_limb_ischemia"


def test_a_history_reason_heads_a_clinic_policy_reason(tmp_path: Path) -> None:
    """Clinic policy is the last reason in the headline precedence, and it is read exactly: a
    rule that reads the treatment history ("tried without benefit") gives a history reason
    even when its evidence is clinic policy (the repeat-injection policy), and an evidence id
    that merely contains "CLINIC" is not clinic policy; only an entry whose source says so
    is (EvidenceRef.clinic_policy)."""
    from careflow import evaluate, load_rulebook, parse_patient
    from careflow.rulebook.compile import headline_kind

    from .helpers import write_rules

    evidence = {
        "CLINIC_REPEAT": {"source": "clinic policy - the clinic's own choice", "grade": "local",
                   "verification": "U"},
        "CLINICAL_TRIAL": {"source": "a clinical trial", "grade": "RCT", "verification": "U"},
    }
    nsaid = {"action": "topical_nsaid", "status": "not_recommended"}
    book = load_rulebook(write_rules(tmp_path / "r", [
        {"id": "TEST_NSAID", "title": "t", "when": {"knee.pain_nrs": {"gte": 1}},
         "claim": {"action": "topical_nsaid", "status": "recommended"},
         "evidence": ["CLINICAL_TRIAL"]},
        {"id": "TEST_A_POLICY", "title": "t", "when": {"knee.painful": True},
         "claim": {**nsaid, "reason_code": "clinic_choice"}, "evidence": ["CLINIC_REPEAT"]},
        {"id": "TEST_B_TRIED", "title": "t",
         "when": {"history.topical_nsaid.weeks_no_response": {"gte": 12}},
         "claim": {**nsaid, "reason_code": "tried_without_benefit"}, "evidence": ["CLINIC_REPEAT"]},
        {"id": "TEST_C_TRIAL", "title": "t", "when": {"knee.pain_pattern.at_rest": True},
         "claim": {**nsaid, "reason_code": "trial_exclusion"}, "evidence": ["CLINICAL_TRIAL"]},
    ], evidence=evidence))
    kinds = {rid: headline_kind(cr.rule, book.evidence) for rid, cr in book.rules.items()}
    assert kinds["TEST_A_POLICY"] == "clinic_policy"
    assert kinds["TEST_B_TRIED"] == "history"
    assert kinds["TEST_C_TRIAL"] == "other"  # "CLINICAL_TRIAL" contains CLINIC, and is not

    def headline(pattern: list[str], weeks: int) -> str | None:
        plan = evaluate(parse_patient({
            "id": "P-H", "assessed_on": "2026-11-20", "age": 60, "sex": "male",
            "history": [{"treatment": "topical_nsaid", "weeks": weeks, "response": "none"}],
            "legs": [{"side": "right", "knee": {"pain_nrs": 5, "pain_pattern": pattern}}]}),
            book)
        item = plan.item("topical_nsaid", "right")
        assert item is not None and item.status == "not_recommended"
        return item.reason_code

    assert headline([], 16) == "tried_without_benefit"  # history heads clinic policy
    assert headline(["at_rest"], 4) == "trial_exclusion"  # anything else heads it too
    assert headline([], 4) == "clinic_choice"


def test_the_plan_names_careflow_and_the_version_comes_from_the_metadata() -> None:
    from importlib import metadata

    import careflow

    plan = evaluate(read_patient("examples/two-legs.yaml"))
    assert plan.protocol.careflow == careflow.__version__ == metadata.version("careflow")


def test_the_digest_covers_careflows_version_and_vocabulary(monkeypatch: Any) -> None:
    from careflow import load_rulebook
    from careflow.rulebook import compile as comp

    before = load_rulebook().digest
    monkeypatch.setattr(comp, "__version__", "9.9.9")
    assert load_rulebook().digest != before
    monkeypatch.undo()
    monkeypatch.setattr(comp, "vocabulary_digest", lambda: "another vocabulary")
    assert load_rulebook().digest != before


def test_careflow_version_on_the_command_line() -> None:
    from typer.testing import CliRunner

    import careflow
    from careflow.cli import app

    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0 and result.output.strip() == f"careflow {careflow.__version__}"


def test_claimed_reads_the_raw_claim_never_the_resolved_status(tmp_path: Any) -> None:
    """`claimed: {action: X, status: recommended}` holds when a rule claims X recommended,
    even when another rule's contraindication wins the item: the documented semantics."""
    from careflow import load_rulebook, parse_patient

    from .helpers import write_rules

    book = load_rulebook(write_rules(tmp_path / "r", [
        {"id": "TEST_STOCKINGS", "title": "t", "when": {"veins.ceap_c": {"gte": 2}},
         "claim": {"action": "compression_stockings", "status": "recommended"},
         "evidence": ["EV"]},
        {"id": "TEST_BLOCK", "title": "t", "when": {"abi": {"lt": 0.6}},
         "claim": {"action": "compression_stockings", "status": "contraindicated",
                   "reason_code": "low_abi"}, "evidence": ["EV"]},
        {"id": "TEST_READS", "title": "t",
         "when": {"claimed": {"action": "compression_stockings", "status": "recommended"}},
         "claim": {"action": "duplex_ultrasound", "status": "recommended"}},
    ]))
    plan = evaluate(parse_patient({
        "id": "P-C", "assessed_on": "2026-11-20", "age": 60, "sex": "male",
        "legs": [{"side": "right", "abi": 0.5, "veins": {"ceap_c": 2}}]}), book)
    stockings = plan.item("compression_stockings", "right")
    assert stockings is not None and stockings.status == "contraindicated"
    duplex = plan.item("duplex_ultrasound", "right")
    assert duplex is not None and duplex.status == "recommended"


def test_a_call_careflow_cannot_serve_is_a_careflow_error() -> None:
    import pytest

    from careflow import CareflowError, UsageError
    from careflow.export import cds_hooks, fhir, text

    with pytest.raises(UsageError, match=r"takes a careflow\.Patient, not dict"):
        evaluate({"id": "P-1"})  # type: ignore[arg-type]
    plan = evaluate(read_patient("examples/two-legs.yaml"))
    for call in (lambda: cds_hooks.to_cards(plan, "fr"), lambda: text.render(plan, "fr"),
                 lambda: fhir.to_fhir(plan, "fr")):
        with pytest.raises(CareflowError, match="unknown language 'fr': choose en or ja"):
            call()
