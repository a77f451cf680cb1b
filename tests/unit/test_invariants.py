"""Safety invariants over generated valid patients (issue 4, item 3).

Each invariant is computed from the patient document and the contract's numbers, NOT from the
rules, so a rule that drifts from the contract fails here. A failure prints the violations
and the patient as YAML (hypothesis shrinks it first).

By default each property sees CAREFLOW_EXAMPLES patients (300); the `slow` run sees
CAREFLOW_SLOW_EXAMPLES (5000): `python -m pytest -m slow tests/unit/test_invariants.py`.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given

from careflow import evaluate, parse_patient
from careflow import vocabulary as v
from careflow.model import Leg, Patient
from careflow.plan import Item, Plan
from careflow.rulebook import default_rulebook

from .gen_patients import SLOW_EXAMPLES, as_yaml, examples, patients, require_slow

OFFERED = ("recommended", "option")
ENDOVENOUS = ("endovenous_thermal_ablation", "cyanoacrylate_closure")
KNEE_INJECTIONS = ("hyaluronic_acid_injection", "steroid_injection")
# docs/protocol.md#safety: these leg flags also hold the invasive items of every leg
SPREADING_FLAGS = ("suspected_dvt", "septic_arthritis", "acute_limb_ischemia")


def leg_flags(p: Patient, leg: Leg) -> set[str]:
    """Contract 4.0, from the document: the red flags of one leg."""
    flags = set()
    duplex = leg.veins.duplex if leg.veins else None
    if (duplex is not None and duplex.dvt) or (leg.wells_score or -99) >= 2:
        flags.add("suspected_dvt")
    if leg.acute_ischemia_signs:
        flags.add("acute_limb_ischemia")
    if leg.knee and leg.knee.hot_swollen_joint:
        flags.add("septic_arthritis")
    if leg.knee and leg.knee.recent_trauma and (p.age >= 55 or leg.knee.cannot_bear_weight):
        flags.add("possible_fracture")
    if leg.veins and leg.veins.bleeding:
        flags.add("bleeding_varicose_vein")
    return flags


def patient_flags(p: Patient) -> set[str]:
    return {c for c in ("sepsis", "suspected_malignancy") if c in p.conditions}


def significant_reflux(leg: Leg) -> bool:
    duplex = leg.veins.duplex if leg.veins else None
    return duplex is not None and any(
        x is not None and x > 500 for x in (duplex.gsv_reflux_ms, duplex.ssv_reflux_ms))


def violations(p: Patient, plan: Plan) -> list[str]:
    out: list[str] = []
    book = default_rulebook()
    flags = {leg.side: leg_flags(p, leg) for leg in p.legs}
    any_leg_flag = any(flags.values())
    spreading = any(f & set(SPREADING_FLAGS) for f in flags.values())
    pflags = patient_flags(p)
    offered = [i for i in plan.items if i.status in OFFERED]
    pregnancy_unknown = p.sex == "female" and 12 <= p.age <= 55 and p.pregnant is None

    def bad(item: Item, why: str) -> None:
        out.append(f"{item.action} ({item.side}) is {item.status}: {why} [rule {item.rule}]")

    # every item: one per (action, side), a rule, reasons, evidence where it must
    keys = [(i.action, i.side) for i in plan.items]
    if len(keys) != len(set(keys)):
        out.append(f"more than one item for {sorted(k for k in keys if keys.count(k) > 1)}")
    for item in plan.items:
        if item.rule not in book.rules:
            bad(item, f"made by unknown rule {item.rule!r}")
        if not item.reasons or not all(r.fact for r in item.reasons):
            bad(item, "has no reason")
        if item.kind in ("treatment", "referral") and not item.evidence:
            bad(item, "has no evidence")
        claims = [c for c in item.other_rules if c.effect == "claim" and c.status]
        if any(c.status == "contraindicated" for c in claims) and \
                item.status != "contraindicated":
            bad(item, "another rule contraindicates it, and contraindicated is strongest")
        if any(c.status == "deferred" for c in claims) and \
                item.status not in ("contraindicated", "deferred"):
            bad(item, "another rule defers it, and deferred outranks it")

    # the safety gate (docs/protocol.md#safety)
    for item in offered:
        if item.kind != "treatment":
            continue
        if pflags:
            bad(item, f"patient red flag {sorted(pflags)}")
        if item.side is not None and flags.get(item.side):
            bad(item, f"red flag on that leg {sorted(flags[item.side])}")
        if item.side is None and any_leg_flag:
            bad(item, "a leg has a red flag and whole-patient treatment waits")
        if v.ACTIONS[item.action].invasive and spreading:
            bad(item, "an invasive item while a leg has suspected DVT, septic arthritis or "
                      "acute ischaemia")
    for side, found in flags.items():
        for flag in found:
            referral = plan.item("referral", side)
            codes = {referral.reason_code} | {c.reason_code for c in referral.other_rules} \
                if referral else set()
            if referral is None or referral.status != "recommended" or flag not in codes:
                out.append(f"red flag {flag} on the {side} leg has no recommended referral")
    for flag in pflags:
        referral = plan.item("referral", None)
        codes = {referral.reason_code} | {c.reason_code for c in referral.other_rules} \
            if referral else set()
        if referral is None or flag not in codes:
            out.append(f"patient red flag {flag} has no referral")

    # endovenous treatment (docs/protocol.md#endovenous, #assessment)
    for item in offered:
        if item.action not in ENDOVENOUS:
            continue
        leg = p.leg(item.side or "")
        if leg is None:
            bad(item, "not on a leg")
            continue
        if not significant_reflux(leg):
            bad(item, "no significant superficial reflux (> 500 ms)")
        if not (leg.veins and (leg.veins.symptoms or (leg.veins.ceap_c or 0) >= 2)):
            bad(item, "no vein symptom and CEAP below 2")
        if p.pregnant:
            bad(item, "pregnancy")
        if pregnancy_unknown:
            bad(item, "a woman of 12-55 whose pregnancy is unknown")
        if "dvt_history" in p.conditions:
            bad(item, "DVT history")
        duplex = leg.veins.duplex if leg.veins else None
        if duplex is not None and duplex.dvt:
            bad(item, "DVT on this leg's duplex")
        if any(e.treatment in ENDOVENOUS and e.side in (None, leg.side) for e in p.history):
            bad(item, "the leg was already treated")
        if "peripheral_arterial_disease" in p.conditions or (
                leg.abi is not None and leg.abi < 0.8):
            bad(item, "arterial disease (ABI < 0.8 or known PAD)")

    # stockings (docs/protocol.md#stockings)
    for item in offered:
        if item.action != "compression_stockings":
            continue
        leg = p.leg(item.side or "")
        if leg is None:
            bad(item, "not on a leg")
            continue
        if leg.abi is not None and leg.abi < 0.6:
            bad(item, f"ABI {leg.abi} is below the absolute threshold 0.6")
        if leg.acute_ischemia_signs:
            bad(item, "acute ischaemia signs")
        for code in ("heart_failure", "severe_neuropathy", "skin_infection"):
            if code in p.conditions:
                bad(item, code)
        if "stocking_material" in p.allergies:
            bad(item, "stocking material allergy")

    # knee injections (docs/protocol.md#knee)
    for item in offered:
        if item.action in KNEE_INJECTIONS:
            for code in ("active_infection", "skin_infection", "sepsis", "bleeding_disorder"):
                if code in p.conditions:
                    bad(item, code)

    # self-pay (docs/protocol.md#self-pay, docs/plan.md#disclosures)
    for item in plan.items:
        if item.phase != "self_pay":
            continue
        if not p.preferences.accepts_self_pay:
            bad(item, "a self-pay item for a patient who does not accept self-pay care")
        if item.coverage != "self_pay":
            bad(item, f"a self-pay item with coverage {item.coverage}")
        if not {"self_pay_cost", "main_risks"} <= set(item.disclosures):
            bad(item, f"a self-pay item without the required disclosures {item.disclosures}")
    for item in offered:
        if item.phase == "self_pay" and p.pregnant:
            bad(item, "a self-pay treatment in pregnancy")
        if item.phase == "self_pay" and pregnancy_unknown:
            bad(item, "a self-pay treatment while pregnancy is unknown")
        if item.action == "intra_arterial_injection":
            leg = p.leg(item.side or "")
            for code in ("rheumatoid_arthritis", "active_infection", "malignancy",
                         "bleeding_disorder", "peripheral_arterial_disease"):
                if code in p.conditions:
                    bad(item, code)
            if "contrast_media" in p.allergies:
                bad(item, "contrast media allergy")
            if p.egfr is not None and p.egfr < 45:
                bad(item, f"eGFR {p.egfr} < 45")
            if leg is not None and leg.abi is not None and leg.abi < 0.8:
                bad(item, f"ABI {leg.abi} < 0.8")
            if leg is not None and leg.knee and leg.knee.prior_arthroplasty:
                bad(item, "an artificial knee")
        if item.action == "medical_diet":
            for code in ("type1_diabetes", "medullary_thyroid_cancer_or_men2",
                         "pancreatitis_history"):
                if code in p.conditions:
                    bad(item, code)
    return out


def check(doc: dict[str, Any]) -> None:
    patient = parse_patient(doc)
    plan = evaluate(patient)
    problems = violations(patient, plan)
    assert not problems, ("safety invariant broken:\n  " + "\n  ".join(problems)
                          + "\n\npatient:\n" + as_yaml(doc))


@examples()
@given(doc=patients())
def test_safety_invariants_hold(doc: dict[str, Any]) -> None:
    check(doc)


@examples(SLOW_EXAMPLES)
@given(doc=patients())
def _thousands(doc: dict[str, Any]) -> None:
    check(doc)


@pytest.mark.slow
def test_safety_invariants_hold_over_thousands(request: Any) -> None:
    require_slow(request)
    _thousands()


def test_the_checker_catches_a_broken_plan() -> None:
    """The invariants are not vacuous: a plan that offers stockings on a leg with an ABI of
    0.5 and a red flag is caught twice, and the message carries the patient."""
    doc = {"id": "P-CHECK", "assessed_on": "2026-11-20", "age": 60, "sex": "male",
           "legs": [{"side": "right", "abi": 0.5, "wells_score": 3, "veins": {"ceap_c": 3}}]}
    patient = parse_patient(doc)
    plan = evaluate(patient)
    item = plan.item("compression_stockings", "right")
    assert item is not None and item.status in ("contraindicated", "deferred")
    forged = plan.model_copy(update={"items": tuple(
        i.model_copy(update={"status": "recommended"}) if i is item else i
        for i in plan.items)})
    found = violations(patient, forged)
    assert any("below the absolute threshold 0.6" in x for x in found)
    assert any("red flag on that leg" in x for x in found)
    with pytest.raises(AssertionError, match="P-CHECK"):
        problems = violations(patient, forged)
        assert not problems, as_yaml(doc)


# --- an unknown is never normal -----------------------------------------------------------
def _unknown_support(doc: dict[str, Any]) -> list[str]:
    """Every item that is recommended, an option or annotated, traced to the tests that made
    its rules fire (through every derived fact): a test may rest on an unknown value only
    when it asked for one on purpose (`known: false`, or `unless:`, which shows no value)."""
    from careflow.evaluate import Explainer, run_engine

    book = default_rulebook()
    patient = parse_patient(doc)
    trace = run_engine(book, patient)
    explain = Explainer(trace)
    plan = evaluate(patient, book)
    offered = {(i.action, i.side) for i in plan.items if i.status in ("recommended", "option")}
    wrong = []
    for rule_id, by_entity in trace.true.items():
        rule = book.rules[rule_id].rule
        for e in by_entity:
            ent = trace.entities[e]
            for out in rule.outputs:
                side = None if out.side == "patient" or ent.kind == "patient" else ent.side
                if out.effect == "derive" or (out.action, side) not in offered:
                    continue
                if out.effect == "claim" and out.status not in ("recommended", "option"):
                    continue
                for fact, value, _via, test in explain.rule(rule_id, e):
                    if value is None and (isinstance(test, str) or test.op != "unknown"):
                        wrong.append(f"{rule_id} on {ent.side or 'patient'}: {fact} unknown")
    return wrong


@examples()
@given(doc=patients())
def test_no_item_is_offered_or_annotated_on_an_unknown_value(doc: dict[str, Any]) -> None:
    assert not _unknown_support(doc), as_yaml(doc)


def test_the_unknown_support_checker_sees_a_known_false_test() -> None:
    """A painful knee without an X-ray: the X-ray rule fires on `known: false` on purpose,
    and that is allowed; the checker looks at those tests (it is not vacuous)."""
    from careflow.evaluate import Explainer, run_engine

    doc = {"id": "P-U", "assessed_on": "2026-11-20", "age": 60, "sex": "male",
           "legs": [{"side": "right", "knee": {"pain_nrs": 6}}]}
    assert not _unknown_support(doc)
    trace = run_engine(default_rulebook(), parse_patient(doc))
    raws = Explainer(trace).rule("ASSESS_KNEE_XRAY_NO_GRADE", 1)
    assert any(value is None and not isinstance(test, str) and test.op == "unknown"
               for _f, value, _v, test in raws)
