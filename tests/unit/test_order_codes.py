"""The order-sign code table is the clinic's to replace (the `order_codes` setting, in the
format of careflow/service/order_codes.yaml): a clinic's own codes are read as careflow
actions, the file replaces the shipped one, and a wrong file stops the service at start-up
with every problem and its line."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

pytest.importorskip("fastapi", reason="the service extra is not installed")

from careflow import parse_patient
from careflow.service.config import load_config
from careflow.service.errors import ConfigError
from careflow.service.hooks import order_codes, read_orders
from tests.unit.service_support import check_cards, service
from tests.unit.test_export_samples import EXTRA
from tests.unit.test_service_cards import prefetch_of

CLINIC = "https://clinic.example/fhir/CodeSystem/orders"
TABLE = f"""\
# the clinic's own order codes
codes:
  - system: {CLINIC}
    code: STK-30
    action: compression_stockings
    source: the clinic's order catalogue, 2026 edition
laterality:
  system: http://snomed.info/sct
  right: ["24028007", "62175007"]
  left: ["7771000", "32153003"]
"""


def _order(rtype: str, system: str, code: str, rid: str = "o-1") -> dict[str, Any]:
    field = "codeCodeableConcept" if rtype == "DeviceRequest" else "code"
    return {"resourceType": rtype, "id": rid, "status": "draft", "intent": "order",
            "subject": {"reference": "Patient/patient"},
            field: {"coding": [{"system": system, "code": code}], "text": code},
            "bodySite": [{"coding": [{"system": "http://snomed.info/sct",
                                      "code": "62175007"}]}] if rtype == "ServiceRequest"
            else None}


def _draft(*orders: dict[str, Any]) -> dict[str, Any]:
    return {"resourceType": "Bundle", "type": "collection",
            "entry": [{"resource": {k: v for k, v in o.items() if v is not None}}
                      for o in orders]}


def test_the_shipped_table_loads_with_its_sources() -> None:
    codes = order_codes()
    assert codes.actions == {("urn:careflow:codesystem:jp-fee-schedule-section", "K617-4"):
                             "endovenous_thermal_ablation"}
    assert {"24028007", "62175007"} <= codes.right and {"7771000", "32153003"} <= codes.left


def test_the_clinics_table_replaces_the_shipped_one(tmp_path: Path) -> None:
    path = tmp_path / "orders.yaml"
    path.write_text(TABLE, encoding="utf-8")
    config = load_config(None, order_codes=path)
    codes = order_codes(config.order_codes)
    orders = read_orders(_draft(
        _order("DeviceRequest", CLINIC, "STK-30"),
        _order("ServiceRequest", "urn:careflow:codesystem:jp-fee-schedule-section", "K617-4",
               "o-2"),
        _order("ServiceRequest", "urn:careflow:codesystem:action",
               "endovenous_thermal_ablation", "o-3")), codes)
    assert [o.action for o in orders] == ["compression_stockings", None,
                                          "endovenous_thermal_ablation"]
    # the shipped table still reads K617-4, and not the clinic's code
    assert [o.action for o in read_orders(_draft(
        _order("DeviceRequest", CLINIC, "STK-30"),
        _order("ServiceRequest", "urn:careflow:codesystem:jp-fee-schedule-section",
               "K617-4", "o-2")))] == [None, "endovenous_thermal_ablation"]


def test_a_wrong_table_stops_the_service_naming_every_problem_and_its_line(
        tmp_path: Path) -> None:
    path = tmp_path / "orders.yaml"
    path.write_text(f"""\
codes:
  - system: {CLINIC}
    code: STK-30
    action: compression_stocking
    source: catalogue
  - system: {CLINIC}
    code: STK-30
    action: compression_stockings
  - system: urn:careflow:codesystem:action
    code: referral
    action: referral
    source: catalogue
    colour: red
laterality:
  system: http://snomed.info/sct
  right: ["24028007"]
  left: ["24028007"]
""", encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_config(None, order_codes=path)
    text = str(raised.value)
    assert str(path) in text and "order_codes" in text
    assert ("line 4: codes[0]: unknown action 'compression_stocking' (did you mean "
            "'compression_stockings'?)") in text
    assert "line 6: codes[1]: source: required" in text
    assert "line 6: codes[1]: " + CLINIC + "|STK-30 is listed twice (first at line 2)" in text
    assert "line 9: codes[2]: urn:careflow:codesystem:action is always read" in text
    assert "line 13: codes[2]: unknown key 'colour'" in text
    assert "24028007 both right and left" in text


def test_a_missing_or_shapeless_table_stops_the_service(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"order_codes: .*cannot read") as caught:
        load_config(None, order_codes=tmp_path / "none.yaml")
    assert "Value error" not in str(caught.value)  # the reason, not pydantic's wrapper
    path = tmp_path / "list.yaml"
    path.write_text("- K617-4\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="must be a mapping with `codes` and `laterality`"):
        load_config(None, order_codes=path)
    path.write_text("codes: []\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"laterality: missing"):
        load_config(None, order_codes=path)


def test_order_sign_over_a_socket_reads_the_clinics_codes(tmp_path: Path) -> None:
    """The stockings ordered with the clinic's own code on a leg where careflow says
    contraindicated: the critical card, as with careflow's own action code."""
    path = tmp_path / "orders.yaml"
    path.write_text(TABLE, encoding="utf-8")
    patient = parse_patient(EXTRA["stockings-contraindicated"])
    prefetch = prefetch_of(patient)
    body = {"hook": "order-sign", "hookInstance": str(uuid.uuid4()),
            "context": {"userId": "Practitioner/dr-1", "patientId": prefetch["patient"]["id"],
                        "draftOrders": _draft(_order("ServiceRequest", CLINIC, "STK-30"))},
            "prefetch": prefetch}
    with service(tmp_path, dev_no_auth=True, order_codes=path) as running:
        r = httpx.post(f"{running.url}/cds-services/careflow-order-sign", json=body,
                       timeout=120, headers={"Accept-Language": "en"})
    assert r.status_code == 200, r.text
    doc = r.json()
    check_cards(doc)
    (card,) = doc["cards"]
    assert card["indicator"] == "critical" and "right leg" in card["summary"], card
    assert card["suggestions"][0]["actions"][0]["resourceId"] == "ServiceRequest/o-1"
