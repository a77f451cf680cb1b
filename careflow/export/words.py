"""The words every reader of a plan prints: one table of fixed phrases, the sentences that say
an item, and the escaping helpers.

- `say(key, lang, **fields)`: a fixed phrase of `PHRASES` (each is (English, Japanese)),
  its `{fields}` filled in when given;
- the shared sentences: `item_statement` (status word, action, side, urgency, reason),
  `reason_line` ("label = value (via ...)"), `checked_line` (the facts that excluded the
  contraindications, unknown values left out), `unchecked_line`, `considered_line` (why
  not) and `questions_line` (the questions not yet asked);
- `md` and `html` make text literal in Markdown and HTML.

careflow/labels.py stays the table of code labels (actions, statuses, reasons, facts); this
module says them in sentences. A key names what a phrase is for; a phrase only one output
prints has the output's prefix (`page.`, `leaflet.`, `consent.`, `book.`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from html import escape
from typing import TYPE_CHECKING

from .. import vocabulary as v
from ..errors import RulebookError
from ..labels import label, lang_index, reason_label, value_label

if TYPE_CHECKING:
    from ..plan import Check, Considered, Evidence, Item, Plan, Reason
    from ..prove.whynot import Answer, Step
    from ..rulebook import Rulebook
    from ..rulebook.schema import Rule

__all__ = [
    "ACTION_EXPLAINED",
    "AREA_INTRO_JA",
    "BOOK_READING",
    "PHRASES",
    "STATUS_MEANING",
    "UNITS_JA",
    "VERIFICATION_MEANING",
    "checked_facts",
    "checked_line",
    "colon",
    "considered_line",
    "coverage_tag",
    "detail_text",
    "evidence_line",
    "evidence_words",
    "fact_name",
    "heading",
    "history",
    "html",
    "item_statement",
    "item_title",
    "item_with_side",
    "items",
    "list_sep",
    "md",
    "names_sep",
    "paren",
    "protocol_line",
    "questions_line",
    "reason_line",
    "reason_suffix",
    "reason_text",
    "rule_line",
    "rule_title",
    "said",
    "said_value",
    "say",
    "statement_parts",
    "status_word",
    "unchecked_facts",
    "unchecked_line",
    "what",
    "why_not_change",
    "why_not_condition",
    "why_not_needs",
    "why_not_text",
]

PHRASES: dict[str, tuple[str, str]] = {
    # --- the plan (text, terminal, cards, FHIR) -----------------------------------------
    "plan_heading": ("Plan for {id}, assessed on {date}", "{id} の治療計画（評価日 {date}）"),
    "review": ("Review after {weeks} weeks", "{weeks} 週後に再評価"),
    "from_source": (" [from {names}]", "［出典：{names}］"),
    "fhir_input": ("FHIR input", "FHIR入力"),
    "fhir_unrecognised": ("not recognised", "未対応のコード"),
    "fhir_not_used": ("not used", "使用しなかった情報"),
    "fhir_unknown": ("unknown", "不明"),
    "protocol": ("protocol", "プロトコル"),
    "questions": ("questions not yet asked", "問診未完了"),
    "questions_detail": ("Ask and record these before the items they hold can go ahead:",
                         "次の項目を聴取して記録するまで、関係する治療は保留になります："),
    "considered": ("considered, not offered (why not)", "検討したが提示しなかった治療（理由）"),
    "needs": ("needs", "必要条件"),
    "considered.line": ("{side}: {action} - {facts}", "{side}の{action}：{facts}"),
    "unknown": ("unknown", "不明"),
    # --- an item -------------------------------------------------------------------------
    "rule": ("rule", "ルール"),
    "because": ("because", "根拠"),
    "held_by": ("reason", "理由"),
    "detail": ("detail", "詳細"),
    "coverage": ("coverage", "保険"),
    "tell": ("tell the patient", "患者への説明事項"),
    "precautions": ("precautions", "注意事項"),
    "checked": ("checked", "確認した禁忌"),
    "unchecked": ("not checked (unknown)", "未確認の禁忌（値が不明）"),
    "checked_long": ("contraindications checked and excluded", "確認して否定した禁忌"),
    "unchecked_long": ("contraindications not checked (value unknown)",
                       "未確認の禁忌（値が不明）"),
    "evidence": ("evidence", "エビデンス"),
    "also": ("also", "関連ルール"),
    "effect.claim": ("claims", "判定"),
    "effect.hold": ("holds", "保留"),
    "effect.annotate": ("adds detail", "補足"),
    "also_long": ("other rules on this item", "この項目に関わる他のルール"),
    "yes_fact": ("{name}", "{name}あり"),
    "no_fact": ("no {name}", "{name}なし"),
    "history": ("treatment history", "治療歴"),
    "history.weeks": (", {n} weeks", " {n}週間"),
    # --- FHIR ----------------------------------------------------------------------------
    "fhir.title": ("Treatment plan for {id}", "{id} の治療計画"),
    "fhir.description": ("Made by {name} {version} ({digest}) on {date}; review after "
                         "{weeks} weeks.",
                         "{name} {version}（{digest}）により {date} に作成。"
                         "{weeks} 週後に再評価。"),
    # --- the CDS Hooks service's own cards (careflow/service/hooks.py) -------------------
    "hooks.book": ("Protocol book: {rule}", "プロトコル集：{rule}"),
    "hooks.order": ("Draft order", "オーダー（未署名）"),
    "hooks.order_vs": ("Order {what}: careflow says {status}",
                       "オーダー {what}：careflow の判定は{status}"),
    "hooks.not_in_plan": ("Order {what}: not in careflow's plan",
                          "オーダー {what}：careflow の計画にない"),
    "hooks.not_in_plan_detail": ("careflow's plan does not propose this for this leg.",
                                 "careflow の計画はこの脚にこの治療を提示していません。"),
    "hooks.unchecked": ("Orders careflow could not check: {n}",
                        "careflow が確認できないオーダー：{n} 件"),
    "hooks.unchecked_detail": ("These draft orders have no code careflow recognises, so they "
                               "were not checked against the plan:",
                               "次のオーダーは careflow が認識できるコードがないため、"
                               "計画と照合していません："),
    "hooks.remove": ("Remove the draft order", "このオーダーを取り消す"),
    "hooks.remove_what": ("Remove {ref}", "{ref} を取り消す"),
    "hooks.no_leg": ("no leg given: checked on the {side}", "左右の指定なし：{side}で照合"),
    "hooks.mapping": ("FHIR data careflow did not use or could not read: {n}",
                      "careflow が使わなかった・読めなかった FHIR データ：{n} 件"),
    # --- the proof report (careflow/prove/report.py) --------------------------------------
    "prove.proven": ("proven", "証明済み"),
    "prove.fails": ("fails", "反例あり"),
    "prove.error": ("error", "検証エラー"),
    "prove.patient": ("patient", "患者"),
    "prove.document": ("counterexample patient (YAML):", "反例の患者（YAML）:"),
    "prove.scenario": ("scenario to paste into a feature file:",
                       "機能ファイルに貼り付けるシナリオ:"),
    "prove.engine": ("the rule engine's plan shows the same violation",
                     "ルールエンジンの治療計画も同じ違反を示す"),
    "prove.summary": ("{ok} of {n} properties proven, {bad} with a counterexample",
                      "{n}件の性質のうち{ok}件を証明、{bad}件に反例"),
    "prove.seconds": ("s", "秒"),
    # --- the escalation diagrams (diagram.py) ----------------------------------------------
    "diagram.group.insurance": ("insured", "保険診療"),
    "diagram.group.self_pay": ("self-pay", "自費"),
    "diagram.phase.conservative": ("conservative care", "保存療法"),
    # --- the doctor's one-page plan (page.py) --------------------------------
    "page.title": ("Treatment plan", "治療計画"),
    "page.patient": ("Patient", "患者ID"),
    "page.assessed": ("Assessed on", "評価日"),
    "page.review": ("Review on", "再評価日"),
    "page.weeks": ("after {n} weeks", "{n}週後"),
    "page.urgent": ("Time-critical", "緊急・至急の対応"),
    "page.questions_hold": ("(the items they hold wait)", "（関係する治療は保留）"),
    "page.precautions": ("Precautions", "注意"),
    "page.checked": ("Excluded", "除外確認"),
    "page.unchecked": ("Not checked (unknown)", "未確認"),
    "page.next": ("Next steps if there is no improvement", "改善がなければ次の段階"),
    "page.none": ("none", "なし"),
    "page.doctor": ("Doctor", "医師署名"),
    "page.date": ("Date", "日付"),
    "page.made_by": ("Made by careflow {careflow} from {name} {version} ({digest}). Decision "
                     "support for the doctor who examines the patient, not a decision.",
                     "careflow {careflow}、{name} {version}（{digest}）により作成。"
                     "診察する医師の判断を"
                     "支援するもので、判断そのものではありません。"),
    # --- the patient's explanation (leaflet.py) ------------------------------
    "leaflet.title": ("Your treatment plan: an explanation", "患者さん向け説明書（治療計画）"),
    "leaflet.intro": ("This explains what your doctor proposes and why. Please ask about anything "
                      "that is unclear; nothing is done without your agreement.",
                      "医師が提案する内容とその理由を説明します。わからないことは遠慮なくお尋ねください。"
                      "ご同意なしに行うことはありません。"),
    "leaflet.now": ("Proposed now", "今回提案すること"),
    "leaflet.choose": ("Options to choose from with your doctor", "医師と相談して選べる治療"),
    "leaflet.later": ("If there is no improvement", "改善がなければ次に考える治療"),
    "leaflet.what": ("What it is", "どんな治療・検査か"),
    "leaflet.why": ("Why for you", "あなたに提案する理由"),
    "leaflet.alternatives": ("Other choices", "ほかの選択肢"),
    "leaflet.next": ("What happens next", "このあと"),
    "leaflet.next_now": ("Your doctor will arrange it with you.", "医師と日程などを相談します。"),
    "leaflet.next_later": ("We will look at it again at your next review.",
                           "次回の診察で改めて検討します。"),
    "leaflet.urgent": ("This is urgent: today or within two days.",
                               "急いで行います（当日から2日以内）。"),
    "leaflet.advice": ("Everyday habits that help (tick what you will try)",
                       "生活の工夫（できることに印をつけましょう）"),
    "leaflet.review": ("Your next review: {date}", "次回の診察：{date}頃"),
    "leaflet.self_pay": ("This treatment is self-pay (not covered by insurance); you will be "
                         "given a separate written explanation and consent form before deciding.",
                         "この治療は自費診療（保険がききません）です。受けるかどうかを決める前に、別の"
                         "説明書と同意書をお渡しします。"),
    "leaflet.none": ("none", "なし"),
    # why an item is proposed, in the patient's words (leaflet.py: `_why`): by the finding or
    # the fact the plan's reason names; no score, unit, classification or code
    "leaflet.why.knee_oa": ("An X-ray shows wear of the cartilage in your knee "
                            "(osteoarthritis).",
                            "膝の軟骨のすり減り（変形性膝関節症）がレントゲンで認められます。"),
    "leaflet.why.knee_oa_late": ("The wear of the cartilage in your knee is advanced.",
                                 "膝の軟骨のすり減りが進んでいます。"),
    "leaflet.why.knee_pain": ("Your knee hurts.", "膝の痛みがあります。"),
    "leaflet.why.venous_disease": ("The veins of your leg do not work well (varicose veins "
                                   "or a similar vein disease).",
                                   "脚の静脈の働きが弱まっています（下肢静脈瘤などの静脈の病気）。"),
    "leaflet.why.vein_symptoms": ("Your leg has symptoms of the veins, such as heaviness or "
                                  "swelling.",
                                  "脚のだるさやむくみなど、静脈の病気による症状があります。"),
    "leaflet.why.ulcer": ("There is a wound on your leg that is slow to heal (an ulcer).",
                          "脚に治りにくい傷（潰瘍）があります。"),
    "leaflet.why.reflux": ("The ultrasound scan found blood flowing backwards "
                                         "in a vein of your leg.",
                                         "超音波検査で、脚の静脈に血液の逆流が見つかりました。"),
    "leaflet.why.no_heat": ("You would prefer a treatment without heat.",
                            "熱を使わない治療を希望されています。"),
    "leaflet.why.no_duplex": ("The veins of your leg have not been scanned yet.",
                              "脚の静脈をまだ超音波で調べていません。"),
    "leaflet.why.bleeding": ("A varicose vein of your leg is bleeding.",
                             "脚の静脈瘤から出血しています。"),
    "leaflet.why.clot_likely": ("A blood clot in a deep vein is likely and must be checked "
                                "quickly.",
                                "脚の深い静脈に血の固まり（血栓）がある可能性が高く、急いで確かめる必要が"
                                "あります。"),
    "leaflet.why.clot_unlikely": ("A blood clot is unlikely, but it is checked to be sure.",
                                  "血の固まり（血栓）の可能性は低いですが、念のため確かめます。"),
    "leaflet.why.dvt_acute": ("There is a blood clot in a deep vein of your leg.",
                              "脚の深い静脈に血の固まり（血栓）があります。"),
    "leaflet.why.svt_acute": ("A vein near the skin has a blood clot and is inflamed.",
                              "皮膚に近い静脈に血の固まり（血栓）ができ、炎症を起こしています。"),
    "leaflet.why.svt_near": ("The clot is close to where the vein joins a deep vein.",
                             "血の固まりが、深い静脈との合流部の近くにあります。"),
    "leaflet.why.arterial_disease": ("The arteries of your leg carry less blood than they "
                                     "should.", "脚の動脈の血の流れが弱くなっています。"),
    "leaflet.why.limb_tissue_threat": ("The blood flow to your foot is so poor that it needs "
                                       "care quickly.",
                                       "足先への血の流れがとても悪く、急いで治療が必要です。"),
    "leaflet.why.self_pay": ("You have said you would consider a self-pay treatment.",
                             "自費診療の治療も検討したいとのご希望があります。"),
    "leaflet.why.further": ("You would like your knee to get better than it is now.",
                            "今よりさらに良くなることを希望されています。"),
    "leaflet.why.weight": ("Losing weight takes load off the knees.",
                           "体重を減らすと、膝の負担が軽くなります。"),
    "leaflet.why.care_failed": ("The insured knee treatment has not helped enough.",
                                "保険診療の膝の治療を続けても、十分に良くなりませんでした。"),
    "leaflet.why.care_first": ("First we see whether the insured knee treatment helps.",
                               "まず保険診療の膝の治療で良くなるかを確かめます。"),
    "leaflet.why.history": ("Treatment you have had: {history}.",
                            "これまでに受けた治療：{history}。"),
    "leaflet.why.examined": ("Your doctor proposes it from your examination and tests.",
                             "診察と検査の結果から、医師が提案しています。"),
    # --- the self-pay consent form (consent.py) ------------------------------
    "consent.title": ("Self-pay treatment: explanation and consent", "自由診療 説明書・同意書"),
    "consent.patient": ("Patient", "患者ID"),
    "consent.date": ("Date", "説明日"),
    "consent.item": ("Treatment", "治療"),
    "consent.treatment_content": ("What the treatment is", "治療の内容"),
    "consent.sessions_and_period": ("Sessions and period", "治療の回数と期間"),
    "consent.self_pay_cost": ("Cost (self-pay)", "費用（自費）"),
    "consent.main_risks": ("Main risks and side effects", "主なリスク・副作用"),
    "consent.insured_alternatives": ("What insurance still offers", "保険診療で受けられる他の治療"),
    "consent.tried": ("Insured care you have had", "これまでに受けた保険診療"),
    "consent.remaining": ("Insured care in your plan now", "現在の計画にある保険診療"),
    "consent.separate_from_insured_care": ("Kept separate from insured care (no mixed billing)",
                                           "保険診療との関係（混合診療の禁止）"),
    "consent.off_label_use": ("Off-label use", "適応外使用について"),
    "consent.unapproved_product": ("Unapproved product", "未承認製品について"),
    "consent.procurement_route": ("How the product is obtained", "入手経路"),
    "consent.domestic_approved_alternatives": ("Approved alternatives in Japan",
                                               "国内で承認された代替手段"),
    "consent.foreign_safety_information": ("Safety information from other countries",
                                           "諸外国での安全性情報"),
    "consent.relief_system_not_covered": ("Adverse-drug-reaction relief system",
                                          "医薬品副作用被害救済制度"),
    "consent.reasons": ("Why you are considering it", "この治療を検討する理由"),
    "consent.evidence_plain": ("What the research says", "効果について"),
    "consent.withdrawal": ("Withdrawing consent, and time to think", "同意の撤回と熟慮期間"),
    "consent.agree": ("I have received this explanation, understood it, and consent to the "
                              "treatment.",
                      "私は上記の説明を受けて理解し、この治療を受けることに同意します。"),
    "consent.patient_sign": ("Patient's signature", "患者署名"),
    "consent.doctor_sign": ("Explaining doctor's signature", "説明した医師の署名"),
    "consent.signed_on": ("Date", "日付"),
    "consent.none": ("none", "なし"),
    "consent.weeks": ("{n} weeks, {r}", "{n}週間、{r}"),
    "consent.footer": ("Form {form}; {name} {version} ({digest}); made by careflow {careflow} on "
                       "{date}.",
                       "様式 {form}、{name} {version}（{digest}）、careflow {careflow} により "
                       "{date} に作成。"),
    "consent.yen": ("{price:,} yen", "{price:,}円"),
    # --- the protocol book (book.py) -----------------------------------------
    "book.title": ("Protocol book", "治療プロトコル"),
    "book.digest": ("Rule-set digest", "ルールセットのダイジェスト"),
    "book.digest_text": ("The digest is computed from the rules and parameters; it changes with "
                         "them, and every plan records the digest of the protocol that made it.",
                         "ダイジェストはルールとパラメータの内容から計算される識別値です。内容が"
                         "変わると値も変わり、治療計画には計画を作成したプロトコルの値が記録されます。"),
    "book.summary": ("{rules} decisions (rules), {scenarios} specifying scenarios, {params} "
                     "parameters, {evidence} evidence sources.",
                     "判断（ルール）{rules} 件、仕様シナリオ {scenarios} 件、"
                     "パラメータ {params} 件、"
                     "エビデンス {evidence} 件。"),
    "book.generated": ("Generated by careflow from the rules and feature files; do not edit "
                            "by hand.",
                       "本書は careflow がルールと仕様シナリオから自動生成したものです。"
                       "直接編集しないでください。"),
    "book.contents": ("Contents", "目次"),
    "book.how": ("How to read this book", "この文書の読み方"),
    "book.how_text": (
        "Each decision is one rule: when its conditions hold for a leg (or for the whole "
        "patient), it does what it says. Numbers written as $name are parameters: their "
        "values and sources are listed with each decision and in the parameter table, and a "
        "clinic may change them without editing rules. Evidence and parameters carry a "
        "verification tag: [V] verified, [S] secondary source only, [U] unverified. A [U] "
        "number is not settled.",
        "本書は当院の膝と下肢静脈の診療プロトコルを、判断（ルール）ごとにまとめたものです。"
        "各判断は、条件がその脚（または患者全体）について満たされたときに、記載の結果を"
        "出します。"),
    "book.reading": ("Reading a decision", "各判断の見方"),
    "book.statuses": ("Statuses", "ステータス"),
    "book.statuses_text": (
        "When several decisions give the same item different statuses, the strongest wins: "
        "contraindicated, then not recommended, then deferred, then recommended or option, "
        "then next step.",
        "同じ項目に複数の判断が異なるステータスを出したときは、強いものが採用されます："
        "禁忌 ＞ 非推奨 ＞ 保留 ＞ 推奨・選択肢 ＞ 次の段階。"),
    "book.verification": ("Verification tags", "確認の程度"),
    "book.verification_text": (
        "Evidence and parameters carry a tag saying how far their source was checked. A [U] "
        "number is not settled.",
        "エビデンスとパラメータには、出典をどこまで確認したかを示すタグがあります。"
        "[U] の数値や根拠は確定したものではありません。"),
    "book.paths": ("Escalation paths", "治療の段階"),
    "book.paths_text": (
        "Per track, the phases from left to right, each with the actions rules of that track "
        "can give; where a phase holds care paid for in different ways, its actions are "
        "grouped by who pays, and an action marked * is billed otherwise in some cases (see "
        "the note under the diagram). An arrow is labelled with the finding the next phase "
        "needs; a dashed arrow comes from another track.",
        "治療の流れごとに、左から右へ段階を示します。各段階には、その段階でルールが提示"
        "しうる項目を記載しています。費用の扱いが異なる項目は「保険診療」「自費」などに分けて"
        "示し、※印の項目には図の下に注記があります。矢印には次の段階に必要な所見を記載し、"
        "点線の矢印は他の治療の流れとの関係を示します。"),
    "book.decisions": ("Decisions", "判断"),
    "book.scope": ("Applies to", "対象"),
    "book.scope_leg": ("each leg", "脚ごと"),
    "book.scope_patient": ("the whole patient", "患者全体"),
    "book.when": ("When", "条件"),
    "book.always": ("always", "常に"),
    "book.then": ("Then", "結果"),
    "book.parameters": ("Parameters", "パラメータ"),
    "book.evidence": ("Evidence", "エビデンス"),
    "book.scenarios": ("Specified by", "仕様シナリオ"),
    "book.no_scenario": ("no scenario names this rule", "このルールを指定するシナリオはありません"),
    "book.note": ("Note", "注記"),
    "book.dev_note_here": ("Note", "開発者向け注記"),
    "book.dev_note_link": ("see the developers' notes", "付録を参照"),
    "book.defined": ("Defined in", "定義"),
    "book.priority": ("priority", "優先度"),
    "book.findings": ("Findings", "所見"),
    "book.findings_text": ("Facts the rules derive from the patient document; plan reasons show "
                           "them.", "ルールが患者情報から導く所見です。治療計画の根拠として"
                           "表示されます。"),
    "book.code": ("code", "識別名"),
    "book.derived_by": ("derived by", "導出ルール"),
    "book.used_by": ("used by", "使用ルール"),
    "book.param_table": ("Parameters", "パラメータ"),
    "book.param_text": ("Numbers (thresholds) the clinic may change; sources are quoted as "
                             "written.",
                             "施設で変更できる数値（閾値）です。出典は日本語で記載し、文献名などは原文のまま示します。"),
    "book.name": ("name", "名前"),
    "book.value": ("value", "値"),
    "book.meaning": ("meaning", "意味"),
    "book.source": ("source", "出典"),
    "book.param_source": ("source", "出典"),
    "book.checked": ("checked", "確認"),
    "book.grade": ("grade", "推奨度・エビデンスレベル"),
    "book.grade_as_written": ("grade", "推奨度・エビデンスレベル"),
    "book.cited_by": ("cited by", "引用ルール"),
    "book.evidence_id": ("id", "ID"),
    "book.evidence_summary": ("summary", "内容"),
    "book.evidence_ref": ("reference", "文献"),
    "book.evidence_text": ("Each evidence source, summarised, with its reference; grades are "
                                "written as the source writes them.",
                                "各エビデンスの内容（日本語の要約）と文献です。推奨度・エビデンス"
                                "レベルは日本語で記載し、GRADEやクラスなどの記号は出典の表記のまま"
                                "示します。"),
    "book.no_reference": ("none", "なし"),
    "book.scenario_section": ("Scenarios", "シナリオ"),
    "book.scenario_text": ("The feature files are the clinic's documented protocol: each scenario "
                           "is an executable example, run by the test suite.",
                           "仕様シナリオは当院のプロトコルを具体例で記述したものです。各シナリオは"
                           "テストで自動的に実行され、ルールがそのとおりに判断することを確認します。"),
    "book.specifies": ("specifies", "対象ルール"),
    "book.rule_block": ("rule", "ルール"),
    "book.uncovered": ("Rules without a scenario", "シナリオのないルール"),
    "book.dev_notes": ("Developers' notes", "開発者向け注記"),
    "book.dev_notes_text": ("The English notes on rules and evidence (the developers' and "
                                 "reviewers' record), as written.",
                                 "ルールとエビデンスに付けられた英語の注記（開発・レビュー用の記録）を"
                                 "原文のまま掲載します。"),
    "book.dev_rule_notes": ("Rules", "ルールの注記"),
    "book.dev_evidence_notes": ("Evidence", "エビデンスの確認記録"),
    "book.unknown_fact": ("unknown", "不明"),
    "book.finding": ("finding", "所見"),
    "book.holds": ("puts on hold (deferred)", "保留にする"),
    "book.hold_this": ("this leg", "この脚"),
    "book.hold_patient": ("whole-patient items", "患者全体の項目"),
    "book.hold_any": ("every leg", "すべての脚"),
    "book.adds": ("adds to", "追記"),
    "book.disclose": ("tell the patient", "患者への説明"),
    "book.precautions": ("precautions", "注意点"),
    "book.coverage": ("coverage", "保険"),
    "book.reason": ("because of", "理由"),
    "book.urgency": ("urgency", "緊急度"),
    "book.whole_patient": ("whole patient", "患者全体"),
    "book.any_of": ("any of:", "次のいずれか："),
    "book.all_of": ("all of:", "次のすべて："),
    "book.none_of": ("none of:", "次のいずれでもない："),
    "book.not_all": ("not all of:", "次のすべてを同時には満たさない："),
    "book.unless": ("unless it is established that:", "次が確定していない場合（未確認を含む）："),
    "book.is_known": ("is known", "判明している"),
    "book.is_unknown": ("is unknown (not recorded)", "不明（未記録）"),
    "book.one_of": ("is one of", "のいずれか"),
    "book.none_of_values": ("is none of", "のいずれでもない"),
    # --- the impact of a rule change (impact_report.py) ------------------------------
    "impact.title": ("Impact of a rule change", "ルール変更の影響"),
    "impact.old": ("before", "変更前"),
    "impact.new": ("after", "変更後"),
    "impact.region": ("Where the plans differ (every patient the model allows)",
                      "計画が変わる範囲（患者モデルが許すすべての患者）"),
    "impact.unknown_value": ("{name} unknown", "{name}が不明"),
    "impact.none": ("No patient's plan differs.", "どの患者の計画も変わらない。"),
    "impact.facts": ("Facts the change touches", "変更が関わる所見"),
    "impact.no_fact": ("(no fact: an output of a rule changed)",
                       "（所見の条件ではなく、ルールの出力が変わった）"),
    "impact.change": ("{where}: {action} goes from {olds} to {new}",
                      "{where}では、{action}が{olds}から{new}に変わる"),
    "impact.anywhere": ("any patient", "すべての患者"),
    "impact.every": ("every such patient", "該当する患者すべて"),
    "impact.some": ("some such patients, depending on other facts",
                    "他の所見によっては変わらない患者もいる"),
    "impact.unchanged": ("No change for {side} when {where}",
                         "{side}で変化がないのは、{where}の場合"),
    "impact.or": (" or ", "または"),
    "impact.absent": ("not in the plan", "計画になし"),
    "impact.engine_no": ("the rule engine does not confirm this change ({got}): a bug in the "
                         "solver or the engine", "ルールエンジンがこの変化を再現しない（{got}）："
                         "ソルバーかエンジンの不具合"),
    "impact.boundaries": ("Boundary scenarios to add (the region's edges)",
                          "追加すべき境界シナリオ（変化する範囲の端）"),
    "impact.inside": ("inside the region", "変化する範囲の内側"),
    "impact.outside": ("just outside the region", "変化する範囲のすぐ外側"),
    "impact.population": ("Population", "対象集団"),
    "impact.records": ("{n} patients in {source}; {m} inside the region, evaluated under the old "
                       "rules, {k} of them also under the new ones (the others are proven "
                       "unchanged: outside the region, or their old items start no change)",
                       "{source} の {n} 人のうち {m} 人が変化する範囲内で変更前のルールで評価、"
                       "うち {k} 人は変更後のルールでも評価（残りは範囲外か、変化の起点となる"
                       "結果がないため、計画が変わらないことが証明済み）"),
    "impact.affected": ("{n} patients' plans change", "{n} 人の計画が変わる"),
    "impact.count": ("{action}: {old} -> {new}: {n} items",
                     "{action}：{old} → {new}：{n} 件"),
    "impact.bad": ("{n} records could not be read (lines {lines})",
                   "{n} 件のレコードを読めなかった（{lines} 行目）"),
    "impact.missed": ("{n} patients' plans differ outside the region: the region is wrong",
                      "{n} 人は変化する範囲の外で計画が変わった：範囲の計算の誤り"),
    "impact.patient": ("patient {id} (line {line})", "患者 {id}（{line} 行目）"),
    "impact.rules_old": ("before only", "変更前のみ"),
    "impact.decides": ("decides the item", "この項目を決定"),
    "impact.claim": ("claims a weaker status", "別の判定（採用されず）"),
    "impact.hold": ("holds the item", "保留の理由"),
    "impact.annotate": ("adds a detail", "詳細・注記を追加"),
    "impact.rules_new": ("after only", "変更後のみ"),
    "impact.more": ("... and {n} more (all in the JSON)", "…ほか {n} 人（JSONにすべて）"),
    "impact.proves": ("Proven for every patient document the patient model accepts, with the "
                      "facts the rules read; nothing outside the model is covered.",
                      "患者モデルが受け付けるすべての患者について、ルールが読む所見で証明した結果。"
                      "モデルの外のことは対象外。"),
    "book.flag": ("protocol setting", "当院の設定"),
    "book.track": ("Track", "治療の流れ"),
    "book.protocol": ("Protocol", "プロトコル"),
    "book.default": ("default", "既定値"),
    # --- why not (careflow plan --why-not, docs/why-not.md) --------------------------------
    "whynot.subject": ("{action} ({side})", "{side}の{action}"),
    "whynot.would_be": ("{subject} would be {status} {changes}.",
                        "{changes}、{subject}は{status}になります。"),
    "whynot.and": (" and ", "、"),
    "whynot.already": ("{subject} is already {status}: nothing needs to change.",
                       "{subject}はすでに{status}です。変える必要のある事実はありません。"),
    "whynot.safety": ("For safety, no change of the facts that can change makes {subject} "
                      "recommended or an option (decided by: {rule}).",
                      "安全上の理由で、事実を変えても{subject}は推奨にも選択肢にもなりません"
                      "（決め手：{rule}）。"),
    "whynot.none": ("No change of the facts that can change makes {subject} recommended or an "
                    "option (decided by: {rule}).",
                    "変えうる事実をどう変えても、{subject}は推奨にも選択肢にもなりません"
                    "（決め手：{rule}）。"),
    "whynot.no_rule": ("no rule offers it to this patient", "この患者に提示するルールがない"),
    "whynot.unconfirmed": ("The solver's answer for {subject} is not confirmed by the rule "
                           "engine: {error}",
                           "{subject}について、ソルバーの答えをルールエンジンで確認できません"
                           "でした（符号化とエンジンの不一致）：{error}"),
    "whynot.over": ("over {x}", "{x}超"),
    "whynot.at_least": ("at least {x}", "{x}以上"),
    "whynot.below": ("below {x}", "{x}未満"),
    "whynot.at_most": ("at most {x}", "{x}以下"),
    "whynot.range": ("{low} and {high}", "{low}{high}"),
    "whynot.an_option": ("an option", "選択肢"),
    "whynot.would": ("{status} if: {changes}", "{status}になる条件：{changes}"),
    "whynot.cannot": ("no change of the facts that can change makes it available: {rule}",
                      "変えうる事実では提示できない：{rule}"),
    "whynot.course": ("{treatment}, weeks", "{treatment}の期間（週）"),
}


# What each action is, in the words of a health-education leaflet (the patient's
# explanation, careflow/export/leaflet.py): (English, Japanese)
ACTION_EXPLAINED: dict[str, tuple[str, str]] = {
    "duplex_ultrasound": (
        "An ultrasound scan of the leg veins. It does not hurt.",
        "脚の血管を超音波で調べる検査です。痛みはありません。"),
    "knee_xray": (
        "An X-ray of the knee to see the state of the joint.",
        "膝の骨の状態をレントゲンで調べる検査です。"),
    "abi_measurement": (
        "Blood pressure is measured at the arm and ankle to check the arteries of the leg.",
        "腕と足首の血圧を測り、足の動脈の流れを調べる検査です。"),
    "toe_pressure": (
        "Blood pressure is measured at the toe to check the blood flow.",
        "足の指の血圧を測り、足先の血流を調べる検査です。"),
    "blood_test": (
        "A blood test of how well the kidneys work (eGFR).",
        "腎臓の働きを調べる血液検査です。"),
    "d_dimer": (
        "A blood test that helps rule out a blood clot.",
        "血の固まり（血栓）がないかを調べる血液検査です。"),
    "pregnancy_test": (
        "A test to make sure you are not pregnant.",
        "妊娠していないことを確かめる検査です。"),
    "exercise_therapy": (
        "Exercises, taught and supervised, that strengthen the muscles that support the knee.",
        "専門家の指導のもとで、膝を支える筋肉を鍛える運動を行います。"),
    "topical_nsaid": (
        "A pain-relieving patch or gel on the knee.",
        "痛み止めの湿布や塗り薬を膝に使います。"),
    "oral_analgesic": (
        "Pain-relieving tablets, starting with acetaminophen.",
        "痛み止めの飲み薬です。まずアセトアミノフェンを使います。"),
    "hyaluronic_acid_injection": (
        "An injection of hyaluronic acid into the knee joint.",
        "膝の関節にヒアルロン酸を注射し、動きをなめらかにします。"),
    "steroid_injection": (
        "A steroid injection into the knee joint to calm pain and inflammation.",
        "膝の関節にステロイドを注射し、炎症と痛みを抑えます。"),
    "compression_stockings": (
        "Medical stockings that squeeze the leg gently and help the blood flow back to the "
        "heart.",
        "脚を適度に締めつける医療用のストッキングで、血液が心臓に戻るのを助けます。"),
    "endovenous_thermal_ablation": (
        "The faulty vein is closed from inside with heat through a thin tube; a day "
        "procedure covered by insurance.",
        "逆流している静脈を、細い管を入れて内側から熱で閉じる治療です。日帰りで行い、保険診療"
        "です。"),
    "cyanoacrylate_closure": (
        "The faulty vein is closed from inside with a medical glue, without heat; covered by "
        "insurance.",
        "逆流している静脈を、医療用の接着剤で内側から閉じる治療です。熱を使いません。保険診療"
        "です。"),
    "wound_care": (
        "Care of the ulcer so that it heals.",
        "潰瘍（皮膚の傷）を清潔に保ち、治りやすくする処置です。"),
    "haemostasis": (
        "The bleeding vein is pressed and bandaged to stop the bleeding.",
        "出血した静脈を押さえて止血し、包帯で圧迫します。"),
    "anticoagulation": (
        "Medicine that stops a blood clot from growing.",
        "血の固まり（血栓）が大きくならないようにする薬の治療です。"),
    "pad_management": (
        "Walking exercise, a review of medicines and of risk factors, for narrowed leg "
        "arteries.",
        "足の動脈の病気に対して、歩く運動、薬の見直し、生活習慣の改善を行います。"),
    "intra_arterial_injection": (
        "Tiny abnormal blood vessels around the knee are blocked through a catheter. "
        "Self-pay.",
        "膝のまわりの異常な細い血管を、カテーテルで細かく塞ぐ治療です（運動器カテーテル治療）。"
        "自費診療です。"),
    "exosome_injection": (
        "An injection of cell-derived particles (exosomes) into the knee; no product is "
        "approved in Japan. Self-pay.",
        "細胞から得た成分（エクソソーム）を膝に注射する治療です。国内で承認された製品はありま"
        "せん。自費診療です。"),
    "medical_diet": (
        "A doctor-supervised diet and exercise programme to take weight off the knees. "
        "Self-pay.",
        "医師の管理のもとで、食事と運動で体重を減らし、膝の負担を軽くします。自費診療です。"),
    "referral": (
        "A referral to a specialist service.",
        "専門の医療機関で診てもらうための紹介です。"),
}


# --- the protocol book's tables (book.py) ------------------------------------------------
# how a decision reads, part by part (the Japanese book's "reading" list)
BOOK_READING: tuple[tuple[str, str], ...] = (
    ("ルールID", "見出しの英大文字の名前（例：SAFETY_SUSPECTED_DVT）はルールの識別名です。"
                 "治療計画の根拠やシナリオはこの名前で判断を参照します。"),
    ("対象", "脚ごとに判断するか、患者全体で判断するか。"),
    ("条件", "記載の条件をすべて満たすときに判断が適用されます。記録のない項目は「不明」と"
             "して扱い、不明な値による比較は満たされたとはみなしません。「次が確定していない"
             "場合」は未確認の場合も含みます。"),
    ("結果", "提示する項目とそのステータス、導く所見、保留にする項目、項目に追記する内容"
             "（圧迫圧・注意点・患者への説明など）。"),
    ("パラメータ", "$名前 は施設で変更できる数値（閾値）で、現在の値、意味、出典を記載します。"
                   "ルールを書き換えずに変更できます。"),
    ("エビデンス", "根拠の要約と文献。推奨度・エビデンスレベルは日本語で記載し、GRADEやクラス"
                   "などの記号は出典の表記のまま示します。"),
    ("仕様シナリオ", "この判断を具体例で定めたシナリオ。"),
    ("定義", "ルールファイル内の場所と優先度（数字が小さいほど治療計画の上位に表示され、"
             "同じ強さの判断が重なったときに優先されます）。"),
)

STATUS_MEANING = {
    "recommended": ("do this now", "今行う"),
    "option": ("an acceptable alternative now; doctor and patient choose",
               "現時点で選べる代替案（医師と患者で選択）"),
    "next_step": ("what comes next if the current step fails at review",
                  "再評価で改善がなければ次に行う"),
    "deferred": ("on hold until something is known or resolved",
                 "判明・解決するまで保留"),
    "not_recommended": ("the pathway leads here but it is not advised: tried without benefit, "
                        "not tolerated, low expected benefit, or the clinic's policy",
                        "適応の流れにはあるが勧めない（効果がなかった、継続できなかった、"
                        "期待される効果が小さい、または当院方針による）"),
    "contraindicated": ("a safety block: the package insert, a guideline or a danger sign "
                        "forbids it", "添付文書・ガイドライン・危険徴候による安全上の禁止"
                        "（行わない）"),
}

VERIFICATION_MEANING = {
    "V": ("the primary source itself was read", "原典そのものを確認した"),
    "S": ("only a secondary account was read; to be checked against the primary",
          "二次資料のみで確認した（原典での確認が必要）"),
    "U": ("not verified, or the sources conflict: not settled",
          "未確認、または資料間で食い違いがある（確定していない）"),
}

# the Japanese introduction of each area (a rule file may give its own: `title_ja:`)
AREA_INTRO_JA = {
    "safety": "危険徴候の確認：危険徴候があれば待機的な処置を止めますが、急ぎの処置は止めません。"
              "静脈血栓症と静脈瘤からの出血は当院で対応し、当院で行わないものは紹介します。",
    "assessment": "検査：先に確認すべきことと、その結果を待つもの。",
    "findings": "所見：ルールが患者情報から導く所見。",
    "knee": "膝の治療のうち保険診療：運動療法、鎮痛薬、関節内注射。",
    "veins": "静脈の治療：弾性ストッキング、表在静脈血栓症、血管内治療。",
    "self_pay": "膝の治療のうち自費診療：動注治療、エクソソーム注射、メディカルダイエット。"
                "患者が自費診療を希望する場合に限り、その膝の保険診療で改善しなかった後に"
                "選択肢となります。",
    "advice": "生活指導と動脈のケア：きっかけとなる習慣や所見があれば、いつでも行います。",
    "follow_up": "経過観察：再評価の時期と治療の段階。",
}

# parameter units in Japanese (others, such as mmHg, ms or mm, are written as they are)
UNITS_JA = {
    "weeks": "週", "years": "歳", "days": "日", "hours": "時間", "hours/day": "時間/日",
    "drinks of 10 g/week": "ドリンク/週（1ドリンク＝純アルコール10 g）",
}


def say(key: str, lang: str, **fields: object) -> str:
    """The phrase `key` in `lang`, its `{fields}` filled in when any are given."""
    text = PHRASES[key][lang_index(lang)]
    return text.format(**fields) if fields else text


def heading(key: str, lang: str, **fields: object) -> str:
    """The phrase with a capital first letter (English): a heading or a label before a colon."""
    text = say(key, lang, **fields)
    return text[:1].upper() + text[1:] if lang == "en" else text


# --- punctuation ------------------------------------------------------------------------
def colon(lang: str) -> str:
    return ": " if lang == "en" else "："


def paren(text: str, lang: str) -> str:
    """` (text)` in English, `（text）` in Japanese."""
    return f" ({text})" if lang == "en" else f"（{text}）"


def list_sep(lang: str) -> str:
    """Between the entries of an item's list (precautions, checked facts, disclosures)."""
    return "; " if lang == "en" else "、"


