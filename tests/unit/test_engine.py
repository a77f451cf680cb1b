"""The durable-rules adapter: sessions, batches, forward chaining, failing closed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from careflow import EngineError, load_rulebook
from careflow import _engine
from careflow.evaluate import Run, run_engine

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


def test_derived_facts_are_asserted_and_consumed_in_the_same_session(tmp_path: Path) -> None:
    book = chain_rules(tmp_path)
    assert book.rules["TEST_SECOND"].stratum == book.rules["TEST_FIRST"].stratum
    run = run_engine(book, patient(legs=[{"side": "right", "veins": {"ceap_c": 3}}]))
    fired = [f.rule.id for f in run.firings]
    assert fired.index("TEST_FIRST") < fired.index("TEST_SECOND") < fired.index("TEST_CLAIM")
    assert "TEST_NOT" not in fired
    assert ("finding", "second", "right") in run.made


def test_negation_sees_the_complete_lower_stratum(tmp_path: Path) -> None:
    book = chain_rules(tmp_path)
    run = run_engine(book, patient(legs=[{"side": "right", "veins": {"ceap_c": 1}}]))
    assert [f.rule.id for f in run.firings] == ["TEST_NOT"]


def test_sessions_are_fresh_and_deleted(tmp_path: Path) -> None:
    book = chain_rules(tmp_path)
    a = run_engine(book, patient(id="patient-332789",
                                 legs=[{"side": "right", "veins": {"ceap_c": 3}}]))
    b = run_engine(book, patient(id="patient-529192", legs=[{"side": "right"}]))
    assert "TEST_CLAIM" in {f.rule.id for f in a.firings}
    assert {f.rule.id for f in b.firings} == {"TEST_NOT"}


def test_an_error_inside_a_rule_action_fails_the_evaluation(tmp_path: Path,
                                                            monkeypatch: Any) -> None:
    book = chain_rules(tmp_path)

    def broken(self: Run, rule_id: str, matched: Any) -> Any:
        raise RuntimeError("boom in " + rule_id)

    monkeypatch.setattr(Run, "sink", broken)
    with pytest.raises(EngineError, match="boom"):
        run_engine(book, patient(legs=[{"side": "right", "veins": {"ceap_c": 3}}]))
    monkeypatch.undo()
    ok = run_engine(book, patient(legs=[{"side": "right", "veins": {"ceap_c": 3}}]))
    assert "TEST_CLAIM" in {f.rule.id for f in ok.firings}


def test_register_is_idempotent_and_does_not_mutate_its_input() -> None:
    rules = {"TEST_X": {"all": [{"e": {"t": "leg"}}], "pri": 1}}
    _engine.register("careflow_test_idempotent", rules)
    _engine.register("careflow_test_idempotent", rules)
    assert rules == {"TEST_X": {"all": [{"e": {"t": "leg"}}], "pri": 1}}


def test_a_definition_the_engine_refuses_raises_engine_error() -> None:
    with pytest.raises(EngineError):
        _engine.register("careflow_test_bad", {"TEST_BAD": {"all": "not a list"}})
