"""The rule set in SMT, derived from its compiled program (careflow.rulebook.program): the
same productions the durable-rules engine and the reference evaluator run, so this is the
third evaluator of one semantics.

Each production holds on an entity (the patient, or a leg that is present) when its tests
hold there (a test is "known and compares", careflow.logic.holds) and the derived facts it
uses hold at their places. A derived fact holds on an entity when some production emitting it
holds; an `absent` atom is the complement of its base fact. The program is acyclic (CF202),
so these definitions have exactly one solution: the least fixpoint forward chaining reaches.
A rule is TRUE on an entity when one of its `fire` productions holds; the plan is read off
those firings as careflow.evaluate.build_plan and careflow.resolve.resolve read it: one item
per (action, side), the strongest claim wins, a hold defers an item that could be offered
(never one of NEVER_HELD), an annotation's detail reaches only an item that could be offered,
its disclosures any item.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import z3

from .. import vocabulary as v
from ..evaluate import COMPLAINT
from ..logic import Test
from ..rulebook import Rulebook
from ..rulebook.program import Node, Production
from ..rulebook.schema import Output
from .domain import SIDES, Domain, Var, decimals

ITEM_SIDES: tuple[str | None, ...] = (None, *SIDES)
"""Where an item can be: the whole patient (None) or a leg."""
STATUS_ORDER: tuple[str, ...] = tuple(sorted(
    v.STATUSES, key=lambda s: (-v.STATUS_STRENGTH[s], v.STATUS_TIEBREAK[s])))
"""The resolver's order: the first status claimed wins (careflow.resolve._claim_order)."""

Entity = str | None  # None: the patient; a side: that leg


def rule_constants(*books: Rulebook) -> dict[str, set[Fraction]]:
    """Per fact, every number the rule sets' compiled tests compare it with (parameters
    folded in): where the plan can change as the fact moves."""
    constants: dict[str, set[Fraction]] = {}
    for book in books:
        for p in book.program.productions:
            for t in p.tests:
                values = t.value if isinstance(t.value, tuple) else (t.value,)
                constants.setdefault(t.fact, set()).update(
                    Fraction(str(x)) for x in values
                    if isinstance(x, (int, float)) and not isinstance(x, bool))
    return constants


def _frac(value: Any) -> Fraction:
    return Fraction(str(value)) if isinstance(value, float) else Fraction(value)


def compare(var: Var, op: str, value: Any) -> Any:
    """A test (careflow.logic.holds) on one fact, as a z3 formula."""
    if op == "known":
        return var.known
    if op == "unknown":
        return z3.Not(var.known)
    if op in ("in", "not_in"):
        one = z3.Or(*[_equal(var, x) for x in value]) if value else z3.BoolVal(False)
        return z3.And(var.known, one if op == "in" else z3.Not(one))
    if op in ("eq", "ne"):
        same = _equal(var, value)
        return z3.And(var.known, same if op == "eq" else z3.Not(same))
    assert var.spec is not None, (var.name, op)
    x = _frac(value) * var.spec.scale
    n = var.value
    bound = {"lt": n <= math.ceil(x) - 1, "lte": n <= math.floor(x),
             "gt": n >= math.floor(x) + 1, "gte": n >= math.ceil(x)}[op]
    return z3.And(var.known, bound)


def _equal(var: Var, value: Any) -> Any:
    if var.type == "bool":
        return var.value if value else z3.Not(var.value)
    if var.type == "enum":
        from ..facts import FACTS

        first = FACTS[var.name].values[0]
        return var.value if value == first else z3.Not(var.value)
    assert var.spec is not None
    x = _frac(value) * var.spec.scale
    return var.value == int(x) if x.denominator == 1 else z3.BoolVal(False)


def real_scale(book: Rulebook) -> int:
    """10^k, k one more decimal than any number a test or a parameter writes (the grid)."""
    places = [decimals(t.value) for p in book.program.productions for t in p.tests]
    places += [decimals(x) for p in book.program.productions for t in p.tests
               if isinstance(t.value, tuple) for x in t.value]
    places += [decimals(x) for x in book.parameters.values()]
    return int(10 ** (max([1, *places]) + 1))


@dataclass
class Say:
    """One rule's output on one entity: a claim, hold or annotation for (action, side)."""

    fires: Any  # z3 Bool: the rule is TRUE on the entity
    rule: str
    output: Output
    side: str | None  # the item's side; "*" for a hold on every side
    key: tuple[Any, ...] = ()  # the resolver's order among says of one kind
    entity: str | None = None  # the entity the rule fired on (None: the patient)


