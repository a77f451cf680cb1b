"""Read a rules folder into a RuleSet, collecting every problem as a Diagnostic.

Diagnostic codes (stable; tests and `careflow check` rely on them):
    CF001 the YAML does not parse          CF002 wrong structure
    CF003 unknown key                      CF004 missing key
    CF101 unknown fact                     CF102 unknown action
    CF103 unknown operator                 CF104 wrong value type for a fact
    CF105 unknown parameter                CF106 finding that no rule derives
    CF107 unknown code (status, urgency, reason, side, scope, kind, coverage, disclosure)
    CF108 fact not available in the rule's scope
    CF109 malformed rule id                CF110 unknown evidence id
    CF111 treatment claim without evidence CF112 rule that produces nothing
    CF113 unknown criterion (a `criterion:` no `define:` names)
    CF120 a self-pay consent that cannot be printed whole: a rule offers a self-pay action and
          there is no consent.yaml, or a text it needs is missing in either language, or the
          form's version, reflection days (a whole number above 0) or withdrawal text is
          missing
    CF207 a rule set the engine cannot run (too many rules, too long a chain of findings, a
          condition reading too many facts, an engine-name hash collision)
    CF130 a text with a control character  CF131 an evidence url that is not http(s)
    CF132 a rule file named *.yml (it would not be read)
    CF201 duplicate rule id                CF202 cycle in derived facts
    CF203 an action produced and contraindicated by identical conditions
    CF204 one finding derived at two scopes
    CF206 a criterion defined twice, or defined through itself
    CF205 a condition too complex for the engine (its normal form is too large)
    CF301 parameter problem (missing value or source, unknown override)
    CF302 parameter value of the wrong type or out of its bounds (in the file or an override)
"""

from __future__ import annotations

import difflib
import math
import re
import string
import unicodedata
from pathlib import Path
from typing import Any

from .. import vocabulary as v
from ..errors import Diagnostic
from ..facts import FACTS
from ..logic import Flag, Unless
from ..yamlsrc import Marked, MarkedList, YamlSourceError, load_rule_yaml, plain, shown
from .schema import (
    All,
    Any_,
    Cond,
    EvidenceRef,
    Leaf,
    Not,
    Output,
    Param,
    Parameter,
    Ref,
    Rule,
    RuleSet,
    Where,
)

RULE_KEYS = ("id", "title", "title_ja", "scope", "priority", "when", "derive", "claim", "claims",
             "hold", "annotate", "evidence", "note")
CLAIM_KEYS = ("action", "status", "detail", "reason_code", "urgency", "coverage", "scope")
ANNOTATE_KEYS = ("action", "detail", "coverage", "disclosures", "precautions", "scope",
                 "reason_code")
HOLD_KEYS = ("reason_code", "targets")
TARGET_KEYS = ("kinds", "actions", "groups", "scope")
SCOPES = {"leg": "this", "patient": "patient", "any": "any"}
"""`scope:` is the one word for where something belongs: a rule runs for each `leg` (the
default) or for the whole `patient`; a claim, an annotation, a derived finding or a read
claim is the rule's leg's or the whole `patient`'s; a hold reaches items of this `leg`, of
the whole `patient`, or of `any` side."""
OPS = ("eq", "ne", "lt", "lte", "gt", "gte", "in", "known")
COMBINATORS = ("all", "any", "not", "unless", "finding", "claimed", "criterion", "parameter")
NAME_RE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")
ID_RE = re.compile(r"^[A-Z][A-Z0-9]*(_[A-Z0-9]+)+$")
REASON_RE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")


def _all(parts: list[Cond]) -> Cond:
    """A conjunction, flattened: `all` inside `all` is one level (so its derived facts can be
    joined in the engine)."""
    flat: list[Cond] = []
    for part in parts:
        flat.extend(part.items if isinstance(part, All) else [part])
    return flat[0] if len(flat) == 1 else All(tuple(flat))


def suggest(word: str, choices: Any) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


