"""The doctor's one-page plan (careflow/export/page.py, `careflow plan --format html|pdf`):
a self-contained page with the urgent banner, the legs side by side, each item's status word,
decision, precautions and exclusions on one line, why not, next steps, a signature box and
the protocol in the footer; printed by headless Chromium to one A4 page for the two-leg
example, with Japanese drawn in a real CJK font."""

from __future__ import annotations

import re
import shutil
import subprocess
from html import unescape
from pathlib import Path

import pytest
from typer.testing import CliRunner

from careflow import evaluate, read_patient
from careflow import vocabulary as v
from careflow.cli import app
from careflow.export import chromium
from careflow.export.page import FONTS, to_html
from careflow.export.words import checked_line, item_title, say
from careflow.labels import label

from .test_export_book import png_rgb

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
TWO_LEGS = ROOT / "examples" / "two-legs.yaml"
needs_chromium = pytest.mark.skipif(
    shutil.which("chromium") is None and shutil.which("chromium-browser") is None,
    reason="Debian's chromium is not installed (.ci/run installs it)")


def visible(html: str) -> str:
    """The text a reader sees (no tags, no style sheet, entities decoded)."""
    body = re.sub(r"<style>.*?</style>", "", html, flags=re.S)
    return unescape(re.sub(r"<[^>]+>", " ", body))


CODES = set(v.ACTIONS) | set(v.STATUSES) | set(v.REFERRAL_REASONS) | set(v.PRECAUTIONS) \
    | {"pressure_mmhg", "target_veins", "imipenem_cilastatin", "acetaminophen_first"}


# a structure printed as it is stored: a treatment-history entry said key by key
# (「治療歴 1 治療：ヒアルロン酸注射、左右：左脚、週数：14」, "treatment history entry 1")
DUMPS = re.compile(r"治療歴 ?\d|treatment history entry|(?<![\u3040-\u9fff])(?:治療|左右|週数|"
                   r"効果)：|\b(?:side|weeks|response): |= treatment: |\{|\}")
# a yes/no fact said as "no" + a label that is not a noun (`said` with a prefix or a verb)
BROKEN_ENGLISH = re.compile(r"\bno (?:left leg|right leg|prefers|accepts|pregnant|wants|"
                            r"sits|worse|relieved|qualifies)\b|: no [\w ]+: ")
# ASCII colon or dash between Japanese words (「患者ID: 」, 「左脚: 弾性ストッキング - 」)
ASCII_IN_JAPANESE = re.compile(r"[^\x00-\x7f]: |\w: [^\x00-\x7f]|[^\x00-\x7f] - |"
                               r" - [^\x00-\x7f]")


@pytest.mark.parametrize("case", EXAMPLES, ids=[c.stem for c in EXAMPLES])
@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_page_shows_no_raw_code_and_fetches_nothing(case: Path, lang: str) -> None:
    html = to_html(evaluate(read_patient(case)), lang)
    shown = visible(html)
    # an English label may be the code's own word ("recommended", "sepsis"): there, only a
    # code with an underscore would be a leak
    codes = CODES if lang == "ja" else {c for c in CODES if "_" in c}
    leaked = sorted(c for c in codes if re.search(rf"(?<![\w-]){re.escape(c)}(?![\w-])", shown))
    assert not leaked, f"{case.stem} ({lang}) shows codes {leaked}"
    assert not re.search(r"(src|href)=|https?://|@import|url\(", html), "the page fetches"
    assert f'<html lang="{lang}">' in html and FONTS in html
    assert not DUMPS.findall(shown), (case.stem, lang, DUMPS.findall(shown))
    assert not BROKEN_ENGLISH.findall(shown), (case.stem, BROKEN_ENGLISH.findall(shown))
    if lang == "ja":  # Japanese punctuation in Japanese text
        assert not ASCII_IN_JAPANESE.findall(shown), (case.stem, ASCII_IN_JAPANESE.findall(shown))
    else:
        assert not re.search(r"[：、（）]", shown.replace("（動注治療）", "")), case.stem


