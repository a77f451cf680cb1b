"""Fail closed (issue 4, item 6): an error inside the engine or inside a rule action surfaces
as a careflow EngineError, never as a partial or empty plan, and the engine works for the
next patient. Also: inputs that once took the whole process down (a segfault in the engine's
C core) now give a plan; these run in a subprocess, so a regression fails one test instead of
killing the test run.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import durable_rules_engine as engine_core  # the engine the adapter calls (no types)
import pytest
from typer.testing import CliRunner

from careflow import CareflowError, EngineError, _engine, evaluate, parse_patient, read_patient
from careflow.cli import app
from careflow.evaluate import run_engine
from careflow.rulebook import default_rulebook
from tests.oracle import oracle_plan, run_oracle

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "two-legs.yaml"


def _patient() -> Any:
    return read_patient(EXAMPLE)


def _still_works() -> None:
    """After a fault: the next patients get exactly the oracle's plans."""
    book = default_rulebook()
    for path in sorted((ROOT / "examples").glob("*.yaml"))[:4]:
        patient = read_patient(path)
        assert evaluate(patient, book).to_json() == oracle_plan(book, patient).to_json()


def _firings() -> list[int]:
    """The productions that hold for the example, in canonical order."""
    return [p.index for p, _ in run_oracle(default_rulebook(), _patient()).firings]


Fire = _engine._Session.fire


