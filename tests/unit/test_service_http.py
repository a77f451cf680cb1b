"""The CDS Hooks service over a real socket, in its development mode (no JWT; the JWT suite
is test_service_jwt.py): discovery, refusals (400, 404, 412, 413) as OperationOutcomes,
feedback stored once, the audit trail append-only and free of patient identifiers."""

from __future__ import annotations

import concurrent.futures
import sqlite3
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

pytest.importorskip("fastapi", reason="the service extra is not installed")

from careflow.rulebook import default_rulebook
from careflow.service import audit as audit_mod
from careflow.service.app import ORDER_SIGN, PATIENT_VIEW
from careflow.service.prefetch import host_of, within
from tests.unit.service_support import (
    FhirServer,
    Running,
    cds_get,
    cds_post,
    check_discovery,
    check_outcome,
    service,
    serving,
)

LISTS = ("conditions", "observations", "allergies", "medicationRequests",
         "medicationStatements", "procedures")


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
    with service(tmp_path_factory.mktemp("service"), dev_no_auth=True,
                 max_body_bytes=200_000, fhir_servers=[served.url]) as s:
        yield s


def call(hook: str = "patient-view", **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"hook": hook, "hookInstance": str(uuid.uuid4()),
                            "context": {"userId": "Practitioner/1", "patientId": "pt-1"}}
    body.update(extra)
    return body


def post(running: Running, sid: str, body: Any, **kw: Any) -> httpx.Response:
    return cds_post(f"{running.url}/cds-services/{sid}", json=body, timeout=60, **kw)


def test_discovery_lists_both_services_with_the_rule_books_prefetch_and_digest(
        running: Running) -> None:
    r = cds_get(f"{running.url}/cds-services")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/json")
    doc = r.json()
    check_discovery(doc)
    by_id = {s["id"]: s for s in doc["services"]}
    assert {sid: s["hook"] for sid, s in by_id.items()} == {
        PATIENT_VIEW: "patient-view", ORDER_SIGN: "order-sign"}
    book = default_rulebook()
    for s in by_id.values():
        assert s["prefetch"]["patient"] == "Patient/{{context.patientId}}"
        assert s["prefetch"]["allergies"] == "AllergyIntolerance?patient={{context.patientId}}"
        assert set(s["prefetch"]) == {"patient", *LISTS}
        ext = s["extension"]["careflow.protocol"]
        assert ext["digest"] == book.digest and ext["rules"] == len(book.rules)
        assert ext["book"] == f"{running.url}/protocol"


def test_an_unknown_service_is_404_with_an_operation_outcome(running: Running) -> None:
    for r in (post(running, "no-such-service", call()),
              post(running, "no-such-service/feedback", {"feedback": []}),
              cds_get(f"{running.url}/somewhere-else")):
        assert r.status_code == 404, r.text
        check_outcome(r.json())
        assert r.json()["issue"][0]["code"] == "not-found"


@pytest.mark.parametrize("body, says", [
    (b"{not json", "not valid JSON"),
    (b'{"hook": "patient-view", "hook": "order-sign"}', "duplicate key"),
    (b"[1, 2]", "JSON object"),
    (b"", "not valid JSON"),
])
def test_a_body_that_is_not_a_json_object_is_400(running: Running, body: bytes,
                                                 says: str) -> None:
    r = cds_post(f"{running.url}/cds-services/{PATIENT_VIEW}", content=body,
                   headers={"Content-Type": "application/json"})
    assert r.status_code == 400, r.text
    check_outcome(r.json())
    assert says in r.json()["issue"][0]["diagnostics"]


@pytest.mark.parametrize("change, says", [
    ({"hook": "order-sign"}, "hook"),
    ({"hookInstance": ""}, "hookInstance"),
    ({"hookInstance": "x" * 201}, "hookInstance: longer than 200"),
    ({"context": {"userId": "Practitioner/1"}}, "context.patientId"),
    ({"fhirServer": "ftp://x"}, "fhirServer"),
    ({"fhirAuthorization": {"access_token": "t", "token_type": "Bearer"}}, "fhirAuthorization"),
    ({"prefetch": [1]}, "prefetch"),
])
def test_a_request_missing_or_misnaming_a_field_is_400_naming_it(
        running: Running, change: dict[str, Any], says: str) -> None:
    r = post(running, PATIENT_VIEW, call(**change))
    assert r.status_code == 400, r.text
    check_outcome(r.json())
    assert r.json()["issue"][0]["diagnostics"].startswith(says)


