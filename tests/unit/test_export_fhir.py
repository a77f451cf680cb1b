"""FHIR R4 export (`careflow plan FILE --format fhir`): a CarePlan containing a RequestGroup
with one action per plan item, built with the fhir.resources R4B models and parsed back with
them; codes of required bindings in their FHIR value sets; verified codes only."""

from __future__ import annotations

import json
from typing import TypeVar

import pytest
from fhir.resources.R4B.careplan import CarePlan
from fhir.resources.R4B.requestgroup import RequestGroup
from fhir.resources.R4B.servicerequest import ServiceRequest
from typer.testing import CliRunner

from careflow.cli import app
from careflow.export import fhir, reason_text
from careflow.labels import label
from tests.unit.test_export_samples import EXAMPLES, names, sample_plans

T = TypeVar("T")


def need(value: T | None) -> T:
    """A field the R4B model types as optional (every FHIR element is) that the export fills."""
    assert value is not None
    return value


def parsed(name: str, lang: str = "en") -> CarePlan:
    """The export as JSON text, parsed back by the R4B model (which validates it)."""
    return CarePlan.model_validate_json(fhir.to_fhir_json(sample_plans()[name], lang))


def parts(care_plan: CarePlan) -> tuple[RequestGroup, dict[str, ServiceRequest]]:
    contained = need(care_plan.contained)
    groups = [r for r in contained if isinstance(r, RequestGroup)]
    assert len(groups) == 1
    requests = {need(r.id): r for r in contained if isinstance(r, ServiceRequest)}
    return groups[0], requests


@pytest.mark.parametrize("lang", ["en", "ja"])
@pytest.mark.parametrize("name", names())
def test_export_parses_back_with_the_r4b_models(name: str, lang: str) -> None:
    care_plan = parsed(name, lang)
    assert care_plan.get_resource_type() == "CarePlan"
    assert (care_plan.status, care_plan.intent, care_plan.language) == ("draft", "proposal",
                                                                       lang)
    group, requests = parts(care_plan)
    assert need(need(care_plan.activity)[0].reference).reference == f"#{group.id}"
    plan = sample_plans()[name]
    assert len(need(group.action)) == len(plan.items) == len(requests)
    fhir.check_bindings(care_plan)
    # the round trip loses nothing: the same JSON again
    assert care_plan.model_dump_json(indent=2) + "\n" == fhir.to_fhir_json(plan, lang)


@pytest.mark.parametrize("name", names())
def test_one_action_per_item_with_its_status_rationale_and_evidence(name: str) -> None:
    plan = sample_plans()[name]
    group, requests = parts(parsed(name))
    for item, action in zip(plan.items, need(group.action), strict=True):
        ext = {need(e.url).rsplit(":", 1)[1]: (e.valueCode or e.valueString)
               for e in need(action.extension)}
        assert ext["plan-status"] == item.status and ext["rule"] == item.rule
        assert ext.get("reason-code") == item.reason_code
        codes = [c.code for c in need(need(action.code)[0].coding)]
        assert codes[0] == item.action
        # the rule's title and the reasons are the description; the item in words is the
        # text equivalent
        description = need(action.description)
        assert item.rule in description and item.title in description
        assert need(action.textEquivalent).startswith(f"[{label('status', item.status)}] "
                                                      f"{label('action', item.action)}")
        assert description.count(";") >= len(item.reasons) - 1
        for line in reason_text(item):
            assert line in description
        # evidence as documentation: citation, label and url
        docs = action.documentation or []
        assert len(docs) == len(item.evidence)
        for doc, ev in zip(docs, item.evidence, strict=True):
            assert doc.type == "citation" and need(doc.citation).startswith(ev.source)
            assert doc.label == f"[{ev.verification}] {ev.grade}"
            assert doc.url == ev.url
        # the proposal, with the status mapped
        request = requests[need(need(action.resource).reference)[1:]]
        status, intent, do_not = fhir.STATUS_MAP[item.status]
        assert (request.status, request.intent) == (status, intent)
        assert bool(request.doNotPerform) is do_not
        if item.urgency:
            assert action.priority == request.priority == fhir.PRIORITY_MAP[item.urgency]
        if item.action == "referral":
            assert need(need(request.reasonCode)[0].coding)[0].code == item.reason_code


def test_status_mapping_covers_every_status_with_valid_fhir_codes() -> None:
    from careflow import vocabulary as v

    assert set(fhir.STATUS_MAP) == set(v.STATUSES)
    for status, intent, _ in fhir.STATUS_MAP.values():
        assert status in fhir.REQUEST_STATUS and intent in fhir.REQUEST_INTENT
    assert set(fhir.PRIORITY_MAP.values()) <= set(fhir.REQUEST_PRIORITY)
    # what the clinic must not do is said with doNotPerform, not with an odd status
    assert fhir.STATUS_MAP["contraindicated"][2] is True
    assert fhir.STATUS_MAP["deferred"][0] == "on-hold"


