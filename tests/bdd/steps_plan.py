"""What the plan says (ならば): its items and their status, referrals, what it concludes about
a leg, an item's reasons, details, coverage, disclosures and evidence, a leg's vein track and
next steps, and the review. 「その…」 is the item named by the step before."""

from __future__ import annotations

from typing import Any

from pytest_bdd import parsers, then

from careflow.plan import Item, Reason
from careflow.rulebook import default_rulebook

from . import glossary as g
from .steps_common import LEG, STATUS, World, side_of

WHERE = r"(?:" + LEG + r"では)?"
URGENCY = "(?P<urgency>" + "|".join(p for p, r in g.GLOSSARY.items() if "urgency" in r) + ")"


def _describe(world: World) -> str:
    return "\n".join(f"  {i.action} [{i.side}] {i.status} ({i.rule}, {i.reason_code})"
                     for i in world.plan.items)


def _named(world: World) -> Item:
    assert world.item is not None, "no item was named before this step"
    return world.item


# --- an item and its status ------------------------------------------------------------------
@then(parsers.re(WHERE + r"(?P<action>.+?)(?<!紹介)[がは](?:(?P<reason>.+?)(?:のため|ため))?"
                 + STATUS + r"となる"))
def item_has_status(world: World, side: str | None, action: str, reason: str | None,
                    status: str) -> None:
    """「右脚では弾性ストッキングが深部静脈血栓症の疑いのため保留となる」 (the reason, 「…のため」,
    is optional)."""
    code, where = g.term(action, "action"), side_of(side)
    item = world.plan.item(code, where)
    assert item is not None, f"no {code} for {where}; the plan has:\n{_describe(world)}"
    expected = g.term(status, "status")
    assert item.status == expected, (
        f"{code} for {where} is {item.status} (rule {item.rule}, {item.reason_code}), "
        f"not {expected}")
    if reason is not None:
        assert item.reason_code == g.term(reason, "reason"), (
            f"{code} is {item.status} because of {item.reason_code}, not {reason}")
    assert item.reasons, f"{code} has no reasons"
    world.item = item


@then(parsers.re(WHERE + r"(?P<action>.+?)[がは]提示されない"))
def item_absent(world: World, side: str | None, action: str) -> None:
    """「右脚では血管内焼灼術は提示されない」: the plan has no such item."""
    code, where = g.term(action, "action"), side_of(side)
    item = world.plan.item(code, where)
    assert item is None, f"{code} for {where} is in the plan as {item.status} ({item.rule})"


@then(parsers.re(WHERE + r"(?P<action>.+?)は(?P<statuses>[^はが]+?)のいずれにもならない"))
def item_not_in(world: World, side: str | None, action: str, statuses: str) -> None:
    """「右脚では血管内焼灼術は推奨・選択肢・次の段階のいずれにもならない」 (no such item is
    fine too): the form of a proof's counterexample (careflow prove)."""
    code, where = g.term(action, "action"), side_of(side)
    item = world.plan.item(code, where)
    banned = [g.term(s, "status") for s in statuses.split("・")]
    assert item is None or item.status not in banned, (
        f"{code} for {where} is {item.status} (rule {item.rule}, {item.reason_code})")


@then(parsers.re(LEG + r"では推奨・選択肢となる治療はない"))
def no_elective_treatment(world: World, side: str) -> None:
    where = side_of(side)
    offered = [i for i in world.plan.items if i.side == where and i.kind == "treatment"
               and i.status in ("recommended", "option")]
    assert not offered, f"offered under a red flag: {[(i.action, i.status) for i in offered]}"


