"""The patient's explanation (患者さん向け説明書, `careflow plan FILE --format patient`): per
proposed item, in plain words, what it is, why it is proposed for this patient, what the
alternatives are and what happens next; the lifestyle advice as a checklist. Nothing is
invented: the "why" is the plan's own reasons (its findings and the patient's facts) said in
plain words, without scores, units or classification names; the leaflet prints no evidence
grade and no probability (the self-pay consent form says the evidence in plain words).

    >>> from careflow.export.leaflet import to_html
    >>> html = to_html(plan, lang="ja")
"""

from __future__ import annotations

import datetime as dt
import re

from .. import vocabulary as v
from ..labels import label, lang_index
from ..plan import Item, Plan
from .page import FONTS
from .words import ACTION_EXPLAINED, history, html, item_with_side, list_sep, say

_CSS = f"""
@page {{ size: A4; margin: 14mm; }}
body {{ font-family: {FONTS}; font-size: 11pt; line-height: 1.6; color: #111; margin: 0; }}
h1 {{ font-size: 16pt; }} h2 {{ font-size: 13pt; border-bottom: 1pt solid #333; margin-top: 6mm; }}
h3 {{ font-size: 12pt; margin: 4mm 0 1mm 0; }}
dl {{ margin: 0 0 0 4mm; }} dt {{ font-weight: bold; }} dd {{ margin: 0 0 1.5mm 0; }}
.urgent {{ color: #b00; font-weight: bold; }}
ul.check {{ list-style: none; padding-left: 2mm; }} ul.check li::before {{ content: "□ "; }}
"""


def _t(key: str, lang: str) -> str:
    return say(f"leaflet.{key}", lang)


# the plan's findings said to the patient (careflow/export/words.py: `leaflet.why.*`); a
# finding not here (a candidate for a treatment) says nothing the facts beside it do not
_FINDING_WHY = {
    "knee_oa": "knee_oa", "knee_oa_late": "knee_oa_late", "venous_disease": "venous_disease",
    "significant_superficial_reflux": "reflux", "endovenous_qualifies": "reflux",
    "arterial_disease": "arterial_disease",
    "dvt_acute": "dvt_acute", "svt_acute": "svt_acute",
    "limb_tissue_threat": "limb_tissue_threat", "self_pay_ready": "self_pay",
    "medical_diet_considered": "weight", "knee_care_failed": "care_failed",
    "knee_care_failed_any": "care_failed",
}


def _fact_why(fact: str, value: object) -> str | None:
    """The `leaflet.why.*` key for one of the patient's facts, or None: what the patient does
    not have, or a number only a doctor reads, is no reason said to them."""
    name = re.sub(r"^legs\.(left|right)\.", "", fact)
    number = value if isinstance(value, int | float) and not isinstance(value, bool) else None
    if name == "veins.ceap_c" and number is not None:
        return "ulcer" if number >= 6 else "venous_disease" if number >= 2 else None
    if name == "wells_score" and number is not None:
        return "clot_likely" if number >= 2 else "clot_unlikely"
    if name == "veins.duplex":
        return "no_duplex" if value is False else None
    if value in (False, None, 0, (), []):
        return None
    return {"knee.kl_grade": "knee_oa", "knee.pain_nrs": "knee_pain",
            "veins.symptoms": "vein_symptoms", "veins.bleeding": "bleeding",
            "veins.svt_junction_distance_cm": "svt_near",
            "preferences.prefers_non_thermal": "no_heat",
            "preferences.accepts_self_pay": "self_pay",
            "preferences.wants_further_improvement": "further", "bmi": "weight",
            "knee_care_failed not established": "care_first",
            "knee_care_failed_any not established": "care_first"}.get(name)


