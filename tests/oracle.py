"""The reference evaluator, for differential testing: the rule set evaluated directly with
the condition algebra (careflow.logic.truth), independent of durable-rules.

What it shares with careflow: the compiled Rulebook (each rule's resolved condition, its
outputs, the finding scopes, the neutral program), the entities (careflow.facts.entities)
and, after the run, careflow.evaluate.build_plan. What it does NOT share: the engine, its
adapter, and the normal forms as a way of deciding anything: every rule's truth comes from
evaluating its condition as written, to a fixpoint over the derived facts. The program's
productions are then only read off that valuation (which branch held), and each one is
checked against it: a `fire` branch holds exactly when its rule is TRUE, a `false` branch
exactly when it is FALSE, a `node` production exactly when its fact is FALSE. A mismatch is
a compiler bug (OracleError).
"""

from __future__ import annotations

from typing import Any

from careflow import logic
from careflow import vocabulary as v
from careflow.evaluate import Trace, build_plan, patient_entities
from careflow.facts import Entity
from careflow.logic import F, T, Truth, U
from careflow.model import Patient
from careflow.plan import Plan
from careflow.rulebook import Rulebook
from careflow.rulebook.compile import ref_level, refs
from careflow.rulebook.program import Node, Production
from careflow.rulebook.schema import Ref


class OracleError(AssertionError):
    """The compiled program disagrees with the direct evaluation of the rules."""


class Valuation:
    """Three-valued truth of every rule on every entity, and of every derived fact."""

    def __init__(self, book: Rulebook, ents: list[Entity]) -> None:
        self.book, self.ents = book, ents
        self.legs = [i for i, e in enumerate(ents) if e.kind == "leg"]
        self.rule: dict[tuple[str, int], Truth] = {}
        self.producers = book.makers
        # every rule after the rules behind the facts it reads (the rule set is acyclic),
        # so each rule is evaluated once, with everything it reads decided: that is also
        # what `unless:` (not TRUE) needs
        done: set[str] = set()
        order: list[str] = []

        def visit(rid: str) -> None:
            if rid in done:
                return
            done.add(rid)
            for ref in refs(book.rules[rid].when):
                for (kind, name, _level), makers in self.producers.items():
                    if (kind, name) == (ref.kind, ref.name):
                        for maker in makers:
                            visit(maker)
            order.append(rid)

        for rid in book.rules:
            visit(rid)
        for rid in order:
            cr = book.rules[rid]
            for e in self.on(cr.rule.scope):
                def value(fact: str, e: int = e) -> Any:
                    return ents[e].attrs[fact]

                def node(ref: Ref, r: str = rid, e: int = e) -> Truth:
                    return self.ref(r, ref, e)

                self.rule[(rid, e)] = logic.truth(cr.when, value, node)

    def on(self, scope: str) -> list[int]:
        return [i for i, e in enumerate(self.ents) if e.kind == scope]

    def ref(self, rid: str, ref: Ref, e: int) -> Truth:
        level = ref_level(self.book.rules[rid].rule.scope, ref, self.book.scopes)
        return self.fact(ref.kind, ref.name, level, e if level == "leg" else 0)

    def fact(self, kind: str, name: str, level: str, e: int) -> Truth:
        """A finding or claim at `level` on entity `e` (0, the patient, for patient level)."""
        values = []
        for rid in self.producers.get((kind, name, level), ()):
            scope = self.book.rules[rid].rule.scope
            if scope == level:
                values.append(self.rule.get((rid, e), U))
            else:  # a leg rule making a whole-patient fact: any leg
                values.extend(self.rule.get((rid, leg), U) for leg in self.legs)
        return logic.any_of(values)

    def node(self, node: Node, e: int) -> bool:
        """Does the atom `node` hold, seen on entity e?"""
        if node.absent:
            return not self.node(node.base, e)
        if node.kind == "rule":
            return self.rule.get((node.name, e), U) is F
        if node.kind == "item":  # some rule claims it recommended, an option or a next step
            return any(self.fact("claim", f"{node.name}:{status}", node.level,
                                 e if node.level == "leg" else 0) is T
                       for status in v.OFFERED)
        if node.partial:  # every leg rule that makes it is FALSE on this leg
            rules = [r for r in self.producers.get((node.kind, node.name, node.level), ())
                     if self.book.rules[r].rule.scope == "leg"]
            return all(self.rule.get((r, e), U) is F for r in rules)
        want = T if node.truth else F
        return self.fact(node.kind, node.name, node.level, e if node.level == "leg" else 0) \
            is want

    def holds(self, p: Production, e: int) -> bool:
        ent = self.ents[e]
        if not all(logic.holds(t.op, ent.attrs[t.fact], t.value) for t in p.tests):
            return False
        for node, place in p.uses:
            targets = [e] if place == "same" else [0] if place == "patient" else self.legs
            if not all(self.node(node, t) for t in targets):
                return False
        return True


def run_oracle(book: Rulebook, patient: Patient) -> Trace:
    """The trace of one evaluation, decided without the engine."""
    ents = patient_entities(book, patient)
    val = Valuation(book, ents)
    firings = []
    held: dict[tuple[str, str, int], bool] = {}
    for p in book.program.productions:
        for e in val.on(p.scope):
            if val.holds(p, e):
                firings.append((p.index, e))
                if p.role != "node":
                    held[(p.rule, p.role, e)] = True
            if p.role == "node":
                assert p.node is not None
                if val.holds(p, e) != val.node(p.node, e):
                    raise OracleError(f"node production for {p.node} disagrees on entity {e}")
    for (rid, e), value in val.rule.items():
        if held.get((rid, "fire", e), False) != (value is T):
            raise OracleError(f"{rid} is {value.value} on entity {e} but its fire branches "
                              "say otherwise")
        refuting = book.program.by_rule(rid, "false")
        gates = {(n, place) for p in refuting for n, place in p.uses if n.kind == "item"}
        gated = all(val.node(n, e if place == "same" else 0) for n, place in gates)
        if refuting and held.get((rid, "false", e), False) != (value is F and gated):
            raise OracleError(f"{rid} is {value.value} on entity {e} but its refutation "
                              "branches say otherwise")
    return Trace.of(book, ents, firings)


def oracle_plan(book: Rulebook, patient: Patient) -> Plan:
    """The plan the reference evaluator's trace gives, through careflow's own plan builder."""
    return build_plan(book, patient, run_oracle(book, patient))


__all__ = ["OracleError", "Valuation", "oracle_plan", "run_oracle"]
