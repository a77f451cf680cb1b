"""Safe YAML reading with positions: no Python objects, no aliases, no duplicate keys.

PyYAML's SafeLoader already refuses tags that build Python objects; on top of that we refuse
anchors/aliases (a document of ours never needs them and they allow "billion laughs"
expansion) and duplicate keys (PyYAML keeps the last one silently: a guess), and type plain
scalars by YAML 1.2 (JSON) rules rather than 1.1 ones (see the resolvers below).
"""

from __future__ import annotations

import json
import re
from typing import Any

import yaml

MAX_BYTES = 1_000_000
MAX_DEPTH = 40
_TAG_REFUSED = "YAML tags are not accepted (got {tag}): write the plain value"
# Characters YAML reads as a line break but editors, terminals and JSON do not: a key after
# one is invisible in the file as a person sees it (NEL, LINE and PARAGRAPH SEPARATOR).
_HIDDEN_BREAKS = re.compile("[\x85\u2028\u2029]")


class Marked(dict[str, Any]):
    """A mapping that remembers where it and each of its keys stand in the source."""

    line: int = 0
    column: int = 0
    key_marks: dict[str, tuple[int, int]]

    def where(self, key: str | None = None) -> tuple[int, int]:
        if key is not None and key in self.key_marks:
            return self.key_marks[key]
        return self.line, self.column


class MarkedList(list[Any]):
    line: int = 0
    column: int = 0
    item_marks: list[tuple[int, int]]


class YamlSourceError(ValueError):
    def __init__(self, message: str, line: int = 0, column: int = 0) -> None:
        self.line, self.column = line, column
        super().__init__(f"line {line}: {message}" if line else message)


def _pos(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


class _Marking(yaml.constructor.SafeConstructor):
    """Constructors that keep positions and refuse duplicate keys (both loaders use them)."""

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        if not isinstance(node, yaml.MappingNode):
            return super().construct_mapping(node, deep=deep)
        result = Marked()
        result.line, result.column = _pos(node)
        result.key_marks = {}
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, (str, int, float, bool)) or isinstance(key, bool):
                key = str(key)
            key = str(key) if not isinstance(key, str) else key
            if key in result:
                line, col = _pos(key_node)
                raise YamlSourceError(f"duplicate key {shown(key)}", line, col)
            result.key_marks[key] = _pos(key_node)
            result[key] = self.construct_object(value_node, deep=True)
        return result

    def construct_sequence(self, node: Any, deep: bool = False) -> Any:
        result = MarkedList(self.construct_object(child, deep=True) for child in node.value)
        result.line, result.column = _pos(node)
        result.item_marks = [_pos(child) for child in node.value]
        return result


class _Loader(_Marking, yaml.SafeLoader):
    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            raise YamlSourceError(
                "YAML anchors and aliases are not accepted",
                event.start_mark.line + 1, event.start_mark.column + 1,
            )
        depth = getattr(self, "_depth", 0)
        if depth > MAX_DEPTH:
            event = self.peek_event()  # type: ignore[no-untyped-call]
            raise YamlSourceError(
                f"nested deeper than {MAX_DEPTH} levels",
                event.start_mark.line + 1, event.start_mark.column + 1,
            )
        event = self.peek_event()  # type: ignore[no-untyped-call]
        tag = getattr(event, "tag", None)
        if tag is not None and tag != "!":
            raise YamlSourceError(_TAG_REFUSED.format(tag=shown(tag)),
                                  event.start_mark.line + 1, event.start_mark.column + 1)
        self._depth = depth + 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth = depth

# Scalars are typed as in YAML 1.2 (JSON's rules), not 1.1: `yes`/`no`/`on`/`off` stay text,
# and so do numbers a form may mean differently from how YAML 1.1 reads them: a leading zero
# (`070` is octal 56 in 1.1), `0x`/`0b` prefixes, underscores (`1_0`) and colons (`1:20` is
# 80 in 1.1). Text then fails the field's type check with the field's name: never a guess.
_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers
            if tag not in ("tag:yaml.org,2002:bool", "tag:yaml.org,2002:int",
                           "tag:yaml.org,2002:float")]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
BOOL_RE = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
INT_RE = re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$")
FLOAT_RE = re.compile(r"""^(?:[-+]?(?:0|[1-9][0-9]*)(?:\.[0-9]*)?(?:[eE][-+]?[0-9]+)?
                  |[-+]?\.[0-9]+(?:[eE][-+]?[0-9]+)?
                  |[-+]?\.(?:inf|Inf|INF)
                  |\.(?:nan|NaN|NAN))$""", re.VERBOSE)