# --- referrals -------------------------------------------------------------------------------
@then(parsers.re(WHERE + r"(?P<reason>.+?)で" + URGENCY + r"紹介が推奨となる"))
def referral(world: World, side: str | None, reason: str, urgency: str) -> None:
    """「右脚では深部静脈血栓症の疑いで至急紹介が推奨となる」."""
    where, code = side_of(side), g.term(reason, "reason")
    referrals = [i for i in world.plan.items if i.action == "referral" and i.side == where]
    assert referrals, f"no referral for {where}; the plan has:\n{_describe(world)}"
    item = referrals[0]
    codes = {item.reason_code} | {o.reason_code for o in item.other_rules}
    assert code in codes, f"referral for {where} is for {codes}, not {code}"
    if item.reason_code == code:
        assert item.urgency == g.term(urgency, "urgency"), f"urgency is {item.urgency}"
    assert item.status == "recommended"
    world.item = item


@then(parsers.re(WHERE + r"(?P<reason>.+?)で紹介されない"))
def no_referral_for(world: World, side: str | None, reason: str) -> None:
    """「右脚では深部静脈血栓症の疑いで紹介されない」: the other side of a red-flag threshold
    (a referral for another reason may be made)."""
    where, code = side_of(side), g.term(reason, "reason")
    made = [i for i in world.plan.items if i.action == "referral" and i.side == where and (
        i.reason_code == code or code in {o.reason_code for o in i.other_rules})]
    assert not made, f"a referral for {code} is made for {where}:\n{_describe(world)}"
    world.item = None


@then(parsers.re(LEG + r"では紹介されない"))
def no_referral(world: World, side: str) -> None:
    where = side_of(side)
    assert world.plan.item("referral", where) is None, f"a referral is made for {where}"


# --- what the plan concludes about a leg --------------------------------------------------------
@then(parsers.re(LEG + r"は(?P<finding>.+)に該当(?P<answer>する|しない)"))
def leg_finding(world: World, side: str, finding: str, answer: str) -> None:
    """「右脚は変形性膝関節症に該当する」 / 「…に該当しない」."""
    code, where = g.term(finding, "finding"), side_of(side)
    found = any(f.name == code and f.side == where for f in world.plan.findings)
    assert found == (answer == "する"), (
        f"{code} for {where}: {found}; the plan concludes "
        f"{[(f.name, f.side) for f in world.plan.findings]}")


# --- the reasons --------------------------------------------------------------------------------
def _shown(reason: Reason, expected: Any) -> bool:
    value = reason.value
    if isinstance(expected, list) or isinstance(value, list):
        return bool(value == expected)
    if isinstance(expected, bool) or isinstance(value, bool):
        return value is expected
    if isinstance(expected, (int, float)):
        try:
            return float(value) == float(expected)
        except (TypeError, ValueError):
            return False
    return bool(value == expected)


def _fact_path(item_side: str | None, scope: str, path: str) -> tuple[str | None, str | None]:
    """(the exact reason fact, or None) and (the suffix to match when the item is the whole
    patient's and the fact is a leg's: any leg)."""
    if scope == "leg":
        return (f"legs.{item_side}.{path}", None) if item_side else (None, "." + path)
    return path, None


@then(parsers.re(r"その根拠に(?P<what>.+)が含まれる"))
def reason_includes(world: World, what: str) -> None:
    """「その根拠にWellsスコア2点が含まれる」 (a value), 「…に静脈疾患が含まれる」 (a conclusion
    the item rests on), 「…に心不全が含まれる」 (a condition)."""
    item = _named(world)
    meaning = g.said(what)
    if meaning.kind == "finding":
        code = meaning.name
        ok = any(code in r.via or (r.fact == code and r.value is True) for r in item.reasons)
    elif meaning.kind == "named":
        ok = any(r.fact == meaning.name and r.value is True for r in item.reasons)
    else:
        scope, path, value = meaning.scope, meaning.name, meaning.value
        exact, suffix = _fact_path(item.side, scope, path)
        ok = any((r.fact == exact if exact else r.fact.endswith(suffix or ""))
                 and _shown(r, value) for r in item.reasons)
    assert ok, (f"{item.action}: no reason {what} ({meaning}); reasons are "
                f"{[(r.fact, r.value, r.via) for r in item.reasons]}")


_SETS = {"pressure": lambda out: any(k == "pressure_mmhg" for k, _ in out.detail),
         "coverage": lambda out: out.coverage is not None}


