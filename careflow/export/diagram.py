"""Escalation diagrams of the protocol, one per track, drawn from the rules themselves.

A diagram is a row of columns, one per phase (assessment -> conservative care -> endovenous
treatment -> self-pay), each listing the actions that rules of that track can produce. A
column whose actions are paid for in different ways groups them by who pays (insured care,
self-pay: compression stockings are conservative care the patient buys) or, for advice, by
kind; an action some rule bills otherwise (stockings for an active ulcer are insured) is
marked and explained in the diagram's notes. An arrow between two phases is labelled with the
findings the later phase's rules need and the earlier one's do not (the gate). A dashed arrow
from another track's phase shows a dependency across tracks (the clinic's "veins first": the
self-pay knee options wait for endovenous treatment).

The safety diagram lists the red flags (each with what is done: a referral, or urgent care in
house) and what they hold, the urgent care that holds nothing, and the routine referrals.

Two drawings of the same model: Mermaid text (for Markdown) and an SVG drawn here, with
nothing fetched from the network (for HTML).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from html import escape
from itertools import pairwise

from .. import vocabulary as v
from ..labels import label
from ..rulebook import Rulebook
from ..rulebook.compile import refs
from ..rulebook.schema import All, Cond, Ref, Rule
from .words import PHRASES, rule_title, say

TRACKS = ("safety", "knee", "vein", "general")


@dataclass
class Node:
    id: str
    label: str
    group: str = ""  # the key of the column's group the node is drawn in ("" = none)


@dataclass
class Column:
    id: str
    title: str
    nodes: list[Node] = field(default_factory=list)
    external: bool = False  # a phase of another track, drawn below the main row
    groups: dict[str, str] = field(default_factory=dict)  # key -> title, in drawing order

    def grouped(self) -> list[tuple[str, str, list[Node]]]:
        """(key, title, nodes) of each group in drawing order; one untitled group if the
        column is not grouped."""
        if not self.groups:
            return [("", "", list(self.nodes))]
        return [(key, title, [n for n in self.nodes if n.group == key])
                for key, title in self.groups.items()]


@dataclass
class Edge:
    source: str  # column id
    target: str  # column id
    label: str = ""
    dashed: bool = False


@dataclass
class Diagram:
    track: str
    title: str
    columns: list[Column]
    edges: list[Edge]
    notes: list[str] = field(default_factory=list)  # shown under the drawing

    def node_ids(self) -> list[str]:
        return [n.id for c in self.columns for n in c.nodes]

    def column_of(self, node_id: str) -> tuple[Column, str] | None:
        """The column a node is drawn in, and the title of its group ("" if none)."""
        for col in self.columns:
            for _key, title, nodes in col.grouped():
                if any(n.id == node_id for n in nodes):
                    return col, title
        return None


# --- the model, from the rules ----------------------------------------------------------
def _top_findings(cond: Cond) -> set[str]:
    """Findings a condition needs positively at its top level (the gate of a rule)."""
    items = cond.items if isinstance(cond, All) else (cond,)
    return {c.name for c in items if isinstance(c, Ref) and c.kind == "finding"}


def _claims(rule: Rule) -> list[tuple[str, str]]:
    return [(o.action, o.status or "") for o in rule.outputs
            if o.effect == "claim" and o.action]


def _joined(names: list[str], lang: str) -> str:
    return (", " if lang == "en" else "、").join(label("finding", n, lang) for n in names)


# who pays for an action, as a column's groups show it: the coverage, else the kind (advice)
GROUP_ORDER = ("insurance", "self_pay", "referral", "assessment", "treatment", "advice")
MARK = {"en": "*", "ja": "※"}


def _coverages(rules: list[Rule]) -> dict[str, set[str]]:
    """The coverages the rules give each action on a claim or an annotation."""
    out: dict[str, set[str]] = {}
    for rule in rules:
        for o in rule.outputs:
            if o.action and o.coverage and o.effect in ("claim", "annotate"):
                out.setdefault(o.action, set()).add(o.coverage)
    return out


def _billing(rules: list[Rule]) -> dict[str, str | None]:
    """Each action's usual coverage: the one every claim of it names, else its own
    (vocabulary.ACTIONS); None for what no one bills (advice)."""
    named: dict[str, set[str | None]] = {}
    for rule in rules:
        for o in rule.outputs:
            if o.effect == "claim" and o.action:
                named.setdefault(o.action, set()).add(o.coverage)
    out: dict[str, str | None] = {}
    for code, spec in v.ACTIONS.items():
        claims = named.get(code, set())
        out[code] = next(iter(claims)) if len(claims) == 1 and None not in claims \
            else spec.coverage
    return out


def _group_key(action: str, billing: dict[str, str | None]) -> str:
    return billing.get(action) or v.ACTIONS[action].kind


def _group_title(key: str, lang: str) -> str:
    if f"diagram.group.{key}" in PHRASES:
        return say(f"diagram.group.{key}", lang)
    return label("kind", key, lang)


def _exceptions(rules: list[Rule], action: str, usual: str | None) -> list[tuple[str, Rule]]:
    """(coverage, rule) for each rule that bills an action otherwise than usual."""
    out: list[tuple[str, Rule]] = []
    for rule in rules:
        for o in rule.outputs:
            if (o.action == action and o.coverage and o.coverage != usual
                    and o.effect in ("claim", "annotate")
                    and all(r.id != rule.id for _, r in out)):
                out.append((o.coverage, rule))
    return out


def _note(action: str, usual: str | None, exceptions: list[tuple[str, Rule]],
          lang: str) -> str:
    """`* compression stockings: self-pay; insured when: <rule title> (RULE_ID)`."""
    en = lang == "en"
    name = label("action", action, lang)
    if usual:
        base = _group_title(usual, lang) if en else label("coverage", usual, lang)
    else:
        base = label("kind", v.ACTIONS[action].kind, lang)
    parts = []
    for coverage in dict.fromkeys(c for c, _ in exceptions):
        rules = [r for c, r in exceptions if c == coverage]
        when = ("; " if en else "／").join(
            f"{rule_title(r, lang)} ({r.id})" if en else f"{rule_title(r, lang)}（{r.id}）"
            for r in rules)
        parts.append(f"{_group_title(coverage, lang)} when: {when}" if en else
                     f"次の場合は{label('coverage', coverage, lang)}：{when}")
    if en:
        return f"{MARK[lang]} {name}: {base}; " + "; ".join(parts)
    return f"{MARK[lang]} {name}：{base}。" + "。".join(parts)


def build(book: Rulebook, track: str, lang: str = "en") -> Diagram:
    """The escalation diagram of one track."""
    rules = [cr.rule for cr in book.rules.values()]
    title = label("track", track, lang)
    if track == "safety":
        return _safety(rules, lang)
    phases: dict[str, list[str]] = {}
    gates: dict[str, list[set[str]]] = {}
    for rule in rules:
        for action, status in _claims(rule):
            spec = v.ACTIONS[action]
            if spec.track != track:
                continue
            phases.setdefault(spec.phase, [])
            if action not in phases[spec.phase]:
                phases[spec.phase].append(action)
            if status in ("recommended", "option"):
                gates.setdefault(spec.phase, []).append(_top_findings(rule.when))
    order: list[str] = [p for p in v.PHASES if p in phases]
    billing = _billing(rules)
    columns = []
    notes = []
    for phase in order:
        acts = sorted(phases[phase], key=lambda a: v.ACTION_ORDER[a])
        keys = sorted({_group_key(a, billing) for a in acts}, key=GROUP_ORDER.index)
        cid = f"{track}_{phase}"
        nodes = []
        for a in acts:
            text = label("action", a, lang)
            usual = billing.get(a)
            exceptions = _exceptions(rules, a, usual)
            if exceptions:
                text += f" {MARK[lang]}"
                notes.append(_note(a, usual, exceptions, lang))
            nodes.append(Node(a, text))
        # a column is grouped by who pays when its actions are paid for in different ways,
        # or when self-pay care sits in a phase of insured care
        if keys == ["advice"]:
            columns.append(Column(cid, label("kind", "advice", lang), nodes))
        elif len(keys) > 1 or (keys != ["insurance"] and phase != "self_pay"):
            for node in nodes:
                node.group = _group_key(node.id, billing)
            # a phase holding insured and self-pay care is named by what it does, not by
            # who pays ("conservative care", not "insured care")
            key = f"diagram.phase.{phase}"
            heading = say(key, lang) if key in PHRASES else label("phase", phase, lang)
            columns.append(Column(cid, heading, nodes,
                                  groups={k: _group_title(k, lang) for k in keys}))
        else:
            columns.append(Column(cid, label("phase", phase, lang), nodes))
    edges = []

    def gate(phase: str) -> set[str]:
        sets = gates.get(phase, [])
        common = set.intersection(*sets) if sets else set()
        return common or set().union(*sets) if sets else set()

    for before, after in pairwise(order):
        new = sorted(gate(after) - gate(before))
        edges.append(Edge(f"{track}_{before}", f"{track}_{after}", _joined(new, lang)))
    columns_ext, edges_ext = _across(book, rules, track, order, lang)
    return Diagram(track, title, columns + columns_ext, edges + edges_ext, notes)


def _across(book: Rulebook, rules: list[Rule], track: str, order: list[str],
            lang: str) -> tuple[list[Column], list[Edge]]:
    """Dashed arrows from another track's phase: a rule of this track depends (through a chain
    of findings) on a claim about an action of another track."""
    producers: dict[str, list[Rule]] = {}
    for rule in rules:
        for o in rule.outputs:
            if o.effect == "derive" and o.finding:
                producers.setdefault(o.finding, []).append(rule)
    found: dict[tuple[str, str], set[str]] = {}  # (other action, this phase) -> findings
    for rule in rules:
        # the rules that open a treatment phase (recommended or option) of this track
        mine = [v.ACTIONS[a].phase for a, s in _claims(rule) if v.ACTIONS[a].track == track
                and s in ("recommended", "option") and v.ACTIONS[a].kind == "treatment"]
        if not mine:
            continue
        seen: set[str] = set()
        stack = [(r.name, None) for r in refs(rule.when) if r.kind == "finding"]
        while stack:
            name, _ = stack.pop()
            if name in seen:
                continue
            seen.add(name)
            for producer in producers.get(name, []):
                for ref in refs(producer.when):
                    if ref.kind == "finding":
                        stack.append((ref.name, None))
                    elif ref.kind == "claim":
                        action = ref.name.split(":")[0]
                        if action in v.ACTIONS and v.ACTIONS[action].track != track:
                            for phase in mine:
                                found.setdefault((action, phase), set()).add(name)
    columns: dict[str, Column] = {}
    edges: list[Edge] = []
    for (action, phase), names in sorted(found.items()):
        other = v.ACTIONS[action]
        cid = f"ext_{other.track}_{other.phase}"
        col = columns.setdefault(cid, Column(
            cid, f"{label('phase', other.phase, lang)} ({label('track', other.track, lang)})"
            if lang == "en" else
            f"{label('phase', other.phase, lang)}（{label('track', other.track, lang)}）",
            external=True))
        if all(n.id != action for n in col.nodes):
            col.nodes.append(Node(action, label("action", action, lang)))
        if phase in order and all((e.source, e.target) != (cid, f"{track}_{phase}")
                                  for e in edges):
            edges.append(Edge(cid, f"{track}_{phase}", _joined(sorted(names), lang),
                              dashed=True))
    return list(columns.values()), edges


def _short(text: str) -> str:
    """An action's label without its trailing parenthesis (the diagram names it only)."""
    return re.sub(r"\s*[（(][^（）()]*[）)]$", "", text) or text