def test_the_japanese_page_reads_as_a_plan_a_doctor_signs() -> None:
    plan = evaluate(read_patient(TWO_LEGS))
    shown = visible(to_html(plan, "ja"))
    for words in ("治療計画", "右脚", "左脚", "全身", "推奨", "選択肢", "非推奨", "次の段階",
                  "除外確認：", "医師署名", "日付", "改善がなければ次の段階",
                  plan.protocol.digest[:19], "再評価日：2027-02-12（12週後）", "患者ID：P-0003"):
        assert words in shown, words
    # the exclusions checked collapse to one line of facts and values, said as a doctor writes
    # them and as every format says them (careflow/export/words.py: checked_line, said), the
    # leg left to the column
    assert re.search(r"除外確認： ABI（足関節上腕血圧比） 1\.1、急性虚血の徴候なし、", shown)
    assert "= いいえ" not in shown and "= はい" not in shown
    english = visible(to_html(plan, "en"))
    assert re.search(r"Excluded:\s+ankle-brachial index 1\.1; no signs of acute ischaemia;",
                     english)
    assert "not pregnant" in english and "= no" not in english


def test_an_urgent_item_and_unasked_questions_head_the_page() -> None:
    red = visible(to_html(evaluate(read_patient(ROOT / "examples" / "red-flag-dvt.yaml")), "ja"))
    assert "緊急・至急の対応" in red
    assert "推奨：下肢静脈エコー検査（右脚）（至急）（深部静脈血栓症の疑い）" in red
    calm = visible(to_html(evaluate(read_patient(TWO_LEGS)), "ja"))
    assert "緊急・至急の対応" not in calm
    asked = visible(to_html(evaluate(read_patient(ROOT / "examples" / "pregnancy-unknown.yaml")),
                            "ja"))
    assert re.search(r"問診未完了：アレルギー歴、服薬歴\s+（関係する治療は保留）", asked)


def test_pdf_needs_an_output_file() -> None:
    result = CliRunner().invoke(app, ["plan", str(TWO_LEGS), "--format", "pdf"])
    assert result.exit_code == 2 and "--out" in result.output


