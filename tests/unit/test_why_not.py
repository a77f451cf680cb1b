"""Why not, and what would make it available (docs/why-not.md): the smallest change of the
actionable facts (rules/actionable.yaml) that makes an item recommended or an option, found by
z3 on the compiled program's encoding and confirmed by the engine; never a safety fact."""

from __future__ import annotations

import copy
import json
import shutil
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from typer.testing import CliRunner

from careflow import evaluate, parse_patient, read_patient
from careflow.cli import app
from careflow.errors import RulebookError, UsageError
from careflow.export.words import why_not_text
from careflow.model import Patient
from careflow.prove.actionable import SAFETY_FACTS, is_safety_fact, load_actionable
from careflow.prove.whynot import Answer, load_declarations, plan_with_why_not, why_not
from careflow.rulebook import default_rules_dir, load_rulebook

from .gen_patients import as_yaml, examples, patients, require_slow

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
RULES = ROOT / "rules"

KNEE: dict[str, Any] = {
    # early knee osteoarthritis, pain 7, hyaluronic acid 16 weeks without effect, exercise
    # only 9 weeks: knee care has not failed yet (12 weeks of each, docs/protocol.md#knee)
    "id": "WN-KNEE", "assessed_on": "2026-11-20", "age": 58, "sex": "male",
    "conditions": [], "allergies": [], "medications": [],
    "height_cm": 172, "weight_kg": 80, "egfr": 85,
    "preferences": {"accepts_self_pay": True, "wants_further_improvement": True},
    "legs": [{"side": "right", "abi": 1.08,
              "knee": {"pain_nrs": 7, "pain_pattern": ["start_up"], "kl_grade": 2}}],
    "history": [
        {"treatment": "exercise_therapy", "side": "right", "weeks": 9, "response": "partial"},
        {"treatment": "hyaluronic_acid_injection", "side": "right", "weeks": 16,
         "response": "none"},
    ],
}


def patient(doc: dict[str, Any], **changes: Any) -> Patient:
    out = copy.deepcopy(doc)
    out.update(changes)
    return parse_patient(out)


def no_duplex() -> dict[str, Any]:
    """The glue-preference example (C4, symptoms) before its duplex."""
    doc = yaml.safe_load((EXAMPLES / "glue-preference.yaml").read_text(encoding="utf-8"))
    del doc["legs"][0]["veins"]["duplex"]
    return dict(doc)


def engine_status(doc: dict[str, Any], action: str, side: str | None) -> str | None:
    plan = evaluate(parse_patient(doc))
    item = next((i for i in plan.items if i.action == action and i.side == side), None)
    return item.status if item is not None else None


def confirmed(answer: Answer) -> None:
    """The answer's changed document, evaluated here again, gives the answer's status."""
    assert answer.confirmed and not answer.error, answer.error
    assert answer.document is not None
    assert engine_status(answer.document, answer.action, answer.side) == answer.status


# -- answers whose value is known by hand ---------------------------------------------------
def test_a_knee_with_too_few_weeks_of_exercise_gets_the_weeks_it_lacks() -> None:
    p = patient(KNEE)
    assert engine_status(KNEE, "intra_arterial_injection", "right") == "next_step"
    answer = why_not(p, "intra_arterial_injection", "right")
    assert answer.status == "option"
    assert [(s.decl.fact, s.before, s.after) for s in answer.steps] == \
        [("exercise_therapy", 9, 12)]
    confirmed(answer)
    assert why_not_text(answer, "ja") == (
        "運動療法をあと3週間（計12週間）続けても十分な効果が得られなければ、"
        "右脚の動注治療は選択肢になります。")
    assert "after 3 more weeks of exercise therapy" in why_not_text(answer, "en")
    change, = answer.availability().changes
    assert (change.fact, change.value, change.becomes, change.needs) == \
        ("legs.right.history.exercise_therapy", 9, 12, "+3 weeks")
    # the smallest: two more weeks are not enough for the engine either
    fewer = copy.deepcopy(KNEE)
    fewer["history"][0]["weeks"] = 11
    assert engine_status(fewer, "intra_arterial_injection", "right") == "next_step"


def test_no_exercise_at_all_needs_a_whole_course() -> None:
    doc = copy.deepcopy(KNEE)
    doc["history"] = doc["history"][1:]
    answer = why_not(parse_patient(doc), "intra_arterial_injection", "right")
    assert answer.status == "option"
    assert [(s.decl.fact, s.before, s.after) for s in answer.steps] == \
        [("exercise_therapy", 0, 12)]
    confirmed(answer)