def names_sep(lang: str) -> str:
    """Between names in a run of text (the questions not asked)."""
    return ", " if lang == "en" else "、"


def items(entries: Iterable[str], lang: str) -> str:
    """Entries joined as a list, each once, in order."""
    return list_sep(lang).join(dict.fromkeys(entries))


# --- escaping -----------------------------------------------------------------------------
def md(text: str) -> str:
    """Text made literal in Markdown (CommonMark backslash escapes)."""
    return re.sub(r"([\\`*_\[\]<>#|])", r"\\\1", text)


def html(text: str) -> str:
    """Text made literal in HTML (and in an attribute value)."""
    return escape(text)


# --- titles -----------------------------------------------------------------------------
def rule_title(rule: Rule, lang: str = "en") -> str:
    """A rule's title for `lang`: `title_ja` for "ja" when the rule has one, else `title`."""
    return rule.title_ja if lang == "ja" and rule.title_ja else rule.title


def _shipped() -> Rulebook | None:
    """The shipped rule set, where the words of a plan's rule ids and evidence are looked up;
    None when it does not load (the plan's own English words are shown then)."""
    from ..rulebook import default_rulebook

    try:
        return default_rulebook()
    except RulebookError:
        return None


def item_title(item: Item, lang: str = "en", rulebook: Rulebook | None = None) -> str:
    """The title of the rule that decided a plan item, for `lang`.

    The plan carries the English title only; the Japanese one is looked up by the item's rule
    id in `rulebook` (default: the shipped rule set). If that rule set has no such rule, or
    its rule has another English title (the plan came from other rules), or no `title_ja`, the
    item's own (English) title is shown.
    """
    if lang != "ja":
        return item.title
    rulebook = _shipped() if rulebook is None else rulebook
    if rulebook is None:
        return item.title
    compiled = rulebook.rules.get(item.rule)
    if compiled is None or (item.title and compiled.rule.title != item.title):
        return item.title
    return rule_title(compiled.rule, lang) or item.title