def test_order_sign_needs_draft_orders(running: Running) -> None:
    r = post(running, ORDER_SIGN, call("order-sign"))
    assert r.status_code == 400
    assert "context.draftOrders" in r.json()["issue"][0]["diagnostics"]


def test_a_body_over_the_limit_is_413(running: Running) -> None:
    r = post(running, PATIENT_VIEW, call(padding="x" * 210_000))
    assert r.status_code == 413
    check_outcome(r.json())


def test_no_prefetch_and_no_fhir_server_is_412_naming_every_key(running: Running) -> None:
    r = post(running, PATIENT_VIEW, call())
    assert r.status_code == 412, r.text
    check_outcome(r.json())
    text = r.json()["issue"][0]["diagnostics"]
    for key in ("patient", *LISTS):
        assert key in text


def test_an_operation_outcome_or_null_patient_in_prefetch_is_412_without_a_server(
        running: Running) -> None:
    failed = {"resourceType": "OperationOutcome",
              "issue": [{"severity": "error", "code": "timeout"}]}
    for patient in (failed, None):
        prefetch: dict[str, Any] = dict.fromkeys(LISTS)
        prefetch["patient"] = patient
        r = post(running, PATIENT_VIEW, call(prefetch=prefetch))
        assert r.status_code == 412, r.text
        assert r.json()["issue"][0]["diagnostics"].endswith(": patient")


def test_a_partial_prefetch_is_412_naming_only_what_is_missing(running: Running) -> None:
    prefetch: dict[str, Any] = {"patient": {"resourceType": "Patient", "id": "pt-1"},
                                "conditions": None, "observations": None}
    r = post(running, PATIENT_VIEW, call(prefetch=prefetch))
    assert r.status_code == 412
    text = r.json()["issue"][0]["diagnostics"]
    assert "allergies" in text and "procedures" in text
    assert "observations" not in text and "patient," not in text


def test_a_prefetch_of_the_wrong_type_is_400(running: Running) -> None:
    prefetch: dict[str, Any] = dict.fromkeys(LISTS)
    prefetch["patient"] = {"resourceType": "Bundle", "type": "searchset"}
    r = post(running, PATIENT_VIEW, call(prefetch=prefetch))
    assert r.status_code == 400
    assert r.json()["issue"][0]["diagnostics"].startswith("prefetch.patient")


def test_a_fhir_server_without_the_data_is_412(running: Running, fhir: FhirServer) -> None:
    r = post(running, PATIENT_VIEW, call(fhirServer=fhir.url))
    assert r.status_code == 412
    assert fhir.requests, "the service did not ask the FHIR server"


def auth(token: str) -> dict[str, Any]:
    return {"access_token": token, "token_type": "Bearer", "expires_in": 300,
            "scope": "user/*.read", "subject": "careflow"}


def test_a_fhir_server_refusing_the_token_is_412_and_the_token_was_sent(
        running: Running, fhir: FhirServer) -> None:
    fhir.reset([{"resourceType": "Patient", "id": "pt-1"}], token="right-token")
    r = post(running, PATIENT_VIEW, call(fhirServer=fhir.url,
                                         fhirAuthorization=auth("wrong-token")))
    assert r.status_code == 412
    assert {q.authorization for q in fhir.requests} == {"Bearer wrong-token"}


def test_a_slow_fhir_server_times_out_into_412(tmp_path: Path) -> None:
    with serving(FhirServer(resources=[], delay=1.0)) as fhir, \
            service(tmp_path, dev_no_auth=True, fhir_timeout_seconds=0.2,
                    fhir_servers=[fhir.url]) as s:
        r = post(s, PATIENT_VIEW, call(fhirServer=fhir.url))
    assert r.status_code == 412


PATIENT = {"resourceType": "Patient", "id": "pt-1"}


def test_a_dripping_fhir_server_is_cut_off_at_the_deadline_as_412(tmp_path: Path) -> None:
    """A server that sends a byte every second never trips a per-read timeout; the call's
    deadline still ends it, every key having been asked at once."""
    with serving(FhirServer(resources=[PATIENT], drip=1.0)) as fhir, \
            service(tmp_path, dev_no_auth=True, fhir_servers=[fhir.url],
                    prefetch_deadline_seconds=2) as s:
        began = time.monotonic()
        r = post(s, PATIENT_VIEW, call(fhirServer=fhir.url))
        took = time.monotonic() - began
    assert r.status_code == 412, r.text
    check_outcome(r.json())
    assert "did not answer within 2 s" in r.json()["issue"][0]["diagnostics"]
    assert took < 2 + 5, took
    assert len(fhir.requests) == 1 + len(LISTS), "the keys were not fetched at once"