def test_html_goes_to_a_file_or_standard_output(tmp_path: Path) -> None:
    out = tmp_path / "plan.html"
    result = CliRunner().invoke(app, ["plan", str(TWO_LEGS), "-f", "html", "--lang", "ja",
                                      "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8") == to_html(evaluate(read_patient(TWO_LEGS)), "ja")
    printed = CliRunner().invoke(app, ["plan", str(TWO_LEGS), "-f", "html"])
    assert printed.exit_code == 0 and printed.stdout.startswith("<!DOCTYPE html>")


def pdf_pages(data: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?!s)", data))


@needs_chromium
@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_two_leg_plan_prints_on_one_a4_page(tmp_path: Path, lang: str) -> None:
    out = tmp_path / "plan.pdf"
    result = CliRunner().invoke(app, ["plan", str(TWO_LEGS), "-f", "pdf", "--lang", lang,
                                      "--out", str(out)])
    assert result.exit_code == 0, result.output
    data = out.read_bytes()
    assert data.startswith(b"%PDF-")
    assert pdf_pages(data) == 1
    box = re.search(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", data)
    assert box and round(float(box[1])) == 595 and round(float(box[2])) == 842, "not A4"


def _glyphs(tmp_path: Path, text: str, family: str) -> list[bytes]:
    """Screenshot each character of `text` large, in `family`; the pixels of each."""
    cells = "".join(f'<div style="position:absolute;left:{i * 200}px;top:0;width:200px;'
                    f'height:200px;font:160px/200px {family};text-align:center">{ch}</div>'
                    for i, ch in enumerate(text))
    page = tmp_path / "glyphs.html"
    page.write_text(f'<!DOCTYPE html><meta charset="utf-8"><body style="margin:0;'
                    f'background:#fff">{cells}</body>', encoding="utf-8")
    shot = tmp_path / "glyphs.png"
    done = chromium.run([f"--screenshot={shot}", f"--window-size={200 * len(text)},200"], page)
    assert done.returncode == 0, done.stderr[-1000:]
    width, height, bpp, pixels = png_rgb(shot.read_bytes())
    stride = width * bpp
    return [b"".join(pixels[y * stride + i * 200 * bpp:y * stride + (i + 1) * 200 * bpp]
                     for y in range(height)) for i in range(len(text))]


@needs_chromium
def test_japanese_is_drawn_in_a_real_cjk_font(tmp_path: Path) -> None:
    """Four different kanji drawn in the page's font stack give four different pictures, each
    with ink: a missing font draws the same empty box for every one of them."""
    found = subprocess.run(["fc-list", ":lang=ja", "family"], capture_output=True, text=True,
                           check=False)
    assert found.stdout.strip(), "no Japanese font: install fonts-noto-cjk (.ci/run does)"
    cells = _glyphs(tmp_path, "治療計画", FONTS)
    assert len(set(cells)) == 4, "the kanji are drawn as identical boxes"
    white = b"\xff" * len(cells[0])
    assert all(cell != white for cell in cells)


@needs_chromium
@pytest.mark.parametrize("lang", ["ja", "en"])
def test_every_bundled_example_prints_on_one_a4_page(lang: str) -> None:
    """Each example's page, printed by Chromium in both languages: one A4 page (held items
    that share their rule and reason said once, advice one line each, a one-leg plan in two
    columns), the safety content kept (the page text tests above)."""
    pages = {case.stem: pdf_pages(chromium.html_to_pdf(to_html(evaluate(read_patient(case)),
                                                               lang)))
             for case in EXAMPLES}
    assert pages == dict.fromkeys(pages, 1), {k: n for k, n in pages.items() if n != 1}


def test_items_held_for_one_reason_are_said_once_with_nothing_dropped() -> None:
    plan = evaluate(read_patient(ROOT / "examples" / "red-flag-dvt.yaml"))
    html = to_html(plan, "ja")
    shown = visible(html)
    held = [i for i in plan.items if i.status == "deferred" and i.side == "right"]
    assert len(held) >= 2
    assert "、".join(label("action", i.action, "ja") for i in held) in shown
    assert shown.count(item_title(held[0], "ja")) == 2  # the urgent duplex's and the held ones'
    for item in plan.items:  # every item, its status and its rule's words are on the page
        assert re.search(rf'data-action="[^"]*\b{item.action}\b[^"]*" '
                         rf'data-status="{item.status}"', html), item.action
        assert item_title(item, "ja") in shown or item.kind == "advice", item.action
    for item in (i for i in plan.items if i.kind == "advice"):
        assert label("action", item.action, "ja") in shown
        assert checked_line(item, "ja") in shown


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_one_page_plan_keeps_every_safety_word(lang: str) -> None:
    """Fitting one page drops no safety content: every red flag in the banner, every
    contraindicated or not-recommended item with its reason, every precaution and every
    exclusion checked, for every example."""
    for case in EXAMPLES:
        plan = evaluate(read_patient(case))
        shown = " ".join(visible(to_html(plan, lang)).split())
        for item in plan.items:
            for p in item.precautions:
                assert label("precaution", p, lang) in shown, (case.stem, item.action, p)
            if item.status in ("contraindicated", "not_recommended") and item.reason_code:
                assert label("reason", item.reason_code, lang) in shown, (case.stem, item.action)
            if checked_line(item, lang):
                assert checked_line(item, lang) in shown, (case.stem, item.action)
            if item.action == "referral" and item.reason_code in v.RED_FLAGS:
                banner = shown.split(say("page.urgent", lang))[1]
                assert label("reason", item.reason_code, lang) in banner, case.stem