def evidence_line(e: Evidence, lang: str = "en") -> str:
    """`[V] source (grade) - note` (English) or `[V] 日本語の要約` (Japanese): one evidence
    entry as the text and terminal plans print it."""
    name, detail = evidence_words(e, lang)
    return f"[{e.verification}] {name}" + (f" {detail}" if detail else "")


def evidence_words(e: Evidence, lang: str = "en",
                   rulebook: Rulebook | None = None) -> tuple[str, str]:
    """An evidence entry as (name, detail) for `lang`.

    English: the source and `(grade) - note`. Japanese: the source's Japanese summary from
    `rulebook` (default: the shipped rule set), matched by its source and grade, and no detail
    (the grade and the verification note are the developers' English record, kept in the
    book's appendix); an entry the rule set does not have keeps its English words."""
    english = (e.source, f"({e.grade})" + (f" - {e.note}" if e.note else ""))
    if lang != "ja":
        return english
    rulebook = _shipped() if rulebook is None else rulebook
    if rulebook is None:
        return english
    for entry in rulebook.evidence.values():
        if entry.source == e.source and entry.grade == e.grade and entry.summary_ja:
            return entry.summary_ja, ""
    return english


# --- facts ------------------------------------------------------------------------------
def fact_name(fact: str, side: str | None, lang: str) -> str:
    """A fact's label, without the leg when it is `side`'s (the item already says its leg)."""
    text = reason_label(fact, lang)
    if side:
        for prefix in (f"{label('side', side, lang)}：", f"{label('side', side, lang)}: "):
            if text.startswith(prefix):
                return text[len(prefix):]
    return text


