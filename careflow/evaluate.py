"""evaluate(patient) -> Plan: entities in, the engine's trace out, the plan read off the trace.

The engine (careflow._engine) runs the rule set's neutral program and returns which
productions held for which entity. Everything in the plan comes from that trace: an item's
reasons are the tests of the branches that made its rule fire, expanded through the derived
facts they used (their own firings, or the firings that refuted them); `checked` lists the
contraindications that were refuted, `unchecked` those whose outcome is unknown. Nothing is
evaluated a second time.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from . import _engine
from . import vocabulary as v
from ._version import __version__
from .errors import UsageError
from .facts import Entity, entities
from .logic import Test, holds
from .model import Patient
from .plan import (
    Check,
    Considered,
    Evidence,
    Finding,
    Plan,
    Protocol,
    Reason,
    Unmet,
    shared_check,
    shared_reason,
)
from .resolve import Say, resolve
from .rulebook import Rulebook, default_rulebook
from .rulebook.compile import output_level, produced
from .rulebook.program import Node, Production

_ROLE = {"fire": 0, "false": 1, "node": 2}


@dataclass
class Trace:
    """What one evaluation decided: every production that held, on which entity.

    `firings` is in a canonical order (rule order, role, branch, entity), not the engine's,
    so the plan does not depend on the order of firing."""

    book: Rulebook
    entities: list[Entity]
    firings: list[tuple[Production, int]]
    true: dict[str, dict[int, list[Production]]] = field(default_factory=dict)
    false: dict[str, dict[int, list[Production]]] = field(default_factory=dict)
    refuted: dict[tuple[Node, str | None], list[tuple[Production, int]]] = field(
        default_factory=dict)
    made: dict[tuple[Node, str | None], list[tuple[str, int]]] = field(default_factory=dict)

    @classmethod
    def of(cls, book: Rulebook, ents: list[Entity], raw: Iterable[tuple[int, int]]) -> Trace:
        prods = book.program.productions
        order = book.order
        firings = sorted(((prods[p], e) for p, e in set(raw)), key=lambda pe: (
            order.get(pe[0].rule, len(order)), _ROLE[pe[0].role], pe[0].index, pe[1]))
        trace = cls(book, ents, firings)
        for prod, e in firings:
            side = ents[e].side
            if prod.role == "node":
                assert prod.node is not None
                at = side if prod.node.level == "leg" or prod.node.partial else None
                trace.refuted.setdefault((prod.node, at), []).append((prod, e))
                continue
            table = trace.true if prod.role == "fire" else trace.false
            by_entity = table.setdefault(prod.rule, {})
            first = e not in by_entity
            by_entity.setdefault(e, []).append(prod)
            if prod.role == "fire" and first:
                rule = book.rules[prod.rule].rule
                for out in rule.outputs:
                    made = produced(out)
                    if made:
                        level = output_level(rule, out)
                        node = Node(made[0], made[1], level)
                        at = side if level == "leg" else None
                        trace.made.setdefault((node, at), []).append((prod.rule, e))
        return trace

    def rules_fired(self) -> set[str]:
        return set(self.true)


COMPLAINT = frozenset({"knee.painful", "veins.symptom_count", "veins.ceap_c", "duplex.done"})
"""The facts that say which track of a leg has a complaint (`considered` is shown there)."""


def patient_entities(book: Rulebook, patient: Patient) -> list[Entity]:
    """The entities a trace of this rule set is read with: every fact a rule reads, and
    the complaint facts the plan shows `considered` by."""
    return entities(patient, book.program.facts | COMPLAINT)


def run_engine(book: Rulebook, patient: Patient) -> Trace:
    """The trace of one patient's evaluation by the rule engine."""
    ents = patient_entities(book, patient)
    raw = _engine.run(book.program, [(e.kind, e.side, e.attrs) for e in ents])
    return Trace.of(book, ents, raw)


Raw = tuple[str, Any, tuple[str, ...], Test | str]
"""(fact path, value, via, the test that read it): a reason before its model. A derived fact
shown as such (one that is not established) has its kind, "finding" or "claim", instead of
a test."""


