"""The durable-rules adapter: sessions, batches, forward chaining, failing closed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from careflow import EngineError, RulebookError, _engine, load_rulebook
from careflow.evaluate import run_engine
from careflow.logic import Test as Atom
from careflow.rulebook.program import Node

from .helpers import patient, write_rules


def chain_rules(tmp_path: Path) -> Any:
    """Three rules: a finding derived from a fact, a second finding from the first (same
    stratum, joined in the session), and a claim that uses the second under `not`."""
    return load_rulebook(write_rules(tmp_path / "chain", [
        {"id": "TEST_FIRST", "title": "first", "when": {"veins.ceap_c": {"gte": 2}},
         "derive": "first"},
        {"id": "TEST_SECOND", "title": "second", "when": {"finding": "first"},
         "derive": "second"},
        {"id": "TEST_CLAIM", "title": "claim", "when": {"finding": "second"},
         "claim": {"action": "compression_stockings", "status": "recommended"},
         "evidence": ["EV"]},
        {"id": "TEST_NOT", "title": "not", "when": {"not": {"finding": "second"}},
         "claim": {"action": "duplex_ultrasound", "status": "recommended"}},
    ]))


def _fired(trace: Any) -> list[str]:
    return [p.rule for p, _ in trace.firings if p.role == "fire"]


def test_derived_facts_are_asserted_and_consumed_in_the_same_session(tmp_path: Path) -> None:
    book = chain_rules(tmp_path)
    trace = run_engine(book, patient(legs=[{"side": "right", "veins": {"ceap_c": 3}}]))
    assert {"TEST_FIRST", "TEST_SECOND", "TEST_CLAIM"} <= set(_fired(trace))
    assert "TEST_NOT" not in _fired(trace)
    assert (Node("finding", "second", "leg"), "right") in trace.made


def test_not_means_definitely_false(tmp_path: Path) -> None:
    book = chain_rules(tmp_path)
    trace = run_engine(book, patient(legs=[{"side": "right", "veins": {"ceap_c": 1}}]))
    assert _fired(trace) == ["TEST_NOT"]


def test_not_of_an_unknown_is_unknown_and_fires_nothing(tmp_path: Path) -> None:
    book = chain_rules(tmp_path)
    trace = run_engine(book, patient(legs=[{"side": "right"}]))  # no CEAP class: unknown
    assert _fired(trace) == []


def test_sessions_are_fresh_and_deleted(tmp_path: Path) -> None:
    book = chain_rules(tmp_path)
    a = run_engine(book, patient(id="patient-332789",
                                 legs=[{"side": "right", "veins": {"ceap_c": 3}}]))
    b = run_engine(book, patient(id="patient-529192",
                                 legs=[{"side": "right", "veins": {"ceap_c": 0}}]))
    assert "TEST_CLAIM" in _fired(a)
    assert _fired(b) == ["TEST_NOT"]


def test_an_error_inside_a_rule_action_fails_the_evaluation(tmp_path: Path,
                                                            monkeypatch: Any) -> None:
    book = chain_rules(tmp_path)

    def broken(self: Any, index: int, entity: int) -> None:
        raise RuntimeError(f"boom in production {index}")

    monkeypatch.setattr(_engine._Session, "fire", broken)
    with pytest.raises(EngineError, match="boom"):
        run_engine(book, patient(legs=[{"side": "right", "veins": {"ceap_c": 3}}]))
    monkeypatch.undo()
    ok = run_engine(book, patient(legs=[{"side": "right", "veins": {"ceap_c": 3}}]))
    assert "TEST_CLAIM" in _fired(ok)


def test_register_is_idempotent(tmp_path: Path) -> None:
    program = chain_rules(tmp_path).program
    _engine.register(program)
    _engine.register(program)
    assert program.name in _engine._REGISTERED


def test_a_number_the_engine_misreads_raises_engine_error(tmp_path: Path) -> None:
    """The engine refuses rule JSON with an exponent (error 204) at evaluation time: the
    rule set is refused when it loads (CF207, `careflow check`), with the number and the
    rule, and the adapter still refuses it at registration."""
    folder = write_rules(tmp_path / "exp", [
        {"id": "TEST_TINY", "title": "tiny", "when": {"abi": {"gt": 0.00001}},
         "claim": {"action": "duplex_ultrasound", "status": "recommended"}}])
    with pytest.raises(RulebookError) as caught:
        load_rulebook(folder)
    assert [(d.code, d.rule) for d in caught.value.diagnostics] == [("CF207", "TEST_TINY")]
    assert "1e-05" in caught.value.diagnostics[0].message
    with pytest.raises(EngineError, match="1e-05"):
        _engine._test(Atom("abi", "gt", 0.00001), "k0")
