"""The property language: `rules/properties.yaml`, safety properties over plan-level facts,
each in the doctors' words (Japanese and English), read with file:line diagnostics like the
rule files, and interpreted twice: as a z3 formula over the encoding (careflow.prove.encode)
and directly on a plan the engine made (the cross-check).

A property's `assert` is a formula:

- `all: [...]`, `any: [...]`, `not: F`, `implies: [IF, THEN]`;
- `status: {actions: [...] | groups: [...], side: S, in: [...] | not_in: [...]}`: the item's
  status for every action named (`absent`: no such item);
- `red_flag: {codes: [...], side: S}`: some rule raises one of these red flags for that side
  (claims an item with it as its reason);
- `reason: {actions: [...], side: S, in: [...]}`: the item exists and its reason code is one
  of these;
- `fact: {name: FACT, side: S, OP: VALUE}`: a patient fact, with the rules' operators
  (`eq`, `ne`, `lt`, `lte`, `gt`, `gte`, `in`, `known`); a value may be `$parameter`;
- `pressure: {side: S, given: true | false}`: the stocking of that side carries a pressure;
  `pressure: {side: S, in: [...]}`: it carries one of these pressures;
- `disclosures: {actions: [...], side: S, include: [...]}`: the item exists and carries
  every disclosure listed;
- `rests_on_unknown: {actions: [...], side: S}`: the item exists and the rule that decides
  it fires for it only through an `unless:` whose fact is unknown (neither TRUE nor FALSE),
  or through a finding only such firings make (a test never holds on an unknown value, and
  `known: false` asks for one on purpose);
- `one_item_per_action_side: true`: the plan has one item per (action, side);
- `leg: {side: S}`: the leg is in the document.

S is `this` (the leg the property is about: with `for_each: leg` the property is proven for
each leg), `other` (the other leg) or `patient` (the whole-patient items).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import vocabulary as v
from ..errors import Diagnostic, RulebookError
from ..facts import FACTS
from ..rulebook.parse import suggest
from ..yamlsrc import Marked, MarkedList, plain
from .special import read_special

PROPERTY_KEYS = ("id", "ja", "en", "for_each", "assert", "note")
SIDE_WORDS = ("this", "other", "patient")
OPS = ("eq", "ne", "lt", "lte", "gt", "gte", "in", "known")
ATOMS: dict[str, tuple[str, ...]] = {
    "status": ("actions", "groups", "side", "in", "not_in"),
    "red_flag": ("codes", "side"),
    "reason": ("actions", "groups", "side", "in"),
    "fact": ("name", "side", *OPS),
    "pressure": ("side", "given", "in"),
    "disclosures": ("actions", "groups", "side", "include"),
    "one_item_per_action_side": (),
    "leg": ("side",),
    "parameter": ("name", "eq"),
    "rests_on_unknown": ("actions", "groups", "side"),
}
CONNECTIVES = ("all", "any", "not", "implies", "each_action")
EACH = "each"
"""Inside `each_action`, the action the formula is about."""
REASON_CODES_FILE = "reason codes of the rule set"


@dataclass(frozen=True)
class Formula:
    """One node of a property's formula: a connective with `parts`, or an atom with `args`."""

    op: str
    parts: tuple[Formula, ...] = ()
    args: tuple[tuple[str, Any], ...] = ()
    line: int = 0

    def arg(self, key: str, default: Any = None) -> Any:
        return dict(self.args).get(key, default)


@dataclass(frozen=True)
class Property:
    id: str
    ja: str
    en: str
    for_each: str  # "leg" | "patient"
    formula: Formula
    file: str
    line: int
    note: str = ""

    def words(self, lang: str) -> str:
        return self.ja if lang == "ja" else self.en


