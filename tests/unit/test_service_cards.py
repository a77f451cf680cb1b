"""patient-view and order-sign over a real socket: each worked example written as FHIR
(careflow.fhir_in.to_bundle) and sent as prefetch (full, partial, null, OperationOutcome) or
fetched from a FHIR server the test starts (authorised and open, paged), gives the cards of
the example's own plan; order-sign catches a contraindicated order; every response has the
CDS Hooks 2.0 shape; the audit trail ties each card to its rules."""

from __future__ import annotations

import copy
import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

pytest.importorskip("fastapi", reason="the service extra is not installed")

from careflow import Patient, evaluate, parse_patient, read_patient
from careflow.export import cds_hooks
from careflow.fhir_in import to_bundle
from careflow.plan import Plan
from careflow.service import audit as audit_mod
from careflow.service.app import ORDER_SIGN, PATIENT_VIEW
from careflow.service.hooks import override_reasons
from careflow.service.prefetch import KEYS
from tests.unit.service_support import (
    FhirServer,
    Running,
    cds_post,
    check_cards,
    check_outcome,
    service,
    serving,
)
from tests.unit.test_export_samples import EXAMPLES, EXTRA

EN = {"Accept-Language": "en"}


@pytest.fixture(scope="module")
def served() -> Iterator[FhirServer]:
    with serving(FhirServer()) as fhir:
        yield fhir


@pytest.fixture
def fhir(served: FhirServer) -> FhirServer:
    """The FHIR server the module's service may read, as new for each test."""
    return served.reset()


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory, served: FhirServer) -> Iterator[Running]:
    with service(tmp_path_factory.mktemp("cards"), dev_no_auth=True, workers=2,
                 fhir_servers=[served.url]) as s:
        yield s


def resources(patient: Patient) -> list[dict[str, Any]]:
    return [e["resource"] for e in to_bundle(patient)["entry"]]


def prefetch_of(patient: Patient) -> dict[str, Any]:
    """The prefetch a CDS client gives for the discovery templates: the Patient, and one
    searchset per template (null where the patient has no resource of that type)."""
    found = resources(patient)
    out: dict[str, Any] = {}
    for rtype, key in KEYS.items():
        matches = [r for r in found if r["resourceType"] == rtype]
        if rtype == "Patient":
            out[key] = matches[0]
        else:
            out[key] = {"resourceType": "Bundle", "type": "searchset",
                        "entry": [{"resource": r, "search": {"mode": "match"}}
                                  for r in matches]} if matches else None
    return out


def request(patient: Patient, hook: str = "patient-view", **extra: Any) -> dict[str, Any]:
    pid = resources(patient)[0]["id"]
    body: dict[str, Any] = {"hook": hook, "hookInstance": str(uuid.uuid4()),
                            "context": {"userId": "Practitioner/dr-1", "patientId": pid}}
    body.update(extra)
    return body


def post(running: Running, sid: str, body: Any, lang: str = "en") -> httpx.Response:
    return cds_post(f"{running.url}/cds-services/{sid}", json=body, timeout=120,
                      headers={"Accept-Language": lang})


def plan_on(running: Running, patient: Patient) -> Plan:
    """The plan careflow makes of the patient itself, on the service's day."""
    return evaluate(patient.model_copy(update={"assessed_on": running.service.today()}))


def item_cards(doc: dict[str, Any], plan: Plan) -> list[dict[str, Any]]:
    first = 1 if plan.questions_open else 0
    cards: list[dict[str, Any]] = doc["cards"]
    return cards[first:first + len(plan.items)]


