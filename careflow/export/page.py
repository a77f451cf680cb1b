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

from .. import vocabulary as v
from .._version import __version__
from ..labels import label, lang_index
from ..plan import Item, Plan
from .words import (
    checked_line,
    colon,
    considered_line,
    coverage_tag,
    detail_text,
    heading,
    html,
    item_statement,
    item_title,
    item_with_side,
    items,
    names_sep,
    paren,
    questions_line,
    said,
    say,
    status_word,
    unchecked_line,
    what,
)

FONTS = ('"Noto Sans CJK JP", "Noto Sans JP", "Hiragino Sans", "Hiragino Kaku Gothic ProN", '
         '"Yu Gothic", "Meiryo", "IPAexGothic", sans-serif')
"""The Japanese font stack: Debian's fonts-noto-cjk first, then what a clinic's Mac or
Windows has."""

_CSS = f"""
@page {{ size: A4; margin: 8mm 9mm 7mm 9mm; }}
* {{ box-sizing: border-box; }}
body {{ font-family: {FONTS}; font-size: 8.2pt; line-height: 1.26; color: #111; margin: 0; }}
h1 {{ font-size: 14pt; margin: 0 0 2mm 0; }}
.meta {{ display: flex; gap: 6mm; font-size: 9pt; margin-bottom: 2mm; }}
.banner {{ border: 1.5pt solid #b00; background: #fff2f2; padding: 1.5mm 2.5mm; margin: 1.5mm 0;
          font-weight: bold; }}
.banner.questions {{ border-color: #a60; background: #fff8e8; }}
.banner ul {{ margin: 0.5mm 0 0 0; padding-left: 5mm; font-weight: normal; }}
.legs {{ display: grid; grid-template-columns: 1fr 1fr; gap: 4mm; }}
section h2 {{ font-size: 10.5pt; margin: 2mm 0 1mm 0; border-bottom: 1pt solid #333; }}
.item {{ break-inside: avoid; margin: 0 0 1.1mm 0; }}
.head {{ font-weight: bold; }} .head .k {{ font-weight: normal; }}
.status {{ display: inline-block; min-width: 11mm; padding: 0 1mm; margin-right: 1mm;
          border: 0.8pt solid #333; border-radius: 1mm; text-align: center; font-size: 8.2pt; }}
.recommended {{ background: #e4f5e4; }} .option {{ background: #e6f0fb; }}
.next_step {{ background: #eef; }} .deferred {{ background: #fff4d6; }}
.not_recommended {{ background: #f3e8f3; }} .contraindicated {{ background: #fbe0e0; }}
.line {{ margin-left: 13mm; font-size: 7.5pt; }}
.line .k {{ color: #444; }}
.whole {{ margin-top: 1mm; }}
.whole .items {{ columns: 2; column-gap: 4mm; }}
.foot {{ display: grid; grid-template-columns: 1fr 62mm; gap: 4mm; margin-top: 2mm; }}
.sign {{ border: 1pt solid #333; padding: 2mm; height: 20mm; font-size: 8.5pt; }}
.sign div {{ margin-bottom: 5mm; }}
footer {{ margin-top: 2mm; font-size: 7.4pt; color: #444; }}
ul.small {{ margin: 0; padding-left: 5mm; font-size: 8.4pt; }}
"""


def _t(key: str, lang: str) -> str:
    return say(f"page.{key}", lang)


def _line(key: str, text: str, lang: str) -> str:
    return (f'<div class="line"><span class="k">{_t(key, lang)}{colon(lang)}</span>'
            f"{html(text)}</div>")


def _because(item: Item, lang: str) -> str:
    """Up to three of the patient's facts the decision rests on, each once."""
    facts = [r for r in item.reasons if r.kind == "input"]
    return names_sep(lang).join(list(dict.fromkeys(said(r.fact, r.value, item.side, lang)
                                                   for r in facts))[:3])


def _item(item: Item, lang: str) -> str:
    head = (f'<span class="status {item.status}">{html(status_word(item, lang))}</span>'
            f"{html(what(item, lang, side=False))}")
    if item.coverage == "self_pay":
        head += f' <span class="k">{html(coverage_tag(item.coverage, lang))}</span>'
    precautions = items((label("precaution", p, lang) for p in item.precautions), lang)
    if item.kind == "advice" and item.status == "recommended":
        # advice on one line: what to do, its precautions and what was excluded (advice
        # not given keeps its rule's words, the reason it is not)
        tail = "".join(f' <span class="k">{_t(key, lang)}{colon(lang)}{html(line)}</span>'
                       for key, line in (("precautions", precautions),
                                         ("checked", checked_line(item, lang)),
                                         ("unchecked", unchecked_line(item, lang))) if line)
        return (f'<div class="item advice" data-action="{item.action}" '
                f'data-status="{item.status}"><div class="head">{head}{tail}</div></div>')
    lines = [f'<div class="head">{head}</div>']
    because = _because(item, lang)
    lines.append(f'<div class="line">{html(item_title(item, lang))}'
                 + (f'<span class="k">{html(paren(because, lang))}</span>' if because else "")
                 + "</div>")
    if item.detail:
        lines.append(f'<div class="line">{html(detail_text(item, lang))}</div>')
    if precautions:
        lines.append(_line("precautions", precautions, lang))
    if checked_line(item, lang):
        lines.append(_line("checked", checked_line(item, lang), lang))
    if item.unchecked:
        lines.append(_line("unchecked", unchecked_line(item, lang), lang))
    return f'<div class="item" data-action="{item.action}" data-status="{item.status}">' \
        + "".join(lines) + "</div>"