def test_an_endovenous_item_waiting_for_a_duplex_gets_the_reflux_it_needs() -> None:
    p = parse_patient(no_duplex())
    plan = evaluate(p)
    assert plan.item("endovenous_thermal_ablation", "left") is None
    assert any(c.action == "endovenous_thermal_ablation" for c in plan.considered)
    answer = why_not(p, "endovenous_thermal_ablation", "left")
    assert answer.status == "option"
    step, = answer.steps
    assert step.decl.fact == "duplex.gsv_reflux_ms"  # ties go to the first declaration
    assert step.low is not None and step.low[0] == ">" and step.low[1] == 500
    assert step.high is None
    confirmed(answer)
    assert why_not_text(answer, "ja") == (
        "エコーで大伏在静脈に500ミリ秒超の逆流を認めれば、左脚の血管内焼灼術は選択肢になります。")
    assert why_not_text(answer, "en") == (
        "Endovenous thermal ablation (left leg) would be an option if the duplex shows great "
        "saphenous reflux over 500 ms.")
    assert answer.availability().changes[0].needs == "> 500"
    # at the threshold itself the reflux is not significant: the engine agrees
    at = no_duplex()
    at["legs"][0]["veins"]["duplex"] = {"performed_on": at["assessed_on"],
                                        "gsv_reflux_ms": 500}
    assert engine_status(at, "endovenous_thermal_ablation", "left") is None


def test_two_unknown_measurements_are_a_box_that_works_everywhere() -> None:
    doc = copy.deepcopy(KNEE)
    doc["history"][0]["weeks"] = 16
    del doc["legs"][0]["knee"]["kl_grade"]
    del doc["egfr"]
    answer = why_not(parse_patient(doc), "intra_arterial_injection", "right")
    assert answer.status == "option"
    got = {s.decl.fact: (s.low, s.high) for s in answer.steps}
    assert got == {"knee.kl_grade": ((">=", Fraction(1)), ("<=", Fraction(3))),
                   "egfr": ((">=", Fraction(45)), None)}
    confirmed(answer)
    assert "KL分類が1以上3以下" in why_not_text(answer, "ja")
    for kl, egfr, status in ((1, 45, "option"), (3, 120, "option"), (4, 85, None),
                             (2, 44, None)):
        trial = copy.deepcopy(doc)
        trial["legs"][0]["knee"]["kl_grade"] = kl
        trial["egfr"] = egfr
        got_status = engine_status(trial, "intra_arterial_injection", "right")
        assert (got_status == "option") == (status == "option"), (kl, egfr, got_status)


def test_a_pregnant_patient_gets_no_change_never_if_not_pregnant() -> None:
    doc = copy.deepcopy(KNEE)
    doc["history"][0]["weeks"] = 16
    p = patient(doc, sex="female", age=40, pregnant=True)
    for action, side, rule in (("intra_arterial_injection", "right",
                                "SELF_PAY_IA_NOT_IN_PREGNANCY"),
                               ("medical_diet", None, "SELF_PAY_DIET_NOT_IN_PREGNANCY")):
        answer = why_not(p, action, side)
        assert answer.status is None and answer.steps == []
        assert answer.rule == rule and answer.blocked == "contraindicated"
        text = why_not_text(answer, "ja")
        assert text.startswith("安全上の理由で、事実を変えても") and "妊娠中" in text
        assert answer.availability().rule == rule


def test_a_pregnancy_that_blocks_an_item_not_yet_in_the_plan_is_named() -> None:
    p = patient(no_duplex(), pregnant=True)
    answer = why_not(p, "endovenous_thermal_ablation", "left")
    assert answer.status is None and answer.steps == []
    assert answer.rule == "VEIN_ENDOVENOUS_NOT_IN_PREGNANCY"
    assert why_not_text(answer, "en").startswith("For safety, no change")


def test_an_item_already_offered_needs_no_change() -> None:
    p = read_patient(EXAMPLES / "glue-preference.yaml")
    answer = why_not(p, "cyanoacrylate_closure", "left")
    assert answer.already and answer.steps == []
    assert "すでに推奨" in why_not_text(answer, "ja")