class Reader:
    """Turns YAML documents into schema objects, appending to `problems` as it goes."""

    def __init__(self, problems: list[Diagnostic]) -> None:
        self.problems = problems
        self.file = ""
        self.rule_id: str | None = None
        self.criteria: dict[str, tuple[str, Any, Where]] = {}  # name -> (file, node, where)
        self.expanding: list[str] = []

    # -- helpers ----------------------------------------------------------------------
    def at(self, node: Any, key: str | None = None) -> Where:
        if isinstance(node, Marked):
            line, col = node.where(key)
        elif isinstance(node, MarkedList):
            line, col = node.line, node.column
        else:
            line, col = 0, 0
        return Where(self.file, line, col)

    def problem(self, where: Where, code: str, message: str) -> None:
        self.problems.append(
            Diagnostic(where.file, where.line, where.column, code, message, self.rule_id))

    def mapping(self, node: Any, where: Where, what: str) -> Marked | None:
        if not isinstance(node, Marked):
            self.problem(where, "CF002", f"{what} must be a mapping")
            return None
        return node

    def keys(self, node: Marked, allowed: tuple[str, ...], what: str) -> None:
        for key in node:
            if key not in allowed:
                hint = (" (write scope: patient; scope is the one word for where it belongs)"
                        if key in ("side", "for") and "scope" in allowed
                        else suggest(key, allowed))
                self.problem(self.at(node, key), "CF003", f"unknown key '{key}' in {what}{hint}")

    def scope(self, node: Marked, allowed: tuple[str, ...] = ("leg", "patient")) -> str:
        """A `scope:` value as the rule model says it ("this" leg, "patient", "any")."""
        value = self.code(node.get("scope", "leg"), allowed, self.at(node, "scope"), "scope")
        return SCOPES[value or "leg"]

    def code(self, value: Any, allowed: tuple[str, ...], where: Where, what: str) -> str | None:
        if value is None:
            return None
        if not isinstance(value, str) or value not in allowed:
            self.problem(where, "CF107",
                         f"unknown {what} {value!r}{suggest(str(value), allowed)}")
            return None
        return value

    def reason(self, value: Any, where: Where, referral: bool = False) -> str | None:
        if value is None:
            return None
        if referral:
            return self.code(value, v.REFERRAL_REASONS, where, "referral reason")
        if not isinstance(value, str) or not REASON_RE.match(value):
            self.problem(where, "CF107", f"reason_code {value!r} must be a snake_case code")
            return None
        return value

    def action(self, value: Any, where: Where) -> str | None:
        if not isinstance(value, str) or value not in v.ACTIONS:
            self.problem(where, "CF102",
                         f"unknown action {value!r}{suggest(str(value), v.ACTIONS)}")
            return None
        return value

    # -- conditions -------------------------------------------------------------------
    def cond(self, node: Any, where: Where, scope: str) -> Cond:
        if isinstance(node, list):
            return _all([self.cond(c, self.item_at(node, i, where), scope)
                         for i, c in enumerate(node)])
        node = self.mapping(node, where, "a condition")
        if node is None:
            return All(())
        parts: list[Cond] = []
        for key, value in node.items():
            here = self.at(node, key)
            if key in ("all", "any"):
                if not isinstance(value, list) or not value:
                    self.problem(here, "CF002", f"'{key}' needs a non-empty list of conditions")
                    continue
                items = tuple(self.cond(c, self.item_at(value, i, here), scope)
                              for i, c in enumerate(value))
                parts.append(_all(list(items)) if key == "all" else Any_(items))
            elif key == "not":
                parts.append(Not(self.cond(value, here, scope)))
            elif key == "unless":
                parts.append(Unless(self.cond(value, here, scope)))
            elif key == "finding":
                if not isinstance(value, str):
                    self.problem(here, "CF002", "'finding' names one finding")
                    continue
                parts.append(Ref("finding", value, here))
            elif key == "claimed":
                parts.append(self.claimed(value, here))
            elif key == "criterion":
                parts.append(self.criterion(value, here, scope))
            elif key == "parameter":
                node_ = self.mapping(value, here, "'parameter'")
                if node_ is None or len(node_) != 1:
                    self.problem(here, "CF002", "'parameter' names one switch: "
                                                "{parameter_name: value}")
                    continue
                (name, want), = node_.items()
                parts.append(Flag(str(name), plain(want), here))
            else:
                parts.extend(self.leaves(key, value, here, scope))
        return parts[0] if len(parts) == 1 else _all(parts)

    def item_at(self, seq: Any, i: int, default: Where) -> Where:
        if isinstance(seq, MarkedList) and i < len(seq.item_marks):
            line, col = seq.item_marks[i]
            return Where(self.file, line, col)
        return default

    def criterion(self, name: Any, here: Where, scope: str) -> Cond:
        """A named criterion (`define:` in a rule file), written once and read here as if
        its condition stood in this rule (checked in this rule's scope)."""
        if not isinstance(name, str) or name not in self.criteria:
            self.problem(here, "CF113", f"no criterion named {name!r}"
                                        f"{suggest(str(name), self.criteria)}")
            return All(())
        if name in self.expanding:
            cycle = " -> ".join([*self.expanding[self.expanding.index(name):], name])
            self.problem(here, "CF206", f"criterion '{name}' refers to itself: {cycle}")
            return All(())
        file, node, where = self.criteria[name]
        outer = self.file
        self.file, self.expanding = file, [*self.expanding, name]
        try:
            return self.cond(node, where, scope)
        finally:
            self.file, self.expanding = outer, self.expanding[:-1]

    def claimed(self, value: Any, here: Where) -> Cond:
        node = self.mapping(value, here, "'claimed'")
        if node is None:
            return All(())
        self.keys(node, ("action", "status", "scope"), "'claimed'")
        action = self.action(node.get("action"), self.at(node, "action"))
        status = self.code(node.get("status"), v.STATUSES, self.at(node, "status"), "status")
        if status is None and "status" not in node:
            self.problem(here, "CF004", "'claimed' needs a status")
        return Ref("claim", f"{action}:{status}", here, patient=self.scope(node) == "patient")

    def leaves(self, name: str, value: Any, here: Where, scope: str) -> list[Cond]:
        spec = FACTS.get(name)
        if spec is None:
            self.problem(here, "CF101",
                         f"unknown fact '{name}'{suggest(name, list(FACTS) + list(COMBINATORS))}")
            return []
        if spec.scope == "leg" and scope == "patient":
            self.problem(here, "CF108", f"fact '{name}' belongs to a leg; this rule's scope is "
                                        "the whole patient (use scope: leg)")
        ops = value if isinstance(value, Marked) else {"eq": value}
        out: list[Cond] = []
        for op, written in ops.items():
            if op not in OPS:
                self.problem(self.at(ops, op) if isinstance(ops, Marked) else here, "CF103",
                             f"unknown operator '{op}' for fact '{name}'{suggest(op, OPS)}")
                continue
            operand = self.operand(name, spec.type, spec.values, op, written, here)
            out.append(Leaf(name, op, operand, here))
        return out

    def operand(self, name: str, type_: str, values: tuple[str, ...], op: str, operand: Any,
                here: Where) -> Any:
        if isinstance(operand, str) and operand.startswith("$"):
            return Param(operand[1:])
        if op == "known":
            if not isinstance(operand, bool):
                self.problem(here, "CF104", f"'known' takes true or false, not {operand!r}")
            return operand
        if op == "in":
            if not isinstance(operand, list) or not operand:
                self.problem(here, "CF104", f"'in' takes a non-empty list for fact '{name}'")
                return ()
            return tuple(self.operand(name, type_, values, "eq", x, here) for x in operand)
        ok = {
            "bool": isinstance(operand, bool),
            "number": isinstance(operand, (int, float)) and not isinstance(operand, bool),
            "enum": isinstance(operand, str) and operand in values,
        }[type_]
        if type_ != "number" and op in ("lt", "lte", "gt", "gte"):
            self.problem(here, "CF104", f"fact '{name}' is {type_}: it cannot be compared with "
                                        f"'{op}'")
        elif not ok:
            expected = {"bool": "true or false", "number": "a number",
                        "enum": f"one of {', '.join(values)}"}[type_]
            self.problem(here, "CF104",
                         f"fact '{name}' takes {expected}, not {operand!r}")
        return operand

    # -- outputs ----------------------------------------------------------------------
    def claim(self, node: Any, where: Where) -> Output | None:
        node = self.mapping(node, where, "a claim")
        if node is None:
            return None
        self.keys(node, CLAIM_KEYS, "a claim")
        for key in ("action", "status"):
            if key not in node:
                self.problem(where, "CF004", f"a claim needs '{key}'")
        action = self.action(node.get("action"), self.at(node, "action"))
        status = self.code(node.get("status"), v.STATUSES, self.at(node, "status"), "status")
        urgency = self.code(node.get("urgency"), v.URGENCIES, self.at(node, "urgency"),
                            "urgency")
        reason = self.reason(node.get("reason_code"), self.at(node, "reason_code"),
                             referral=action == "referral")
        if action == "referral" and (reason is None or urgency is None):
            self.problem(where, "CF004", "a referral claim needs reason_code and urgency")
        if status in ("contraindicated", "not_recommended") and "reason_code" not in node:
            self.problem(where, "CF004", f"a {status} claim needs a reason_code (what blocks "
                                         "it, or why it is not advised)")
        return Output("claim", where, action=action, status=status,
                      side=self.scope(node),
                      detail=self.detail(node.get("detail"), self.at(node, "detail")),
                      reason_code=reason, urgency=urgency,
                      coverage=self.code(node.get("coverage"), v.COVERAGES,
                                         self.at(node, "coverage"), "coverage"))

    def detail(self, node: Any, where: Where) -> tuple[tuple[str, Any], ...]:
        if node is None:
            return ()
        node = self.mapping(node, where, "detail")
        if node is None:
            return ()
        out = []
        for key, written in node.items():
            value = plain(written) if isinstance(written, (dict, list)) else written
            out.append((key, Param(value[1:]) if isinstance(value, str)
                        and value.startswith("$") else value))
        return tuple(out)

    def annotate(self, node: Any, where: Where) -> Output | None:
        node = self.mapping(node, where, "an annotation")
        if node is None:
            return None
        self.keys(node, ANNOTATE_KEYS, "an annotation")
        if "action" not in node:
            self.problem(where, "CF004", "an annotation needs 'action'")
        codes: dict[str, tuple[str, ...]] = {}
        for key, allowed in (("disclosures", v.DISCLOSURES), ("precautions", v.PRECAUTIONS)):
            given = node.get(key, [])
            if not isinstance(given, list):
                self.problem(self.at(node, key), "CF002", f"'{key}' must be a list")
                given = []
            codes[key] = tuple(c for c in (self.code(x, allowed, self.at(node, key), key[:-1])
                                           for x in given) if c)
        return Output(
            "annotate", where, action=self.action(node.get("action"), self.at(node, "action")),
            side=self.scope(node),
            detail=self.detail(node.get("detail"), self.at(node, "detail")),
            coverage=self.code(node.get("coverage"), v.COVERAGES, self.at(node, "coverage"),
                               "coverage"),
            disclosures=codes["disclosures"], precautions=codes["precautions"],
            reason_code=self.reason(node.get("reason_code"), self.at(node, "reason_code")),
        )

    def hold(self, node: Any, where: Where) -> list[Output]:
        node = self.mapping(node, where, "'hold'")
        if node is None:
            return []
        self.keys(node, HOLD_KEYS, "'hold'")
        if "reason_code" not in node:
            self.problem(where, "CF004", "a hold needs a reason_code")
        reason = self.reason(node.get("reason_code"), self.at(node, "reason_code"))
        targets = node.get("targets")
        if not isinstance(targets, list) or not targets:
            self.problem(where, "CF004", "a hold needs a non-empty list of targets")
            return []
        out = []
        for i, written in enumerate(targets):
            here = self.item_at(targets, i, where)
            target = self.mapping(written, here, "a hold target")
            if target is None:
                continue
            self.keys(target, TARGET_KEYS, "a hold target")
            side = self.scope(target, ("leg", "patient", "any"))
            kinds = tuple(k for k in (self.code(k, v.KINDS, here, "kind")
                                      for k in target.get("kinds", [])) if k)
            actions = [a for a in (self.action(a, here) for a in target.get("actions", [])) if a]
            for group in target.get("groups", []):
                if group not in v.ACTION_GROUPS:
                    self.problem(here, "CF107", f"unknown action group {group!r}"
                                                f"{suggest(str(group), v.ACTION_GROUPS)}")
                else:
                    actions.extend(v.ACTION_GROUPS[group])
            actions.extend(a.code for a in v.ACTIONS.values() if a.kind in kinds)
            if not actions:
                self.problem(here, "CF004", "a hold target needs kinds, actions or groups")
            for action in dict.fromkeys(actions):
                if v.ACTIONS[action].kind in ("referral", "advice"):
                    continue  # a referral and advice are never held (docs/protocol.md#safety)
                out.append(Output("hold", here, action=action, side=side, reason_code=reason))
        return out

    # -- a rule -----------------------------------------------------------------------
    def rule(self, node: Any, where: Where, area: str) -> Rule | None:
        self.rule_id = None
        node = self.mapping(node, where, "a rule")
        if node is None:
            return None
        rid = node.get("id")
        if isinstance(rid, str):
            self.rule_id = rid
            if not ID_RE.match(rid):
                self.problem(self.at(node, "id"), "CF109",
                             f"rule id {rid!r} must be UPPER_SNAKE_CASE with at least two words")
        else:
            self.problem(where, "CF004", "a rule needs an 'id'")
        self.keys(node, RULE_KEYS, "a rule")
        title = node.get("title")
        if not isinstance(title, str) or not title.strip():
            self.problem(where, "CF004", "a rule needs a 'title' a doctor would write")
        title_ja = node.get("title_ja", "")
        if not isinstance(title_ja, str):
            self.problem(self.at(node, "title_ja"), "CF002",
                         "'title_ja' is the rule's title in Japanese, as text")
            title_ja = ""
        elif "title_ja" in node and not title_ja.strip():
            self.problem(self.at(node, "title_ja"), "CF004",
                         "'title_ja' is empty: write the rule's title in Japanese or leave it out")
        scope = self.code(node.get("scope", "leg"), ("leg", "patient"), self.at(node, "scope"),
                          "scope") or "leg"
        if "when" not in node:
            self.problem(where, "CF004", "a rule needs 'when'")
        when = self.cond(node.get("when", []), self.at(node, "when"), scope)
        outputs: list[Output] = []
        if "derive" in node:
            derive = node["derive"]
            here = self.at(node, "derive")
            name = derive if isinstance(derive, str) else (
                derive.get("finding") if isinstance(derive, Marked) else None)
            if isinstance(name, str) and not NAME_RE.match(name):
                self.problem(here, "CF109", f"finding name {shown(name)} must be snake_case "
                                            "ASCII (a-z, 0-9, _), starting with a letter")
            if isinstance(derive, str):
                outputs.append(Output("derive", here, finding=derive, side="this"))
            elif isinstance(derive, Marked) and isinstance(derive.get("finding"), str):
                self.keys(derive, ("finding", "scope"), "'derive'")
                side = self.scope(derive)
                outputs.append(Output("derive", here, finding=derive["finding"], side=side))
            else:
                self.problem(here, "CF002", "'derive' names a finding")
        if "claim" in node:
            outputs.append(self.claim(node["claim"], self.at(node, "claim")))  # type: ignore[arg-type]
        if "claims" in node:
            claims = node["claims"]
            if isinstance(claims, list):
                for i, c in enumerate(claims):
                    claimed = self.claim(c, self.item_at(claims, i, self.at(node, "claims")))
                    if claimed is not None:
                        outputs.append(claimed)
            else:
                self.problem(self.at(node, "claims"), "CF002", "'claims' must be a list")
        if "hold" in node:
            outputs.extend(self.hold(node["hold"], self.at(node, "hold")))
        if "annotate" in node:
            notes = node["annotate"]
            for i, n in enumerate(notes if isinstance(notes, list) else [notes]):
                outputs.append(self.annotate(  # type: ignore[arg-type]
                    n, self.item_at(notes, i, self.at(node, "annotate"))))
        outputs = [o for o in outputs if o is not None]
        if not outputs and not any(k in node for k in ("derive", "claim", "claims", "hold",
                                                       "annotate")):
            self.problem(where, "CF112",
                         "a rule must derive a finding, claim an item, hold or annotate")
        evidence = node.get("evidence", [])
        if not isinstance(evidence, list) or not all(isinstance(e, str) for e in evidence):
            self.problem(self.at(node, "evidence"), "CF002", "'evidence' is a list of ids")
            evidence = []
        priority = node.get("priority", 100)
        if not isinstance(priority, int) or isinstance(priority, bool) or not 0 <= priority < 60000:
            self.problem(self.at(node, "priority"), "CF104", "'priority' is a whole number 0-59999")
            priority = 100
        note = node.get("note", "")
        return Rule(rid if isinstance(rid, str) else "?", title if isinstance(title, str) else "",
                    area, scope, when, tuple(outputs), tuple(evidence), priority, where,
                    note if isinstance(note, str) else "", title_ja)