def check_plan_cards(running: Running, doc: dict[str, Any], patient: Patient,
                     lang: str = "en") -> None:
    check_cards(doc)
    plan = plan_on(running, patient)
    cards = item_cards(doc, plan)
    assert [c["summary"] for c in cards] == [cds_hooks.summary(i, lang) for i in plan.items]
    assert [c["indicator"] for c in cards] == [cds_hooks.indicator(i) for i in plan.items]
    reasons = override_reasons().codings(lang)
    for card, item in zip(cards, plan.items, strict=True):
        assert card["links"][0]["url"] == f"{running.service.book_url}/{lang}#rule-{item.rule}"
        assert card["overrideReasons"] == reasons
    if plan.questions_open:
        assert doc["cards"][0]["indicator"] == "warning"
    uuids = [c["uuid"] for c in doc["cards"]]
    assert len(set(uuids)) == len(uuids)
    own = {c["uuid"] for c in cds_hooks.to_cards(plan, lang)["cards"]}
    assert not own & set(uuids), "a card uuid must be unique to the call"


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_every_example_as_full_prefetch_gives_its_plan_as_cards(running: Running,
                                                              example: Path) -> None:
    patient = read_patient(example)
    r = post(running, PATIENT_VIEW, request(patient, prefetch=prefetch_of(patient)))
    assert r.status_code == 200, r.text
    check_plan_cards(running, r.json(), patient)


def test_japanese_cards_by_default(running: Running) -> None:
    patient = read_patient(EXAMPLES[0])
    body = request(patient, prefetch=prefetch_of(patient))
    r = cds_post(f"{running.url}/cds-services/{PATIENT_VIEW}", json=body, timeout=120)
    assert r.status_code == 200
    check_plan_cards(running, r.json(), patient, "ja")


def test_the_same_call_gives_the_same_cards_and_another_call_other_uuids(
        running: Running) -> None:
    patient = read_patient(EXAMPLES[0])
    body = request(patient, prefetch=prefetch_of(patient))
    one, two = post(running, PATIENT_VIEW, body).json(), post(running, PATIENT_VIEW, body).json()
    assert one == two
    body["hookInstance"] = str(uuid.uuid4())
    three = post(running, PATIENT_VIEW, body).json()
    assert [c["summary"] for c in three["cards"]] == [c["summary"] for c in one["cards"]]
    assert not {c["uuid"] for c in one["cards"]} & {c["uuid"] for c in three["cards"]}


def test_null_lists_are_not_asked_and_say_so(running: Running) -> None:
    patient = read_patient(EXAMPLES[0])
    prefetch = prefetch_of(patient)
    for key in ("conditions", "allergies", "medicationRequests", "medicationStatements"):
        prefetch[key] = None
    r = post(running, PATIENT_VIEW, request(patient, prefetch=prefetch))
    assert r.status_code == 200, r.text
    unasked = patient.model_copy(update={"conditions": None, "allergies": None,
                                         "medications": None})
    check_plan_cards(running, r.json(), unasked)
    assert plan_on(running, unasked).questions_open == ("conditions", "allergies",
                                                        "medications")


def test_partial_prefetch_is_completed_from_an_authorised_fhir_server(
        running: Running, fhir: FhirServer) -> None:
    patient = read_patient(EXAMPLES[-1])
    prefetch = prefetch_of(patient)
    del prefetch["observations"]
    prefetch["procedures"] = {"resourceType": "OperationOutcome", "issue": [
        {"severity": "error", "code": "timeout", "diagnostics": "the EHR gave up"}]}
    fhir.reset(resources(patient), token="fhir-token-1")
    r = post(running, PATIENT_VIEW, request(patient, prefetch=prefetch, fhirServer=fhir.url,
                                            fhirAuthorization={
                                                "access_token": "fhir-token-1",
                                                "token_type": "Bearer", "expires_in": 300,
                                                "scope": "user/*.read", "subject": "careflow"}))
    assert r.status_code == 200, r.text
    check_plan_cards(running, r.json(), patient)
    asked = sorted(q.path.split("?")[0] for q in fhir.requests)
    assert asked == ["/Observation", "/Procedure"]
    assert {q.authorization for q in fhir.requests} == {"Bearer fhir-token-1"}


def test_no_prefetch_at_all_is_fetched_from_an_open_fhir_server_page_by_page(
        running: Running, fhir: FhirServer) -> None:
    patient = read_patient(EXAMPLES[-1])
    fhir.reset(resources(patient), page_size=2)
    body = request(patient, fhirServer=fhir.url)
    r = post(running, PATIENT_VIEW, body)
    assert r.status_code == 200, r.text
    check_plan_cards(running, r.json(), patient)
    assert any("_offset=" in q.path for q in fhir.requests), "no second page was asked for"
    assert all(q.authorization is None for q in fhir.requests)
    rows = [e for e in running.service.audit.rows("evaluation")
            if e["hook_instance"] == body["hookInstance"]]
    assert rows[0]["fetched"].split(",") == list(KEYS.values())