@then(parsers.re(r"(?P<what>.+?)は(?P<fact>.+)に基づく"))
def set_by(world: World, what: str, fact: str) -> None:
    """「圧迫圧はCEAP分類C2に基づく」, 「保険適用はCEAP分類C6に基づく」: the rule that set the
    item's pressure or coverage did so for this value."""
    item = _named(world)
    kind = g.term(what, "sets")
    meaning = g.said(fact)
    assert meaning.kind == "fact", f"{fact!r} is not a value of the patient"
    scope, path, value = meaning.scope, meaning.name, meaning.value
    exact = f"legs.{item.side}.{path}" if scope == "leg" else path
    book = default_rulebook()
    setters = [c for c in item.other_rules if c.effect == "annotate"
               and any(_SETS[kind](o) for o in book.rules[c.rule].rule.outputs)]
    assert setters, f"nothing set the {kind} of {item.action}"
    assert any(r.fact == exact and _shown(r, value) for c in setters for r in c.reasons), (
        f"the {kind} of {item.action} was set by {[c.rule for c in setters]} with reasons "
        f"{[(r.fact, r.value) for c in setters for r in c.reasons]}, not {exact} = {value}")


# --- details, coverage, disclosures, evidence --------------------------------------------------
@then(parsers.re(r"圧迫圧は(?P<pressure>.+)となる"))
def stocking_pressure(world: World, pressure: str) -> None:
    item, expected = _named(world), g.term(pressure, "pressure")
    actual = item.detail.get("pressure_mmhg")
    assert actual == expected, f"pressure is {actual}, not {expected}"


@then(parsers.re(r"圧迫圧は指定されない"))
def no_pressure(world: World) -> None:
    item = _named(world)
    assert item.action == "compression_stockings", "name the stockings before this step"
    assert "pressure_mmhg" not in item.detail, (
        f"stockings that are {item.status} carry {item.detail['pressure_mmhg']} mmHg")


@then(parsers.re(r"(?:塞栓物質は(?P<agent>.+)を用いる|薬剤は(?P<drug>.+)とする)"))
def agent(world: World, agent: str | None, drug: str | None) -> None:
    """「塞栓物質はマイクロスフィアを用いる」 (the injection),
    「薬剤はアセトアミノフェンのみとする」 (an analgesic)."""
    item, expected = _named(world), g.term(agent or drug or "", "agent")
    assert item.detail.get("agent") == expected, f"agent is {item.detail.get('agent')}"


@then(parsers.re(r"目標BMIは(?:(?P<value>.+)となる|設定されない)"))
def target_bmi(world: World, value: str | None) -> None:
    """「目標BMIは22〜25となる」 (from age 65), 「目標BMIは設定されない」."""
    item = _named(world)
    expected = None if value is None else g.term(value, "target_bmi")
    actual = item.detail.get("target_bmi")
    assert actual == expected, f"{item.action}: target BMI is {actual}, not {expected}"


@then(parsers.re(r"(?P<coverage>.+)で行う"))
def coverage(world: World, coverage: str) -> None:
    """「保険診療で行う」 / 「自費診療で行う」."""
    item, expected = _named(world), g.term(coverage, "coverage")
    assert item.coverage == expected, f"coverage is {item.coverage}"


@then(parsers.re(r"患者に(?P<what>.+)を説明する"))
def disclosure(world: World, what: str) -> None:
    item, code = _named(world), g.term(what, "disclosure")
    assert code in item.disclosures, f"disclosures are {item.disclosures}"


@then(parsers.re(r"そのエビデンスに(?P<what>.+)が挙げられている"))
def evidence_says(world: World, what: str) -> None:
    item, words = _named(world), g.term(what, "evidence")
    assert item.evidence, "the item has no evidence"
    blob = " ".join(f"{e.source} {e.grade} {e.note}" for e in item.evidence).lower()
    assert words.lower() in blob, f"evidence does not say {words!r}: {blob}"


