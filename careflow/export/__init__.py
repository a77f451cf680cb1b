"""Readers of a Plan: text for doctors (and, later, other formats).

`rule_title` and `item_title` give a rule's title in an output's language: the rule's
`title_ja` for Japanese when it has one, else its English `title`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .. import labels as _labels
from ..errors import RulebookError

if TYPE_CHECKING:
    from ..plan import Item
    from ..rulebook import Rulebook
    from ..rulebook.schema import Rule

__all__ = ["item_title", "reason_text", "rule_title"]


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
        lines.append(line)
    return lines