# English labels that are not nouns: "no prefers treatment without heat" does not read, so
# a false one is said "prefers treatment without heat: no"; likewise a derived fact read by
# its truth (「…：確認されていない」) in either language
_NOT_A_NOUN = re.compile(r"^(accepts|prefers|pregnant|relieved|sits|wants|worse|qualifies)\b"
                         r"|\b(done|before)$|not (established|excluded)$|されていない$"
                         r"|(なる|悪化|希望)$")


def said(fact: str, value: object, side: str | None, lang: str) -> str:
    """「ABI 1.05」, 「造影剤アレルギーなし」, "no contrast-media allergy", 「ヒアルロン酸注射
    14週間（効果なし）」: a fact and its value as a doctor writes it."""
    if _is_history(fact, value):
        return history(value, lang, side)  # type: ignore[arg-type]
    return said_value(fact_name(fact, side, lang), value, lang)


def said_value(name: str, value: object, lang: str) -> str:
    """A named value as `said` says it: 「ABI 1.05」, 「造影剤アレルギーなし」, "no X"."""
    if isinstance(value, bool):
        return _said_truth(name, value, lang)
    return f"{name} {value_label(value, lang)}"


def _said_truth(name: str, value: bool, lang: str) -> str:
    """A yes/no fact: 「Xなし」, "no X", "left leg: no X", "not pregnant", "prefers X: no"."""
    if lang == "en" and ": " in name and not _NOT_A_NOUN.search(name):
        prefix, rest = name.rsplit(": ", 1)
        return f"{prefix}: {_said_truth(rest, value, lang)}"
    if _NOT_A_NOUN.search(name):
        if value:
            return name
        if lang == "en" and name.split(" ", 1)[0] in ("pregnant", "relieved", "worse"):
            return f"not {name}"
        return f"{name}{colon(lang)}{value_label(value, lang)}"
    return say("yes_fact" if value else "no_fact", lang, name=name)