"""The scalars every input path types alike (YAML 1.2 core schema, decimal only): YAML files,
JSON and the batch's CSV cells (careflow.batch); anything else stays text."""
_Loader.add_implicit_resolver("tag:yaml.org,2002:bool", BOOL_RE, list("tTfF"))
_Loader.add_implicit_resolver("tag:yaml.org,2002:int", INT_RE, list("-+0123456789"))
_Loader.add_implicit_resolver("tag:yaml.org,2002:float", FLOAT_RE, list("-+0123456789."))
_Loader.add_constructor("tag:yaml.org,2002:map", _Loader.construct_mapping)  # type: ignore[type-var]
# Dates stay text: the model parses them, so an impossible date is reported with its field.
_Loader.add_constructor("tag:yaml.org,2002:timestamp", yaml.SafeLoader.construct_yaml_str)  # type: ignore[type-var]
_Loader.add_constructor("tag:yaml.org,2002:seq", _Loader.construct_sequence)  # type: ignore[type-var]


class _CheckedCLoader(_Marking, getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """libyaml's parser and composer (C) with our constructors and resolvers: the same
    documents and errors, about five times faster on the rule files. The C composer resolves
    an alias into the anchored node itself, so aliases and depth are checked on the composed
    node graph before anything is constructed."""

    def get_single_node(self) -> Any:
        node = super().get_single_node()
        if node is not None:
            _check_graph(node)
        return node


def _check_graph(root: yaml.Node) -> None:
    seen: set[int] = set()
    stack: list[tuple[yaml.Node, int]] = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        if id(node) in seen:  # the same node twice: an alias of an anchor
            raise YamlSourceError("YAML anchors and aliases are not accepted", *_pos(node))
        seen.add(id(node))
        if _explicit_tag(node):
            raise YamlSourceError(_TAG_REFUSED.format(tag=shown(node.tag)), *_pos(node))
        if depth > MAX_DEPTH + 1:
            raise YamlSourceError(f"nested deeper than {MAX_DEPTH} levels", *_pos(node))
        if isinstance(node, yaml.MappingNode):
            stack.extend((child, depth + 1) for pair in node.value for child in pair)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((child, depth + 1) for child in node.value)


def _explicit_tag(node: yaml.Node) -> bool:
    """A composed node whose tag was written in the document (`!!int 072`, `!!set`, `!x`):
    the resolver's tag for its text, or the plain map/seq/str tag, is the implicit one."""
    if isinstance(node, yaml.ScalarNode):
        if node.style:  # quoted or a block scalar: text unless tagged otherwise
            return bool(node.tag != "tag:yaml.org,2002:str")
        implicit = _RESOLVER.resolve(  # type: ignore[no-untyped-call]
            yaml.ScalarNode, node.value, (True, False))
        return bool(node.tag != implicit)
    plain_tag = ("tag:yaml.org,2002:map" if isinstance(node, yaml.MappingNode)
                 else "tag:yaml.org,2002:seq")
    return bool(node.tag != plain_tag)


class _Resolver(yaml.resolver.BaseResolver):
    yaml_implicit_resolvers = _Loader.yaml_implicit_resolvers


_RESOLVER = _Resolver()
_CheckedCLoader.yaml_implicit_resolvers = _Loader.yaml_implicit_resolvers
_CheckedCLoader.yaml_constructors = {
    **_Loader.yaml_constructors,
    "tag:yaml.org,2002:map": _CheckedCLoader.construct_mapping,
    "tag:yaml.org,2002:seq": _CheckedCLoader.construct_sequence,
}


def scalar(text: str) -> Any:
    """A bare scalar typed as a YAML file types it (BOOL_RE, INT_RE, FLOAT_RE): `true` is
    True, `070` and `0_7_0` and `0x1F` stay text (the field's check then refuses them)."""
    if BOOL_RE.match(text):
        return text.lower() == "true"
    if INT_RE.match(text):
        return int(text)
    if FLOAT_RE.match(text):
        low = text.lower()
        if low.endswith(("inf", "nan")):  # .inf, -.inf, .nan: YAML's spellings
            return float(low.replace(".", ""))
        return float(text)
    return text


def load_rule_yaml(text: bytes) -> Any:
    """A rule file: as `load_yaml`, parsed by libyaml where it is installed (rule files are
    the protocol's own, and big; patient documents keep the pure-Python reader, whose
    messages the bad-input corpus pins)."""
    return load_yaml(text, _CheckedCLoader)


def load_document(text: str | bytes, source: str | None = None) -> Any:
    """A patient document: JSON by JSON's rules when it is JSON (looks_like_json), otherwise
    YAML. YAML is parsed by libyaml first (ten times faster: a 1 MB document in about a
    second); a document it refuses is parsed again by the pure-Python reader, so that every
    refusal carries the same message and line whichever parser is installed."""
    if looks_like_json(text, source):
        return load_json(text)
    if hasattr(yaml, "CSafeLoader"):
        try:
            return load_yaml(text, _CheckedCLoader)
        except YamlSourceError:
            pass
    return load_yaml(text)


def _bounded_text(text: str | bytes) -> str:
    """A document's text: at most MAX_BYTES, UTF-8 (YamlSourceError with the line otherwise)."""
    if len(text) > MAX_BYTES:
        raise YamlSourceError(f"document larger than {MAX_BYTES} bytes")
    if isinstance(text, str):
        return text
    try:
        return text.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise YamlSourceError(f"not UTF-8 text ({exc.reason})",
                              text.count(b"\n", 0, exc.start) + 1) from None


def load_yaml(text: str | bytes, loader: type[Any] = _Loader) -> Any:
    """Parse one YAML (or JSON) document; raise YamlSourceError with a line on any problem."""
    text = _bounded_text(text)
    hidden = _HIDDEN_BREAKS.search(text)
    if hidden:
        raise YamlSourceError(
            f"character U+{ord(hidden.group()):04X} is not accepted (YAML reads it as a line "
            "break that editors do not show)", text.count("\n", 0, hidden.start()) + 1)
    try:
        return yaml.load(text, Loader=loader)
    except YamlSourceError:
        raise
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        raise YamlSourceError(f"not valid YAML: {exc.problem or exc}", line, col) from None
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow (NUL, ...)
        first = str(exc).splitlines()[0]
        raise YamlSourceError(f"not valid YAML: {first}",
                              text.count("\n", 0, exc.position) + 1) from None
    except yaml.YAMLError as exc:
        raise YamlSourceError(f"not valid YAML: {' '.join(str(exc).split())}") from None
    except RecursionError:
        raise YamlSourceError("document nested too deeply") from None
    except (ValueError, TypeError, OverflowError) as exc:  # a scalar PyYAML cannot build
        raise YamlSourceError(f"not valid YAML: {exc}") from None


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"duplicate key {shown(key)}")
        out[key] = value
    return out


