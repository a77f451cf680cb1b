"""The screenshots in docs/images (careflow/export/shots.py): each carries the text of the
page it was drawn from, and that text is today's page, so a screenshot left stale by a change
of wording or layout fails here (pixels are not compared: they differ between machines)."""

from __future__ import annotations

import pytest

from careflow.export import shots

from .test_export_book import png_rgb
from .test_export_page import needs_chromium


@pytest.mark.parametrize("name", sorted(shots.SHOTS))
def test_each_committed_screenshot_shows_todays_page(name: str) -> None:
    make, _size = shots.SHOTS[name]
    committed = (shots.IMAGES / name).read_bytes()
    source = shots.source_of(committed)
    assert source is not None, f"docs/images/{name} carries no source text: regenerate it"
    assert source == shots.text_of(make()), \
        f"docs/images/{name} is stale: run python -m careflow.export.shots"
    assert not shots.stale()


def test_the_source_text_travels_in_the_png_and_a_change_shows() -> None:
    png = (shots.IMAGES / "plan-two-legs.ja.png").read_bytes()
    page = shots.plan_page()
    again = shots.with_source(png, shots.text_of(page.replace("除外確認", "除外")))
    assert shots.source_of(again) != shots.text_of(page)
    assert png_rgb(again)[:2] == png_rgb(png)[:2]  # still a PNG a viewer opens
    assert shots.text_of("<p>a&amp;b</p>\n<p>c</p>") == "a&b c"


@needs_chromium
def test_a_fresh_screenshot_is_drawn_at_its_size_with_its_source() -> None:
    make, size = shots.SHOTS["plan-two-legs.ja.png"]
    page = make()
    png = shots.draw(page, size)
    assert png_rgb(png)[:2] == size
    assert shots.source_of(png) == shots.text_of(page)
