"""A second evaluator, for differential testing: plain-Python forward chaining over the SAME
compiled rules the engine runs, independent of durable-rules (architecture point 5).

What it shares with careflow: the compiled Rulebook (each rule's resolved condition, its
outputs, its stratum, the finding scopes), the entity facts (careflow.facts.entities), the
plain-Python truth of a condition (careflow.rulebook.compile.holds) and, after the firings,
careflow.evaluate.build_plan (explainer + resolver). What it does NOT share: the engine, the
compiled engine expressions (`CompiledRule.engine`), the adapter and its sink.

Semantics (architecture.md, compile.py's docstring):
- strata run in order; a rule fires only in its own stratum, at most once per entity
  (the patient, then each leg in document order);
- a positive reference at the top of a rule (a finding or a claim) is a join: it is true as
  soon as some firing has produced that fact, in this stratum or an earlier one, so within a
  stratum the rules run to a fixpoint;
- every other reference (under `not` or `any`) is read as it stood when the stratum began;
  the oracle checks that stratification made it complete by then (else OracleError);
- an unknown value satisfies no comparison (`holds`).

Order. Which rules fire does not depend on order, but the plan's JSON does a little: a
finding made by two rules lists their reasons in firing order, and two firings of one rule
(two legs) contribute in firing order. So the oracle fires in the engine's agenda order,
measured on durable-rules 2.0.28 and documented here rather than taken from it: among the
activations ready now, the lowest `priority` first, then the rule defined first (the order
of `Rulebook.rules`, which is the order the rule set is registered in), then the newest
activation first: the one whose matched facts, newest first, entered the session later (the
last fact decides; on a tie, the next newest). If the plan ever stops depending on firing
order (it should: see the report of issue 4), this stays correct.
"""

from __future__ import annotations

from typing import Any

from careflow.evaluate import Firing, Run, build_plan
from careflow.facts import Entity, entities
from careflow.model import Patient
from careflow.plan import Plan
from careflow.rulebook import Rulebook
from careflow.rulebook.compile import CompiledRule, holds
from careflow.rulebook.schema import All, Any_, Cond, Not, Ref

Node = tuple[str, str, str | None]


class OracleError(AssertionError):
    """The rule set breaks an assumption the oracle relies on (unsound stratification)."""


def _node(book: Rulebook, ref: Ref, side: str | None) -> Node:
    """The derived fact a reference names, seen from an entity on `side` (None: patient)."""
    if ref.kind == "finding":
        return ("finding", ref.name, side if book.scopes.get(ref.name) == "leg" else None)
    return ("claim", ref.name, None if ref.patient else side)


def _produced(rule: CompiledRule, side: str | None) -> list[Node]:
    out: list[Node] = []
    for o in rule.rule.outputs:
        where = None if o.side == "patient" else side
        if o.effect == "derive":
            out.append(("finding", o.finding or "", where))
        elif o.effect == "claim":
            out.append(("claim", f"{o.action}:{o.status}", where))
    return out


def _split(when: Cond) -> tuple[list[Ref], list[Cond]]:
    items = list(when.items) if isinstance(when, All) else [when]
    return [c for c in items if isinstance(c, Ref)], [c for c in items if not isinstance(c, Ref)]


def _refs(cond: Cond) -> list[Ref]:
    if isinstance(cond, (All, Any_)):
        return [r for c in cond.items for r in _refs(c)]
    if isinstance(cond, Not):
        return _refs(cond.item)
    return [cond] if isinstance(cond, Ref) else []


def _entity_attrs(ent: Entity, stratum: int) -> dict[str, Any]:
    # What the engine's matched entity fact carries (less the session id).
    return {"t": ent.kind, "st": stratum, **ent.attrs}


def run_oracle(book: Rulebook, patient: Patient) -> Run:
    """The firings and derived facts of one evaluation, as careflow.evaluate.Run."""
    ents = entities(patient, book.used_keys)
    run = Run(book)
    made: dict[Node, list[int]] = run.made
    order = {rule_id: i for i, rule_id in enumerate(book.rules)}
    by_stratum: dict[int, list[CompiledRule]] = {}
    for rule in book.rules.values():
        by_stratum.setdefault(rule.stratum, []).append(rule)
    checks: list[tuple[Ref, str | None, bool, str]] = []  # attribute refs read at stratum start
    clock = 0
    born: dict[Node, int] = {}  # when each derived fact entered the session

    for stratum in range(book.strata):
        at_start = set(made)
        arrived = {i: clock + i for i in range(len(ents))}  # the stratum's batch, in order
        clock += len(ents)
        fired: set[tuple[str, int]] = set()
        while True:
            ready = []
            for rule in by_stratum.get(stratum, []):
                joins, rest = _split(rule.when)
                for e_index, ent in enumerate(ents):
                    if ent.kind != rule.rule.scope or (rule.id, e_index) in fired:
                        continue
                    if not all(_node(book, j, ent.side) in made for j in joins):
                        continue
                    attrs = _entity_attrs(ent, stratum)

                    def have(ref: Ref, side: str | None = ent.side,
                             known: set[Node] = at_start) -> bool:
                        return _node(book, ref, side) in known

                    if all(holds(c, attrs, have) for c in rest):
                        times = sorted([arrived[e_index]] + [
                            born[_node(book, j, ent.side)] for j in joins], reverse=True)
                        agenda = (rule.rule.priority, order[rule.id], [-t for t in times])
                        ready.append((agenda, rule, e_index, ent, attrs, rest))
            if not ready:
                break
            _agenda, rule, e_index, ent, attrs, rest = min(ready, key=lambda r: r[0])
            for c in rest:
                for ref in _refs(c):
                    checks.append((ref, ent.side, _node(book, ref, ent.side) in at_start,
                                   rule.id))
            fired.add((rule.id, e_index))
            index = len(run.firings)
            run.firings.append(Firing(rule, ent.side, attrs))
            for node in _produced(rule, ent.side):
                if node not in made:
                    born[node] = clock
                    clock += 1
                made.setdefault(node, []).append(index)
    for ref, side, seen, rule_id in checks:
        if (_node(book, ref, side) in made) != seen:
            raise OracleError(f"rule {rule_id} read {ref.kind} '{ref.name}' before it was "
                              "complete: the strata are unsound")
    return run


def oracle_plan(book: Rulebook, patient: Patient) -> Plan:
    """The plan the oracle's firings give, through careflow's own explainer and resolver."""
    return build_plan(book, patient, run_oracle(book, patient))
