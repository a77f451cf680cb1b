"""The doctor's plan on one A4 page: a self-contained HTML document (and, through headless
Chromium, a PDF) made from the same justified plan, Japanese first.

    >>> from careflow.export.page import to_html
    >>> html = to_html(plan, lang="ja")

The page reads top to bottom as a doctor uses it: a banner for anything urgent and for the
questions not yet asked; the right and left leg side by side, then the whole-patient items;
per item its status word, the decision in one sentence with the facts it rests on, the detail,
the precautions and the exclusions checked on one line; then why not (the treatments
considered and not offered), the next steps and the review date; a signature box; the protocol
and careflow version in the footer. No raw codes: every code is shown by its label.
"""

from __future__ import annotations

import datetime as dt
from html import escape

from .. import vocabulary as v
from .._version import __version__
from ..labels import label, lang_index, reason_label, value_label
from ..plan import Check, Item, Plan
from . import item_title
from .text import considered_line

FONTS = ('"Noto Sans CJK JP", "Noto Sans JP", "Hiragino Sans", "Hiragino Kaku Gothic ProN", '
         '"Yu Gothic", "Meiryo", "IPAexGothic", sans-serif')
"""The Japanese font stack: Debian's fonts-noto-cjk first, then what a clinic's Mac or
Windows has."""

_W = {
    "title": ("Treatment plan", "治療計画"),
    "patient": ("Patient", "患者ID"),
    "assessed": ("Assessed on", "評価日"),
    "review": ("Review on", "再評価日"),
    "weeks": ("after {n} weeks", "{n}週後"),
    "urgent": ("Time-critical", "緊急・至急の対応"),
    "questions": ("Questions not yet asked (the items they hold wait)",
                  "問診未完了（関係する治療は保留）"),
    "because": ("Because", "根拠"),
    "precautions": ("Plan for", "注意"),
    "checked": ("Excluded", "除外確認"),
    "unchecked": ("Not checked (unknown)", "未確認"),
    "why_not": ("Considered, not offered", "検討したが提示しなかった治療"),
    "next": ("Next steps if there is no improvement", "改善がなければ次の段階"),
    "none": ("none", "なし"),
    "doctor": ("Doctor", "医師署名"),
    "date": ("Date", "日付"),
    "made_by": ("Made by careflow {careflow} from {name} {version} ({digest}). Decision "
                "support for the doctor who examines the patient, not a decision.",
                "careflow {careflow}、{name} {version}（{digest}）により作成。診察する医師の判断を"
                "支援するもので、判断そのものではありません。"),
}

_CSS = """
@page { size: A4; margin: 10mm 10mm 9mm 10mm; }
* { box-sizing: border-box; }
body { font-family: %(fonts)s; font-size: 8.6pt; line-height: 1.3; color: #111; margin: 0; }
h1 { font-size: 14pt; margin: 0 0 2mm 0; }
.meta { display: flex; gap: 6mm; font-size: 9pt; margin-bottom: 2mm; }
.banner { border: 1.5pt solid #b00; background: #fff2f2; padding: 1.5mm 2.5mm; margin: 1.5mm 0;
          font-weight: bold; }
.banner.questions { border-color: #a60; background: #fff8e8; }
.banner ul { margin: 0.5mm 0 0 0; padding-left: 5mm; font-weight: normal; }
.legs { display: grid; grid-template-columns: 1fr 1fr; gap: 4mm; }
section h2 { font-size: 10.5pt; margin: 2mm 0 1mm 0; border-bottom: 1pt solid #333; }
.item { break-inside: avoid; margin: 0 0 1.1mm 0; }
.head { font-weight: bold; }
.status { display: inline-block; min-width: 11mm; padding: 0 1mm; margin-right: 1mm;
          border: 0.8pt solid #333; border-radius: 1mm; text-align: center; font-size: 8.2pt; }
.recommended { background: #e4f5e4; } .option { background: #e6f0fb; }
.next_step { background: #eef; } .deferred { background: #fff4d6; }
.not_recommended { background: #f3e8f3; } .contraindicated { background: #fbe0e0; }
.line { margin-left: 13mm; font-size: 7.9pt; }
.line .k { color: #444; }
.whole { margin-top: 1mm; }
.whole .items { columns: 2; column-gap: 4mm; }
.foot { display: grid; grid-template-columns: 1fr 62mm; gap: 4mm; margin-top: 2mm; }
.sign { border: 1pt solid #333; padding: 2mm; height: 20mm; font-size: 8.5pt; }
.sign div { margin-bottom: 5mm; }
footer { margin-top: 2mm; font-size: 7.4pt; color: #444; }
ul.small { margin: 0; padding-left: 5mm; font-size: 8.4pt; }
""" % {"fonts": FONTS}


