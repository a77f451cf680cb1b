"""JSON Schema of the patient document and of the plan (`careflow schema patient|plan`):
valid draft 2020-12 schemas that accept the example patients and the plans careflow makes,
and reject what careflow rejects."""

from __future__ import annotations

import datetime as dt
import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from typer.testing import CliRunner

from careflow import InputError, evaluate, parse_patient, read_patient
from careflow.cli import app
from careflow.export.schema import patient_schema, plan_schema, schema, schema_json

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "examples").glob("*.yaml"))


@cache
def validator(name: str) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(schema(name),
                                           format_checker=jsonschema.FormatChecker())


def as_json(doc: Any) -> Any:
    """What a clinic's software would send: YAML dates become ISO text."""
    return json.loads(json.dumps(doc, default=lambda x: x.isoformat()
                                 if isinstance(x, dt.date) else str(x)))


def problems(name: str, doc: Any) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
            for e in validator(name).iter_errors(doc)]


@pytest.mark.parametrize("name", ["patient", "plan"])
def test_schema_is_a_valid_draft_2020_12_schema(name: str) -> None:
    doc = schema(name)
    jsonschema.Draft202012Validator.check_schema(doc)
    assert doc["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert doc["type"] == "object"


def test_schema_names_are_patient_and_plan() -> None:
    assert patient_schema()["title"] == "Patient"
    assert plan_schema()["title"] == "Plan"
    with pytest.raises(ValueError, match="patient, plan"):
        schema("item")


def test_patient_schema_lists_the_required_fields_and_the_contract_codes() -> None:
    doc = patient_schema()
    assert set(doc["required"]) == {"id", "assessed_on", "age", "sex", "legs"}
    assert doc["additionalProperties"] is False
    conditions = doc["properties"]["conditions"]["items"]["enum"]
    assert "bleeding_disorder" in conditions and "sepsis" in conditions


@pytest.mark.parametrize("case", EXAMPLES, ids=[c.stem for c in EXAMPLES])
def test_example_patient_and_its_plan_validate(case: Path) -> None:
    doc = as_json(yaml.safe_load(case.read_text(encoding="utf-8")))
    assert problems("patient", doc) == []
    plan = json.loads(evaluate(read_patient(case)).to_json())
    assert problems("plan", plan) == []


BAD = {
    "unknown field": {"colour": "red"},
    "age out of range": {"age": 130},
    "unknown condition": {"conditions": ["gout"]},
    "pregnant male": {"sex": "male", "pregnant": True},
    "pain out of range": {"legs": [{"side": "right", "knee": {"pain_nrs": 11}}]},
    "no legs": {"legs": []},
    "history code that is not a treatment": {
        "history": [{"treatment": "referral", "weeks": 4, "response": "none"}]},
    "date that is not a date": {"assessed_on": "20/11/2026"},
    "a fractional whole number": {"age": 60.5},
    "breastfeeding male": {"sex": "male", "conditions": ["breastfeeding"]},
    "pregnant at 8": {"age": 8, "pregnant": True},
    "breastfeeding at 70": {"age": 70, "conditions": ["breastfeeding"]},
    "two right legs": {"legs": [{"side": "right"}, {"side": "right"}]},
    "history side not in legs": {
        "history": [{"treatment": "exercise_therapy", "side": "left", "weeks": 4,
                     "response": "none"}]},
    "vein on a knee treatment": {
        "history": [{"treatment": "exercise_therapy", "vein": "gsv", "weeks": 4,
                     "response": "none"}]},
    "null list": {"conditions": None},
    "unknown medication": {"medications": ["aspirin"]},
}

GOOD = {
    "a whole number written 5.0": {"age": 60.0},
    "no lists: not asked": {},
    "empty lists: asked, none": {"conditions": [], "allergies": [], "medications": []},
    "two legs": {"legs": [{"side": "right"}, {"side": "left"}]},
    "history on a leg that is there": {
        "legs": [{"side": "right"}, {"side": "left"}],
        "history": [{"treatment": "endovenous_thermal_ablation", "side": "left", "vein": "gsv",
                     "weeks": 60, "response": "good"}]},
    "pregnant at 30": {"age": 30, "pregnant": True},
}


@pytest.mark.parametrize("change", GOOD.values(), ids=list(GOOD))
def test_schema_accepts_what_careflow_accepts(change: dict[str, Any]) -> None:
    doc = {"id": "P-1", "assessed_on": "2026-11-20", "age": 60, "sex": "female",
           "legs": [{"side": "right"}], **change}
    parse_patient(doc)
    assert problems("patient", doc) == []


# What JSON Schema cannot compute, and careflow refuses: documented in the schema
SCHEMA_CANNOT = {"bmi_out_of_range.yaml", "too_big.yaml"}
CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "bad_patients"


def _corpus_documents() -> list[tuple[str, Any]]:
    out = []
    for path in sorted(CORPUS.glob("*.yaml")):
        try:
            doc = yaml.safe_load(path.read_bytes())
        except (yaml.YAMLError, ValueError, RecursionError):
            continue  # not a document at all: no schema question
        if isinstance(doc, dict) and path.name not in SCHEMA_CANNOT:
            out.append((path.name, doc))
    return out


@pytest.mark.parametrize("name,doc", _corpus_documents(), ids=[n for n, _ in _corpus_documents()])
def test_schema_and_validator_agree_on_the_bad_input_corpus(name: str, doc: Any) -> None:
    """Every malformed document careflow refuses (tests/fixtures/bad_patients) that is a
    mapping JSON could carry is refused by the published schema too."""
    try:
        text = json.dumps(doc, allow_nan=False, default=lambda x: x.isoformat()
                          if isinstance(x, dt.date) else str(x))
    except (ValueError, TypeError):
        pytest.skip("not representable as JSON")
    try:
        parse_patient(json.loads(text))
    except InputError:
        assert problems("patient", json.loads(text)), f"{name}: the schema accepted it"
    else:
        pytest.skip("only YAML makes this document bad (its JSON form is a different document)")


@pytest.mark.parametrize("change", BAD.values(), ids=list(BAD))
def test_schema_rejects_what_careflow_rejects(change: dict[str, Any]) -> None:
    doc = {"id": "P-1", "assessed_on": "2026-11-20", "age": 60, "sex": "female",
           "legs": [{"side": "right"}], **change}
    with pytest.raises(InputError):
        parse_patient(doc)
    assert problems("patient", doc), f"the schema accepted {change}"


def test_plan_schema_holds_the_contract_vocabulary() -> None:
    item = plan_schema()["$defs"]["Item"]["properties"]
    assert item["status"]["enum"] == ["contraindicated", "not_recommended", "deferred",
                                      "recommended", "option", "next_step"]
    assert "anticoagulation_plan" in item["precautions"]["items"]["enum"]
    assert "compression_stockings" in item["action"]["enum"]
    assert item["reasons"]["minItems"] == 1
    plan = json.loads(evaluate(read_patient(EXAMPLES[0])).to_json())
    plan["items"][0]["status"] = "maybe"
    assert any("maybe" in p for p in problems("plan", plan))


@pytest.mark.parametrize("name", ["patient", "plan"])
def test_cli_prints_the_schema(name: str) -> None:
    result = CliRunner().invoke(app, ["schema", name])
    assert result.exit_code == 0, result.output
    assert result.stdout == schema_json(name)
    assert json.loads(result.stdout)["$id"] == f"urn:careflow:schema:{name}"


def test_cli_refuses_an_unknown_schema_name() -> None:
    result = CliRunner().invoke(app, ["schema", "items"])
    assert result.exit_code == 2
    assert "patient" in result.output and "plan" in result.output