@pytest.mark.parametrize("name", sorted(p.name for p in EXAMPLES.glob("*.yaml")))
def test_every_answer_for_the_examples_is_confirmed_and_changes_no_safety_fact(
        name: str) -> None:
    p = read_patient(EXAMPLES / name)
    plan = evaluate(p)
    asks = [(c.action, c.side) for c in plan.considered]
    asks += [(i.action, i.side) for i in plan.items if i.status == "deferred"]
    declared = {d.fact for d in load_declarations()}
    for action, side in asks:
        answer = why_not(p, action, side)
        assert not answer.error, (action, side, answer.error)
        for step in answer.steps:
            assert step.decl.fact in declared and not is_safety_fact(step.decl.fact)
        if answer.status is not None:
            confirmed(answer)
        else:
            assert answer.rule, (action, side)


def _every_answer_holds(doc: dict[str, Any]) -> None:
    """Each considered or deferred item of the patient: an answer whose change the engine
    gives the answer's status for (evaluated here again), or a blocking rule; never an
    error, never a safety fact."""
    p = parse_patient(doc)
    plan = evaluate(p)
    asks = [(c.action, c.side) for c in plan.considered]
    asks += [(i.action, i.side) for i in plan.items if i.status == "deferred"]
    for action, side in asks:
        answer = why_not(p, action, side)
        assert not answer.error, (action, side, answer.error, as_yaml(doc))
        assert not [s for s in answer.steps if is_safety_fact(s.decl.fact)]
        if answer.status is not None:
            confirmed(answer)


@given(doc=patients())
@examples(6)
def test_every_answer_for_generated_patients_is_confirmed(doc: dict[str, Any]) -> None:
    _every_answer_holds(doc)


@pytest.mark.slow
@given(doc=patients())
@examples(200)
def test_every_answer_for_many_generated_patients_is_confirmed(
        doc: dict[str, Any], request: pytest.FixtureRequest) -> None:
    require_slow(request)
    _every_answer_holds(doc)


def test_the_plan_with_why_not_fills_considered_and_evaluate_stays_as_it_was() -> None:
    p = parse_patient(no_duplex())
    plain = evaluate(p)
    assert "would_make_available" not in plain.to_json()
    filled = plan_with_why_not(p)
    assert filled.items == plain.items
    assert [c.action for c in filled.considered] == [c.action for c in plain.considered]
    for entry in filled.considered:
        assert entry.would_make_available is not None
        assert entry.would_make_available.status in ("recommended", "option")
    data = json.loads(filled.to_json())
    assert data["considered"][0]["would_make_available"]["changes"][0]["needs"] == "> 500"


def test_bad_questions_are_usage_errors_that_name_them() -> None:
    p = parse_patient(KNEE)
    with pytest.raises(UsageError, match="intra_arterial_injektion: no such action"):
        why_not(p, "intra_arterial_injektion", "right")
    with pytest.raises(UsageError, match="no left leg"):
        why_not(p, "intra_arterial_injection", "left")
    with pytest.raises(UsageError, match="whole patient"):
        why_not(p, "medical_diet", "right")


# -- the declarations ---------------------------------------------------------------------
def test_the_shipped_declarations_load_and_name_no_safety_fact() -> None:
    decls = load_actionable(default_rules_dir() / "actionable.yaml")
    assert {d.change for d in decls} == {"continues", "becomes_known", "falls"}
    assert not [d.fact for d in decls if is_safety_fact(d.fact)]
    assert {"pregnant", "age", "sex", "duplex.dvt"} <= SAFETY_FACTS


def _folder(tmp_path: Path, actionable: str) -> Path:
    folder = tmp_path / "rules"
    shutil.copytree(RULES, folder)
    (folder / "actionable.yaml").write_text(actionable, encoding="utf-8")
    return folder


BAD = """\
actionable:
  - fact: pregnant
    change: becomes_known
    ja: 妊娠が{condition}
    en: if pregnancy {condition}
    ja_any: 妊娠
    en_any: pregnancy
  - fact: condition.diabetes
    change: becomes_known
    ja: x{condition}
    en: x{condition}
    ja_any: x
    en_any: x
  - fact: duplex.gsv_refluks_ms
    change: becomes_known
    ja: x{condition}
    en: x{condition}
    ja_any: x
    en_any: x
  - course: exercise_therapy
    change: continues
    at_most: 12
    ja: あと{weeks}週間
    en: after {more} weeks
    colour: red
"""


