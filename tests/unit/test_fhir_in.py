"""FHIR R4 input (docs/fhir-in.md; issue 10, items 1 and 6): a bundle becomes a Patient with a
mapping report, every bundled example survives the round trip to a bundle and back with the
same plan, and a malformed bundle is refused naming the resource and the element.

Fixtures: tests/fixtures/fhir/*.json (JP Core-shaped bundles) and tests/fixtures/fhir/bad/
(one malformed bundle a file; expected.yaml holds the text each refusal must contain).
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from typer.testing import CliRunner

import careflow
from careflow.cli import app
from careflow.errors import FhirInputError, InputError
from careflow.fhir_in import (
    FhirMapping,
    attach,
    from_bundle,
    prefetch_bundle,
    read_bundle,
    to_bundle,
)
from careflow.fhir_in.bundle import entries
from careflow.fhir_in.codes import tables
from careflow.fhir_in.write import ATC_WRITTEN, ICD10_WRITTEN

from .gen_patients import examples, patients

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "fhir"
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
BAD = yaml.safe_load((FIXTURES / "bad" / "expected.yaml").read_text(encoding="utf-8"))


def _load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    return data


def _read(name: str) -> FhirMapping:
    return from_bundle(_load(name))


def _notes(mapping: FhirMapping, kind: str) -> list[tuple[str | None, str | None, str]]:
    return [(n.resource, n.fact, n.reason) for n in getattr(mapping.report, kind)]


# --- the round trip (item 6) -----------------------------------------------------------


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_every_example_as_a_bundle_gives_the_same_plan_as_its_yaml(path: Path) -> None:
    patient = careflow.read_patient(path)
    bundle = json.loads(json.dumps(to_bundle(patient)))  # through JSON, as a client sends it
    mapping = from_bundle(bundle)
    assert mapping.patient == patient
    assert careflow.evaluate(mapping.patient).to_json() == careflow.evaluate(patient).to_json()


@examples(80)
@given(patients())
def test_a_generated_patient_survives_the_round_trip(doc: dict[str, Any]) -> None:
    """Patients generated at the protocol's thresholds (every field, both legs, the history,
    asked and unasked lists) come back from their bundle as the same patient."""
    patient = careflow.parse_patient(doc)
    assert from_bundle(json.loads(json.dumps(to_bundle(patient)))).patient == patient


def test_the_round_trip_would_see_a_difference() -> None:
    """The comparison above can fail: a bundle with one value changed gives another patient
    and another plan."""
    patient = careflow.read_patient(ROOT / "examples" / "two-legs.yaml")
    bundle = to_bundle(patient)
    for entry in bundle["entry"]:
        code = entry["resource"].get("code", {}).get("coding", [{}])[0].get("code")
        if code == "gsv-reflux-time" and entry["resource"]["valueQuantity"]["value"] > 500:
            entry["resource"]["valueQuantity"]["value"] = 100
    changed = from_bundle(bundle).patient
    assert changed != patient
    assert careflow.evaluate(changed).to_json() != careflow.evaluate(patient).to_json()


def test_a_written_bundle_is_valid_r4_in_the_codes_the_reader_reads() -> None:
    patient = careflow.read_patient(ROOT / "examples" / "elderly-multimorbid.yaml")
    bundle = to_bundle(patient)
    assert bundle["type"] == "collection"
    found, _ = entries(bundle)  # each resource validated with its R4B model
    kinds = {e.resource["resourceType"] for e in found}
    assert {"Patient", "Observation"} <= kinds
    systems = {c["system"] for e in found for c in e.resource.get("code", {}).get("coding", [])}
    assert systems <= set(tables().aliases), systems - set(tables().aliases)


# JP Core's canonical profile URLs, as its own sources define them (jami-fhir-jp-wg/jp-core-v1x,
# input/fsh/profiles/JP_*.fsh `^url`), and its observation category system's codes
# (terminologies_external/cs/JP_SimpleObservationCategory_CS.fsh).
JP_CORE_PROFILES = {
    "Patient": "http://jpfhir.jp/fhir/core/StructureDefinition/JP_Patient",
    "Observation": "http://jpfhir.jp/fhir/core/StructureDefinition/JP_Observation_Common",
    "Condition": "http://jpfhir.jp/fhir/core/StructureDefinition/JP_Condition",
    "AllergyIntolerance": "http://jpfhir.jp/fhir/core/StructureDefinition/JP_AllergyIntolerance",
    "MedicationStatement":
        "http://jpfhir.jp/fhir/core/StructureDefinition/JP_MedicationStatement",
    "Procedure": "http://jpfhir.jp/fhir/core/StructureDefinition/JP_Procedure",
}
JP_CATEGORY = "http://jpfhir.jp/fhir/core/CodeSystem/JP_SimpleObservationCategory_CS"
JP_CATEGORY_CODES = {"sdoh", "functional-status", "disability-status", "cognitive-status",
                     "social-history", "vital-signs", "body-measurement", "imaging",
                     "laboratory", "procedure", "survey", "exam", "therapy", "activity"}


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_a_written_bundle_declares_the_jp_core_profile_of_each_resource(path: Path) -> None:
    """The writer's resources name their JP Core profile (issue 10, "Done means": the FHIR
    output declares its profiles) and still validate with the R4B models and read back; an
    Observation (JP_Observation_Common) has the category in JP Core's system it requires."""
    patient = careflow.read_patient(path)
    bundle = json.loads(json.dumps(to_bundle(patient)))
    found, _ = entries(bundle)  # each resource validated with its R4B model
    for entry in found:
        resource = entry.resource
        assert resource["meta"]["profile"] == [JP_CORE_PROFILES[resource["resourceType"]]]
        if resource["resourceType"] == "Observation":
            jp = [c for cat in resource["category"] for c in cat["coding"]
                  if c["system"] == JP_CATEGORY]
            assert len(jp) == 1 and jp[0]["code"] in JP_CATEGORY_CODES, resource["category"]
    assert from_bundle(bundle).patient == patient