def _is_history(fact: str, value: object) -> bool:
    return fact.startswith("history[") and isinstance(value, dict)


def history(entry: dict[str, object], lang: str, side: str | None = None) -> str:
    """A treatment-history entry as a doctor writes it: 「ヒアルロン酸注射 14週間（効果なし）」,
    "hyaluronic acid injection, 14 weeks (no response)"; its leg first (「左脚：」) unless it
    is `side`, the leg the sentence is already about."""
    words = label("action", str(entry.get("treatment")), lang)
    weeks = entry.get("weeks")
    if weeks is not None:
        words += say("history.weeks", lang, n=weeks)
    response = entry.get("response")
    if response is not None:
        words += paren(label("response", str(response), lang), lang)
    leg = entry.get("side")
    if leg and leg != side:
        words = label("side", str(leg), lang) + colon(lang) + words
    return words


def reason_line(reason: Reason, lang: str) -> str:
    """`right leg: CEAP clinical class = 2 (venous disease)`: a reason, the findings it was
    derived through after it, and on a plan made from a FHIR bundle the resources it came
    from (source_suffix). A treatment-history entry is said as one (`history`):
    `treatment history: left leg: hyaluronic acid injection, 14 weeks (no response)`."""
    if _is_history(reason.fact, reason.value):
        line = say("history", lang) + colon(lang) + history(reason.value, lang)
    elif reason.kind != "input" and reason.value is True:
        line = reason_label(reason.fact, lang)  # a derived fact's own words say its state
    elif isinstance(reason.value, (bool, int, float)):
        line = said_value(reason_label(reason.fact, lang), reason.value, lang)
    else:  # a list or a code: "vein symptoms: bulging veins, evening swelling"
        line = reason_label(reason.fact, lang) + colon(lang) + value_label(reason.value, lang)
    if reason.via:
        line += paren(" ← ".join(reason_label(f, lang) for f in reason.via), lang)
    return line + source_suffix(reason.source, lang)


