"""Bad-input messages in Japanese for `--lang ja` (issue 11, item 5): every refusal of the
bad-input corpus reads as a Japanese sentence around the same field path, codes and value
received, with the same exit code (careflow/export/problems_ja.py); every refusal said by key
(careflow.errors.REFUSALS) has its Japanese sentence with the same fields (each is run through
the command line in both languages in test_export_consent.py)."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
from typer.testing import CliRunner

from careflow.cli import app
from careflow.errors import REFUSALS
from careflow.export.consent import ConsentError
from careflow.export.problems_ja import REFUSALS_JA, problem_ja, problems_in, said_in

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


# --- refusals said by key (careflow.errors.REFUSALS) -------------------------------------
def _fields(template: str) -> set[str]:
    return {name.split("!")[0] for _, name, _, _ in string.Formatter().parse(template) if name}


DERIVED = {"label", "side_label", "field_label"}  # Japanese words made from codes


@pytest.mark.parametrize("key", sorted(REFUSALS))
def test_every_refusal_has_its_japanese_with_the_same_fields(key: str) -> None:
    assert key in REFUSALS_JA, f"no Japanese for {key}"
    english, japanese = _fields(REFUSALS[key]), _fields(REFUSALS_JA[key])
    assert japanese - DERIVED == english, (key, english, japanese)
    if "label" in japanese:
        assert "action" in english
    if "side_label" in japanese:
        assert "side" in english
    if "field_label" in japanese:
        assert "field" in english
    if "problem" not in japanese:  # a file's own problem is said by problem_ja
        assert JAPANESE.search(REFUSALS_JA[key])
    assert not ENGLISH.search(re.sub(r"（[^（）]*）|\{[^{}]*\}", "", REFUSALS_JA[key]))


def test_no_japanese_sentence_without_its_english() -> None:
    assert set(REFUSALS_JA) == set(REFUSALS)


def test_a_refusal_keeps_codes_and_values_and_names_the_item_in_japanese() -> None:
    exc = ConsentError.said("consent.not_offered_on", action="medical_diet", side="left")
    assert str(exc) == ("the plan does not offer medical_diet on the left leg (only an item "
                        "that is recommended or an option can be consented to)")
    assert said_in(exc, "en") == str(exc)
    assert said_in(exc, "ja").startswith(
        "この計画は左脚（left）にメディカルダイエット（medical_diet）を提示していません")
    listed = ConsentError.said("consent.not_self_pay", action="steroid_injection",
                               choices=("exosome_injection", "medical_diet"))
    assert str(listed).endswith("choose one of exosome_injection, medical_diet")
    assert said_in(listed, "ja").endswith(
        "次のいずれかを選んでください：exosome_injection、medical_diet")
    assert said_in(ConsentError("a message said without a key"), "ja") == (
        "a message said without a key")  # never dropped
