"""The patient's explanation (careflow/export/leaflet.py, `careflow plan --format patient`):
per proposed item what it is, why, the other choices and what happens next, in plain words;
the advice as a checklist; no code and nothing fetched."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from careflow import evaluate, read_patient
from careflow import vocabulary as v
from careflow.cli import app
from careflow.export import chromium
from careflow.export.leaflet import to_html
from careflow.export.words import ACTION_EXPLAINED as WHAT

from .test_export_page import CODES, needs_chromium, pdf_pages, visible

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))


def test_every_action_a_patient_may_be_offered_is_explained_in_both_languages() -> None:
    for code, spec in v.ACTIONS.items():
        if spec.kind == "advice":
            continue
        en, ja = WHAT[code]
        assert re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", ja) and en.isascii(), code


@pytest.mark.parametrize("case", EXAMPLES, ids=[c.stem for c in EXAMPLES])
def test_the_leaflet_explains_each_proposed_item_without_codes(case: Path) -> None:
    plan = evaluate(read_patient(case))
    html = to_html(plan, "ja")
    shown = visible(html)
    leaked = sorted(c for c in CODES if re.search(rf"(?<![\w-]){re.escape(c)}(?![\w-])", shown))
    assert not leaked
    assert not re.search(r"(src|href)=|https?://", html)
    for item in plan.items:
        if item.kind != "advice" and item.status in ("recommended", "option", "next_step"):
            assert WHAT[item.action][1] in shown, item.action
    # what a patient does not have is no reason they read
    assert "いいえ" not in shown.split("あなたに提案する理由")[-1].split("このあと")[0]


# Latin words a Japanese leaflet may print, with why
LATIN_OK = {"NSAIDs": "「外用NSAIDs」 is what the patch's box and the pharmacist say"}
# a doctor's words no patient reads: scores, units, classifications, a finding's name
JARGON = re.compile(r"CEAP|KL分類|ABI|Wells|（ms）|（mm）|（0-10）|の候補|選択肢あり|=|"
                    r"治療歴 ?\d|[：:] ?(?:はい|いいえ)")


def _why_texts(shown: str) -> list[str]:
    return [part.split("ほかの選択肢")[0].split("このあと")[0]
            for part in shown.split("あなたに提案する理由")[1:]]


@pytest.mark.parametrize("case", EXAMPLES, ids=[c.stem for c in EXAMPLES])
def test_the_japanese_leaflet_is_in_a_patients_words(case: Path) -> None:
    """No Latin word of two letters or more but the few a patient meets on a medicine box,
    and each "why" in plain sentences: no score, unit, classification name or history dump."""
    shown = visible(to_html(evaluate(read_patient(case)), "ja"))
    latin = sorted(set(re.findall(r"[A-Za-z]{2,}", shown)) - set(LATIN_OK))
    assert not latin, (case.stem, latin)
    for why in _why_texts(shown):
        assert not JARGON.findall(why), (case.stem, JARGON.findall(why), why)
        assert not re.search(r"\d", re.sub(r"\d+週間", "", why)), (case.stem, why)
        assert why.strip().endswith("。"), why


def test_the_why_says_the_findings_a_patient_can_follow() -> None:
    two = visible(to_html(evaluate(read_patient(ROOT / "examples" / "two-legs.yaml")), "ja"))
    assert "膝の軟骨のすり減り（変形性膝関節症）がレントゲンで認められます。" in two
    assert "超音波検査で、脚の静脈に血液の逆流が見つかりました。" in two
    ready = visible(to_html(evaluate(read_patient(ROOT / "examples" / "self-pay-ready.yaml")),
                            "ja"))
    assert "これまでに受けた治療：右脚：運動療法 16週間（一部改善）、" in ready
    # the whole-patient diet names the insured knee care on either leg as the other choices
    diet = ready.split("メディカルダイエット")[-1]
    assert "ほかの選択肢" in diet and "運動療法" in diet.split("ほかの選択肢")[1]
    assert "ほかの選択肢 なし" not in re.sub(r"\s+", " ", diet)


def test_self_pay_items_say_so_and_advice_is_a_checklist() -> None:
    plan = evaluate(read_patient(ROOT / "examples" / "self-pay-ready.yaml"))
    shown = visible(to_html(plan, "ja"))
    assert "別の説明書と同意書をお渡しします" in shown
    assert "生活の工夫（できることに印をつけましょう）" in shown and "洋式トイレを使う" in shown
    assert "次回の診察：2027-02-12頃" in shown


def test_an_urgent_item_is_said_to_be_urgent() -> None:
    plan = evaluate(read_patient(ROOT / "examples" / "dvt-confirmed.yaml"))
    assert "急いで行います" in visible(to_html(plan, "ja"))
    assert "This is urgent" in visible(to_html(plan, "en"))


def test_cli_prints_the_leaflet() -> None:
    result = CliRunner().invoke(app, ["plan", str(EXAMPLES[0]), "-f", "patient", "--lang", "ja"])
    assert result.exit_code == 0 and "患者さん向け説明書" in result.stdout


@needs_chromium
@pytest.mark.parametrize("lang", ["ja", "en"])
def test_every_bundled_example_leaflet_prints_in_a_real_browser(lang: str) -> None:
    """Each example's explanation for the patient, in both languages, printed by Chromium: a
    PDF of A4 pages (as many as the plan needs)."""
    for case in EXAMPLES:
        data = chromium.html_to_pdf(to_html(evaluate(read_patient(case)), lang))
        assert data.startswith(b"%PDF-"), case.stem
        assert 1 <= pdf_pages(data) <= 4, (case.stem, lang, pdf_pages(data))