def test_a_prefetched_searchset_with_a_next_page_and_no_server_is_412(
        running: Running) -> None:
    patient = read_patient(EXAMPLES[0])
    prefetch = prefetch_of(patient)
    prefetch["observations"]["link"] = [{"relation": "next",
                                         "url": "Observation?patient=patient&page=2"}]
    r = post(running, PATIENT_VIEW, request(patient, prefetch=prefetch))
    assert r.status_code == 412
    assert "observations" in r.json()["issue"][0]["diagnostics"]


def test_a_bundle_careflow_cannot_read_is_422_naming_the_resource(running: Running) -> None:
    patient = read_patient(EXAMPLES[0])
    prefetch = prefetch_of(patient)
    obs = prefetch["observations"]["entry"][0]["resource"]
    obs["valueQuantity"] = {"value": "tall", "unit": "cm"}
    r = post(running, PATIENT_VIEW, request(patient, prefetch=prefetch))
    assert r.status_code == 422, r.text
    check_outcome(r.json())
    assert f"Observation/{obs['id']}" in r.json()["issue"][0]["diagnostics"]


def test_another_patient_in_prefetch_is_refused(running: Running) -> None:
    patient = read_patient(EXAMPLES[0])
    body = request(patient, prefetch=prefetch_of(patient))
    body["context"]["patientId"] = "someone-else"
    r = post(running, PATIENT_VIEW, body)
    assert r.status_code == 400
    assert "context.patientId" in r.json()["issue"][0]["diagnostics"]


def test_codes_careflow_does_not_read_are_shown_on_a_card(running: Running) -> None:
    patient = read_patient(EXAMPLES[0])
    prefetch = prefetch_of(patient)
    extra = copy.deepcopy(prefetch["observations"]["entry"][0])
    extra["resource"].update(id="obs-unknown", code={"coding": [
        {"system": "http://loinc.org", "code": "99999-9", "display": "Something else"}]})
    prefetch["observations"]["entry"].append(extra)
    r = post(running, PATIENT_VIEW, request(patient, prefetch=prefetch))
    assert r.status_code == 200, r.text
    check_cards(r.json())
    last = r.json()["cards"][-1]
    assert last["summary"].startswith("FHIR data careflow did not use")
    assert "Observation/obs-unknown" in last["detail"]


# --- order-sign --------------------------------------------------------------------------
def order(rtype: str, action: str, side: str | None, rid: str = "o-1",
          code_field: str = "code") -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": rtype, "id": rid, "status": "draft", "intent": "order",
        "subject": {"reference": "Patient/patient"},
        code_field: {"coding": [{"system": "urn:careflow:codesystem:action",
                                 "code": action}], "text": action}}
    if side and rtype == "ServiceRequest":
        resource["bodySite"] = [{"coding": [{"system": "http://snomed.info/sct", "code": {
            "right": "62175007", "left": "32153003"}[side]}]}]
    elif side:
        resource["parameter"] = [{"code": {"text": "laterality"}, "valueCodeableConcept": {
            "coding": [{"system": "http://snomed.info/sct",
                        "code": {"right": "24028007", "left": "7771000"}[side]}]}}]
    return resource


def draft(*resources: dict[str, Any]) -> dict[str, Any]:
    return {"resourceType": "Bundle", "type": "collection",
            "entry": [{"resource": r} for r in resources]}


def sign(running: Running, patient: Patient, *orders: dict[str, Any]) -> dict[str, Any]:
    body = request(patient, "order-sign", prefetch=prefetch_of(patient))
    body["context"]["draftOrders"] = draft(*orders)
    r = post(running, ORDER_SIGN, body)
    assert r.status_code == 200, r.text
    doc: dict[str, Any] = r.json()
    check_cards(doc)
    return doc


