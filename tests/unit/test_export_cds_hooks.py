"""CDS Hooks cards (`careflow plan FILE --format cds-hooks`), validated against the CDS Hooks
2.0 response shape (https://cds-hooks.hl7.org/2.0/#cds-service-response), written below as a
JSON Schema from the specification's tables."""

from __future__ import annotations

import json
import uuid
from typing import Any

import jsonschema
import pytest
from typer.testing import CliRunner

from careflow import vocabulary as v
from careflow.cli import app
from careflow.export import cds_hooks
from careflow.export.words import md, reason_text
from careflow.labels import label
from tests.unit.test_export_samples import EXAMPLES, names, sample_plans

CODING = {"type": "object", "required": ["code"],
          "properties": {"system": {"type": "string"}, "code": {"type": "string"},
                         "display": {"type": "string"}}}
LINK = {
    "type": "object", "additionalProperties": False,
    "required": ["label", "url", "type"],
    "properties": {"label": {"type": "string", "minLength": 1},
                   "url": {"type": "string", "format": "uri", "pattern": "^https?://"},
                   "type": {"enum": ["absolute", "smart"]},
                   "appContext": {"type": "string"}},
}
SUGGESTION = {
    "type": "object", "required": ["label"],
    "properties": {"label": {"type": "string"}, "uuid": {"type": "string"},
                   "isRecommended": {"type": "boolean"},
                   "actions": {"type": "array", "items": {
                       "type": "object", "required": ["type"],
                       "properties": {"type": {"enum": ["create", "update", "delete"]},
                                      "description": {"type": "string"},
                                      "resource": {"type": "object"},
                                      "resourceId": {"type": "string"}}}}},
}
CARD = {
    "type": "object", "additionalProperties": False,
    "required": ["summary", "indicator", "source"],
    "properties": {
        "uuid": {"type": "string", "format": "uuid"},
        "summary": {"type": "string", "minLength": 1, "maxLength": 139},  # "<140 char"
        "detail": {"type": "string"},  # GitHub Flavored Markdown
        "indicator": {"enum": ["info", "warning", "critical"]},
        "source": {
            "type": "object", "additionalProperties": False, "required": ["label"],
            "properties": {"label": {"type": "string", "minLength": 1},
                           "url": {"type": "string", "format": "uri", "pattern": "^https?://"},
                           "icon": {"type": "string", "format": "uri"},
                           "topic": CODING},
        },
        "suggestions": {"type": "array", "items": SUGGESTION},
        "selectionBehavior": {"enum": ["at-most-one", "any"]},
        "overrideReasons": {"type": "array", "items": CODING},
        "links": {"type": "array", "items": LINK},
    },
    # selectionBehavior is required when there are suggestions
    "dependentRequired": {"suggestions": ["selectionBehavior"]},
}
RESPONSE = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object", "required": ["cards"],
    "properties": {"cards": {"type": "array", "items": CARD},
                   "systemActions": {"type": "array"}},
}
VALIDATOR = jsonschema.Draft202012Validator(RESPONSE, format_checker=jsonschema.FormatChecker())


def response(name: str, lang: str = "en") -> dict[str, Any]:
    """The cards as a client receives them: the JSON text, parsed."""
    doc: dict[str, Any] = json.loads(cds_hooks.to_cards_json(sample_plans()[name], lang))
    return doc


def test_the_response_schema_is_valid_and_refuses_a_bad_card() -> None:
    jsonschema.Draft202012Validator.check_schema(RESPONSE)
    bad = {"cards": [{"summary": "x" * 140, "indicator": "hard-stop", "source": {}}]}
    messages = " ".join(e.message for e in VALIDATOR.iter_errors(bad))
    assert "too long" in messages and "hard-stop" in messages and "label" in messages


@pytest.mark.parametrize("lang", ["en", "ja"])
@pytest.mark.parametrize("name", names())
def test_cards_validate_against_the_cds_hooks_response_shape(name: str, lang: str) -> None:
    doc = response(name, lang)
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in VALIDATOR.iter_errors(doc)]
    assert errors == []
    plan = sample_plans()[name]
    assert len(doc["cards"]) == (len(plan.items) + bool(plan.questions_open)
                                 + bool(plan.considered))
    ids = [c["uuid"] for c in doc["cards"]]
    assert len(set(ids)) == len(ids)
    assert all(uuid.UUID(i).version == 5 for i in ids)


