"""The patient (前提) and the plan (もし) steps, and the pieces every step is built from.

Steps speak the clinic's Japanese; tests/bdd/glossary.py maps each word to the patient
document or the plan. A step's sentence is written once, in its decorator; the pieces several
sentences share (which leg, the status words) are written once, here.
"""

from __future__ import annotations

import re
from typing import Any

from pytest_bdd import given, parsers, when

from careflow import parse_patient
from careflow.evaluate import build_plan, run_engine
from careflow.plan import Item
from careflow.rulebook import default_rulebook, load_rulebook

from . import glossary as g

# 右脚 / 左脚 (or 右膝 / 左膝): a leg; a sentence without one speaks of the whole patient
LEG = r"(?P<side>[右左][脚膝])"
# 推奨 / 選択肢 / 禁忌 / 非推奨 / 保留 / 次の段階, from the glossary
STATUS = "(?P<status>" + "|".join(
    sorted((re.escape(p) for p, r in g.GLOSSARY.items() if "status" in r), key=len,
           reverse=True)) + ")"


def side_of(text: str | None) -> str | None:
    """「右脚」 -> right; no leg named -> None (the whole patient)."""
    if text is None:
        return None
    side: str = g.term(text, "side")
    return side


class World:
    """One scenario's patient, plan and the rules that fired."""

    def __init__(self) -> None:
        self.doc: dict[str, Any] = {}
        self.plan: Any = None
        self.fired: set[str] = set()
        self.item: Item | None = None
        self.overrides: dict[str, Any] = {}

    def leg(self, side: str) -> dict[str, Any]:
        legs: list[dict[str, Any]] = self.doc["legs"]
        for leg in legs:
            if leg["side"] == side:
                return leg
        leg = {"side": side}
        legs.append(leg)
        return leg


def _set(target: dict[str, Any], path: str, value: Any) -> None:
    *parents, last = path.split(".")
    for part in parents:
        target = target.setdefault(part, {})
    if value is None:
        target.pop(last, None)
    else:
        target[last] = value


def _history(world: World, treatment: str, where: str, weeks: str, response: str) -> None:
    entry: dict[str, Any] = {"treatment": g.term(treatment, "treatment"), "weeks": int(weeks),
                             "response": g.term(response, "response")}
    side = side_of(where)
    if side != "both":
        entry["side"] = side
    world.doc.setdefault("history", []).append(entry)


# --- 前提 -----------------------------------------------------------------------------------
@given(parsers.re(r"(?P<age>\d+)歳の(?P<sex>.+)"), target_fixture="world")
def a_patient(age: str, sex: str) -> World:
    """「60歳の女性」: a new patient, assessed on 2026-11-20."""
    world = World()
    # the history is taken: conditions, allergies and medications asked, none so far (a
    # scenario says so when a question was not asked)
    world.doc = {"id": "P-SCENARIO", "assessed_on": g.SCENARIO_DAY.isoformat(),
                 "age": int(age), "sex": g.term(sex, "sex"), "conditions": [],
                 "allergies": [], "medications": [], "legs": []}
    return world


@given(parsers.re(r"(?P<what>既往歴・併存疾患|アレルギー歴|服薬歴)を聴取していない"))
def not_asked(world: World, what: str) -> None:
    """「アレルギー歴を聴取していない」: that list is left out (not asked)."""
    code = g.term(f"{what}の未聴取", "question")
    world.doc.pop(code, None)


@given(parsers.re(r"(?P<what>.+?)を服用している"))
def takes(world: World, what: str) -> None:
    """「抗凝固薬を服用している」: a medication."""
    world.doc.setdefault("medications", []).append(g.term(what, "medication"))


@given(parsers.re(r"当院のメディカルダイエットではGLP-1製剤を(?P<on>使用する|使用しない)"))
def clinic_glp1(world: World, on: str) -> None:
    """The clinic's switch: its medical diet programme adds a GLP-1 drug, or not."""
    world.overrides[g.term("GLP-1製剤の使用", "switch")] = on == "使用する"


@given(parsers.re(LEG + r"の(?P<vein>.+?)に(?P<treatment>.+?)を(?P<weeks>\d+)週前に"
                  r"(?:行い|行ったが)、(?P<response>.+)"))
