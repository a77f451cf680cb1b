"""Loader, whole-set validation and compiler."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from careflow import RulebookError, load_rulebook

from .helpers import RULES, write_rules


def test_shipped_rules_load_and_every_rule_has_a_title_and_area() -> None:
    book = load_rulebook(RULES)
    assert len(book.rules) > 100
    for rule in book.rules.values():
        assert rule.rule.title and rule.rule.area
    assert book.digest.startswith("sha256:") and len(book.digest) == 71


def test_digest_is_stable_and_changes_with_a_parameter_override() -> None:
    a, b = load_rulebook(RULES), load_rulebook(RULES)
    assert a.digest == b.digest
    c = load_rulebook(RULES, overrides={"review_after_weeks": 8})
    assert c.digest != a.digest
    assert c.parameters["review_after_weeks"] == 8


def test_override_from_a_second_parameters_file(tmp_path: Path) -> None:
    extra = tmp_path / "clinic.yaml"
    extra.write_text("parameters:\n  superficial_reflux_ms: 350\n")
    book = load_rulebook(RULES, overrides=extra)
    assert book.parameters["superficial_reflux_ms"] == 350


def test_unknown_override_is_reported_with_a_suggestion() -> None:
    with pytest.raises(RulebookError) as err:
        load_rulebook(RULES, overrides={"superficial_reflux": 350})
    assert "CF301" in str(err.value) and "superficial_reflux_ms" in str(err.value)


def test_every_problem_is_reported_not_only_the_first(tmp_path: Path) -> None:
    folder = write_rules(tmp_path / "r", [
        {"id": "TEST_ONE", "title": "one", "when": {"veins.ceap": {"gte": 2}},
         "claim": {"action": "compression_stocking", "status": "recommended"},
         "evidence": ["EV"]},
        {"id": "TEST_ONE", "title": "dup", "when": {"age": "old"},
         "claim": {"action": "exercise_therapy", "status": "recommended"}},
    ])
    with pytest.raises(RulebookError) as err:
        load_rulebook(folder)
    codes = [d.code for d in err.value.diagnostics]
    assert {"CF101", "CF102", "CF104", "CF201", "CF111"} <= set(codes)
    text = str(err.value)
    assert "did you mean 'veins.ceap_c'" in text
    assert "did you mean 'compression_stockings'" in text
    assert all(d.file.endswith("test.yaml") and d.line > 0 for d in err.value.diagnostics)


def test_a_finding_nobody_derives_is_an_error(tmp_path: Path) -> None:
    folder = write_rules(tmp_path / "r", [
        {"id": "TEST_USES", "title": "t", "when": {"finding": "venus_disease"},
         "claim": {"action": "exercise_therapy", "status": "recommended"}, "evidence": ["EV"]},
        {"id": "TEST_MAKES", "title": "t", "when": {"age": {"gte": 1}},
         "derive": "venous_disease"},
    ])
    with pytest.raises(RulebookError) as err:
        load_rulebook(folder)
    assert "CF106" in str(err.value) and "venous_disease" in str(err.value)


def test_every_rule_compiles_to_positive_branches_and_exclusions_to_refutations() -> None:
    book = load_rulebook(RULES)
    program = book.program
    fire = {p.rule for p in program.productions if p.role == "fire"}
    assert fire == set(book.rules) - {r for r in book.rules if not program.by_rule(r, "fire")}
    # a contraindication is traced when it is refuted, gated by its item where nothing else
    # needs its refutation; a rule offering a treatment is not (`considered` reads its fire
    # branches)
    refuted = program.by_rule("SELF_PAY_EXOSOME_NOT_WITH_ACTIVE_INFECTION", "false")
    assert refuted and all(any(n.kind == "item" and not n.absent for n, _ in p.uses)
                           for p in refuted)
    assert "VEIN_THERMAL_ABLATION" in book.offering
    assert not program.by_rule("KNEE_EXERCISE", "false")
    # "not qualifies" reads a decided fact: the falsity of every rule that could make it
    nodes = [p for p in program.productions if p.role == "node"
             and p.node is not None and p.node.name == "knee_oa"]
    assert len(nodes) == 1 and all(n.kind == "rule" for n, _ in nodes[0].uses)


def test_rules_folder_missing_or_empty(tmp_path: Path) -> None:
    with pytest.raises(RulebookError):
        load_rulebook(tmp_path / "nope")
    (tmp_path / "empty").mkdir()
    with pytest.raises(RulebookError):
        load_rulebook(tmp_path / "empty")


def test_a_copy_of_the_rules_with_a_yaml_error_points_at_the_line(tmp_path: Path) -> None:
    folder = tmp_path / "rules"
    shutil.copytree(RULES, folder)
    path = folder / "knee.yaml"
    lines = path.read_text().splitlines()
    n = next(i for i, line in enumerate(lines) if line.startswith("    when: {"))
    lines[n] = lines[n] + " ]["  # breaks a flow mapping (on a plain-text line it would still parse)
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(RulebookError) as err:
        load_rulebook(folder)
    first = err.value.diagnostics[0]
    assert first.code == "CF001" and first.file.endswith("knee.yaml") and first.line >= n + 1


# --- typed parameters ---------------------------------------------------------------------
@pytest.mark.parametrize(("value", "message"), [
    ("soon", "must be a whole number (got 'soon')"),
    (8.9, "must be a whole number (got 8.9)"),
    (float("inf"), "must be a finite number"),
    ([12], "must be a whole number (got [12])"),
    (-3, "must be >= 1 (got -3)"),
    (True, "must be a whole number (got True)"),
])
def test_a_bad_override_is_refused_with_the_value(value: object, message: str) -> None:
    with pytest.raises(RulebookError) as err:
        load_rulebook(RULES, {"review_after_weeks": value})
    (problem,) = err.value.diagnostics
    assert problem.code == "CF302" and message in problem.message
    assert "review_after_weeks" in problem.message


def test_a_number_the_engine_would_misread_is_refused_at_load() -> None:
    with pytest.raises(RulebookError, match="without an exponent"):
        load_rulebook(RULES, {"stockings_abi_absolute": 0.00001})


def test_a_whole_number_written_with_a_fraction_is_that_number() -> None:
    from careflow import evaluate, read_patient

    book = load_rulebook(RULES, {"review_after_weeks": 8.0})
    plan = evaluate(read_patient(RULES.parent / "examples" / "two-legs.yaml"), book)
    assert plan.review_after_weeks == 8


def test_every_shipped_parameter_declares_its_type(tmp_path: Path) -> None:
    book = load_rulebook(RULES)
    for name, param in book.parameter_sources.items():
        assert param.type in ("integer", "number", "text", "boolean"), name
        if param.type in ("integer", "number"):
            assert param.minimum is not None and param.maximum is not None, name


@pytest.mark.parametrize(("command", "code"), [("check", 1), ("plan", 3)])
def test_the_command_line_refuses_a_bad_parameter_file(tmp_path: Path, command: str,
                                                      code: int) -> None:
    from typer.testing import CliRunner

    from careflow.cli import app

    params = tmp_path / "clinic.yaml"
    params.write_text("parameters:\n  review_after_weeks: soon\n")
    args = ["check", "--params", str(params)] if command == "check" else [
        "plan", str(RULES.parent / "examples" / "two-legs.yaml"), "--params", str(params)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == code, result.output
    assert "CF302" in result.output and "review_after_weeks" in result.output
    assert "Traceback" not in result.output


# --- named criteria -----------------------------------------------------------------------
def test_a_criterion_reads_as_if_its_condition_stood_in_the_rule(tmp_path: Path) -> None:
    named = load_rulebook(write_rules(tmp_path / "named", [
        {"id": "TEST_VARICOSE", "title": "t", "when": {"not": {"criterion": "varicose"}},
         "derive": "venous_disease"}], define={"varicose": {"veins.ceap_c": {"gte": 2}}}))
    inline = load_rulebook(write_rules(tmp_path / "inline", [
        {"id": "TEST_VARICOSE", "title": "t", "when": {"not": {"veins.ceap_c": {"gte": 2}}},
         "derive": "venous_disease"}]))
    from careflow import logic

    for form in (logic.positive, logic.negative):  # the same condition, wherever written
        assert form(named.rules["TEST_VARICOSE"].when) == form(inline.rules["TEST_VARICOSE"].when)


def test_a_criterion_is_checked_in_the_scope_of_the_rule_that_reads_it(tmp_path: Path) -> None:
    folder = write_rules(tmp_path / "r", [
        {"id": "TEST_WHOLE", "title": "t", "scope": "patient",
         "when": {"criterion": "varicose"}, "derive": "obesity"}],
        define={"varicose": {"veins.ceap_c": {"gte": 2}}})
    with pytest.raises(RulebookError, match="CF108"):
        load_rulebook(folder)


def test_a_criterion_defined_through_itself_is_refused(tmp_path: Path) -> None:
    folder = write_rules(tmp_path / "r", [
        {"id": "TEST_LOOP", "title": "t", "when": {"criterion": "a"}, "derive": "obesity"}],
        define={"a": {"criterion": "b"}, "b": {"any": [{"age": {"gte": 1}},
                                                      {"criterion": "a"}]}})
    with pytest.raises(RulebookError, match="CF206 criterion 'a' refers to itself: a -> b -> a"):
        load_rulebook(folder)


@pytest.mark.parametrize("rule", [
    {"id": "TEST_OLD_CLAIM", "title": "t", "when": {"age": {"gte": 1}},
     "claim": {"action": "weight_management", "status": "recommended", "side": "patient"}},
    {"id": "TEST_OLD_DERIVE", "title": "t", "when": {"age": {"gte": 1}},
     "derive": {"finding": "obesity", "for": "patient"}},
])
def test_scope_is_the_one_word_for_where_it_belongs(tmp_path: Path, rule: dict[str, Any]
                                                   ) -> None:
    with pytest.raises(RulebookError, match=r"CF003 unknown key '(side|for)'.*write scope: "
                                            r"patient"):
        load_rulebook(write_rules(tmp_path / "r", [rule]))
    rule = dict(rule)
    for key in ("claim", "derive"):
        if key in rule:
            body = {k: v for k, v in dict(rule[key]).items() if k not in ("side", "for")}
            rule[key] = {**body, "scope": "patient"}
    assert load_rulebook(write_rules(tmp_path / "ok", [rule]))
