"""The real documents in a real browser (headless Chromium): the plan page, a self-pay consent
and the protocol book, in Japanese, are checked to draw their Japanese in a real CJK font, by
the pixels Chromium draws (every example's page and leaflet are printed to PDF in both
languages by tests/unit/test_export_page.py and test_export_leaflet.py).

`document.fonts.check` answers true even for a font that is not installed, so it proves
nothing; instead a script in a copy of the document draws Japanese characters taken from the
document's own text, in the font its element computes, on a canvas, and reports each one's
advance width and ink. A real CJK font draws an ideograph a full em wide, each character a
different picture, none of them the box a font draws for a character it does not have (drawn
for comparison from a private-use code point, which no font has)."""

from __future__ import annotations

import json
import re
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from careflow import evaluate, read_patient
from careflow.export import chromium, page, shots

from .test_export_book import shipped
from .test_export_page import needs_chromium

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
<script>
(() => {
  const SIZE = 64, CJK = /[\\u3040-\\u30ff\\u4e00-\\u9fff]/;
  const seen = new Map();
  const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walk.nextNode(); n && seen.size < 40; n = walk.nextNode()) {
    const family = getComputedStyle(n.parentElement).fontFamily;
    for (const ch of n.textContent) {
      if (CJK.test(ch) && !seen.has(ch)) seen.set(ch, family);
      if (seen.size >= 40) break;
    }
  }
  const canvas = document.createElement("canvas");
  canvas.width = canvas.height = SIZE * 2;
  const ctx = canvas.getContext("2d", {willReadFrequently: true});
  const draw = (ch, family) => {
    ctx.fillStyle = "#fff"; ctx.fillRect(0, 0, SIZE * 2, SIZE * 2);
    ctx.fillStyle = "#000"; ctx.font = SIZE + "px " + family; ctx.textBaseline = "top";
    ctx.fillText(ch, SIZE / 2, SIZE / 2);
    const px = ctx.getImageData(0, 0, SIZE * 2, SIZE * 2).data;
    let ink = 0, print = 0;
    for (let i = 0; i < px.length; i += 4) {
      if (px[i] < 128) { ink += 1; print = (print * 31 + i) % 2147483647; }
    }
    return {ch, width: ctx.measureText(ch).width, ink, print};
  };
  const glyphs = [...seen].map(([ch, family]) => Object.assign(draw(ch, family), {family}));
  const family = glyphs.length ? glyphs[0].family : "sans-serif";
  const out = document.createElement("pre");
  out.id = "cjk-probe";
  out.textContent = JSON.stringify({size: SIZE, glyphs, missing: draw("\\ue000", family)});
  document.body.appendChild(out);
})();
</script>
"""


def probe(html: str) -> dict[str, Any]:
    """Chromium's drawing of the document's Japanese characters (see the module docstring)."""
    with tempfile.TemporaryDirectory(prefix="careflow-probe-") as work:
        doc = Path(work) / "doc.html"
        doc.write_text(html.replace("</body>", PROBE + "</body>"), encoding="utf-8")
        done = chromium.run(["--dump-dom", "--virtual-time-budget=5000"], doc)
    assert done.returncode == 0, done.stderr[-1000:]
    found = re.search(r'<pre id="cjk-probe">(.*?)</pre>', done.stdout, re.S)
    assert found, "the probe did not run"
    report: dict[str, Any] = json.loads(found[1].replace("&quot;", '"').replace("&amp;", "&"))
    return report


def assert_real_cjk_font(report: dict[str, Any], name: str) -> None:
    glyphs, missing, size = report["glyphs"], report["missing"], report["size"]
    assert len(glyphs) >= 20, (name, "too few Japanese characters found", len(glyphs))
    assert all(g["ink"] > 0 for g in glyphs), (name, "a character drew nothing")
    # the characters are different pictures, none the box of a missing glyph
    assert len({g["print"] for g in glyphs}) == len(glyphs), (name, "identical pictures")
    assert not [g["ch"] for g in glyphs if g["print"] == missing["print"]], name
    # a CJK font draws every kana and ideograph a full em wide
    narrow = [g["ch"] for g in glyphs if abs(g["width"] - size) > size * 0.05]
    assert not narrow, (name, "not a full em wide", narrow)


def _plan() -> str:
    return page.to_html(evaluate(read_patient(ROOT / "examples" / "two-legs.yaml")), "ja")


def _book() -> str:
    return shipped("ja").html


DOCUMENTS: dict[str, Callable[[], str]] = {
    "plan page (two-legs)": _plan,
    "consent (intra-arterial injection, self-pay-ready)": shots.consent_page,
    "protocol book": _book,
}


@needs_chromium
@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_the_japanese_documents_draw_in_a_real_cjk_font(name: str) -> None:
    assert_real_cjk_font(probe(DOCUMENTS[name]()), name)


@needs_chromium
def test_the_probe_tells_a_missing_font_from_a_real_one() -> None:
    """The check can fail: the same text drawn as boxes (what Chromium draws for Japanese
    without a CJK font: every character the missing-glyph box) or half an em wide (a Latin
    font's fallback) is caught."""
    report = probe(DOCUMENTS["plan page (two-legs)"]())
    assert_real_cjk_font(report, "as drawn")
    boxes = dict(report, glyphs=[dict(g, print=report["missing"]["print"])
                                 for g in report["glyphs"]])
    with pytest.raises(AssertionError, match="identical pictures"):
        assert_real_cjk_font(boxes, "boxes")
    narrow = dict(report, glyphs=[dict(g, width=report["size"] * 0.6)
                                  for g in report["glyphs"]])
    with pytest.raises(AssertionError, match="full em"):
        assert_real_cjk_font(narrow, "narrow")