def source_suffix(source: tuple[str, ...] | None, lang: str = "en") -> str:
    """` [from Observation/abi-right]`: the resources a fact came from, on plans made from a
    FHIR bundle (docs/fhir-in.md#report); empty otherwise."""
    if not source:
        return ""
    names = ", ".join(dict.fromkeys(s.split(" ", 1)[0] for s in source))
    return say("from_source", lang, names=names)


def mapping_lines(plan: Plan, lang: str = "en") -> list[str]:
    """What the FHIR bundle did not give, for the doctor: codes not recognised, resources set
    aside and facts left unknown (docs/fhir-in.md#report); nothing for other plans."""
    report = plan.mapping
    if report is None:
        return []
    out = [f"== {say('fhir_input', lang)} =="]
    for head, notes in (("fhir_unrecognised", report.unrecognised),
                        ("fhir_not_used", report.not_used), ("fhir_unknown", report.unknown)):
        for n in notes:
            where = " ".join(x for x in (n.resource, n.element) if x)
            what = f" ({n.fact})" if n.fact else ""
            code = f" [{n.code}]" if n.code else ""
            out.append(f"- {say(head, lang)}{colon(lang)}{where or n.fact}"
                       f"{what if where else ''}{code}{colon(lang)}{n.reason}")
    return out if len(out) > 1 else []