def test_each_written_icd10_and_atc_code_reads_back_as_its_careflow_code() -> None:
    t = tables()
    for condition, code in ICD10_WRITTEN.items():
        status = "unconfirmed/active" if condition == "suspected_malignancy" else (
            "confirmed/inactive" if condition in ("dvt_history", "pancreatitis_history")
            else "confirmed/active")
        assert t.condition(code, status)[0] == condition, (condition, code)
    for medication, code in ATC_WRITTEN.items():
        assert t.medication("atc", code) == medication, (medication, code)


# --- the code tables are data with their sources ---------------------------------------


def test_every_table_entry_says_where_its_code_comes_from() -> None:
    raw = tables().raw
    sections = [raw["sides"], raw["observations"], raw["conditions"], raw["medications"],
                raw["procedures"], *raw["no_known"].values()]
    for section in sections:
        for entry in section:
            assert str(entry.get("source", "")).strip(), entry
    for entry in raw["sides"] + raw["observations"] + raw["medications"] + raw["procedures"]:
        assert entry["confirmed"] in ("standard", "secondary", "clinic"), entry
    for entry in raw["observations"]:
        for code in entry["codes"]:
            name = code.split("#", 1)[0]
            assert name in raw["systems"], code
            if name == "loinc":  # a LOINC code in the table must be one that was confirmed
                assert entry["confirmed"] == "standard", entry


def test_the_abi_has_no_loinc_code_until_one_is_confirmed() -> None:
    """No LOINC code for the ABI could be confirmed (docs/fhir-in.md says what was searched):
    the ABI is read by the clinic code and SNOMED CT 446841001 only, and the docs say why."""
    (abi,) = [e for e in tables().raw["observations"] if e["field"] == "legs.*.abi"]
    assert abi["codes"] == ["clinic#abi", "snomed#446841001"]
    assert "No LOINC code for the ABI could be confirmed" in abi["source"]
    doc = (ROOT / "docs" / "fhir-in.md").read_text(encoding="utf-8")
    assert "The ABI's LOINC code, searched for again" in doc


def test_the_clinic_code_system_is_careflows_own_urn() -> None:
    assert tables().uri("clinic") == "urn:careflow:codesystem:observation"
    assert tables().uri("jlac10") == "http://medis.or.jp/CodeSystem/master-JLAC10-17digits"


# --- a JP Core-shaped bundle ------------------------------------------------------------