class Explainer:
    """Reasons read off a trace: the tests of the branches that held, with the derived facts
    they used expanded into the tests behind them."""

    def __init__(self, trace: Trace) -> None:
        self.trace = trace
        self.memo: dict[tuple[str, int, str], tuple[Raw, ...]] = {}

    def models_of(self, raws: Iterable[Raw]) -> tuple[Reason, ...]:
        out: dict[tuple[str, str], Reason] = {}
        for fact, value, via, read in raws:  # each fact once, by its first (nearest) way in
            key = (fact, repr(value))
            if key not in out:
                kind = read if isinstance(read, str) else "input"
                out[key] = shared_reason(kind, fact, value, via)
        return tuple(out.values())

    def rule(self, rule: str, entity: int, role: str = "fire",
             stack: tuple[Any, ...] = ()) -> tuple[Raw, ...]:
        key = (rule, entity, role)
        if key not in self.memo:
            table = self.trace.true if role == "fire" else self.trace.false
            out: list[Raw] = []
            for prod in table.get(rule, {}).get(entity, []):
                out.extend(self.branch(prod, entity, (*stack, key)))
            self.memo[key] = tuple(out)
        return self.memo[key]

    def branch(self, prod: Production, entity: int, stack: tuple[Any, ...]) -> list[Raw]:
        ent = self.trace.entities[entity]
        out: list[Raw] = []
        for test in prod.tests:
            path, value = ent.source(test.fact)
            out.append((path, value, (), test))
        for node, place in prod.uses:
            for target in self.places(entity, place):
                out.extend(self.node(node, target, stack))
        return out

    def places(self, entity: int, place: str) -> list[int]:
        ents = self.trace.entities
        if place == "same":
            return [entity]
        if place == "patient":
            return [0]
        return [i for i, e in enumerate(ents) if e.kind == "leg"]

    def node(self, node: Node, entity: int, stack: tuple[Any, ...]) -> list[Raw]:
        """The tests behind a derived fact that a branch used, on `entity`."""
        side = self.trace.entities[entity].side if node.level == "leg" or node.partial \
            else None
        label = node.label
        if node.absent:  # nothing established it: no facts to show, only the absence
            return [(label, True, (), node.kind)]
        if node.kind == "rule":  # a rule refuted: the tests of its refuting branches
            return list(self.rule(node.name, entity, "false", stack))
        out: list[Raw] = []
        if node.truth:
            for rule, e in self.trace.made.get((node, side), []):
                if (rule, e, "fire") in stack:
                    continue
                out.extend((f, val, (label, *via), t) for f, val, via, t in self.rule(
                    rule, e, "fire", stack))
        else:
            for prod, e in self.trace.refuted.get((node, side), []):
                for f, val, via, t in self.branch(prod, e, stack):
                    out.append((f, val, via if node.partial else (label, *via), t))
        return out


_EVIDENCE: dict[tuple[str, str], Evidence] = {}


def _evidence(book: Rulebook, eid: str) -> Evidence:
    key = (book.digest, eid)
    if key not in _EVIDENCE:
        e = book.evidence[eid]
        _EVIDENCE[key] = Evidence(source=e.source, citation=e.citation, doi=e.doi,
                                  pmid=e.pmid, grade=e.grade, url=e.url,
                                  verification=e.verification, note=e.note)
    return _EVIDENCE[key]


def _item_side(out_side: str, entity: Entity) -> str | None:
    if out_side == "any":
        return "*"
    return None if out_side == "patient" or entity.kind == "patient" else entity.side


def build_plan(book: Rulebook, patient: Patient, trace: Trace) -> Plan:
    explain = Explainer(trace)
    says: list[Say] = []
    fired = sorted(((rule, e) for rule, by in trace.true.items() for e in by),
                   key=lambda re: (book.order[re[0]], re[1]))
    for rule_id, e in fired:
        rule = book.rules[rule_id].rule
        evidence = tuple(_evidence(book, eid) for eid in rule.evidence)
        reasons: tuple[Reason, ...] | None = None
        for out in rule.outputs:
            if out.effect == "derive":
                continue
            if reasons is None:
                reasons = explain.models_of(explain.rule(rule_id, e))
            says.append(Say(
                effect=out.effect, action=out.action or "",
                side=_item_side(out.side, trace.entities[e]), rule=rule.id,
                title=rule.title, priority=rule.priority, reasons=reasons,
                evidence=evidence, status=out.status, detail=out.detail,
                reason_code=out.reason_code, urgency=out.urgency, coverage=out.coverage,
                disclosures=out.disclosures, precautions=out.precautions,
                headline=book.rules[rule_id].headline))
    items = tuple(resolve(says, Exclusions(book, trace, explain)))
    considered = _considered(book, trace, items)
    findings = []
    for (node, side), sources in sorted(
            trace.made.items(), key=lambda kv: (kv[0][1] or "", kv[0][0].name)):
        if node.kind != "finding":
            continue
        reasons = explain.models_of(r for rule, e in sources for r in explain.rule(rule, e))
        findings.append(Finding.model_construct(
            name=node.name, side=side, reasons=reasons,
            rules=tuple(sorted({rule for rule, _ in sources}))))
    time_critical = any(i.urgency in ("emergency", "urgent") and i.status in v.OFFERED
                        for i in items)
    review = book.parameters.get("urgent_review_weeks" if time_critical
                                 else "review_after_weeks", 1 if time_critical else 12)
    return Plan.model_construct(
        patient_id=patient.id, assessed_on=patient.assessed_on,
        protocol=Protocol(name=book.name, version=book.version, digest=book.digest,
                          careflow=__version__),
        review_after_weeks=int(review), items=items, considered=considered,
        questions_open=tuple(q for q in v.QUESTIONS if getattr(patient, q) is None),
        findings=tuple(findings))


