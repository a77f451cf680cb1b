"""Escalation diagrams of the protocol, one per track, drawn from the rules themselves.

A diagram is a row of columns, one per phase (assessment -> insured care -> endovenous
treatment -> self-pay), each listing the actions that rules of that track can produce. An
arrow between two phases is labelled with the findings the later phase's rules need and the
earlier one's do not (the gate). A dashed arrow from another track's phase shows a
dependency across tracks (the clinic's "veins first": the self-pay knee options wait for
endovenous treatment).

Two drawings of the same model: Mermaid text (for Markdown) and an SVG drawn here, with
nothing fetched from the network (for HTML).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from html import escape
from itertools import pairwise

from .. import vocabulary as v
from ..labels import label
from ..rulebook import Rulebook
from ..rulebook.compile import refs
from ..rulebook.schema import All, Cond, Ref, Rule

TRACKS = ("safety", "knee", "vein", "general")


@dataclass
class Node:
    id: str
    label: str


@dataclass
class Column:
    id: str
    title: str
    nodes: list[Node] = field(default_factory=list)
    external: bool = False  # a phase of another track, drawn below the main row


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

    def node_ids(self) -> list[str]:
        return [n.id for c in self.columns for n in c.nodes]


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
    order = [p for p in v.PHASES if p in phases]
    columns = []
    for phase in order:
        acts = sorted(phases[phase], key=lambda a: v.ACTION_ORDER[a])
        heading = label("kind", "advice", lang) if track == "general" else \
            label("phase", phase, lang)
        columns.append(Column(f"{track}_{phase}", heading,
                              [Node(a, label("action", a, lang)) for a in acts]))
    edges = []

    def gate(phase: str) -> set[str]:
        sets = gates.get(phase, [])
        common = set.intersection(*sets) if sets else set()
        return common or set().union(*sets) if sets else set()

    for before, after in pairwise(order):
        new = sorted(gate(after) - gate(before))
        edges.append(Edge(f"{track}_{before}", f"{track}_{after}", _joined(new, lang)))
    columns_ext, edges_ext = _across(book, rules, track, order, lang)
    return Diagram(track, title, columns + columns_ext, edges + edges_ext)


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


def _safety(rules: list[Rule], lang: str) -> Diagram:
    """Red flags -> referral, holding elective treatment; routine referrals hold nothing."""
    reasons: dict[str, str] = {}
    held: set[str] = set()
    for rule in rules:
        for o in rule.outputs:
            if o.effect == "claim" and o.action == "referral" and o.reason_code:
                reasons.setdefault(o.reason_code, o.urgency or "")
            if o.effect == "hold" and o.reason_code:
                held.add(o.reason_code)
    order = {c: i for i, c in enumerate(v.REFERRAL_REASONS)}

    def nodes(codes: list[str]) -> list[Node]:
        return [Node(c, f"{label('reason', c, lang)} [{label('urgency', reasons[c], lang)}]")
                for c in sorted(codes, key=lambda c: order.get(c, 99))]

    en = lang == "en"
    flags = nodes([c for c in reasons if c in held])
    routine = nodes([c for c in reasons if c not in held])
    columns, edges = [], []
    if flags:
        columns.append(Column("safety_red_flags", "red flag: referral" if en else "危険徴候：紹介",
                              flags))
        columns.append(Column("safety_hold", "elective treatment" if en else "待機的治療",
                              [Node("held", "deferred" if en else "保留")]))
        edges.append(Edge("safety_red_flags", "safety_hold", "holds" if en else "保留にする"))
    if routine:
        columns.append(Column("safety_routine", "referral, holds nothing" if en else
                              "紹介（治療は保留しない）", routine))
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
        for node in col.nodes:
            lines.append(f'    {col.id}__{node.id}["{_mq(node.label)}"]')
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
NODE_FILL = "#cfe3f7"  # the action boxes (a test looks for this colour in a screenshot)
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
        widest = max([text_width(n.label) for n in col.nodes]
                     + [text_width(col.title, 14) - 2 * PAD])
        w = max(120.0, widest + 4 * PAD)
        h = TITLE_H + len(col.nodes) * (NODE_H + NODE_GAP) + PAD
        return w, h

    sizes = {c.id: col_size(c) for c in diagram.columns}
    edge_by_pair = {(e.source, e.target): e for e in diagram.edges}
    # horizontal layout of the main row
    x, top = 10.0, 10.0
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
        for k, node in enumerate(col.nodes):
            ny = cy + TITLE_H + k * (NODE_H + NODE_GAP)
            out.append(f'<g class="node" data-node="{escape(node.id)}">'
                       f'<rect x="{cx + PAD:.1f}" y="{ny:.1f}" width="{w - 2 * PAD:.1f}" '
                       f'height="{NODE_H}" rx="5" fill="{NODE_FILL}" stroke="#4a78a8"/>'
                       + _text(cx + w / 2, ny + NODE_H / 2 + FONT / 2 - 2, node.label, "node-label")
                       + "</g>")
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