def test_calls_over_the_fetching_limit_are_503_with_retry_after(tmp_path: Path) -> None:
    with serving(FhirServer(resources=[PATIENT], drip=1.0)) as fhir, \
            service(tmp_path, dev_no_auth=True, fhir_servers=[fhir.url],
                    prefetch_deadline_seconds=4, fetch_calls_limit=1) as s, \
            concurrent.futures.ThreadPoolExecutor(1) as pool:
        first = pool.submit(post, s, PATIENT_VIEW, call(fhirServer=fhir.url))
        deadline = time.monotonic() + 30
        while not fhir.requests and time.monotonic() < deadline:
            time.sleep(0.05)
        r = post(s, PATIENT_VIEW, call(fhirServer=fhir.url))
        assert first.result().status_code == 412
    assert r.status_code == 503, r.text
    check_outcome(r.json())
    assert r.headers["Retry-After"] == "1"
    assert len(fhir.requests) == 1 + len(LISTS), "the call refused fetched nonetheless"


def test_a_next_link_to_another_server_is_not_followed_and_is_412_naming_its_host(
        running: Running, fhir: FhirServer) -> None:
    """The bearer token goes to fhirServer only: a searchset whose `next` link names another
    host or port (here another loopback port) is never followed, fetched or prefetched."""
    with serving(FhirServer()) as foreign:
        elsewhere = f"{foreign.url}/Observation?patient=pt-1&page=2"
        fhir.reset([PATIENT], token="secret-fhir-token", next_url=elsewhere)
        r = post(running, PATIENT_VIEW, call(fhirServer=fhir.url,
                                             fhirAuthorization=auth("secret-fhir-token")))
        assert r.status_code == 412, r.text
        check_outcome(r.json())
        text = r.json()["issue"][0]["diagnostics"]
        assert f"on 127.0.0.1:{foreign.url.rsplit(':', 1)[1]}, outside fhirServer" in text
        assert "secret-fhir-token" not in r.text and "page=2" not in text
        prefetch: dict[str, Any] = dict.fromkeys(LISTS)
        prefetch["patient"] = PATIENT
        prefetch["conditions"] = {"resourceType": "Bundle", "type": "searchset",
                                  "link": [{"relation": "next", "url": elsewhere}]}
        r = post(running, PATIENT_VIEW, call(fhirServer=fhir.url, prefetch=prefetch,
                                             fhirAuthorization=auth("secret-fhir-token")))
        assert r.status_code == 412, r.text
        assert r.json()["issue"][0]["diagnostics"].endswith(
            f"conditions (its next page is on {host_of(foreign.url)}, outside fhirServer: "
            "not followed)")
    assert not foreign.requests, "the foreign server was asked"
    assert fhir.requests


@pytest.mark.parametrize("url, base, inside", [
    ("https://f.example/fhir/Patient/1", "https://f.example/fhir", True),
    ("https://f.example:443/fhir/Patient/1", "https://f.example/fhir/", True),
    ("https://F.EXAMPLE/fhir", "https://f.example/fhir", True),
    ("http://f.example/fhir/Patient/1", "https://f.example/fhir", False),
    ("https://f.example:8443/fhir/Patient/1", "https://f.example/fhir", False),
    ("https://g.example/fhir/Patient/1", "https://f.example/fhir", False),
    ("https://f.example/fhirx/Patient/1", "https://f.example/fhir", False),
    ("https://f.example/fhir/../admin", "https://f.example/fhir", False),
    ("https://f.example/fhir/%2e%2e/admin", "https://f.example/fhir", False),
    ("https://user@f.example/fhir/Patient/1", "https://f.example/fhir", False),
    ("https://f.example.evil.test/fhir", "https://f.example/fhir", False),
    ("https://f.example:99999/fhir", "https://f.example/fhir", False),
    ("ftp://f.example/fhir", "ftp://f.example/fhir", False),
])
def test_a_url_is_within_a_base_by_scheme_host_port_and_path(url: str, base: str,
                                                             inside: bool) -> None:
    assert within(url, base) is inside