def _safety(rules: list[Rule], lang: str) -> Diagram:
    """Red flags (a referral, or urgent care in house) -> elective treatment held; urgent care
    in house that holds nothing; routine referrals."""
    actions: dict[str, list[str]] = {}  # reason -> what is done for it
    urgency: dict[str, str] = {}
    held: set[str] = set()
    rank: dict[str, int] = {u: i for i, u in enumerate(v.URGENCIES)}
    for rule in rules:
        for o in rule.outputs:
            if (o.effect == "claim" and o.status == "recommended" and o.action
                    and o.reason_code in v.REFERRAL_REASONS
                    and (o.urgency or o.action == "referral")):
                done = actions.setdefault(o.reason_code, [])
                if o.action not in done:
                    done.append(o.action)
                if o.urgency and rank[o.urgency] < rank.get(urgency.get(o.reason_code, ""), 99):
                    urgency[o.reason_code] = o.urgency
            if o.effect == "hold" and o.reason_code:
                held.add(o.reason_code)
    order = {c: i for i, c in enumerate(v.REFERRAL_REASONS)}
    colon = ": " if lang == "en" else "："
    sep = ", " if lang == "en" else "、"

    def nodes(codes: list[str]) -> list[Node]:
        out = []
        for c in sorted(codes, key=lambda c: order.get(c, 99)):
            # a referral names the referral only (what is done meanwhile is in the rules)
            done = ["referral"] if "referral" in actions[c] else \
                sorted(actions[c], key=lambda a: v.ACTION_ORDER.get(a, 99))
            what = sep.join(_short(label("action", a, lang)) for a in done)
            text = f"{label('reason', c, lang)}{colon}{what}"
            if c in urgency:
                text += f" [{label('urgency', urgency[c], lang)}]"
            out.append(Node(c, text))
        return out

    en = lang == "en"
    flags = nodes([c for c in actions if c in held
                   and (c in v.RED_FLAGS or c in v.URGENT_CARE)])
    urgent = nodes([c for c in actions if c not in held and c in v.URGENT_CARE])
    routine = nodes([c for c in actions if (c not in v.RED_FLAGS and c not in v.URGENT_CARE)
                     or (c in v.RED_FLAGS and c not in held)])
    columns, edges = [], []
    if flags:
        columns.append(Column("safety_red_flags", "red flag: referral or urgent care in house"
                              if en else "危険徴候：紹介または当院で至急対応", flags))
        columns.append(Column("safety_hold", "elective treatment" if en else "待機的治療",
                              [Node("held", "deferred" if en else "保留")]))
        edges.append(Edge("safety_red_flags", "safety_hold", "holds" if en else "保留にする"))
    if urgent:
        columns.append(Column("safety_urgent", "urgent care in house, holds nothing" if en else
                              "当院での至急の処置（治療は保留しない）", urgent))
    if routine:
        columns.append(Column("safety_routine", "routine referral" if en else "通常の紹介",
                              routine))
    return Diagram("safety", label("track", "safety", lang), columns, edges)


