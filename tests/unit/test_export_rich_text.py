"""Terminal output with rich: a colour plan grouped by leg and track, reasons indented under
their item; `careflow plan` prints it on a terminal and plain text (export/text.py) otherwise."""

from __future__ import annotations

import io
import os
import pty
import re
import select
import subprocess
import sys
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from careflow.cli import app
from careflow.export import reason_text, rich_text, text
from careflow.labels import label
from tests.unit.test_export_samples import EXAMPLES, ROOT, sample_plans

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def plain(name: str, lang: str = "en", width: int = 160) -> str:
    console = Console(width=width, no_color=True, force_terminal=False, record=True,
                      file=io.StringIO())
    console.print(rich_text.renderable(sample_plans()[name], lang))
    return console.export_text()


def test_the_plan_is_coloured_by_status() -> None:
    out = rich_text.render_ansi(sample_plans()["red-flag-dvt"])
    assert ANSI.search(out)
    assert "\x1b[1;32mRECOMMENDED" in out  # bold green
    assert "\x1b[1;33mDEFERRED" in out  # bold yellow
    stripped = ANSI.sub("", out)
    assert "suspected deep vein thrombosis" in stripped


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_items_are_grouped_by_leg_then_track_with_reasons_indented(lang: str) -> None:
    plan = sample_plans()["two-legs"]
    out = plain("two-legs", lang)
    lines = out.splitlines()
    # legs in order: right, left, whole patient
    sides = {label("side", s, lang): s for s in ("right", "left", None)}
    heads = [i for i, ln in enumerate(lines) if ln.split(" ─")[0] in sides]
    assert [lines[i].split(" ─")[0] for i in heads] == [
        label("side", s, lang) for s in ("right", "left", None) if plan.for_side(s)]
    for side, start in zip([s for s in ("right", "left", None) if plan.for_side(s)], heads,
                           strict=True):
        end = next((h for h in heads if h > start), len(lines))
        block = lines[start:end]
        tracks = [ln.strip() for ln in block
                  if ln.strip() in {label("track", t, lang) for t in rich_text.TRACK_ORDER}]
        expected = [label("track", t, lang) for t in rich_text.TRACK_ORDER
                    if any(i.track == t for i in plan.for_side(side))]
        assert tracks == expected
        for item in plan.for_side(side):
            head = next(n for n, ln in enumerate(block)
                        if label("status", item.status, lang).upper() in ln
                        and label("action", item.action, lang) in ln)
            first = reason_text(item, lang)[0]
            at = next(n for n, ln in enumerate(block) if n > head and first[:30] in ln)
            indent = len(block[head]) - len(block[head].lstrip("│├└─ "))
            assert len(block[at]) - len(block[at].lstrip("│├└─ ")) > indent


def test_japanese_terminal_plan() -> None:
    out = plain("vascular-knee-pain", "ja")
    assert "右脚" in out and "膝の治療" in out and "静脈の治療" in out
    assert "推奨" in out and "弾性ストッキング" in out and "根拠：" in out


def test_plain_text_when_stdout_is_not_a_terminal() -> None:
    case = EXAMPLES[0]
    result = CliRunner().invoke(app, ["plan", str(case)])
    assert result.exit_code == 0
    assert not ANSI.search(result.stdout)
    from careflow import evaluate, read_patient

    assert result.stdout == text.render(evaluate(read_patient(case)), "en")


def run_in_terminal(args: list[str]) -> str:
    """Run the careflow command with its standard output on a pseudo-terminal."""
    main, child = pty.openpty()
    env = {**os.environ, "COLUMNS": "120", "TERM": "xterm-256color"}
    env.pop("NO_COLOR", None)
    proc = subprocess.Popen([sys.executable, "-m", "careflow.cli", *args], stdout=child,
                            stderr=subprocess.DEVNULL, cwd=ROOT, env=env)
    os.close(child)
    chunks = []
    while True:
        ready, _, _ = select.select([main], [], [], 30)
        if not ready:
            proc.kill()
            break
        try:
            data = os.read(main, 65536)
        except OSError:  # the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=30)
    os.close(main)
    assert proc.returncode == 0
    return b"".join(chunks).decode("utf-8", "replace")


@pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals are POSIX")
def test_colour_on_a_terminal() -> None:
    out = run_in_terminal(["plan", str(Path("examples") / "red-flag-dvt.yaml")])
    assert ANSI.search(out), out[:300]
    assert "RECOMMENDED" in ANSI.sub("", out)