def test_check_refuses_a_safety_fact_with_its_file_and_line(tmp_path: Path) -> None:
    folder = _folder(tmp_path, BAD)
    with pytest.raises(RulebookError) as info:
        load_actionable(folder / "actionable.yaml", "rules/actionable.yaml")
    shown = [str(d) for d in info.value.diagnostics]
    assert any(s.startswith("rules/actionable.yaml:2:") and "CF701" in s and "pregnant" in s
               for s in shown), shown
    assert any(":8:" in s and "CF701" in s for s in shown), shown
    assert any(":14:" in s and "CF704" in s and "gsv_reflux_ms" in s for s in shown), shown
    assert any("CF702" in s and "{weeks}" in s for s in shown), shown
    assert any("CF703" in s and "colour" in s for s in shown), shown
    result = CliRunner().invoke(app, ["check", str(folder)])
    assert result.exit_code == 1
    assert "rules/actionable.yaml:2:" in result.output and "CF701" in result.output


def test_actionable_yaml_is_not_a_rule_file_nor_in_the_digest(tmp_path: Path) -> None:
    folder = _folder(tmp_path, "actionable: []\n")
    assert load_rulebook(folder).digest == load_rulebook(RULES).digest


def test_a_rule_set_with_no_declarations_changes_nothing(tmp_path: Path) -> None:
    folder = _folder(tmp_path, "actionable: []\n")
    book = load_rulebook(folder)
    answer = why_not(parse_patient(KNEE), "intra_arterial_injection", "right", book, folder)
    assert answer.status is None and answer.steps == []
    assert answer.rule == "SELF_PAY_IA_NEXT_STEP"


# -- the command --------------------------------------------------------------------------
def _write(tmp_path: Path, doc: dict[str, Any]) -> Path:
    path = tmp_path / "patient.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return path


def test_the_command_prints_the_answer_in_japanese_and_english(tmp_path: Path) -> None:
    path = _write(tmp_path, KNEE)
    runner = CliRunner()
    ja = runner.invoke(app, ["plan", str(path), "--why-not", "intra_arterial_injection",
                             "--lang", "ja"])
    assert ja.exit_code == 0, ja.output
    assert ja.output.startswith("運動療法をあと3週間")
    en = runner.invoke(app, ["plan", str(path), "--why-not", "intra_arterial_injection",
                             "--side", "right"])
    assert en.exit_code == 0 and "3 more weeks" in en.output
    data = json.loads(runner.invoke(app, ["plan", str(path), "--why-not",
                                          "intra_arterial_injection", "-f", "json"]).output)
    assert data["status"] == "next_step" and data["confirmed"] is True
    assert data["would_make_available"]["status"] == "option"


def test_the_command_refuses_an_unknown_action_with_its_name(tmp_path: Path) -> None:
    path = _write(tmp_path, KNEE)
    runner = CliRunner()
    result = runner.invoke(app, ["plan", str(path), "--why-not", "knee_surgery"])
    assert result.exit_code == 2 and "knee_surgery" in result.output
    result = runner.invoke(app, ["plan", str(path), "--side", "right"])
    assert result.exit_code == 2 and "--why-not" in result.output
    result = runner.invoke(app, ["plan", str(path), "--why-not", "medical_diet", "-f", "html"])
    assert result.exit_code == 2


HEAVY_STEROID = """\
area: test
title: a test rule that only weight loss can lift
rules:
  - id: TEST_STEROID_NOT_WITH_BMI_30
    title: No steroid injection at a BMI of 30 or more (a test rule)
    title_ja: BMI30以上ではステロイド注射を勧めない（試験用のルール）
    when: {bmi: {gte: 30}}
    claim: {action: steroid_injection, status: not_recommended, reason_code: tried_without_benefit}
    evidence: [ACR_2019_EXERCISE_STEROID]
"""


