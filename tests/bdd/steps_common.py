"""Step definitions shared by every feature. Steps speak clinical language; the glossary
maps it to the patient document and the plan."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pytest_bdd import given, parsers, then, when

from careflow import labels, parse_patient
from careflow.evaluate import build_plan, run_engine
from careflow.plan import Item
from careflow.rulebook import default_rulebook

from . import glossary as g

PRONOUN = r"(?:she|he|the patient)"
POSSESSIVE = r"(?:her|his|the patient's|the)"


class World:
    """One scenario's patient, plan and the rules that fired."""

    def __init__(self) -> None:
        self.doc: dict[str, Any] = {}
        self.plan: Any = None
        self.fired: set[str] = set()
        self.item: Item | None = None
        self.overrides: dict[str, Any] = {}

    def leg(self, side: str) -> dict[str, Any]:
        for leg in self.doc["legs"]:
            if leg["side"] == side:
                return leg
        leg = {"side": side}
        self.doc["legs"].append(leg)
        return leg


def _set(target: dict[str, Any], path: str, value: Any) -> None:
    *parents, last = path.split(".")
    for part in parents:
        target = target.setdefault(part, {})
    if value is None:
        target.pop(last, None)
    else:
        target[last] = value


# --- Given ------------------------------------------------------------------------------
@given(parsers.re(r"a (?P<age>\d+)-year-old (?P<who>woman|man)"), target_fixture="world")
def a_patient(age: str, who: str) -> World:
    world = World()
    world.doc = {"id": "P-SCENARIO", "assessed_on": dt.date(2026, 11, 20).isoformat(),
                 "age": int(age), "sex": "female" if who == "woman" else "male", "legs": []}
    return world


@given(parsers.re(POSSESSIVE + r" (?P<side>right|left) leg shows:"))
def leg_shows(world: World, side: str, datatable: list[list[str]]) -> None:
    leg = world.leg(side)
    for row in datatable:
        label, value = row[0].strip(), row[1]
        path, kind = g.lookup(g.LEG_ROWS, label, "leg finding")
        _set(leg, path, g.convert(kind, value))


@given(parsers.re(POSSESSIVE + r" (?P<side>right|left) leg is examined"))
def leg_examined(world: World, side: str) -> None:
    world.leg(side)


@given(parsers.re(PRONOUN + r" (?:is|has):$"))
def patient_has_table(world: World, datatable: list[list[str]]) -> None:
    for row in datatable:
        label, value = row[0].strip(), row[1]
        path, kind = g.lookup(g.PATIENT_ROWS, label, "patient finding")
        converted = g.convert(kind, value)
        if kind == "bmi":
            # a BMI is given through height 200 cm: weight = BMI x 4 exactly
            world.doc["height_cm"] = 200.0
            world.doc["weight_kg"] = None if converted is None else round(converted * 4, 3)
            continue
        _set(world.doc, path, converted)


@given(parsers.re(PRONOUN + r" has (?P<condition>(?!:).+)$"))
def patient_condition(world: World, condition: str) -> None:
    world.doc.setdefault("conditions", []).append(
        g.lookup(g.CONDITIONS, condition, "condition"))


@given(parsers.re(PRONOUN + r" is allergic to (?P<allergen>.+)$"))
def patient_allergy(world: World, allergen: str) -> None:
    world.doc.setdefault("allergies", []).append(g.lookup(g.ALLERGIES, allergen, "allergen"))


@given(parsers.re(PRONOUN + r" (?P<what>accepts self-pay treatment|wants further improvement|"
                  r"prefers treatment without heat)$"))
def patient_preference(world: World, what: str) -> None:
    path, _ = g.PATIENT_ROWS[what]
    _set(world.doc, path, True)


@given(parsers.re(PRONOUN + r" had (?P<treatment>.+?) (?:on|in) the (?P<side>right|left|both) "
                  r"(?:leg|knee|legs|knees) for (?P<weeks>\d+) weeks with "
                  r"(?P<response>no response|a partial response|a good response)$"))
@given(parsers.re(PRONOUN + r" had (?P<treatment>.+?) (?:on|in) the (?P<side>right|left|both) "
                  r"(?:leg|knee|legs|knees) for (?P<weeks>\d+) weeks and "
                  r"(?P<response>it was not tolerated)$"))
def patient_history(world: World, treatment: str, side: str, weeks: str, response: str) -> None:
    entry: dict[str, Any] = {
        "treatment": g.lookup(g.TREATMENTS, treatment, "treatment"),
        "weeks": int(weeks), "response": g.RESPONSES[response]}
    if side != "both":
        entry["side"] = side
    world.doc.setdefault("history", []).append(entry)


