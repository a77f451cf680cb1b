"""The same compiled rules evaluated in plain Python, without durable-rules.

Two evaluators, both over the rule set careflow compiled (`book.program`, `book.rules`):

- `plain_run` (the one the ratio is taken against) is a lean forward-chaining loop over the
  neutral program's productions: every production is one conjunction of tests on one entity's
  facts and of derived facts, so after ordering the productions in strata (each after every
  production that emits a fact it reads, as the engine adapter does) one pass decides them
  all. It is what careflow would do with the engine replaced by a Python loop, and gives the
  same (production, entity) firings as `careflow._engine.run`, so the same `Trace` and
  `build_plan` make the same plan: the benchmark checks that they are byte-identical.
- `valuation_run` is the reference evaluator's way (`tests/oracle.py`, `Valuation`): every
  rule's condition evaluated as written with the three-valued algebra, to a fixpoint over the
  derived facts, and the productions then read off that valuation. It is `run_oracle`
  without the checks of every production against the valuation: slower, for reference.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from typing import Any

from careflow.evaluate import Trace, patient_entities
from careflow.model import Patient
from careflow.rulebook import Rulebook
from careflow.rulebook.program import Node, Program

Entity = tuple[str, str | None, dict[str, Any]]  # as careflow._engine.run takes them
Check = Callable[[dict[str, Any]], bool]

_CMP: dict[str, Callable[[Any, Any], bool]] = {
    "eq": operator.eq, "ne": operator.ne, "lt": operator.lt, "lte": operator.le,
    "gt": operator.gt, "gte": operator.ge,
    "in": lambda value, options: value in options,
    "not_in": lambda value, options: value not in options,
}


def _check(fact: str, op: str, operand: Any) -> Check:
    """One positive atom (careflow.logic.Test) as a closure over an entity's values: a
    comparison holds only on a known value; `known`/`unknown` test knowledge itself."""
    if op == "known":
        return (lambda a: a.get(fact) is not None) if operand else \
            (lambda a: a.get(fact) is None)
    if op == "unknown":
        return (lambda a: a.get(fact) is None) if operand else \
            (lambda a: a.get(fact) is not None)
    cmp = _CMP[op]

    def check(a: dict[str, Any]) -> bool:
        value = a.get(fact)
        return value is not None and cmp(value, operand)
    return check


Step = tuple[int, str, tuple[Check, ...], tuple[tuple[Node, bool, str], ...],
             tuple[tuple[Node, bool], ...]]
"""(production index, scope, tests, uses as (fact, absent, place), emits as (fact, on the
patient))."""


def _levels(program: Program) -> list[int]:
    makers: dict[Node, list[int]] = {}
    for p in program.productions:
        for node, _ in p.emits:
            makers.setdefault(node, []).append(p.index)
    level: dict[int, int] = {}

    def of(index: int) -> int:
        if index not in level:
            p = program.productions[index]
            level[index] = max((of(m) + 1 for node, _ in p.uses
                                for m in makers.get(node.base, [])), default=0)
        return level[index]

    return [of(p.index) for p in program.productions]


_STEPS: dict[str, tuple[Program, list[Step]]] = {}


def steps(program: Program) -> list[Step]:
    """The productions in stratum order, each as closures (cached per program)."""
    cached = _STEPS.get(program.name)
    if cached is not None and cached[0] is program:
        return cached[1]
    levels = _levels(program)
    out: list[Step] = []
    for p in sorted(program.productions, key=lambda p: (levels[p.index], p.index)):
        out.append((p.index, p.scope, tuple(_check(t.fact, t.op, t.value) for t in p.tests),
                    tuple((n.base, n.absent, place) for n, place in p.uses),
                    tuple((n, place == "patient") for n, place in p.emits)))
    _STEPS[program.name] = (program, out)
    return out


def plain_firings(program: Program, ents: Sequence[Entity]) -> list[tuple[int, int]]:
    """What careflow._engine.run returns, decided by a Python loop: (production, entity)."""
    legs = [side for kind, side, _ in ents if kind == "leg"]
    holds: set[tuple[Node, str | None]] = set()
    firings: list[tuple[int, int]] = []
    for index, scope, tests, uses, emits in steps(program):
        for e, (kind, side, attrs) in enumerate(ents):
            if kind != scope:
                continue
            ok = True
            for test in tests:
                if not test(attrs):
                    ok = False
                    break
            if not ok:
                continue
            for node, absent, place in uses:
                if place == "same":
                    there = (node, side) in holds
                elif place == "patient":
                    there = (node, None) in holds
                else:
                    there = all((node, s) in holds for s in legs)
                if there == absent:
                    ok = False
                    break
            if not ok:
                continue
            firings.append((index, e))
            for node, on_patient in emits:
                holds.add((node, None if on_patient else side))
    return firings


def plain_run(book: Rulebook, patient: Patient) -> Trace:
    """The trace of one evaluation by the plain-Python loop (same as careflow.evaluate's
    run_engine, with the engine replaced)."""
    ents = patient_entities(book, patient)
    return Trace.of(book, ents, plain_firings(book.program,
                                              [(e.kind, e.side, e.attrs) for e in ents]))


def valuation_run(book: Rulebook, patient: Patient) -> Trace:
    """The trace from the reference evaluator's Valuation (tests/oracle.py): the rules
    evaluated as written, the productions read off, no checks."""
    from tests.oracle import Valuation

    ents = patient_entities(book, patient)
    val = Valuation(book, ents)
    return Trace.of(book, ents, [(p.index, e) for p in book.program.productions
                                 for e in val.on(p.scope) if val.holds(p, e)])


def fired(trace: Trace) -> set[tuple[int, int]]:
    """The (production, entity) pairs of a trace: what the engine and plain Python must agree
    on."""
    return {(p.index, e) for p, e in trace.firings}