@dataclass
class Item:
    """One (action, side) of the plan, as z3 formulas."""

    action: str
    side: str | None
    claims: list[Say] = field(default_factory=list)
    holds: list[Say] = field(default_factory=list)
    notes: list[Say] = field(default_factory=list)
    status: dict[str, Any] = field(default_factory=dict)  # status -> z3 Bool; "absent" too
    winner: dict[str, Any] = field(default_factory=dict)  # the winning claim's status
    held: Any = None
    decider: list[tuple[Any, Say]] = field(default_factory=list)  # (is the decider, say)

    @property
    def offered(self) -> Any:
        return z3.Or(*[self.status[s] for s in v.OFFERED])


class Encoding:
    """The whole rule set for one patient: fact variables, rule firings, the plan."""

    def __init__(self, book: Rulebook, domain: Domain | None = None, tag: str = "") -> None:
        """`domain`: patient variables shared with another encoding (careflow impact encodes
        two rule sets over one patient); `tag` prefixes this encoding's own variables so that
        two encodings in one solver never share a derived fact, a firing or a status."""
        self.book = book
        self.tag = tag
        program = book.program
        self.domain = domain if domain is not None else Domain(
            program.facts | COMPLAINT, real_scale(book))
        self.definitions: list[Any] = []
        self.entities: list[Entity] = [None, *SIDES]
        self._node: dict[tuple[Node, Entity], Any] = {}
        self._emitters: dict[Node, list[tuple[Production, str]]] = {}
        for p in program.productions:
            for node, place in p.emits:
                self._emitters.setdefault(node, []).append((p, place))
        self._held: dict[tuple[int, Entity], Any] = {}
        self.fires: dict[tuple[str, Entity], Any] = {}
        for rid, cr in book.rules.items():
            for e in self.on(cr.rule.scope):
                prods = program.by_rule(rid, "fire")
                self.fires[(rid, e)] = z3.Or(*[self.holds(p, e) for p in prods]) \
                    if prods else z3.BoolVal(False)
        self.items: dict[tuple[str, str | None], Item] = {}
        self._plan()
        self.knowledge = Knowledge(self)  # its definitions are made as properties ask

    @property
    def constraints(self) -> list[Any]:
        return self.domain.constraints + self.definitions

    def on(self, scope: str) -> list[Entity]:
        return [None] if scope == "patient" else list(SIDES)

    def present(self, e: Entity) -> Any:
        return z3.BoolVal(True) if e is None else self.domain.present[e]

    # -- the program ------------------------------------------------------------------
    def test(self, t: Test, e: Entity) -> Any:
        return compare(self.domain.var(t.fact, e), t.op, t.value)

    def holds(self, p: Production, e: Entity) -> Any:
        """The production holds on entity e (a z3 Bool, defined once)."""
        key = (p.index, e)
        if key not in self._held:
            parts = [self.present(e)] + [self.test(t, e) for t in p.tests]
            parts += [self.use(node, place, e) for node, place in p.uses]
            var = z3.Bool(f"{self.tag}p{p.index}@{e or 'patient'}")
            self.definitions.append(var == z3.And(*parts))
            self._held[key] = var
        return self._held[key]

    def use(self, node: Node, place: str, e: Entity) -> Any:
        """A derived fact a production uses holds at its place, seen from entity e."""
        parts = []
        for target in self.places(e, place):
            atom = z3.Not(self.node(node.base, target)) if node.absent \
                else self.node(node, target)
            parts.append(z3.Implies(self.present(target), atom)
                         if place == "each_leg" else atom)
        return z3.And(*parts)

    def places(self, e: Entity, place: str) -> list[Entity]:
        if place == "same":
            return [e]
        if place == "patient":
            return [None]
        return list(SIDES)

    def node(self, node: Node, e: Entity) -> Any:
        """A derived fact holds on entity e: some production emitting it holds."""
        key = (node, e)
        if key not in self._node:
            var = z3.Bool(f"{self.tag}{node.kind}:{node.name}:{node.level}:{node.truth}:"
                          f"{node.partial}@{e or 'patient'}")
            self._node[key] = var
            parts = []
            for p, place in self._emitters.get(node, []):
                for source in self.on(p.scope):
                    target = None if place == "patient" else source
                    if target == e:
                        parts.append(self.holds(p, source))
            self.definitions.append(var == (z3.Or(*parts) if parts else z3.BoolVal(False)))
        return self._node[key]

    # -- the plan (careflow.evaluate.build_plan, careflow.resolve.resolve) ---------------
    def _plan(self) -> None:
        book = self.book
        for rid in sorted(book.rules, key=book.order.__getitem__):
            cr = book.rules[rid]
            for e in self.on(cr.rule.scope):
                for out in cr.rule.outputs:
                    if out.effect == "derive" or not out.action:
                        continue
                    side = "*" if out.side == "any" else (
                        None if out.side == "patient" or e is None else e)
                    say = Say(self.fires[(rid, e)], rid, out, side,
                              (cr.headline, cr.rule.priority, rid), e)
                    sides = ITEM_SIDES if side == "*" else (side,)
                    for s in sides:
                        item = self.item(out.action, s)
                        {"claim": item.claims, "hold": item.holds,
                         "annotate": item.notes}[out.effect].append(say)
        for item in self.items.values():
            self._resolve(item)

    def item(self, action: str, side: str | None) -> Item:
        key = (action, side)
        if key not in self.items:
            self.items[key] = Item(action, side)
        return self.items[key]

    def _resolve(self, item: Item) -> None:
        claimed = {s: z3.Or(*[c.fires for c in item.claims if c.output.status == s])
                   for s in STATUS_ORDER}
        stronger: list[Any] = []
        for s in STATUS_ORDER:
            item.winner[s] = z3.And(claimed[s], *[z3.Not(x) for x in stronger])
            stronger.append(claimed[s])
        exists = z3.Or(*claimed.values())
        hold = z3.Or(*[h.fires for h in item.holds])
        item.held = z3.And(hold, z3.Or(*[item.winner[s] for s in v.OFFERED])) \
            if item.action not in v.NEVER_HELD else z3.BoolVal(False)
        for s in STATUS_ORDER:
            if s == "deferred":
                item.status[s] = z3.Or(item.winner[s], item.held)
            elif s in v.OFFERED:
                item.status[s] = z3.And(item.winner[s], z3.Not(item.held))
            else:
                item.status[s] = item.winner[s]
        item.status["absent"] = z3.Not(exists)
        for s, formula in list(item.status.items()):  # named: a model answers at once
            var = z3.Bool(f"{self.tag}status:{item.action}:{item.side or 'patient'}:{s}")
            self.definitions.append(var == formula)
            item.status[s] = var
        # the decider: the first hold (headline, priority, rule) when held, else the first
        # claim of the winning status (careflow.resolve._claim_order)
        before: list[Any] = []
        for h in sorted(item.holds, key=lambda say: say.key):
            item.decider.append((z3.And(item.held, h.fires, *[z3.Not(b) for b in before]), h))
            before.append(h.fires)
        for s in STATUS_ORDER:
            before = []
            for c in sorted((c for c in item.claims if c.output.status == s),
                            key=lambda say: say.key):
                item.decider.append((z3.And(item.winner[s], z3.Not(item.held), c.fires,
                                            *[z3.Not(b) for b in before]), c))
                before.append(c.fires)

    def detail(self, item: Item, key: str) -> list[tuple[Any, Any]]:
        """(holds, value) for each value the item's detail `key` can take: the winning claim's
        own, else the first annotation (priority, rule id) that gives it; none unless the
        item could be offered."""
        out: list[tuple[Any, Any]] = []
        earlier: list[Any] = []
        for decides, say in item.decider:
            given = dict(say.output.detail)
            if say.output.effect == "claim" and key in given:
                out.append((z3.And(decides, item.offered), given[key]))
                earlier.append(decides)
        notes = sorted(item.notes, key=lambda say: (say.key[1], say.rule))
        for say in notes:
            given = dict(say.output.detail)
            if key in given and not isinstance(given[key], (list, tuple)):
                out.append((z3.And(item.offered, say.fires, *[z3.Not(b) for b in earlier]),
                            given[key]))
                earlier.append(say.fires)
        return out

    def disclosures(self, item: Item, code: str) -> Any:
        """The item exists and carries the disclosure (its action's own, or an annotation's,
        whatever the status)."""
        exists = z3.Not(item.status["absent"])
        if code in v.ACTIONS[item.action].disclosures:
            return exists
        return z3.And(exists, z3.Or(*[n.fires for n in item.notes
                                      if code in n.output.disclosures]))

    def red_flag(self, code: str, side: str | None) -> Any:
        """Some rule claims an item for this side with the red flag as its reason."""
        return z3.Or(*[c.fires for item in self.items.values() if item.side == side
                       for c in item.claims if c.output.reason_code == code])

    def status(self, action: str, side: str | None, status: str) -> Any:
        item = self.items.get((action, side))
        if item is None:
            return z3.BoolVal(status == "absent")
        return item.status[status]

    def reason(self, action: str, side: str | None, code: str) -> Any:
        """The item's reason code (its deciding say's) is `code`."""
        item = self.items.get((action, side))
        if item is None:
            return z3.BoolVal(False)
        return z3.Or(*[d for d, say in item.decider if say.output.reason_code == code])


