"""Bad rule files: every diagnostic code, with its file and line (issue 4, item 2).

tests/fixtures/bad_rules/ holds one small rules folder per code, each with exactly one
mistake and an `expect.txt` (code, file, line, message fragment). `careflow check` exits 1 on
each. The second half edits a copy of the real rule set in tmp_path (one change each) to show
the same diagnostics point into the real files.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from careflow import RulebookError, load_rulebook
from careflow.cli import app
from careflow.errors import Diagnostic
from careflow.rulebook.parse import __doc__ as PARSE_DOC

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "bad_rules"
RULES = Path(__file__).resolve().parents[2] / "rules"
CODES = sorted(set(re.findall(r"\bCF\d{3}\b", PARSE_DOC or "")))


def _expect(folder: Path) -> dict[str, str]:
    out = {}
    for line in (folder / "expect.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            key, value = line.split(":", 1)
            out[key.strip()] = value.strip()
    return out


FOLDERS = sorted(p for p in CORPUS.iterdir() if p.is_dir())


def test_every_documented_code_has_a_folder() -> None:
    assert len(CODES) >= 20
    covered = {_expect(f)["code"] for f in FOLDERS}
    assert covered == set(CODES), f"codes without a folder: {sorted(set(CODES) - covered)}"


@pytest.mark.parametrize("folder", FOLDERS, ids=[f.name for f in FOLDERS])
def test_the_diagnostic_names_code_file_and_line(folder: Path) -> None:
    want = _expect(folder)
    with pytest.raises(RulebookError) as caught:
        load_rulebook(folder)
    found = caught.value.diagnostics
    assert [(d.code, d.file, d.line) for d in found] == [
        (want["code"], f"{folder.name}/{want['file']}", int(want["line"]))], found
    assert want["message"] in found[0].message
    assert found[0].column >= 1


@pytest.mark.parametrize("folder", FOLDERS, ids=[f.name for f in FOLDERS])
def test_careflow_check_exits_1_and_prints_it(folder: Path) -> None:
    want = _expect(folder)
    result = CliRunner().invoke(app, ["check", str(folder)])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert re.search(rf"^{re.escape(folder.name)}/{re.escape(want['file'])}:{want['line']}:\d+ "
                     rf"{want['code']} ", result.output, re.MULTILINE), result.output


def test_the_real_process_reports_every_problem_of_a_folder(tmp_path: Path) -> None:
    """Two mistakes in one folder: both reported (not only the first), exit status 1."""
    folder = tmp_path / "two"
    shutil.copytree(CORPUS / "CF101_unknown_fact", folder)
    text = (CORPUS / "CF109_malformed_rule_id" / "test.yaml").read_text()
    (folder / "other.yaml").write_text(text)
    proc = subprocess.run([sys.executable, "-m", "careflow.cli", "check", str(folder)],
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 1
    assert "two/test.yaml:6:12 CF101" in proc.stderr
    assert "two/other.yaml:4:5 CF109" in proc.stderr
    assert "Traceback" not in proc.stderr


# --- the real rule set plus one change ---------------------------------------------------
@pytest.fixture
def real(tmp_path: Path) -> Path:
    folder = tmp_path / "rules"
    shutil.copytree(RULES, folder)
    return folder


def _line_of(path: Path, text: str) -> int:
    for n, line in enumerate(path.read_text().splitlines(), 1):
        if text in line:
            return n
    raise AssertionError(f"{text!r} not in {path}")


def _only(folder: Path) -> list[tuple[str, str, int]]:
    with pytest.raises(RulebookError) as caught:
        load_rulebook(folder)
    return [(d.code, d.file, d.line) for d in caught.value.diagnostics]


def _append(path: Path, rule: str) -> int:
    """Append a rule to an area file; return the line of its `- id:`."""
    text = path.read_text().rstrip("\n") + "\n\n"
    path.write_text(text + rule)
    return len(text.splitlines()) + 1


def test_real_rules_with_a_misspelt_fact(real: Path) -> None:
    veins = real / "veins.yaml"
    line = _line_of(veins, "veins.ceap_c: {gte: $ulcer_ceap}")
    veins.write_text(veins.read_text().replace("veins.ceap_c: {gte: $ulcer_ceap}",
                                               "veins.ceapc: {gte: $ulcer_ceap}", 1))
    assert _only(real) == [("CF101", "rules/veins.yaml", line)]


def test_real_rules_with_a_duplicate_id(real: Path) -> None:
    line = _append(real / "findings.yaml", """  - id: FINDING_OBESITY
    title: A second rule with the same id
    scope: patient
    when: {bmi: {gte: 30}}
    derive: obesity
    evidence: [JSSO_OBESITY]
""")
    assert _only(real) == [("CF201", "rules/findings.yaml", line)]


def test_real_rules_with_a_cycle_through_real_findings(real: Path) -> None:
    line = _append(real / "findings.yaml", """  - id: FINDING_VENOUS_DISEASE_UNLESS_VASCULAR
    title: Venous disease when the knee pain is not vascular (a cycle on purpose)
    when:
      veins.symptom_count: {gte: 1}
      not: {finding: vascular_pain_suspected}
    derive: venous_disease
    evidence: [CEAP_2020]