def test_with_no_fhir_servers_listed_nothing_is_fetched(tmp_path: Path) -> None:
    with serving(FhirServer(resources=[PATIENT])) as fhir, \
            service(tmp_path, dev_no_auth=True) as s:
        r = post(s, PATIENT_VIEW, call(fhirServer=fhir.url))
    assert r.status_code == 412, r.text
    check_outcome(r.json())
    assert "no FHIR server is allowed" in r.json()["issue"][0]["diagnostics"]
    assert not fhir.requests


def test_a_token_is_never_sent_over_plain_http_but_to_loopback(tmp_path: Path) -> None:
    with service(tmp_path, dev_no_auth=True, fhir_servers=["http://fhir.invalid/r4"]) as s:
        r = post(s, PATIENT_VIEW, call(fhirServer="http://fhir.invalid/r4",
                                       fhirAuthorization=auth("secret-fhir-token")))
    assert r.status_code == 412, r.text
    text = r.json()["issue"][0]["diagnostics"]
    assert "fhirServer fhir.invalid is plain http" in text and "secret" not in text


REASONS = "urn:careflow:codesystem:override-reason"


def feedback_body(card: str, outcome: str = "overridden", **extra: Any) -> dict[str, Any]:
    item: dict[str, Any] = {"card": card, "outcome": outcome,
                            "outcomeTimestamp": "2026-12-01T10:05:31Z"}
    item.update(extra)
    return {"feedback": [item]}


def test_feedback_is_stored_once_however_often_it_is_sent(running: Running) -> None:
    card = str(uuid.uuid4())
    body = feedback_body(card, overrideReason={
        "reason": {"system": "urn:careflow:codesystem:override-reason",
                   "code": "patient_declined"},
        "userComment": "talked it over with the patient"})
    for _ in range(3):
        r = post(running, f"{PATIENT_VIEW}/feedback", body)
        assert r.status_code == 200, r.text
        assert r.content == b""
    rows = [f for f in running.service.audit.rows("feedback") if f["card_uuid"] == card]
    assert len(rows) == 1
    assert rows[0]["reason_code"] == "patient_declined" and rows[0]["has_comment"] == 1
    assert "talked" not in str(rows[0]), "the free-text comment is not kept"
    later = feedback_body(card, "accepted", outcomeTimestamp="2026-12-01T11:00:00Z",
                          acceptedSuggestions=[{"id": "s-1"}])
    assert post(running, f"{PATIENT_VIEW}/feedback", later).status_code == 200
    rows = [f for f in running.service.audit.rows("feedback") if f["card_uuid"] == card]
    assert [r["outcome"] for r in rows] == ["overridden", "accepted"]


def test_feedback_is_stored_once_whatever_the_spelling_of_its_time(running: Running) -> None:
    card = str(uuid.uuid4())
    for stamp in ("2026-12-01T10:05:31Z", "2026-12-01T10:05:31+00:00",
                  "2026-12-01T19:05:31+09:00", "2026-12-01T10:05:31.000Z"):
        r = post(running, f"{PATIENT_VIEW}/feedback",
                 feedback_body(card, outcomeTimestamp=stamp))
        assert r.status_code == 200, r.text
    rows = [f for f in running.service.audit.rows("feedback") if f["card_uuid"] == card]
    assert [r["outcome_timestamp"] for r in rows] == ["2026-12-01T10:05:31.000000Z"]


@pytest.mark.parametrize("body, says", [
    ({"feedback": []}, "feedback"),
    ({"feedback": feedback_body("c")["feedback"] * 1001}, "feedback: more than 1000"),
    (feedback_body("c" * 201), "feedback[0].card: longer"),
    (feedback_body("c", "ignored"), "feedback[0].outcome"),
    (feedback_body("c", outcomeTimestamp="yesterday"), "feedback[0].outcomeTimestamp"),
    (feedback_body("c", outcomeTimestamp="2026-12-01T10:05:31"), "feedback[0].outcomeTime"),
    (feedback_body("c", outcomeTimestamp="0001-01-01T00:00:00+09:00"),
     "feedback[0].outcomeTimestamp: not a time careflow can keep"),
    (feedback_body("c", "accepted"), "feedback[0].acceptedSuggestions"),
    (feedback_body("c", overrideReason={"reason": "no"}), "feedback[0].overrideReason"),
    (feedback_body("c", overrideReason={"reason": {"system": REASONS, "code": "too_busy"}}),
     f"feedback[0].overrideReason.reason: {REASONS}|too_busy is not one of this service's "
     f"override reasons (system {REASONS}, codes clinical_judgement, patient_declined"),
    (feedback_body("c", overrideReason={"reason": {"system": "urn:other",
                                                   "code": "patient_declined"}}),
     "feedback[0].overrideReason.reason: urn:other|patient_declined is not one"),
    (feedback_body("c", overrideReason={"reason": {"code": "patient_declined"}}),
     "feedback[0].overrideReason.reason: (no system)|patient_declined is not one"),
])
def test_malformed_feedback_is_400(running: Running, body: dict[str, Any], says: str) -> None:
    r = post(running, f"{PATIENT_VIEW}/feedback", body)
    assert r.status_code == 400, r.text
    check_outcome(r.json())
    assert r.json()["issue"][0]["diagnostics"].startswith(says)