@given(parsers.re(r"the clinic sets (?P<name>[a-z0-9_ ]+?) to (?P<value>[0-9.]+)$"))
def clinic_parameter(world: World, name: str, value: str) -> None:
    world.overrides[name.replace(" ", "_")] = float(value) if "." in value else int(value)


# --- When -------------------------------------------------------------------------------
@when("the plan is made")
def make_plan(world: World) -> None:
    from careflow.rulebook import load_rulebook

    patient = parse_patient(world.doc)
    book = load_rulebook(overrides=world.overrides) if world.overrides else default_rulebook()
    run = run_engine(book, patient)
    world.plan = build_plan(book, patient, run)
    world.fired = run.rules_fired()


# --- Then -------------------------------------------------------------------------------
def _side(text: str) -> str | None:
    return None if text in ("patient", "the patient", "whole patient") else text


def _item(world: World, action: str, side: str | None) -> Item | None:
    return world.plan.item(action, side)


def _describe(world: World) -> str:
    return "\n".join(f"  {i.action} [{i.side}] {i.status} ({i.rule}, {i.reason_code})"
                     for i in world.plan.items)


FOR = r" for (?:the )?(?P<side>right leg|left leg|patient)"


def _side_of(text: str) -> str | None:
    return _side(text.replace(" leg", ""))


@then(parsers.re(r"(?P<action>.+?) (?:is|are) (?P<status>recommended|an option|contraindicated|"
                 r"deferred|the next step|a next step)" + FOR
                 + r"(?: because of (?P<reason>.+))?$"))
def item_has_status(world: World, action: str, status: str, side: str,
                    reason: str | None) -> None:
    code, where = g.action_code(action), _side_of(side)
    item = _item(world, code, where)
    assert item is not None, f"no {code} for {where}; the plan has:\n{_describe(world)}"
    expected = g.STATUS_WORDS[status]
    assert item.status == expected, (
        f"{code} for {where} is {item.status} (rule {item.rule}, {item.reason_code}), "
        f"not {expected}")
    if reason is not None:
        assert item.reason_code == g.reason_code(reason), (
            f"{code} is {item.status} because of {item.reason_code}, not {reason}")
    assert item.reasons, f"{code} has no reasons"
    world.item = item


@then(parsers.re(r"(?P<action>.+?) (?:is|are) not (?:offered|in the plan)" + FOR + "$"))
def item_absent(world: World, action: str, side: str) -> None:
    code, where = g.action_code(action), _side_of(side)
    item = _item(world, code, where)
    assert item is None, f"{code} for {where} is in the plan as {item.status} ({item.rule})"


@then(parsers.re(r"no treatment is recommended or offered" + FOR + "$"))
def no_elective_treatment(world: World, side: str) -> None:
    where = _side_of(side)
    offered = [i for i in world.plan.items if i.side == where and i.kind == "treatment"
               and i.status in ("recommended", "option")]
    assert not offered, f"offered under a red flag: {[(i.action, i.status) for i in offered]}"


@then(parsers.re(r"a referral for (?P<reason>.+?) is recommended (?P<urgency>as an emergency|"
                 r"urgently|routinely)" + FOR + "$"))
def referral(world: World, reason: str, urgency: str, side: str) -> None:
    where = _side_of(side)
    code = g.reason_code(reason)
    referrals = [i for i in world.plan.items if i.action == "referral" and i.side == where]
    assert referrals, f"no referral for {where}; the plan has:\n{_describe(world)}"
    item = referrals[0]
    codes = {item.reason_code} | {o.reason_code for o in item.other_rules}
    assert code in codes, f"referral for {where} is for {codes}, not {code}"
    if item.reason_code == code:
        assert item.urgency == g.URGENCY_WORDS[urgency], f"urgency is {item.urgency}"
    assert item.status == "recommended"
    world.item = item


@then(parsers.re(r"there is no referral" + FOR + "$"))
def no_referral(world: World, side: str) -> None:
    where = _side_of(side)
    assert world.plan.item("referral", where) is None


