"""Rule-set analysis in the same solver (`careflow check --deep`, docs/prove.md#analysis):

- CF601 **dead rule**: no patient the model allows makes its condition TRUE;
- CF602 **shadowed claim**: whenever the rule fires, a strictly stronger status decides the
  item (the claim never shows as the item's status);
- CF603 **gap**: a patient for whom no rule claims an item while a rule that would offer it
  is neither TRUE nor FALSE: an unknown value leaves the item undecided and the plan has no
  item for it (no deferral);
- CF604 **equal-precedence conflict**: two rules give the same item different statuses of
  equal strength (recommended and option) on the same patients; the resolver's tie-break
  (recommended first) decides, not the protocol.

Each is a Diagnostic at the rule's file:line, like every other problem of a rule set.
"""

from __future__ import annotations

from typing import Any

import z3

from .. import vocabulary as v
from ..errors import Diagnostic
from ..rulebook import Rulebook
from ..rulebook.schema import All, Any_, Flag, Not, Rule, Unless
from .domain import SIDES
from .encode import Item
from .prover import Prover

LEG = SIDES[0]
"""The leg a leg rule is analysed on (the rules never tell the sides apart but by `side`)."""


def _diag(rule: Rule, code: str, message: str) -> Diagnostic:
    return Diagnostic(rule.where.file, rule.where.line, rule.where.column, code, message,
                      rule.id)


class Analysis:
    def __init__(self, book: Rulebook, prover: Prover | None = None) -> None:
        self.book = book
        self.prover = prover or Prover(book)
        self.enc = self.prover.enc

    def sat(self, *formulas: Any) -> bool:
        solver = self.prover.solver
        self.prover.sync()
        solver.push()
        solver.add(*formulas)
        result = solver.check()
        solver.pop()
        return bool(result == z3.sat)

    def entity(self, rule: Rule) -> str | None:
        return None if rule.scope == "patient" else LEG

    def run(self) -> list[Diagnostic]:
        dead = self.dead()
        out = list(dead.values())
        out += self.shadowed(set(dead))
        out += self.gaps()
        out += self.conflicts(set(dead))
        return sorted(out)

    def dead(self) -> dict[str, Diagnostic]:
        found = {}
        for rid, cr in self.book.rules.items():
            e = self.entity(cr.rule)
            if not self.sat(self.enc.fires[(rid, e)]):
                switches = sorted({a.name for a in _switches(cr.rule.when)})
                why = (f" (under these parameters: switched off by {', '.join(switches)})"
                       if switches else "")
                found[rid] = _diag(cr.rule, "CF601", "dead rule: no patient makes its "
                                                     f"condition true{why}")
        return found

    def _items(self) -> list[Item]:
        """The items of the leg analysed and of the whole patient."""
        return [item for (action, side), item in sorted(
            self.enc.items.items(), key=lambda kv: (kv[0][0], kv[0][1] or ""))
            if side in (None, LEG)]

    def shadowed(self, dead: set[str]) -> list[Diagnostic]:
        out = []
        for item in self._items():
            for say in item.claims:
                status = say.output.status or ""
                if say.rule in dead or say.entity not in (None, LEG):
                    continue
                stronger = [item.winner[s] for s in v.STATUSES
                            if v.STATUS_STRENGTH[s] > v.STATUS_STRENGTH[status]]
                if not self.sat(say.fires, z3.Not(z3.Or(*stronger))):
                    rule = self.book.rules[say.rule].rule
                    out.append(_diag(rule, "CF602", f"shadowed claim: {item.action} "
                                                    f"{status} never decides the item; a "
                                                    "stronger status wins whenever the rule "
                                                    "fires"))
        return _unique(out)

    def gaps(self) -> list[Diagnostic]:
        """Per item: a patient for whom no rule claims it while a rule that would offer it
        (recommended, an option or a next step) is neither TRUE nor FALSE: an unknown value
        leaves the item undecided and the plan has no item for it at all (no deferral).
        Reported once per rule, at the rule, with the unknown facts of one such patient."""
        out = []
        know = self.enc.knowledge
        for item in self._items():
            for say in item.claims:
                if say.entity not in (None, LEG) or say.output.status not in v.OFFERED:
                    continue
                undecided = z3.And(z3.Not(say.fires), z3.Not(know.false(say.rule, say.entity)))
                model = self.model(self.enc.present(LEG), item.status["absent"], undecided)
                if model is None:
                    continue
                rule = self.book.rules[say.rule].rule
                facts = sorted({leaf.fact for leaf in _leaves(self.book.rules[say.rule].when)
                                if (var := self.enc.domain.get(leaf.fact, say.entity or LEG))
                                is not None and self.enc.domain.value(model, var) is None})
                why = f" with {', '.join(facts)} unknown" if facts else ""
                out.append(_diag(rule, "CF603", (
                    f"gap: for some patient{why} no rule decides {item.action}: this rule "
                    "is neither true nor false and the plan has no item for it")))
        return _unique(out)

    def model(self, *formulas: Any) -> Any:
        solver = self.prover.solver
        self.prover.sync()
        solver.push()
        solver.add(*formulas)
        found = solver.model() if solver.check() == z3.sat else None
        solver.pop()
        return found

    def conflicts(self, dead: set[str]) -> list[Diagnostic]:
        out = []
        for item in self._items():
            claims = [s for s in item.claims if s.entity in (None, LEG) and s.rule not in dead]
            for i, a in enumerate(claims):
                for b in claims[i + 1:]:
                    sa, sb = a.output.status or "", b.output.status or ""
                    if a.rule == b.rule or sa == sb or v.STATUS_STRENGTH[sa] != \
                            v.STATUS_STRENGTH[sb]:
                        continue
                    if self.sat(a.fires, b.fires, item.winner[sa] if v.STATUS_TIEBREAK[sa] <
                                v.STATUS_TIEBREAK[sb] else item.winner[sb]):
                        rule = self.book.rules[a.rule].rule
                        other = self.book.rules[b.rule].rule
                        out.append(_diag(rule, "CF604", (
                            f"equal-precedence conflict: {item.action} is {sa} here and {sb} "
                            f"by {b.rule} ({other.where.file}:{other.where.line}) on the same "
                            "patients; the tie-break, not the protocol, decides")))
        return _unique(out)


def _switches(cond: Any) -> list[Flag]:
    """The protocol switches a condition reads (`parameter:`)."""
    if isinstance(cond, Flag):
        return [cond]
    if isinstance(cond, (All, Any_)):
        return [f for c in cond.items for f in _switches(c)]
    if isinstance(cond, (Not, Unless)):
        return _switches(cond.item)
    return []


def _leaves(cond: Any) -> list[Any]:
    from .. import logic

    return [a for a in logic.atoms(cond) if isinstance(a, logic.Leaf)]


def _unique(found: list[Diagnostic]) -> list[Diagnostic]:
    return list(dict.fromkeys(found))


def deep_check(book: Rulebook) -> list[Diagnostic]:
    """Every dead rule, shadowed claim, gap and equal-precedence conflict of a rule set."""
    return Analysis(book).run()




def blocking(d: Diagnostic) -> bool:
    """Whether a deep finding fails `careflow check --deep`: a dead rule (unless a protocol
    switch turns it off), a shadowed claim, an equal-precedence conflict. Gaps are reported
    for review: an unknown value leaving an offer undecided is often the protocol's intent
    (the assessment that would decide it is asked for, or a question is open)."""
    return d.code in ("CF601", "CF602", "CF604") and "switched off" not in d.message


__all__ = ["Analysis", "blocking", "deep_check"]
