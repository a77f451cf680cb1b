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
from careflow.export.leaflet import WHAT, to_html

from .test_export_page import CODES, needs_chromium, pdf_pages, visible

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))


def test_every_action_a_patient_may_be_offered_is_explained_in_both_languages() -> None:
    for code, spec in v.ACTIONS.items():
        if spec.kind == "advice":
            continue
        ja, en = WHAT[code]
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
            assert WHAT[item.action][0] in shown, item.action
    # what a patient does not have is no reason they read
    assert "いいえ" not in shown.split("あなたに提案する理由")[-1].split("このあと")[0]


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
def test_every_bundled_example_leaflet_prints_in_a_real_browser() -> None:
    """Each example's explanation for the patient, Japanese, printed by Chromium: a PDF of
    A4 pages (as many as the plan needs)."""
    for case in EXAMPLES:
        data = chromium.html_to_pdf(to_html(evaluate(read_patient(case)), "ja"))
        assert data.startswith(b"%PDF-"), case.stem
        assert 1 <= pdf_pages(data) <= 4, (case.stem, pdf_pages(data))
