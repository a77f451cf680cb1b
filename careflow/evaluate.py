"""evaluate(patient) -> Plan: facts in, engine session, provenance, resolver. Glue only."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from . import _engine
from .facts import FACTS, Entity, entities
from .model import Patient
from .plan import Evidence, Finding, Plan, Protocol, Reason
from .resolve import Say, resolve
from .rulebook import Rulebook, default_rulebook
from .rulebook.compile import CompiledRule, attr_key, holds, output_node
from .rulebook.schema import All, Any_, Cond, Leaf, Not, Ref

Node = tuple[str, str, str | None]  # (kind, name, side)


@dataclass
class Firing:
    rule: CompiledRule
    side: str | None  # None for a whole-patient rule
    attrs: dict[str, Any]


@dataclass
class Run:
    """What one evaluation's session produced: firings and the derived facts they made."""

    book: Rulebook
    firings: list[Firing] = field(default_factory=list)
    made: dict[Node, list[int]] = field(default_factory=dict)  # node -> firing indexes
    seen: set[tuple[str, str | None]] = field(default_factory=set)
    asserted: dict[str, dict[str, Any]] = field(default_factory=dict)  # handle -> entity fact

    def node_of(self, ref: Ref, side: str | None) -> Node:
        if ref.kind == "finding":
            leg_scoped = self.book.scopes.get(ref.name) == "leg"
            return ("finding", ref.name, side if leg_scoped else None)
        return ("claim", ref.name, None if ref.patient else side)

    def sink(self, rule_id: str, handle: str) -> list[dict[str, Any]]:
        rule = self.book.rules[rule_id]
        entity = self.asserted[handle]
        side = entity.get("side") if entity.get("t") == "leg" else None
        if (rule_id, side) in self.seen:
            # the engine fires a rule once per `any` branch (or join) that holds: the same
            # decision for the same entity, already recorded
            return []
        self.seen.add((rule_id, side))
        index = len(self.firings)
        self.firings.append(Firing(rule, side, entity))
        new = []
        for out in rule.rule.outputs:
            node = output_node(out, side)
            if node is None:
                continue
            if node not in self.made:
                self.made[node] = []
                if node[0] == "finding" or node[1] in self.book.claim_refs:
                    new.append({"t": node[0], "name": node[1], "side": node[2] or "-"})
            self.made[node].append(index)
        return new

    def stratum_facts(self, stratum: int, ents: list[Entity]) -> list[dict[str, Any]]:
        refs = self.book.attr_refs.get(stratum, ())
        out = []
        for ent in ents:
            handle = f"{ent.kind}:{ent.side or '-'}:{stratum}"
            fact = {"h": handle, "t": ent.kind, "st": stratum, **ent.attrs}
            for ref in refs:
                if ent.kind == "patient" and (
                        ref.kind == "finding" and self.book.scopes.get(ref.name) == "leg"
                        or ref.kind == "claim" and not ref.patient):
                    continue
                fact[attr_key(ref)] = self.node_of(ref, ent.side) in self.made
            self.asserted[handle] = fact
            out.append(fact)
        return out


def run_engine(book: Rulebook, patient: Patient) -> Run:
    """Assert the patient's entity facts stratum by stratum into one fresh session."""
    ents = entities(patient, book.used_keys)
    run = Run(book)
    name = ruleset_name(book)
    if not _engine.registered(name):
        _engine.register(name, book.engine_rulesets())
    with _engine.session(name, run.sink) as session:
        for stratum in range(book.strata):
            session.assert_batch(run.stratum_facts(stratum, ents))
    return run


def ruleset_name(book: Rulebook) -> str:
    return "careflow_" + book.digest.split(":")[1][:16]


Raw = tuple[str, Any, tuple[str, ...]]  # (fact, value, via): a reason before it is a model


