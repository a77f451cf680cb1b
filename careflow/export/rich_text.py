"""A plan in colour for a terminal (rich): grouped by leg, then by track, each item with its
status in colour and its reasons indented below it.

`careflow plan FILE` uses this when standard output is a terminal; when it is a file or a pipe
it prints careflow/export/text.py's plain text instead.

    >>> from careflow.export.rich_text import render_ansi
    >>> print(render_ansi(plan, lang="ja"))
"""

from __future__ import annotations

import io

from rich.console import Console, Group
from rich.rule import Rule
from rich.text import Text
from rich.tree import Tree

from ..labels import label, lang_index, reason_label, value_label
from ..plan import Item, Plan
from ..vocabulary import OFFERED
from . import item_title, reason_text
from .text import considered_line

STATUS_STYLE = {
    "recommended": "bold green",
    "option": "bold cyan",
    "next_step": "bold blue",
    "deferred": "bold yellow",
    "not_recommended": "bold magenta",
    "contraindicated": "bold red",
}
URGENCY_STYLE = {"emergency": "bold white on red", "urgent": "bold red", "routine": "magenta"}
TRACK_ORDER = ("safety", "knee", "vein", "general")

_WORDS = {
    "plan": ("Plan for {id}, assessed on {date}", "{id} の治療計画（評価日 {date}）"),
    "review": ("Review after {weeks} weeks", "{weeks} 週後に再評価"),
    "protocol": ("Protocol", "プロトコル"),
    "rule": ("rule", "ルール"),
    "because": ("because", "根拠"),
    "tell": ("tell the patient", "患者への説明"),
    "precautions": ("precautions", "注意事項"),
    "questions": ("Questions not yet asked", "問診未完了"),
    "checked": ("checked", "確認した禁忌"),
    "unchecked": ("not checked (unknown)", "未確認の禁忌（値が不明）"),
    "considered": ("Considered, not offered (why not)", "検討したが提示しなかった治療（理由）"),
    "evidence": ("evidence", "エビデンス"),
    "also": ("also", "関連ルール"),
}


def _w(key: str, lang: str) -> str:
    return _WORDS[key][0 if lang == "en" else 1]


def _head(item: Item, lang: str) -> Text:
    colon = ": " if lang == "en" else "："
    text = Text()
    text.append(f"{label('status', item.status, lang).upper()}",
                STATUS_STYLE.get(item.status, "bold"))
    text.append("  ")
    text.append(label("action", item.action, lang), "bold")
    if item.action == "referral":
        text.append(f"{colon}{label('reason', item.reason_code, lang)} ")
        text.append(f"[{label('urgency', item.urgency, lang)}]",
                    URGENCY_STYLE.get(item.urgency or "", ""))
    else:
        if item.urgency and item.status in OFFERED:
            text.append(f" [{label('urgency', item.urgency, lang)}]",
                        URGENCY_STYLE.get(item.urgency, ""))
        if item.reason_code:
            text.append(f" — {label('reason', item.reason_code, lang)}",
                        {"deferred": "yellow", "contraindicated": "red"}.get(item.status, ""))
    if item.detail:
        text.append(f"  {value_label(item.detail, lang)}", "italic")
    if item.coverage == "self_pay":
        text.append(f"  [{label('coverage', 'self_pay', lang)}]", "magenta")
    return text


def _item_tree(item: Item, lang: str) -> Tree:
    node = Tree(_head(item, lang), guide_style="dim")
    colon = ": " if lang == "en" else "："
    node.add(Text(f"{_w('rule', lang)} {item.rule}{colon}{item_title(item, lang)}", "dim"))
    for line in reason_text(item, lang):
        node.add(Text(f"{_w('because', lang)}{colon}{line}"))
    for other in item.other_rules:
        status = f", {label('status', other.status, lang)}" if other.status else ""
        node.add(Text(f"{_w('also', lang)} {other.rule} ({other.effect}{status})", "dim"))
    sep = "; " if lang == "en" else "、"
    if item.checked:
        node.add(Text(f"{_w('checked', lang)}{colon}" + sep.join(dict.fromkeys(
            f"{reason_label(c.fact, lang)} = {value_label(c.value, lang)}"
            for c in item.checked)), "green"))
    if item.unchecked:
        node.add(Text(f"{_w('unchecked', lang)}{colon}" + sep.join(dict.fromkeys(
            reason_label(c.fact, lang) for c in item.unchecked)), "yellow"))
    if item.precautions:
        sep = "; " if lang == "en" else "、"
        node.add(Text(f"{_w('precautions', lang)}{colon}" + sep.join(
            label("precaution", p, lang) for p in item.precautions), "bold yellow"))
    if item.disclosures:
        sep = "; " if lang == "en" else "、"
        node.add(Text(f"{_w('tell', lang)}{colon}" + sep.join(
            label("disclosure", d, lang) for d in item.disclosures), "magenta"))
    for e in item.evidence:
        note = f" - {e.note}" if e.note else ""
        style = "dim" if e.verification == "V" else "dim yellow"
        node.add(Text(f"{_w('evidence', lang)} [{e.verification}] {e.source} ({e.grade}){note}",
                      style))
    return node


def renderable(plan: Plan, lang: str = "en") -> Group:
    """The plan as one rich renderable: a heading, then per leg a tree of tracks and items."""
    lang_index(lang)
    parts: list[object] = [
        Text(_w("plan", lang).format(id=plan.patient_id, date=plan.assessed_on), "bold"),
        Text(_w("review", lang).format(weeks=plan.review_after_weeks)),
        Text(f"{_w('protocol', lang)}: {plan.protocol.name} {plan.protocol.version} "
             f"({plan.protocol.digest[:19]})", "dim"),
    ]
    if plan.questions_open:
        sep = ", " if lang == "en" else "、"
        parts.append(Text(f"{_w('questions', lang)}: " + sep.join(
            label("question", q, lang) for q in plan.questions_open), "bold white on red"))
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
        parts.append(Rule(Text(_w("considered", lang), "bold"), align="left"))
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
