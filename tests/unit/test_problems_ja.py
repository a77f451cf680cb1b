"""Bad-input messages in Japanese for `--lang ja` (issue 11, item 5): every refusal of the
bad-input corpus reads as a Japanese sentence around the same field path, codes and value
received, with the same exit code (careflow/export/problems_ja.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from careflow.cli import app
from careflow.export.problems_ja import problem_ja, problems_in

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "bad_patients"
FILES = sorted(p for p in CORPUS.glob("*.yaml"))
ENGLISH = re.compile(r"\b(must|got|is required|is not a known|cannot|not accepted|not valid|"
                     r"only an|more problems|larger than|nested|names the)\b")
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def _lines(path: Path, *args: str) -> tuple[int, list[str]]:
    result = CliRunner().invoke(app, ["plan", str(path), *args])
    return result.exit_code, [x for x in result.output.splitlines() if x.strip()]


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_every_refusal_reads_in_japanese_around_the_same_path(path: Path) -> None:
    code_en, english = _lines(path)
    code_ja, japanese = _lines(path, "--lang", "ja")
    assert code_en == code_ja == 2
    assert len(english) == len(japanese)
    for en, ja in zip(english, japanese, strict=True):
        assert ja.startswith(f"{path}: ")
        body_en, body_ja = en[len(f"{path}: "):], ja[len(f"{path}: "):]
        field = body_en.split(": ", 1)[0]
        if not field.startswith("line ") and ": " in body_en:
            assert body_ja.startswith(field + "："), (body_en, body_ja)
        assert JAPANESE.search(body_ja), body_ja
        outside = re.sub(r"（[^（）]*）", "", body_ja)  # parser details and values stay as given
        assert not ENGLISH.search(outside), body_ja
        got = re.search(r"\(got (.*)\)$", body_en)
        if got:
            assert got.group(1) in body_ja  # the value received, exactly as in English


def test_the_sentence_keeps_path_codes_and_value() -> None:
    assert problem_ja("legs[0].knee.pain_nrs: must be <= 10 (got 12)") == (
        "legs[0].knee.pain_nrs：10 以下の値にしてください（入力値 12）")
    assert problem_ja("medications[0]: must be one of 'anticoagulant' or 'valproate' "
                      "(got 'aspirin')") == (
        "medications[0]：次のいずれかを記入してください：'anticoagulant'、'valproate'"
        "（入力値 'aspirin'）")
    assert problem_ja("line 8: duplicate key 'age'") == "8 行目：キー 'age' が重複しています"


def test_an_unknown_message_stays_in_english_and_english_is_untouched() -> None:
    odd = "legs[0].abi: a sentence careflow does not write"
    assert problem_ja(odd) == odd
    assert problems_in(["age: must be <= 120 (got 121)"], "en") == [
        "age: must be <= 120 (got 121)"]
