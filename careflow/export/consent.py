"""The self-pay explanation and consent (自由診療 説明書・同意書, `careflow consent FILE --item
ACTION --prices PRICES.yaml`): for one self-pay item the plan offers, every disclosure the
advertising guideline and the mixed-billing rule require (the texts in rules/consent.yaml; the
cost, sessions and period from the clinic's price list), the insured alternatives tried and
remaining, the patient's own reasons, the evidence in plain words, the right to withdraw and a
reflection period, signature and date lines, and the protocol digest and form version.

It refuses (ConsentError) when the plan does not offer the item (recommended or an option) on
any leg, when there is no price list or its entry for the item is not whole (a price in whole
yen above 0, the sessions and the period as text, the currency JPY), and when the rule set
has no consent texts.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .. import vocabulary as v
from ..errors import CareflowError
from ..labels import label, lang_index
from ..model import HistoryEntry
from ..plan import Item, Plan
from ..rulebook import Rulebook
from ..yamlsrc import YamlSourceError, load_yaml, plain
from .page import FONTS
from .words import colon, html, item_with_side, paren, said, say


class ConsentError(CareflowError):
    """A consent form that must not be printed: the message says why, naming the item, the
    field and the value received; made by `ConsentError.said(key, ...)`, so that
    careflow.export.problems_ja says it in Japanese too."""


def _got(value: object) -> str:
    """A value received, as a refusal shows it (repr: control characters escaped; short)."""
    text = repr(value)
    return text if len(text) <= 40 else text[:36] + "..."


_CSS = f"""
@page {{ size: A4; margin: 14mm; }}
body {{ font-family: {FONTS}; font-size: 10.5pt; line-height: 1.55; color: #111; margin: 0; }}
h1 {{ font-size: 15pt; margin: 0 0 2mm 0; }}
h2 {{ font-size: 11.5pt; margin: 3.5mm 0 0.5mm 0; border-bottom: 0.8pt solid #333; }}
p {{ margin: 0.5mm 0; }}
.meta span {{ margin-right: 6mm; }}
.sign {{ display: grid; grid-template-columns: 1fr 1fr; gap: 6mm; margin-top: 5mm; }}
.sign div {{ border-bottom: 0.8pt solid #333; height: 12mm; font-size: 9.5pt; }}
footer {{ margin-top: 4mm; font-size: 8pt; color: #444; }}
"""


def _t(key: str, lang: str) -> str:
    return say(f"consent.{key}", lang)


def read_prices(path: Path) -> dict[str, Any]:
    """The clinic's price list: `{currency: JPY, items: {action: {price, sessions, period}}}`."""
    try:
        data = plain(load_yaml(Path(path).read_bytes()))
    except OSError as exc:
        raise ConsentError.said("prices.unreadable", path=str(path),
                                reason=exc.strerror or type(exc).__name__) from None
    except YamlSourceError as exc:
        raise ConsentError.said("prices.not_yaml", path=str(path), problem=str(exc)) from None
    if not isinstance(data, dict) or not isinstance(data.get("items"), dict):
        got = data.get("items") if isinstance(data, dict) else data
        raise ConsentError.said("prices.not_a_mapping", path=str(path), got=_got(got))
    return data


def _priced(prices: dict[str, Any], action: str) -> dict[str, Any]:
    """The price list's entry for `action`, whole: the currency JPY (or left out), a price in
    whole yen above 0, the sessions and the period as text the clinic writes (and a note, if
    any, as text). The form states each as it is, so none may be missing or odd."""
    if "currency" in prices and prices["currency"] != "JPY":
        raise ConsentError.said("prices.currency", got=_got(prices["currency"]))
    items = prices.get("items")
    if not isinstance(items, dict):
        raise ConsentError.said("prices.items", got=_got(items))
    if action not in items:
        raise ConsentError.said("prices.no_entry", action=action)
    entry = items[action]
    if not isinstance(entry, dict):
        raise ConsentError.said("prices.entry_not_mapping", action=action, got=_got(entry))
    if "price" not in entry:
        raise ConsentError.said("prices.no_price", action=action)
    price = entry["price"]
    if not isinstance(price, int) or isinstance(price, bool) or price <= 0:
        raise ConsentError.said("prices.price", action=action, got=_got(price))
    for field in ("sessions", "period"):
        if field not in entry:
            raise ConsentError.said("prices.field_missing", action=action, field=field)
    for field in ("sessions", "period", "note"):  # the note is optional
        if field in entry and (not isinstance(entry[field], str) or not entry[field].strip()):
            raise ConsentError.said("prices.text", action=action, field=field,
                                    got=_got(entry[field]))
    return entry


def _offered(plan: Plan, action: str, side: str | None) -> Item:
    """The one item the consent is for: offered (recommended or an option) on `side`; with no
    side, on the one leg that has it (a consent is for one leg: both legs need a side)."""
    anywhere = [i for i in plan.items if i.action == action
                and i.status in ("recommended", "option")]
    if side is not None and anywhere and all(i.side is None for i in anywhere):
        raise ConsentError.said("consent.whole_patient_side", action=action, side=side)
    offered = [i for i in anywhere if side is None or i.side == side]
    if not offered:
        if side is None:
            raise ConsentError.said("consent.not_offered", action=action)
        raise ConsentError.said("consent.not_offered_on", action=action, side=side)
    if len(offered) > 1:
        raise ConsentError.said("consent.both_sides", action=action,
                                sides=tuple(str(i.side) for i in offered))
    return offered[0]


def to_html(plan: Plan, book: Rulebook, action: str, prices: dict[str, Any],
            lang: str = "ja", side: str | None = None,
            history: tuple[HistoryEntry, ...] = ()) -> str:
    """The explanation and consent form for one offered self-pay item; `history` is the
    patient's treatment history (the insured care tried on that leg is listed; for an item of
    the whole patient, on every leg). `side` is needed when the plan offers it on both legs."""
    lang_index(lang)
    if action not in v.ACTIONS or v.ACTIONS[action].phase != "self_pay":
        raise ConsentError.said("consent.not_self_pay", action=action,
                                choices=tuple(v.ACTION_GROUPS["self_pay"]))
    consent = book.source.consent if book.source is not None else None
    if not consent or action not in consent["actions"]:
        raise ConsentError.said("consent.no_texts", action=action)
    entry = _priced(prices, action)
    item = _offered(plan, action, side)
    texts: dict[str, Any] = consent["actions"][action]

    def text(code: str) -> str:
        value = texts.get(code) or {}
        return str(value.get(lang) or "") if isinstance(value, dict) else ""

    sep = "、" if lang == "ja" else ", "
    sections: list[tuple[str, str]] = [("treatment_content", html(text("treatment_content")))]
    sections.append(("sessions_and_period", html(entry["sessions"] + sep + entry["period"])))
    sections.append(("self_pay_cost", html(_t("yen", lang).format(price=entry["price"]))
                     + (html(paren(str(entry["note"]), lang)) if entry.get("note") else "")))
    sections.append(("main_risks", html(text("main_risks"))))
    # a leg's item: the insured care of that leg (and of the whole patient); a whole-patient
    # item (the medical diet): the insured care of every leg, each entry naming its leg
    whole = item.side is None

    def entry_of(code: str, side: str | None, *more: str) -> str:
        parts = [label("side", side, lang)] if whole and side is not None else []
        parts += more
        return label("action", code, lang) + (paren(sep.join(parts), lang) if parts else "")

    tried = [entry_of(h.treatment, h.side, _t("weeks", lang).format(
                 n=h.weeks, r=label("response", h.response, lang)))
             for h in history if (whole or h.side in (None, item.side))
             and v.ACTIONS[h.treatment].coverage == "insurance"]
    remaining = [entry_of(i.action, i.side) for i in plan.items
                 if (whole or i.side == item.side) and i.coverage == "insurance"
                 and i.kind == "treatment" and i.status in v.OFFERED]
    sections.append(("insured_alternatives", html(text("insured_alternatives"))
                     + f"<br>{_t('tried', lang)}{colon(lang)}"
                     + html(sep.join(tried) or _t("none", lang))
                     + f"<br>{_t('remaining', lang)}{colon(lang)}"
                     + html(sep.join(dict.fromkeys(remaining)) or _t("none", lang))))
    for code in ("separate_from_insured_care", *v.DISCLOSURES[6:]):
        if code in item.disclosures or code == "separate_from_insured_care":
            sections.append((code, html(text(code))))
    # the patient's facts and wishes that led here (the history is listed above)
    facts = sep.join(dict.fromkeys(said(r.fact, r.value, item.side, lang)
                                   for r in item.reasons if r.kind == "input"
                                   and r.value not in (False, None)
                                   and not r.fact.startswith("history")))
    sections.append(("reasons", html(facts)))
    sections.append(("evidence_plain", html(text("evidence_plain"))))
    form = consent["form"]
    withdrawal = str((form.get("withdrawal") or {}).get(lang, ""))
    sections.append(("withdrawal", html(withdrawal.format(days=form.get("reflection_days")))))
    what = item_with_side(action, item.side, lang)
    body = [f"<h1>{_t('title', lang)}</h1>",
            '<p class="meta">' + "".join(
                f"<span>{_t(key, lang)}{colon(lang)}{html(value)}</span>"
                for key, value in (("patient", plan.patient_id),
                                   ("date", plan.assessed_on.isoformat()), ("item", what)))
            + "</p>"]
    body += [f'<h2 data-part="{code}">{_t(code, lang)}</h2><p>{content}</p>'
             for code, content in sections]
    body.append(f"<p><strong>{_t('agree', lang)}</strong></p>")
    body.append('<div class="sign">' + "".join(
        f"<div>{_t(k, lang)}{colon(lang).rstrip()}</div>"
        for k in ("patient_sign", "signed_on", "doctor_sign", "signed_on")) + "</div>")
    p = plan.protocol
    body.append("<footer>" + html(_t("footer", lang).format(
        form=form.get("version"), name=p.name, version=p.version, digest=p.digest[:19],
        careflow=p.careflow, date=plan.assessed_on.isoformat())) + "</footer>")
    return ("<!DOCTYPE html>\n"
            f'<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
            f"<title>{html(_t('title', lang))}</title>\n<style>{_CSS}</style>\n</head>\n"
            "<body>\n" + "\n".join(body) + "\n</body>\n</html>\n")


__all__ = ["ConsentError", "read_prices", "to_html"]
