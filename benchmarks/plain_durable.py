"""What the owner would write with durable-rules alone (issue 13, item 6): the baseline for
"how much does careflow's justification cost over plain durable-rules?".

A plain durable-rules program, written the way durable-rules' documentation and
docs/engine.md describe, with none of careflow's machinery:

- ONE `durable.engine.Host` subclass per process (never `durable.lang`'s global host) whose
  `get_action` returns ordinary Python callables, and whose `_run` starts no timer threads
  (the notes: they are only needed for timers, and race with synchronous use);
- the rules registered once with `set_rulesets` (from a deep copy: it deletes `run`);
- per patient: the patient's facts (one fact for the patient, one per leg, every known value
  under a flat key, unknown values left out) asserted as ONE `assert_facts` batch through
  durable's own Python layer, which runs every action itself (its `Closure` objects, the
  state written back after each action, the next action decoded from JSON);
- each rule's action is a Python function that records its result in the normal durable way
  (`c.m` read for the matched fact, the result appended to the session's outcome);
- a catch-all rule (lowest priority) so that no fact is "unhandled", and the session
  deleted in `finally`.

There is no justification at all: no reasons, no refutations, no trace beyond (rule, side)
pairs, no plan. The rules are careflow's own compiled productions reduced to what a plain
rule would test, the entity's own facts (derived findings are not chained): first every
`fire` production's tests (what makes a rule true); then, to fire about as many rules per
patient as careflow's engine fires productions per plan, the `false` productions' tests (what
shows that a contraindication does not apply), in program order, and if that is still too
few, the productions that test no fact of their own (pure joins of derived facts, which as a
plain rule match every entity of their kind), until the mean firings over the tuning
patients reach the target (`choose`).

    python benchmarks/plain_durable.py      # firings and plans/s against careflow
"""

from __future__ import annotations

import copy
import itertools
import math
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from durable import engine as dr

from careflow import logic
from careflow.facts import entities
from careflow.model import Patient
from careflow.rulebook import Rulebook
from careflow.rulebook.program import Production

CATCH_ALL = "catch_all"
Outcome = list[tuple[str, str | None]]  # (rule id, side) of every firing


class PlainHost(dr.Host):  # type: ignore[misc]  # durable-rules has no types: Host is Any
    """durable-rules' Host with actions looked up by name in a table of Python callables."""

    def __init__(self) -> None:
        self.actions: dict[str, Callable[[Any], None]] = {}
        super().__init__()

    def _run(self) -> None:  # no timer threads: nothing here uses timers (see the notes)
        return None

    def get_action(self, action_name: str) -> Callable[[Any], None]:
        return self.actions[action_name]


_HOST: PlainHost | None = None


def host() -> PlainHost:
    """The process's one host for the plain program (careflow's adapter keeps its own)."""
    global _HOST  # noqa: PLW0603 - one Host per process, as careflow keeps it
    if _HOST is None:
        _HOST = PlainHost()
    return _HOST


def key(fact: str) -> str:
    """A flat JSON key for a fact name (a dot would be a nested path to durable-rules)."""
    return fact.replace(".", "_")


def condition(test: logic.Test, k: str) -> dict[str, Any]:
    """One test on the key `k` as a durable-rules expression: a missing key is an unknown
    value and matches no comparison; "known and != x" needs `$ex` because `$neq` matches a
    missing key."""
    op, value = test.op, test.value
    if op == "known":
        return {"$ex": {k: 1}} if value else {"$nex": {k: 1}}
    if op == "unknown":
        return {"$nex": {k: 1}} if value else {"$ex": {k: 1}}
    if op == "eq":
        return {k: value}
    if op == "in":
        return {"$or": [{k: x} for x in value]} if len(value) > 1 else {k: value[0]}
    if op in ("ne", "not_in"):
        values = value if op == "not_in" else (value,)
        return {"$and": [{"$ex": {k: 1}}, *({"$neq": {k: x}} for x in values)]}
    return {{"lt": "$lt", "lte": "$lte", "gt": "$gt", "gte": "$gte"}[op]: {k: value}}


def _holds(p: Production, attrs: dict[str, Any]) -> bool:
    return all(logic.holds(t.op, attrs.get(t.fact), t.value) for t in p.tests)


def choose(book: Rulebook, patients: Sequence[Patient], target: float) -> list[Production]:
    """The productions whose tests become plain rules: every `fire` production with a test,
    then `false` productions with a test, then the productions without a test, in program
    order, until the mean number of rules that hold per patient (tests only, on the
    patients' entities) reaches `target`."""
    ents = [entities(p, book.program.facts) for p in patients]
    prods = book.program.productions
    fire = [p for p in prods if p.tests and p.role == "fire"]
    rest = [p for p in prods if p.tests and p.role == "false"] + [p for p in prods
                                                                  if not p.tests]

    def mean_firings(prods: Sequence[Production]) -> float:
        return statistics.mean(sum(1 for p in prods for e in es
                                   if e.kind == p.scope and _holds(p, e.attrs)) for es in ents)

    chosen = list(fire)
    total = mean_firings(chosen)
    for p in rest:
        if total >= target:
            break
        chosen.append(p)
        total += mean_firings([p])
    return chosen


