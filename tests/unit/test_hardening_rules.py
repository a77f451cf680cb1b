"""Rule text is printed everywhere (terminal, HTML, Markdown, cards, FHIR): `careflow check`
refuses what no output can show safely, and what it accepts is inert in every output (issue
14, item 7, "parameters and rule files")."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from careflow import evaluate, load_rulebook, read_patient
from careflow.cli import app
from careflow.export import text
from careflow.export.book import build_book
from careflow.export.cds_hooks import to_cards_json
from careflow.export.fhir import to_fhir_json
from careflow.export.leaflet import to_html as leaflet_html
from careflow.export.page import to_html as page_html
from careflow.export.rich_text import render_ansi

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "vascular-knee-pain.yaml"
TITLE_LINE = "    title: Four or more hours a day on one's feet - avoid prolonged standing"
HOSTILE = "Standing <script>alert(1)</script> [bold red]loud[/] **b** | # h"


def _rules(tmp_path: Path, old: str, new: str, file: str = "advice.yaml") -> Path:
    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", rules)
    target = rules / file
    body = target.read_text(encoding="utf-8")
    assert old in body
    target.write_text(body.replace(old, new, 1), encoding="utf-8")
    return rules


def _check(rules: Path) -> str:
    result = CliRunner().invoke(app, ["check", str(rules)])
    assert result.exit_code == 1, result.output
    return result.output


@pytest.mark.parametrize("title, char", [
    ('"Standing \\e[31mred\\e[0m"', "U+001B"),                # a terminal escape sequence
    ('"Standing\\nFORGED: recommended: surgery"', "U+000A"),  # a line that forges a plan line
    ('"Standing\\u202eeton"', "U+202E"),                      # right-to-left override
])
def test_control_characters_in_rule_text_are_refused(tmp_path: Path, title: str,
                                                      char: str) -> None:
    out = _check(_rules(tmp_path, TITLE_LINE, f"    title: {title}"))
    assert "rules/advice.yaml:7:5 CF130" in out and char in out


def test_a_line_break_is_fine_in_a_note(tmp_path: Path) -> None:
    rules = _rules(tmp_path, TITLE_LINE, TITLE_LINE + '\n    note: "first line\\nsecond line"')
    result = CliRunner().invoke(app, ["check", str(rules)])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("url", ['"javascript:alert(1)"', "12345", '"https://x.org/a b"',
                                 '"data:text/html,<b>x</b>"'])
def test_an_evidence_url_must_be_a_web_address(tmp_path: Path, url: str) -> None:
    old = "url: https://doi.org/10.1136/annrheumdis-2021-220266"
    out = _check(_rules(tmp_path, old, f"url: {url}", "evidence.yaml"))
    assert "CF131" in out and "https:// or http://" in out


def test_a_yml_file_is_named_not_ignored(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", rules)
    (rules / "extra.yml").write_text("rules: []\n", encoding="utf-8")
    out = _check(rules)
    assert "rules/extra.yml" in out and "CF132" in out and "extra.yaml" in out


def test_printable_but_hostile_text_is_inert_in_every_output(tmp_path: Path) -> None:
    rules = _rules(tmp_path, TITLE_LINE, f'    title: "{HOSTILE}"')
    book = load_rulebook(rules)
    plan = evaluate(read_patient(EXAMPLE), book)
    assert any(item.title == HOSTILE for item in plan.items), "the example shows the rule"
    protocol_book = build_book(book, None, "en")
    for html in (page_html(plan, "en"), leaflet_html(plan, "en"), protocol_book.html):
        assert "<script>alert" not in html
    # the page says a recommended piece of advice in one line, without its rule's title
    assert "&lt;script&gt;" in protocol_book.html
    assert "<script>" not in protocol_book.markdown
    assert "\\*\\*b\\*\\*" in protocol_book.markdown
    plain_text = text.render(plan, "en")
    assert any(HOSTILE in line for line in plain_text.splitlines())
    assert "[bold red]loud[/]" in render_ansi(plan, "en")  # shown as written, not styled
    cards = json.loads(to_cards_json(plan, "en"))["cards"]
    details = [card["detail"] for card in cards if "ADVICE_AVOID_PROLONGED" in card["detail"]]
    assert details and all("<script>" not in d and "\\<script\\>" in d for d in details)
    fhir = to_fhir_json(plan, "en")  # plain FHIR strings; any narrative is XHTML, escaped
    assert HOSTILE in json.dumps(json.loads(fhir), ensure_ascii=False)
    assert all("<script>" not in div for div in _narratives(json.loads(fhir)))


def _narratives(node: object) -> list[str]:
    if isinstance(node, dict):
        found = [node["div"]] if isinstance(node.get("div"), str) else []
        return found + [d for value in node.values() for d in _narratives(value)]
    if isinstance(node, list):
        return [d for value in node for d in _narratives(value)]
    return []
