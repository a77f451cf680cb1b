"""Input documents that once ended in a guess, a hang or a flood (issue 14, item 7, "input
documents" and "plausibility"): each ends in a clear refusal or in the plan its plain form
gives. The one-file-per-case corpus is tests/fixtures/bad_patients/; the cases here need a
device, a second format or a rule folder."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any, cast

import pytest
import yaml
from typer.testing import CliRunner

from careflow import evaluate, read_patient
from careflow.cli import app
from careflow.errors import InputError
from careflow.model import loads_patient
from careflow.yamlsrc import YamlSourceError, load_document, load_json

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "vascular-knee-pain.yaml"


def _json_form(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    # dates as YYYY-MM-DD text; json.loads is untyped, the document is a mapping
    return cast("dict[str, Any]", json.loads(json.dumps(data, default=str)))


def test_json_is_read_by_json_rules_tabs_included(tmp_path: Path) -> None:
    """A tab-indented JSON file is valid JSON (YAML refuses tabs): same plan as the YAML."""
    target = tmp_path / "patient.json"
    target.write_text(json.dumps(_json_form(EXAMPLE), indent="\t"), encoding="utf-8")
    assert "\t" in target.read_text(encoding="utf-8")
    assert evaluate(read_patient(target)).model_dump() == evaluate(
        read_patient(EXAMPLE)).model_dump()


def test_json_without_a_json_name_is_still_json() -> None:
    text = json.dumps(_json_form(EXAMPLE), indent="\t")
    assert loads_patient(text).id == "P-0001"  # opens with "{": read as JSON


@pytest.mark.parametrize("text, fragment", [
    ('{"id": "P-1", "age": NaN}', "NaN is not a JSON number"),
    ('{"id": "P-1", "age": Infinity}', "Infinity is not a JSON number"),
    ('{"id": "P-1", "id": "P-2"}', "duplicate key 'id'"),
    ('{"id": "P-1",\n "age": 60,,}', "line 2: not valid JSON"),
    ('{"age": ' + "9" * 5000 + "}", "not valid JSON"),
    ("[" * 60 + "]" * 60, "nested"),
])
def test_json_refusals_name_what_is_wrong(text: str, fragment: str) -> None:
    with pytest.raises(InputError) as caught:
        loads_patient(text, "p.json")
    assert fragment in str(caught.value)


def test_a_device_that_never_ends_is_read_no_further_than_the_limit() -> None:
    result = CliRunner().invoke(app, ["plan", "/dev/zero"])
    assert result.exit_code == 2, result.output
    assert "document larger than 1000000 bytes" in result.output


def test_both_yaml_parsers_give_one_answer_and_libyaml_reads_big_documents() -> None:
    """load_document parses YAML with libyaml and re-reads a refused document with the pure
    reader: the refusal is the pure reader's, line included."""
    bad = EXAMPLE.read_text(encoding="utf-8") + "\n  - [\n"
    with pytest.raises(YamlSourceError) as by_document:
        load_document(bad)
    from careflow.yamlsrc import load_yaml
    with pytest.raises(YamlSourceError) as by_pure:
        load_yaml(bad)
    assert str(by_document.value) == str(by_pure.value)
    # a long but valid document (a long history) is read and then refused by the model's
    # bound, by the field's name
    body = EXAMPLE.read_text(encoding="utf-8").replace(
        "history:\n", "history:\n" + "  - {treatment: exercise_therapy, weeks: 4, "
        "response: none}\n" * 5000)
    with pytest.raises(InputError) as caught:
        loads_patient(body, "long.yaml")
    assert "history: must list at most 100 entries (got 5001)" in str(caught.value)


def test_load_json_keeps_the_reader_limits() -> None:
    with pytest.raises(YamlSourceError, match="larger than"):
        load_json(b" " * 1_000_001)
    with pytest.raises(YamlSourceError, match="not UTF-8"):
        load_json(b'{"id": "\xff"}')


@pytest.mark.parametrize("line, fragment", [
    ("    title: !!float 5", "YAML tags are not accepted"),
    ("    title: \"a title\u2028with a hidden break\"", "character U+2028 is not accepted"),
])
def test_rule_files_refuse_tags_and_hidden_breaks(tmp_path: Path, line: str,
                                                  fragment: str) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", rules)
    target = rules / "advice.yaml"
    text = target.read_text(encoding="utf-8").split("\n")
    index = next(i for i, row in enumerate(text) if row.startswith("    title:"))
    text[index] = line
    target.write_text("\n".join(text), encoding="utf-8")
    result = CliRunner().invoke(app, ["check", str(rules)])
    assert result.exit_code in (1, 3), result.output
    assert fragment in result.output and "advice.yaml" in result.output
