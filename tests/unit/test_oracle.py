"""Differential test: the durable-rules engine and the plain-Python oracle (tests/oracle.py)
give byte-identical plan JSON (issue 4, item 4; architecture point 5).

By default CAREFLOW_EXAMPLES generated patients (300); `-m slow` runs CAREFLOW_SLOW_EXAMPLES.
"""

from __future__ import annotations

import ast
import dataclasses
import difflib
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from hypothesis import Phase, given, settings

from careflow import _engine, evaluate, load_rulebook, parse_patient, read_patient
from careflow.evaluate import Trace, build_plan
from careflow.rulebook import default_rulebook
from tests.oracle import OracleError, oracle_plan, run_oracle

from .gen_patients import SLOW_EXAMPLES, as_yaml, examples, patients, require_slow

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))


def _canon(x: Any) -> Any:
    if isinstance(x, dict):
        return {k: _canon(v) for k, v in x.items()}
    if isinstance(x, list):
        return sorted((_canon(v) for v in x), key=lambda v: json.dumps(v, sort_keys=True))
    return x


def same_plan(doc: Any, engine_json: str, oracle_json: str) -> None:
    if engine_json == oracle_json:
        return
    order_only = _canon(json.loads(engine_json)) == _canon(json.loads(oracle_json))
    diff = "".join(list(difflib.unified_diff(
        engine_json.splitlines(True), oracle_json.splitlines(True), "engine", "oracle", n=2))[:80])
    raise AssertionError(
        ("the plans differ only in ORDER (the engine's agenda changed, or the plan depends on "
         "firing order)" if order_only else "the engine and the oracle disagree")
        + f"\n{diff}\npatient:\n{as_yaml(doc)}")


def check(doc: dict[str, Any]) -> None:
    book = default_rulebook()
    patient = parse_patient(doc)
    same_plan(doc, evaluate(patient, book).to_json(), oracle_plan(book, patient).to_json())


@examples()
@given(doc=patients())
def test_engine_and_oracle_agree_on_generated_patients(doc: dict[str, Any]) -> None:
    check(doc)


@examples(SLOW_EXAMPLES)
@given(doc=patients())
def _thousands(doc: dict[str, Any]) -> None:
    check(doc)


@pytest.mark.slow
def test_engine_and_oracle_agree_over_thousands(request: Any) -> None:
    require_slow(request)
    _thousands()


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_engine_and_oracle_agree_on_the_examples(path: Path) -> None:
    book = default_rulebook()
    patient = read_patient(path)
    same_plan(path.name, evaluate(patient, book).to_json(), oracle_plan(book, patient).to_json())


@pytest.mark.parametrize("value", [5e-324, 1e-05, 9e-05, 0.0001, 1.5e-05, 0.1 + 0.2,
                                   499.99999999999994, 500.00000000000006, 9999.999999999998])
def test_they_agree_on_numbers_the_engine_parser_finds_hard(value: float) -> None:
    """Tiny values and values next to a threshold, in every measured field at once."""
    doc = {"id": "P-NUM", "assessed_on": "2026-11-20", "age": 70, "sex": "male",
           "height_cm": 170, "weight_kg": 72.25, "egfr": min(value, 200.0),
           "lifestyle": {"alcohol_drinks_per_week": min(value, 200.0),
                         "standing_hours_per_day": min(value, 24.0)},
           "preferences": {"accepts_self_pay": True},
           "legs": [{"side": "right", "abi": min(value, 2.0),
                     "knee": {"pain_nrs": 6, "kl_grade": 2},
                     "veins": {"symptoms": ["heaviness"], "ceap_c": 3, "duplex": {
                         "gsv_reflux_ms": value, "ssv_reflux_ms": value,
                         "deep_reflux_ms": value, "gsv_diameter_mm": min(value, 40.0),
                         "ssv_diameter_mm": min(value, 40.0), "dvt": False}}}]}
    check(doc)


def _reversed(book: Any, trace: Any) -> Any:
    """The same firings, handed to the trace in the opposite order."""
    raw = [(p.index, e) for p, e in trace.firings]
    return Trace.of(book, trace.entities, list(reversed(raw)))


@settings(parent=examples(), phases=[Phase.explicit, Phase.generate])  # no shrinking
@given(doc=patients())
def test_the_plan_does_not_depend_on_firing_order(doc: dict[str, Any]) -> None:
    """Which rules fire does not depend on order; the plan should not either (then the oracle
    would not need to copy the engine's agenda). Firings replayed backwards, same plan."""
    book = default_rulebook()
    patient = parse_patient(doc)
    same_plan(doc, oracle_plan(book, patient).to_json(),
              build_plan(book, patient, _reversed(book, run_oracle(book, patient))).to_json())


def test_the_oracle_does_not_use_the_engine(monkeypatch: Any) -> None:
    source = (ROOT / "tests" / "oracle.py").read_text()
    imported = {n.module for n in ast.walk(ast.parse(source))
                if isinstance(n, ast.ImportFrom) and n.module} | {
        a.name for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Import)
        for a in n.names}
    assert not any(m.startswith(("durable", "careflow._engine")) for m in imported), imported

    def no_engine(*_a: Any, **_k: Any) -> Any:
        raise AssertionError("the oracle touched the engine")

    monkeypatch.setattr(_engine, "run", no_engine)
    patient = read_patient(EXAMPLES[0])
    assert run_oracle(default_rulebook(), patient).firings


def test_the_differential_test_catches_an_engine_that_drifts(tmp_path: Path) -> None:
    """Compile the rules, then corrupt ONE engine expression (the arterial review's ABI
    threshold 0.5 -> 0.9): the oracle, which reads the rule itself, disagrees."""
    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", rules)
    with (rules / "safety.yaml").open("a") as f:
        f.write("# a copy for the drift test (its own digest, its own engine rule set)\n")
    book = load_rulebook(rules)
    # corrupt the compiled program (what the engine runs), not the rule (what the oracle reads)
    program = book.program
    prods = [p for p in program.productions if p.rule == "SAFETY_ARTERIAL_REVIEW"
             and p.role == "fire"]
    assert any(t.value == 0.5 for p in prods for t in p.tests)
    drifted = tuple(dataclasses.replace(p, tests=tuple(
        dataclasses.replace(t, value=0.9) if t.value == 0.5 else t for t in p.tests))
        if p in prods else p for p in program.productions)
    book.program = dataclasses.replace(program, name=program.name + "_drift",
                                       productions=drifted)
    patient = parse_patient({"id": "P-DRIFT", "assessed_on": "2026-11-20", "age": 60,
                             "sex": "male", "legs": [{"side": "right", "abi": 0.7,
                                                       "veins": {"ceap_c": 0}}]})
    by_engine = evaluate(patient, book)
    assert by_engine.item("referral", "right") is not None  # the drifted engine refers
    with pytest.raises(OracleError, match="SAFETY_ARTERIAL_REVIEW"):
        oracle_plan(book, patient)  # the rule as written does not: caught