@dataclass
class PlainProgram:
    """A registered plain durable-rules program and what it needs per patient."""

    name: str
    rules: dict[str, tuple[str, str]]  # durable rule name -> (careflow rule id, role)
    facts: frozenset[str]  # the fact names its rules test
    keys: dict[str, str] = field(default_factory=dict)  # fact name -> flat key
    outcome: dict[str, Outcome] = field(default_factory=dict)  # sid -> firings so far
    sids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def evaluate(self, patient: Patient) -> Outcome:
        """One patient: one assert_facts batch, durable's own action loop, the session
        deleted. Returns the (rule id, side) pairs that fired."""
        sid = f"p{next(self.sids)}"
        keys = self.keys
        batch = []
        for ent in entities(patient, self.facts):
            fact: dict[str, Any] = {"sid": sid, "t": ent.kind}
            if ent.side is not None:
                fact["side"] = ent.side
            for name, value in ent.attrs.items():
                if value is not None:
                    fact[keys[name]] = value
            batch.append(fact)
        out: Outcome = []
        self.outcome[sid] = out
        h = host()
        try:
            h.assert_facts(self.name, batch)
        finally:
            del self.outcome[sid]
            h.delete_state(self.name, sid)
        return out


_NAMES = itertools.count(1)


def build(book: Rulebook, productions: Sequence[Production],
          short_keys: bool = False) -> PlainProgram:
    """Register the productions' tests as ordinary durable-rules rules (one per production)
    with Python actions, and a catch-all. `short_keys` names the facts `k0`, `k1`, ...
    instead of their readable names (a sensitivity check: durable-rules hands every action
    the whole matched fact as JSON, so its cost grows with the keys' length)."""
    name = f"plain_durable_{next(_NAMES)}"
    h = host()
    definition: dict[str, Any] = {}
    rules: dict[str, tuple[str, str]] = {}
    program = PlainProgram(name, rules, frozenset(t.fact for p in productions for t in p.tests))
    program.keys = {f: f"k{i}" if short_keys else key(f)
                    for i, f in enumerate(sorted(program.facts))}
    if len(set(program.keys.values())) != len(program.keys):
        raise ValueError("two fact names share a flat key")

    for p in productions:
        for t in p.tests:
            for x in t.value if isinstance(t.value, (list, tuple)) else (t.value,):
                if isinstance(x, float) and ("e" in repr(x) or not math.isfinite(x)):
                    raise ValueError(f"durable-rules misreads the number {x!r}")
        rule_name = f"{name}_r{p.index}"
        rules[rule_name] = (p.rule, p.role)
        tests = [condition(t, program.keys[t.fact]) for t in p.tests]
        definition[rule_name] = {
            "all": [{"m": {"$and": [{"t": p.scope}, *tests]} if tests else {"t": p.scope}}],
            "run": rule_name}
        h.actions[rule_name] = _action(program, p.rule)
    definition[f"{name}_{CATCH_ALL}"] = {"all": [{"m": {"$ex": {"t": 1}}}], "pri": 65535,
                                        "run": CATCH_ALL}
    h.actions[CATCH_ALL] = _nothing
    h.set_rulesets({name: copy.deepcopy(definition)})
    return program


def _action(program: PlainProgram, rule: str) -> Callable[[Any], None]:
    outcome = program.outcome

    def action(c: Any) -> None:
        outcome[c.s.sid].append((rule, c.m.side))
    return action


def _nothing(c: Any) -> None:
    return None


def plain_program(book: Rulebook, patients: Sequence[Patient], target: float,
                  short_keys: bool = False) -> PlainProgram:
    """The plain program tuned to fire about `target` rules per patient on `patients`."""
    return build(book, choose(book, patients, target), short_keys)


def engine_counts(program: PlainProgram, patient: Patient) -> dict[str, int]:
    """Actions the C core hands durable's Python layer for one patient (the catch-all's
    included) and the bytes of their messages."""
    from common import CountingCore

    core = dr.durable_rules_engine
    counts: dict[str, int] = {}
    dr.durable_rules_engine = CountingCore(core, counts)
    try:
        program.evaluate(patient)
    finally:
        dr.durable_rules_engine = core
    return counts


def main() -> None:
    import time

    from common import example_patients, rate

    from careflow.evaluate import evaluate, run_engine
    from careflow.rulebook import default_rulebook

    book = default_rulebook()
    patients = [p for _, p in example_patients()[0]]
    careflow_firings = statistics.mean(len(run_engine(book, p).firings) for p in patients)
    t0 = time.perf_counter()
    program = plain_program(book, patients, careflow_firings)
    took = time.perf_counter() - t0
    plain_firings = statistics.mean(len(program.evaluate(p)) for p in patients)
    print(f"{len(program.rules)} plain rules (+ catch-all), built and registered in "
          f"{took * 1000:.0f} ms")
    print(f"firings per patient: plain durable {plain_firings:.1f}, careflow "
          f"{careflow_firings:.1f} productions per plan")
    for _ in range(3):
        plain = rate(program.evaluate, patients, 1.0)[0]
        ours = rate(lambda p: evaluate(p, book), patients, 1.0)[0]
        print(f"plans/s: plain durable {plain:,.0f}, careflow evaluate() {ours:,.0f} "
              f"({ours / plain:.2f}x)")


if __name__ == "__main__":
    main()