def test_a_jp_core_bundle_gives_its_facts_and_their_sources() -> None:
    m = _read("jp-core-vascular-knee.json")
    p = m.patient
    assert (p.id, p.sex, p.age, p.assessed_on) == ("jp-p1", "female", 68, dt.date(2026, 11, 20))
    assert (p.height_cm, p.weight_kg, p.bmi, p.egfr) == (155, 68, 28.3, 72)
    assert p.conditions == ("diabetes",) and p.allergies == () and p.medications == ("metformin",)
    right, left = p.legs
    assert (right.side, right.abi, left.side, left.abi) == ("right", 1.05, "left", 0.55)
    assert right.knee is not None and (right.knee.pain_nrs, right.knee.kl_grade) == (6, 2)
    assert right.veins is not None and right.veins.duplex is not None
    assert right.veins.duplex.performed_on == dt.date(2026, 11, 20)
    assert right.veins.duplex.dvt is False and right.veins.duplex.gsv_reflux_ms == 900
    assert p.history[0].model_dump(exclude_none=True) == {
        "treatment": "hyaluronic_acid_injection", "side": "right", "weeks": 16,
        "response": "partial"}
    facts = m.report.facts
    assert [str(s) for s in facts["egfr"]] == ["Observation/egfr valueQuantity.value"]
    assert facts["egfr"][0].code == \
        "http://medis.or.jp/CodeSystem/master-JLAC10-17digits|8A065000002391901"
    assert [str(s) for s in facts["legs.left.abi"]] == ["Observation/abi-left valueQuantity.value"]
    assert [s.resource for s in facts["conditions.diabetes"]] == ["Condition/dx-diabetes"]
    assert [s.resource for s in facts["medications.metformin"]] == \
        ["MedicationRequest/rx-metformin"]
    assert [s.resource for s in facts["allergies"]] == ["AllergyIntolerance/nka"]
    assert [s.resource for s in facts["history[0]"]] == ["Procedure/ha-course"]
    assert ("Encounter/enc-1", None, "a resource type careflow does not read") in \
        _notes(m, "not_used")


def test_an_unconfirmed_diagnosis_is_never_a_confirmed_condition_and_is_reported() -> None:
    m = _read("jp-core-vascular-knee.json")
    assert "heart_failure" not in (m.patient.conditions or ())
    note = next(n for n in m.report.not_used if n.resource == "Condition/dx-hf-suspected")
    assert note.fact == "conditions.heart_failure" and "疑い病名" in note.reason
    # the plan does not read heart failure as present: it is checked as absent on the list
    plan = careflow.evaluate(m.patient)
    assert "conditions.heart_failure" not in {r.fact for i in plan.items for r in i.reasons}


def test_an_unconfirmed_malignancy_is_a_suspected_one_never_a_malignancy() -> None:
    m = _read("unconfirmed-diagnoses.json")
    assert m.patient.conditions == ("suspected_malignancy", "diabetes")
    assert [s.resource for s in m.report.facts["conditions.suspected_malignancy"]] == \
        ["Condition/dx-ca-suspected"]
    assert ("Condition/dx-hf-provisional", "conditions.heart_failure") in \
        [(r, f) for r, f, _ in _notes(m, "not_used")]
    assert any(r == "Condition/dx-sepsis-refuted" for r, _, _ in _notes(m, "not_used"))
    plan = careflow.evaluate(m.patient)
    assert plan.item("referral", None) is not None  # suspected malignancy is referred


def test_the_same_diagnosis_confirmed_is_a_condition() -> None:
    bundle = _load("unconfirmed-diagnoses.json")
    for entry in bundle["entry"]:
        if entry["resource"]["id"] == "dx-hf-provisional":
            entry["resource"]["verificationStatus"]["coding"][0]["code"] = "confirmed"
    # its name still says 疑い: still not confirmed
    assert "heart_failure" not in (from_bundle(bundle).patient.conditions or ())
    for entry in bundle["entry"]:
        if entry["resource"]["id"] == "dx-hf-provisional":
            entry["resource"]["code"]["text"] = "うっ血性心不全"
    assert "heart_failure" in (from_bundle(bundle).patient.conditions or ())


# --- asked or not asked -----------------------------------------------------------------


def test_no_known_allergy_is_asked_and_none_and_no_allergy_resource_is_not_asked() -> None:
    asked = _read("jp-core-vascular-knee.json")
    assert asked.patient.allergies == ()
    absent = _read("bilateral-abi-allergies-absent.json")
    assert absent.patient.allergies is None
    assert (None, "allergies", "no AllergyIntolerance in the bundle: not asked") in \
        _notes(absent, "unknown")
    assert careflow.evaluate(absent.patient).questions_open == ("allergies",)
    assert careflow.evaluate(asked.patient).questions_open == ()