class Exclusions:
    """Per (action, side): the contraindication rules refuted (`checked`, with the facts that
    refuted them) and those whose outcome is unknown (`unchecked`, with the unknown facts),
    read off the trace for the items that are in the plan."""

    def __init__(self, book: Rulebook, trace: Trace, explain: Explainer) -> None:
        self.book, self.trace, self.explain = book, trace, explain

    def __call__(self, action: str, side: str | None) -> tuple[tuple[Check, ...],
                                                               tuple[Check, ...]]:
        trace, ents = self.trace, self.trace.entities
        checked: list[Check] = []
        unchecked: list[Check] = []
        for rule_id, o in self.book.blockers.get(action, ()):
            scope = self.book.rules[rule_id].rule.scope
            on = [i for i, e in enumerate(ents) if e.kind == scope]
            whole = o.side == "patient" or scope == "patient"
            group = on if whole else [i for i in on if ents[i].side == side]
            if not group or (side is None) != whole:
                continue
            if any(i in trace.true.get(rule_id, {}) for i in group):
                continue
            if all(i in trace.false.get(rule_id, {}) for i in group):
                checked.extend(shared_check(rule_id, f, val) for i in group
                               for f, val, _, _ in self.explain.rule(rule_id, i, "false"))
            else:
                unknown = sorted({t.fact for p in self.book.program.by_rule(rule_id, "fire")
                                  for t in p.tests for i in group
                                  if ents[i].attrs.get(t.fact) is None})
                unchecked.extend(shared_check(rule_id, ents[group[0]].source(f)[0], None)
                                 for f in unknown)
        return _unique(checked), _unique(unchecked)


_NEEDS = {"lt": "<", "lte": "<=", "gt": ">", "gte": ">=", "eq": "=", "ne": "not", "in": "one of",
          "not_in": "none of", "known": "known", "unknown": "unknown"}
MAX_UNMET = 2
"""`considered` lists a treatment that missed by at most this many conditions."""


def _complaint(entity: Entity, track: str) -> bool:
    """Does this side have a complaint on the track (a painful knee; a vein symptom,
    varicose veins or a duplex)? `considered` looks only there."""
    values = entity.attrs
    if track == "knee":
        return bool(values.get("knee.painful"))
    return bool(values.get("veins.symptom_count") or (values.get("veins.ceap_c") or 0) >= 2
                or values.get("duplex.done"))


NOT_CONSIDERED = ("anticoagulation", "haemostasis", "wound_care", "pad_management")
"""Care whose absence needs no "why not": it answers an emergency or a finding the patient
does not have (no thrombosis, no bleeding, no ulcer, no arterial disease)."""


def _derived_holds(trace: Trace, node: Node, place: str, e: int) -> bool:
    """Whether a fire branch's atom on a derived fact held for entity `e`, read off the trace."""
    ent = trace.entities[e]
    if place == "each_leg":
        return False  # a whole-patient share: not read here (such a branch is not reported)
    at = None if node.level == "patient" or place == "patient" else ent.side
    made = (Node(node.kind, node.name, node.level), at) in trace.made
    if node.absent:
        return not made if node.truth else not any(
            k.kind == node.kind and k.name == node.name and side == at
            for k, side in trace.refuted)
    if node.truth:
        return made
    return any(k.kind == node.kind and k.name == node.name and side == at
               for k, side in trace.refuted)


_Gap = tuple[int, dict[str, Unmet], dict[str, None]]


