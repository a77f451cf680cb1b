"""What a property's formula means, twice: as a z3 formula over the encoding of the rule set,
and on one patient's plan as the durable-rules engine made it (the cross-check). Both read the
same plan-level facts: an item's status, its reason code, a stocking's pressure, an item's
disclosures, the red flags raised, the patient's facts."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

import z3

from .. import logic
from ..evaluate import Trace
from ..facts import FACTS
from ..logic import Truth
from ..logic import compare as truth_of
from ..model import Patient
from ..plan import Item, Plan
from ..rulebook.compile import ref_level, refs
from .domain import SIDES
from .encode import Encoding, compare
from .properties import Formula, Property


def where(side_word: str, this: str | None) -> str | None:
    """The side a formula names, seen from the leg `this` (None: the whole patient)."""
    if side_word == "patient":
        return None
    if side_word == "other":
        return next(s for s in SIDES if s != this)
    return this


# --- in z3 ----------------------------------------------------------------------------------
def smt(f: Formula, enc: Encoding, this: str | None) -> Any:
    if f.op in ("all", "any"):
        parts = [smt(p, enc, this) for p in f.parts]
        return z3.And(*parts) if f.op == "all" else z3.Or(*parts)
    if f.op == "not":
        return z3.Not(smt(f.parts[0], enc, this))
    if f.op == "implies":
        return z3.Implies(smt(f.parts[0], enc, this), smt(f.parts[1], enc, this))
    side = where(f.arg("side", "this"), this)
    if f.op == "leg":
        return z3.BoolVal(True) if side is None else enc.domain.present[side]
    if f.op == "status":
        wanted = f.arg("in") or f.arg("not_in")
        each = [z3.Or(*[enc.status(a, side, s) for s in wanted]) for a in f.arg("actions")]
        if f.arg("in") is None:
            each = [z3.Not(x) for x in each]
        return z3.And(*each)
    if f.op == "red_flag":
        return z3.Or(*[enc.red_flag(c, side) for c in f.arg("codes")])
    if f.op == "reason":
        return z3.And(*[z3.Or(*[enc.reason(a, side, c) for c in f.arg("in")])
                        for a in f.arg("actions")])
    if f.op == "pressure":
        item = enc.items.get(("compression_stockings", side))
        values = enc.detail(item, "pressure_mmhg") if item else []
        if f.arg("in") is not None:
            return z3.Or(*[h for h, value in values if value in f.arg("in")])
        given = z3.Or(*[h for h, _ in values])
        return given if f.arg("given") else z3.Not(given)
    if f.op == "disclosures":
        out = []
        for a in f.arg("actions"):
            item = enc.items.get((a, side))
            out.append(z3.And(*[enc.disclosures(item, c) for c in f.arg("include")])
                       if item else z3.BoolVal(False))
        return z3.And(*out)
    if f.op == "fact":
        name = f.arg("name")
        fact_side = side if FACTS[name].scope == "leg" else None
        guard = enc.domain.present[fact_side] if fact_side else z3.BoolVal(True)
        op, value = f.arg("op"), _operand(f)
        if op == "known":
            op, value = ("known", True) if value else ("unknown", True)
        return z3.And(guard, compare(enc.domain.var(name, fact_side), op, value))
    if f.op == "rests_on_unknown":
        items = [enc.items.get((a, side)) for a in f.arg("actions")]
        return z3.And(*[enc.knowledge.rests_on_unknown(i) if i else z3.BoolVal(False)
                        for i in items])
    if f.op == "const":
        return z3.BoolVal(bool(f.arg("value")))
    if f.op == "one_item_per_action_side":
        # the encoding has one status per (action, side) by construction; the engine's plans
        # are checked for it in the cross-check (on_plan)
        return z3.BoolVal(True)
    raise AssertionError(f.op)


def _operand(f: Formula) -> Any:
    op = f.arg("op")
    value = f.arg(op)
    if op == "known":
        return bool(value)
    return value


def holds(prop: Property, enc: Encoding, this: str | None) -> Any:
    """The property for one leg (or the patient), as a z3 formula; a property about a leg
    says nothing about a leg that is not in the document."""
    body = smt(prop.formula, enc, this)
    return z3.Implies(enc.domain.present[this], body) if this else body


# --- on an engine's plan -----------------------------------------------------------------------
@dataclass
class PlanView:
    """One patient's plan as the engine made it, with the trace it was read from."""

    patient: Patient
    plan: Plan
    trace: Trace

    def items(self, action: str, side: str | None) -> list[Item]:
        return [i for i in self.plan.items if i.action == action and i.side == side]

    def item(self, action: str, side: str | None) -> Item | None:
        found = self.items(action, side)
        return found[0] if found else None

    def status(self, action: str, side: str | None) -> str:
        item = self.item(action, side)
        return "absent" if item is None else item.status

    def red_flag(self, code: str, side: str | None) -> bool:
        book = self.trace.book
        for rid, by_entity in self.trace.true.items():
            for e in by_entity:
                ent = self.trace.entities[e]
                for out in book.rules[rid].rule.outputs:
                    if out.effect != "claim" or out.reason_code != code:
                        continue
                    at = None if out.side == "patient" or ent.kind == "patient" else ent.side
                    if at == side:
                        return True
        return False

    def fact(self, name: str, side: str | None) -> Any:
        leg = self.patient.leg(side) if side else None
        return FACTS[name].get(self.patient, leg)

    # -- what an item rests on (encode.Knowledge, read off the engine's trace) -------------
    @cached_property
    def truth(self) -> dict[tuple[str, int], Truth]:
        """Every rule's three-valued truth on every entity, with careflow.logic.truth, in
        dependency order (the rule set is acyclic)."""
        book, ents = self.trace.book, self.trace.entities
        out: dict[tuple[str, int], Truth] = {}

        def visit(rid: str) -> None:
            if (rid, -1) in out:
                return
            out[(rid, -1)] = Truth.UNKNOWN  # visited
            cr = book.rules[rid]
            for ref in refs(cr.when):
                for (kind, name, _level), makers in book.makers.items():
                    if (kind, name) == (ref.kind, ref.name):
                        for maker in makers:
                            visit(maker)
            for e, ent in enumerate(ents):
                if ent.kind != cr.rule.scope:
                    continue

                def value(fact: str, ent: Any = ent) -> Any:
                    return ent.attrs[fact]

                def node(ref: Any, e: int = e, scope: str = cr.rule.scope) -> Truth:
                    return self.derived(ref.kind, ref.name,
                                        ref_level(scope, ref, book.scopes), e, out)

                out[(rid, e)] = logic.truth(cr.when, value, node)

        for rid in book.rules:
            visit(rid)
        return out

    def derived(self, kind: str, name: str, level: str, e: int,
                table: dict[tuple[str, int], Truth] | None = None) -> Truth:
        """A finding or claim at `level`, seen from entity e."""
        book, ents = self.trace.book, self.trace.entities
        table = self.truth if table is None else table
        at = e if level == "leg" else 0
        values = []
        for rid in book.makers.get((kind, name, level), ()):
            if book.rules[rid].rule.scope == level:
                values.append(table.get((rid, at), Truth.UNKNOWN))
            else:
                values.extend(table.get((rid, i), Truth.UNKNOWN)
                              for i, x in enumerate(ents) if x.kind == "leg")
        return logic.any_of(values)

    def clean(self, rid: str, e: int, depth: int = 0) -> bool:
        """The rule fired on e (in the engine) through a branch resting on nothing unknown."""
        ents = self.trace.entities
        for p in self.trace.true.get(rid, {}).get(e, []):
            ok = True
            for node, place in p.uses:
                if node.kind not in ("finding", "claim"):
                    continue
                targets = [e] if place == "same" else [0] if place == "patient" else [
                    i for i, x in enumerate(ents) if x.kind == "leg"]
                for t in targets:
                    if node.absent:
                        want = Truth.FALSE if node.truth else Truth.TRUE
                        ok = ok and self.derived(node.kind, node.name, node.level, t) is want
                    elif node.truth:
                        ok = ok and self.clean_fact(node.kind, node.name, node.level, t, depth)
            if ok:
                return True
        return False

    def clean_fact(self, kind: str, name: str, level: str, e: int, depth: int) -> bool:
        book, ents = self.trace.book, self.trace.entities
        at = e if level == "leg" else 0
        for rid in book.makers.get((kind, name, level), ()):
            sources = [at] if book.rules[rid].rule.scope == level else [
                i for i, x in enumerate(ents) if x.kind == "leg"]
            if any(self.clean(rid, s, depth + 1) for s in sources):
                return True
        return False

    def rests_on_unknown(self, action: str, side: str | None) -> bool:
        item = self.item(action, side)
        if item is None:
            return False
        ents = self.trace.entities
        firings = [e for e in self.trace.true.get(item.rule, {})
                   if side is None or ents[e].side == side]
        return not any(self.clean(item.rule, e) for e in firings)


