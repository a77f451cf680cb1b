"""The protocol book (`careflow book --lang ja|en [--out DIR]`): Markdown with Mermaid diagrams
and HTML with inline SVG diagrams, from rules/ and features/. The HTML is opened in real
headless Chromium (Debian's `chromium`), with the network blocked, to check that the diagrams
are drawn."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
import xml.etree.ElementTree as ET
import zlib
from functools import cache
from pathlib import Path

import pytest
from typer.testing import CliRunner

from careflow import load_rulebook
from careflow.cli import app
from careflow.coverage import default_features_dir, scenario_tags
from careflow.export import diagram
from careflow.export.book import (
    Bullets,
    ProtocolBook,
    build_book,
    cond_items,
    read_features,
    scenarios_by_rule,
    to_markdown,
)
from careflow.rulebook import default_rulebook
from tests.unit.helpers import write_rules

SVG_NS = "{http://www.w3.org/2000/svg}"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@cache
def shipped(lang: str) -> ProtocolBook:
    return build_book(lang=lang)


# --- the shipped protocol ----------------------------------------------------------------
@pytest.mark.parametrize("lang", ["en", "ja"])
def test_book_has_the_digest_a_diagram_per_track_and_every_rule(lang: str) -> None:
    book = default_rulebook()
    result = shipped(lang)
    for text in (result.markdown, result.html):
        assert book.digest in text
        for rule_id in book.rules:
            assert f'id="rule-{rule_id}"' in text, rule_id
        for name in book.parameter_sources:
            assert f"${name}" in text
        for eid in book.evidence:
            assert eid in text
    tracks = [d.track for d in diagram.build_all(book, lang)]
    assert {"knee", "vein", "safety"} <= set(tracks)
    assert result.markdown.count("```mermaid\nflowchart LR") == len(tracks)
    assert result.html.count('<svg xmlns="http://www.w3.org/2000/svg" class="diagram"') == \
        len(tracks)


def test_scenarios_listed_per_rule_are_the_tagged_ones() -> None:
    """The book's scenario index agrees with `careflow check`'s tag coverage, file by file."""
    folder = default_features_dir()
    assert folder is not None
    mine = scenarios_by_rule(read_features(folder))
    theirs = scenario_tags(folder)
    for rule_id in default_rulebook().rules:
        files_mine = {Path(s.file).name for s in mine.get(rule_id, [])}
        files_theirs = {place.split(":")[0] for place in theirs.get(rule_id, [])}
        assert files_mine == files_theirs, rule_id


def test_escalation_paths_follow_the_protocol() -> None:
    book = default_rulebook()
    vein = diagram.build(book, "vein")
    assert [c.id for c in vein.columns if not c.external] == [
        "vein_assessment", "vein_conservative", "vein_venous_intervention"]
    assert "compression_stockings" in vein.node_ids()
    assert "endovenous_thermal_ablation" in vein.node_ids()
    assert any(e.label == "qualifies for endovenous treatment" for e in vein.edges)
    knee = diagram.build(book, "knee")
    assert {"intra_arterial_injection", "exosome_injection", "medical_diet"} <= set(
        knee.node_ids())
    # the clinic's idea: the veins come first, before the self-pay knee options
    dashed = [e for e in knee.edges if e.dashed]
    assert any(e.target == "knee_self_pay" and e.label == "the veins come first"
               for e in dashed)
    safety = diagram.build(book, "safety")
    assert "suspected_dvt" in safety.node_ids()


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_html_fetches_nothing_and_its_diagrams_are_svg(lang: str) -> None:
    html = shipped(lang).html
    assert f'<html lang="{lang}">' in html
    # (url(#...) is an SVG reference inside the page itself)
    for pattern in (r"<script", r"<link", r"\ssrc=", r"url\((?!#)", r"@import", r"<img",
                    r"<iframe", r"<object", r"<embed"):
        assert not re.search(pattern, html, re.I), pattern
    svgs = re.findall(r"<svg .*?</svg>", html, re.S)
    assert svgs
    for text in svgs:
        root = ET.fromstring(text)  # well-formed XML in the SVG namespace
        assert root.tag == f"{SVG_NS}svg"
        nodes = root.findall(f".//{SVG_NS}g[@class='node']")
        assert nodes and all(n.find(f"{SVG_NS}rect") is not None for n in nodes)
        assert all(n.find(f"{SVG_NS}text").text for n in nodes)


def test_japanese_book_uses_japanese_words() -> None:
    md = shipped("ja").markdown
    for term in ("治療プロトコル", "ルールセットのダイジェスト", "弾性ストッキング", "血管内焼灼術",
                 "動注治療", "条件", "結果", "エビデンス", "仕様シナリオ"):
        assert term in md, term


def test_book_is_deterministic() -> None:
    again = build_book(lang="en")
    assert again.markdown == shipped("en").markdown and again.html == shipped("en").html


# --- a small protocol, to read the words exactly ---------------------------------------
FEATURE = """\
@test
Feature: Stockings for the book
  A feature description a doctor reads.

  Rule: Varicose veins get stockings

    @TEST_STOCKINGS
    Scenario: Varicose veins
      Given a 60-year-old woman
      And her right leg shows:
        | CEAP clinical class | 3 |
      When the plan is made
      Then compression stockings are recommended for the right leg

    Scenario Outline: Only tagged through its examples
      Given a <age>-year-old woman
      When the plan is made

      @TEST_STOCKINGS
      Examples: tagged
        | age |
        | 60  |

    Scenario: Not about stockings
      Given a 40-year-old man