def test_only_verified_codes_are_used() -> None:
    """Only K617-4 (下肢静脈瘤血管内焼灼術) is a verified code (docs/formats.md); nothing else of
    these actions has a verified code, so no other standard code appears."""
    assert fhir.VERIFIED_CODES == {"endovenous_thermal_ablation": [
        {"system": fhir.JP_FEE_SCHEDULE_SYSTEM, "code": "K617-4",
         "display": "下肢静脈瘤血管内焼灼術"}]}
    for name in names():
        plan = sample_plans()[name]
        doc = json.loads(fhir.to_fhir_json(plan))
        for action, item in zip(doc["contained"][0]["action"], plan.items, strict=True):
            systems = [c["system"] for c in action["code"][0]["coding"]]
            expected = [fhir.SYSTEM + "action"] + [c["system"] for c in
                                                   fhir.VERIFIED_CODES.get(item.action, [])]
            assert systems == expected
        text = json.dumps(doc).lower()
        assert "snomed" not in text and "loinc" not in text and "icd" not in text
    assert any("K617-4" in fhir.to_fhir_json(p) for p in sample_plans().values()
               if p.item("endovenous_thermal_ablation", "right"))


def test_japanese_export_uses_the_clinic_terms() -> None:
    care_plan = parsed("vascular-knee-pain", "ja")
    group, _ = parts(care_plan)
    titles = " ".join(need(a.title) for a in need(group.action))
    assert "弾性ストッキング" in titles and "血管内焼灼術" in titles and "動注治療" in titles
    assert "の治療計画" in need(care_plan.title)
    assert need(need(care_plan.text).div).startswith('<div xmlns="http://www.w3.org/1999/xhtml">')


def test_check_bindings_refuses_a_code_outside_its_value_set() -> None:
    care_plan = fhir.to_fhir(sample_plans()["red-flag-dvt"])
    request = need(care_plan.contained)[1]
    assert isinstance(request, ServiceRequest)
    request.status = "pending"
    with pytest.raises(ValueError, match=r"ServiceRequest\.status: 'pending'"):
        fhir.check_bindings(care_plan)


@pytest.mark.parametrize("name", names())
def test_every_resource_declares_its_base_r4_profile(name: str) -> None:
    """The FHIR output declares its profiles (issue 10, "Done means") and still validates:
    the CarePlan, its RequestGroup and each ServiceRequest name their base R4
    StructureDefinition in meta.profile, parsed back by the R4B models and check_bindings."""
    care_plan = parsed(name)
    fhir.check_bindings(care_plan)
    for res in [care_plan, *need(care_plan.contained)]:
        kind = res.get_resource_type()
        assert need(res.meta).profile == [f"http://hl7.org/fhir/StructureDefinition/{kind}"]
    assert fhir.MEDIA_TYPE == "application/fhir+json; fhirVersion=4.0"
    assert fhir.FHIR_VERSION.startswith("4.0.")


def test_check_bindings_refuses_a_resource_without_its_profile() -> None:
    care_plan = fhir.to_fhir(sample_plans()["red-flag-dvt"])
    group = need(care_plan.contained)[0]
    need(group.meta).profile = None
    with pytest.raises(ValueError, match=r"RequestGroup\.meta\.profile: http://hl7\.org/fhir/"
                                         r"StructureDefinition/RequestGroup is not declared"):
        fhir.check_bindings(care_plan)


def test_export_is_deterministic() -> None:
    plan = sample_plans()["two-legs"]
    assert fhir.to_fhir_json(plan, "ja") == fhir.to_fhir_json(plan, "ja")


def test_cli_prints_the_care_plan() -> None:
    case = next(c for c in EXAMPLES if c.stem == "red-flag-dvt")
    result = CliRunner().invoke(app, ["plan", str(case), "--format", "fhir", "--lang", "ja"])
    assert result.exit_code == 0, result.output
    care_plan = CarePlan.model_validate_json(result.stdout)
    assert care_plan.language == "ja"
    group, _ = parts(care_plan)
    assert any(a.priority == "urgent" for a in need(group.action))


def test_cli_bad_input_still_exits_2(tmp_path: object) -> None:
    from pathlib import Path

    bad = Path(str(tmp_path)) / "bad.yaml"
    bad.write_text("id: P-1\nage: 300\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["plan", str(bad), "--format", "fhir"])
    assert result.exit_code == 2
    assert "age: must be <= 120" in result.output
    assert result.stdout == "" or "resourceType" not in result.stdout
