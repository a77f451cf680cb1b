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
import re
import uuid
from typing import Any

from .. import vocabulary as v
from ..labels import label, lang_index, reason_label, value_label
from ..plan import Evidence, Item, Plan
from . import item_title, reason_text
from .text import considered_line

SUMMARY_MAX = 139  # the spec: "<140 characters"
INDICATORS = ("info", "warning", "critical")
_NAMESPACE = uuid.UUID("6f1c1c52-7a47-4d0e-9c55-0c1f0a9d3e21")  # careflow's card uuids

_WORDS = {
    "referral": ("Referral", "紹介"),
    "rule": ("Rule", "ルール"),
    "because": ("Because", "根拠"),
    "held_by": ("Reason", "理由"),
    "detail": ("Detail", "詳細"),
    "coverage": ("Coverage", "保険"),
    "tell": ("Tell the patient", "患者への説明事項"),
    "precautions": ("Precautions", "注意事項"),
    "checked": ("Contraindications checked and excluded", "確認して否定した禁忌"),
    "unchecked": ("Contraindications not checked (value unknown)", "未確認の禁忌（値が不明）"),
    "questions": ("Questions not yet asked", "問診未完了"),
    "considered": ("Considered, not offered (why not)", "検討したが提示しなかった治療（理由）"),
    "questions_detail": ("Ask and record these before the items they hold can go ahead:",
                         "次の項目を聴取して記録するまで、関係する治療は保留になります："),
    "evidence": ("Evidence", "エビデンス"),
    "also": ("Other rules on this item", "この項目に関わる他のルール"),
    "protocol": ("Protocol", "プロトコル"),
}


def _w(key: str, lang: str) -> str:
    return _WORDS[key][0 if lang == "en" else 1]


def _md(text: str) -> str:
    """Text made literal in Markdown (CommonMark backslash escapes)."""
    return re.sub(r"([\\`*_\[\]<>#|])", r"\\\1", text)


markdown_text = _md  # the same, for the CDS Hooks service's cards (careflow/service/hooks.py)


def indicator(item: Item) -> str:
    if item.action == "referral" and item.reason_code in v.RED_FLAGS:
        return "critical"
    if item.urgency in ("emergency", "urgent") and item.status in v.OFFERED:
        return "critical"
    if item.status == "contraindicated":
        return "warning"
    return "info"


def summary(item: Item, lang: str = "en") -> str:
    colon, lp, rp = (": ", " (", ")") if lang == "en" else ("：", "（", "）")
    side = label("side", item.side, lang)
    if item.action == "referral":
        text = (f"{_w('referral', lang)}{lp}{label('urgency', item.urgency, lang)}{rp}{colon}"
                f"{label('reason', item.reason_code, lang)}{lp}{side}{rp}")
    else:
        status = label("status", item.status, lang)
        if lang == "en":
            status = status[:1].upper() + status[1:]
        text = f"{status}{colon}{label('action', item.action, lang)}{lp}{side}{rp}"
        if item.urgency and item.status in v.OFFERED:
            text += f"{lp}{label('urgency', item.urgency, lang)}{rp}"
        if item.reason_code:
            text += (" - " if lang == "en" else "　") + label("reason", item.reason_code, lang)
    return text if len(text) <= SUMMARY_MAX else text[:SUMMARY_MAX - 1] + "…"


def _source(item: Item, plan: Plan) -> dict[str, str]:
    ranked = sorted(item.evidence, key=lambda e: ("VSU".find(e.verification) + 3 * (not e.url)))
    if not ranked:
        return {"label": f"{plan.protocol.name} {plan.protocol.version}"}
    best: Evidence = ranked[0]
    out = {"label": best.source}
    if best.url:
        out["url"] = best.url
    return out


def detail(item: Item, plan: Plan, lang: str = "en") -> str:
    """The card's Markdown: rule, reasons, detail, disclosures, evidence."""
    colon = ": " if lang == "en" else "："
    out = [f"**{_w('rule', lang)}** `{item.rule}`{colon}{_md(item_title(item, lang))}", ""]
    if item.reason_code and item.action != "referral":
        out += [f"**{_w('held_by', lang)}**{colon}{_md(label('reason', item.reason_code, lang))}",
                ""]
    out.append(f"**{_w('because', lang)}**")
    out += [f"- {_md(line)}" for line in reason_text(item, lang)]
    out.append("")
    if item.detail:
        out += [f"**{_w('detail', lang)}**{colon}{_md(value_label(item.detail, lang))}", ""]
    if item.coverage:
        out += [f"**{_w('coverage', lang)}**{colon}{label('coverage', item.coverage, lang)}", ""]
    if item.checked:
        out.append(f"**{_w('checked', lang)}**")
        out += [f"- {_md(line)}" for line in dict.fromkeys(
            f"{reason_label(c.fact, lang)} = {value_label(c.value, lang)}"
            for c in item.checked)]
        out.append("")
    if item.unchecked:
        out.append(f"**{_w('unchecked', lang)}**")
        out += [f"- {_md(line)}" for line in dict.fromkeys(
            reason_label(c.fact, lang) for c in item.unchecked)]
        out.append("")
    if item.precautions:
        out.append(f"**{_w('precautions', lang)}**")
        out += [f"- {_md(label('precaution', d, lang))}" for d in item.precautions]
        out.append("")
    if item.disclosures:
        out.append(f"**{_w('tell', lang)}**")
        out += [f"- {_md(label('disclosure', d, lang))}" for d in item.disclosures]
        out.append("")
    if item.other_rules:
        out.append(f"**{_w('also', lang)}**")
        for other in item.other_rules:
            status = f", {label('status', other.status, lang)}" if other.status else ""
            out.append(f"- `{other.rule}` ({other.effect}{status})")
        out.append("")
    if item.evidence:
        out.append(f"**{_w('evidence', lang)}**")
        for e in item.evidence:
            ver = label("verification", e.verification, lang)
            name = f"[{_md(e.source)}]({e.url})" if e.url else _md(e.source)
            note = f" - {_md(e.note)}" if e.note else ""
            out.append(f"- {name} ({_md(e.grade)}; [{e.verification}] {ver}){note}")
        out.append("")
    p = plan.protocol
    out.append(f"_{_w('protocol', lang)}{colon}{_md(p.name)} {_md(p.version)} "
               f"({p.digest[:19]})_")
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
    names = ("、" if lang == "ja" else ", ").join(
        label("question", q, lang) for q in plan.questions_open)
    colon = ": " if lang == "en" else "："
    key = f"{plan.protocol.digest}|{plan.patient_id}|{plan.assessed_on}|questions_open"
    text = f"{_w('questions', lang)}{colon}{names}"
    return {
        "uuid": str(uuid.uuid5(_NAMESPACE, key)),
        "summary": text if len(text) <= SUMMARY_MAX else text[:SUMMARY_MAX - 1] + "…",
        "indicator": "warning",
        "detail": _md(_w("questions_detail", lang)) + "\n\n" + "\n".join(
            f"- {_md(label('question', q, lang))}" for q in plan.questions_open),
        "source": {"label": f"{plan.protocol.name} {plan.protocol.version}"},
    }


def considered_card(plan: Plan, lang: str = "en") -> dict[str, Any]:
    """One `info` card listing the treatments considered and not offered, with why not."""
    key = f"{plan.protocol.digest}|{plan.patient_id}|{plan.assessed_on}|considered"
    return {
        "uuid": str(uuid.uuid5(_NAMESPACE, key)),
        "summary": _w("considered", lang),
        "indicator": "info",
        "detail": "\n".join(f"- {_md(considered_line(c, lang))}" for c in plan.considered),
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
