"""Whole-set checks and compilation: RuleSet -> Rulebook (plain data + Python predicates).

Forward chaining is stratified. A derived fact (a finding, or a claim on an item) used
positively at the top of a rule is joined inside the engine session, in the same stratum as
its producers; a derived fact used anywhere else (under `not` or `any`) must be complete
before the rule looks at it, so the rule runs one stratum later, where the fact is an
attribute of the entity fact. The engine adapter runs the strata one after another in one
session.
"""

from __future__ import annotations

import hashlib
import json
import operator
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .. import vocabulary as v
from ..errors import Diagnostic
from ..facts import FACTS, key_of
from .schema import All, Any_, Cond, Leaf, Not, Output, Param, Ref, Rule, RuleSet, Where

Attrs = dict[str, Any]
Instances = set[tuple[str, str, str | None]]  # (kind, name, side)

_CMP: dict[str, Callable[[Any, Any], bool]] = {
    "eq": operator.eq, "ne": operator.ne, "lt": operator.lt, "lte": operator.le,
    "gt": operator.gt, "gte": operator.ge,
}
_ENGINE_OP = {"lt": "$lt", "lte": "$lte", "gt": "$gt", "gte": "$gte"}
_INVERT = {"eq": "ne", "ne": "eq", "lt": "gte", "gte": "lt", "lte": "gt", "gt": "lte"}


def attr_key(ref: Ref) -> str:
    if ref.kind == "finding":
        return f"f__{ref.name}"
    action, status = ref.name.split(":")
    return f"{'cp' if ref.patient else 'c'}__{action}__{status}"


@dataclass(frozen=True)
class Join:
    alias: str
    ref: Ref
    scope: str  # scope of the referenced fact: "patient" | "leg"


@dataclass
class CompiledRule:
    rule: Rule
    stratum: int
    when: Cond  # with parameters resolved to values
    joins: tuple[Join, ...]
    engine: dict[str, Any]  # durable-rules definition (no "run": the adapter adds it)

    @property
    def id(self) -> str:
        return self.rule.id


@dataclass
class Rulebook:
    """A validated, compiled rule set: what evaluate() runs. Compiled once per process."""

    name: str
    version: str
    digest: str
    rules: dict[str, CompiledRule]
    strata: int
    scopes: dict[str, str]  # finding name -> "patient" | "leg"
    parameters: dict[str, Any]
    parameter_sources: dict[str, Any]
    evidence: dict[str, Any]
    used_keys: frozenset[str]
    attr_refs: dict[int, tuple[Ref, ...]]  # stratum -> refs that must be attributes there
    claim_refs: frozenset[str]  # "action:status" pairs some rule looks at
    source: RuleSet = field(repr=False, default=None)  # type: ignore[assignment]

    def engine_rulesets(self) -> dict[str, Any]:
        return {cr.id: dict(cr.engine) for cr in self.rules.values()}


# --- evaluation of a condition in plain Python ---------------------------------------------
def holds(cond: Cond, attrs: Attrs, have: Callable[[Ref], bool]) -> bool:
    if isinstance(cond, All):
        return all(holds(c, attrs, have) for c in cond.items)
    if isinstance(cond, Any_):
        return any(holds(c, attrs, have) for c in cond.items)
    if isinstance(cond, Not):
        return not holds(cond.item, attrs, have)
    if isinstance(cond, Ref):
        return have(cond)
    return leaf_holds(cond, attrs.get(key_of(cond.fact)))


def leaf_holds(leaf: Leaf, value: Any) -> bool:
    if leaf.op == "known":
        return bool((value is not None) == leaf.value)
    if value is None:
        return False  # an unknown value satisfies no comparison
    if leaf.op == "in":
        return value in leaf.value
    return _CMP[leaf.op](value, leaf.value)