def build_all(book: Rulebook, lang: str = "en") -> list[Diagram]:
    out = [build(book, track, lang) for track in TRACKS]
    return [d for d in out if d.columns]


# --- Mermaid ---------------------------------------------------------------------------
def _mq(text: str) -> str:
    return text.replace('"', "#quot;")


def mermaid(diagram: Diagram) -> str:
    """The diagram as a Mermaid flowchart (left to right)."""
    lines = ["flowchart LR"]
    for col in diagram.columns:
        lines.append(f'  subgraph {col.id}["{_mq(col.title)}"]')
        lines.append("    direction TB")
        for key, title, nodes in col.grouped():
            indent = "    "
            if key:
                lines.append(f'    subgraph {col.id}__group_{key}["{_mq(title)}"]')
                lines.append("      direction TB")
                indent = "      "
            for node in nodes:
                lines.append(f'{indent}{col.id}__{node.id}["{_mq(node.label)}"]')
            if key:
                lines.append("    end")
        lines.append("  end")
    for e in diagram.edges:
        arrow = "-.->" if e.dashed else "-->"
        text = f'|"{_mq(e.label)}"|' if e.label else ""
        lines.append(f"  {e.source} {arrow}{text} {e.target}")
    for col in diagram.columns:
        if col.external:
            lines.append(f"  style {col.id} stroke-dasharray: 5 5")
    return "\n".join(lines) + "\n"