def reason_text(item: Item, lang: str = "en") -> list[str]:
    """The reasons of an item as readable lines (`reason_line` each)."""
    return [reason_line(r, lang) for r in item.reasons]


def checked_facts(item: Item, lang: str) -> list[str]:
    """The values that excluded the item's contraindications, each once. A value that is
    unknown excluded nothing by itself (the one beside it did, as with a toe pressure not
    measured beside a reliable ABI), so it is left out."""
    return list(dict.fromkeys(_fact_value(c, item.side, lang) for c in item.checked
                              if c.value is not None))


def _fact_value(c: Check, side: str | None, lang: str) -> str:
    return said(c.fact, c.value, side, lang)


def checked_line(item: Item, lang: str) -> str:
    """`ankle-brachial index 1.05; no signs of acute limb ischaemia` (「ABI 1.05、急性虚血の
    徴候なし」): each fact as `said` says it."""
    return list_sep(lang).join(checked_facts(item, lang))


def unchecked_facts(item: Item, lang: str) -> list[str]:
    """The facts whose contraindications could not be checked (value unknown), each once."""
    return list(dict.fromkeys(fact_name(c.fact, item.side, lang) for c in item.unchecked))


def unchecked_line(item: Item, lang: str) -> str:
    return list_sep(lang).join(unchecked_facts(item, lang))


def considered_line(c: Considered, lang: str) -> str:
    """`right leg: endovenous thermal ablation - great saphenous reflux (ms) = 400 (needs >
    500)` (「右脚の血管内焼灼術：大伏在静脈の逆流時間（ms） = 400（必要条件 > 500）」): a
    treatment not offered and the facts that stopped it, the leg said once."""
    parts = [f"{fact_name(u.fact, c.side, lang)} = {value_label(u.value, lang)}"
             + paren(f"{say('needs', lang)} {u.needs}", lang) for u in c.unmet]
    parts += [f"{fact_name(f, c.side, lang)} = {say('unknown', lang)}" for f in c.unknown]
    line = say("considered.line", lang, side=label("side", c.side, lang),
               action=label("action", c.action, lang), facts=list_sep(lang).join(parts))
    found = c.would_make_available
    if found is None:
        return line
    if found.status is None:
        rule = _rule_words(found.rule, lang) if found.rule else say("whynot.no_rule", lang)
        return line + paren(say("whynot.cannot", lang, rule=rule), lang)
    changes = list_sep(lang).join(
        f"{_change_name(ch.fact, c.side, lang)} {ch.needs}" for ch in found.changes)
    return line + paren(say("whynot.would", lang, status=label("status", found.status, lang),
                            changes=changes), lang)


def _change_name(fact: str, side: str | None, lang: str) -> str:
    """A changed fact's name: a course by its treatment, a value by its label."""
    if ".history." in fact:
        return say("whynot.course", lang,
                   treatment=label("action", fact.rsplit(".", 1)[1], lang))
    return fact_name(fact, side, lang)


def _rule_words(rule_id: str, lang: str, rulebook: Rulebook | None = None) -> str:
    """A rule's title in `lang` (the shipped rule set's unless one is given), else its id."""
    rulebook = _shipped() if rulebook is None else rulebook
    if rulebook is None:
        return rule_id
    compiled = rulebook.rules.get(rule_id)
    return rule_title(compiled.rule, lang) if compiled else rule_id


