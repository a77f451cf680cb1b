"""The screenshots in docs/images, drawn by headless Chromium from the bundled examples:

    python -m careflow.export.shots            # rewrite them
    python -m careflow.export.shots --check    # exit 1 if one is stale

Each PNG carries the text of the page it was drawn from (an iTXt chunk, keyword
`careflow-source`): a test renders the page afresh and compares that text, so a screenshot left
behind by a change of wording fails without comparing pixels (which differ between machines
with their fonts and Chromium versions).
"""

from __future__ import annotations

import re
import sys
import tempfile
import zlib
from collections.abc import Callable
from html import unescape
from pathlib import Path

from . import chromium

ROOT = Path(__file__).resolve().parents[2]
IMAGES = ROOT / "docs" / "images"
KEYWORD = b"careflow-source"


def plan_page() -> str:
    """The two-leg example's plan page, Japanese."""
    from .. import evaluate, read_patient
    from .page import to_html

    return to_html(evaluate(read_patient(ROOT / "examples" / "two-legs.yaml")), "ja")


def consent_page() -> str:
    """The intra-arterial injection's consent for the self-pay-ready example, Japanese, with
    the bundled example price list."""
    from .. import evaluate, read_patient
    from ..rulebook import default_rulebook
    from .consent import read_prices, to_html

    patient = read_patient(ROOT / "examples" / "self-pay-ready.yaml")
    prices = read_prices(ROOT / "examples" / "clinic" / "prices.yaml")
    return to_html(evaluate(patient), default_rulebook(), "intra_arterial_injection", prices,
                   "ja", None, patient.history)


# file name: (the page, the window it is drawn in)
SHOTS: dict[str, tuple[Callable[[], str], tuple[int, int]]] = {
    "plan-two-legs.ja.png": (plan_page, (794, 1123)),
    "consent-intra-arterial.ja.png": (consent_page, (794, 1500)),
}


def text_of(html: str) -> str:
    """The text a reader sees on a page: no style sheet, no tags, entities decoded, white
    space collapsed."""
    body = re.sub(r"<style>.*?</style>", "", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", body)).split())


def _chunk(kind: bytes, body: bytes) -> bytes:
    crc = zlib.crc32(kind + body).to_bytes(4, "big")
    return len(body).to_bytes(4, "big") + kind + body + crc


def with_source(png: bytes, text: str) -> bytes:
    """The PNG with `text` in an uncompressed iTXt chunk after its header."""
    ihdr_end = 8 + 12 + int.from_bytes(png[8:12], "big")
    body = KEYWORD + b"\0\0\0" + b"\0" + b"\0" + text.encode("utf-8")
    return png[:ihdr_end] + _chunk(b"iTXt", body) + png[ihdr_end:]


def source_of(png: bytes) -> str | None:
    """The text a screenshot was drawn from, or None when it carries none."""
    pos = 8
    while pos + 8 <= len(png):
        length = int.from_bytes(png[pos:pos + 4], "big")
        kind, body = png[pos + 4:pos + 8], png[pos + 8:pos + 8 + length]
        if kind == b"iTXt" and body.startswith(KEYWORD + b"\0"):
            rest = body[len(KEYWORD) + 3:]  # flag, method: 0 0
            _lang, _, rest = rest.partition(b"\0")
            _translated, _, text = rest.partition(b"\0")
            return text.decode("utf-8")
        pos += 12 + length
    return None


def draw(html: str, size: tuple[int, int]) -> bytes:
    """A screenshot of the page, carrying its source text."""
    with tempfile.TemporaryDirectory(prefix="careflow-shot-") as work:
        page, shot = Path(work) / "page.html", Path(work) / "shot.png"
        page.write_text(html, encoding="utf-8")
        done = chromium.run([f"--screenshot={shot}", f"--window-size={size[0]},{size[1]}"],
                            page)
        if done.returncode != 0 or not shot.is_file():
            raise RuntimeError(f"Chromium drew no screenshot: {done.stderr.strip()[-400:]}")
        return with_source(shot.read_bytes(), text_of(html))


def stale() -> list[str]:
    """The committed screenshots whose source text is not today's page."""
    return [name for name, (make, _) in SHOTS.items()
            if not (IMAGES / name).is_file()
            or source_of((IMAGES / name).read_bytes()) != text_of(make())]


def main(argv: list[str]) -> int:
    if argv[1:] == ["--check"]:
        old = stale()
        for name in old:
            print(f"docs/images/{name} is stale: run python -m careflow.export.shots")
        return 1 if old else 0
    for name, (make, size) in SHOTS.items():
        (IMAGES / name).write_bytes(draw(make(), size))
        print(f"wrote docs/images/{name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