def _read(path: Path, rel: str, problems: list[Diagnostic]) -> tuple[Any, bytes]:
    raw = path.read_bytes()
    try:
        return load_rule_yaml(raw), raw
    except YamlSourceError as exc:
        problems.append(Diagnostic(rel, exc.line, exc.column, "CF001", str(exc).split(": ", 1)[-1]
                                   if exc.line else str(exc)))
        return None, raw


def read_parameters(node: Any, reader: Reader, rs: RuleSet) -> None:
    reader.rule_id = None
    where = Where(reader.file, 1, 1)
    node = reader.mapping(node, where, "parameters.yaml")
    if node is None:
        return
    reader.keys(node, ("protocol", "parameters"), "parameters.yaml")
    protocol = node.get("protocol")
    if isinstance(protocol, Marked):
        rs.name = str(protocol.get("name", rs.name))
        rs.version = str(protocol.get("version", rs.version))
    params = node.get("parameters")
    if not isinstance(params, Marked):
        reader.problem(where, "CF002", "parameters.yaml needs a 'parameters' mapping")
        return
    for name, spec in params.items():
        here = reader.at(params, name)
        if not isinstance(spec, Marked) or "value" not in spec or "source" not in spec:
            reader.problem(here, "CF301", f"parameter '{name}' needs a value and a source")
            continue
        reader.keys(spec, ("value", "source", "verification", "unit", "text", "text_ja",
                           "source_ja", "type", "minimum", "maximum"), f"parameter '{name}'")
        value = plain(spec["value"])
        kind = spec.get("type", _type_of(value))
        if kind not in PARAMETER_TYPES:
            reader.problem(reader.at(spec, "type"), "CF302",
                           f"parameter '{name}' has type {kind!r}; types are "
                           + ", ".join(PARAMETER_TYPES))
            kind = _type_of(value)
        bounds = []
        for key in ("minimum", "maximum"):
            bound = spec.get(key)
            if bound is not None and (not isinstance(bound, (int, float))
                                      or isinstance(bound, bool)):
                reader.problem(reader.at(spec, key), "CF302",
                               f"parameter '{name}': {key} must be a number, not {bound!r}")
                bound = None
            bounds.append(bound)
        rs.parameters[name] = Parameter(name, value, str(spec["source"]),
                                        str(spec.get("verification", "U")),
                                        str(spec.get("unit", "")), str(spec.get("text", "")),
                                        kind, bounds[0], bounds[1], reader.at(spec, "value"),
                                        str(spec.get("text_ja", "")),
                                        str(spec.get("source_ja", "")))