def test_the_audit_trail_is_append_only(running: Running) -> None:
    post(running, PATIENT_VIEW, call())  # a 412, recorded
    con = sqlite3.connect(running.audit_db)
    try:
        first = con.execute("SELECT MIN(id) FROM evaluation").fetchone()[0]
        assert first is not None
        with con:  # adding is allowed
            con.execute("INSERT INTO card (card_uuid, evaluation_id, position, indicator, "
                        "rules) VALUES (?, ?, 0, 'info', '[]')", (str(uuid.uuid4()), first))
        post(running, f"{PATIENT_VIEW}/feedback", feedback_body(str(uuid.uuid4())))
        for sql in ("UPDATE evaluation SET outcome = 'cards'", "DELETE FROM evaluation",
                    "DELETE FROM feedback", "UPDATE feedback SET outcome = 'accepted'",
                    "UPDATE card SET rule = 'X'", "DELETE FROM card"):
            with pytest.raises(sqlite3.DatabaseError, match="append-only"):
                con.execute(sql)
    finally:
        con.close()


def test_a_refused_call_is_audited_without_the_patient(running: Running) -> None:
    body = call()
    body["context"]["patientId"] = "patient-secret-4711"
    post(running, PATIENT_VIEW, body)
    rows = [e for e in running.service.audit.rows("evaluation")
            if e["hook_instance"] == body["hookInstance"]]
    assert len(rows) == 1
    assert rows[0]["http_status"] == 412 and rows[0]["outcome"] == "refused"
    assert rows[0]["issue"] == "incomplete" and rows[0]["protocol_digest"]
    raw = b"".join(p.read_bytes() for p in running.audit_db.parent.glob("audit.sqlite3*")
                   if not p.name.endswith(".salt"))
    assert b"patient-secret-4711" not in raw


def test_the_patient_hash_is_salted_and_the_salt_kept_apart(tmp_path: Path) -> None:
    one = audit_mod.AuditLog(tmp_path / "a" / "audit.sqlite3")
    two = audit_mod.AuditLog(tmp_path / "b" / "audit.sqlite3")
    again = audit_mod.AuditLog(tmp_path / "a" / "audit.sqlite3")
    try:
        assert one.patient_hash("P-1") != two.patient_hash("P-1")
        assert one.patient_hash("P-1") == again.patient_hash("P-1")
        assert (tmp_path / "a" / "audit.sqlite3.salt").stat().st_mode & 0o077 == 0
    finally:
        for log in (one, two, again):
            log.close()


def test_an_audit_database_careflow_cannot_use_is_refused_naming_why(tmp_path: Path) -> None:
    from careflow.errors import UsageError

    with pytest.raises(UsageError, match="not supported"):
        audit_mod.AuditLog("mysql://db.example/careflow")
    with pytest.raises(UsageError, match="audit_salt_file"):
        audit_mod.AuditLog("postgresql://db.example/careflow")


def test_the_protocol_book_is_served_with_an_anchor_per_rule(running: Running) -> None:
    r = cds_get(f"{running.url}/protocol/ja", timeout=120)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert 'id="rule-VEIN_STOCKINGS_NOT_WITH_LOW_ABI"' in r.text


def test_only_listed_fhir_servers_are_read(tmp_path: Path) -> None:
    with serving(FhirServer(resources=[])) as listed, serving(FhirServer()) as other, \
            service(tmp_path, dev_no_auth=True, fhir_servers=[listed.url + "/fhir"]) as s:
            r = post(s, PATIENT_VIEW, call(fhirServer=other.url + "/fhir"))
            assert r.status_code == 400 and r.json()["issue"][0]["diagnostics"].startswith(
                "fhirServer")
            r = post(s, PATIENT_VIEW, call(fhirServer=listed.url + "/fhirx"))
            assert r.status_code == 400
            r = post(s, PATIENT_VIEW, call(fhirServer=listed.url + "/fhir/"))
            assert r.status_code == 412  # read, and it has nothing
    assert not other.requests and listed.requests