class _Reader:
    def __init__(self, file: str, parameters: dict[str, Any], reasons: set[str]) -> None:
        self.file, self.parameters, self.reasons = file, parameters, reasons
        self.problems: list[Diagnostic] = []
        self.pid: str | None = None

    def problem(self, node: Any, code: str, message: str, key: str | None = None) -> None:
        line, col = node.where(key) if isinstance(node, Marked) else (
            (node.line, node.column) if isinstance(node, MarkedList) else (0, 0))
        self.problems.append(Diagnostic(self.file, line, col, code, message, self.pid))

    def formula(self, node: Any, parent: Any) -> Formula:
        if not isinstance(node, Marked) or len(node) != 1:
            self.problem(node if isinstance(node, (Marked, MarkedList)) else parent, "CF502",
                         "a formula is a mapping with one key: all, any, not, implies or an "
                         "atom (" + ", ".join(ATOMS) + ")")
            return Formula("all")
        (op, body), = node.items()
        line = node.where(op)[0]
        if op in ("all", "any", "implies"):
            if not isinstance(body, list) or not body or (op == "implies" and len(body) != 2):
                self.problem(node, "CF502", f"'{op}' takes a list of "
                             + ("two formulas [IF, THEN]" if op == "implies" else "formulas"),
                             op)
                return Formula("all", line=line)
            return Formula(op, tuple(self.formula(b, node) for b in body), line=line)
        if op == "not":
            return Formula("not", (self.formula(body, node),), line=line)
        if op == "each_action":
            return self.each_action(body, node, line)
        if op not in ATOMS:
            self.problem(node, "CF503", f"unknown formula '{op}'"
                         f"{suggest(op, CONNECTIVES + tuple(ATOMS))}", op)
            return Formula("all", line=line)
        if op == "one_item_per_action_side":
            return Formula(op, line=line)
        if op == "parameter":
            return self.parameter(body, node, line)
        if not isinstance(body, Marked):
            self.problem(node, "CF502", f"'{op}' takes a mapping", op)
            return Formula("all", line=line)
        for key in body:
            if key not in ATOMS[op]:
                self.problem(body, "CF503", f"unknown key '{key}' in '{op}'"
                             f"{suggest(key, ATOMS[op])}", key)
        args = {k: plain(x) for k, x in body.items()}
        self.check(op, args, body)
        if "groups" in args:
            actions = list(args.pop("groups") or [])
            args["actions"] = [a for g in actions for a in v.ACTION_GROUPS.get(g, ())] + list(
                args.get("actions", []))
        return Formula(op, args=tuple(sorted((k, _frozen(x)) for k, x in args.items())),
                       line=line)

    def each_action(self, body: Any, node: Marked, line: int) -> Formula:
        """`each_action: {actions|groups: [...], assert: F}`: F for every action named, where
        F's atoms name it as `each`."""
        if not isinstance(body, Marked) or "assert" not in body or not (
                body.get("actions") or body.get("groups")):
            self.problem(node, "CF502", "'each_action' takes actions or groups, and assert",
                         "each_action")
            return Formula("all", line=line)
        for key in body:
            if key not in ("actions", "groups", "assert"):
                self.problem(body, "CF503", f"unknown key '{key}' in 'each_action'", key)
        actions = list(plain(body.get("actions") or []))
        for group in plain(body.get("groups") or []):
            if group not in v.ACTION_GROUPS:
                self.problem(body, "CF504", f"unknown action group '{group}'"
                                            f"{suggest(str(group), v.ACTION_GROUPS)}", "groups")
            actions.extend(v.ACTION_GROUPS.get(group, ()))
        for action in actions:
            if action not in v.ACTIONS:
                self.problem(body, "CF504", f"unknown action '{action}'"
                                            f"{suggest(str(action), v.ACTIONS)}", "actions")
        inner = self.formula(body["assert"], body)
        return Formula("all", tuple(_substitute(inner, a) for a in dict.fromkeys(actions)
                                    if a in v.ACTIONS), line=line)

    def parameter(self, body: Any, node: Marked, line: int) -> Formula:
        """`parameter: {name: X, eq: V}`: a protocol switch, decided when the rules load."""
        if not isinstance(body, Marked) or "name" not in body or "eq" not in body:
            self.problem(node, "CF502", "'parameter' takes name and eq", "parameter")
            return Formula("const", args=(("value", False),), line=line)
        name = body["name"]
        if name not in self.parameters:
            self.problem(body, "CF105", f"unknown parameter '{name}'"
                                        f"{suggest(str(name), self.parameters)}", "name")
            return Formula("const", args=(("value", False),), line=line)
        return Formula("const", args=(("value", self.parameters[name] == body["eq"]),),
                       line=line)

    def check(self, op: str, args: dict[str, Any], body: Marked) -> None:
        side = args.get("side", "this" if op != "fact" else None)
        if side is not None and side not in SIDE_WORDS:
            self.problem(body, "CF504", f"side must be one of {', '.join(SIDE_WORDS)} "
                                        f"(got {side!r})", "side")
        for action in args.get("actions", []) or []:
            if action not in v.ACTIONS and action != EACH:
                self.problem(body, "CF504", f"unknown action '{action}'"
                                            f"{suggest(str(action), v.ACTIONS)}", "actions")
        for group in args.get("groups", []) or []:
            if group not in v.ACTION_GROUPS:
                self.problem(body, "CF504", f"unknown action group '{group}'"
                                            f"{suggest(str(group), v.ACTION_GROUPS)}", "groups")
        if op in ("status", "reason", "disclosures", "rests_on_unknown") and not (
                args.get("actions") or args.get("groups")):
            self.problem(body, "CF502", f"'{op}' names actions or groups")
        if op == "status":
            if ("in" in args) == ("not_in" in args):
                self.problem(body, "CF502", "'status' takes one of 'in' or 'not_in'")
            for s in args.get("in", args.get("not_in", [])) or []:
                if s not in (*v.STATUSES, "absent"):
                    self.problem(body, "CF504", f"unknown status '{s}'"
                                                f"{suggest(str(s), v.STATUSES)}")
        if op == "red_flag":
            for code in args.get("codes", []) or []:
                if code not in v.RED_FLAGS:
                    self.problem(body, "CF504", f"unknown red flag '{code}'"
                                                f"{suggest(str(code), v.RED_FLAGS)}", "codes")
        if op == "reason":
            for code in args.get("in", []) or []:
                if code not in self.reasons:
                    self.problem(body, "CF504", f"reason code '{code}' is given by no rule"
                                                f"{suggest(str(code), self.reasons)}", "in")
        if op == "disclosures":
            for code in args.get("include", []) or []:
                if code not in v.DISCLOSURES:
                    self.problem(body, "CF504", f"unknown disclosure '{code}'"
                                                f"{suggest(str(code), v.DISCLOSURES)}",
                                 "include")
        if op == "fact":
            self.fact(args, body)
        if op == "pressure" and (("given" in args) == ("in" in args) or (
                "given" in args and not isinstance(args["given"], bool))):
            self.problem(body, "CF502", "'pressure' takes given: true or false, or in: "
                                        "[pressures]")

    def fact(self, args: dict[str, Any], body: Marked) -> None:
        name = args.get("name")
        if name not in FACTS:
            self.problem(body, "CF504", f"unknown fact '{name}'{suggest(str(name), FACTS)}",
                         "name")
            return
        if FACTS[name].scope == "leg" and args.get("side") not in ("this", "other"):
            self.problem(body, "CF502", f"'{name}' is a leg's: give side: this or other")
        ops = [k for k in OPS if k in args]
        if len(ops) != 1:
            self.problem(body, "CF502", "'fact' takes exactly one operator (" + ", ".join(OPS)
                         + ")")
            return
        value = args[ops[0]]
        values = value if isinstance(value, list) else [value]
        resolved = []
        for written in values:
            x = written
            if isinstance(x, str) and x.startswith("$"):
                if x[1:] not in self.parameters:
                    self.problem(body, "CF105", f"unknown parameter '{x}'"
                                                f"{suggest(x[1:], self.parameters)}", ops[0])
                    return
                x = self.parameters[x[1:]]
            resolved.append(x)
        args[ops[0]] = resolved if isinstance(value, list) else resolved[0]
        args["op"] = ops[0]

    def property(self, node: Any, seen: dict[str, int]) -> Property | None:
        if not isinstance(node, Marked):
            self.problem(node, "CF502", "a property must be a mapping")
            return None
        pid = node.get("id")
        self.pid = pid if isinstance(pid, str) else None
        for key in node:
            if key not in PROPERTY_KEYS:
                self.problem(node, "CF503", f"unknown key '{key}' in a property"
                                            f"{suggest(key, PROPERTY_KEYS)}", key)
        for key in ("id", "ja", "en", "assert"):
            if not node.get(key):
                self.problem(node, "CF501", f"a property needs '{key}'")
        if isinstance(pid, str):
            if pid in seen:
                self.problem(node, "CF501", f"duplicate property id {pid} (first at "
                                            f"{self.file}:{seen[pid]})", "id")
            seen.setdefault(pid, node.line)
        for_each = node.get("for_each", "patient")
        if for_each not in ("leg", "patient"):
            self.problem(node, "CF504", f"for_each is leg or patient (got {for_each!r})",
                         "for_each")
        if "assert" not in node:
            return None
        formula = self.formula(node["assert"], node)
        return Property(str(pid), str(node.get("ja", "")), str(node.get("en", "")),
                        str(for_each), formula, self.file, node.line, str(node.get("note", "")))


def _substitute(f: Formula, action: str) -> Formula:
    args = tuple((k, tuple(action if a == EACH else a for a in x) if k == "actions" else x)
                 for k, x in f.args)
    return Formula(f.op, tuple(_substitute(p, action) for p in f.parts), args, f.line)


def _frozen(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def default_properties_file(rules_dir: Path) -> Path:
    return rules_dir / "properties.yaml"


def load_properties(path: Path, parameters: dict[str, Any], reasons: set[str],
                    shown: str | None = None) -> list[Property]:
    """Read and check a properties file; every problem is a Diagnostic (RulebookError)."""
    file = shown or path.name
    reader = _Reader(file, parameters, reasons)
    data, props = read_special(path, file, "properties", "CF502", what="the properties",
                               missing="a properties file has a 'properties' list")
    for key in data:
        if key not in ("properties", "title"):
            reader.problem(data, "CF503", f"unknown key '{key}' in a properties file", key)
    seen: dict[str, int] = {}
    out = [p for p in (reader.property(node, seen) for node in props) if p is not None]
    if reader.problems:
        raise RulebookError(reader.problems)
    return out


__all__ = ["Formula", "Property", "default_properties_file", "load_properties"]