# --- compilation to the engine ---------------------------------------------------------
def _engine_leaf(leaf: Leaf, negate: bool) -> dict[str, Any]:
    key, op, value = key_of(leaf.fact), leaf.op, leaf.value
    nullable = FACTS[leaf.fact].nullable
    if op == "known":
        return {("$ex" if value != negate else "$nex"): {key: 1}}
    if op == "in":
        if not negate:
            return {"$or": [{key: x} for x in value]} if len(value) > 1 else {key: value[0]}
        parts: list[Any] = [{"$neq": {key: x}} for x in value]
        expr: dict[str, Any] = {"$and": [{"$ex": {key: 1}}, *parts]}
        return {"$or": [expr, {"$nex": {key: 1}}]} if nullable else expr
    if negate:
        op = _INVERT[op]
    if op == "eq":
        expr = {key: value}
    elif op == "ne":
        expr = {"$and": [{"$ex": {key: 1}}, {"$neq": {key: value}}]}
    else:
        expr = {_ENGINE_OP[op]: {key: value}}
    if negate and nullable:
        return {"$or": [expr, {"$nex": {key: 1}}]}
    return expr


def _engine_cond(cond: Cond, negate: bool = False) -> dict[str, Any] | None:
    if isinstance(cond, Not):
        return _engine_cond(cond.item, not negate)
    if isinstance(cond, (All, Any_)):
        conj = isinstance(cond, All) != negate
        parts = [p for p in (_engine_cond(c, negate) for c in cond.items) if p is not None]
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else {("$and" if conj else "$or"): parts}
    if isinstance(cond, Ref):
        return {attr_key(cond): not negate}
    return _engine_leaf(cond, negate)


def _split(when: Cond) -> tuple[list[Ref], Cond]:
    """Top-level positive refs (joined in the engine) and the rest of the condition."""
    items = list(when.items) if isinstance(when, All) else [when]
    joins = [c for c in items if isinstance(c, Ref)]
    rest = [c for c in items if not isinstance(c, Ref)]
    return joins, All(tuple(rest))


def refs(cond: Cond) -> list[Ref]:
    """Every derived fact a condition names, anywhere in it."""
    if isinstance(cond, (All, Any_)):
        return [r for c in cond.items for r in refs(c)]
    if isinstance(cond, Not):
        return refs(cond.item)
    return [cond] if isinstance(cond, Ref) else []


def _leaves(cond: Cond) -> list[Leaf]:
    if isinstance(cond, (All, Any_)):
        return [x for c in cond.items for x in _leaves(c)]
    if isinstance(cond, Not):
        return _leaves(cond.item)
    return [cond] if isinstance(cond, Leaf) else []


def _canonical(cond: Cond) -> str:
    if isinstance(cond, (All, Any_)):
        inner = sorted(_canonical(c) for c in cond.items)
        return f"{type(cond).__name__}({','.join(inner)})"
    if isinstance(cond, Not):
        return f"Not({_canonical(cond.item)})"
    if isinstance(cond, Ref):
        return f"Ref({cond.kind},{cond.name},{cond.patient})"
    return f"Leaf({cond.fact},{cond.op},{cond.value!r})"


class Compiler:
    def __init__(self, rs: RuleSet, params: dict[str, Any], problems: list[Diagnostic]) -> None:
        self.rs, self.params, self.problems = rs, params, problems

    def problem(self, where: Where, code: str, message: str, rule: str | None) -> None:
        self.problems.append(Diagnostic(where.file, where.line, where.column, code, message,
                                        rule))

    def resolve(self, cond: Cond, rule: Rule) -> Cond:
        if isinstance(cond, All):
            return All(tuple(self.resolve(c, rule) for c in cond.items))
        if isinstance(cond, Any_):
            return Any_(tuple(self.resolve(c, rule) for c in cond.items))
        if isinstance(cond, Not):
            return Not(self.resolve(cond.item, rule))
        if isinstance(cond, Leaf):
            value = cond.value
            if isinstance(value, tuple):
                value = tuple(self.param(x, cond, rule) for x in value)
            else:
                value = self.param(value, cond, rule)
            return Leaf(cond.fact, cond.op, value, cond.where)
        return cond

    def param(self, value: Any, leaf: Leaf, rule: Rule) -> Any:
        if not isinstance(value, Param):
            return value
        from .parse import suggest

        if value.name not in self.params:
            self.problem(leaf.where, "CF105", f"unknown parameter '${value.name}'"
                                              f"{suggest(value.name, self.params)}", rule.id)
            return 0
        got = self.params[value.name]
        kind = FACTS[leaf.fact].type
        ok = (isinstance(got, (int, float)) and not isinstance(got, bool)) if kind == "number" \
            else isinstance(got, bool) if kind == "bool" else isinstance(got, str)
        if not ok:
            self.problem(leaf.where, "CF104", f"parameter '${value.name}' = {got!r} does not "
                                              f"suit fact '{leaf.fact}' ({kind})", rule.id)
        return got

    def detail(self, output: Output, rule: Rule) -> Output:
        resolved = []
        for key, value in output.detail:
            if isinstance(value, Param):
                if value.name not in self.params:
                    self.problem(output.where, "CF105",
                                 f"unknown parameter '${value.name}'", rule.id)
                    continue
                value = self.params[value.name]
            resolved.append((key, value))
        return Output(**{**output.__dict__, "detail": tuple(resolved)})