def test_explicit_no_known_problems_and_medications_are_asked_and_none() -> None:
    m = _read("bilateral-abi-allergies-absent.json")
    assert m.patient.conditions == () and m.patient.medications == ()
    assert [s.resource for s in m.report.sources_of("conditions.sepsis")] == \
        ["Condition/no-problems"]


def test_a_known_allergen_is_read() -> None:
    assert _read("unconfirmed-diagnoses.json").patient.allergies == ("contrast_media",)


def test_codes_careflow_cannot_read_are_reported_and_leave_their_list_not_asked() -> None:
    m = _read("unknown-codes.json")
    p = m.patient
    assert (p.conditions, p.allergies, p.medications) == (None, None, None)
    unrecognised = {n.resource: n.code for n in m.report.unrecognised}
    assert unrecognised["Observation/temperature"] == "http://loinc.org|8310-5"
    assert "master-disease-exCode|KQJ5" in str(unrecognised["Condition/dx-medis-only"])
    assert "master-HOT9|103835401" in str(unrecognised["MedicationRequest/rx-hot9"])
    assert "JP_JfagyMedicationAllergen_CS|1147001" in str(
        unrecognised["AllergyIntolerance/allergy-jfagy"])
    unknown = {f: reason for _, f, reason in _notes(m, "unknown")}
    assert "Condition/dx-medis-only" in unknown["conditions"]
    plan = careflow.evaluate(p)
    assert plan.questions_open == ("conditions", "allergies", "medications")


def test_an_icd10_code_that_is_no_careflow_condition_leaves_the_list_asked() -> None:
    bundle = _load("unconfirmed-diagnoses.json")
    bundle["entry"].append({"resource": {
        "resourceType": "Condition", "id": "dx-htn", "subject": {"reference": "Patient/p2"},
        "code": {"coding": [{"system": "http://hl7.org/fhir/sid/icd-10", "code": "I10"}]}}})
    m = from_bundle(bundle)
    assert m.patient.conditions == ("suspected_malignancy", "diabetes")
    assert any(n.resource == "Condition/dx-htn" and "not one of careflow's" in n.reason
               for n in m.report.not_used)


def test_a_yj_code_outside_the_table_leaves_medications_not_asked() -> None:
    bundle = _load("jp-core-vascular-knee.json")
    for entry in bundle["entry"]:
        if entry["resource"]["id"] == "rx-metformin":
            entry["resource"]["medicationCodeableConcept"]["coding"][0]["code"] = "2171022F1"
    m = from_bundle(bundle)
    assert m.patient.medications is None
    assert any(n.resource == "MedicationRequest/rx-metformin" for n in m.report.unrecognised)


# --- legs by bodySite ---------------------------------------------------------------------


def test_bilateral_abi_is_read_by_body_site_and_a_value_without_one_leg_is_not_used() -> None:
    m = _read("bilateral-abi-allergies-absent.json")
    assert [(leg.side, leg.abi) for leg in m.patient.legs] == [("right", 0.85), ("left", 1.12)]
    not_used = {r: reason for r, _, reason in _notes(m, "not_used")}
    assert "both legs" in not_used["Observation/abi-both"]
    assert "no bodySite" in not_used["Observation/abi-no-side"]
    assert "older value (2026-05-01)" in not_used["Observation/abi-right-old"]
    assert [s.resource for s in m.report.facts["legs.right.abi"]] == ["Observation/abi-right"]


def test_an_observation_after_the_assessment_day_is_not_used() -> None:
    m = from_bundle(_load("bilateral-abi-allergies-absent.json"),
                    assessed_on=dt.date(2026, 6, 1))
    assert m.patient.assessed_on == dt.date(2026, 6, 1)
    assert [(leg.side, leg.abi) for leg in m.patient.legs] == [("right", 0.95)]
    assert any(r == "Observation/abi-right" and "after the assessment day" in reason
               for r, _, reason in _notes(m, "not_used"))


def test_a_searchset_of_prefetch_entries_is_read_and_its_outcome_set_aside() -> None:
    m = _read("prefetch-searchset.json")
    assert [(leg.side, leg.knee.pain_nrs if leg.knee else None) for leg in m.patient.legs] == \
        [("left", 4)]
    assert any("search outcome" in reason for _, _, reason in _notes(m, "not_used"))
    assert m.patient.conditions is None