""")
    found = _only(real)
    assert {code for code, _, _ in found} == {"CF202"}
    assert ("CF202", "rules/findings.yaml", line) in found


def test_real_rules_with_stockings_claimed_and_contraindicated(real: Path) -> None:
    line = _append(real / "veins.yaml", """  - id: VEIN_NO_STOCKINGS_EVER
    title: Stockings are contraindicated for venous disease (contradicts VEIN_STOCKINGS)
    when: {finding: venous_disease}
    claim: {action: compression_stockings, status: contraindicated, reason_code: never}
    evidence: [ICC_COMPRESSION_2020]
""")
    assert _only(real) == [("CF203", "rules/veins.yaml", line + 3)]


def test_real_rules_with_unparseable_yaml(real: Path) -> None:
    knee = real / "knee.yaml"
    lines = knee.read_text().splitlines()
    lines.insert(3, "  - id: [unclosed")
    knee.write_text("\n".join(lines) + "\n")
    found = _only(real)
    assert [(c, f) for c, f, _ in found] == [("CF001", "rules/knee.yaml")]
    assert found[0][2] >= 4


def test_real_rules_without_consent_yaml(real: Path) -> None:
    """No consent.yaml while the rules offer self-pay care: each self-pay action once, at the
    first rule that offers it (it passed before: the form could not have been printed)."""
    (real / "consent.yaml").unlink()
    found = _only(real)
    assert {code for code, _, _ in found} == {"CF120"}
    assert {file for _, file, _ in found} == {"rules/self_pay.yaml"}
    with pytest.raises(RulebookError) as caught:
        load_rulebook(real)
    said = str(caught.value)
    for action in ("intra_arterial_injection", "exosome_injection", "medical_diet"):
        assert said.count(f"the self-pay action '{action}' is offered but the rule set has no "
                          "consent.yaml") == 1


def _edit_form(folder: Path, change: Callable[[dict[str, Any]], object]) -> int:
    path = folder / "consent.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(doc["form"])
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return _line_of(path, "form:")


FORM_EDITS: dict[str, tuple[Callable[[dict[str, Any]], object], list[str]]] = {
    "no version": (lambda f: f.pop("version"), ["needs a 'version'"]),
    "blank version": (lambda f: f.update(version=" "), ["needs a 'version'"]),
    "no reflection days": (lambda f: f.pop("reflection_days"), ["needs 'reflection_days'"]),
    "zero reflection days": (lambda f: f.update(reflection_days=0),
                             ["'reflection_days'", "(got 0)"]),
    "reflection days as text": (lambda f: f.update(reflection_days="7"),
                                ["'reflection_days'", "(got '7')"]),
    "reflection days as a fraction": (lambda f: f.update(reflection_days=7.5),
                                      ["'reflection_days'", "(got 7.5)"]),
    "reflection days true": (lambda f: f.update(reflection_days=True),
                             ["'reflection_days'", "(got True)"]),
    "no English withdrawal": (lambda f: f["withdrawal"].pop("en"),
                              ["has no en text for 'withdrawal'"]),
    "blank Japanese withdrawal": (lambda f: f["withdrawal"].update(ja=" "),
                                  ["has no ja text for 'withdrawal'"]),
    "no withdrawal": (lambda f: f.pop("withdrawal"), ["has no ja text for 'withdrawal'",
                                                      "has no en text for 'withdrawal'"]),
    "withdrawal without the days": (lambda f: f["withdrawal"].update(en="You may withdraw."),
                                    ["en 'withdrawal' text says the reflection period as "
                                     "{days}", "(got no {days})"]),
    "withdrawal with another field": (
        lambda f: f["withdrawal"].update(ja=f["withdrawal"]["ja"] + "{name}"),
        ["ja 'withdrawal' text", "(got 'days', 'name')"]),
    "withdrawal with a lone brace": (
        lambda f: f["withdrawal"].update(en=f["withdrawal"]["en"] + " {"),
        ["en 'withdrawal' text"]),
}


@pytest.mark.parametrize("edit", FORM_EDITS, ids=list(FORM_EDITS))
def test_real_rules_with_an_incomplete_consent_form(real: Path, edit: str) -> None:
    """The form's own version, reflection period and withdrawal texts are checked (CF120):
    without them the form printed 「少なくともNone日間」 or an empty withdrawal section."""
    change, fragments = FORM_EDITS[edit]
    form_line = _edit_form(real, change)
    with pytest.raises(RulebookError) as caught:
        load_rulebook(real)
    found = caught.value.diagnostics
    assert {(d.code, d.file) for d in found} == {("CF120", "rules/consent.yaml")}, found
    assert all(d.line >= form_line for d in found)
    said = "\n".join(d.message for d in found)
    for fragment in fragments:
        assert fragment in said, said
    result = CliRunner().invoke(app, ["check", str(real)])
    assert result.exit_code == 1 and "Traceback" not in result.output


def test_real_rules_missing_two_form_texts_report_both(real: Path) -> None:
    """The audit's case: no English withdrawal text and no reflection days, two problems."""
    def change(form: dict[str, Any]) -> None:
        del form["withdrawal"]["en"], form["reflection_days"]

    _edit_form(real, change)
    messages = sorted(d.message for d in _diagnostics(real))
    assert len(messages) == 2
    assert "has no en text for 'withdrawal'" in messages[0]
    assert "needs 'reflection_days'" in messages[1]


def _diagnostics(folder: Path) -> list[Diagnostic]:
    with pytest.raises(RulebookError) as caught:
        load_rulebook(folder)
    return caught.value.diagnostics
