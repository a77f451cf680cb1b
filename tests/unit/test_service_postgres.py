"""The audit trail in PostgreSQL: a server the test starts (initdb into a temporary folder,
a free loopback port, stopped at the end), the same guarantees as SQLite: cards with their
rules, feedback stored once, UPDATE, DELETE and TRUNCATE refused, `careflow audit` over a
URL, and the service itself writing to it. Skipped where PostgreSQL or psycopg is missing."""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

psycopg = pytest.importorskip("psycopg", reason="psycopg is not installed (careflow[postgres])")

from careflow.service.audit import AuditLog, CardRow, summary  # noqa: E402

BIN = next((Path(p) for p in ("/usr/lib/postgresql/15/bin", "/usr/lib/postgresql/16/bin",
                              "/usr/lib/postgresql/17/bin") if (Path(p) / "initdb").is_file()),
           None)
if BIN is None and shutil.which("initdb"):
    BIN = Path(str(shutil.which("initdb"))).parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def url() -> Iterator[str]:
    if BIN is None:
        pytest.skip("no PostgreSQL server binaries (initdb) here")
    folder = Path(tempfile.mkdtemp(prefix="careflow-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root
        try:
            owner = pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root and there is no postgres user")
        os.chown(folder, owner.pw_uid, owner.pw_gid)
        as_user = ["runuser", "-u", "postgres", "--"]
    data, port = folder / "data", _free_port()
    subprocess.run([*as_user, str(BIN / "initdb"), "-D", str(data), "-A", "trust",
                    "-U", "careflow", "--no-sync", "-E", "UTF8"], check=True,
                   capture_output=True)
    subprocess.run([*as_user, str(BIN / "pg_ctl"), "-D", str(data), "-w", "-l",
                    str(folder / "log"), "-o",
                    f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off",
                    "start"], check=True, capture_output=True)
    try:
        yield f"postgresql://careflow@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*as_user, str(BIN / "pg_ctl"), "-D", str(data), "-m", "fast", "-w",
                        "stop"], capture_output=True, check=False)
        shutil.rmtree(folder, ignore_errors=True)


def test_the_audit_trail_in_postgresql_keeps_cards_feedback_once_and_refuses_changes(
        url: str, tmp_path: Path) -> None:
    log = AuditLog(url, tmp_path / "salt")
    try:
        card = str(uuid.uuid4())
        row = log.evaluation(hook_instance="h-1", service="careflow-patient-view",
                             hook="patient-view", http_status=200, outcome="cards",
                             careflow_version="t", digest="sha256:x", patient_id="P-42",
                             cards=[CardRow(card, "warning", "RULE_A", ("RULE_A", "RULE_B"),
                                            "compression_stockings", "right",
                                            "contraindicated")])
        assert row >= 1
        item = {"card": card, "outcome": "overridden",
                "outcomeTimestamp": "2026-12-01T10:00:00Z",
                "overrideReason": {"reason": {"code": "patient_declined"}}}
        first, again = log.feedback("careflow-patient-view", [item]), log.feedback(
            "careflow-patient-view", [item])
        assert (first.stored, again.stored, again.duplicates) == (1, 0, 1)
        spelt = log.feedback("careflow-patient-view", [
            dict(item, outcomeTimestamp=stamp)
            for stamp in ("2026-12-01T10:00:00+00:00", "2026-12-01T19:00:00+09:00")])
        assert (spelt.stored, spelt.duplicates) == (0, 2), "the same instant stored twice"
        assert [f["outcome_timestamp"] for f in log.rows("feedback")
                if f["card_uuid"] == card] == ["2026-12-01T10:00:00.000000Z"]
        (ev,) = [e for e in log.rows("evaluation") if e["id"] == row]
        assert ev["patient_hash"] == log.patient_hash("P-42") and "P-42" not in str(ev)
        with psycopg.connect(url, autocommit=True) as con:
            for sql in ("UPDATE evaluation SET outcome = 'x'", "DELETE FROM feedback",
                        "UPDATE card SET rule = 'X'", "TRUNCATE card, evaluation, feedback"):
                with pytest.raises(psycopg.Error, match="append-only"):
                    con.execute(sql)
        rules = {r.rule: r for r in summary(url)}
        assert rules["RULE_A"].overridden >= 1
        assert rules["RULE_A"].reasons.get("patient_declined", 0) >= 1
    finally:
        log.close()


def test_careflow_audit_reads_a_postgresql_url(url: str) -> None:
    from typer.testing import CliRunner

    from careflow.cli import app

    result = CliRunner().invoke(app, ["audit", url])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("rule")


def test_the_service_writes_its_audit_trail_to_postgresql(url: str, tmp_path: Path) -> None:
    pytest.importorskip("httpx")
    from careflow import read_patient
    from tests.unit.service_support import cds_post, service
    from tests.unit.test_export_samples import EXAMPLES
    from tests.unit.test_service_cards import prefetch_of, request

    patient = read_patient(EXAMPLES[0])
    body = request(patient, prefetch=prefetch_of(patient))
    with service(tmp_path, dev_no_auth=True, audit_db=url,
                 audit_salt_file=tmp_path / "salt") as s:
        r = cds_post(f"{s.url}/cds-services/careflow-patient-view", json=body, timeout=60)
        assert r.status_code == 200, r.text
        cards = {c["uuid"] for c in r.json()["cards"]}
        stored = {c["card_uuid"] for c in s.service.audit.rows("card")}
        assert cards <= stored
