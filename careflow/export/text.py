"""A plan as plain text a doctor reads: grouped by leg, each item with its reasons."""

from __future__ import annotations

from ..labels import label, lang_index, reason_label, value_label
from ..plan import Considered, Item, Plan, Reason
from ..vocabulary import OFFERED
from . import item_title, mapping_lines, source_suffix

_WORDS = {"en": ("rule", "also", "tell the patient", "evidence", "precautions", "checked",
                 "not checked (unknown)"),
          "ja": ("ルール", "関連ルール", "患者への説明事項", "根拠", "注意事項", "確認した禁忌",
                 "未確認の禁忌（値が不明）")}
_HEAD = {"en": ("Plan for", "assessed on", "Review after", "weeks", "Protocol",
                "Questions not yet asked", "Considered, not offered (why not)", "needs",
                "unknown"),
         "ja": ("治療計画", "評価日", "再評価", "週後", "プロトコル", "問診未完了",
                "検討したが提示しなかった治療（理由）", "必要条件", "不明")}


def reason_line(reason: Reason, lang: str) -> str:
    """`right leg: CEAP clinical class = 2 (via venous disease)`, in the plan's language."""
    via = ""
    if reason.via:
        via = " (" + " <- ".join(reason_label(f, lang) for f in reason.via) + ")"
    return (f"{reason_label(reason.fact, lang)} = {value_label(reason.value, lang)}{via}"
            + source_suffix(reason.source, lang))


def item_lines(item: Item, lang: str = "en") -> list[str]:
    status = label("status", item.status, lang).upper()
    head = f"[{status}] {label('action', item.action, lang)}"
    if item.action == "referral":
        reason = label("reason", item.reason_code, lang)
        head += f": {reason} ({label('urgency', item.urgency, lang)})"
    else:
        if item.urgency and item.status in OFFERED:
            head += f" ({label('urgency', item.urgency, lang)})"
        if item.reason_code:
            head += f" - {label('reason', item.reason_code, lang)}"
    if item.detail:
        head += " {" + ", ".join(f"{k}: {v}" for k, v in item.detail.items()) + "}"
    if item.coverage == "self_pay":
        head += f" [{label('coverage', 'self_pay', lang)}]"
    w = _WORDS[lang]
    lines = [head, f"    {w[0]} {item.rule}: {item_title(item, lang)}"]
    lines += [f"    - {reason_line(r, lang)}" for r in item.reasons]
    for other in item.other_rules:
        lines.append(f"    {w[1]} {other.rule} ({other.effect}"
                     f"{', ' + label('status', other.status, lang) if other.status else ''})")
    if item.precautions:
        lines.append(f"    {w[4]}: " + "; ".join(
            label("precaution", p, lang) for p in item.precautions))
    if item.checked:
        lines.append(f"    {w[5]}: " + "; ".join(dict.fromkeys(
            f"{reason_label(c.fact, lang)} = {value_label(c.value, lang)}"
            for c in item.checked)))
    if item.unchecked:
        lines.append(f"    {w[6]}: " + "; ".join(dict.fromkeys(
            reason_label(c.fact, lang) for c in item.unchecked)))
    if item.disclosures:
        lines.append(f"    {w[2]}: " + "; ".join(
            label("disclosure", d, lang) for d in item.disclosures))
    for e in item.evidence:
        note = f" - {e.note}" if e.note else ""
        lines.append(f"    {w[3]} [{e.verification}] {e.source} ({e.grade}){note}")
    return lines


def render(plan: Plan, lang: str = "en") -> str:
    """The plan as plain text for a doctor, in English or Japanese."""
    lang_index(lang)
    h = _HEAD[lang]
    out = [f"{h[0]} {plan.patient_id}, {h[1]} {plan.assessed_on}",
           f"{h[2]}: {plan.review_after_weeks} {h[3]}",
           f"{h[4]}: {plan.protocol.name} {plan.protocol.version} ({plan.protocol.digest[:19]})",
           ""]
    if plan.questions_open:
        sep = "、" if lang == "ja" else ", "
        out[3:3] = [f"!! {h[5]}: " + sep.join(label("question", q, lang)
                                               for q in plan.questions_open), ""]
    for side in ("right", "left", None):
        items = plan.for_side(side)
        if not items:
            continue
        out.append(f"== {label('side', side, lang)} ==")
        for item in items:
            out.extend(item_lines(item, lang))
        out.append("")
    if plan.considered:
        out.append(f"== {h[6]} ==")
        out.extend(considered_line(c, lang) for c in plan.considered)
        out.append("")
    out.extend(mapping_lines(plan, lang))
    return "\n".join(out).rstrip() + "\n"


def considered_line(c: Considered, lang: str) -> str:
    """`right leg: endovenous thermal ablation - great saphenous reflux (ms) = 400 (needs >
    500)`: a treatment not offered and the facts that stopped it."""
    h = _HEAD[lang]
    parts = [f"{reason_label(u.fact, lang)} = {value_label(u.value, lang)} ({h[7]} {u.needs})"
             for u in c.unmet]
    parts += [f"{reason_label(f, lang)} = {h[8]}" for f in c.unknown]
    sep = "; " if lang == "en" else "、"
    return (f"{label('side', c.side, lang)}: {label('action', c.action, lang)} - "
            + sep.join(parts))