@pytest.mark.parametrize("name", names())
def test_indicator_summary_source_and_detail_follow_the_item(name: str) -> None:
    plan = sample_plans()[name]
    cards = response(name)["cards"]
    if plan.considered:  # one card last, for why not
        why, cards = cards[-1], cards[:-1]
        assert why["indicator"] == "info" and why["detail"].count("\n- ") + 1 == len(
            plan.considered)
    if plan.questions_open:  # one banner first, naming every question not asked
        banner, cards = cards[0], cards[1:]
        assert banner["indicator"] == "warning"
        assert all(label("question", q) in banner["summary"] for q in plan.questions_open)
    for item, card in zip(plan.items, cards, strict=True):
        red_flag = item.action == "referral" and item.reason_code in v.RED_FLAGS
        if red_flag or (item.urgency in ("emergency", "urgent") and item.status in v.OFFERED):
            assert card["indicator"] == "critical"
        elif item.status == "contraindicated":
            assert card["indicator"] == "warning"
        else:
            assert card["indicator"] == "info"
        assert len(card["summary"]) < 140
        assert label("action", item.action) in card["summary"] or item.action == "referral"
        if item.evidence:
            assert card["source"]["label"] in [e.source for e in item.evidence]
            with_url = [e.url for e in item.evidence if e.url]
            if with_url:
                assert card["source"]["url"] in with_url
                assert [lk["url"] for lk in card["links"]] == with_url
        else:
            assert card["source"]["label"].startswith(plan.protocol.name)
        # the reasons, in words, in the Markdown detail
        assert f"`{item.rule}`" in card["detail"]
        for line in reason_text(item):
            assert md(line) in card["detail"]


def test_every_indicator_occurs_among_the_samples() -> None:
    seen = {c["indicator"] for n in names() for c in response(n)["cards"]}
    assert seen == {"info", "warning", "critical"}
    routine = [c for c in response("routine-referral")["cards"]
               if c["summary"].startswith("Referral")]
    assert response("routine-referral")["cards"][0]["summary"].startswith(
        "Questions not yet asked: past and current conditions")
    assert routine and all(c["indicator"] == "info" for c in routine)


def test_red_flag_card_says_referral_urgency_and_reason() -> None:
    first = response("critical-limb-ischemia")["cards"][0]
    assert first["indicator"] == "critical"
    assert first["summary"] == "Referral (urgent): critical limb ischaemia (right leg)"
    ja = response("critical-limb-ischemia", "ja")["cards"][0]
    assert ja["summary"] == "紹介（至急）：包括的高度慢性下肢虚血（CLTI）（右脚）"


def test_urgent_care_in_house_is_a_critical_card() -> None:
    first = response("red-flag-dvt")["cards"][0]
    assert first["indicator"] == "critical"
    assert first["summary"] == ("Recommended: duplex ultrasound (right leg) (urgent) - "
                                "suspected deep vein thrombosis")


def test_summary_is_cut_below_140_characters() -> None:
    plan = sample_plans()["two-legs"]
    item = plan.items[0].model_copy(update={"reason_code": "x" * 300})
    text = cds_hooks.summary(item)
    assert len(text) == cds_hooks.SUMMARY_MAX and text.endswith("…")


def test_japanese_cards_use_japanese_labels() -> None:
    cards = response("vascular-knee-pain", "ja")["cards"]
    summaries = " ".join(c["summary"] for c in cards)
    for term in ("弾性ストッキング", "血管内焼灼術", "動注治療", "エクソソーム注射",
                 "メディカルダイエット"):
        assert term in summaries
    assert all("**根拠**" in c["detail"] for c in cards)


def test_cli_prints_the_cards() -> None:
    case = next(c for c in EXAMPLES if c.stem == "critical-limb-ischemia")
    result = CliRunner().invoke(app, ["plan", str(case), "-f", "cds-hooks", "--lang", "en"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert list(VALIDATOR.iter_errors(doc)) == []
    assert any(c["indicator"] == "warning" for c in doc["cards"])


def test_cli_refuses_an_unknown_format() -> None:
    result = CliRunner().invoke(app, ["plan", str(EXAMPLES[0]), "--format", "hl7v2"])
    assert result.exit_code == 2
    assert "cds-hooks" in result.output and "fhir" in result.output
