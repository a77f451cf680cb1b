"""Every rule has a Japanese title (`title_ja`), and the Japanese outputs show it: the text
plan, the rich text, the CDS Hooks cards, the FHIR export and the protocol book. A rule
without one falls back to its English title; a bad `title_ja` is a diagnostic."""

from __future__ import annotations

import json
import re
import shutil
from functools import cache
from html import escape
from pathlib import Path

import pytest
from typer.testing import CliRunner

from careflow import RulebookError, evaluate, load_rulebook, read_patient
from careflow.cli import app
from careflow.export import item_title, rule_title
from careflow.export.book import ProtocolBook, build_book
from careflow.export.cds_hooks import to_cards
from careflow.export.fhir import to_fhir_json
from careflow.export.rich_text import render_ansi
from careflow.export.words import md
from careflow.rulebook import default_rulebook
from careflow.rulebook.schema import Rule

ROOT = Path(__file__).resolve().parents[2]
RULES = ROOT / "rules"
DVT = ROOT / "examples" / "red-flag-dvt.yaml"
JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")
NUMBER = re.compile(r"\d+(?:\.\d+)?")


def _rules() -> list[Rule]:
    return [cr.rule for cr in default_rulebook().rules.values()]


@cache
def _book(lang: str) -> ProtocolBook:
    return build_book(lang=lang)


@pytest.mark.parametrize("rule", _rules(), ids=lambda r: r.id)
def test_every_shipped_rule_has_a_japanese_title(rule: Rule) -> None:
    assert rule.title_ja.strip(), f"{rule.id} has no title_ja"
    assert JAPANESE.search(rule.title_ja), f"{rule.id}: {rule.title_ja!r} is not Japanese"
    assert rule.title_ja != rule.title
    # the thresholds of the English title are the Japanese title's (words may become digits)
    missing = set(NUMBER.findall(rule.title)) - set(NUMBER.findall(rule.title_ja))
    assert not missing, f"{rule.id}: {sorted(missing)} not in {rule.title_ja!r}"


def test_every_clinic_policy_rule_cites_it_and_says_so_in_japanese() -> None:
    """A rule that rests on the clinic's own choice (any evidence entry that is clinic policy:
    CLINIC_POLICY, the repeat-injection policy, the vascular-pain heuristic, the lifestyle
    advice, the exosome exclusions, the KL staging convention) cites CLINIC_POLICY and is
    labelled 当院方針 where a doctor reads it."""
    evidence = default_rulebook().evidence
    policy = [r for r in _rules() if any(evidence[e].clinic_policy for e in r.evidence)]
    assert len(policy) > 40  # the test reads the rules it means to
    uncited = [r.id for r in policy if "CLINIC_POLICY" not in r.evidence]
    unlabelled = [r.id for r in policy if "当院方針" not in r.title_ja]
    assert not uncited
    assert not unlabelled


def test_the_clinic_policy_entries_are_the_ones_whose_source_says_clinic() -> None:
    """Clinic policy is read off an entry's `source` ("clinic policy", "clinic heuristic",
    ...): the shipped entries that are, and a guideline that is not."""
    evidence = default_rulebook().evidence
    assert sorted(k for k, e in evidence.items() if e.clinic_policy) == [
        "CLINIC_LIFESTYLE", "CLINIC_POLICY", "CLINIC_REPEAT_INJECTION", "CLINIC_VASCULAR_PAIN",
        "EXOSOME_LOCAL_POLICY", "KL_STAGE_LOCAL"]
    assert all("当院" in evidence[k].summary_ja for k, e in evidence.items() if e.clinic_policy)


def test_title_ja_sits_right_after_title_in_the_rule_files() -> None:
    for path in sorted(RULES.glob("*.yaml")):
        lines = path.read_text(encoding="utf-8").splitlines()
        for n, line in enumerate(lines):
            if line.startswith("    title_ja: "):
                before = n - 1
                while lines[before].startswith("      "):  # the title's continuation lines
                    before -= 1
                assert lines[before].startswith("    title: "), f"{path.name}:{n + 1}"


def test_rule_title_picks_the_language() -> None:
    rule = default_rulebook().rules["SAFETY_SUSPECTED_DVT"].rule
    assert rule_title(rule, "en") == rule.title
    assert rule_title(rule, "ja") == rule.title_ja


def test_text_plan_in_japanese_shows_the_japanese_rule_title() -> None:
    rule = default_rulebook().rules["SAFETY_SUSPECTED_DVT"].rule
    ja = CliRunner().invoke(app, ["plan", str(DVT), "--lang", "ja"])
    assert ja.exit_code == 0, ja.output
    assert f"SAFETY_SUSPECTED_DVT：{rule.title_ja}" in ja.output  # the colon of Japanese text
    assert rule.title not in ja.output
    en = CliRunner().invoke(app, ["plan", str(DVT)])
    assert en.exit_code == 0, en.output
    assert f"SAFETY_SUSPECTED_DVT: {rule.title}" in en.output
    assert rule.title_ja not in en.output


