"""The engine's silent limits (docs/engine.md): `careflow check` refuses what durable-rules
cannot run correctly (CF207), and a rule set at each limit runs correctly (issue 14, item 7,
"engine limits that corrupt silently")."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from careflow import RulebookError, _engine, evaluate, load_rulebook, read_patient

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "vascular-knee-pain.yaml"  # right leg CEAP 2
EVIDENCE = ROOT / "tests" / "fixtures" / "bad_rules" / "CF110_unknown_evidence" / "evidence.yaml"


def _folder(tmp_path: Path, rules: list[tuple[str, str, str]]) -> Path:
    """A rules folder of (id, condition, derived finding) rules."""
    folder = tmp_path / "rules"
    folder.mkdir(parents=True)
    shutil.copy(EVIDENCE, folder / "evidence.yaml")
    lines = ["area: test", "title: limits", "rules:"]
    for rid, when, derive in rules:
        lines += [f"  - id: {rid}", f"    title: {rid.lower()}", f"    when: {when}",
                  f"    derive: {derive}", "    evidence: [TEST_SOURCE]"]
    (folder / "test.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def _chain(n: int) -> list[tuple[str, str, str]]:
    return [(f"TEST_F{i}", "{veins.ceap_c: {gte: 2}}" if i == 0 else f"{{finding: f{i - 1}}}",
             f"f{i}") for i in range(n)]


def _refused(folder: Path, fragment: str) -> None:
    with pytest.raises(RulebookError) as caught:
        load_rulebook(folder)
    found = [d for d in caught.value.diagnostics if d.code == "CF207"]
    assert found and fragment in found[0].message, caught.value.diagnostics
    assert found[0].file.endswith("test.yaml") and found[0].line >= 1


def _derived(folder: Path) -> set[str]:
    plan = evaluate(read_patient(EXAMPLE), load_rulebook(folder))
    return {f.name for f in plan.findings if f.side == "right"}


def test_a_chain_at_the_limit_runs_and_one_longer_is_refused(tmp_path: Path) -> None:
    n = _engine.MAX_STRATA
    assert f"f{n - 1}" in _derived(_folder(tmp_path / "at", _chain(n)))
    _refused(_folder(tmp_path / "over", _chain(n + 1)), f"a chain of {n + 1} derived facts")


def test_too_many_engine_rules_are_refused(tmp_path: Path) -> None:
    rules = [(f"TEST_R{i}", "{veins.ceap_c: {gte: 2}}", f"r{i}")
             for i in range(_engine.MAX_PRODUCTIONS + 1)]
    _refused(_folder(tmp_path, rules), "engine rules; the engine registers at most")


def _wide(n: int) -> list[tuple[str, str, str]]:
    """n findings, and one rule that needs all of them."""
    rules = [(f"TEST_W{i}", "{veins.ceap_c: {gte: 2}}", f"w{i}") for i in range(n)]
    every = ", ".join(f"{{finding: w{i}}}" for i in range(n))
    return [*rules, ("TEST_ALL", f"{{all: [{every}]}}", "all_of_them")]


def test_a_condition_at_the_property_limit_runs_and_one_wider_is_refused(
        tmp_path: Path) -> None:
    n = _engine.MAX_PROPERTIES - 3  # h, g and sid ride on every entity copy
    assert "all_of_them" in _derived(_folder(tmp_path / "at", _wide(n)))
    _refused(_folder(tmp_path / "over", _wide(n + 1)), "the engine holds at most")


def test_groups_are_cut_before_their_copies_carry_too_many_names(tmp_path: Path) -> None:
    # 40 rules, each needing 8 findings of its own: 320 names for one group of 32 rules
    rules = [(f"TEST_B{i}", "{veins.ceap_c: {gte: 2}}", f"b{i}") for i in range(320)]
    for j in range(40):
        needs = ", ".join(f"{{finding: b{8 * j + k}}}" for k in range(8))
        rules.append((f"TEST_C{j}", f"{{all: [{needs}]}}", f"c{j}"))
    folder = _folder(tmp_path, rules)
    book = load_rulebook(folder)
    compiled, _ = _engine._translate(book.program)
    widths = [3 + len(g.facts) + len(g.nodes) for groups in compiled.strata for g in groups]
    assert max(widths) <= _engine.MAX_PROPERTIES
    assert {f"c{j}" for j in range(40)} <= _derived(folder)


@pytest.mark.parametrize("text, value", [("", 0x811C9DC5), ("a", 0xE40C292C),
                                         ("foobar", 0xBF9CF968)])
def test_the_engine_hash_is_fnv1a(text: str, value: int) -> None:
    assert _engine.fnv1a32(text) == value


def test_the_shipped_rules_are_well_inside_every_limit() -> None:
    from careflow.rulebook import default_rulebook

    program = default_rulebook().program
    assert _engine.limits(program) == []
    assert len(program.productions) < _engine.MAX_PRODUCTIONS // 2
    assert max(_engine._strata(program)) + 1 < _engine.MAX_STRATA // 4


@pytest.mark.parametrize("name", ["静脈瘤", "", "Venous", "venous-disease"])
def test_a_finding_name_must_be_snake_case_ascii(tmp_path: Path, name: str) -> None:
    folder = _folder(tmp_path, [("TEST_N", "{veins.ceap_c: {gte: 2}}", f'"{name}"')])
    with pytest.raises(RulebookError) as caught:
        load_rulebook(folder)
    assert any(d.code == "CF109" and "snake_case ASCII" in d.message
               for d in caught.value.diagnostics), caught.value.diagnostics