PARAMETER_TYPES = ("integer", "number", "text", "boolean")


def _type_of(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    return "text"


def parameter_problem(param: Parameter, value: Any) -> str | None:
    """What is wrong with `value` for `param` (its type and bounds), or None. A number must
    be finite and writable without an exponent (the engine misreads `1e-05`); an integer
    parameter takes a whole number (`8.0` is 8, `8.9` is refused, never truncated)."""
    kind = param.type
    got = f"(got {value!r})"
    if kind == "boolean":
        return None if isinstance(value, bool) else f"must be true or false {got}"
    if kind == "text":
        return None if isinstance(value, str) else f"must be text {got}"
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return f"must be {'a whole number' if kind == 'integer' else 'a number'} {got}"
    if not math.isfinite(value):
        return f"must be a finite number {got}"
    if isinstance(value, float) and "e" in repr(value):
        return f"must be written without an exponent {got}"
    if kind == "integer" and value != int(value):
        return f"must be a whole number {got}"
    if param.minimum is not None and value < param.minimum:
        return f"must be >= {param.minimum:g} {got}"
    if param.maximum is not None and value > param.maximum:
        return f"must be <= {param.maximum:g} {got}"
    return None


def read_evidence(node: Any, reader: Reader, rs: RuleSet) -> None:
    reader.rule_id = None
    where = Where(reader.file, 1, 1)
    node = reader.mapping(node, where, "evidence.yaml")
    if node is None or not isinstance(node.get("evidence"), Marked):
        reader.problem(where, "CF002", "evidence.yaml needs an 'evidence' mapping")
        return
    for eid, spec in node["evidence"].items():
        here = reader.at(node["evidence"], eid)
        if not isinstance(spec, Marked) or not all(k in spec for k in ("source", "grade")):
            reader.problem(here, "CF004", f"evidence '{eid}' needs a source and a grade")
            continue
        reader.keys(spec, ("source", "citation", "doi", "pmid", "url", "grade", "verification",
                           "note", "summary_ja", "grade_ja"), f"evidence '{eid}'")
        ver = spec.get("verification", "U")
        if ver not in ("V", "S", "U"):
            reader.problem(reader.at(spec, "verification"), "CF107",
                           f"verification is V, S or U, not {ver!r}")
        url = spec.get("url")
        if url is not None and (not isinstance(url, str) or not url.startswith(URL_SCHEMES)
                                or any(ch.isspace() for ch in url)):
            reader.problem(reader.at(spec, "url"), "CF131",
                           f"evidence '{eid}': url must be an https:// or http:// address "
                           f"(got {shown(str(url), 50)})")
            url = None

        def text(key: str, spec: Marked = spec) -> str | None:
            value = spec.get(key)
            return None if value is None else str(value)
        rs.evidence[eid] = EvidenceRef(eid, str(spec["source"]), str(spec["grade"]),
                                       url, str(ver), str(spec.get("note", "")),
                                       text("citation"), text("doi"), text("pmid"),
                                       str(spec.get("summary_ja", "")),
                                       str(spec.get("grade_ja", "")))


def read_criteria(node: Marked, reader: Reader) -> None:
    """The named criteria of a rule file (`define: {name: condition}`), for every file: a
    rule may use a criterion defined in another area's file."""
    reader.rule_id = None
    define = node.get("define")
    if define is None:
        return
    here = reader.at(node, "define")
    if not isinstance(define, Marked):
        reader.problem(here, "CF002", "'define' is a mapping of criterion names to conditions")
        return
    for name, cond in define.items():
        where = reader.at(define, name)
        if not NAME_RE.match(str(name)):
            reader.problem(where, "CF109", f"criterion name {name!r} must be snake_case")
        elif name in reader.criteria:
            first = reader.criteria[name][2]
            reader.problem(where, "CF206", f"criterion '{name}' is defined twice (first at "
                                           f"{first.file}:{first.line})")
        else:
            reader.criteria[name] = (reader.file, cond, where)


_UNPRINTABLE = ("Cc", "Cf", "Cs", "Zl", "Zp")
_MULTILINE_KEYS = frozenset({"note", "summary_ja", "text", "text_ja", "withdrawal"})
URL_SCHEMES = ("https://", "http://")


def check_texts(node: Any, reader: Reader, key: str | None = None,
                where: Where | None = None) -> None:
    """Every text of a rule file is printed somewhere (a terminal, HTML, Markdown, cards,
    FHIR): no control or format characters (a terminal escape sequence, a character that
    forges a line), and a line break only in the long texts (notes, summaries). CF130."""
    here = where or Where(reader.file, 1, 1)
    if isinstance(node, Marked):
        for name, value in node.items():
            spot = reader.at(node, name)
            check_texts(str(name), reader, None, spot)
            check_texts(value, reader, str(name), spot)
    elif isinstance(node, MarkedList):
        for i, value in enumerate(node):
            check_texts(value, reader, key, reader.item_at(node, i, here))
    elif isinstance(node, str):
        bad = [ch for ch in node if unicodedata.category(ch) in _UNPRINTABLE
               and not (ch == "\n" and key in _MULTILINE_KEYS)]
        if bad:
            reader.problem(here, "CF130", f"text {shown(node, 40)} holds the character "
                                          f"U+{ord(bad[0]):04X}: rule texts are printed, and "
                                          "may hold no control characters"
                                          + ("" if bad[0] != "\n" else " or line breaks"))


SPECIAL_FILES = ("parameters.yaml", "evidence.yaml", "consent.yaml")
NOT_RULES = ("properties.yaml", "actionable.yaml")
"""Files of a rules folder that are not the protocol: the safety properties `careflow prove`
proves about it and the facts a why-not answer may change (careflow.prove) are not read here
and not in the protocol's digest."""
CONSENT_TEXTS = ("evidence_plain",)
"""What a self-pay consent says beside its disclosures: the evidence in plain words."""
FROM_PRICE_LIST = ("sessions_and_period", "self_pay_cost")
"""Disclosures the clinic's price list gives, never the rule set."""


def _check_form(form: Marked, reader: Reader, where: Where) -> None:
    """The form prints its version, the reflection period in days and the withdrawal text in
    both languages, the period where `{days}` stands (CF120: the form cannot be printed
    without them)."""

    def at(key: str) -> Where:
        return reader.at(form, key) if key in form else where

    def got(key: str) -> str:
        if key not in form:
            return ""
        text = repr(plain(form[key]))  # repr: control characters escaped
        return f" (got {text if len(text) <= 40 else text[:36] + '...'})"

    version = form.get("version")
    if not isinstance(version, (str, int)) or isinstance(version, bool) \
            or not str(version).strip():
        reader.problem(at("version"), "CF120", "the consent form needs a 'version', printed "
                       f"on every form{got('version')}")
    days = form.get("reflection_days")
    if not isinstance(days, int) or isinstance(days, bool) or days <= 0:
        reader.problem(at("reflection_days"), "CF120", "the consent form needs "
                       "'reflection_days', the days to think it over: a whole number above 0"
                       f"{got('reflection_days')}")
    texts = form.get("withdrawal")
    for lang in ("ja", "en"):
        text = texts.get(lang) if isinstance(texts, Marked) else None
        if not isinstance(text, str) or not text.strip():
            reader.problem(at("withdrawal"), "CF120",
                           f"the consent form has no {lang} text for 'withdrawal'")
            continue
        try:
            names = sorted({f for _, f, _, _ in string.Formatter().parse(text) if f is not None})
        except ValueError as exc:
            names = [str(exc)]
        if names != ["days"]:
            reader.problem(at("withdrawal"), "CF120",
                           f"the consent form's {lang} 'withdrawal' text says the reflection "
                           "period as {days} and names no other {field} (got "
                           + (", ".join(map(repr, names)) or "no {days}") + ")")


def read_consent(node: Any, reader: Reader, rs: RuleSet) -> None:
    """consent.yaml: the form's version, reflection days and withdrawal text, and per self-pay
    action one text per disclosure in Japanese and English (checked against the rules when
    the rule set compiles: CF120)."""
    reader.rule_id = None
    where = Where(reader.file, 1, 1)
    node = reader.mapping(node, where, "consent.yaml")
    if node is None:
        return
    reader.keys(node, ("form", "actions"), "consent.yaml")
    form, actions = node.get("form"), node.get("actions")
    if not isinstance(form, Marked) or not isinstance(actions, Marked):
        reader.problem(where, "CF002", "consent.yaml needs a 'form' and an 'actions' mapping")
        return
    reader.keys(form, ("version", "reflection_days", "withdrawal"), "consent 'form'")
    _check_form(form, reader, reader.at(node, "form"))
    out: dict[str, Any] = {"form": plain(form), "actions": {}}
    for action in v.ACTION_GROUPS["self_pay"]:  # an action without texts: at `actions:`
        rs.consent_lines[action] = reader.at(node, "actions")
    for action, texts in actions.items():
        here = reader.at(actions, action)
        if reader.action(action, here) is None:
            continue
        if not isinstance(texts, Marked):
            reader.problem(here, "CF002", f"consent texts of {action!r} are a mapping")
            continue
        for code in texts:
            if code not in v.DISCLOSURES and code not in CONSENT_TEXTS:
                reader.problem(reader.at(texts, code), "CF003",
                               f"unknown consent text {code!r} for {action!r}"
                               f"{suggest(str(code), v.DISCLOSURES + CONSENT_TEXTS)}")
        out["actions"][action] = plain(texts)
        rs.consent_lines[action] = here
    rs.consent = out


def read_folder(folder: Path, problems: list[Diagnostic]) -> RuleSet:
    """Every *.yaml file of a rules folder (parameters.yaml, evidence.yaml, one per area)."""
    rs = RuleSet(name=folder.name, version="0")
    reader = Reader(problems)
    files = sorted(p for p in folder.glob("*.yaml") if p.is_file() and p.name not in NOT_RULES)
    for other in sorted(folder.glob("*.yml")):  # never silently ignored
        problems.append(Diagnostic(f"{folder.name}/{other.name}", 1, 1, "CF132",
                                   f"rule files end in .yaml: rename it to {other.stem}.yaml "
                                   "(as it is, it would not be read)"))
    if not files:
        problems.append(Diagnostic(str(folder), 0, 0, "CF002", "no rule files (*.yaml) here"))
    loaded = []
    for path in files:
        rel = f"{folder.name}/{path.name}"
        reader.file = rel
        data, raw = _read(path, rel, problems)
        rs.files[path.name] = raw
        if data is None and path.stat().st_size:
            continue
        loaded.append((path, rel, data))
        check_texts(data, reader)
        if path.name not in SPECIAL_FILES and isinstance(data, Marked):
            read_criteria(data, reader)
    for path, rel, data in loaded:
        reader.file = rel
        if path.name == "parameters.yaml":
            read_parameters(data, reader, rs)
        elif path.name == "evidence.yaml":
            read_evidence(data, reader, rs)
        elif path.name == "consent.yaml":
            read_consent(data, reader, rs)
        else:
            reader.rule_id = None
            node = reader.mapping(data, Where(rel, 1, 1), "a rule file")
            if node is None:
                continue
            reader.keys(node, ("area", "title", "define", "rules"), "a rule file")
            area = str(node.get("area", path.stem))
            rules = node.get("rules")
            if not isinstance(rules, list):
                reader.problem(Where(rel, 1, 1), "CF002", "a rule file needs a 'rules' list")
                continue
            for i, item in enumerate(rules):
                rule = reader.rule(item, reader.item_at(rules, i, Where(rel, 1, 1)), area)
                if rule is not None:
                    rs.rules.append(rule)
    return rs
