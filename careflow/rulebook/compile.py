"""Whole-set checks and compilation: RuleSet -> Rulebook, whose `program` is the
engine-neutral form of careflow.rulebook.program.

Each rule's condition (parameters resolved to values) is turned by the condition algebra
(careflow.logic) into the branches that make it TRUE (`fire` productions) and, for exclusion
rules, the branches that make it definitely FALSE (`false` productions). A derived fact that
some rule reads negatively gets `node` productions: it is definitely FALSE when every rule
producing it is. A whole-patient fact produced by leg rules is FALSE when each leg's share
is FALSE (a `partial` node per leg, joined `each_leg`).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any

from .. import logic
from .. import vocabulary as v
from .._version import __version__
from ..errors import Diagnostic
from ..facts import FACTS
from ..logic import Test, Unless, Use
from .program import Node, Production, Program
from .schema import (
    All,
    Any_,
    Cond,
    EvidenceRef,
    Flag,
    Leaf,
    Not,
    Output,
    Param,
    Ref,
    Rule,
    RuleSet,
    Where,
)

EXCLUDING = ("contraindicated",)
"""Claim statuses whose rules are also traced when definitely FALSE (`checked`)."""


def excludes(output: Output) -> bool:
    """Is this output an exclusion of its item, listed in the item's `checked` when definitely
    FALSE and in `unchecked` when undecided? A contraindicated claim (the whole item is
    blocked), and an annotation with a reason_code: a restriction, where a part of the item
    is contraindicated and the annotation says what is done instead (an oral NSAID blocked,
    acetaminophen only; imipenem blocked, microspheres)."""
    if not output.action:
        return False
    return (output.effect == "claim" and output.status in EXCLUDING) or (
        output.effect == "annotate" and output.reason_code is not None)


@dataclass
class CompiledRule:
    rule: Rule
    when: Cond  # with parameters resolved to values

    headline: int = 0  # its place in vocabulary.HEADLINE (see headline_kind)

    @property
    def id(self) -> str:
        return self.rule.id

    @cached_property
    def can_fire(self) -> bool:
        """Can the rule fire for some patient? Not when a switch turns it off (`parameter:`
        with another value than the parameter's, resolved to false when the rules load): such
        a rule is no part of this protocol, so it is neither `checked` nor `unchecked` on any
        item. A condition too complex to normalise is taken as able to fire (CF205 reports
        it). Computed once per rule (the exclusions and the builder both ask)."""
        try:
            return bool(logic.positive(self.when))
        except logic.TooComplex:
            return True


@dataclass
class Rulebook:
    """A validated, compiled rule set: what evaluate() runs. Compiled once per process."""

    name: str
    version: str
    digest: str
    rules: dict[str, CompiledRule]
    scopes: dict[str, str]  # finding name -> "patient" | "leg"
    parameters: dict[str, Any]
    parameter_sources: dict[str, Any]
    evidence: dict[str, Any]
    program: Program
    order: dict[str, int]  # rule id -> position (priority, then file order): the plan's order
    makers: dict[tuple[str, str, str], tuple[str, ...]]  # (kind, name, level) -> rule ids
    blockers: dict[str, tuple[tuple[str, Output], ...]]  # action -> its exclusions (excludes)
    source: RuleSet = field(repr=False, default=None)  # type: ignore[assignment]

    @cached_property
    def offering(self) -> tuple[str, ...]:
        """The rules that offer a treatment (claim it recommended or an option), in plan order:
        the plan's `considered` asks each why it did not fire."""
        return tuple(sorted((rid for rid, cr in self.rules.items() if any(
            o.effect == "claim" and o.status in ("recommended", "option") and o.action
            and v.ACTIONS[o.action].kind == "treatment" for o in cr.rule.outputs)),
            key=self.order.__getitem__))


def _table(value: Any) -> Any:
    """A vocabulary table as JSON values (an unexpected kind of value is an error, so that a
    new table cannot silently stay out of the digest)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _table(dataclasses.asdict(value))
    if isinstance(value, dict):
        return {str(k): _table(x) for k, x in value.items()}
    if isinstance(value, (tuple, list)):
        return [_table(x) for x in value]
    if isinstance(value, (set, frozenset)):
        return sorted(_table(x) for x in value)
    if value is None or isinstance(value, (str, int, float)):
        return value
    raise TypeError(f"vocabulary table value {value!r} has no digest form")


@lru_cache(maxsize=1)
def vocabulary_digest() -> str:
    """A hash of the words rules may use and of what they mean: every fact's name, scope,
    type and values, and every public table of careflow.vocabulary (the actions with all
    their attributes, the action groups a rule names, the statuses' strengths, the order of
    the reasons that head an item, the items no hold defers, ...)."""
    words = [(f.name, f.scope, f.type, f.nullable, f.values) for f in FACTS.values()]
    tables = {name: _table(getattr(v, name)) for name in sorted(dir(v))
              if name.isupper() and not name.startswith("_")}
    return hashlib.sha256(json.dumps([words, tables], sort_keys=True).encode()).hexdigest()


def refs(cond: Cond) -> list[Ref]:
    """Every derived fact a condition names, anywhere in it."""
    return [a for a in logic.atoms(cond) if isinstance(a, Ref)]


def _canonical(cond: Cond) -> str:
    if isinstance(cond, (All, Any_)):
        inner = sorted(_canonical(c) for c in cond.items)
        return f"{type(cond).__name__}({','.join(inner)})"
    if isinstance(cond, (Not, Unless)):
        return f"{type(cond).__name__}({_canonical(cond.item)})"
    if isinstance(cond, Ref):
        return f"Ref({cond.kind},{cond.name},{cond.patient})"
    if isinstance(cond, Flag):
        return f"Flag({cond.name},{cond.value!r})"
    return f"Leaf({cond.fact},{cond.op},{cond.value!r})"


_FACT_KIND = (("pregnant", "pregnancy"), ("allergy.", "allergy"), ("allergies.", "allergy"),
              ("medication.", "medication"), ("medications.", "medication"),
              ("condition.", "condition"), ("conditions.", "condition"), ("history.", "history"))


def headline_kind(rule: Rule, evidence: Mapping[str, EvidenceRef]) -> str:
    """What kind of reason a rule gives, for the headline precedence (vocabulary.HEADLINE):
    from its own reason codes and the facts its condition reads itself (not through
    findings); the clinic's own policy only for a rule that reads none of those kinds and
    whose every evidence entry is clinic policy (EvidenceRef.clinic_policy). A rule that reads
    the history ("tried without benefit") gives a history reason, whatever it cites."""
    codes = {o.reason_code for o in rule.outputs}
    if codes & set(v.RED_FLAGS + v.URGENT_CARE):  # a red flag, or urgent care in house
        return "red_flag"
    facts = [leaf.fact for leaf in _leaves(rule.when)]
    for prefix, kind in _FACT_KIND:
        if any(f == prefix or f.startswith(prefix) for f in facts):
            return kind
    if any(FACTS[f].type == "number" for f in facts):
        return "measurement"
    if rule.evidence and all(e in evidence and evidence[e].clinic_policy
                             for e in rule.evidence):
        return "clinic_policy"
    return "other"


def _leaves(cond: Cond) -> list[Leaf]:
    return [a for a in logic.atoms(cond) if isinstance(a, Leaf)]


def produced(output: Output) -> tuple[str, str] | None:
    """The derived fact (kind, name) an output makes; None for holds and annotations."""
    if output.effect == "derive":
        return ("finding", output.finding or "")
    if output.effect == "claim":
        return ("claim", f"{output.action}:{output.status}")
    return None


def output_level(rule: Rule, output: Output) -> str:
    """The level of the derived fact an output makes: the whole patient or a leg."""
    return "patient" if rule.scope == "patient" or output.side == "patient" else "leg"


def ref_level(scope: str, ref: Ref | Use, scopes: dict[str, str]) -> str:
    """The level of the derived fact a reference names, read from a rule of `scope`: a
    finding's own scope; for a claim, the whole patient from a patient rule or with
    `scope: patient`, else the rule's leg."""
    if ref.kind == "finding":
        return scopes[ref.name]
    return "patient" if scope == "patient" or ref.patient else "leg"


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
        if isinstance(cond, Unless):
            return Unless(self.resolve(cond.item, rule))
        if isinstance(cond, Flag):
            if cond.name not in self.params:
                from .parse import suggest

                self.problem(cond.where, "CF105", f"unknown parameter '{cond.name}'"
                                                  f"{suggest(cond.name, self.params)}", rule.id)
                return All(())
            got = self.params[cond.name]
            if type(got) is not type(cond.value):
                self.problem(cond.where, "CF104", f"parameter '{cond.name}' = {got!r} cannot "
                                                  f"be compared with {cond.value!r}", rule.id)
            return All(()) if got == cond.value else Not(All(()))
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
        for key, written in output.detail:
            value = written
            if isinstance(written, Param):
                if written.name not in self.params:
                    self.problem(output.where, "CF105",
                                 f"unknown parameter '${written.name}'", rule.id)
                    continue
                value = self.params[written.name]
            resolved.append((key, value))
        return Output(**{**output.__dict__, "detail": tuple(resolved)})



def compile_ruleset(rs: RuleSet, overrides: dict[str, Any], problems: list[Diagnostic],
                    origin: str = "<overrides>") -> Rulebook | None:
    params = {name: p.value for name, p in rs.parameters.items()}
    for name, value in overrides.items():
        if name not in params:
            from .parse import suggest

            problems.append(Diagnostic(origin, 0, 0, "CF301",
                                       f"override of unknown parameter '{name}'"
                                       f"{suggest(name, params)}"))
        else:
            params[name] = value
    for name, param in rs.parameters.items():
        from .parse import parameter_problem

        problem = parameter_problem(param, params[name])
        if problem:
            where = None if name in overrides else param.where
            problems.append(Diagnostic(where.file if where else origin,
                                       where.line if where else 0,
                                       where.column if where else 0, "CF302",
                                       f"parameter '{name}' {problem}"
                                       + ("" if where else " (an override)")))
            params[name] = param.value
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
    levels: dict[tuple[str, str], set[str]] = {}  # claim or finding -> levels it exists at
    for rule in rs.rules:
        for o in rule.outputs:
            node = produced(o)
            if node:
                producers.setdefault(node, []).append(rule)
                levels.setdefault(node, set()).add(output_level(rule, o))

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
            elif ref.kind == "claim" and ref_level(rule.scope, ref, scopes) not in levels[node]:
                reader = "the whole patient" \
                    if ref_level(rule.scope, ref, scopes) == "patient" else "a leg"
                has = "the whole patient" if "patient" in levels[node] else "a leg"
                hint = "" if rule.scope == "patient" else (
                    " (add scope: patient)" if "patient" in levels[node] else
                    " (drop scope: patient)")
                comp.problem(ref.where, "CF108", f"claim '{ref.name}' is made for {has}, never "
                                                 f"for {reader} as this rule reads it{hint}",
                             rule.id)

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

    _check_cycles(rs.rules, producers, comp)
    rules: dict[str, CompiledRule] = {}
    for rule in rs.rules:
        if rule.id in rules:
            continue
        when = comp.resolve(rule.when, rule)
        outputs = tuple(comp.detail(o, rule) for o in rule.outputs)
        compiled = Rule(**{**rule.__dict__, "outputs": outputs})
        rules[rule.id] = CompiledRule(compiled, when,
                                      v.HEADLINE.index(headline_kind(compiled, rs.evidence)))
    _check_consent(rs, problems)
    if problems:
        return None
    digest = hashlib.sha256()
    for name in sorted(rs.files):
        digest.update(name.encode() + b"\0" + rs.files[name] + b"\0")
    digest.update(json.dumps(overrides, sort_keys=True, default=str).encode())
    # the same files mean the same protocol only with the same careflow and vocabulary
    digest.update(__version__.encode() + b"\0" + vocabulary_digest().encode())
    hexdigest = digest.hexdigest()
    order = {rid: i for i, rid in enumerate(
        sorted(rules, key=lambda rid: (rules[rid].rule.priority, list(rules).index(rid))))}
    makers: dict[tuple[str, str, str], list[str]] = {}
    blockers: dict[str, list[tuple[str, Output]]] = {}
    for rid in sorted(rules, key=order.__getitem__):
        for o in rules[rid].rule.outputs:
            made = produced(o)
            if made:
                key = (made[0], made[1], output_level(rules[rid].rule, o))
                if rid not in makers.setdefault(key, []):
                    makers[key].append(rid)
            if excludes(o) and rules[rid].can_fire:
                blockers.setdefault(o.action or "", []).append((rid, o))
    program = _Builder(rules, order, scopes, makers, comp).build("careflow_" + hexdigest[:16])
    if not problems:
        from .. import _engine  # its limits, not its engine: nothing is registered here

        for rid, message in _engine.limits(program):
            first = rules[rid].rule.where if rid in rules else Where(rs.name, 1, 1)
            comp.problem(first, "CF207", f"the engine cannot run this rule set: {message}",
                         rid or None)
    if problems:
        return None
    return Rulebook(
        name=rs.name, version=rs.version, digest="sha256:" + hexdigest, rules=rules,
        scopes=scopes, parameters=params,
        parameter_sources=dict(rs.parameters.items()), evidence=rs.evidence,
        program=program, order=order,
        makers={k: tuple(rs_) for k, rs_ in makers.items()},
        blockers={k: tuple(bs) for k, bs in blockers.items()}, source=rs)


def _self_pay_outputs(rules: list[Rule]) -> list[tuple[Rule, Output]]:
    """The claims and annotations of self-pay actions: each needs the action's consent."""
    return [(rule, o) for rule in rules for o in rule.outputs
            if o.action and v.ACTIONS[o.action].phase == "self_pay"
            and o.effect in ("claim", "annotate")]


def consent_needs(rules: list[Rule]) -> dict[str, tuple[str, ...]]:
    """What each self-pay action's consent must say: the disclosures its items carry (the
    action's own and those rules add), bar the ones the price list gives, and the evidence in
    plain words."""
    from .parse import CONSENT_TEXTS, FROM_PRICE_LIST

    needs: dict[str, set[str]] = {}
    for _rule, o in _self_pay_outputs(rules):
        assert o.action is not None
        needs.setdefault(o.action, set(v.ACTIONS[o.action].disclosures)).update(o.disclosures)
    return {a: tuple(c for c in v.DISCLOSURES + CONSENT_TEXTS
                     if (c in codes or c in CONSENT_TEXTS) and c not in FROM_PRICE_LIST)
            for a, codes in needs.items()}


def _check_consent(rs: RuleSet, problems: list[Diagnostic]) -> None:
    """Every self-pay action the rules offer has every text its consent needs, in Japanese
    and in English (CF120); without a consent.yaml, each such action is reported once, at
    the first rule that offers it (the form could not be printed). The form's own version,
    reflection days and withdrawal text are checked where consent.yaml is read."""
    if rs.consent is None:
        if "consent.yaml" in rs.files:  # there, but unreadable: reported where it was read
            return
        seen: set[str] = set()
        for rule, o in _self_pay_outputs(rs.rules):
            assert o.action is not None
            if o.effect == "claim" and o.status in ("recommended", "option") \
                    and o.action not in seen:
                seen.add(o.action)
                problems.append(Diagnostic(
                    o.where.file, o.where.line, o.where.column, "CF120",
                    f"the self-pay action {o.action!r} is offered but the rule set has no "
                    "consent.yaml: its explanation and consent cannot be printed "
                    "(write consent.yaml with its texts, docs/rule-language.md#consent-texts)",
                    rule.id))
        return
    for action, codes in consent_needs(rs.rules).items():
        texts = rs.consent["actions"].get(action, {})
        where = rs.consent_lines[action]  # its texts, or the file's `actions:` without them
        for code in codes:
            entry = texts.get(code) if isinstance(texts, dict) else None
            for lang in ("ja", "en"):
                if not isinstance(entry, dict) or not str(entry.get(lang) or "").strip():
                    problems.append(Diagnostic(
                        where.file, where.line, where.column, "CF120",
                        f"the consent for {action!r} has no {lang} text for {code!r}"))


def _check_cycles(rules: list[Rule], producers: dict[tuple[str, str], list[Rule]],
                  comp: Compiler) -> None:
    """Derived facts must not depend on themselves (CF202): a finding that is TRUE because it
    is TRUE has no ground, and its falsity would be undecidable."""
    by_id = {r.id: r for r in rules}
    state: dict[str, int] = {}
    reported: set[str] = set()

    def visit(rid: str, path: list[str]) -> None:
        if state.get(rid) == 2:
            return
        if state.get(rid) == 1:
            cycle = [*path[path.index(rid):], rid]
            if rid not in reported:
                reported.update(cycle)
                comp.problem(by_id[rid].where, "CF202",
                             "cycle in derived facts: " + " -> ".join(cycle), rid)
            return
        state[rid] = 1
        for ref in refs(by_id[rid].when):
            for producer in producers.get((ref.kind, ref.name), []):
                visit(producer.id, [*path, rid])
        state[rid] = 2

    for rule in rules:
        visit(rule.id, [])


class _Builder:
    """Normal forms -> productions (see the module docstring)."""

    def __init__(self, rules: dict[str, CompiledRule], order: dict[str, int],
                 scopes: dict[str, str], makers: dict[tuple[str, str, str], list[str]],
                 comp: Compiler) -> None:
        self.rules, self.scopes, self.comp = rules, scopes, comp
        self.in_order = sorted(rules.values(), key=lambda cr: order[cr.id])
        self.out: list[Production] = []
        self.facts: set[str] = set()
        self.producers = {key: [rules[r] for r in rids] for key, rids in makers.items()}

    def node(self, rule: Rule, use: Use) -> tuple[Node, str]:
        level = ref_level(rule.scope, use, self.scopes)
        return Node(use.kind, use.name, level, use.true, absent=use.settled), (
            "same" if level == rule.scope else "patient")

    def add(self, rule: str, role: str, scope: str, branches: list[logic.Branch],
            emits: tuple[tuple[Node, str], ...], owner: Rule | None,
            node: Node | None = None, extra: tuple[tuple[Node, str], ...] = ()) -> None:
        for k, branch in enumerate(branches):
            tests = tuple(a for a in branch if isinstance(a, Test))
            uses = tuple(self.node(owner, a) for a in branch if isinstance(a, Use)) \
                if owner else ()
            self.facts.update(t.fact for t in tests)
            self.out.append(Production(len(self.out), rule, role, scope, k, tests,
                                       uses + extra, emits, node))

    def forms(self, cr: CompiledRule, positive: bool) -> list[logic.Branch] | None:
        try:
            return logic.positive(cr.when) if positive else logic.negative(cr.when)
        except logic.TooComplex:
            self.comp.problem(cr.rule.where, "CF205",
                              f"the condition is too complex: its normal form has more than "
                              f"{logic.MAX_BRANCHES} branches (split the rule or name a "
                              "finding for part of it)", cr.id)
            return None

    def build(self, name: str) -> Program:
        for cr in self.in_order:
            # every fact a rule reads, even one whose test a normal form simplified away:
            # an entity carries it (the reference evaluator and `unchecked` read it)
            self.facts.update(leaf.fact for leaf in _leaves(cr.when))
            rule = cr.rule
            emits = []
            for o in rule.outputs:
                made = produced(o)
                if made:
                    level = output_level(rule, o)
                    place = "same" if level == rule.scope else "patient"
                    emits.append((Node(made[0], made[1], level), place))
                    if o.effect == "claim" and o.status in v.OFFERED:
                        emits.append((Node("item", o.action or "", level), place))
            branches = self.forms(cr, True)
            if branches is not None:
                self.add(rule.id, "fire", rule.scope, branches, tuple(dict.fromkeys(emits)),
                         rule)
        self.refutations()
        return self.finish(name)

    def refutations(self) -> None:
        """`false` productions for every rule that makes a derived fact read as definitely
        FALSE, and `node` productions for those facts (a join of their rules'
        refutations), repeated for what those productions read in turn; then `false`
        productions for the contraindication rules, gated by their item: they are traced
        only where the item could be offered (a claim that it is recommended, an option or
        a next step), which is where `checked` is shown."""
        full: set[str] = set()
        gated: dict[str, Node] = {}
        decided: set[Node] = set()
        wanted_rules: list[str] = []
        traced = [(cr, self.gate(cr)) for cr in self.in_order]
        traced = [(cr, gate) for cr, gate in traced if gate is not False]
        while True:
            for rid in wanted_rules:
                if rid in full:
                    continue
                full.add(rid)
                if rid in gated:  # needed in full after all: drop the gated refutation
                    del gated[rid]
                    self.out = [p for p in self.out if not (p.rule == rid and p.role == "false")]
                self.refute(self.rules[rid], None)
            wanted = sorted({n.base for p in self.out for n, _ in p.uses
                             if not n.truth and n.kind not in ("rule", "item")
                             and not n.partial} - decided)
            if wanted:
                wanted_rules = []
                for node in wanted:
                    decided.add(node)
                    wanted_rules.extend(self.falsity(node))
                continue
            pending = [(cr, g) for cr, g in traced if cr.id not in full and cr.id not in gated]
            if not pending:
                return
            for cr, gate in pending:
                if isinstance(gate, Node):
                    gated[cr.id] = gate
                    self.refute(cr, gate)
                else:
                    wanted_rules.append(cr.id)

    def gate(self, cr: CompiledRule) -> Node | bool | None:
        """Where a rule's refutation is traced: a contraindication where its item could be
        offered (the item's `checked`). None: everywhere (a rule with more than one such
        item); False: nowhere. (The plan's `considered` needs no refutations: it is read
        off the fire branches and the facts, careflow.evaluate._WhyNot.)"""
        outs = [o for o in cr.rule.outputs if excludes(o)] if cr.can_fire else []
        if outs:
            if len({o.action for o in outs}) > 1:
                return None
            return Node("item", outs[0].action or "", output_level(cr.rule, outs[0]))
        return False

    def refute(self, cr: CompiledRule, gate: Node | None) -> None:
        branches = self.forms(cr, False)
        if branches is None:
            return
        extra = () if gate is None else (
            (gate, "same" if gate.level == cr.rule.scope else "patient"),)
        self.add(cr.id, "false", cr.rule.scope, branches, ((refutation(cr.rule), "same"),),
                 cr.rule, extra=extra)

    def falsity(self, node: Node) -> list[str]:
        """The `node` productions that decide `node` is FALSE; the rules they need refuted."""
        key = (node.kind, node.name, node.level)
        own = [cr for cr in self.producers.get(key, []) if cr.rule.scope == node.level]
        legs = [cr for cr in self.producers.get(key, []) if cr.rule.scope != node.level]
        extra: tuple[tuple[Node, str], ...] = ()
        if legs:  # a whole-patient fact that leg rules make: FALSE on each leg first
            share = Node(node.kind, node.name, node.level, False, partial=True)
            self.out.append(Production(
                len(self.out), "", "node", "leg", 0, (),
                tuple((refutation(cr.rule), "same") for cr in legs), ((share, "same"),),
                share))
            extra = ((share, "each_leg"),)
        self.out.append(Production(
            len(self.out), "", "node", node.level, 0, (),
            tuple((refutation(cr.rule), "same") for cr in own) + extra, ((node, "same"),),
            node))
        return [cr.id for cr in own + legs]

    def finish(self, name: str) -> Program:
        read = {n.base for p in self.out for n, _ in p.uses}
        productions = tuple(
            Production(i, p.rule, p.role, p.scope, p.branch, p.tests, p.uses,
                       tuple(e for e in p.emits if e[0] in read), p.node)
            for i, p in enumerate(self.out))
        return Program(name, productions, frozenset(self.facts))


def refutation(rule: Rule) -> Node:
    """The derived fact "rule is definitely FALSE" on its entity."""
    return Node("rule", rule.id, rule.scope, False)
