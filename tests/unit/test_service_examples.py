"""The CDS Hooks requests in examples/cds-hooks/ (the README's curl session sends them) are
written from the worked examples and answered as the README says: the two-leg plan as cards,
and the stockings ordered on a critically ischaemic leg caught as a critical card.

    python -m tests.unit.test_service_examples      # rewrite them after the examples change
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from careflow import read_patient
from careflow.fhir_in import to_bundle

ROOT = Path(__file__).resolve().parents[2]
FOLDER = ROOT / "examples" / "cds-hooks"
KEYS = {"Patient": "patient", "Condition": "conditions", "Observation": "observations",
        "AllergyIntolerance": "allergies", "MedicationRequest": "medicationRequests",
        "MedicationStatement": "medicationStatements", "Procedure": "procedures"}


def _request(example: str, hook: str, instance: str) -> dict[str, Any]:
    found = [e["resource"] for e in to_bundle(read_patient(ROOT / "examples" / example))["entry"]]
    prefetch: dict[str, Any] = {}
    for rtype, key in KEYS.items():
        matches = [r for r in found if r["resourceType"] == rtype]
        prefetch[key] = matches[0] if rtype == "Patient" else (
            {"resourceType": "Bundle", "type": "searchset",
             "entry": [{"resource": r} for r in matches]} if matches else None)
    return {"hook": hook, "hookInstance": instance,
            "context": {"userId": "Practitioner/example", "patientId": found[0]["id"]},
            "prefetch": prefetch}


def build() -> dict[str, dict[str, Any]]:
    view = _request("two-legs.yaml", "patient-view", "5b1f8f0e-7c1a-4c55-9a43-0a2d5e3f6b01")
    sign = _request("critical-limb-ischemia.yaml", "order-sign",
                    "9d0c2a44-1e6b-4f7e-8a2b-3c4d5e6f7a02")
    sign["context"]["draftOrders"] = {"resourceType": "Bundle", "type": "collection", "entry": [
        {"resource": {
            "resourceType": "DeviceRequest", "id": "stockings-1", "status": "draft",
            "intent": "order", "subject": {"reference": "Patient/patient"},
            "codeCodeableConcept": {
                "coding": [{"system": "urn:careflow:codesystem:action",
                            "code": "compression_stockings"}],
                "text": "弾性ストッキング 30-40 mmHg"},
            "parameter": [{"code": {"text": "laterality"}, "valueCodeableConcept": {
                "coding": [{"system": "http://snomed.info/sct", "code": "24028007",
                            "display": "Right"}]}}]}}]}
    return {"patient-view.json": view, "order-sign.json": sign}


def text(doc: dict[str, Any]) -> str:
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def test_the_example_requests_are_current() -> None:
    for name, doc in build().items():
        assert (FOLDER / name).read_text(encoding="utf-8") == text(doc), (
            f"examples/cds-hooks/{name} is stale: python -m tests.unit.test_service_examples")


def test_the_example_requests_are_answered_as_the_readme_says(tmp_path: Path) -> None:
    pytest.importorskip("fastapi", reason="the service extra is not installed")
    from tests.unit.service_support import cds_post, check_cards, service

    with service(tmp_path, dev_no_auth=True) as s:
        view = cds_post(f"{s.url}/cds-services/careflow-patient-view", timeout=60,
                          content=(FOLDER / "patient-view.json").read_bytes())
        sign = cds_post(f"{s.url}/cds-services/careflow-order-sign", timeout=60,
                          content=(FOLDER / "order-sign.json").read_bytes())
    assert view.status_code == 200 and sign.status_code == 200, (view.text, sign.text)
    check_cards(view.json())
    check_cards(sign.json())
    assert len(view.json()["cards"]) > 5
    (card,) = sign.json()["cards"]
    assert card["indicator"] == "critical" and "禁忌" in card["summary"]


if __name__ == "__main__":
    FOLDER.mkdir(exist_ok=True)
    for name, doc in build().items():
        (FOLDER / name).write_text(text(doc), encoding="utf-8")
        print(FOLDER / name)