def _t(key: str, lang: str) -> str:
    return _W[key][lang_index(lang)]


def _fact(fact: str, side: str | None, lang: str) -> str:
    """A reason's label without its leg (the column already says which leg)."""
    text = reason_label(fact, lang)
    for prefix in (f"{label('side', side, lang)}：", f"{label('side', side, lang)}: "):
        if side and text.startswith(prefix):
            return text[len(prefix):]
    return text


def _said(fact: str, value: object, side: str | None, lang: str) -> str:
    """「ABI 1.05」, 「造影剤アレルギーなし」: a fact and its value as a doctor writes it."""
    name = _fact(fact, side, lang)
    if isinstance(value, bool):
        if lang == "ja":
            return f"{name}{'あり' if value else 'なし'}"
        return name if value else f"no {name}"
    return f"{name} {value_label(value, lang)}"


def _checked_line(checks: tuple[Check, ...], side: str | None, lang: str) -> str:
    """The values that excluded the contraindications, each once (a value that is unknown
    excluded nothing by itself: the one beside it did, as with a toe pressure not measured
    beside a reliable ABI)."""
    sep = "、" if lang == "ja" else ", "
    return sep.join(dict.fromkeys(_said(c.fact, c.value, side, lang)
                                  for c in checks if c.value is not None))


def _item(item: Item, lang: str) -> str:
    sep = "、" if lang == "ja" else ", "
    colon = "：" if lang == "ja" else ": "
    head = (f'<span class="status {item.status}">{escape(label("status", item.status, lang))}'
            f'</span>{escape(label("action", item.action, lang))}')
    if item.urgency and item.status in v.OFFERED:
        head += f"（{escape(label('urgency', item.urgency, lang))}）" if lang == "ja" else \
            f" ({escape(label('urgency', item.urgency, lang))})"
    if item.coverage == "self_pay":
        head += f' <span class="k">[{escape(label("coverage", "self_pay", lang))}]</span>'
    lines = [f'<div class="head">{head}</div>']
    facts = [r for r in item.reasons if r.kind == "input"][:3]
    because = sep.join(dict.fromkeys(_said(r.fact, r.value, item.side, lang) for r in facts))
    sentence = escape(item_title(item, lang))
    if item.reason_code and item.status not in v.OFFERED:
        sentence = f"{escape(label('reason', item.reason_code, lang))}{colon}{sentence}"
    lines.append(f'<div class="line">{sentence}'
                 + (f'<span class="k">（{escape(because)}）</span>' if because and lang == "ja"
                    else f'<span class="k"> ({escape(because)})</span>' if because else "")
                 + "</div>")
    if item.detail:
        lines.append(f'<div class="line">{escape(value_label(item.detail, lang))}</div>')
    if item.precautions:
        plan_for = sep.join(label("precaution", p, lang) for p in item.precautions)
        lines.append(f'<div class="line"><span class="k">{_t("precautions", lang)}{colon}'
                     f"</span>{escape(plan_for)}</div>")
    if item.checked:
        lines.append(f'<div class="line"><span class="k">{_t("checked", lang)}{colon}</span>'
                     f"{escape(_checked_line(item.checked, item.side, lang))}</div>")
    if item.unchecked:
        names = sep.join(dict.fromkeys(_fact(c.fact, item.side, lang) for c in item.unchecked))
        lines.append(f'<div class="line"><span class="k">{_t("unchecked", lang)}{colon}</span>'
                     f"{escape(names)}</div>")
    return f'<div class="item" data-action="{item.action}" data-status="{item.status}">' \
        + "".join(lines) + "</div>"


