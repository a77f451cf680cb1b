"""The patient's explanation (患者さん向け説明書, `careflow plan FILE --format patient`): per
proposed item, in plain words, what it is, why it is proposed for this patient, what the
alternatives are and what happens next; the lifestyle advice as a checklist. Nothing is
invented: the "why" is the plan's own reasons, the evidence is said as its grade says, and no
probability appears that the evidence entries do not give.

    >>> from careflow.export.leaflet import to_html
    >>> html = to_html(plan, lang="ja")
"""

from __future__ import annotations

import datetime as dt

from .. import vocabulary as v
from ..labels import label, lang_index, reason_label, value_label
from ..plan import Item, Plan
from .page import FONTS
from .words import html, say

# What each action is, in the words of a health-education leaflet (ja, en).
WHAT: dict[str, tuple[str, str]] = {
    "duplex_ultrasound": ("脚の血管を超音波で調べる検査です。痛みはありません。",
                          "An ultrasound scan of the leg veins. It does not hurt."),
    "knee_xray": ("膝の骨の状態をレントゲンで調べる検査です。",
                  "An X-ray of the knee to see the state of the joint."),
    "abi_measurement": ("腕と足首の血圧を測り、足の動脈の流れを調べる検査です。",
                        "Blood pressure is measured at the arm and ankle to check the "
                        "arteries of the leg."),
    "toe_pressure": ("足の指の血圧を測り、足先の血流を調べる検査です。",
                     "Blood pressure is measured at the toe to check the blood flow."),
    "blood_test": ("腎臓の働き（eGFR）を調べる血液検査です。",
                   "A blood test of how well the kidneys work (eGFR)."),
    "d_dimer": ("血の固まり（血栓）がないかを調べる血液検査です。",
                "A blood test that helps rule out a blood clot."),
    "pregnancy_test": ("妊娠していないことを確かめる検査です。",
                       "A test to make sure you are not pregnant."),
    "exercise_therapy": ("専門家の指導のもとで、膝を支える筋肉を鍛える運動を行います。",
                         "Exercises, taught and supervised, that strengthen the muscles that "
                         "support the knee."),
    "topical_nsaid": ("痛み止めの湿布や塗り薬を膝に使います。",
                      "A pain-relieving patch or gel on the knee."),
    "oral_analgesic": ("痛み止めの飲み薬です。まずアセトアミノフェンを使います。",
                       "Pain-relieving tablets, starting with acetaminophen."),
    "hyaluronic_acid_injection": ("膝の関節にヒアルロン酸を注射し、動きをなめらかにします。",
                                  "An injection of hyaluronic acid into the knee joint."),
    "steroid_injection": ("膝の関節にステロイドを注射し、炎症と痛みを抑えます。",
                          "A steroid injection into the knee joint to calm pain and "
                          "inflammation."),
    "compression_stockings": ("脚を適度に締めつける医療用のストッキングで、血液が心臓に戻るのを"
                              "助けます。",
                              "Medical stockings that squeeze the leg gently and help the "
                              "blood flow back to the heart."),
    "endovenous_thermal_ablation": ("逆流している静脈を、細い管を入れて内側から熱で閉じる治療です。"
                                    "日帰りで行い、保険診療です。",
                                    "The faulty vein is closed from inside with heat through a "
                                    "thin tube; a day procedure covered by insurance."),
    "cyanoacrylate_closure": ("逆流している静脈を、医療用の接着剤で内側から閉じる治療です。"
                              "熱を使いません。保険診療です。",
                              "The faulty vein is closed from inside with a medical glue, "
                              "without heat; covered by insurance."),
    "wound_care": ("潰瘍（皮膚の傷）を清潔に保ち、治りやすくする処置です。",
                   "Care of the ulcer so that it heals."),
    "haemostasis": ("出血した静脈を押さえて止血し、包帯で圧迫します。",
                    "The bleeding vein is pressed and bandaged to stop the bleeding."),
    "anticoagulation": ("血の固まり（血栓）が大きくならないようにする薬の治療です。",
                        "Medicine that stops a blood clot from growing."),
    "pad_management": ("足の動脈の病気に対して、歩く運動、薬の見直し、生活習慣の改善を行います。",
                       "Walking exercise, a review of medicines and of risk factors, for "
                       "narrowed leg arteries."),
    "intra_arterial_injection": ("膝のまわりの異常な細い血管を、カテーテルで細かく塞ぐ治療です"
                                 "（運動器カテーテル治療）。自費診療です。",
                                 "Tiny abnormal blood vessels around the knee are blocked "
                                 "through a catheter. Self-pay."),
    "exosome_injection": ("細胞から得た成分（エクソソーム）を膝に注射する治療です。国内で承認"
                          "された製品はありません。自費診療です。",
                          "An injection of cell-derived particles (exosomes) into the knee; "
                          "no product is approved in Japan. Self-pay."),
    "medical_diet": ("医師の管理のもとで、食事と運動で体重を減らし、膝の負担を軽くします。"
                     "自費診療です。",
                     "A doctor-supervised diet and exercise programme to take weight off the "
                     "knees. Self-pay."),
    "referral": ("専門の医療機関で診てもらうための紹介です。",
                 "A referral to a specialist service."),
}

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


def _why(item: Item, lang: str) -> str:
    """The plan's own reasons, said as facts about the patient (no code, no rule id)."""
    sep = "、" if lang == "ja" else "; "
    # what the patient has, not what they do not (an absent artificial knee is a doctor's
    # check, not a reason a patient reads)
    facts = [f"{reason_label(r.fact, lang)}: {value_label(r.value, lang)}"
             for r in item.reasons if r.kind == "input" and r.value not in (False, None)][:4]
    found = [label("finding", f, lang) for r in item.reasons for f in r.via[:1]]
    return sep.join(dict.fromkeys(found + facts))


def _alternatives(item: Item, plan: Plan, lang: str) -> str:
    sep = "、" if lang == "ja" else ", "
    others = [label("action", o.action, lang) for o in plan.items
              if o is not item and o.side == item.side and o.track == item.track
              and o.kind == "treatment" and o.status in ("recommended", "option")]
    return sep.join(dict.fromkeys(others)) or _t("none", lang)


def _entry(item: Item, plan: Plan, lang: str) -> str:
    what = WHAT.get(item.action, ("", ""))[0 if lang == "ja" else 1]  # (ja, en)
    parts = [f"<h3>{html(label('action', item.action, lang))}"
             f"（{html(label('side', item.side, lang))}）</h3><dl>"
             if lang == "ja" else
             f"<h3>{html(label('action', item.action, lang))} "
             f"({html(label('side', item.side, lang))})</h3><dl>"]
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
