"""A plan in colour for a terminal (rich): grouped by leg, then by track, each item with its
status in colour and its reasons indented below it.

`careflow plan FILE` uses this when standard output is a terminal; when it is a file or a pipe
it prints careflow/export/text.py's plain text instead.

    >>> from careflow.export.rich_text import render_ansi
    >>> print(render_ansi(plan, lang="ja"))
"""

from __future__ import annotations

import io

from ..errors import MissingExtra

try:
    from rich.console import Console, Group
    from rich.rule import Rule
    from rich.text import Text
    from rich.tree import Tree
except ImportError as exc:
    raise MissingExtra("cli", exc) from None

from ..labels import label, lang_index
from ..plan import Item, Plan
from .words import (
    checked_line,
    colon,
    considered_line,
    coverage_tag,
    detail_text,
    evidence_line,
    heading,
    items,
    other_rule,
    protocol_line,
    questions_line,
    reason_text,
    rule_line,
    say,
    statement_parts,
    status_word,
    unchecked_line,
)

STATUS_STYLE = {
    "recommended": "bold green",
    "option": "bold cyan",
    "next_step": "bold blue",
    "deferred": "bold yellow",
    "not_recommended": "bold magenta",
    "contraindicated": "bold red",
}
URGENCY_STYLE = {"emergency": "bold white on red", "urgent": "bold red", "routine": "magenta"}
REASON_STYLE = {"deferred": "yellow", "contraindicated": "red"}
TRACK_ORDER = ("safety", "knee", "vein", "general")


def _head(item: Item, lang: str) -> Text:
    """The item's statement (careflow/export/words.py), its parts in colour."""
    text = Text()
    text.append(status_word(item, lang).upper(), STATUS_STYLE.get(item.status, "bold"))
    text.append("  ")
    styles = {"action": "bold", "urgency": URGENCY_STYLE.get(item.urgency or "", ""),
              "reason": "" if item.action == "referral" else
              REASON_STYLE.get(item.status, "")}
    for role, part in statement_parts(item, lang, side=False):
        text.append(part, styles.get(role, ""))
    if item.detail:
        text.append(f"  {detail_text(item, lang)}", "italic")
    if item.coverage == "self_pay":
        text.append(f"  {coverage_tag(item.coverage, lang)}", "magenta")
    return text


def _item_tree(item: Item, lang: str) -> Tree:
    node = Tree(_head(item, lang), guide_style="dim")
    c = colon(lang)
    node.add(Text(rule_line(item, lang), "dim"))
    for line in reason_text(item, lang):
        node.add(Text(f"{say('because', lang)}{c}{line}"))
    for o in item.other_rules:
        node.add(Text(f"{say('also', lang)} {other_rule(o.rule, o.effect, o.status, lang)}",
                      "dim"))
    if checked_line(item, lang):
        node.add(Text(f"{say('checked', lang)}{c}{checked_line(item, lang)}", "green"))
    if item.unchecked:
        node.add(Text(f"{say('unchecked', lang)}{c}{unchecked_line(item, lang)}", "yellow"))
    if item.precautions:
        node.add(Text(f"{say('precautions', lang)}{c}" + items(
            (label("precaution", p, lang) for p in item.precautions), lang), "bold yellow"))
    if item.disclosures:
        node.add(Text(f"{say('tell', lang)}{c}" + items(
            (label("disclosure", d, lang) for d in item.disclosures), lang), "magenta"))
    for e in item.evidence:
        style = "dim" if e.verification == "V" else "dim yellow"
        node.add(Text(f"{say('evidence', lang)} {evidence_line(e, lang)}", style))
    return node


def renderable(plan: Plan, lang: str = "en") -> Group:
    """The plan as one rich renderable: a heading, then per leg a tree of tracks and items."""
    lang_index(lang)
    parts: list[object] = [
        Text(say("plan_heading", lang, id=plan.patient_id, date=plan.assessed_on), "bold"),
        Text(say("review", lang, weeks=plan.review_after_weeks)),
        Text(protocol_line(plan, lang), "dim"),
    ]
    if plan.questions_open:
        parts.append(Text(questions_line(plan, lang), "bold white on red"))
    for side in ("right", "left", None):
        items = plan.for_side(side)
        if not items:
            continue
        parts.append(Rule(Text(label("side", side, lang), "bold"), align="left"))
        for track in TRACK_ORDER:
            in_track = [i for i in items if i.track == track]
            if not in_track:
                continue
            tree = Tree(Text(label("track", track, lang), "bold underline"), guide_style="dim")
            for item in in_track:
                tree.add(_item_tree(item, lang))
            parts.append(tree)
    if plan.considered:
        parts.append(Rule(Text(heading("considered", lang), "bold"), align="left"))
        parts.extend(Text(considered_line(c, lang), "dim") for c in plan.considered)
    return Group(*parts)  # type: ignore[arg-type]


def render(plan: Plan, lang: str = "en", console: Console | None = None) -> None:
    """Print the plan in colour on a console (standard output by default)."""
    (console or Console()).print(renderable(plan, lang))


def render_ansi(plan: Plan, lang: str = "en", width: int = 100) -> str:
    """The coloured plan as text with ANSI escape codes (what a terminal shows)."""
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=True, color_system="standard", width=width,
                      legacy_windows=False)
    console.print(renderable(plan, lang))
    return buffer.getvalue()