def test_a_fhir_answer_over_the_size_limit_is_no_answer(
        running: Running, fhir: FhirServer, monkeypatch: pytest.MonkeyPatch) -> None:
    from careflow.service import prefetch

    monkeypatch.setattr(prefetch, "MAX_FETCH_BYTES", 50_000)
    big = {"resourceType": "Patient", "id": "pt-1",
           "name": [{"text": "x" * 80_000}]}
    fhir.reset([big])
    r = post(running, PATIENT_VIEW, call(fhirServer=fhir.url))
    assert r.status_code == 412
    assert "patient" in r.json()["issue"][0]["diagnostics"]


def test_the_prefetch_templates_follow_the_facts_the_rules_read() -> None:
    from types import SimpleNamespace

    from careflow.service import prefetch

    def book(*facts: str) -> Any:
        return SimpleNamespace(program=SimpleNamespace(facts=frozenset(facts)))

    assert list(prefetch.templates(book("age"))) == ["patient"]
    assert list(prefetch.templates(book("abi", "condition.diabetes"))) == [
        "patient", "conditions", "observations"]
    assert list(prefetch.templates(book("medication.anticoagulant", "history.x.tried"))) == [
        "patient", "medicationRequests", "medicationStatements", "procedures"]
    shipped = prefetch.templates(default_rulebook())
    assert set(shipped) == {"patient", *LISTS}


def test_feedback_reasons_are_checked_against_the_clinics_own_list(tmp_path: Path) -> None:
    own = tmp_path / "reasons.yaml"
    own.write_text("system: https://clinic.example/override\nreasons:\n"
                   "  - {code: seen_today, en: Seen today, ja: 本日診察済み}\n")
    ours = {"system": "https://clinic.example/override", "code": "seen_today"}
    shipped = {"system": REASONS, "code": "patient_declined"}
    with service(tmp_path, dev_no_auth=True, override_reasons=own) as s:
        good = post(s, f"{PATIENT_VIEW}/feedback",
                    feedback_body(str(uuid.uuid4()), overrideReason={"reason": ours}))
        bad = post(s, f"{PATIENT_VIEW}/feedback",
                   feedback_body(str(uuid.uuid4()), overrideReason={"reason": shipped}))
    assert good.status_code == 200, good.text
    assert bad.status_code == 400, bad.text
    check_outcome(bad.json())
    assert f"{REASONS}|patient_declined is not one" in bad.json()["issue"][0]["diagnostics"]


@pytest.mark.parametrize("status, path, body", [
    (200, "/cds-services/careflow-patient-view", {"cards": [{"summary": "x", "detail": ""}]}),
    (200, "/cds-services/careflow-patient-view", {"cards": [], "extra": 1}),
    (200, "/cds-services", {"services": [{"hook": "patient-view"}]}),
    (412, "/cds-services/careflow-patient-view", {"cards": []}),
    (500, "/cds-services/careflow-patient-view", {"resourceType": "OperationOutcome",
                                                  "issue": []}),
    (200, "/cds-services/careflow-patient-view/feedback", {"stored": 1}),
    (302, "/cds-services", {}),
])
def test_the_response_check_every_test_uses_can_fail(status: int, path: str,
                                                      body: Any) -> None:
    import jsonschema
    import pydantic

    from tests.unit.service_support import check_response

    r = httpx.Response(status, json=body, request=httpx.Request("POST", f"http://x{path}"))
    with pytest.raises((AssertionError, jsonschema.ValidationError, pydantic.ValidationError)):
        check_response(r)


def test_a_bad_prefetch_key_after_one_to_fetch_is_400_and_nothing_is_fetched(
        running: Running, fhir: FhirServer) -> None:
    fhir.reset([PATIENT])
    r = cds_post(f"{running.url}/cds-services/{PATIENT_VIEW}", timeout=60, json=call(
        fhirServer=fhir.url, prefetch={"conditions": {"resourceType": "Patient"}}))
    assert r.status_code == 400, r.text
    assert r.json()["issue"][0]["diagnostics"].startswith("prefetch.conditions: expected")
    assert not fhir.requests