def protocol_line(plan: Plan, lang: str) -> str:
    """`Protocol: careflow-knee-vein-protocol 3.2.0 (sha256:1c22788d3f2c), careflow 0.3.0`
    (「プロトコル：…（sha256:…）、careflow 0.3.0」): the rule set that made the plan and the
    careflow that ran it, as the text and terminal plans head it."""
    p = plan.protocol
    return heading("protocol", lang) + colon(lang) + f"{p.name} {p.version}" \
        + paren(p.digest[:19], lang) + list_sep(lang) + f"careflow {p.careflow}"


def questions_line(plan: Plan, lang: str) -> str:
    """`Questions not yet asked: allergies, medications`."""
    return heading("questions", lang) + colon(lang) + names_sep(lang).join(
        label("question", q, lang) for q in plan.questions_open)


# --- an item in one sentence --------------------------------------------------------------
def status_word(item: Item, lang: str) -> str:
    return label("status", item.status, lang)


def statement_parts(item: Item, lang: str, side: bool = True) -> list[tuple[str, str]]:
    """What an item proposes, in parts (role, text) a renderer may style: the action, the leg
    (when `side`), the urgency (of a referral, or of an offered item) and the reason.

    A referral says `referral (urgent): reason (right leg)`; any other item
    `action (right leg) (urgent) - reason` (Japanese 「処置（右脚）（至急）（理由）」: no
    ASCII dash in a Japanese sentence).
    """
    where = [("side", paren(label("side", item.side, lang), lang))] if side else []
    parts = [("action", label("action", item.action, lang))]
    if item.action == "referral":
        parts.append(("urgency", paren(label("urgency", item.urgency, lang), lang)))
        parts.append(("reason", colon(lang) + label("reason", item.reason_code, lang)))
        return parts + where
    parts += where
    if item.urgency and item.status in v.OFFERED:
        parts.append(("urgency", paren(label("urgency", item.urgency, lang), lang)))
    if item.reason_code:
        parts.append(("reason", reason_suffix(item.reason_code, lang)))
    return parts


def reason_suffix(reason_code: str | None, lang: str) -> str:
    """` - suspected deep vein thrombosis` (English), 「（深部静脈血栓症の疑い）」 (Japanese: no
    ASCII dash in a Japanese sentence): an item's reason after what it is; "" for none."""
    if not reason_code:
        return ""
    reason = label("reason", reason_code, lang)
    return " - " + reason if lang == "en" else paren(reason, lang)


def item_with_side(action: str, side: str | None, lang: str) -> str:
    """「動注治療（左脚）」, "intra-arterial injection (left leg)": an action and its leg, as a
    heading, a list entry or a form's title says them; a whole-patient action alone."""
    name = label("action", action, lang)
    return name + paren(label("side", side, lang), lang) if side else name


def what(item: Item, lang: str, side: bool = True) -> str:
    """`compression stockings (right leg) (urgent) - reason` (see `statement_parts`)."""
    return "".join(text for _, text in statement_parts(item, lang, side))


def item_statement(item: Item, lang: str, side: bool = True) -> str:
    """The item in one sentence: `Recommended: duplex ultrasound (right leg) (urgent) -
    suspected deep vein thrombosis`; a referral `Referral (urgent): reason (right leg)`."""
    if item.action == "referral":
        text = what(item, lang, side)
    else:
        text = status_word(item, lang) + colon(lang) + what(item, lang, side)
    return text[:1].upper() + text[1:] if lang == "en" else text


def detail_text(item: Item, lang: str) -> str:
    """The item's detail in words (`pressure: 20-30 mmHg`), or ""."""
    return value_label(item.detail, lang) if item.detail else ""


def coverage_tag(coverage: str | None, lang: str) -> str:
    return f"[{label('coverage', coverage, lang)}]"


def rule_line(item: Item, lang: str) -> str:
    """`rule VEIN_STOCKINGS: Compression stockings for symptomatic varicose veins`."""
    return f"{say('rule', lang)} {item.rule}{colon(lang)}{item_title(item, lang)}"


def other_rule(rule: str, effect: str, status: str | None, lang: str) -> str:
    """`VEIN_X (claims, option)`, 「VEIN_X（判定、選択肢）」: another rule on the item and what
    it did, in the reader's words."""
    did = [say(f"effect.{effect}", lang)] + ([label("status", status, lang)] if status else [])
    return rule + paren(names_sep(lang).join(did), lang)


# --- why not (docs/why-not.md) --------------------------------------------------------------
_BOUND = {">": "whynot.over", ">=": "whynot.at_least", "<": "whynot.below",
          "<=": "whynot.at_most"}


def _num(x: object) -> str:
    from fractions import Fraction

    if isinstance(x, Fraction):
        return str(x.numerator) if x.denominator == 1 else str(float(x))
    if isinstance(x, float) and x.is_integer():
        return str(int(x))
    return str(x)


def why_not_condition(step: Step, lang: str) -> str:
    """The measured values that would do: 「500ミリ秒超」, "over 500 ms", 「1以上3以下」."""
    unit = step.decl.unit(lang)
    gap = " " if lang == "en" and unit else ""
    parts = [say(_BOUND[b[0]], lang, x=f"{_num(b[1])}{gap}{unit}")
             for b in (step.low, step.high) if b is not None]
    if len(parts) == 2:
        return say("whynot.range", lang, low=parts[0], high=parts[1])
    return parts[0] if parts else ""


def why_not_needs(step: Step) -> str:
    """The change in the plan's form (Change.needs): "> 500", ">= 1 and <= 3", "+3 weeks",
    "= 26.9"; "known" when any measured value would do."""
    if step.decl.change == "continues":
        return f"+{step.after - step.before} weeks"
    if step.decl.change == "falls":
        return f"<= {_num(step.after)}"
    bounds = [f"{b[0]} {_num(b[1])}" for b in (step.low, step.high) if b is not None]
    return " and ".join(bounds) or "known"


def why_not_change(step: Step, lang: str) -> str:
    """One change in the declaration's words (rules/actionable.yaml)."""
    decl = step.decl
    if decl.change == "continues":
        return decl.words(lang).format(more=step.after - step.before, total=step.after)
    if decl.change == "falls":
        less = round(float(step.before) - float(step.after), 1)
        return decl.words(lang).format(value=_num(step.after), less=_num(less))
    if step.whole:
        return decl.words(lang, any_value=True)
    return decl.words(lang).format(condition=why_not_condition(step, lang))


def why_not_text(answer: Answer, lang: str, rulebook: Rulebook | None = None) -> str:
    """The answer as one sentence: what would make the item available, or why nothing can."""
    subject = say("whynot.subject", lang, action=label("action", answer.action, lang),
                  side=label("side", answer.side, lang)) if answer.side \
        else label("action", answer.action, lang)
    if answer.error:
        return _capital(say("whynot.unconfirmed", lang, subject=subject, error=answer.error), lang)
    if answer.already:
        return _capital(say("whynot.already", lang, subject=subject,
                   status=label("status", str(answer.status_now), lang)), lang)
    if answer.status is None:
        rule = _rule_words(answer.rule, lang, rulebook) if answer.rule \
            else say("whynot.no_rule", lang)
        key = "whynot.safety" if answer.blocked == "contraindicated" else "whynot.none"
        return _capital(say(key, lang, subject=subject, rule=rule), lang)
    changes = say("whynot.and", lang).join(why_not_change(s, lang) for s in answer.steps)
    status = say("whynot.an_option", lang) if answer.status == "option" \
        else label("status", answer.status, lang)
    return _capital(say("whynot.would_be", lang, subject=subject, changes=changes,
                        status=status), lang)


def _capital(text: str, lang: str) -> str:
    return text[:1].upper() + text[1:] if lang == "en" else text
