"""Safety invariants over generated valid patients (issue 4, item 3).

Each invariant is computed from the patient document and the protocol's numbers as
docs/protocol.md states them, NOT from the rules, so a rule that drifts from the protocol fails
here. A failure prints the violations
and the patient as YAML (hypothesis shrinks it first).

By default each property sees CAREFLOW_EXAMPLES patients (300); the `slow` run sees
CAREFLOW_SLOW_EXAMPLES (5000): `python -m pytest -m slow tests/unit/test_invariants.py`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given

from careflow import evaluate, parse_patient
from careflow import vocabulary as v
from careflow.model import Leg, Patient
from careflow.plan import Item, Plan
from careflow.rulebook import default_rulebook

from .gen_patients import SLOW_EXAMPLES, as_yaml, examples, patients, require_slow

OFFERED = ("recommended", "option", "next_step")  # what a hold must turn into deferred
NOW = ("recommended", "option")
ENDOVENOUS = ("endovenous_thermal_ablation", "cyanoacrylate_closure")
KNEE_INJECTIONS = ("hyaluronic_acid_injection", "steroid_injection")
INVASIVE = ENDOVENOUS + KNEE_INJECTIONS + ("intra_arterial_injection", "exosome_injection")
ENDOVASCULAR = (*ENDOVENOUS, "intra_arterial_injection")
# docs/protocol.md#safety: these leg flags also hold the endovascular items of every leg
SPREADING_FLAGS = ("suspected_dvt", "deep_vein_thrombosis", "septic_arthritis",
                   "acute_limb_ischemia")
URGENT = ("emergency", "urgent")


def has(answer: tuple[str, ...] | None, code: str) -> bool:
    """A code in an asked list (a list not asked holds no code)."""
    return answer is not None and code in answer


def days_since(p: Patient, day: dt.date | None) -> int | None:
    return None if day is None else (p.assessed_on - day).days


def arterial_disease(p: Patient, leg: Leg) -> bool:
    return (has(p.conditions, "peripheral_arterial_disease")
            or (leg.abi is not None and leg.abi <= 0.9)
            or (leg.abi is not None and leg.abi > 1.4 and leg.toe_pressure_mmhg is not None
                and leg.toe_pressure_mmhg < 50))


def arterial_status_unknown(leg: Leg) -> bool:
    return leg.abi is None or (leg.abi > 1.4 and leg.toe_pressure_mmhg is None)


def leg_flags(p: Patient, leg: Leg) -> set[str]:
    """The red flags of one leg (docs/protocol.md#safety), read from the document."""
    flags = set()
    duplex = leg.veins.duplex if leg.veins else None
    age = days_since(p, duplex.performed_on) if duplex else None
    recent = age is not None and 0 <= age <= 7
    if (leg.wells_score is not None and leg.wells_score >= 2) and not (
            recent and duplex is not None and duplex.dvt is not None):
        flags.add("suspected_dvt")
    if duplex is not None and duplex.dvt and (age is None or age <= 90):
        flags.add("deep_vein_thrombosis")
    if leg.acute_ischemia_signs:
        flags.add("acute_limb_ischemia")
    ulcer = leg.veins is not None and (leg.veins.ceap_c or 0) >= 6
    threat = leg.ischemic_rest_pain or leg.arterial_ulcer_or_gangrene or (ulcer and (
        (leg.abi is not None and leg.abi < 0.8)
        or (leg.toe_pressure_mmhg is not None and leg.toe_pressure_mmhg < 50)))
    if (threat and arterial_disease(p, leg)) or (
            (leg.ischemic_rest_pain or leg.arterial_ulcer_or_gangrene)
            and arterial_status_unknown(leg)):
        flags.add("critical_limb_ischemia")
    knee = leg.knee
    if knee and knee.hot_swollen_joint and not knee.septic_arthritis_excluded:
        flags.add("septic_arthritis")
    if knee and knee.recent_trauma and not knee.fracture_excluded and (
            knee.ottawa_positive is not False or p.age >= 55 or knee.cannot_bear_weight):
        flags.add("possible_fracture")
    return flags


def patient_flags(p: Patient) -> set[str]:
    return {c for c in ("sepsis", "suspected_malignancy") if has(p.conditions, c)}


def refluxing_untreated(p: Patient, leg: Leg) -> list[str]:
    """The trunks with reflux over 500 ms that no endovenous entry of this leg treated."""
    duplex = leg.veins.duplex if leg.veins else None
    if duplex is None:
        return []
    out = []
    for vein in v.VEINS:
        reflux = getattr(duplex, f"{vein}_reflux_ms")
        treated = any(e.treatment in ENDOVENOUS and e.side in (None, leg.side)
                      and e.vein in (None, vein) for e in p.history)
        if reflux is not None and reflux > 500 and not treated:
            out.append(vein)
    return out


def violations(p: Patient, plan: Plan) -> list[str]:
    out: list[str] = []
    book = default_rulebook()
    flags = {leg.side: leg_flags(p, leg) for leg in p.legs}
    any_leg_flag = any(flags.values())
    spreading = any(f & set(SPREADING_FLAGS) for f in flags.values())
    pflags = patient_flags(p)
    offered = [i for i in plan.items if i.status in OFFERED]
    pregnancy_unknown = p.sex == "female" and 12 <= p.age <= 55 and p.pregnant is None
    cond = p.conditions

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
                item.status not in ("contraindicated", "not_recommended", "deferred"):
            bad(item, "another rule defers it, and deferred outranks it")
        # 禁忌 is a safety block, never "it did not help" or clinic policy
        if item.status == "contraindicated" and item.reason_code in (
                "tried_without_benefit", "not_tolerated", "low_expected_benefit",
                "veins_first", "sarcopenia_risk", "insured_route_available"):
            bad(item, f"contraindicated for {item.reason_code}")
        if item.action in v.NEVER_HELD and item.status == "deferred" and (
                item.reason_code in v.RED_FLAGS or item.reason_code in (
                    "conditions_not_recorded", "allergies_not_recorded",
                    "medications_not_recorded")):
            bad(item, "care that must go on was held")

    # the safety gate (docs/protocol.md#safety)
    for item in offered:
        if item.action in (*INVASIVE, "medical_diet") and pflags:
            bad(item, f"patient red flag {sorted(pflags)}")
        if item.phase == "self_pay" and pflags:
            bad(item, f"a self-pay item under {sorted(pflags)}")
        leg_flag = flags.get(item.side, set()) if item.side else set()
        if item.action in INVASIVE and leg_flag:
            bad(item, f"red flag on that leg {sorted(leg_flag)}")
        if item.action == "medical_diet" and any_leg_flag:
            bad(item, "a leg has a red flag and the medical diet waits")
        if item.action in ENDOVASCULAR and spreading:
            bad(item, "an endovascular item while a leg has DVT, suspected DVT, septic "
                      "arthritis or acute ischaemia")
        if item.action == "exercise_therapy" and leg_flag & {"septic_arthritis",
                                                            "possible_fracture"}:
            bad(item, f"exercise of a knee under {sorted(leg_flag)}")
        if item.action == "compression_stockings" and (
                leg_flag & {"acute_limb_ischemia", "critical_limb_ischemia"} or (
                    "deep_vein_thrombosis" in leg_flag
                    and not has(p.medications, "anticoagulant"))):
            bad(item, f"stockings under {sorted(leg_flag)}")
    for side, found in flags.items():
        want = {"suspected_dvt": ("duplex_ultrasound", "urgent"),
                "deep_vein_thrombosis": ("anticoagulation", "urgent"),
                "acute_limb_ischemia": ("referral", "emergency"),
                "septic_arthritis": ("referral", "emergency"),
                "possible_fracture": ("knee_xray", "urgent")}
        for flag in found:
            if flag == "critical_limb_ischemia":
                leg = p.leg(side)
                assert leg is not None
                action = "referral" if not arterial_status_unknown(leg) else (
                    "abi_measurement" if leg.abi is None else "toe_pressure")
                if arterial_status_unknown(leg) and arterial_disease(p, leg):
                    action = "referral"
                urgency = "urgent"
            else:
                action, urgency = want[flag]
            answer = plan.item(action, side)
            rank = {"emergency": 0, "urgent": 1, "routine": 2, None: 3}
            if answer is None or answer.status != "recommended" or \
                    rank[answer.urgency] > rank[urgency]:
                out.append(f"red flag {flag} on the {side} leg has no {urgency} {action}")
    for flag in pflags:
        referral = plan.item("referral", None)
        codes = {referral.reason_code} | {c.reason_code for c in referral.other_rules} \
            if referral else set()
        if referral is None or flag not in codes:
            out.append(f"patient red flag {flag} has no referral")
    urgent_now = any(i.urgency in URGENT and i.status in OFFERED for i in plan.items)
    if urgent_now and plan.review_after_weeks != 1:
        out.append(f"an urgent item, and the review is after {plan.review_after_weeks} weeks")

    # questions not asked (docs/patient.md#asked)
    for item in offered:
        if cond is None and (item.action in INVASIVE or item.action == "medical_diet"):
            bad(item, "the conditions were not asked")
        if p.allergies is None and item.action in ENDOVASCULAR:
            bad(item, "the allergies were not asked")
        if p.medications is None and item.action == "intra_arterial_injection":
            bad(item, "the medications were not asked")
    asked = tuple(q for q in v.QUESTIONS if getattr(p, q) is None)
    if plan.questions_open != asked:
        out.append(f"questions open {plan.questions_open}, expected {asked}")

    # endovenous treatment (docs/protocol.md#endovenous, #assessment)
    for item in offered:
        if item.action not in ENDOVENOUS:
            continue
        leg = p.leg(item.side or "")
        if leg is None:
            bad(item, "not on a leg")
            continue
        trunks = refluxing_untreated(p, leg)
        if not trunks:
            bad(item, "no significant reflux in an untreated trunk (> 500 ms)")
        elif item.detail.get("target_veins") != trunks:
            bad(item, f"target veins {item.detail.get('target_veins')}, expected {trunks}")
        if not (leg.veins and (leg.veins.symptoms or (leg.veins.ceap_c or 0) >= 2)):
            bad(item, "no vein symptom and CEAP below 2")
        if p.pregnant:
            bad(item, "pregnancy")
        if pregnancy_unknown:
            bad(item, "a woman of 12-55 whose pregnancy is unknown")
        if "deep_vein_thrombosis" in flags[leg.side]:
            bad(item, "an acute DVT on this leg")
        if has(cond, "active_infection"):
            bad(item, "active infection")
        if has(cond, "peripheral_arterial_disease") or (
                leg.abi is not None and leg.abi < 0.8) or (
                leg.toe_pressure_mmhg is not None and leg.toe_pressure_mmhg < 50):
            bad(item, "arterial disease (ABI < 0.8, toe pressure < 50 or known PAD)")
        if item.action == "cyanoacrylate_closure":
            if has(p.allergies, "cyanoacrylate") or has(cond, "sepsis"):
                bad(item, "a glue contraindication")
            duplex = leg.veins.duplex if leg.veins else None
            for vein in trunks:
                width = getattr(duplex, f"{vein}_diameter_mm")
                if width is None or width > 12:
                    bad(item, f"the {vein} diameter is {width}")
        if item.action == "endovenous_thermal_ablation" and has(p.allergies,
                                                                "local_anaesthetic"):
            bad(item, "a local-anaesthetic allergy")
        if item.status == "recommended" and not (
                (leg.veins and (leg.veins.ceap_c or 0) >= 3) or (leg.veins and leg.veins.bleeding)
                or any(e.treatment == "compression_stockings" and e.side in (None, leg.side)
                       and e.weeks >= 12 and e.response != "good" for e in p.history)):
            bad(item, "recommended without C3, failed stockings or a bleed")

    # stockings (docs/protocol.md#stockings)
    for item in plan.items:
        if item.action != "compression_stockings":
            continue
        pressure = item.detail.get("pressure_mmhg")
        if (item.status in NOW) != (pressure is not None):
            bad(item, f"pressure {pressure!r}: exactly one for a stocking offered now, "
                      "none otherwise")
        if item.status not in OFFERED:
            continue
        leg = p.leg(item.side or "")
        if leg is None:
            bad(item, "not on a leg")
            continue
        if leg.abi is not None and leg.abi < 0.6:
            bad(item, f"ABI {leg.abi} is below the absolute threshold 0.6")
        if leg.toe_pressure_mmhg is not None and leg.toe_pressure_mmhg < 30:
            bad(item, f"toe pressure {leg.toe_pressure_mmhg} is below 30")
        if leg.acute_ischemia_signs:
            bad(item, "acute ischaemia signs")
        for code in ("severe_heart_failure", "severe_neuropathy", "skin_infection"):
            if has(cond, code):
                bad(item, code)
        if has(p.allergies, "stocking_material"):
            bad(item, "stocking material allergy")
        at_risk = p.age >= 65 or has(cond, "diabetes") or has(cond, "type1_diabetes") or \
            p.lifestyle.smoker or has(cond, "peripheral_arterial_disease")
        ulcer = (leg.veins is not None and (leg.veins.ceap_c or 0) >= 5) or \
            leg.arterial_ulcer_or_gangrene
        if leg.abi is None and (at_risk or ulcer):
            bad(item, "no ABI in an at-risk or ulcerated leg")
        if leg.abi is not None and leg.abi > 1.4 and leg.toe_pressure_mmhg is None:
            bad(item, "non-compressible arteries without a toe pressure")
        reduced = (leg.abi is not None and 0.6 <= leg.abi < 0.8) or (
            leg.toe_pressure_mmhg is not None and 30 <= leg.toe_pressure_mmhg < 50)
        if item.status in NOW and reduced and pressure != "<=20":
            bad(item, f"pressure {pressure} where it must be reduced")

    # knee (docs/protocol.md#knee)
    for item in offered:
        if item.action in KNEE_INJECTIONS:
            for code in ("active_infection", "skin_infection", "sepsis"):
                if has(cond, code):
                    bad(item, code)
        if item.action == "topical_nsaid" and p.pregnant:
            bad(item, "a topical NSAID in pregnancy")
        if item.action == "oral_analgesic" and (
                p.pregnant or has(cond, "dialysis") or has(cond, "severe_heart_failure")
                or (p.egfr is not None and p.egfr < 30)) and \
                item.detail.get("agent") != "acetaminophen_only":
            bad(item, "an oral NSAID where it is contraindicated")

    # self-pay (docs/protocol.md#self-pay, docs/plan.md#disclosures)
    for item in plan.items:
        if item.phase != "self_pay":
            continue
        if not p.preferences.accepts_self_pay:
            bad(item, "a self-pay item for a patient who does not accept self-pay care")
        if item.coverage != "self_pay":
            bad(item, f"a self-pay item with coverage {item.coverage}")
        need = set(v.SELF_PAY_DISCLOSURES) | set(v.ACTIONS[item.action].disclosures)
        if not need <= set(item.disclosures):
            bad(item, f"a self-pay item without the required disclosures {item.disclosures}")
    for item in offered:
        if item.phase == "self_pay" and p.pregnant:
            bad(item, "a self-pay treatment in pregnancy")
        if item.phase == "self_pay" and pregnancy_unknown:
            bad(item, "a self-pay treatment while pregnancy is unknown")
        leg = p.leg(item.side or "")
        if item.action in ("intra_arterial_injection", "exosome_injection"):
            if leg is None or leg.knee is None or leg.knee.pain_nrs < 4:
                bad(item, "a self-pay knee item without knee pain of 4 or more")
            elif leg.knee.kl_grade not in (1, 2, 3):
                bad(item, f"a self-pay knee item at KL {leg.knee.kl_grade}")
            if any(leg.veins and (leg.veins.ceap_c or 0) >= 6 for leg in p.legs):
                bad(item, "a self-pay knee item beside an active ulcer")
        if item.action == "intra_arterial_injection":
            for code in ("rheumatoid_arthritis", "active_infection", "malignancy",
                         "bleeding_disorder", "peripheral_arterial_disease",
                         "severe_thyroid_disease"):
                if has(cond, code):
                    bad(item, code)
            if has(p.allergies, "contrast_media"):
                bad(item, "contrast media allergy")
            if item.status in NOW and (p.egfr is None or p.egfr < 45):
                bad(item, f"offered now with eGFR {p.egfr}")
            if leg is not None and leg.abi is not None and leg.abi < 0.8:
                bad(item, f"ABI {leg.abi} < 0.8")
            if leg is not None and leg.knee and leg.knee.prior_arthroplasty:
                bad(item, "an artificial knee")
            microspheres = has(p.allergies, "imipenem") or has(p.medications, "valproate")
            agent = "microspheres" if microspheres else "imipenem_cilastatin"
            if item.detail.get("agent") != agent:
                bad(item, f"agent {item.detail.get('agent')}, expected {agent}")
        if item.action == "medical_diet":
            if p.bmi is None or p.bmi < 25:
                bad(item, f"a medical diet at BMI {p.bmi}")
            if p.age >= 75 or has(cond, "frailty") or has(cond, "eating_disorder") or \
                    has(cond, "breastfeeding"):
                bad(item, "a medical diet that is not advised")
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
           "conditions": [], "allergies": [], "medications": [],
           "legs": [{"side": "right", "abi": 0.5, "acute_ischemia_signs": True,
                     "veins": {"ceap_c": 3}}]}
    patient = parse_patient(doc)
    plan = evaluate(patient)
    item = plan.item("compression_stockings", "right")
    assert item is not None and item.status in ("contraindicated", "deferred")
    forged = plan.model_copy(update={"items": tuple(
        i.model_copy(update={"status": "recommended"}) if i is item else i
        for i in plan.items)})
    found = violations(patient, forged)
    assert any("below the absolute threshold 0.6" in x for x in found)
    assert any("stockings under ['acute_limb_ischemia']" in x for x in found)
    problems = violations(patient, forged)
    with pytest.raises(AssertionError, match="P-CHECK"):
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
