"""The protocol book: the whole protocol, from rules/ and features/, as one document a doctor
reviews without reading YAML. Markdown (with Mermaid diagrams) and HTML (with inline SVG
diagrams drawn here: the page fetches nothing from the network).

Contents: the rule-set digest; per track the escalation path as a diagram; every decision
(rule) with its title, its conditions in words, what it decides, the parameters it uses with
their values and sources, its evidence and the feature scenarios that specify it (by tag);
the derived findings; the parameters; the evidence; the scenarios with their steps.

The Japanese book (`lang="ja"`) is written for the clinic's doctors, in Japanese: parameters
by their `text_ja` meaning (units in Japanese), evidence by its `summary_ja` with the citation,
DOI and PMID as the reference, area introductions from AREA_INTRO_JA (or a rule file's
`title_ja:`). What is quoted stays as written: parameter sources and evidence citations (shown
as citations, after the Japanese meaning), grades in the source's own vocabulary, rule ids.
The rules' and the evidence's English `note:`s (reviewers' records) go to an appendix marked
開発者向け注記, linked from the rule; tests/unit/test_export_book.py measures the Japanese
book's share of Latin-script prose outside it.

    >>> from careflow.export.book import build_book
    >>> book = build_book(lang="ja")
    >>> paths = book.write("book/")     # protocol.ja.md, protocol.ja.html
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..coverage import TAG, default_features_dir
from ..facts import FACTS
from ..labels import fact_label, label, lang_index, value_label
from ..logic import Flag, Unless, atoms
from ..rulebook import Rulebook, default_rulebook
from ..rulebook.compile import refs
from ..rulebook.schema import (
    All,
    Any_,
    Cond,
    EvidenceRef,
    Leaf,
    Output,
    Param,
    Parameter,
    Ref,
    Rule,
)
from . import diagram as dg
from .page import FONTS
from .words import (
    AREA_INTRO_JA,
    BOOK_READING,
    STATUS_MEANING,
    UNITS_JA,
    VERIFICATION_MEANING,
    html,
    md,
    rule_title,
    say,
)


def _t(key: str, lang: str) -> str:
    return say(f"book.{key}", lang)


# --- the document model: blocks of inline spans, rendered to Markdown and to HTML -------------
@dataclass(frozen=True)
class Code:
    text: str


@dataclass(frozen=True)
class Link:
    text: str
    url: str  # "#anchor" or an absolute URL


@dataclass(frozen=True)
class Bold:
    text: str


@dataclass(frozen=True)
class Anchor:
    """A link target inside a paragraph, list item or table cell."""

    id: str


Span = str | Code | Link | Bold | Anchor
Inline = list[Span]


@dataclass
class Heading:
    level: int
    text: str
    anchor: str = ""


@dataclass
class Para:
    spans: Inline


@dataclass
class ListItem:
    spans: Inline
    children: list[ListItem] = field(default_factory=list)


@dataclass
class Bullets:
    items: list[ListItem]


@dataclass
class Table:
    header: list[str]
    rows: list[list[Inline]]


@dataclass
class Pre:
    text: str
    lang: str = ""


@dataclass
class Figure:
    diagram: dg.Diagram


Block = Heading | Para | Bullets | Table | Pre | Figure


def _md_inline(spans: Inline) -> str:
    out = []
    for s in spans:
        if isinstance(s, Code):
            out.append(f"`{s.text}`")
        elif isinstance(s, Link):
            out.append(f"[{md(s.text)}]({s.url})")
        elif isinstance(s, Bold):
            out.append(f"**{md(s.text)}**")
        elif isinstance(s, Anchor):
            out.append(f'<a id="{s.id}"></a>')
        else:
            out.append(md(s))
    return "".join(out)


def _md_items(items: list[ListItem], depth: int) -> list[str]:
    lines = []
    for item in items:
        lines.append("  " * depth + "- " + _md_inline(item.spans))
        lines.extend(_md_items(item.children, depth + 1))
    return lines


def to_markdown(blocks: list[Block]) -> str:
    out: list[str] = []
    for b in blocks:
        if isinstance(b, Heading):
            if b.anchor:
                out.append(f'<a id="{b.anchor}"></a>')
                out.append("")
            out += ["#" * b.level + " " + md(b.text), ""]
        elif isinstance(b, Para):
            out += [_md_inline(b.spans), ""]
        elif isinstance(b, Bullets):
            out += [*_md_items(b.items, 0), ""]
        elif isinstance(b, Table):
            out.append("| " + " | ".join(md(h) for h in b.header) + " |")
            out.append("|" + "---|" * len(b.header))
            for row in b.rows:
                out.append("| " + " | ".join(_md_inline(c).replace("\n", " ") for c in row)
                           + " |")
            out.append("")
        elif isinstance(b, Pre):
            out += [f"```{b.lang}", b.text.rstrip("\n"), "```", ""]
        elif isinstance(b, Figure):
            out += ["```mermaid", dg.mermaid(b.diagram).rstrip("\n"), "```", ""]
    return "\n".join(out).rstrip("\n") + "\n"


def _html_inline(spans: Inline) -> str:
    out = []
    for s in spans:
        if isinstance(s, Code):
            out.append(f"<code>{html(s.text)}</code>")
        elif isinstance(s, Link):
            out.append(f'<a href="{html(s.url)}">{html(s.text)}</a>')
        elif isinstance(s, Bold):
            out.append(f"<strong>{html(s.text)}</strong>")
        elif isinstance(s, Anchor):
            out.append(f'<a id="{html(s.id)}"></a>')
        else:
            out.append(html(s))
    return "".join(out)


def _html_items(items: list[ListItem]) -> str:
    parts = []
    for item in items:
        inner = _html_inline(item.spans)
        if item.children:
            inner += _html_items(item.children)
        parts.append(f"<li>{inner}</li>")
    return "<ul>" + "".join(parts) + "</ul>"


_CSS = f"body {{ font-family: {FONTS}; }}\n" + """
body { line-height: 1.5; margin: 2em auto; max-width: 72em;
       padding: 0 1.5em; color: #1d2733; }
h1 { border-bottom: 2px solid #4a78a8; padding-bottom: .2em; }
h2 { border-bottom: 1px solid #c6d3e1; margin-top: 2em; }
h4 { margin-bottom: .3em; }
code { background: #eef2f7; padding: 0 .25em; border-radius: 3px; }
pre { background: #f6f8fa; padding: .8em; overflow-x: auto; border-radius: 4px; }
table { border-collapse: collapse; margin: 1em 0; font-size: 92%; }
th, td { border: 1px solid #c6d3e1; padding: .3em .5em; vertical-align: top; text-align: left; }
th { background: #eef2f7; }
figure { margin: 1em 0 2em; overflow-x: auto; }
svg.diagram text { font-family: inherit; font-size: 13px; fill: #1d2733; }
svg.diagram text.phase-title { font-size: 14px; font-weight: bold; }
svg.diagram text.edge-label { font-size: 12px; fill: #44546a; }
svg.diagram text.group-title { font-size: 12px; font-weight: bold; fill: #44546a; }
.digest { font-family: monospace; word-break: break-all; }
"""


def to_html(blocks: list[Block], title: str, lang: str) -> str:
    body: list[str] = []
    for b in blocks:
        if isinstance(b, Heading):
            anchor = f' id="{html(b.anchor)}"' if b.anchor else ""
            body.append(f"<h{b.level}{anchor}>{html(b.text)}</h{b.level}>")
        elif isinstance(b, Para):
            body.append(f"<p>{_html_inline(b.spans)}</p>")
        elif isinstance(b, Bullets):
            body.append(_html_items(b.items))
        elif isinstance(b, Table):
            head = "".join(f"<th>{html(h)}</th>" for h in b.header)
            rows = "".join("<tr>" + "".join(f"<td>{_html_inline(c)}</td>" for c in row)
                           + "</tr>" for row in b.rows)
            body.append(f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>")
        elif isinstance(b, Pre):
            body.append(f'<pre class="{html(b.lang)}">{html(b.text)}</pre>')
        elif isinstance(b, Figure):
            body.append(f'<figure data-track="{b.diagram.track}">{dg.svg(b.diagram)}'
                        "</figure>")
    return ("<!DOCTYPE html>\n"
            f'<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{html(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
            + "\n".join(body) + "\n</body>\n</html>\n")


# --- feature files ------------------------------------------------------------------------
@dataclass(frozen=True)
class _Keywords:
    """One Gherkin language's keywords, as a line starts with them (a Japanese step keyword is
    followed by its text without a space). `joins` is how a description's wrapped lines join."""

    feature: tuple[str, ...]
    rule: tuple[str, ...]
    background: tuple[str, ...]
    scenario: tuple[str, ...]  # the longer keyword first where one begins another
    examples: tuple[str, ...]
    step: tuple[str, ...]
    joins: str


_KEYWORDS = {
    "en": _Keywords(("Feature:", "Business Need:", "Ability:"), ("Rule:",), ("Background:",),
                    ("Scenario Outline:", "Scenario Template:", "Scenario:", "Example:"),
                    ("Examples:", "Scenarios:"),
                    ("Given ", "When ", "Then ", "And ", "But ", "* "), " "),
    "ja": _Keywords(("機能:", "フィーチャ:"), ("ルール:",), ("背景:",),
                    ("シナリオアウトライン:", "シナリオテンプレート:", "シナリオテンプレ:",
                     "テンプレ:", "シナリオ:"),
                    ("例:", "サンプル:"),
                    ("前提", "もし", "ならば", "かつ", "且つ", "しかし", "然し", "但し", "ただし",
                     "* "), ""),
}
_LANGUAGE = re.compile(r"\s*#\s*language\s*:\s*([\w-]+)\s*$")


@dataclass
class Scenario:
    file: str
    line: int
    feature: str
    rule_block: str
    keyword: str
    name: str
    tags: list[str]
    lines: list[str] = field(default_factory=list)  # steps and examples, as written

    @property
    def anchor(self) -> str:
        return f"scenario-{Path(self.file).stem}-{self.line}"


@dataclass
class Feature:
    file: str
    name: str
    description: list[str]
    scenarios: list[Scenario]


def read_features(folder: Path | None) -> list[Feature]:
    """The feature files of a folder: scenarios with their tags (a scenario inherits its
    feature's and its Rule's tags, and takes its Examples' tags) and their steps."""
    if folder is None or not folder.is_dir():
        return []
    out = []
    for path in sorted(folder.rglob("*.feature")):
        out.append(_read_feature(path, path.relative_to(folder).as_posix()))
    return out


def _read_feature(path: Path, rel: str) -> Feature:
    feature = Feature(rel, path.stem, [], [])
    pending: list[str] = []
    feature_tags: list[str] = []
    rule_tags: list[str] = []
    rule_name = ""
    current: Scenario | None = None
    where = "feature"  # feature | rule | background | scenario
    in_doc = False
    lines = path.read_text(encoding="utf-8").splitlines()
    kw = _KEYWORDS["en"]
    for raw in lines:  # `# language: ja` comes before the Feature line (Gherkin)
        if raw.strip() and not raw.strip().startswith("#"):
            break
        found = _LANGUAGE.fullmatch(raw)
        if found:
            kw = _KEYWORDS.get(found[1], kw)
    paragraph_ends = True  # a description's next line starts a new paragraph
    for n, raw in enumerate(lines, 1):
        line = raw.strip()
        if in_doc:
            if current is not None and where == "scenario":
                current.lines.append(raw.rstrip())
            if line.startswith(('"""', "```")):
                in_doc = False
            continue
        if not line or line.startswith("#"):
            paragraph_ends = paragraph_ends or not line
            continue
        if line.startswith("@"):
            pending += [t.lstrip("@") for t in line.split() if t.startswith("@")]
            continue
        if line.startswith(kw.feature):
            feature.name = line.split(":", 1)[1].strip()
            feature_tags, pending, where = pending, [], "feature"
        elif line.startswith(kw.rule):
            rule_name = line.split(":", 1)[1].strip()
            rule_tags, pending, where = pending, [], "rule"
        elif line.startswith(kw.background):
            pending, where = [], "background"
        elif line.startswith(kw.scenario):
            keyword = next(k for k in kw.scenario if line.startswith(k))
            current = Scenario(rel, n, feature.name, rule_name, keyword.rstrip(":"),
                               line[len(keyword):].strip(),
                               feature_tags + rule_tags + pending)
            feature.scenarios.append(current)
            pending, where = [], "scenario"
        elif line.startswith(kw.examples):
            if current is not None:
                current.tags += pending
                current.lines += ["", raw.rstrip()]
            pending = []
        elif where == "scenario" and current is not None and (
                line.startswith((*kw.step, "|"))):
            current.lines.append(raw.rstrip())
        elif line.startswith(('"""', "```")):
            in_doc = True
            if current is not None and where == "scenario":
                current.lines.append(raw.rstrip())
        elif where == "feature":
            if feature.description and not paragraph_ends:
                feature.description[-1] += kw.joins + line
            else:
                feature.description.append(line)
        paragraph_ends = False
    for sc in feature.scenarios:
        indent = min((len(x) - len(x.lstrip()) for x in sc.lines if x.strip()), default=0)
        sc.lines = [x[indent:] for x in sc.lines]
    return feature


def scenarios_by_rule(features: list[Feature]) -> dict[str, list[Scenario]]:
    out: dict[str, list[Scenario]] = {}
    for feature in features:
        for sc in feature.scenarios:
            for tag in dict.fromkeys(sc.tags):
                if TAG.fullmatch("@" + tag):
                    out.setdefault(tag, []).append(sc)
    return out


# --- conditions and outputs in words ----------------------------------------------------
Sources = dict[str, Parameter]
"""The parameters of a rule set, by name (their units and meanings)."""


def unit_label(unit: str, lang: str) -> str:
    """A parameter's unit in a language (`weeks` is 週 in Japanese)."""
    return UNITS_JA.get(unit, unit) if lang != "en" else unit


def with_unit(value: Any, unit: str, lang: str) -> str:
    """A value with its unit: `12 weeks`, 12週, `500 ms`."""
    shown = value_label(value, lang)
    if not unit:
        return shown
    if lang != "en" and unit in UNITS_JA:
        return f"{shown}{UNITS_JA[unit]}"
    return f"{shown} {unit}"


def meaning(p: Parameter, lang: str) -> str:
    """What a parameter means, in a language (its `text_ja` in Japanese, else its `text`)."""
    return p.text_ja if lang != "en" and p.text_ja else p.text


def _param_value(name: str, params: dict[str, Any], sources: Sources | None,
                 lang: str) -> str:
    value = params.get(name)
    unit = sources[name].unit if sources and name in sources else ""
    return with_unit(value, unit, lang)


def _value(value: Any, fact: str, lang: str) -> Inline:
    if isinstance(value, Param):
        return [Link(f"${value.name}", f"#param-{value.name}")]
    if isinstance(value, tuple):
        out: Inline = []
        for i, x in enumerate(value):
            if i:
                out.append(", " if lang == "en" else "、")
            out += _value(x, fact, lang)
        return out
    if fact in _ENUM_TABLES and isinstance(value, str):
        return [label(_ENUM_TABLES[fact], value, lang)]
    return [value_label(value, lang)]


_ENUM_TABLES = {"sex": "sex", "side": "side"}  # enum facts whose codes have labels


def _resolved(value: Any, params: dict[str, Any]) -> Any:
    if isinstance(value, Param):
        return params.get(value.name)
    return value


_OPS = {"eq": "=", "ne": "≠", "lt": "<", "lte": "≤", "gt": ">", "gte": "≥"}
# Japanese: "A が X 以上"
_OPS_JA = {"eq": "", "ne": "以外", "lt": "未満", "lte": "以下", "gt": "を超える", "gte": "以上"}
# not(x < c) is "x known and x >= c" (Kleene): a negated comparison is the opposite one
_NEGATED = {"eq": "ne", "ne": "eq", "lt": "gte", "lte": "gt", "gt": "lte", "gte": "lt"}


def _leaf(leaf: Leaf, lang: str, params: dict[str, Any], sources: Sources | None = None,
          negated: bool = False) -> Inline:
    """A test of a fact in words; `negated`: the test is definitely false (`not:`)."""
    name = fact_label(leaf.fact, lang)
    spec = FACTS.get(leaf.fact)
    kind = spec.type if spec else "number"
    colon = ": " if lang == "en" else "："
    if leaf.op == "known":
        known = bool(leaf.value) != negated
        word = _t("is_known" if known else "is_unknown", lang)
        return [name, f" {word}" if lang == "en" else f"{colon}{word}"]
    if kind == "bool" and leaf.op in ("eq", "ne") and not isinstance(leaf.value, Param):
        truth = (bool(leaf.value) == (leaf.op == "eq")) != negated
        if lang != "en" and "：" in name:  # 弾性ストッキング：以前に継続できなかった
            return [name if truth else f"{name}（該当しない）"]
        return [name + colon + (("no", "yes"), ("なし", "あり"))[lang != "en"][truth]]
    if leaf.op == "in":
        word = _t("none_of_values" if negated else "one_of", lang)
        if lang == "en":
            return [f"{name} {word} ", *_value(leaf.value, leaf.fact, lang)]
        return [f"{name}が", *_value(leaf.value, leaf.fact, lang), word]
    op = _NEGATED[leaf.op] if negated else leaf.op
    shown: Inline = []
    if isinstance(leaf.value, Param):
        value = _param_value(leaf.value.name, params, sources, lang)
        shown = [f" ({value})" if lang == "en" else f"（{value}）"]
    if lang == "en":
        return [f"{name} {_OPS[op]} ", *_value(leaf.value, leaf.fact, lang), *shown]
    return [f"{name}が", *_value(leaf.value, leaf.fact, lang), *shown, _OPS_JA[op]]


def _ref(ref: Ref, lang: str, negated: bool = False) -> Inline:
    if ref.kind == "finding":
        link = Link(label("finding", ref.name, lang), f"#finding-{ref.name}")
        if lang == "en":
            return ["not: finding: " if negated else "finding: ", link]
        return ["所見：", link, "に該当しない（否定されている）"] if negated else ["所見：", link]
    action, status = ref.name.split(":")
    whole = ""
    if ref.patient:
        whole = f" ({_t('whole_patient', lang)})" if lang == "en" else \
            f"（{_t('whole_patient', lang)}）"
    if lang == "en":
        return [f"{'not: ' if negated else ''}{label('action', action, lang)} is "
                f"{label('status', status, lang)}{whole}"]
    return [f"{label('action', action, lang)}が{label('status', status, lang)}"
            f"{'ではない' if negated else ''}{whole}"]


def cond_items(cond: Cond, lang: str, params: dict[str, Any],
               sources: Sources | None = None) -> list[ListItem]:
    """A condition as a nested list in words (the top-level `all` is the list itself).
    `sources` (the rule set's parameters) gives the units of thresholds and the meanings of
    protocol settings."""
    if isinstance(cond, All):
        if not cond.items:
            return [ListItem([_t("always", lang)])]
        return [i for c in cond.items for i in _one(c, lang, params, sources)]
    return _one(cond, lang, params, sources)


def _flag(cond: Flag, lang: str, params: dict[str, Any],
          sources: Sources | None) -> Inline:
    """A protocol switch, by its meaning (the parameter's `text_ja` in Japanese)."""
    current = params.get(cond.name)
    on = current == cond.value
    p = sources.get(cond.name) if sources else None
    what = re.sub(r"（[^（）]*）$", "", meaning(p, lang)) if p and meaning(p, lang) else ""
    link = Link(f"${cond.name}", f"#param-{cond.name}")
    if lang == "en":
        head: Inline = [f"{_t('flag', lang)} ", link]
        if what:
            head.append(f" ({what})")
        return [*head, f" is {value_label(cond.value, lang)} (in this rule set: "
                       f"{value_label(current, lang)}, so this "
                       f"{'holds' if on else 'does not hold'})"]
    prefix = "設定" if what.startswith("当院") else _t("flag", lang)
    return [f"{prefix}「{what or cond.name}」（", link, "）が"
            f"「{value_label(cond.value, lang)}」の場合（現在の設定は"
            f"「{value_label(current, lang)}」のため{'該当する' if on else '該当しない'}）"]


def _one(cond: Cond, lang: str, params: dict[str, Any],
         sources: Sources | None = None) -> list[ListItem]:
    if isinstance(cond, Leaf):
        return [ListItem(_leaf(cond, lang, params, sources))]
    if isinstance(cond, Ref):
        return [ListItem(_ref(cond, lang))]
    if isinstance(cond, Any_):
        return [ListItem([_t("any_of", lang)],
                         [i for c in cond.items for i in _one(c, lang, params, sources)])]
    if isinstance(cond, All):
        return [ListItem([_t("all_of", lang)],
                         [i for c in cond.items for i in _one(c, lang, params, sources)])]
    if isinstance(cond, Flag):
        return [ListItem(_flag(cond, lang, params, sources))]
    if isinstance(cond, Unless):
        inner_items = cond_items(cond.item, lang, params, sources)
        return [ListItem([_t("unless", lang)], inner_items)]
    # Not: definitely false
    inner = cond.item
    if isinstance(inner, Leaf):
        return [ListItem(_leaf(inner, lang, params, sources, negated=True))]
    if isinstance(inner, Ref):
        return [ListItem(_ref(inner, lang, negated=True))]
    if isinstance(inner, Any_):
        return [ListItem([_t("none_of", lang)],
                         [i for c in inner.items for i in _one(c, lang, params, sources)])]
    items = inner.items if isinstance(inner, All) else (inner,)
    return [ListItem([_t("not_all", lang)],
                     [i for c in items for i in _one(c, lang, params, sources)])]


def _detail(detail: tuple[tuple[str, Any], ...], lang: str, params: dict[str, Any],
            sources: Sources | None) -> Inline:
    """An item's detail (`pressure (mmHg): 20-30`); a parameter shows its link and value."""
    colon = ": " if lang == "en" else "："
    sep = ", " if lang == "en" else "、"
    out: Inline = []
    for k, (key, val) in enumerate(detail):
        if k:
            out.append(sep)
        out.append(f"{label('detail_key', key, lang)}{colon}")
        if isinstance(val, Param):
            value = _param_value(val.name, params, sources, lang)
            out += [Link(f"${val.name}", f"#param-{val.name}"),
                    f" ({value})" if lang == "en" else f"（{value}）"]
        else:
            out.append(value_label(val, lang))
    return out


def output_items(rule: Rule, lang: str, params: dict[str, Any] | None = None,
                 sources: Sources | None = None) -> list[ListItem]:
    """What a rule does, in words: the findings it derives, the items it gives with their
    status, what it puts on hold (grouped) and what it adds to an item."""
    params = params if params is not None else {}
    en = lang == "en"
    colon = ": " if en else "："
    sep = ", " if en else "、"
    out: list[ListItem] = []
    holds: dict[tuple[str, str], list[str]] = {}
    for o in rule.outputs:
        if o.effect == "derive" and o.finding:
            out.append(ListItem([f"{_t('finding', lang)}{colon}",
                                 Link(label("finding", o.finding, lang), f"#finding-{o.finding}")]))
        elif o.effect == "claim" and o.action:
            out.append(ListItem(_claim(o, lang, params, sources)))
        elif o.effect == "hold" and o.action:
            holds.setdefault((o.reason_code or "", o.side), []).append(o.action)
        elif o.effect == "annotate" and o.action:
            parts: list[Inline] = []
            if o.detail:
                parts.append(_detail(o.detail, lang, params, sources))
            if o.coverage:
                parts.append([f"{_t('coverage', lang)}{colon}{label('coverage', o.coverage, lang)}"
                              if en else f"{label('coverage', o.coverage, lang)}とする"])
            if o.precautions:
                parts.append([f"{_t('precautions', lang)}{colon}" + sep.join(
                    label("precaution", p, lang) for p in o.precautions)])
            if o.disclosures:
                parts.append([f"{_t('disclose', lang)}{colon}" + sep.join(
                    label("disclosure", d, lang) for d in o.disclosures)])
            joined: Inline = []
            for k, part in enumerate(parts):
                if k:
                    joined.append("; " if en else "。")
                joined += part
            head = f"{label('action', o.action, lang)} - {_t('adds', lang)}{colon}" if en \
                else f"「{label('action', o.action, lang)}」に{_t('adds', lang)}{colon}"
            out.append(ListItem([head, *joined]))
    lp, rp, semi = (" (", ")", "; ") if en else ("（", "）", "、")
    for (reason, side), actions in holds.items():
        where = _t({"this": "hold_this", "patient": "hold_patient", "any": "hold_any"}[side],
                   lang)
        out.append(ListItem([f"{_t('holds', lang)}{lp}{where}{semi}{_t('reason', lang)}"
                             f"{' ' if en else colon}{label('reason', reason, lang)}"
                             f"{rp}{colon}" + sep.join(label("action", a, lang)
                                                      for a in actions)]))
    return out


def _claim(o: Output, lang: str, params: dict[str, Any] | None = None,
           sources: Sources | None = None) -> Inline:
    params = params if params is not None else {}
    colon = ": " if lang == "en" else "："
    text = f"{label('action', o.action, lang)}{colon}{label('status', o.status, lang)}"
    if lang == "en":
        if o.action == "referral":
            text += (f" - {label('reason', o.reason_code, lang)} "
                     f"[{label('urgency', o.urgency, lang)}]")
        else:
            if o.reason_code:
                text += f" ({_t('reason', lang)} {label('reason', o.reason_code, lang)})"
            if o.urgency:
                text += f" [{label('urgency', o.urgency, lang)}]"
        if o.side == "patient":
            text += f" ({_t('whole_patient', lang)})"
        out: Inline = [text]
        if o.detail:
            out += ["; ", *_detail(o.detail, lang, params, sources)]
        if o.coverage:
            out.append(f"; {label('coverage', o.coverage, lang)}")
        return out
    # Japanese: 項目：ステータス（理由：…、緊急度：…、患者全体、詳細、保険診療／自費診療）
    parts: list[Inline] = []
    if o.reason_code:
        parts.append([f"{_t('reason', lang)}：{label('reason', o.reason_code, lang)}"])
    if o.urgency:
        parts.append([f"{_t('urgency', lang)}：{label('urgency', o.urgency, lang)}"])
    if o.side == "patient":
        parts.append([_t("whole_patient", lang)])
    if o.detail:
        parts.append(_detail(o.detail, lang, params, sources))
    if o.coverage:
        parts.append([label("coverage", o.coverage, lang)])
    out = [text]
    if parts:
        out.append("（")
        for k, part in enumerate(parts):
            if k:
                out.append("、")
            out += part
        out.append("）")
    return out


def _params_of(rule: Rule) -> list[str]:
    names: list[str] = []
    for leaf in atoms(rule.when):
        if isinstance(leaf, Leaf):
            vals = leaf.value if isinstance(leaf.value, tuple) else (leaf.value,)
            names.extend(x.name for x in vals if isinstance(x, Param))
    for o in rule.outputs:
        names.extend(val.name for _, val in o.detail if isinstance(val, Param))
    return list(dict.fromkeys(names))


# --- the book -----------------------------------------------------------------------------
AREA_ORDER = ("safety", "assessment", "findings", "knee", "veins", "self_pay", "advice",
              "follow_up")


@dataclass
class ProtocolBook:
    lang: str
    title: str
    markdown: str
    html: str

    def write(self, out_dir: str | Path) -> list[Path]:
        """Write protocol.<lang>.md and protocol.<lang>.html into a folder (made if needed)."""
        folder = Path(out_dir)
        folder.mkdir(parents=True, exist_ok=True)
        text = folder / f"protocol.{self.lang}.md"
        page = folder / f"protocol.{self.lang}.html"
        text.write_text(self.markdown, encoding="utf-8")
        page.write_text(self.html, encoding="utf-8")
        return [text, page]


def _area_titles(book: Rulebook, lang: str = "en") -> dict[str, str]:
    """The introduction of each area: the rule file's `title:` (English); in Japanese its
    `title_ja:` if it has one, else AREA_INTRO_JA (the files are in the rule set's source)."""
    out: dict[str, str] = {}
    for name, raw in sorted((book.source.files if book.source else {}).items()):
        if name in ("parameters.yaml", "evidence.yaml"):
            continue
        try:
            data = yaml.safe_load(raw)
        except yaml.YAMLError:
            continue
        if isinstance(data, dict):
            area = str(data.get("area", Path(name).stem))
            if lang == "en":
                out.setdefault(area, str(data.get("title", "")))
            elif data.get("title_ja"):
                out.setdefault(area, str(data["title_ja"]))
    if lang != "en":
        for area, text in AREA_INTRO_JA.items():
            out.setdefault(area, text)
    return out


def _reference(e: EvidenceRef, lang: str) -> Inline:
    """An evidence entry's reference: its citation (linked), DOI and PMID; in English its
    source line, as before."""
    if lang == "en":
        return [Link(e.source, e.url) if e.url else e.source]
    out: Inline = []
    if e.citation:
        out.append(Link(e.citation, e.url) if e.url else e.citation)
    elif e.url:
        out.append(Link(e.url, e.url))
    ids = [f"DOI: {e.doi}" if e.doi else "", f"PMID: {e.pmid}" if e.pmid else ""]
    ids = [i for i in ids if i]
    if ids:
        out.append(("（" if out else "") + "、".join(ids) + ("）" if out else ""))
    return out or [_t("no_reference", lang)]


def _evidence_summary(e: EvidenceRef, lang: str) -> str:
    """What a source says: its Japanese summary in Japanese (else its source line)."""
    return e.summary_ja if lang != "en" and e.summary_ja else e.source


def build_book(rulebook: Rulebook | None = None, features: str | Path | None = None,
               lang: str = "en") -> ProtocolBook:
    """The protocol book of a rule set (default: the shipped one) and its feature files."""
    lang_index(lang)  # an unknown language is a UsageError
    book = rulebook or default_rulebook()
    folder = Path(features) if features is not None else default_features_dir()
    feats = read_features(folder)
    by_rule = scenarios_by_rule(feats)
    source_rules = {r.id: r for r in book.source.rules} if book.source else {}
    rules = [source_rules.get(rid, cr.rule) for rid, cr in book.rules.items()]
    params = book.parameters
    sources = book.parameter_sources
    en = lang == "en"
    colon = ": " if en else "："

    title = f"{_t('title', lang)}{colon}{book.name} {book.version}"
    blocks: list[Block] = [Heading(1, title)]
    n_scen = sum(len(f.scenarios) for f in feats)
    blocks.append(Para([Bold(_t("digest", lang)), colon, Code(book.digest)]))
    if not en:
        blocks.append(Para([_t("digest_text", lang)]))
    blocks.append(Para([_t("summary", lang).format(
        rules=len(rules), scenarios=n_scen, params=len(sources),
        evidence=len(book.evidence))]))
    blocks.append(Para([_t("generated", lang)]))

    # contents
    areas = sorted({r.area for r in rules},
                   key=lambda a: (AREA_ORDER.index(a) if a in AREA_ORDER else 99, a))
    uncovered = [r.id for r in rules if r.id not in by_rule]
    dev = _dev_notes(rules, book, lang) if not en else []
    toc = [ListItem([Link(_t("how", lang), "#how")]),
           ListItem([Link(_t("paths", lang), "#paths")]),
           ListItem([Link(_t("decisions", lang), "#decisions")],
                    [ListItem([Link(label("area", a, lang), f"#area-{a}")]) for a in areas]),
           ListItem([Link(_t("findings", lang), "#findings")]),
           ListItem([Link(_t("param_table", lang), "#parameters")]),
           ListItem([Link(_t("evidence", lang), "#evidence")]),
           ListItem([Link(_t("scenario_section", lang), "#scenarios")])]
    if uncovered:
        toc.append(ListItem([Link(_t("uncovered", lang), "#uncovered")]))
    if dev:
        toc.append(ListItem([Link(_t("dev_notes", lang), "#dev-notes")]))
    blocks += [Heading(2, _t("contents", lang), "contents"), Bullets(toc)]

    # how to read
    statuses = ("recommended", "option", "next_step", "deferred", "not_recommended",
                "contraindicated")
    blocks += [Heading(2, _t("how", lang), "how"), Para([_t("how_text", lang)])]
    if not en:
        blocks += [Heading(3, _t("reading", lang)),
                   Bullets([ListItem([Bold(k), colon + text]) for k, text in BOOK_READING])]
    blocks += [Heading(3, _t("statuses", lang)),
               Bullets([ListItem([Bold(label("status", s, lang)), colon +
                                  STATUS_MEANING[s][0 if en else 1]]) for s in statuses])]
    if not en:
        blocks += [Para([_t("statuses_text", lang)]),
                   Heading(3, _t("verification", lang)),
                   Para([_t("verification_text", lang)]),
                   Bullets([ListItem([Bold(f"[{k}] {label('verification', k, lang)}"),
                                      colon + VERIFICATION_MEANING[k][1]])
                            for k in ("V", "S", "U")])]

    # escalation paths
    blocks += [Heading(2, _t("paths", lang), "paths"), Para([_t("paths_text", lang)])]
    for d in dg.build_all(book, lang):
        blocks += [Heading(3, d.title, f"path-{d.track}"), Figure(d)]
        if d.notes:
            blocks.append(Bullets([ListItem([n]) for n in d.notes]))

    # decisions
    area_titles = _area_titles(book, lang)
    blocks.append(Heading(2, _t("decisions", lang), "decisions"))
    for area in areas:
        blocks.append(Heading(3, label("area", area, lang), f"area-{area}"))
        if area_titles.get(area):
            blocks.append(Para([area_titles[area]]))
        for rule in (r for r in rules if r.area == area):
            blocks += _rule_blocks(rule, book, by_rule, sources, params, lang)

    # findings
    blocks += [Heading(2, _t("findings", lang), "findings"), Para([_t("findings_text", lang)])]
    derived: dict[str, list[str]] = {}
    used: dict[str, list[str]] = {}
    for rule in rules:
        for o in rule.outputs:
            if o.effect == "derive" and o.finding:
                derived.setdefault(o.finding, []).append(rule.id)
        for ref in refs(rule.when):
            if ref.kind == "finding":
                used.setdefault(ref.name, [])
                if rule.id not in used[ref.name]:
                    used[ref.name].append(rule.id)
    for name in sorted(derived, key=lambda f: label("finding", f, "en")):
        text = f"{label('finding', name, lang)} ({name})" if en else label("finding", name, lang)
        blocks.append(Heading(4, text, f"finding-{name}"))
        items = [] if en else [ListItem([f"{_t('code', lang)}{colon}", Code(name)])]
        items.append(ListItem([f"{_t('derived_by', lang)}{colon}",
                               *_rule_links(derived[name])]))
        if used.get(name):
            items.append(ListItem([f"{_t('used_by', lang)}{colon}",
                                   *_rule_links(used[name])]))
        blocks.append(Bullets(items))

    # parameters
    rows: list[list[Inline]] = []
    for name, p in sources.items():
        value = params.get(name, p.value)
        shown = with_unit(value, p.unit, lang)
        if value != p.value:
            default = with_unit(p.value, p.unit, lang)
            shown += f" ({_t('default', lang)} {default})" if en else \
                f"（{_t('default', lang)} {default}）"
        rows.append([[Code(f"${name}")], [shown], [meaning(p, lang)],
                     [p.source if en else p.source_ja or p.source],
                     [f"[{p.verification}] {label('verification', p.verification, lang)}"]])
    blocks.append(Heading(2, _t("param_table", lang), "parameters"))
    if not en:
        blocks.append(Para([_t("param_text", lang)]))
    blocks.append(Table([_t(k, lang) for k in ("name", "value", "meaning", "param_source",
                                              "checked")], rows))
    # anchors for each parameter (Markdown tables cannot hold them): a list after the table
    if en:
        blocks.append(Bullets([ListItem([_anchor_span(f"param-{n}"), Code(f"${n}"), colon,
                                         with_unit(params.get(n, p.value), p.unit, lang),
                                         f" - {p.source} [{p.verification}]"])
                               for n, p in sources.items()]))
    else:
        blocks.append(Bullets([ListItem([_anchor_span(f"param-{n}"), Code(f"${n}"), " ＝ ",
                                         with_unit(params.get(n, p.value), p.unit, lang),
                                         f"：{meaning(p, lang)}" if meaning(p, lang) else "",
                                         f" [{p.verification}]"])
                               for n, p in sources.items()]))

    # evidence
    cited: dict[str, list[str]] = {}
    for rule in rules:
        for eid in rule.evidence:
            cited.setdefault(eid, []).append(rule.id)
    erows: list[list[Inline]] = []
    for eid, e in book.evidence.items():
        check: Inline = [f"[{e.verification}] {label('verification', e.verification, lang)}"]
        grade: Inline = [e.grade if en else e.grade_ja or e.grade]
        anchor: Inline = [_anchor_span(f"evidence-{eid}"), Code(eid)]
        if en:
            src: Inline = [Link(e.source, e.url)] if e.url else [e.source]
            if e.note:
                src.append(f" - {e.note}")
            erows.append([anchor, src, grade, check, _rule_links(cited.get(eid, []))])
        else:
            summary: Inline = [_evidence_summary(e, lang)]
            erows.append([anchor, summary, _reference(e, lang), grade, check,
                          _rule_links(cited.get(eid, []))])
    blocks.append(Heading(2, _t("evidence", lang), "evidence"))
    if en:
        blocks.append(Table(["id", _t("source", lang), _t("grade", lang), _t("checked", lang),
                             _t("cited_by", lang)], erows))
    else:
        blocks += [Para([_t("evidence_text", lang)]),
                   Table([_t(k, lang) for k in ("evidence_id", "evidence_summary",
                                                "evidence_ref", "grade_as_written",
                                                "checked", "cited_by")], erows)]

    # scenarios
    blocks += [Heading(2, _t("scenario_section", lang), "scenarios"),
               Para([_t("scenario_text", lang)])]
    for feature in feats:
        text = f"{feature.name} ({feature.file})" if en else f"{feature.name}（{feature.file}）"
        blocks.append(Heading(3, text, f"feature-{feature.file}"))
        if feature.description:
            blocks.append(Para([" ".join(feature.description)]))
        for sc in feature.scenarios:
            blocks.append(Heading(4, f"{sc.keyword}{colon}{sc.name}", sc.anchor))
            ids = [t for t in dict.fromkeys(sc.tags) if t in book.rules]
            meta: Inline = [Code(f"{sc.file}:{sc.line}")]
            if sc.rule_block:
                meta.append(f" - {sc.rule_block}" if en else
                            f"（{_t('rule_block', lang)}：{sc.rule_block}）")
            blocks.append(Para(meta))
            if ids:
                blocks.append(Para([f"{_t('specifies', lang)}{colon}", *_rule_links(ids)]))
            blocks.append(Pre("\n".join(sc.lines), "gherkin"))

    if uncovered:
        blocks += [Heading(2, _t("uncovered", lang), "uncovered"),
                   Para(_rule_links(uncovered))]
    blocks += dev

    return ProtocolBook(lang, title, to_markdown(blocks), to_html(blocks, title, lang))


def _dev_notes(rules: list[Rule], book: Rulebook, lang: str) -> list[Block]:
    """The Japanese book's appendix: the rules' and the evidence's English notes (reviewers'
    records), as written, under a heading that marks them as not for the doctor."""
    rule_notes = [ListItem([Link(r.id, f"#rule-{r.id}"), "：" + r.note])
                  for r in rules if r.note]
    ev_notes = [ListItem([Link(eid, f"#evidence-{eid}"), "：" + e.note])
                for eid, e in book.evidence.items() if e.note]
    if not rule_notes and not ev_notes:
        return []
    out: list[Block] = [Heading(2, _t("dev_notes", lang), "dev-notes"),
                        Para([_t("dev_notes_text", lang)])]
    if rule_notes:
        out += [Heading(3, _t("dev_rule_notes", lang)), Bullets(rule_notes)]
    if ev_notes:
        out += [Heading(3, _t("dev_evidence_notes", lang)), Bullets(ev_notes)]
    return out


def _anchor_span(anchor: str) -> Span:
    return Anchor(anchor)


def _rule_links(ids: list[str]) -> Inline:
    out: Inline = []
    for i, rid in enumerate(ids):
        if i:
            out.append(", ")
        out.append(Link(rid, f"#rule-{rid}"))
    return out


def _rule_blocks(rule: Rule, book: Rulebook, by_rule: dict[str, list[Scenario]],
                 sources: Sources, params: dict[str, Any], lang: str) -> list[Block]:
    en = lang == "en"
    colon = ": " if en else "："
    out: list[Block] = [Heading(4, f"{rule.id} - {rule_title(rule, lang)}", f"rule-{rule.id}")]
    scope = _t("scope_leg" if rule.scope == "leg" else "scope_patient", lang)
    items = [ListItem([Bold(_t("scope", lang)), colon + scope]),
             ListItem([Bold(_t("when", lang)), colon],
                      cond_items(rule.when, lang, params, sources)),
             ListItem([Bold(_t("then", lang)), colon],
                      output_items(rule, lang, params, sources))]
    names = _params_of(rule)
    if names:
        kids = []
        for n in names:
            p = sources.get(n)
            if p is None:
                kids.append(ListItem([Code(f"${n}")]))
                continue
            value = with_unit(params.get(n, p.value), p.unit, lang)
            what = meaning(p, lang)
            if en:
                kids.append(ListItem([Link(f"${n}", f"#param-{n}"), f" = {value}",
                                      f" - {what}; {p.source} [{p.verification}]"
                                      if what else f" - {p.source} [{p.verification}]"]))
            else:  # the meaning first, the source as a citation under it
                kids.append(ListItem([Link(f"${n}", f"#param-{n}"), f" ＝ {value}",
                                      f"：{what}" if what else "", f" [{p.verification}]"],
                                     [ListItem([f"{_t('source', lang)}："
                                                f"{p.source_ja or p.source}"])]))
        items.append(ListItem([Bold(_t("parameters", lang)), colon], kids))
    if rule.evidence:
        kids = []
        for eid in rule.evidence:
            e = book.evidence.get(eid)
            if e is None:
                kids.append(ListItem([Code(eid)]))
                continue
            if en:
                name: Span = Link(e.source, e.url) if e.url else e.source
                note = f" - {e.note}" if e.note else ""
                kids.append(ListItem([f"[{e.verification}] ", name, f" ({e.grade}){note}"]))
            else:  # the Japanese summary explains; the citation, DOI and PMID are the reference
                kids.append(ListItem(
                    [f"[{e.verification}] {_evidence_summary(e, lang)}（",
                     Link(eid, f"#evidence-{eid}"), "）"],
                    [ListItem([f"{_t('evidence_ref', lang)}：", *_reference(e, lang)]),
                     ListItem([f"{_t('grade', lang)}：{e.grade_ja or e.grade}"])]))
        items.append(ListItem([Bold(_t("evidence", lang)), colon], kids))
    scen = by_rule.get(rule.id, [])
    if scen:
        kids = [ListItem([Link(f"{sc.name}", f"#{sc.anchor}"),
                          f" ({sc.file}:{sc.line})" if en else f"（{sc.file}:{sc.line}）"])
                for sc in scen]
        items.append(ListItem([Bold(_t("scenarios", lang)), colon], kids))
    else:
        items.append(ListItem([Bold(_t("scenarios", lang)), colon + _t("no_scenario", lang)]))
    if rule.note:
        if en:
            items.append(ListItem([Bold(_t("note", lang)), colon + rule.note]))
        else:  # an English reviewer's note: in the appendix, not here
            items.append(ListItem([Bold(_t("dev_note_here", lang)), colon,
                                   Link(_t("dev_note_link", lang), "#dev-notes")]))
    where = Code(f"{rule.where.file}:{rule.where.line}")
    items.append(ListItem([Bold(_t("defined", lang)), colon, where,
                           f" ({_t('priority', lang)} {rule.priority})" if en else
                           f"（{_t('priority', lang)} {rule.priority}）"]))
    out.append(Bullets(items))
    return out


__all__ = ["ProtocolBook", "build_book", "cond_items", "meaning", "output_items",
           "read_features", "scenarios_by_rule", "with_unit"]