def test_true_false_fields_the_bundle_did_not_give_are_named() -> None:
    m = _read("prefetch-searchset.json")
    knee = next(n for n in m.report.defaults if n.fact == "legs.left.knee")
    assert "hot_swollen_joint" in knee.reason and "read as false" in knee.reason
    assert any(n.fact == "lifestyle" and "smoker" in n.reason for n in m.report.defaults)


# --- refused --------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(BAD), ids=sorted(BAD))
def test_a_malformed_bundle_is_refused_naming_the_resource_and_element(name: str) -> None:
    with pytest.raises(FhirInputError) as caught:
        _read(f"bad/{name}")
    assert BAD[name] in str(caught.value)
    assert isinstance(caught.value, InputError)


def test_every_bad_fixture_has_its_expected_text() -> None:
    assert {p.name for p in (FIXTURES / "bad").glob("*.json")} == set(BAD)


def test_a_bundle_that_is_not_json_is_refused_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "b.json"
    path.write_text('{"resourceType": "Bundle",\n "type": }', encoding="utf-8")
    with pytest.raises(FhirInputError, match="line 2: not valid JSON"):
        read_bundle(path)


def test_assessed_on_must_be_a_date() -> None:
    with pytest.raises(FhirInputError, match="assessed_on: must be a date"):
        from_bundle(_load("prefetch-searchset.json"),
                    assessed_on="2026-11-20")  # type: ignore[arg-type]


# --- the command line and the plan -------------------------------------------------------


def test_cli_plan_from_fhir_names_the_resource_behind_each_reason() -> None:
    done = CliRunner().invoke(app, ["plan", str(FIXTURES / "jp-core-vascular-knee.json"),
                                    "--from", "fhir"])
    assert done.exit_code == 0, done.output
    assert "left leg: ankle-brachial index 0.55 [from Observation/abi-left]" in done.output
    assert "== FHIR input ==" in done.output and "Condition/dx-hf-suspected" in done.output


def test_cli_plan_from_fhir_as_json_carries_the_report_and_each_reasons_source() -> None:
    done = CliRunner().invoke(app, ["plan", str(FIXTURES / "jp-core-vascular-knee.json"),
                                    "--from", "fhir", "--format", "json"])
    assert done.exit_code == 0, done.output
    plan = json.loads(done.output)
    assert plan["mapping"]["facts"]["legs.left.abi"][0]["resource"] == "Observation/abi-left"
    reasons = [r for i in plan["items"] for r in i["reasons"]]
    abi = next(r for r in reasons if r["fact"] == "legs.left.abi")
    assert abi["source"] == ["Observation/abi-left valueQuantity.value"]
    careflow.Plan.model_validate(plan)  # still a plan document


def test_a_plan_from_yaml_has_no_mapping_and_no_source() -> None:
    text = careflow.evaluate(careflow.read_patient(EXAMPLES[0])).to_json()
    assert '"mapping"' not in text and '"source": [' not in text


def test_cli_refuses_a_malformed_bundle_with_exit_2_naming_the_element() -> None:
    done = CliRunner().invoke(app, ["plan", str(FIXTURES / "bad" / "abi-too-high.json"),
                                    "--from", "fhir"])
    assert done.exit_code == 2
    assert "Observation/abi-right.valueQuantity.value: legs.right.abi: must be <= 2 (got 3.5)" \
        in done.output
    assert "Traceback" not in done.output


def test_attach_leaves_the_plan_itself_alone() -> None:
    m = _read("jp-core-vascular-knee.json")
    plan = careflow.evaluate(m.patient)
    attached = attach(plan, m.report)
    assert attached.mapping == m.report
    stripped = json.loads(attached.to_json())
    stripped.pop("mapping")
    for item in stripped["items"]:
        for group in ("reasons", "checked", "unchecked"):
            for r in item[group]:
                r.pop("source", None)
        for other in item["other_rules"]:
            for r in other["reasons"]:
                r.pop("source", None)
    for finding in stripped["findings"]:
        for r in finding["reasons"]:
            r.pop("source", None)
    assert stripped == json.loads(plan.to_json())


def test_the_input_is_not_changed() -> None:
    bundle = _load("jp-core-vascular-knee.json")
    before = copy.deepcopy(bundle)
    from_bundle(bundle)
    assert bundle == before


# --- the example bundle, prefetch, and values careflow will not take as exact -------------


