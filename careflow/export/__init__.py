"""Readers of a Plan: text for doctors, the terminal, CDS Hooks cards, FHIR, the one-page plan,
the patient's explanation, the consent form and the protocol book.

Their words and the sentences that say an item live in careflow/export/words.py;
`rule_title` and `item_title` (a rule's title in an output's language) and `reason_text`
are re-exported from there.
"""

from __future__ import annotations

from .words import item_title, reason_text, rule_title

__all__ = ["item_title", "reason_text", "rule_title"]