def test_order_sign_catches_stockings_on_a_leg_where_they_are_contraindicated(
        running: Running) -> None:
    patient = parse_patient(EXTRA["stockings-contraindicated"])
    item = plan_on(running, patient).item("compression_stockings", "right")
    assert item is not None and item.status == "contraindicated"
    doc = sign(running, patient, order("DeviceRequest", "compression_stockings", "right",
                                       code_field="codeCodeableConcept"))
    (card,) = doc["cards"]
    assert card["indicator"] == "critical"
    assert "contraindicated" in card["summary"] and "right leg" in card["summary"]
    assert card["links"][0]["url"].endswith(f"#rule-{item.rule}")
    assert card["suggestions"][0]["actions"] == [{
        "type": "delete", "description": "Remove DeviceRequest/o-1",
        "resourceId": "DeviceRequest/o-1"}]
    assert card["selectionBehavior"] == "at-most-one"
    again = sign(running, patient, order("DeviceRequest", "compression_stockings", "right",
                                         code_field="codeCodeableConcept"))["cards"][0]
    assert again["summary"] == card["summary"]
    assert again["uuid"] != card["uuid"], "a card uuid is unique to its call"
    assert again["suggestions"][0]["uuid"] != card["suggestions"][0]["uuid"]
    row = next(c for c in running.service.audit.rows("card") if c["card_uuid"] == card["uuid"])
    assert row["rule"] == item.rule and item.rule in json.loads(row["rules"])
    assert (row["action"], row["side"], row["status"]) == (
        "compression_stockings", "right", "contraindicated")


def test_order_sign_warns_of_a_deferred_order_and_is_silent_on_a_recommended_one(
        running: Running) -> None:
    patient = read_patient(next(p for p in EXAMPLES if p.stem == "red-flag-dvt"))
    plan = plan_on(running, patient)
    held = next(i for i in plan.items if i.status == "deferred" and i.side)
    fine = next(i for i in plan.items if i.status == "recommended" and i.side
                and i.action != "referral")
    doc = sign(running, patient, order("ServiceRequest", held.action, held.side, "a"),
               order("ServiceRequest", fine.action, fine.side, "b"))
    (card,) = doc["cards"]
    assert card["indicator"] == "warning"
    assert "deferred" in card["summary"]
    assert card["suggestions"][0]["actions"][0]["resourceId"] == "ServiceRequest/a"


def test_an_order_without_a_leg_is_checked_on_every_leg(running: Running) -> None:
    patient = parse_patient(EXTRA["stockings-contraindicated"])
    plan = plan_on(running, patient)
    legs = [i for i in plan.items if i.action == "compression_stockings"]
    doc = sign(running, patient, order("DeviceRequest", "compression_stockings", None,
                                       code_field="codeCodeableConcept"))
    shown = [i for i in legs if i.status not in ("recommended", "option")]
    assert len(doc["cards"]) == len(shown) >= 1
    assert all("no leg given" in c["detail"] for c in doc["cards"])


def test_orders_careflow_cannot_read_are_listed_not_passed(running: Running) -> None:
    patient = read_patient(EXAMPLES[0])
    unknown = {"resourceType": "ServiceRequest", "id": "mri", "status": "draft",
               "intent": "order", "subject": {"reference": "Patient/patient"},
               "code": {"coding": [{"system": "http://loinc.org", "code": "24590-2"}],
                        "text": "MRI brain"}}
    doc = sign(running, patient, unknown)
    (card,) = doc["cards"]
    assert card["indicator"] == "info" and "1" in card["summary"]
    assert "MRI brain" in card["detail"]