def test_the_bmi_may_fall_by_at_most_its_bound(tmp_path: Path) -> None:
    folder = tmp_path / "rules"
    shutil.copytree(RULES, folder)
    (folder / "test_weight.yaml").write_text(HEAVY_STEROID, encoding="utf-8")
    book = load_rulebook(folder)
    heavy = copy.deepcopy(KNEE)
    heavy["weight_kg"] = 92  # BMI 31.1 at 172 cm
    answer = why_not(parse_patient(heavy), "steroid_injection", "right", book, folder)
    assert answer.status == "option"
    step, = answer.steps
    assert (step.decl.fact, step.before, step.after) == ("bmi", 31.1, 29.9)
    assert answer.document is not None
    assert parse_patient(answer.document).bmi == 29.9
    assert why_not_text(answer, "ja", book) == (
        "減量によりBMIが29.9まで（1.2）下がれば、右脚のステロイド注射は選択肢になります。")
    assert answer.availability().changes[0].needs == "<= 29.9"
    # beyond the bound (3 BMI points) no weight loss is proposed
    heavier = copy.deepcopy(KNEE)
    heavier["weight_kg"] = 100  # BMI 33.8
    far = why_not(parse_patient(heavier), "steroid_injection", "right", book, folder)
    assert far.status is None and far.rule == "TEST_STEROID_NOT_WITH_BMI_30"


def test_the_filled_plan_says_it_in_every_output() -> None:
    from careflow.export import cds_hooks, text

    filled = plan_with_why_not(parse_patient(no_duplex()))
    ja = text.render(filled, "ja")
    assert "選択肢になる条件：大伏在静脈の逆流時間（ms） > 500" in ja
    assert "option if: great saphenous reflux (ms) > 500" in text.render(filled, "en")
    assert "選択肢になる条件" in cds_hooks.to_cards_json(filled, "ja")
    plain = evaluate(parse_patient(no_duplex()))
    assert "になる条件" not in text.render(plain, "ja")
    blocked = plan_with_why_not(patient(no_duplex(), pregnant=True))
    assert "変えうる事実では提示できない：妊娠中は血管内治療を行わない" in \
        text.render(blocked, "ja")


@pytest.mark.skipif(shutil.which("chromium") is None and shutil.which("chromium-browser") is None,
                    reason="Debian's chromium is not installed (.ci/run installs it)")
def test_the_printed_page_shows_the_answer_in_a_real_browser(tmp_path: Path) -> None:
    """The doctor's page of a filled plan, as headless Chromium builds it: the condition is
    in the document a person reads, in Japanese, and the page still prints on A4."""
    from careflow.export import chromium
    from careflow.export.page import to_html

    filled = plan_with_why_not(parse_patient(no_duplex()))
    page = tmp_path / "plan.html"
    page.write_text(to_html(filled, "ja"), encoding="utf-8")
    done = chromium.run(["--dump-dom"], page)
    assert done.returncode == 0, done.stderr[-1000:]
    assert "選択肢になる条件：大伏在静脈の逆流時間（ms） &gt; 500" in done.stdout
    data = chromium.html_to_pdf(to_html(filled, "ja"))
    assert data.startswith(b"%PDF-")


def test_the_command_fills_every_considered_entry_in_any_format(tmp_path: Path) -> None:
    path = _write(tmp_path, no_duplex())
    runner = CliRunner()
    filled = runner.invoke(app, ["plan", str(path), "--why-not", "considered", "-f", "json"])
    assert filled.exit_code == 0, filled.output
    data = json.loads(filled.output)
    assert [c["would_make_available"]["status"] for c in data["considered"]] == \
        ["option", "recommended"]
    page = runner.invoke(app, ["plan", str(path), "--why-not", "considered", "-f", "html",
                               "--lang", "ja"])
    assert page.exit_code == 0 and "選択肢になる条件" in page.output
    plain = runner.invoke(app, ["plan", str(path), "-f", "json"])
    assert "would_make_available" not in plain.output
    both = runner.invoke(app, ["plan", str(path), "--why-not", "considered", "--side", "left"])
    assert both.exit_code == 2


def test_a_filled_plan_is_valid_against_the_plan_schema() -> None:
    import jsonschema

    from careflow.export.schema import schema

    filled = json.loads(plan_with_why_not(parse_patient(no_duplex())).to_json())
    blocked = json.loads(plan_with_why_not(patient(no_duplex(), pregnant=True)).to_json())
    validator = jsonschema.Draft202012Validator(schema("plan"))
    for doc in (filled, blocked):
        assert not [e.message for e in validator.iter_errors(doc)]
    assert blocked["considered"][0]["would_make_available"] == {
        "status": None, "changes": [], "rule": "VEIN_ENDOVENOUS_NOT_IN_PREGNANCY"}