def _section(title: str, items: tuple[Item, ...], lang: str, klass: str = "") -> str:
    body = "".join(_item(i, lang) for i in items) or \
        f'<div class="line">{_t("none", lang)}</div>'
    inner = f'<div class="items">{body}</div>' if klass else body
    return f'<section class="{klass}"><h2>{escape(title)}</h2>{inner}</section>'


def _urgent(plan: Plan, lang: str) -> list[str]:
    out = []
    for item in plan.items:
        flagged = item.action == "referral" and item.reason_code in v.RED_FLAGS
        if flagged or (item.urgency in ("emergency", "urgent") and item.status in v.OFFERED):
            what = f"{label('action', item.action, lang)}（{label('side', item.side, lang)}）" \
                if lang == "ja" else f"{label('action', item.action, lang)} " \
                                     f"({label('side', item.side, lang)})"
            why = f" - {label('reason', item.reason_code, lang)}" if item.reason_code else ""
            out.append(f"{label('urgency', item.urgency, lang)}：{what}{why}" if lang == "ja"
                       else f"{label('urgency', item.urgency, lang)}: {what}{why}")
    return out


def to_html(plan: Plan, lang: str = "ja") -> str:
    """The doctor's one-page plan as a self-contained HTML document (A4, print-ready)."""
    lang_index(lang)
    review = plan.assessed_on + dt.timedelta(weeks=plan.review_after_weeks)
    parts = [f"<h1>{_t('title', lang)}</h1>",
             '<div class="meta">'
             f"<span>{_t('patient', lang)}: {escape(plan.patient_id)}</span>"
             f"<span>{_t('assessed', lang)}: {plan.assessed_on.isoformat()}</span>"
             f"<span>{_t('review', lang)}: {review.isoformat()}"
             f"（{_t('weeks', lang).format(n=plan.review_after_weeks)}）</span></div>"]
    urgent = _urgent(plan, lang)
    if urgent:
        parts.append(f'<div class="banner urgent">{_t("urgent", lang)}<ul>'
                     + "".join(f"<li>{escape(u)}</li>" for u in urgent) + "</ul></div>")
    if plan.questions_open:
        sep = "、" if lang == "ja" else ", "
        parts.append(f'<div class="banner questions">{_t("questions", lang)}：'
                     + escape(sep.join(label("question", q, lang)
                                       for q in plan.questions_open)) + "</div>")
    sides = [s for s in ("right", "left") if plan.for_side(s)]
    parts.append('<div class="legs">' + "".join(
        _section(label("side", s, lang), plan.for_side(s), lang) for s in sides) + "</div>")
    whole = plan.for_side(None)
    if whole:
        parts.append(_section(label("side", None, lang), whole, lang, "whole"))
    lists = []
    if plan.considered:
        lists.append(f"<section><h2>{_t('why_not', lang)}</h2><ul class=\"small\">"
                     + "".join(f"<li>{escape(considered_line(c, lang))}</li>"
                               for c in plan.considered) + "</ul></section>")
    steps = [i for i in plan.items if i.status == "next_step"]
    if steps:
        lists.append(f"<section><h2>{_t('next', lang)}</h2><ul class=\"small\">" + "".join(
            f"<li>{escape(label('action', i.action, lang))}"
            f"（{escape(label('side', i.side, lang))}）</li>" for i in steps) + "</ul></section>")
    sign = (f'<div class="sign"><div>{_t("doctor", lang)}：</div>'
            f'<div>{_t("date", lang)}：</div></div>')
    parts.append(f'<div class="foot"><div>{"".join(lists)}</div>{sign}</div>')
    p = plan.protocol
    parts.append("<footer>" + escape(_t("made_by", lang).format(
        careflow=p.careflow or __version__, name=p.name, version=p.version,
        digest=p.digest[:19])) + "</footer>")
    title = f"{_t('title', lang)} {plan.patient_id}"
    return ("<!DOCTYPE html>\n"
            f'<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
            f"<title>{escape(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
            + "\n".join(parts) + "\n</body>\n</html>\n")
