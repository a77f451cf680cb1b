"""A plan as plain text a doctor reads: grouped by leg, each item with its reasons.

Every word and sentence comes from careflow/export/words.py."""

from __future__ import annotations

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
    mapping_lines,
    other_rule,
    protocol_line,
    questions_line,
    reason_line,
    rule_line,
    say,
    status_word,
    unchecked_line,
    what,
)

__all__ = ["considered_line", "item_lines", "reason_line", "render"]


def item_lines(item: Item, lang: str = "en") -> list[str]:
    head = f"[{status_word(item, lang).upper()}] {what(item, lang, side=False)}"
    if item.detail:
        head += " {" + detail_text(item, lang) + "}"
    if item.coverage == "self_pay":
        head += " " + coverage_tag(item.coverage, lang)
    c = colon(lang)
    lines = [head, f"    {rule_line(item, lang)}"]
    lines += [f"    - {reason_line(r, lang)}" for r in item.reasons]
    lines += [f"    {say('also', lang)} {other_rule(o.rule, o.effect, o.status, lang)}"
              for o in item.other_rules]
    if item.precautions:
        lines.append(f"    {say('precautions', lang)}{c}"
                     + items((label("precaution", p, lang) for p in item.precautions), lang))
    if checked_line(item, lang):
        lines.append(f"    {say('checked', lang)}{c}{checked_line(item, lang)}")
    if item.unchecked:
        lines.append(f"    {say('unchecked', lang)}{c}{unchecked_line(item, lang)}")
    if item.disclosures:
        lines.append(f"    {say('tell', lang)}{c}"
                     + items((label("disclosure", d, lang) for d in item.disclosures), lang))
    for e in item.evidence:
        lines.append(f"    {say('evidence', lang)} {evidence_line(e, lang)}")
    return lines


def render(plan: Plan, lang: str = "en") -> str:
    """The plan as plain text for a doctor, in English or Japanese."""
    lang_index(lang)
    out = [say("plan_heading", lang, id=plan.patient_id, date=plan.assessed_on),
           say("review", lang, weeks=plan.review_after_weeks),
           protocol_line(plan, lang),
           ""]
    if plan.questions_open:
        out[3:3] = [f"!! {questions_line(plan, lang)}", ""]
    for side in ("right", "left", None):
        side_items = plan.for_side(side)
        if not side_items:
            continue
        out.append(f"== {label('side', side, lang)} ==")
        for item in side_items:
            out.extend(item_lines(item, lang))
        out.append("")
    if plan.considered:
        out.append(f"== {heading('considered', lang)} ==")
        out.extend(considered_line(c, lang) for c in plan.considered)
        out.append("")
    out.extend(mapping_lines(plan, lang))
    return "\n".join(out).rstrip() + "\n"
