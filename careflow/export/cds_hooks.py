"""A plan as a CDS Hooks service response (https://cds-hooks.hl7.org/2.0/#cds-service-response):
`{"cards": [...]}`, one card per plan item, in the plan's order.

- `summary`: status, action and side in words, under 140 characters (cut with an ellipsis if
  ever longer);
- `indicator`: `critical` for a referral for a red flag and for any urgent or emergency item
  that is recommended (docs/protocol.md#safety), `warning` for a contraindicated item, `info`
  otherwise;
- a plan with questions not asked (docs/patient.md#asked) starts with one `warning` card that
  names them (問診未完了), not a wall of holds; one `info` card at the end lists the
  treatments considered and not offered, with why not;
- `source`: the item's first evidence (a verified one with a link preferred): `label` and
  `url`; an item without evidence names the protocol;
- `detail`: Markdown with the rule, the reasons, the detail, what the patient must be told
  and every evidence with its grade and verification;
- `links`: every evidence link (`type: absolute`);
- `uuid`: derived from the protocol digest, the patient, the day, the action and the side, so
  the same plan gives the same cards.

    >>> from careflow.export.cds_hooks import to_cards
    >>> response = to_cards(plan, lang="ja")     # {"cards": [...]}
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from .. import vocabulary as v
from ..labels import label, lang_index
from ..plan import Evidence, Item, Plan
from .words import (
    checked_facts,
    colon,
    considered_line,
    detail_text,
    evidence_words,
    heading,
    item_statement,
    item_title,
    md,
    other_rule,
    questions_line,
    reason_text,
    say,
    unchecked_facts,
)

SUMMARY_MAX = 139  # the spec: "<140 characters"
INDICATORS = ("info", "warning", "critical")
_NAMESPACE = uuid.UUID("6f1c1c52-7a47-4d0e-9c55-0c1f0a9d3e21")  # careflow's card uuids


def _cut(text: str) -> str:
    return text if len(text) <= SUMMARY_MAX else text[:SUMMARY_MAX - 1] + "…"


markdown_text = md  # the cards' Markdown escaping, for the service (careflow/service/hooks.py)


def indicator(item: Item) -> str:
    if item.action == "referral" and item.reason_code in v.RED_FLAGS:
        return "critical"
    if item.urgency in ("emergency", "urgent") and item.status in v.OFFERED:
        return "critical"
    if item.status == "contraindicated":
        return "warning"
    return "info"


def summary(item: Item, lang: str = "en") -> str:
    """The item's statement (careflow/export/words.py), cut below 140 characters."""
    return _cut(item_statement(item, lang))


def _source(item: Item, plan: Plan) -> dict[str, str]:
    ranked = sorted(item.evidence, key=lambda e: ("VSU".find(e.verification) + 3 * (not e.url)))
    if not ranked:
        return {"label": f"{plan.protocol.name} {plan.protocol.version}"}
    best: Evidence = ranked[0]
    out = {"label": best.source}
    if best.url:
        out["url"] = best.url
    return out


def _section(key: str, lines: list[str], lang: str) -> list[str]:
    return [f"**{heading(key, lang)}**", *(f"- {line}" for line in lines), ""]