class Knowledge:
    """Three-valued truth of every rule and derived fact (careflow.logic's normal forms of
    each compiled condition: TRUE is its fire productions, FALSE its `negative` branches), and
    whether a rule's firing rests on an unknown value: it fires only through an `unless:`
    whose fact is neither TRUE nor FALSE (not established, but not excluded either), or
    through a derived fact that only such firings make. A test on a value is never TRUE on
    an unknown value, and `known: false` asks for the unknown on purpose: neither counts."""

    def __init__(self, enc: Encoding) -> None:
        self.enc, self.book = enc, enc.book
        self._false: dict[tuple[str, Entity], Any] = {}
        self._clean: dict[tuple[str, Entity], Any] = {}

    def level_entity(self, scope: str, use: Any, e: Entity) -> tuple[str, Entity]:
        from ..rulebook.compile import ref_level

        level = ref_level(scope, use, self.book.scopes)
        return level, (e if level == "leg" else None)

    def fact(self, kind: str, name: str, level: str, e: Entity, want: str) -> Any:
        """The derived fact is TRUE ("true"), FALSE ("false") or made by a firing that rests
        on nothing unknown ("clean"), on entity e (None for a whole-patient fact)."""
        parts = []
        for rid in self.book.makers.get((kind, name, level), ()):
            scope = self.book.rules[rid].rule.scope
            sources = [e] if scope == level else list(SIDES)
            for src in sources:
                present = self.enc.present(src)
                if want == "true":
                    parts.append(z3.And(present, self.enc.fires[(rid, src)]))
                elif want == "clean":
                    parts.append(z3.And(present, self.clean(rid, src)))
                else:
                    parts.append(z3.Implies(present, self.false(rid, src)))
        if want == "false":
            return z3.And(*parts)
        return z3.Or(*parts)

    def use(self, scope: str, use: Any, e: Entity) -> Any:
        """A normal-form atom on a derived fact (careflow.logic.Use), seen from entity e."""
        level, at = self.level_entity(scope, use, e)
        value = self.fact(use.kind, use.name, level, at, "true" if use.true else "false")
        return z3.Not(value) if use.settled else value

    def false(self, rid: str, e: Entity) -> Any:
        key = (rid, e)
        if key not in self._false:
            from .. import logic

            cr = self.book.rules[rid]
            var = z3.Bool(f"{self.enc.tag}false:{rid}@{e or 'patient'}")
            self._false[key] = var
            try:
                branches = logic.negative(cr.when)
            except logic.TooComplex:  # never decided FALSE here: at worst a false alarm
                branches = []
            self.enc.definitions.append(var == z3.And(self.enc.present(e), z3.Or(*[
                z3.And(*[self.enc.test(a, e) if isinstance(a, Test)
                         else self.use(cr.rule.scope, a, e) for a in branch])
                for branch in branches])))
        return self._false[key]

    def clean(self, rid: str, e: Entity) -> Any:
        """The rule fires on e through a branch that rests on nothing unknown."""
        key = (rid, e)
        if key not in self._clean:
            cr = self.book.rules[rid]
            var = z3.Bool(f"{self.enc.tag}clean:{rid}@{e or 'patient'}")
            self._clean[key] = var
            parts = []
            for p in self.book.program.by_rule(rid, "fire"):
                need = [self.enc.holds(p, e)]
                for node, place in p.uses:
                    if node.kind not in ("finding", "claim"):
                        continue
                    for target in self.enc.places(e, place):
                        at = None if node.level == "patient" else target
                        if node.absent:  # not established: must be decided the other way
                            other = "false" if node.truth else "true"
                            need.append(z3.Implies(self.enc.present(target), self.fact(
                                node.kind, node.name, node.level, at, other)))
                        elif node.truth:
                            need.append(z3.Implies(self.enc.present(target), self.fact(
                                node.kind, node.name, node.level, at, "clean")))
                parts.append(z3.And(*need))
            del cr
            self.enc.definitions.append(var == z3.Or(*parts))
        return self._clean[key]

    def rests_on_unknown(self, item: Item) -> Any:
        """The rule that decides the item fires for it only through something unknown (no
        firing of it for this item is clean)."""
        out = []
        for decides, say in item.decider:
            same = [s for _, s in item.decider if s.rule == say.rule
                    and s.output.effect == say.output.effect]
            clean = z3.Or(*[z3.And(s.fires, self.clean(s.rule, s.entity)) for s in same])
            out.append(z3.And(decides, z3.Not(clean)))
        return z3.Or(*out)


__all__ = ["ITEM_SIDES", "STATUS_ORDER", "Encoding", "Knowledge", "compare", "real_scale"]