def output_node(output: Output, side: str | None) -> tuple[str, str, str | None] | None:
    """The derived fact (kind, name, side) a rule output makes when the rule fires for the
    entity on `side` (None for the whole patient); None for holds and annotations."""
    node = produced(output)
    if node is None:
        return None
    return (node[0], node[1], None if output.side == "patient" else side)


def produced(output: Output) -> tuple[str, str] | None:
    if output.effect == "derive":
        return ("finding", output.finding or "")
    if output.effect == "claim":
        return ("claim", f"{output.action}:{output.status}")
    return None


def compile_ruleset(rs: RuleSet, overrides: dict[str, Any],
                    problems: list[Diagnostic]) -> Rulebook | None:
    params = {name: p.value for name, p in rs.parameters.items()}
    for name, value in overrides.items():
        if name not in params:
            from .parse import suggest

            problems.append(Diagnostic("<overrides>", 0, 0, "CF301",
                                       f"override of unknown parameter '{name}'"
                                       f"{suggest(name, params)}"))
        else:
            params[name] = value
    comp = Compiler(rs, params, problems)

    # duplicate ids, evidence
    seen: dict[str, Rule] = {}
    for rule in rs.rules:
        if rule.id in seen:
            first = seen[rule.id].where
            comp.problem(rule.where, "CF201", f"duplicate rule id {rule.id} (first at "
                                              f"{first.file}:{first.line})", rule.id)
        seen.setdefault(rule.id, rule)
        for eid in rule.evidence:
            if eid not in rs.evidence:
                from .parse import suggest

                comp.problem(rule.where, "CF110", f"unknown evidence id '{eid}'"
                                                  f"{suggest(eid, rs.evidence)}", rule.id)
        needs = [o for o in rule.outputs if o.effect == "claim" and o.action
                 and v.ACTIONS[o.action].kind in ("treatment", "referral")]
        if needs and not rule.evidence:
            comp.problem(rule.where, "CF111", "a rule that claims a treatment or a referral "
                                              "needs evidence", rule.id)

    # scopes of findings
    scopes: dict[str, str] = {}
    for rule in rs.rules:
        for o in rule.outputs:
            if o.effect == "derive" and o.finding:
                scope = "patient" if (rule.scope == "patient" or o.side == "patient") else "leg"
                if scopes.setdefault(o.finding, scope) != scope:
                    comp.problem(o.where, "CF204", f"finding '{o.finding}' is derived for the "
                                                   "whole patient and for a leg", rule.id)

    producers: dict[tuple[str, str], list[Rule]] = {}
    for rule in rs.rules:
        for o in rule.outputs:
            node = produced(o)
            if node:
                producers.setdefault(node, []).append(rule)

    # references: exist, scope fits
    for rule in rs.rules:
        for ref in refs(rule.when):
            node = (ref.kind, ref.name)
            if node not in producers:
                from .parse import suggest

                names = [n for k, n in producers if k == ref.kind]
                what = "finding" if ref.kind == "finding" else "claim"
                comp.problem(ref.where, "CF106", f"no rule derives {what} '{ref.name}'"
                                                 f"{suggest(ref.name, names)}", rule.id)
            elif ref.kind == "finding" and rule.scope == "patient" \
                    and scopes.get(ref.name) == "leg":
                comp.problem(ref.where, "CF108", f"finding '{ref.name}' belongs to a leg; "
                                                 "this rule's scope is the whole patient", rule.id)

    # contradictions: the same action claimed and contraindicated under identical conditions
    by_cond: dict[tuple[str, str], list[tuple[Rule, Output]]] = {}
    for rule in rs.rules:
        for o in rule.outputs:
            if o.effect == "claim":
                by_cond.setdefault((rule.scope, _canonical(rule.when)), []).append((rule, o))
    for group in by_cond.values():
        for rule, o in group:
            if o.status != "contraindicated":
                continue
            for other, p in group:
                if p.action == o.action and p.side == o.side and p.status in (
                        "recommended", "option"):
                    comp.problem(o.where, "CF203",
                                 f"{o.action} is both {p.status} (rule {other.id}) and "
                                 "contraindicated under identical conditions", rule.id)

    # cycles and strata (a DAG over rules through the nodes they produce and use)
    strata = _strata(rs.rules, producers, comp)

    rules: dict[str, CompiledRule] = {}
    attr_refs: dict[int, set[Ref]] = {}
    claim_refs: set[str] = set()
    used: set[str] = {"side"}
    for rule in rs.rules:
        if rule.id in rules:
            continue
        when = comp.resolve(rule.when, rule)
        outputs = tuple(comp.detail(o, rule) for o in rule.outputs)
        rule = Rule(**{**rule.__dict__, "outputs": outputs})
        stratum = strata.get(rule.id, 0)
        join_refs, rest = _split(when)
        joins = tuple(
            Join(f"j{i}", ref, "patient" if ref.patient or scopes.get(ref.name) == "patient"
                 else rule.scope)
            for i, ref in enumerate(join_refs))
        for ref in refs(rest):
            attr_refs.setdefault(stratum, set()).add(ref)
        for ref in refs(when):
            if ref.kind == "claim":
                claim_refs.add(ref.name)
        used.update(key_of(leaf.fact) for leaf in _leaves(when))
        entity: list[Any] = [{"t": rule.scope}, {"st": stratum}]
        expr = _engine_cond(rest)
        if expr is not None:
            entity.append(expr)
        patterns: list[Any] = [{"e": {"$and": entity}}]
        for join in joins:
            side: Any = "-" if join.scope == "patient" else {"e": "side"}
            patterns.append({join.alias: {"$and": [
                {"t": join.ref.kind}, {"name": join.ref.name}, {"side": side}]}})
        rules[rule.id] = CompiledRule(rule, stratum, when, joins,
                                      {"all": patterns, "pri": rule.priority})
    if problems:
        return None
    digest = hashlib.sha256()
    for name in sorted(rs.files):
        digest.update(name.encode() + b"\0" + rs.files[name] + b"\0")
    digest.update(json.dumps(overrides, sort_keys=True, default=str).encode())
    return Rulebook(
        name=rs.name, version=rs.version, digest="sha256:" + digest.hexdigest(), rules=rules,
        strata=max(strata.values(), default=0) + 1, scopes=scopes, parameters=params,
        parameter_sources={n: p for n, p in rs.parameters.items()}, evidence=rs.evidence,
        used_keys=frozenset(used),
        attr_refs={k: tuple(sorted(s, key=attr_key)) for k, s in attr_refs.items()},
        claim_refs=frozenset(claim_refs), source=rs)