"""


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("small")
    rules = write_rules(root / "rules", [
        {"id": "TEST_STOCKINGS", "title": "Varicose veins get stockings",
         "when": {"veins.ceap_c": {"gte": "$ceap_min"},
                  "any": [{"abi": {"known": False}}, {"abi": {"gte": 0.8}}],
                  "not": {"condition.heart_failure": True}},
         "claim": {"action": "compression_stockings", "status": "recommended"},
         "evidence": ["EV"]},
        {"id": "TEST_SMOKING", "title": "Smokers are told to stop", "scope": "patient",
         "when": {"lifestyle.smoker": True},
         "claim": {"action": "stop_smoking", "status": "recommended"}, "evidence": ["EV"]},
    ], area="veins", parameters={
        "review_after_weeks": {"value": 12, "source": "test", "verification": "U"},
        "ceap_min": {"value": 2, "source": "CEAP 2020", "verification": "V",
                     "text": "class from which veins are varicose"},
    })
    features = root / "features"
    features.mkdir()
    (features / "test.feature").write_text(FEATURE, encoding="utf-8")
    return rules, features


def test_conditions_read_as_words(small: tuple[Path, Path]) -> None:
    book = load_rulebook(small[0], {"ceap_min": 3})
    rule = next(r for r in book.source.rules if r.id == "TEST_STOCKINGS")
    en = to_markdown([Bullets(cond_items(rule.when, "en", book.parameters))])
    assert en == (
        "- CEAP clinical class ≥ [$ceap\\_min](#param-ceap_min) (3)\n"
        "- any of:\n"
        "  - ankle-brachial index is unknown (not recorded)\n"
        "  - ankle-brachial index ≥ 0.8\n"
        "- not: heart failure: yes\n")
    ja = to_markdown([Bullets(cond_items(rule.when, "ja", book.parameters))])
    assert "- CEAP臨床分類 ≥ [$ceap\\_min](#param-ceap_min) (3)" in ja
    assert "- 次のいずれか：\n  - ABI（足関節上腕血圧比）：不明（未記録）" in ja
    assert "- （心不全：あり）ではない" in ja


def test_small_book_lists_scenarios_parameters_and_uncovered_rules(
        small: tuple[Path, Path]) -> None:
    book = load_rulebook(small[0], {"ceap_min": 3})
    md = build_book(book, small[1], "en").markdown
    section = md[md.index('<a id="rule-TEST_STOCKINGS">'):md.index('<a id="rule-TEST_SMOKING">')]
    assert "[Varicose veins](#scenario-test-8) (test.feature:8)" in section
    assert "[Only tagged through its examples](#scenario-test-15)" in section
    assert "Not about stockings" not in section
    assert "[$ceap\\_min](#param-ceap_min) = 3 - class from which veins are varicose; " \
           "CEAP 2020 \\[V\\]" in section
    assert "compression stockings: recommended" in section
    # an overridden parameter shows its default too
    assert "| `$ceap_min` | 3 (default 2) |" in md
    # the rule no scenario names is listed
    tail = md[md.index('<a id="uncovered">'):]
    assert "[TEST\\_SMOKING](#rule-TEST_SMOKING)" in tail and "TEST\\_STOCKINGS" not in tail
    # the scenario's steps, with its table, as written
    assert "```gherkin\nGiven a 60-year-old woman\nAnd her right leg shows:\n" \
           "  | CEAP clinical class | 3 |\n" in md
    assert "@TEST_STOCKINGS" not in md.split("## Scenarios")[1].split("```gherkin")[1]


FEATURE_JA = """\
# language: ja
@test
機能: 本のための弾性ストッキング
  医師が読む説明文の
  一段落目。

  二段落目。

  @TEST_STOCKINGS
  ルール: 静脈瘤には弾性ストッキング

    シナリオ: 静脈瘤
      前提 60歳の女性
      かつ 右脚の所見は次のとおり
        | CEAP分類 | C3 |
      もし 治療計画を立てる
      ならば 右脚では弾性ストッキングが推奨となる

    シナリオアウトライン: 例でだけタグ付け
      前提 <年齢>歳の女性

      @TEST_SMOKING
      例: タグあり
        | 年齢 |
        | 60   |