def _plain_hold(item: Item) -> bool:
    """A held item with nothing of its own to say beyond the rule that holds it."""
    return item.status == "deferred" and not (item.detail or item.precautions or item.checked
                                              or item.unchecked)


def _held_together(group: list[Item], lang: str) -> str:
    """Items held by one rule for one reason, said once: 「保留 ヒアルロン酸注射、ステロイド注射
    （深部静脈血栓症の疑い）」, the rule and its facts below."""
    first = group[0]
    names = names_sep(lang).join(label("action", i.action, lang) for i in group)
    if first.reason_code:
        names += paren(label("reason", first.reason_code, lang), lang)
    head = (f'<span class="status {first.status}">{html(status_word(first, lang))}</span>'
            f"{html(names)}")
    if any(i.coverage == "self_pay" for i in group):
        head += f' <span class="k">{html(coverage_tag("self_pay", lang))}</span>'
    because = _because(first, lang)
    actions = " ".join(i.action for i in group)
    return (f'<div class="item held" data-action="{actions}" data-status="{first.status}">'
            f'<div class="head">{head}</div><div class="line">{html(item_title(first, lang))}'
            + (f'<span class="k">{html(paren(because, lang))}</span>' if because else "")
            + "</div></div>")


def _entries(items: tuple[Item, ...], lang: str) -> str:
    """The items of a section in order, those held by the same rule for the same reason
    collapsed into one entry where the first of them stands."""
    groups: dict[tuple[str, str | None], list[Item]] = {}
    for i in items:
        if _plain_hold(i):
            groups.setdefault((i.rule, i.reason_code), []).append(i)
    out = []
    for i in items:
        group = groups.get((i.rule, i.reason_code)) if _plain_hold(i) else None
        if group is None or len(group) == 1:
            out.append(_item(i, lang))
        elif group[0] is i:
            out.append(_held_together(group, lang))
    return "".join(out)


def _section(title: str, items: tuple[Item, ...], lang: str, klass: str = "") -> str:
    body = _entries(items, lang) or f'<div class="line">{_t("none", lang)}</div>'
    inner = f'<div class="items">{body}</div>' if klass else body
    return f'<section class="{klass}"><h2>{html(title)}</h2>{inner}</section>'


def _urgent(plan: Plan, lang: str) -> list[str]:
    """The time-critical items (the critical cards of careflow/export/cds_hooks.py)."""
    out = []
    for item in plan.items:
        flagged = item.action == "referral" and item.reason_code in v.RED_FLAGS
        if flagged or (item.urgency in ("emergency", "urgent") and item.status in v.OFFERED):
            out.append(item_statement(item, lang))
    return out


def to_html(plan: Plan, lang: str = "ja") -> str:
    """The doctor's one-page plan as a self-contained HTML document (A4, print-ready)."""
    lang_index(lang)
    review = plan.assessed_on + dt.timedelta(weeks=plan.review_after_weeks)
    parts = [f"<h1>{_t('title', lang)}</h1>",
             '<div class="meta">'
             f"<span>{_t('patient', lang)}{colon(lang)}{html(plan.patient_id)}</span>"
             f"<span>{_t('assessed', lang)}{colon(lang)}{plan.assessed_on.isoformat()}</span>"
             f"<span>{_t('review', lang)}{colon(lang)}{review.isoformat()}"
             f"{paren(_t('weeks', lang).format(n=plan.review_after_weeks), lang)}</span></div>"]
    urgent = _urgent(plan, lang)
    if urgent:
        parts.append(f'<div class="banner urgent">{_t("urgent", lang)}<ul>'
                     + "".join(f"<li>{html(u)}</li>" for u in urgent) + "</ul></div>")
    if plan.questions_open:
        parts.append(f'<div class="banner questions">{html(questions_line(plan, lang))}'
                     f' <span class="k">{_t("questions_hold", lang)}</span></div>')
    sides = [s for s in ("right", "left") if plan.for_side(s)]
    if len(sides) == 1:  # one leg: its items in two columns, as the whole patient's are
        parts.append(_section(label("side", sides[0], lang), plan.for_side(sides[0]), lang,
                              "whole"))
    else:
        parts.append('<div class="legs">' + "".join(
            _section(label("side", s, lang), plan.for_side(s), lang) for s in sides) + "</div>")
    whole = plan.for_side(None)
    if whole:
        parts.append(_section(label("side", None, lang), whole, lang, "whole"))
    lists = []
    if plan.considered:
        lists.append(f"<section><h2>{html(heading('considered', lang))}</h2><ul class=\"small\">"
                     + "".join(f"<li>{html(considered_line(c, lang))}</li>"
                               for c in plan.considered) + "</ul></section>")
    steps = [i for i in plan.items if i.status == "next_step"]
    if steps:
        lists.append(f"<section><h2>{_t('next', lang)}</h2><ul class=\"small\">" + "".join(
            f"<li>{html(item_with_side(i.action, i.side, lang))}</li>" for i in steps)
            + "</ul></section>")
    sign = (f'<div class="sign"><div>{_t("doctor", lang)}{colon(lang)}</div>'
            f'<div>{_t("date", lang)}{colon(lang)}</div></div>')
    parts.append(f'<div class="foot"><div>{"".join(lists)}</div>{sign}</div>')
    p = plan.protocol
    parts.append("<footer>" + html(_t("made_by", lang).format(
        careflow=p.careflow or __version__, name=p.name, version=p.version,
        digest=p.digest[:19])) + "</footer>")
    title = f"{_t('title', lang)} {plan.patient_id}"
    return ("<!DOCTYPE html>\n"
            f'<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
            f"<title>{html(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
            + "\n".join(parts) + "\n</body>\n</html>\n")