# --- SVG -------------------------------------------------------------------------------
FONT = 13
NODE_H = 28
NODE_GAP = 8
TITLE_H = 30
PAD = 10
GROUP_TITLE_H = 22
NODE_FILL = "#cfe3f7"  # the action boxes (a test looks for this colour in a screenshot)
GROUP_STROKE = "#b3c2d2"
PHASE_FILL = "#f4f7fb"
EXTERNAL_FILL = "#fbf4e8"


def text_width(text: str, size: float = FONT) -> float:
    """An estimate of a text's width: wide (CJK) characters count as one em."""
    return sum(size if unicodedata.east_asian_width(ch) in "WF" else size * 0.6 for ch in text)


def _wrap(text: str, width: float) -> list[str]:
    """Break a label into lines no wider than `width` (at spaces or commas, else anywhere)."""
    if not text:
        return []
    lines: list[str] = []
    current = ""
    for ch in text:
        if text_width(current + ch) > width and current:
            cut = max(current.rfind(" "), current.rfind("、"), current.rfind(","))
            if cut > 0:
                lines.append(current[:cut + 1].rstrip())
                current = current[cut + 1:].lstrip()
            else:
                lines.append(current)
                current = ""
        current += ch
    if current:
        lines.append(current)
    return lines


def _text(x: float, y: float, text: str, cls: str, anchor: str = "middle") -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" class="{cls}" text-anchor="{anchor}">'
            f"{escape(text)}</text>")