"""


def test_japanese_feature_files_are_read(tmp_path: Path) -> None:
    """`# language: ja`: Japanese keywords, a Rule's tags on its scenarios, an Examples
    block's tags on its outline, and a description's wrapped lines joined without spaces."""
    (tmp_path / "test.feature").write_text(FEATURE_JA, encoding="utf-8")
    [feature] = read_features(tmp_path)
    assert feature.name == "本のための弾性ストッキング"
    assert feature.description == ["医師が読む説明文の一段落目。", "二段落目。"]
    first, outline = feature.scenarios
    assert (first.keyword, first.name, first.rule_block, first.line) == (
        "シナリオ", "静脈瘤", "静脈瘤には弾性ストッキング", 12)
    assert first.tags == ["test", "TEST_STOCKINGS"]
    assert first.lines == ["前提 60歳の女性", "かつ 右脚の所見は次のとおり", "  | CEAP分類 | C3 |",
                           "もし 治療計画を立てる", "ならば 右脚では弾性ストッキングが推奨となる"]
    assert (outline.keyword, outline.name) == ("シナリオアウトライン", "例でだけタグ付け")
    assert outline.tags == ["test", "TEST_STOCKINGS", "TEST_SMOKING"]
    assert outline.lines[-3:] == ["例: タグあり", "  | 年齢 |", "  | 60   |"]


# --- the CLI -------------------------------------------------------------------------------
def test_cli_writes_markdown_and_html(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["book", "--lang", "ja", "--out", str(tmp_path / "b")])
    assert result.exit_code == 0, result.output
    md, html = tmp_path / "b" / "protocol.ja.md", tmp_path / "b" / "protocol.ja.html"
    assert result.stdout.split() == [str(md), str(html)]
    assert md.read_text(encoding="utf-8") == shipped("ja").markdown
    assert html.read_text(encoding="utf-8") == shipped("ja").html


def test_cli_bad_input_exits_2(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["book", "--features", str(tmp_path / "missing")])
    assert result.exit_code == 2 and "not a folder of feature files" in result.output
    a_file = tmp_path / "file"
    a_file.write_text("x", encoding="utf-8")
    result = runner.invoke(app, ["book", "--out", str(a_file)])
    assert result.exit_code == 2 and "is not a folder" in result.output
    result = runner.invoke(app, ["book", "--lang", "fr"])
    assert result.exit_code == 2
    result = runner.invoke(app, ["book", "--rules", str(tmp_path)])
    assert result.exit_code == 3


# --- in a real browser -----------------------------------------------------------------------
def chromium(args: list[str], page: Path, profile: str) -> subprocess.CompletedProcess[str]:
    """Headless Chromium that cannot reach any network: every host resolves to nothing and
    every request goes to a closed proxy."""
    assert CHROMIUM is not None
    return subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
         "--disable-background-networking", "--disable-component-update", "--no-first-run",
         "--disable-sync", "--disable-quic", f"--user-data-dir={profile}",
         "--host-resolver-rules=MAP * ~NOTFOUND", "--proxy-server=127.0.0.1:9",
         "--force-color-profile=srgb", "--hide-scrollbars", *args, page.as_uri()],
        capture_output=True, text=True, timeout=120, check=False)


needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="Debian's chromium is not installed (.ci/run installs it: "
                             "apt-get install chromium)")


@needs_chromium
def test_chromium_draws_the_diagrams(tmp_path: Path) -> None:
    page = shipped("en").write(tmp_path)[1]
    with tempfile.TemporaryDirectory() as profile:
        done = chromium(["--dump-dom"], page, profile)
    assert done.returncode == 0, done.stderr[-2000:]
    dom = done.stdout
    figures = re.findall(r'<figure data-track="(\w+)">\s*<svg', dom)
    assert {"knee", "vein", "safety"} <= set(figures)
    for action in ("compression_stockings", "endovenous_thermal_ablation",
                   "intra_arterial_injection", "exosome_injection"):
        assert f'<g class="node" data-node="{action}">' in dom, action


def png_rgb(data: bytes) -> tuple[int, int, int, bytes]:
    """Width, height, bytes per pixel and the unfiltered pixels of an 8-bit RGB(A) PNG."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat = 8, b""
    width = height = depth = ctype = interlace = 0
    while pos < len(data):
        length = int.from_bytes(data[pos:pos + 4], "big")
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            width, height = int.from_bytes(body[:4], "big"), int.from_bytes(body[4:8], "big")
            depth, ctype, interlace = body[8], body[9], body[12]
        elif kind == b"IDAT":
            idat += body
        elif kind == b"IEND":
            break
    assert depth == 8 and ctype in (2, 6) and interlace == 0
    bpp = 3 if ctype == 2 else 4
    raw, stride = zlib.decompress(idat), width * bpp
    out, prev, i = bytearray(), bytearray(stride), 0
    for _ in range(height):
        f, line = raw[i], bytearray(raw[i + 1:i + 1 + stride])
        i += 1 + stride
        if f == 1:
            for x in range(bpp, stride):
                line[x] = (line[x] + line[x - bpp]) & 255
        elif f == 2:
            line = bytearray((a + b) & 255 for a, b in zip(line, prev, strict=True))
        elif f == 3:
            for x in range(stride):
                left = line[x - bpp] if x >= bpp else 0
                line[x] = (line[x] + ((left + prev[x]) >> 1)) & 255
        elif f == 4:
            for x in range(stride):
                a = line[x - bpp] if x >= bpp else 0
                b, c = prev[x], prev[x - bpp] if x >= bpp else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else b if pb <= pc else c
                line[x] = (line[x] + pred) & 255
        out += line
        prev = line
    return width, height, bpp, bytes(out)


@needs_chromium
def test_chromium_screenshot_shows_the_diagram(tmp_path: Path) -> None:
    """The first screen of the page, tall enough to reach the first escalation diagram: its
    action boxes are painted in their own colour, which nothing else on the page uses."""
    page = shipped("en").write(tmp_path)[1]
    shot = tmp_path / "shot.png"
    with tempfile.TemporaryDirectory() as profile:
        done = chromium([f"--screenshot={shot}", "--window-size=1000,2200"], page, profile)
    assert done.returncode == 0 and shot.is_file(), done.stderr[-2000:]
    width, height, bpp, pixels = png_rgb(shot.read_bytes())
    assert (width, height) == (1000, 2200)
    fill = bytes.fromhex(diagram.NODE_FILL[1:])
    painted = sum(1 for k in range(0, len(pixels), bpp)
                  if abs(pixels[k] - fill[0]) <= 2 and abs(pixels[k + 1] - fill[1]) <= 2
                  and abs(pixels[k + 2] - fill[2]) <= 2)
    assert painted > 5000, f"only {painted} pixels of the diagrams' boxes were drawn"
    # the colour is the action boxes' own: only their rects use it
    html = shipped("en").html
    assert html.count(diagram.NODE_FILL) == html.count('<g class="node"')