@then(parsers.re(r"its reasons include (?:the )?(?P<fact>.+) of (?P<value>.+)$"))
def reason_includes(world: World, fact: str, value: str) -> None:
    item = world.item
    assert item is not None, "no item was named before this step"
    if fact in g.LEG_FACTS:
        path = f"legs.{item.side}.{g.LEG_FACTS[fact]}" if item.side else None
        suffix = "." + g.LEG_FACTS[fact]
    else:
        path = g.lookup(g.PATIENT_FACTS, fact, "fact")
        suffix = None
    def matches(r: Any) -> bool:
        hit = r.fact == path if path else r.fact.endswith(suffix or "")
        shown = r.value if not isinstance(r.value, list) else ", ".join(r.value)
        return hit and _same(shown, value)
    assert any(matches(r) for r in item.reasons), (
        f"{item.action}: no reason {fact} = {value}; reasons are "
        f"{[(r.fact, r.value) for r in item.reasons]}")


def _same(actual: Any, text: str) -> bool:
    text = text.strip()
    if isinstance(actual, bool):
        return text == ("yes" if actual else "no")
    try:
        return float(actual) == float(text)
    except (TypeError, ValueError):
        return str(actual) == text or str(actual) == g.SYMPTOMS.get(text, g.PATTERNS.get(text))


@then(parsers.re(r"its reasons (?:show|go through) (?:the finding )?(?P<finding>.+)$"))
def reason_through_finding(world: World, finding: str) -> None:
    item = world.item
    assert item is not None
    code = g.finding_code(finding)
    assert any(code in r.via or (r.fact == code and r.value is True) for r in item.reasons), (
        f"{item.action}: no reason through {code}; reasons are "
        f"{[(r.fact, r.via) for r in item.reasons]}")


@then(parsers.re(r"the (?:stockings are|pressure is) (?P<pressure>.+?) mmHg$"))
def stocking_pressure(world: World, pressure: str) -> None:
    item = world.item
    assert item is not None and item.detail.get("pressure_mmhg") == pressure, (
        f"pressure is {item.detail.get('pressure_mmhg') if item else None}, not {pressure}")


@then(parsers.re(r"the (?P<what>agent|target BMI) is (?P<value>.+)$"))
def item_detail(world: World, what: str, value: str) -> None:
    item = world.item
    key = {"agent": "agent", "target BMI": "target_bmi"}[what]
    words = {"imipenem/cilastatin": "imipenem_cilastatin", "microspheres": "microspheres"}
    assert item is not None and item.detail.get(key) == words.get(value, value), (
        f"{key} is {item.detail.get(key) if item else None}")


@then(parsers.re(r"(?:it is|they are) covered by (?P<coverage>insurance|the patient \(self-pay\))$"))
def coverage(world: World, coverage: str) -> None:
    expected = "insurance" if coverage == "insurance" else "self_pay"
    assert world.item is not None and world.item.coverage == expected, (
        f"coverage is {world.item.coverage if world.item else None}")


@then(parsers.re(r"the patient must be told about (?P<what>.+)$"))
def disclosure(world: World, what: str) -> None:
    codes = {en: code for code, (en, _ja) in labels.DISCLOSURES.items()}
    code = g.lookup(codes, what, "disclosure")
    assert world.item is not None and code in world.item.disclosures, (
        f"disclosures are {world.item.disclosures if world.item else None}")


@then(parsers.re(r"its evidence says (?P<text>.+)$"))
def evidence_says(world: World, text: str) -> None:
    item = world.item
    assert item is not None and item.evidence, "the item has no evidence"
    blob = " ".join(f"{e.source} {e.grade} {e.note}" for e in item.evidence).lower()
    assert text.lower().strip('"') in blob, f"evidence does not say {text!r}: {blob}"


@then(parsers.re(r"the plan is to be reviewed after (?P<weeks>\d+) weeks$"))
def review_after(world: World, weeks: str) -> None:
    assert world.plan.review_after_weeks == int(weeks)


@then(parsers.re(r"every item has a rule and at least one reason$"))
def every_item_justified(world: World) -> None:
    for item in world.plan.items:
        assert item.rule and item.reasons, f"{item.action} is not justified"


@then(parsers.re(r"the plan shows the finding (?P<finding>.+?)" + FOR + "$"))
def plan_has_finding(world: World, finding: str, side: str) -> None:
    code, where = g.finding_code(finding), _side_of(side)
    assert any(f.name == code and f.side == where for f in world.plan.findings), (
        f"no finding {code} for {where}: {[(f.name, f.side) for f in world.plan.findings]}")


@then(parsers.re(r"the plan does not show the finding (?P<finding>.+?)" + FOR + "$"))
def plan_lacks_finding(world: World, finding: str, side: str) -> None:
    code, where = g.finding_code(finding), _side_of(side)
    assert not any(f.name == code and f.side == where for f in world.plan.findings), (
        f"finding {code} for {where} is in the plan")