# --- a fault inside a rule action --------------------------------------------------------
@pytest.mark.parametrize("at", ["first", "middle", "last"])
def test_a_failing_rule_action_fails_the_evaluation(monkeypatch: Any, at: str) -> None:
    fired = _firings()
    target = {"first": fired[0], "middle": fired[len(fired) // 2], "last": fired[-1]}[at]
    def fire(self: Any, index: int, entity: int) -> None:
        if index == target:
            raise RuntimeError(f"injected fault in {index}")
        Fire(self, index, entity)

    monkeypatch.setattr(_engine._Session, "fire", fire)
    result: Any = None
    with pytest.raises(EngineError, match=f"injected fault in {target}") as caught:
        result = evaluate(_patient())
    assert result is None
    assert isinstance(caught.value, CareflowError)
    monkeypatch.undo()
    _still_works()


def test_a_fault_in_every_action_of_many_evaluations_leaves_no_damage(monkeypatch: Any) -> None:
    """1,200 failing evaluations in a row: more than the engine's ~1,024 live sessions would
    allow if failed sessions were kept, each failing with actions still pending."""
    calls = {"n": 0}
    def fire(self: Any, index: int, entity: int) -> None:
        calls["n"] += 1
        if calls["n"] % 3 == 0:
            raise ValueError("every third firing fails")
        Fire(self, index, entity)

    monkeypatch.setattr(_engine._Session, "fire", fire)
    patient = _patient()
    failed = 0
    for _ in range(1_200):
        try:
            evaluate(patient)
        except EngineError:
            failed += 1
    assert failed == 1_200
    monkeypatch.undo()
    _still_works()


def test_a_firing_careflow_did_not_compile_fails_closed(monkeypatch: Any) -> None:
    book = default_rulebook()
    _engine.register(book.program)
    compiled = _engine._REGISTERED[book.program.name]
    first = _firings()[0]
    name = next(n for n, i in compiled.actions.items() if i == first)
    monkeypatch.delitem(compiled.actions, name)
    patients = [read_patient(path) for path in sorted((ROOT / "examples").glob("*.yaml"))]
    with pytest.raises(EngineError, match="did not assert"):  # noqa: PT012 - one of them fires it
        for each in patients:
            evaluate(each)
    monkeypatch.undo()
    _still_works()


def test_an_interrupt_inside_an_action_is_not_swallowed(monkeypatch: Any) -> None:
    def fire(self: Any, index: int, entity: int) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(_engine._Session, "fire", fire)
    with pytest.raises(KeyboardInterrupt):
        evaluate(_patient())
    monkeypatch.undo()
    _still_works()


# --- a fault inside the engine call --------------------------------------------------------
@pytest.mark.parametrize("call", ["assert_facts", "start_action_for_state",
                                  "complete_and_start_action"])
def test_a_failing_engine_call_fails_the_evaluation(monkeypatch: Any, call: str) -> None:
    real = getattr(engine_core, call)
    seen = {"n": 0}

    def broken(*args: Any) -> Any:
        seen["n"] += 1
        if seen["n"] == 3:  # not the first call: the session already holds facts
            raise RuntimeError(f"injected engine fault in {call}")
        return real(*args)

    monkeypatch.setattr(engine_core, call, broken)
    result: Any = None
    with pytest.raises(EngineError, match="injected engine fault") as caught:
        result = evaluate(_patient())
    assert result is None
    assert "Traceback" not in str(caught.value)
    monkeypatch.undo()
    _still_works()


def test_an_engine_that_reports_an_unhandled_batch_fails_closed(monkeypatch: Any) -> None:
    real = engine_core.assert_facts

    def unhandled(handle: Any, text: str) -> Any:
        _code, state = real(handle, text)
        return (1, state)  # ERR_EVENT_NOT_HANDLED

    monkeypatch.setattr(engine_core, "assert_facts", unhandled)
    with pytest.raises(EngineError, match="did not take"):
        evaluate(_patient())
    monkeypatch.undo()
    _still_works()


def test_the_command_exits_4_and_prints_no_plan(monkeypatch: Any) -> None:
    def fire(self: Any, index: int, entity: int) -> None:
        raise RuntimeError("injected fault")

    monkeypatch.setattr(_engine._Session, "fire", fire)
    result = CliRunner().invoke(app, ["plan", str(EXAMPLE), "--format", "json"])
    assert result.exit_code == 4
    assert result.stdout == ""
    assert "engine error" in result.output and "injected fault" in result.output
    assert "Traceback" not in result.output
    monkeypatch.undo()
    _still_works()


def test_run_engine_itself_fails_closed(monkeypatch: Any) -> None:
    """run_engine (used by the step library) raises too: no partial Run escapes."""
    monkeypatch.setattr(_engine._Session, "fire",
                        lambda self, i, e: (_ for _ in ()).throw(OSError("io")))
    with pytest.raises(EngineError):
        run_engine(default_rulebook(), _patient())


# --- inputs that used to crash the process -------------------------------------------------
CRASHERS = {
    # a one-leg patient on whom no rule fires: delete_state double-freed (catch-all with a
    # pattern that never matched)
    "nothing_fires": {"id": "P-EMPTY", "assessed_on": "2026-11-20", "age": 5, "sex": "male",
                      "legs": [{"side": "right"}]},
    # numbers Python writes with an exponent: the engine's JSON parser read `1e-05` as
    # garbage and the session corrupted memory
    "tiny_numbers": {"id": "P-TINY", "assessed_on": "2026-11-20", "age": 60, "sex": "male",
                     "egfr": 1e-05, "lifestyle": {"alcohol_drinks_per_week": 5e-324,
                                                  "standing_hours_per_day": 9e-05},
                     "legs": [{"side": "right", "abi": 1e-05,
                               "veins": {"symptoms": ["heaviness"], "ceap_c": 3,
                                         "duplex": {"gsv_reflux_ms": 1e-07,
                                                    "deep_reflux_ms": 5e-324}}}]},
}


@pytest.mark.parametrize("name", sorted(CRASHERS))
def test_inputs_that_crashed_the_engine_now_get_a_plan(tmp_path: Path, name: str) -> None:
    doc = tmp_path / f"{name}.json"
    doc.write_text(json.dumps(CRASHERS[name]))
    cli = subprocess.run([sys.executable, "-m", "careflow.cli", "plan", str(doc), "--format",
                          "json"], capture_output=True, text=True, timeout=120, check=False)
    assert cli.returncode == 0, f"exit {cli.returncode}: {cli.stderr[-1500:]}"
    assert json.loads(cli.stdout)["patient_id"] == CRASHERS[name]["id"]
    # heap damage may show only at a later free: many evaluations in one process
    code = ("import sys; from careflow import read_patient, evaluate; "
            "p = read_patient(sys.argv[1]); plans = {evaluate(p).to_json() for _ in range(300)}; "
            "print(len(plans))")
    loop = subprocess.run([sys.executable, "-c", code, str(doc)], capture_output=True,
                          text=True, timeout=300, check=False)
    assert loop.returncode == 0, f"exit {loop.returncode}: {loop.stderr[-1500:]}"
    assert loop.stdout.strip() == "1"
    book = default_rulebook()
    patient = parse_patient(CRASHERS[name])
    assert evaluate(patient, book).to_json() == oracle_plan(book, patient).to_json()