def test_every_card_of_a_call_is_in_the_audit_trail_with_its_rules(running: Running) -> None:
    patient = read_patient(EXAMPLES[0])
    body = request(patient, prefetch=prefetch_of(patient))
    doc = post(running, PATIENT_VIEW, body).json()
    rows = {c["card_uuid"]: c for c in running.service.audit.rows("card")}
    plan = plan_on(running, patient)
    for card, item in zip(item_cards(doc, plan), plan.items, strict=True):
        row = rows[card["uuid"]]
        assert row["rule"] == item.rule
        assert json.loads(row["rules"]) == list(dict.fromkeys(
            [item.rule, *(c.rule for c in item.other_rules)]))
    (ev,) = [e for e in running.service.audit.rows("evaluation")
             if e["hook_instance"] == body["hookInstance"]]
    assert ev["outcome"] == "cards" and ev["protocol_digest"] == plan.protocol.digest
    assert ev["patient_hash"] == running.service.audit.patient_hash(plan.patient_id)
    assert plan.patient_id not in json.dumps(running.service.audit.rows("evaluation"))


def test_careflow_audit_summarises_overrides_per_rule(running: Running, tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]
                                                     ) -> None:
    from typer.testing import CliRunner

    from careflow.cli import app

    patient = read_patient(EXAMPLES[0])
    doc = post(running, PATIENT_VIEW, request(patient, prefetch=prefetch_of(patient))).json()
    plan = plan_on(running, patient)
    cards = item_cards(doc, plan)
    feedback = [{"card": cards[0]["uuid"], "outcome": "overridden",
                 "outcomeTimestamp": "2026-12-01T10:00:00Z",
                 "overrideReason": {"reason": {"code": "patient_declined",
                                               "system": override_reasons().system}}},
                {"card": cards[1]["uuid"], "outcome": "overridden",
                 "outcomeTimestamp": "2026-12-01T10:00:00Z"}]
    assert post(running, f"{PATIENT_VIEW}/feedback", {"feedback": feedback}).status_code == 200
    rows = {r.rule: r for r in audit_mod.summary(running.audit_db)}
    first = rows[plan.items[0].rule]
    assert first.overridden >= 1 and first.reasons.get("patient_declined", 0) >= 1
    assert rows[plan.items[1].rule].reasons.get("(no reason given)", 0) >= 1
    result = CliRunner().invoke(app, ["audit", str(running.audit_db), "--json"])
    assert result.exit_code == 0, result.output
    data = {r["rule"]: r for r in json.loads(result.output)}
    assert data[plan.items[0].rule]["overridden"] == first.overridden
    missing = CliRunner().invoke(app, ["audit", str(tmp_path / "none.sqlite3")])
    assert missing.exit_code == 2


@pytest.mark.parametrize("reply, says", [
    (("engine", "a session failed"), "rule engine failed"),
    (("internal", "KeyError"), "internal error"),
])
def test_an_evaluation_without_a_plan_is_500_never_no_cards(
        running: Running, monkeypatch: pytest.MonkeyPatch, reply: tuple[str, str],
        says: str) -> None:
    async def failing(task: Any) -> tuple[str, str]:
        return reply

    monkeypatch.setattr(running.service.pool, "run", failing)
    patient = read_patient(EXAMPLES[0])
    body = request(patient, prefetch=prefetch_of(patient))
    r = post(running, PATIENT_VIEW, body)
    assert r.status_code == 500, r.text
    check_outcome(r.json())
    assert says in r.json()["issue"][0]["diagnostics"] and "cards" not in r.json()
    (ev,) = [e for e in running.service.audit.rows("evaluation")
             if e["hook_instance"] == body["hookInstance"]]
    assert ev["outcome"] == "failed" and ev["http_status"] == 500


def test_an_unexpected_error_in_the_server_is_500_with_a_reference_only(
        running: Running, monkeypatch: pytest.MonkeyPatch) -> None:
    from careflow.service import prefetch

    async def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("secret detail /home/clinic/patient-4711")

    monkeypatch.setattr(prefetch, "gather", broken)
    patient = read_patient(EXAMPLES[0])
    body = request(patient, prefetch=prefetch_of(patient))
    r = post(running, PATIENT_VIEW, body)
    assert r.status_code == 500
    check_outcome(r.json())
    text = r.json()["issue"][0]["diagnostics"]
    assert "reference" in text and "secret" not in text and "Traceback" not in r.text
    (ev,) = [e for e in running.service.audit.rows("evaluation")
             if e["hook_instance"] == body["hookInstance"]]
    assert (ev["http_status"], ev["outcome"], ev["issue"]) == (500, "failed", "exception")