def _strata(rules: list[Rule], producers: dict[tuple[str, str], list[Rule]],
            comp: Compiler) -> dict[str, int]:
    by_id = {r.id: r for r in rules}
    deps: dict[str, list[tuple[str, bool]]] = {}
    for rule in rules:
        joins, rest = _split(rule.when)
        joined = {(r.kind, r.name) for r in joins}
        out: list[tuple[str, bool]] = []
        for ref in refs(rule.when):
            node = (ref.kind, ref.name)
            same = node in joined and ref not in refs(rest)
            for producer in producers.get(node, []):
                out.append((producer.id, same))
        deps[rule.id] = out
    state: dict[str, int] = {}
    level: dict[str, int] = {}
    reported: set[str] = set()

    def visit(rid: str, path: list[str]) -> int:
        if state.get(rid) == 2:
            return level[rid]
        if state.get(rid) == 1:
            cycle = path[path.index(rid):] + [rid]
            if rid not in reported:
                reported.update(cycle)
                comp.problem(by_id[rid].where, "CF202",
                             "cycle in derived facts: " + " -> ".join(cycle), rid)
            return 0
        state[rid] = 1
        lvl = 0
        for dep, same in deps.get(rid, []):
            lvl = max(lvl, visit(dep, path + [rid]) + (0 if same else 1))
        state[rid], level[rid] = 2, lvl
        return lvl

    for rule in rules:
        visit(rule.id, [])
    return level
