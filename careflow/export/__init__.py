"""Readers of a Plan: text for doctors (and, later, other formats).

`rule_title` and `item_title` give a rule's title in an output's language: the rule's
`title_ja` for Japanese when it has one, else its English `title`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .. import labels as _labels
from ..errors import RulebookError

if TYPE_CHECKING:
    from ..plan import Item, Plan
    from ..rulebook import Rulebook
    from ..rulebook.schema import Rule

__all__ = ["item_title", "mapping_lines", "reason_text", "rule_title", "source_suffix"]


def rule_title(rule: Rule, lang: str = "en") -> str:
    """A rule's title for `lang`: `title_ja` for "ja" when the rule has one, else `title`."""
    return rule.title_ja if lang == "ja" and rule.title_ja else rule.title


def item_title(item: Item, lang: str = "en", rulebook: Rulebook | None = None) -> str:
    """The title of the rule that decided a plan item, for `lang`.

    The plan carries the English title only; the Japanese one is looked up by the item's rule
    id in `rulebook` (default: the shipped rule set). If that rule set has no such rule, or
    its rule has another English title (the plan came from other rules), or no `title_ja`, the
    item's own (English) title is shown.
    """
    if lang != "ja":
        return item.title
    if rulebook is None:
        from ..rulebook import default_rulebook

        try:
            rulebook = default_rulebook()
        except RulebookError:
            return item.title
    compiled = rulebook.rules.get(item.rule)
    if compiled is None or (item.title and compiled.rule.title != item.title):
        return item.title
    return rule_title(compiled.rule, lang) or item.title


def reason_text(item: Item, lang: str = "en") -> list[str]:
    """The reasons of an item as readable lines, derived findings shown after an arrow."""
    lp, rp = (" (", ")") if lang == "en" else ("（", "）")
    lines = []
    for r in item.reasons:
        line = f"{_labels.reason_label(r.fact, lang)} = {_labels.value_label(r.value, lang)}"
        if r.via:
            line += lp + " ← ".join(_labels.reason_label(f, lang) for f in r.via) + rp
        lines.append(line + source_suffix(r.source, lang))
    return lines


def source_suffix(source: tuple[str, ...] | None, lang: str = "en") -> str:
    """` [from Observation/abi-right]`: the resources a fact came from, on plans made from a
    FHIR bundle (docs/fhir-in.md#report); empty otherwise."""
    if not source:
        return ""
    names = ", ".join(dict.fromkeys(s.split(" ", 1)[0] for s in source))
    return f" [from {names}]" if lang != "ja" else f"［出典：{names}］"


def mapping_lines(plan: Plan, lang: str = "en") -> list[str]:
    """What the FHIR bundle did not give, for the doctor: codes not recognised, resources set
    aside and facts left unknown (docs/fhir-in.md#report); nothing for other plans."""
    report = plan.mapping
    if report is None:
        return []
    heads = {"en": ("FHIR input", "not recognised", "not used", "unknown"),
             "ja": ("FHIR入力", "未対応のコード", "使用しなかった情報", "不明")}[
        "ja" if lang == "ja" else "en"]
    out = [f"== {heads[0]} =="]
    for head, notes in zip(heads[1:], (report.unrecognised, report.not_used, report.unknown),
                           strict=True):
        for n in notes:
            where = " ".join(x for x in (n.resource, n.element) if x)
            what = f" ({n.fact})" if n.fact else ""
            code = f" [{n.code}]" if n.code else ""
            out.append(f"- {head}: {where or n.fact}{what if where else ''}{code}: {n.reason}")
    return out if len(out) > 1 else []