def detail(item: Item, plan: Plan, lang: str = "en") -> str:
    """The card's Markdown: rule, reasons, detail, disclosures, evidence."""
    c = colon(lang)
    out = [f"**{heading('rule', lang)}** `{item.rule}`{c}{md(item_title(item, lang))}", ""]
    if item.reason_code and item.action != "referral":
        out += [f"**{heading('held_by', lang)}**{c}{md(label('reason', item.reason_code, lang))}",
                ""]
    out += _section("because", [md(line) for line in reason_text(item, lang)], lang)
    if item.detail:
        out += [f"**{heading('detail', lang)}**{c}{md(detail_text(item, lang))}", ""]
    if item.coverage:
        out += [f"**{heading('coverage', lang)}**{c}{label('coverage', item.coverage, lang)}",
                ""]
    if checked_facts(item, lang):
        out += _section("checked_long", [md(f) for f in checked_facts(item, lang)], lang)
    if item.unchecked:
        out += _section("unchecked_long", [md(f) for f in unchecked_facts(item, lang)], lang)
    if item.precautions:
        out += _section("precautions", [md(label("precaution", d, lang))
                                        for d in item.precautions], lang)
    if item.disclosures:
        out += _section("tell", [md(label("disclosure", d, lang)) for d in item.disclosures],
                        lang)
    if item.other_rules:
        out += _section("also_long", [f"`{o.rule}`" + other_rule("", o.effect, o.status, lang)
                                      for o in item.other_rules], lang)
    if item.evidence:
        lines = []
        for e in item.evidence:
            ver = label("verification", e.verification, lang)
            words, detail = evidence_words(e, lang)
            name = f"[{md(words)}]({e.url})" if e.url else md(words)
            grade = f"{md(e.grade)}; " if detail else ""
            note = f" - {md(e.note)}" if e.note and detail else ""
            lines.append(f"{name} ({grade}[{e.verification}] {ver}){note}")
        out += _section("evidence", lines, lang)
    p = plan.protocol
    out.append(f"_{heading('protocol', lang)}{c}{md(p.name)} {md(p.version)} "
               f"({p.digest[:19]}), careflow {md(p.careflow)}_")
    return "\n".join(out)


def card(item: Item, plan: Plan, lang: str = "en") -> dict[str, Any]:
    key = f"{plan.protocol.digest}|{plan.patient_id}|{plan.assessed_on}|{item.action}|{item.side}"
    out: dict[str, Any] = {
        "uuid": str(uuid.uuid5(_NAMESPACE, key)),
        "summary": summary(item, lang),
        "indicator": indicator(item),
        "detail": detail(item, plan, lang),
        "source": _source(item, plan),
    }
    links = [{"label": e.source[:80], "url": e.url, "type": "absolute"}
             for e in item.evidence if e.url]
    if links:
        out["links"] = links
    return out


def questions_card(plan: Plan, lang: str = "en") -> dict[str, Any]:
    """One card for every question not asked (the 問診未完了 banner)."""
    key = f"{plan.protocol.digest}|{plan.patient_id}|{plan.assessed_on}|questions_open"
    return {
        "uuid": str(uuid.uuid5(_NAMESPACE, key)),
        "summary": _cut(questions_line(plan, lang)),
        "indicator": "warning",
        "detail": md(say("questions_detail", lang)) + "\n\n" + "\n".join(
            f"- {md(label('question', q, lang))}" for q in plan.questions_open),
        "source": {"label": f"{plan.protocol.name} {plan.protocol.version}"},
    }


def considered_card(plan: Plan, lang: str = "en") -> dict[str, Any]:
    """One `info` card listing the treatments considered and not offered, with why not."""
    key = f"{plan.protocol.digest}|{plan.patient_id}|{plan.assessed_on}|considered"
    return {
        "uuid": str(uuid.uuid5(_NAMESPACE, key)),
        "summary": heading("considered", lang),
        "indicator": "info",
        "detail": "\n".join(f"- {md(considered_line(c, lang))}" for c in plan.considered),
        "source": {"label": f"{plan.protocol.name} {plan.protocol.version}"},
    }


def to_cards(plan: Plan, lang: str = "en") -> dict[str, Any]:
    """The CDS Hooks response for a plan: `{"cards": [...]}`, one card per item, after one
    card for the questions not asked, if any, and before one for why not, if any."""
    lang_index(lang)
    first = [questions_card(plan, lang)] if plan.questions_open else []
    last = [considered_card(plan, lang)] if plan.considered else []
    return {"cards": first + [card(item, plan, lang) for item in plan.items] + last}


def to_cards_json(plan: Plan, lang: str = "en") -> str:
    return json.dumps(to_cards(plan, lang), indent=2, ensure_ascii=False) + "\n"