def svg(diagram: Diagram) -> str:
    """The diagram as a standalone inline <svg> element (no external resources)."""
    main = [c for c in diagram.columns if not c.external]
    ext = [c for c in diagram.columns if c.external]
    label_w = 170.0

    def col_size(col: Column) -> tuple[float, float]:
        pad = 2 * PAD if col.groups else 0  # a group's frame inside the column
        widest = max([text_width(n.label) + pad for n in col.nodes]
                     + [text_width(t, 12) + pad for t in col.groups.values()]
                     + [text_width(col.title, 14) - 2 * PAD])
        w = max(120.0, widest + 4 * PAD)
        h = TITLE_H + len(col.nodes) * (NODE_H + NODE_GAP) + PAD
        if col.groups:
            h += len(col.groups) * (GROUP_TITLE_H + PAD)
        return w, h

    sizes = {c.id: col_size(c) for c in diagram.columns}
    edge_by_pair = {(e.source, e.target): e for e in diagram.edges}
    # horizontal layout of the main row, low enough for the arrows' labels above them
    x, top = 10.0, 10.0
    for a, b in pairwise(main):
        e = edge_by_pair.get((a.id, b.id))
        if e is not None:
            above = len(_wrap(e.label, label_w)) * (FONT + 2) + 8
            top = max(top, 10.0 + above - min(sizes[a.id][1], sizes[b.id][1]) / 2)
    pos: dict[str, tuple[float, float]] = {}
    gaps: list[tuple[float, float, Edge | None]] = []
    for i, col in enumerate(main):
        pos[col.id] = (x, top)
        x += sizes[col.id][0]
        if i + 1 < len(main):
            e = edge_by_pair.get((col.id, main[i + 1].id))
            lines = _wrap(e.label, label_w) if e else []
            gap = max(56.0, max([text_width(s) for s in lines], default=0) + 24)
            gaps.append((x, gap, e))
            x += gap
    width = x + 10
    row_h = max((sizes[c.id][1] for c in main), default=0)
    height = top + row_h + 10
    # external columns: a second row, under the column they point to
    ext_top = top + row_h + 70
    for col in ext:
        target = next((e.target for e in diagram.edges if e.source == col.id), None)
        tx = pos[target][0] + sizes[target][0] / 2 if target in pos else 10
        w, h = sizes[col.id]
        pos[col.id] = (max(10.0, tx - w / 2), ext_top)
        width = max(width, pos[col.id][0] + w + 10)
        height = max(height, ext_top + h + 10)

    tid = f"arrow-{diagram.track}"
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="diagram" role="img" '
           f'data-track="{diagram.track}" width="{width:.0f}" height="{height:.0f}" '
           f'viewBox="0 0 {width:.0f} {height:.0f}">',
           f"<title>{escape(diagram.title)}</title>",
           f'<defs><marker id="{tid}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" '
           f'markerHeight="8" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
           f'fill="#44546a"/></marker></defs>']
    for col in diagram.columns:
        cx, cy = pos[col.id]
        w, h = sizes[col.id]
        fill = EXTERNAL_FILL if col.external else PHASE_FILL
        dash = ' stroke-dasharray="6 4"' if col.external else ""
        out.append(f'<g class="phase" data-phase="{escape(col.id)}">')
        out.append(f'<rect x="{cx:.1f}" y="{cy:.1f}" width="{w:.1f}" height="{h:.1f}" rx="8" '
                   f'fill="{fill}" stroke="#8da1b4"{dash}/>')
        out.append(_text(cx + w / 2, cy + 20, col.title, "phase-title"))
        ny = cy + TITLE_H
        for key, title, nodes in col.grouped():
            inset = PAD if key else 0.0
            if key:  # a frame with the group's title (who pays), around its nodes
                gh = GROUP_TITLE_H + len(nodes) * (NODE_H + NODE_GAP)
                out.append(f'<g class="group" data-group="{escape(key)}">'
                           f'<rect x="{cx + PAD / 2:.1f}" y="{ny:.1f}" width="{w - PAD:.1f}" '
                           f'height="{gh:.1f}" rx="6" fill="none" stroke="{GROUP_STROKE}" '
                           f'stroke-dasharray="4 3"/>'
                           + _text(cx + PAD, ny + 15, title, "group-title", "start") + "</g>")
                ny += GROUP_TITLE_H
            for node in nodes:
                out.append(f'<g class="node" data-node="{escape(node.id)}">'
                           f'<rect x="{cx + PAD + inset:.1f}" y="{ny:.1f}" '
                           f'width="{w - 2 * PAD - 2 * inset:.1f}" '
                           f'height="{NODE_H}" rx="5" fill="{NODE_FILL}" stroke="#4a78a8"/>'
                           + _text(cx + w / 2, ny + NODE_H / 2 + FONT / 2 - 2, node.label,
                                   "node-label")
                           + "</g>")
                ny += NODE_H + NODE_GAP
            if key:
                ny += PAD
        out.append("</g>")
    for gx, gap, e in gaps:
        if e is None:
            continue
        sy = top + min(sizes[e.source][1], sizes[e.target][1]) / 2
        out.append(f'<g class="edge" data-from="{e.source}" data-to="{e.target}">'
                   f'<line x1="{gx + 2:.1f}" y1="{sy:.1f}" x2="{gx + gap - 2:.1f}" y2="{sy:.1f}" '
                   f'stroke="#44546a" stroke-width="1.6" marker-end="url(#{tid})"/>')
        lines = _wrap(e.label, label_w)
        for j, line in enumerate(lines):
            ly = sy - 8 - (len(lines) - 1 - j) * (FONT + 2)
            out.append(_text(gx + gap / 2, ly, line, "edge-label"))
        out.append("</g>")
    for e in diagram.edges:
        if not e.dashed or e.source not in pos or e.target not in pos:
            continue
        sx, sy = pos[e.source]
        sw = sizes[e.source][0]
        tx, ty = pos[e.target]
        tw, th = sizes[e.target]
        x1, y1 = sx + sw / 2, sy
        x2, y2 = tx + tw / 2, ty + th
        out.append(f'<g class="edge dashed" data-from="{e.source}" data-to="{e.target}">'
                   f'<line x1="{x1:.1f}" y1="{y1 - 2:.1f}" x2="{x2:.1f}" y2="{y2 + 2:.1f}" '
                   f'stroke="#a8652a" stroke-width="1.6" stroke-dasharray="6 4" '
                   f'marker-end="url(#{tid})"/>')
        for j, line in enumerate(_wrap(e.label, 220)):
            out.append(_text(max(x1, x2) + 8, (y1 + y2) / 2 + j * (FONT + 2), line,
                             "edge-label", "start"))
        out.append("</g>")
    out.append("</svg>")
    return "\n".join(out)