class Explainer:
    """Reasons for a firing: the patient facts behind it, derived facts expanded.

    Reasons are plain tuples while they are collected and become `Reason` models once each
    (a plan shares identical reasons between items)."""

    def __init__(self, run: Run, patient: Patient) -> None:
        self.run, self.patient = run, patient
        self.raw: dict[int, tuple[Raw, ...]] = {}
        self.models: dict[tuple[str, str, tuple[str, ...]], Reason] = {}
        self.done: dict[int, tuple[Reason, ...]] = {}

    def firing(self, index: int) -> tuple[Reason, ...]:
        """The reasons of one firing as models."""
        if index not in self.done:
            self.done[index] = self.models_of(self.raw_of(index, ()))
        return self.done[index]

    def models_of(self, raws: Iterable[Raw]) -> tuple[Reason, ...]:
        out: dict[tuple[str, str, tuple[str, ...]], Reason] = {}
        for fact, value, via in raws:
            key = (fact, repr(value), via)
            if key not in out:
                model = self.models.get(key)
                if model is None:
                    model = self.models[key] = Reason.model_construct(
                        fact=fact, value=value, via=via)
                out[key] = model
        return tuple(out.values())

    def raw_of(self, index: int, stack: tuple[int, ...]) -> tuple[Raw, ...]:
        if index in self.raw:
            return self.raw[index]
        f = self.run.firings[index]
        out: list[Raw] = []
        self.collect(f.rule.when, f, out, stack + (index,))
        self.raw[index] = tuple(out)
        return self.raw[index]

    def sources(self, node: Node) -> list[int]:
        """The firings that made a derived fact, in rule order (priority, id, side), not in the
        engine's firing order: the same plan whatever evaluates the rules."""
        firings = self.run.firings
        return sorted(self.run.made[node], key=lambda i: (
            firings[i].rule.rule.priority, firings[i].rule.id, firings[i].side or ""))

    def have(self, f: Firing) -> Any:
        return lambda ref: self.run.node_of(ref, f.side) in self.run.made

    def collect(self, cond: Cond, f: Firing, out: list[Raw], stack: tuple[int, ...],
                negated: bool = False) -> None:
        if isinstance(cond, All) or (negated and isinstance(cond, Any_)):
            for child in cond.items:
                self.collect(child, f, out, stack, negated)
        elif isinstance(cond, Any_):
            for child in cond.items:  # only the branches that hold made the rule fire
                if holds(child, f.attrs, self.have(f)):
                    self.collect(child, f, out, stack)
        elif isinstance(cond, Not):
            self.collect(cond.item, f, out, stack, True)
        elif isinstance(cond, Leaf):
            leg = self.patient.leg(f.side) if f.side else None
            path, value = FACTS[cond.fact].source(self.patient, leg)
            out.append((path, value, ()))
        else:
            node = self.run.node_of(cond, f.side)
            if negated or node not in self.run.made:
                out.append((_label(cond), node in self.run.made, ()))
                return
            label = _label(cond)
            for source in self.sources(node):
                if source in stack:
                    continue
                for fact, value, via in self.raw_of(source, stack):
                    out.append((fact, value, (label, *via)))


def _label(ref: Ref) -> str:
    if ref.kind == "finding":
        return ref.name
    action, status = ref.name.split(":")
    return f"{action} {status}"


_EVIDENCE: dict[tuple[str, str], Evidence] = {}


def _evidence(book: Rulebook, eid: str) -> Evidence:
    key = (book.digest, eid)
    if key not in _EVIDENCE:
        e = book.evidence[eid]
        _EVIDENCE[key] = Evidence(source=e.source, grade=e.grade, url=e.url,
                                  verification=e.verification, note=e.note)
    return _EVIDENCE[key]


def build_plan(book: Rulebook, patient: Patient, run: Run) -> Plan:
    explain = Explainer(run, patient)
    says: list[Say] = []
    in_rule_order = sorted(range(len(run.firings)), key=lambda i: (
        run.firings[i].rule.rule.priority, run.firings[i].rule.id, run.firings[i].side or ""))
    for index in in_rule_order:
        f = run.firings[index]
        rule = f.rule.rule
        evidence = tuple(_evidence(book, eid) for eid in rule.evidence)
        for out in rule.outputs:
            if out.effect == "derive":
                continue
            side = "*" if out.side == "any" else None if out.side == "patient" else f.side
            says.append(Say(
                effect=out.effect, action=out.action or "", side=side, rule=rule.id,
                title=rule.title, priority=rule.priority, reasons=explain.firing(index),
                evidence=evidence, status=out.status, detail=out.detail,
                reason_code=out.reason_code, urgency=out.urgency, coverage=out.coverage,
                disclosures=out.disclosures))
    findings = []
    for (kind, name, side), sources in sorted(
            run.made.items(), key=lambda kv: (kv[0][2] or "", kv[0][1])):
        if kind != "finding":
            continue
        reasons = explain.models_of(
            r for s in explain.sources((kind, name, side)) for r in explain.raw_of(s, ()))
        findings.append(Finding.model_construct(
            name=name, side=side, reasons=reasons,
            rules=tuple(sorted({run.firings[s].rule.id for s in sources}))))
    return Plan.model_construct(
        patient_id=patient.id, assessed_on=patient.assessed_on,
        protocol=Protocol(name=book.name, version=book.version, digest=book.digest),
        review_after_weeks=int(book.parameters.get("review_after_weeks", 12)),
        items=tuple(resolve(says)), findings=tuple(findings))


def evaluate(patient: Patient, rulebook: Rulebook | None = None) -> Plan:
    """The justified plan for one patient. Raises EngineError rather than return a partial
    plan."""
    book = rulebook or default_rulebook()
    return build_plan(book, patient, run_engine(book, patient))