@then(parsers.re(r"(?P<weeks>\d+)週後に再評価する"))
def review_after(world: World, weeks: str) -> None:
    assert world.plan.review_after_weeks == int(weeks), (
        f"reviewed after {world.plan.review_after_weeks} weeks")


# --- a leg's vein track and next steps, as tables (nothing more, nothing less) ------------------
def _table(rows: list[list[str]]) -> dict[str, str]:
    return {g.term(action, "action"): g.term(status, "status") for action, status in rows}


def _show(items: list[Item]) -> str:
    return ", ".join(f"{i.action} {i.status} ({i.rule})" for i in items) or "nothing"


def _vein_track(world: World, side: str) -> list[Item]:
    where = side_of(side)
    return [i for i in world.plan.items if i.side == where and i.track == "vein"]


def _next_steps(world: World, side: str) -> list[Item]:
    where = side_of(side)
    return [i for i in world.plan.items if i.side == where and i.status == "next_step"]


@then(parsers.re(LEG + r"の静脈の治療は次のとおり"))
def vein_track(world: World, side: str, datatable: list[list[str]]) -> None:
    items = _vein_track(world, side)
    assert {i.action: i.status for i in items} == _table(datatable), (
        f"the vein track of {side} is: {_show(items)}")


@then(parsers.re(LEG + r"には静脈の治療は何も提示されない"))
def no_vein_track(world: World, side: str) -> None:
    items = _vein_track(world, side)
    assert not items, f"the vein track of {side} is: {_show(items)}"


@then(parsers.re(LEG + r"で次の段階となる治療は次のとおり"))
def next_steps(world: World, side: str, datatable: list[list[str]]) -> None:
    items = _next_steps(world, side)
    assert {i.action: i.status for i in items} == _table(datatable), (
        f"the next steps of {side} are: {_show(items)}")


@then(parsers.re(LEG + r"に次の段階となる治療はない"))
def no_next_steps(world: World, side: str) -> None:
    items = _next_steps(world, side)
    assert not items, f"the next steps of {side} are: {_show(items)}"


# --- v3: urgency, precautions, questions open, target veins, regimens, checked ------------------
@then(parsers.re(r"(?:その)?緊急度は" + URGENCY + r"とする"))
def urgency_of(world: World, urgency: str) -> None:
    """「緊急度は至急とする」: the item named before is time-critical."""
    item = _named(world)
    assert item.urgency == g.term(urgency, "urgency"), f"urgency is {item.urgency}"


@then(parsers.re(r"注意事項に(?P<what>.+)が含まれる"))
def precaution(world: World, what: str) -> None:
    item, code = _named(world), g.term(what, "precaution")
    assert code in item.precautions, f"{item.action}: precautions are {item.precautions}"


@then(parsers.re(r"注意事項はない"))
def no_precaution(world: World) -> None:
    item = _named(world)
    assert not item.precautions, f"{item.action}: precautions are {item.precautions}"


@then(parsers.re(r"問診未完了として(?P<what>.+)が示される"))
def questions_open(world: World, what: str) -> None:
    wanted = {g.term(f"{w}の未聴取", "question") for w in what.split("、")}
    assert set(world.plan.questions_open) == wanted, (
        f"questions open: {world.plan.questions_open}")


@then(parsers.re(r"問診未完了の表示はない"))
def no_questions_open(world: World) -> None:
    assert not world.plan.questions_open, f"questions open: {world.plan.questions_open}"


@then(parsers.re(r"治療する静脈は(?P<veins>.+)とする"))
def target_veins(world: World, veins: str) -> None:
    item = _named(world)
    expected = [g.term(v, "vein") for v in veins.split("、")]
    assert item.detail.get("target_veins") == expected, (
        f"target veins are {item.detail.get('target_veins')}")


@then(parsers.re(r"投与法は(?P<regimen>.+)とする"))
def regimen(world: World, regimen: str) -> None:
    item = _named(world)
    assert item.detail.get("regimen") == g.term(regimen, "regimen"), (
        f"regimen is {item.detail.get('regimen')}")


