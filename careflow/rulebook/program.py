"""The engine-neutral program a rule set compiles to: plain data, no engine in sight.

A rule set becomes a list of productions. Each production is one branch of a condition's
normal form (careflow.logic): a conjunction of tests on one entity's facts (the patient, or
one leg) and of derived facts that must be definitely true or definitely false. When a
production's branch holds for an entity, it emits derived facts. Three roles:

- `fire`: the rule's condition is TRUE: the rule fires and emits what it derives or claims;
- `false`: the rule's condition is definitely FALSE: it emits the fact "this rule is
  refuted" (kept for exclusion rules, a contraindication or a hold that was checked and does
  not apply, and for the rules behind a fact some rule reads negatively);
- `node`: a derived fact is definitely FALSE: a join of the refutations of every rule that
  could make it true (no normal form of their conjunction is ever built).

Every production is positive, so the program is monotone: forward chaining in one session
decides everything, and what it decides does not depend on the order of firing. Whatever
runs the program (the durable-rules adapter, the reference evaluator in the tests, the
solver) needs nothing else from careflow.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from ..logic import Test


@dataclass(frozen=True, order=True)
class Node:
    """A derived fact: finding or claim `name` at `level` is definitely TRUE (`truth`) or
    definitely FALSE. `partial` is one leg's share of a whole-patient fact's falsity (every
    leg rule that could make it true is FALSE on this leg)."""

    kind: str  # "finding" | "claim" | "rule" (a rule refuted) | "item" (could be offered)
    name: str  # finding name, "action:status", or a rule id
    level: str  # "patient" | "leg"
    truth: bool = True
    partial: bool = False
    absent: bool = False  # the atom is the complement: the fact above is NOT established

    @property
    def base(self) -> Node:
        """The derived fact itself (what is emitted); for an `absent` atom, the fact whose
        absence it tests."""
        return Node(self.kind, self.name, self.level, self.truth, self.partial)

    @property
    def label(self) -> str:
        """How a reason's derivation chain names it."""
        name = self.name.replace(":", " ") if self.kind == "claim" else self.name
        if self.absent:
            return f"{name} not established" if self.truth else f"{name} not excluded"
        return name if self.truth else f"not {name}"


@dataclass(frozen=True)
class Production:
    index: int
    rule: str  # the rule it comes from ("" for a `node` production)
    role: str  # "fire" | "false" | "node"
    scope: str  # the entity it runs on: "patient" | "leg"
    branch: int  # which branch of the rule's (or the node's) normal form
    tests: tuple[Test, ...]
    uses: tuple[tuple[Node, str], ...]  # (derived fact, place): where it is read, seen from
    # the production's entity: "same" entity, the "patient" (from a leg), or "each_leg" of
    # the patient (from the patient)
    emits: tuple[tuple[Node, str], ...]  # (derived fact, "same" | "patient")
    node: Node | None = None  # the fact a `node` production decides


@dataclass(frozen=True)
class Program:
    name: str  # unique per rule set and parameters (the rule set's digest)
    productions: tuple[Production, ...]
    facts: frozenset[str]  # the fact names some rule reads (every entity carries them)

    def by_rule(self, rule: str, role: str) -> tuple[Production, ...]:
        return self._by_rule.get((rule, role), ())


    @cached_property
    def _by_rule(self) -> dict[tuple[str, str], tuple[Production, ...]]:
        out: dict[tuple[str, str], list[Production]] = {}
        for p in self.productions:
            out.setdefault((p.rule, p.role), []).append(p)
        return {key: tuple(ps) for key, ps in out.items()}