class _WhyNot:
    """The fewest facts that stopped a rule on an entity, through the findings it needs: a
    finding that was not established is explained by the cheapest branch of a rule that
    could have made it (on the same leg), down to the patient's facts."""

    def __init__(self, book: Rulebook, trace: Trace) -> None:
        self.book, self.trace = book, trace
        self.memo: dict[tuple[str, int], _Gap | None] = {}

    def rule(self, rule_id: str, e: int, depth: int = 0) -> _Gap | None:
        key = (rule_id, e)
        if key not in self.memo:
            self.memo[key] = None  # a cycle explains nothing
            self.memo[key] = self._rule(rule_id, e, depth)
        return self.memo[key]

    def _rule(self, rule_id: str, e: int, depth: int) -> _Gap | None:
        ent = self.trace.entities[e]
        best: _Gap | None = None
        for prod in self.book.program.by_rule(rule_id, "fire"):
            unmet: dict[str, Unmet] = {}
            unknown: dict[str, None] = {}
            for t in prod.tests:
                value = ent.attrs.get(t.fact)
                if t.op in ("known", "unknown") or value is not None:
                    if not holds(t.op, value, t.value):
                        path, shown = ent.source(t.fact)
                        unmet.setdefault(path, Unmet.model_construct(
                            fact=path, value=shown, needs=_NEEDS[t.op]
                            + ("" if t.op in ("known", "unknown") else f" {t.value}")))
                else:
                    unknown[ent.source(t.fact)[0]] = None
            ok = True
            for node, place in prod.uses:
                if _derived_holds(self.trace, node, place, e):
                    continue
                gap = self.finding(node, place, e, depth)
                if gap is None:
                    ok = False
                    break
                unmet.update(gap[1])
                unknown.update(gap[2])
            size = len(unmet) + len(unknown)
            if ok and size and size <= MAX_UNMET and (best is None or size < best[0]):
                best = (size, unmet, unknown)
        return best

    def finding(self, node: Node, place: str, e: int, depth: int) -> _Gap | None:
        """Why a finding the branch needs was not established (a leg finding on this leg)."""
        if node.kind != "finding" or not node.truth or node.absent or place != "same" \
                or node.level != self.trace.entities[e].kind or depth > 6:
            return None
        gaps = [g for rid in self.book.makers.get(("finding", node.name, node.level), ())
                if (g := self.rule(rid, e, depth + 1)) is not None]
        return min(gaps, key=lambda g: g[0]) if gaps else None


def _considered(book: Rulebook, trace: Trace, items: tuple[Any, ...]) -> tuple[Considered, ...]:
    """Why not: each treatment a rule offers that the plan does not hold in any status, on a
    side with a complaint, whose rule missed by one or two of the patient's facts (found
    through the findings it needs, _WhyNot): a fact whose value failed is `unmet` (with what
    it needed), one that is unknown is `unknown`."""
    present = {(item.action, item.side) for item in items}
    why = _WhyNot(book, trace)
    best: dict[tuple[str, str | None], tuple[int, Considered]] = {}
    for rule_id in book.offering:
        rule = book.rules[rule_id].rule
        for o in rule.outputs:
            if o.effect != "claim" or o.status not in ("recommended", "option") or \
                    not o.action or o.action in NOT_CONSIDERED:
                continue
            spec = v.ACTIONS[o.action]
            if spec.kind != "treatment":
                continue
            for e, ent in enumerate(trace.entities):
                side = _item_side(o.side, ent)
                if ent.kind != rule.scope or (o.action, side) in present \
                        or e in trace.true.get(rule_id, {}) \
                        or not (ent.kind == "patient" or _complaint(ent, spec.track)):
                    continue
                gap = why.rule(rule_id, e)
                if gap is None:
                    continue
                size, unmet, unknown = gap
                key = (o.action, side)
                if key not in best or size < best[key][0]:
                    best[key] = (size, Considered.model_construct(
                        action=o.action, side=side, rule=rule_id,
                        unmet=tuple(unmet.values()), unknown=tuple(unknown)))
    return tuple(entry for _, entry in sorted(
        best.values(), key=lambda se: (se[1].side or "~", v.ACTION_ORDER[se[1].action])))


def _unique(checks: list[Check]) -> tuple[Check, ...]:
    seen: dict[tuple[str, str, str], Check] = {}
    for c in checks:
        seen.setdefault((c.rule, c.fact, repr(c.value)), c)
    return tuple(seen.values())


def evaluate(patient: Patient, rulebook: Rulebook | None = None) -> Plan:
    """The justified plan for one patient. Raises EngineError rather than return a partial
    plan."""
    if not isinstance(patient, Patient):
        raise UsageError(f"evaluate() takes a careflow.Patient, not {type(patient).__name__} "
                         "(careflow.parse_patient makes one from a mapping)")
    if rulebook is not None and not isinstance(rulebook, Rulebook):
        raise UsageError(f"evaluate(rulebook=...) takes a careflow.Rulebook, not "
                         f"{type(rulebook).__name__} (careflow.load_rulebook makes one)")
    book = rulebook or default_rulebook()
    return build_plan(book, patient, run_engine(book, patient))


__all__ = ["Explainer", "Trace", "build_plan", "evaluate", "run_engine"]
