"""Loader, whole-set validation and compiler."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from careflow import RulebookError, load_rulebook
from careflow.rulebook.compile import attr_key

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


def test_negation_puts_a_rule_in_a_later_stratum_and_joins_stay_in_the_same() -> None:
    book = load_rulebook(RULES)
    candidate = book.rules["VEIN_ENDOVENOUS_CANDIDATE"]
    next_step = book.rules["VEIN_ENDOVENOUS_NEXT_STEP"]
    qualifies = book.rules["VEIN_ENDOVENOUS_QUALIFIES"]
    assert [j.ref.name for j in qualifies.joins] == ["endovenous_candidate"]
    assert qualifies.stratum >= candidate.stratum
    assert next_step.stratum > qualifies.stratum  # "not qualifies" must be complete first
    refs = book.attr_refs[next_step.stratum]
    assert "f__endovenous_qualifies" in {attr_key(r) for r in refs}


def test_engine_definition_is_plain_data_with_the_stratum_and_scope() -> None:
    book = load_rulebook(RULES)
    rule = book.rules["SAFETY_SUSPECTED_DVT"]
    entity = rule.engine["all"][0]["e"]["$and"]
    assert entity[0] == {"t": "leg"} and entity[1] == {"st": rule.stratum}
    assert "run" not in rule.engine  # the adapter adds it on a copy


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