def load_json(text: str | bytes) -> Any:
    """Parse one JSON document by JSON's rules (RFC 8259: tabs are whitespace, no tags, no
    comments), with the YAML reader's limits: MAX_BYTES, MAX_DEPTH, no duplicate keys, and
    no NaN or Infinity (not JSON numbers). Raise YamlSourceError with a line on any problem."""
    text = _bounded_text(text)
    try:
        data = json.loads(text, object_pairs_hook=_unique, parse_constant=_refuse_constant)
    except json.JSONDecodeError as exc:
        raise YamlSourceError(f"not valid JSON: {exc.msg} (column {exc.colno})",
                              exc.lineno) from None
    except RecursionError:
        raise YamlSourceError("document nested too deeply") from None
    except ValueError as exc:  # a duplicate key, NaN, or a number too long to read
        raise YamlSourceError(f"not valid JSON: {exc}") from None
    if _depth(data) > MAX_DEPTH:
        raise YamlSourceError(f"nested deeper than {MAX_DEPTH} levels")
    return data


def looks_like_json(text: str | bytes, source: str | None = None) -> bool:
    """A document read by JSON's rules: a `.json` file, or text that opens with `{`."""
    if source is not None and source.lower().endswith((".json", ".jsonl")):
        return True
    head = text[:64].lstrip()
    return head[:1] in ("{", b"{")


def _depth(value: Any) -> int:
    deepest, stack = 0, [(value, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        if isinstance(node, dict):
            stack.extend((child, depth + 1) for child in node.values())
        elif isinstance(node, list):
            stack.extend((child, depth + 1) for child in node)
    return deepest


def shown(name: str, limit: int = 60) -> str:
    """A name from a document as it may be printed: quoted, control characters escaped (a key
    is echoed back in error messages and must not drive the reader's terminal), shortened."""
    text = repr(name) if not name.isprintable() else f"'{name}'"
    return text if len(text) <= limit else text[:limit - 4] + "...'"


def plain(value: Any) -> Any:
    """Marked containers back to plain dicts and lists (for pydantic and JSON)."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value