def test_the_example_bundle_is_the_yaml_example_in_jp_core_shape() -> None:
    """examples/fhir/vascular-knee-pain.json is written by hand (height in metres, reflux in
    seconds, IPS and SNOMED "none known" codes, JLAC10 eGFR): it reads as the YAML example."""
    mapping = read_bundle(ROOT / "examples" / "fhir" / "vascular-knee-pain.json")
    yaml_patient = careflow.read_patient(ROOT / "examples" / "vascular-knee-pain.yaml")
    assert mapping.patient == yaml_patient
    assert not mapping.report.unrecognised
    # what the YAML leaves out is what the report names as unknown
    assert {n.fact: n.reason for n in mapping.report.unknown} == {
        "patient": "not in the bundle, unknown: pregnant",
        "legs.right": "not in the bundle, unknown: toe_pressure_mmhg",
        "legs.right.knee": "not in the bundle, unknown: ottawa_positive",
        "legs.right.veins.duplex": "not in the bundle, unknown: aasv_reflux_ms, "
                                   "aasv_diameter_mm"}


def test_prefetch_values_make_one_searchset_and_a_repeated_resource_is_read_once() -> None:
    bundle = _load("jp-core-vascular-knee.json")
    resources = [e["resource"] for e in bundle["entry"]]
    patient = resources[0]
    observations = {"resourceType": "Bundle", "type": "searchset",
                    "entry": [{"resource": r} for r in resources[1:]]}
    again = {"resourceType": "Bundle", "type": "searchset",
             "entry": [{"resource": resources[9]}]}
    combined = prefetch_bundle([patient, None, observations, again])
    m = from_bundle(combined, assessed_on=dt.date(2026, 11, 20))
    assert m.patient.model_dump() == _read("jp-core-vascular-knee.json").patient.model_dump()
    assert any("a repeat of a resource already read" in reason
               for _, _, reason in _notes(m, "not_used"))


def test_a_value_with_a_comparator_is_not_taken_as_exact() -> None:
    bundle = _load("jp-core-vascular-knee.json")
    for entry in bundle["entry"]:
        if entry["resource"]["id"] == "egfr":
            entry["resource"]["valueQuantity"].update({"comparator": ">", "value": 90})
    m = from_bundle(bundle)
    assert m.patient.egfr is None
    assert any(n.resource == "Observation/egfr" and "comparator" in n.reason
               for n in m.report.unknown)


def test_a_pain_score_is_knee_pain_only_when_its_body_site_is_the_knee() -> None:
    bundle = _load("prefetch-searchset.json")
    pain = bundle["entry"][1]["resource"]
    pain["bodySite"] = {"coding": [{"system": "http://snomed.info/sct", "code": "32153003"}]}
    bundle["entry"].append({"resource": {
        "resourceType": "Observation", "id": "leg-left", "status": "final",
        "code": {"coding": [{"system": "urn:careflow:codesystem:observation",
                             "code": "leg-assessed"}]},
        "subject": {"reference": "Patient/p2"},
        "bodySite": {"coding": [{"system": "http://snomed.info/sct", "code": "32153003"}]}}})
    m = from_bundle(bundle)
    assert [(leg.side, leg.knee) for leg in m.patient.legs] == [("left", None)]
    assert any(r == "Observation/pain-left" and "names no leg (knee)" in reason
               for r, _, reason in _notes(m, "not_used"))