def on_plan(f: Formula, view: PlanView, this: str | None) -> bool:
    if f.op in ("all", "any"):
        parts = [on_plan(p, view, this) for p in f.parts]
        return all(parts) if f.op == "all" else any(parts)
    if f.op == "not":
        return not on_plan(f.parts[0], view, this)
    if f.op == "implies":
        return (not on_plan(f.parts[0], view, this)) or on_plan(f.parts[1], view, this)
    side = where(f.arg("side", "this"), this)
    if f.op == "leg":
        return side is None or view.patient.leg(side) is not None
    if f.op == "status":
        got = [view.status(a, side) for a in f.arg("actions")]
        if f.arg("in") is not None:
            return all(s in f.arg("in") for s in got)
        return all(s not in f.arg("not_in") for s in got)
    if f.op == "red_flag":
        return any(view.red_flag(c, side) for c in f.arg("codes"))
    if f.op == "reason":
        items = [view.item(a, side) for a in f.arg("actions")]
        return all(i is not None and i.reason_code in f.arg("in") for i in items)
    if f.op == "pressure":
        item = view.item("compression_stockings", side)
        value = item.detail.get("pressure_mmhg") if item is not None else None
        if f.arg("in") is not None:
            return value in f.arg("in")
        return (value is not None) == bool(f.arg("given"))
    if f.op == "disclosures":
        items = [view.item(a, side) for a in f.arg("actions")]
        return all(i is not None and set(f.arg("include")) <= set(i.disclosures)
                   for i in items)
    if f.op == "fact":
        name = f.arg("name")
        fact_side = side if FACTS[name].scope == "leg" else None
        if fact_side is not None and view.patient.leg(fact_side) is None:
            return False
        op = f.arg("op")
        value = _operand(f)
        if op == "known":
            op, value = ("known", True) if value else ("unknown", True)
        operand = tuple(value) if isinstance(value, (list, tuple)) else value
        return truth_of(op, view.fact(name, fact_side), operand).value == "true"
    if f.op == "rests_on_unknown":
        return all(view.rests_on_unknown(a, side) for a in f.arg("actions"))
    if f.op == "const":
        return bool(f.arg("value"))
    if f.op == "one_item_per_action_side":
        keys = [(i.action, i.side) for i in view.plan.items]
        return len(keys) == len(set(keys))
    raise AssertionError(f.op)


def holds_on_plan(prop: Property, view: PlanView, this: str | None) -> bool:
    if this is not None and view.patient.leg(this) is None:
        return True
    return on_plan(prop.formula, view, this)


__all__ = ["PlanView", "holds", "holds_on_plan", "on_plan", "smt", "where"]