def trunk_procedure(world: World, side: str, vein: str, treatment: str, weeks: str,
                    response: str) -> None:
    """「右脚の大伏在静脈に血管内焼灼術を150週前に行い、十分に改善した」: one trunk treated."""
    _history(world, treatment, side, weeks, response)
    world.doc["history"][-1]["vein"] = g.term(vein, "treated_vein")


@given(parsers.re(LEG + r"の所見は次のとおり"))
def leg_shows(world: World, side: str, datatable: list[list[str]]) -> None:
    leg = world.leg(side_of(side) or "")
    for label, value in datatable:
        path, kind = g.row(label, "leg")
        _set(leg, path, g.convert(kind, value))


@given(parsers.re(LEG + r"を診察する"))
def leg_examined(world: World, side: str) -> None:
    world.leg(side_of(side) or "")


@given(parsers.re(r"患者の状況は次のとおり"))
def patient_table(world: World, datatable: list[list[str]]) -> None:
    for label, value in datatable:
        path, kind = g.row(label, "patient")
        converted = g.convert(kind, value)
        if kind == "bmi":
            # a BMI is given through height 200 cm: weight = BMI x 4 exactly
            world.doc["height_cm"] = 200.0
            world.doc["weight_kg"] = None if converted is None else round(converted * 4, 3)
            continue
        _set(world.doc, path, converted)


@given(parsers.re(r"(?P<what>.+?)(?:がある|である)"))
def patient_has(world: World, what: str) -> None:
    """「心不全がある」 (a condition), 「授乳中である」, or 「造影剤へのアレルギーがある」 (an
    allergy)."""
    roles = g.GLOSSARY.get(what.strip(), {})
    if "medication" in roles:
        world.doc.setdefault("medications", []).append(roles["medication"])
    elif "allergy" in roles:
        world.doc.setdefault("allergies", []).append(roles["allergy"])
    elif "condition" in roles:
        world.doc.setdefault("conditions", []).append(roles["condition"])
    else:
        known = sorted(p for p, r in g.GLOSSARY.items()
                       if {"condition", "allergy", "medication"} & set(r))
        raise AssertionError(f"{what!r} is not a known condition or allergy; known: {known}")


@given(parsers.re(r"(?P<wish>.+)を希望している"))
def patient_wishes(world: World, wish: str) -> None:
    """「自費診療を希望している」: the table row 「自費診療の希望」 is あり."""
    path, _kind = g.row(f"{wish.strip()}の希望", "patient")
    _set(world.doc, path, True)


@given(parsers.re(r"(?P<where>[右左両][膝脚])で(?P<treatment>.+?)を(?P<weeks>\d+)週間"
                  r"(?:行い|行ったが)、(?P<response>.+)"))
def treatment_course(world: World, where: str, treatment: str, weeks: str,
                     response: str) -> None:
    """「右膝でヒアルロン酸注射を16週間行い、一部改善した」: a course of `weeks` weeks."""
    _history(world, treatment, where, weeks, response)


@given(parsers.re(r"(?P<where>[右左][脚膝])に(?P<treatment>.+?)を(?P<weeks>\d+)週前に"
                  r"(?:行い|行ったが)、(?P<response>.+)"))
def procedure_done(world: World, where: str, treatment: str, weeks: str,
                   response: str) -> None:
    """「右脚に血管内焼灼術を12週前に行い、十分に改善した」: a one-off procedure `weeks` ago."""
    _history(world, treatment, where, weeks, response)


@given(parsers.re(r"当院では(?P<name>.+?)を(?P<value>[0-9.]+)(?P<unit>\D*)とする"))
def clinic_setting(world: World, name: str, value: str, unit: str) -> None:
    """「当院では再評価を8週後とする」: a parameter of the rule set, changed by the clinic."""
    parameter, expected_unit = g.term(name, "parameter")
    assert unit == expected_unit, f"{name} is set in {expected_unit}, not {unit!r}"
    world.overrides[parameter] = float(value) if "." in value else int(value)


# --- もし -------------------------------------------------------------------------------------
@when("治療計画を立てる")
def make_plan(world: World) -> None:
    patient = parse_patient(world.doc)
    book = load_rulebook(overrides=world.overrides) if world.overrides else default_rulebook()
    run = run_engine(book, patient)
    world.plan = build_plan(book, patient, run)
    world.fired = run.rules_fired()