def test_every_japanese_format_shows_the_japanese_rule_titles() -> None:
    plan = evaluate(read_patient(DVT))
    book = default_rulebook()
    titles = {book.rules[i.rule].rule.title_ja for i in plan.items}
    assert titles and all(titles)
    ansi = render_ansi(plan, "ja", width=400)
    cards = "\n".join(c["detail"] for c in to_cards(plan, "ja")["cards"])
    fhir = json.dumps(json.loads(to_fhir_json(plan, "ja")), ensure_ascii=False)
    for title in titles:
        assert title in ansi
        assert title in cards
        assert title in fhir
    en_cards = "\n".join(c["detail"] for c in to_cards(plan, "en")["cards"])
    en_fhir = json.dumps(json.loads(to_fhir_json(plan, "en")), ensure_ascii=False)
    for item in plan.items:
        assert item.title in en_cards and item.title in en_fhir
    assert not any(title in en_cards or title in en_fhir for title in titles)


def test_an_item_from_a_rule_without_title_ja_keeps_its_english_title() -> None:
    plan = evaluate(read_patient(DVT))
    item = plan.items[0]
    assert item_title(item, "ja") != item.title
    assert item_title(item, "en") == item.title
    other = item.model_copy(update={"title": "A title the shipped rules do not have"})
    assert item_title(other, "ja") == other.title  # the plan came from other rules
    unknown = item.model_copy(update={"rule": "NOT_A_RULE"})
    assert item_title(unknown, "ja") == unknown.title


def test_the_japanese_book_has_every_japanese_title() -> None:
    ja, en = _book("ja"), _book("en")
    # the scenarios are quoted as the feature files write them (in Japanese), in either book
    en_own_words = en.markdown.split("\n## Scenarios\n")[0]
    for rule in _rules():
        assert f"#### {md(f'{rule.id} - {rule.title_ja}')}\n" in ja.markdown, rule.id
        assert f">{escape(f'{rule.id} - {rule.title_ja}')}</h4>" in ja.html, rule.id
        assert f"#### {md(f'{rule.id} - {rule.title}')}\n" in en.markdown, rule.id
        assert md(rule.title_ja) not in en_own_words, rule.id


# --- a bad title_ja is a diagnostic, like a bad title -------------------------------------
@pytest.fixture
def real(tmp_path: Path) -> Path:
    folder = tmp_path / "rules"
    shutil.copytree(RULES, folder)
    return folder


def _replace_title_ja(folder: Path, rule_id: str, new: str) -> int:
    """Replace one rule's `title_ja:` line; return its line number."""
    path = folder / "veins.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    start = lines.index(f"  - id: {rule_id}")
    n = next(i for i in range(start, len(lines)) if lines[i].startswith("    title_ja:"))
    lines[n] = new
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return n + 1


def _diagnostics(folder: Path) -> list[tuple[str, str, int, str, str | None]]:
    with pytest.raises(RulebookError) as caught:
        load_rulebook(folder)
    return [(d.code, d.file, d.line, d.message, d.rule) for d in caught.value.diagnostics]


@pytest.mark.parametrize("value, code", [
    ('""', "CF004"),
    ("'   '", "CF004"),
    ("", "CF002"),  # null
    ("[弾性ストッキング]", "CF002"),
    ("{ja: 弾性ストッキング}", "CF002"),
    ("42", "CF002"),
])
def test_an_empty_or_non_text_title_ja_is_a_diagnostic(real: Path, value: str,
                                                       code: str) -> None:
    line = _replace_title_ja(real, "VEIN_STOCKINGS", f"    title_ja: {value}".rstrip())
    found = _diagnostics(real)
    assert [(c, f, n, r) for c, f, n, _, r in found] == [
        (code, "rules/veins.yaml", line, "VEIN_STOCKINGS")], found
    assert "title_ja" in found[0][3]


def test_a_misspelt_title_ja_key_is_an_unknown_key(real: Path) -> None:
    line = _replace_title_ja(real, "VEIN_STOCKINGS", "    title_jp: 弾性ストッキング")
    found = _diagnostics(real)
    assert [(c, f, n) for c, f, n, _, _ in found] == [("CF003", "rules/veins.yaml", line)]
    assert "did you mean 'title_ja'" in found[0][3]


def test_careflow_check_reports_a_bad_title_ja(real: Path) -> None:
    line = _replace_title_ja(real, "VEIN_STOCKINGS", '    title_ja: ""')
    result = CliRunner().invoke(app, ["check", str(real)])
    assert result.exit_code == 1
    assert re.search(rf"^rules/veins.yaml:{line}:\d+ CF004 ", result.output, re.MULTILINE), \
        result.output


def test_a_rule_without_title_ja_loads_and_shows_its_english_title(real: Path) -> None:
    _replace_title_ja(real, "VEIN_STOCKINGS", "")
    book = load_rulebook(real)
    rule = book.rules["VEIN_STOCKINGS"].rule
    assert rule.title_ja == ""
    assert rule_title(rule, "ja") == rule.title