def _leaves(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [path] if path else []
    if isinstance(node, dict):
        for key, value in node.items():
            out += _leaves(value, (*path, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            out += _leaves(value, (*path, i))
    return out


_DELETE = object()


@pytest.mark.parametrize("value", [None, "x", -1.5, [], _DELETE],
                         ids=["null", "text", "number", "list", "deleted"])
def test_a_mutated_bundle_gives_a_patient_or_a_refusal_never_a_crash(value: Any) -> None:
    """Every 13th element of the example bundle replaced (or deleted): from_bundle returns a
    mapping or raises FhirInputError, never any other exception. (All 884 elements with eight
    values each were run once by hand, with no other exception.)"""
    base = json.loads((ROOT / "examples" / "fhir" / "vascular-knee-pain.json").read_text(
        encoding="utf-8"))
    refused = 0
    for path in _leaves(base)[::13]:
        bundle = copy.deepcopy(base)
        node = bundle
        for part in path[:-1]:
            node = node[part]
        if value is _DELETE:
            del node[path[-1]]
        else:
            node[path[-1]] = value
        try:
            from_bundle(bundle)
        except FhirInputError:
            refused += 1
    assert refused  # the mutations do reach the checks


def test_a_treatment_of_a_leg_not_in_the_assessment_is_set_aside() -> None:
    bundle = _load("jp-core-vascular-knee.json")
    proc = next(e["resource"] for e in bundle["entry"] if e["resource"]["id"] == "ha-course")
    proc["bodySite"] = [{"coding": [{"system": "http://snomed.info/sct", "code": "82169009"}]}]
    bundle["entry"] = [e for e in bundle["entry"] if e["resource"]["id"] != "abi-left"]
    m = from_bundle(bundle)
    assert [leg.side for leg in m.patient.legs] == ["right"] and m.patient.history == ()
    assert any(r == "Procedure/ha-course" and "left leg, which is not" in reason
               for r, _, reason in _notes(m, "not_used"))


def test_a_jp_clins_style_document_bundle_is_read_and_its_composition_set_aside() -> None:
    bundle = _load("jp-core-vascular-knee.json")
    bundle["type"] = "document"
    bundle["entry"].insert(0, {"resource": {
        "resourceType": "Composition", "id": "clins-1", "status": "final",
        "type": {"coding": [{"system": "http://loinc.org", "code": "60591-5",
                             "display": "Patient summary Document"}]},
        "subject": {"reference": "Patient/jp-p1"}, "date": "2026-11-20T10:00:00+09:00",
        "author": [{"display": "大阪静脈クリニック"}], "title": "診療情報"}})
    m = from_bundle(bundle)
    assert m.patient == _read("jp-core-vascular-knee.json").patient
    assert ("Composition/clins-1", None, "a resource type careflow does not read") in \
        _notes(m, "not_used")


def test_a_plan_with_its_mapping_is_valid_against_the_plan_schema() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    from careflow.export.schema import schema

    m = _read("unconfirmed-diagnoses.json")
    plan = json.loads(attach(careflow.evaluate(m.patient), m.report).to_json())
    assert plan["mapping"]["not_used"]
    jsonschema.Draft202012Validator(schema("plan")).validate(plan)


def test_an_active_dvt_diagnosis_is_reported_as_needing_the_scan_and_a_resolved_one_is_history(
) -> None:
    bundle = _load("unconfirmed-diagnoses.json")
    dvt: dict[str, Any] = {
           "resourceType": "Condition", "id": "dx-dvt", "subject": {"reference": "Patient/p2"},
           "clinicalStatus": {"coding": [{
               "system": "http://terminology.hl7.org/CodeSystem/condition-clinical",
               "code": "active"}]},
           "code": {"coding": [{"system": "http://hl7.org/fhir/sid/icd-10", "code": "I80.2"}]}}
    bundle["entry"].append({"resource": dvt})
    m = from_bundle(bundle)
    assert "dvt_history" not in (m.patient.conditions or ())
    note = next(n for n in m.report.not_used if n.resource == "Condition/dx-dvt")
    assert "ACTIVE deep vein thrombosis" in note.reason and "duplex" in note.reason
    dvt["clinicalStatus"]["coding"][0]["code"] = "resolved"
    assert "dvt_history" in (from_bundle(bundle).patient.conditions or ())


def test_a_diagnosis_whose_jp_core_modifier_says_suspected_is_never_confirmed() -> None:
    """JP Core writes 疑い病名 as a postfix modifier (「の疑い」) on the diagnosis name too: a
    Condition so named is not confirmed even when its verificationStatus says confirmed."""
    bundle = _load("jp-core-vascular-knee.json")
    dx = next(e["resource"] for e in bundle["entry"] if e["resource"]["id"] == "dx-diabetes")
    dx["code"]["text"] = "2型糖尿病"
    dx["code"]["extension"] = [{
        "url": "http://jpfhir.jp/fhir/core/Extension/StructureDefinition/"
               "JP_Condition_DiseasePostfixModifier",
        "valueCodeableConcept": {"text": "の疑い"}}]
    m = from_bundle(bundle)
    assert "diabetes" not in (m.patient.conditions or ())
    note = next(n for n in m.report.not_used if n.resource == "Condition/dx-diabetes")
    assert "its name says 疑い" in note.reason and note.fact == "conditions.diabetes"
    del dx["code"]["extension"]
    assert "diabetes" in (from_bundle(bundle).patient.conditions or ())