@then(parsers.re(r"介護保険で(?P<help>.+)を案内する"))
def care_insurance(world: World, help: str) -> None:
    """「介護保険で住宅改修（要介護認定があれば）を案内する」: the help the insurance gives."""
    item = _named(world)
    assert item.detail.get("long_term_care_insurance") == g.term(help, "care_insurance"), (
        f"long-term-care insurance help is {item.detail.get('long_term_care_insurance')}")


@then(parsers.re(r"禁忌の確認として(?P<what>.+)が示される"))
def checked_shows(world: World, what: str) -> None:
    """「禁忌の確認としてABI 1.05が示される」: `checked` lists that fact and value."""
    item = _named(world)
    meaning = g.said(what)
    if meaning.kind == "named":
        ok = any(c.fact == meaning.name and c.value is False for c in item.checked)
    else:
        assert meaning.kind == "fact", f"{what!r} is not a value of the patient"
        scope, path, value = meaning.scope, meaning.name, meaning.value
        exact, suffix = _fact_path(item.side, scope, path)
        ok = any((c.fact == exact if exact else c.fact.endswith(suffix or ""))
                 and _shown(Reason(fact=c.fact, value=c.value), value) for c in item.checked)
    assert ok, f"{item.action}: checked is {[(c.rule, c.fact, c.value) for c in item.checked]}"


@then(parsers.re(r"未確認の禁忌として(?P<what>.+)が示される"))
def unchecked_shows(world: World, what: str) -> None:
    """「未確認の禁忌として既往歴・併存疾患が示される」: `unchecked` names an unknown fact."""
    item = _named(world)
    assert _unchecked(item, what), (
        f"{item.action}: unchecked is {[(c.rule, c.fact) for c in item.unchecked]}")


def _unchecked(item: Item, what: str) -> bool:
    """Does `unchecked` name the unasked list or the unknown value `what` (「eGFR」)?"""
    roles = g.GLOSSARY.get(what.strip(), {})
    if "question" in roles:
        return any(c.fact == roles["question"] or c.fact.startswith(roles["question"] + ".")
                   for c in item.unchecked)
    value = roles.get("patient") or roles.get("leg")
    fact = value[0] if value else g.said(what).name
    return any(c.fact.endswith(fact.split(".", 1)[-1]) for c in item.unchecked)


@then(parsers.re(r"未確認の禁忌として(?P<what>.+)は示されない"))
def unchecked_not_shown(world: World, what: str) -> None:
    """「未確認の禁忌としてeGFRは示されない」: `unchecked` does not name that value."""
    item = _named(world)
    assert not _unchecked(item, what), (
        f"{item.action}: unchecked is {[(c.rule, c.fact) for c in item.unchecked]}")


@then(parsers.re(r"(?P<what>.+?)は禁忌の確認にも未確認の禁忌にも示されない"))
def exclusion_not_listed(world: World, what: str) -> None:
    """「膵炎の既往は禁忌の確認にも未確認の禁忌にも示されない」: neither list reads it."""
    item = _named(world)
    meaning = g.said(what)
    name = meaning.name.split(".", 1)[-1]
    listed = [(c.rule, c.fact) for c in item.checked + item.unchecked
              if c.fact.split(".", 1)[-1] == name or c.fact.endswith("." + name)]
    assert not listed, f"{item.action}: {what} is listed: {listed}"


@then(parsers.re(r"末梢動脈疾患の管理に監視下歩行運動を(?P<answer>含める|含めない)"))
def supervised_walking(world: World, answer: str) -> None:
    """「末梢動脈疾患の管理に監視下歩行運動を含める」: PAD care's walking training is given, or
    not (false, or not said: never prescribed without a rule that says so)."""
    items = [i for i in world.plan.items if i.action == "pad_management"]
    assert items, "no PAD care in the plan"
    walking = items[0].detail.get("supervised_walking")
    assert (walking is True) == (answer == "含める"), f"supervised walking is {walking!r}"