def _why(item: Item, lang: str) -> str:
    """Why the item is proposed, in the patient's words: a sentence for each finding and fact
    the plan's reasons name (no score, unit, classification or code), each once; the
    treatments had before said as the doctor's history says them."""
    said: list[str] = []
    had = [history(r.value, lang, item.side) for r in item.reasons
           if r.fact.startswith("history[") and isinstance(r.value, dict)]
    for r in item.reasons:
        keys = [_fact_why(r.fact, r.value)] + [_FINDING_WHY.get(f) for f in r.via]
        said += [say(f"leaflet.why.{k}", lang) for k in keys if k]
    if had:
        said.append(say("leaflet.why.history", lang, history=list_sep(lang).join(had)))
    return (" " if lang == "en" else "").join(dict.fromkeys(said)) or \
        say("leaflet.why.examined", lang)


def _alternatives(item: Item, plan: Plan, lang: str) -> str:
    """The other treatments of the item's track the plan offers now (for a whole-patient
    item, on either leg)."""
    sep = "、" if lang == "ja" else ", "
    others = [label("action", o.action, lang) for o in plan.items
              if o is not item and item.side in (None, o.side) and o.track == item.track
              and o.kind == "treatment" and o.status in ("recommended", "option")]
    return sep.join(dict.fromkeys(others)) or _t("none", lang)


def _entry(item: Item, plan: Plan, lang: str) -> str:
    what = ACTION_EXPLAINED.get(item.action, ("", ""))[lang_index(lang)]
    parts = [f"<h3>{html(item_with_side(item.action, item.side, lang))}</h3><dl>"]
    parts.append(f"<dt>{_t('what', lang)}</dt><dd>{html(what)}</dd>")
    parts.append(f"<dt>{_t('why', lang)}</dt><dd>{html(_why(item, lang))}</dd>")
    if item.kind == "treatment":
        parts.append(f"<dt>{_t('alternatives', lang)}</dt>"
                     f"<dd>{html(_alternatives(item, plan, lang))}</dd>")
    nxt = _t("next_later", lang) if item.status == "next_step" else _t("next_now", lang)
    if item.urgency in ("emergency", "urgent") and item.status in v.OFFERED:
        nxt = f'<span class="urgent">{_t("urgent", lang)}</span> ' + html(nxt)
    else:
        nxt = html(nxt)
    if item.coverage == "self_pay" and item.phase == "self_pay":
        nxt += " " + html(_t("self_pay", lang))
    parts.append(f"<dt>{_t('next', lang)}</dt><dd>{nxt}</dd></dl>")
    return "".join(parts)


def to_html(plan: Plan, lang: str = "ja") -> str:
    """The patient's explanation: proposed items, options, next steps, an advice checklist."""
    lang_index(lang)
    shown = [i for i in plan.items if i.kind != "advice"]
    now = [i for i in shown if i.status == "recommended"]
    choose = [i for i in shown if i.status == "option"]
    later = [i for i in shown if i.status == "next_step"]
    advice = [i for i in plan.items if i.kind == "advice" and i.status == "recommended"]
    review = plan.assessed_on + dt.timedelta(weeks=plan.review_after_weeks)
    body = [f"<h1>{_t('title', lang)}</h1>", f"<p>{_t('intro', lang)}</p>"]
    for key, items in (("now", now), ("choose", choose), ("later", later)):
        if items:
            body.append(f"<h2>{_t(key, lang)}</h2>")
            body.extend(_entry(i, plan, lang) for i in items)
    if advice:
        body.append(f"<h2>{_t('advice', lang)}</h2><ul class=\"check\">" + "".join(
            f"<li>{html(label('action', i.action, lang))}</li>" for i in advice) + "</ul>")
    body.append(f"<p>{html(_t('review', lang).format(date=review.isoformat()))}</p>")
    return ("<!DOCTYPE html>\n"
            f'<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
            f"<title>{html(_t('title', lang))}</title>\n<style>{_CSS}</style>\n</head>\n"
            "<body>\n" + "\n".join(body) + "\n</body>\n</html>\n")
