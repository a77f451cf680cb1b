"""`careflow serve` and its settings: the command the README gives runs the service (a real
process on a free loopback port, stopped by the test), the development mode says so, settings
careflow cannot run with are refused (exit 2) naming the key, and `import careflow` never
loads the service's dependencies."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

pytest.importorskip("fastapi", reason="the service extra is not installed")

from careflow.cli import app
from careflow.service.config import load_config
from careflow.service.errors import ConfigError
from tests.unit.service_support import cds_get, cds_post

ROOT = Path(__file__).resolve().parents[2]


def test_import_careflow_loads_no_service_dependency() -> None:
    code = ("import sys, careflow, careflow.cli; "
            "print(sorted(m for m in ('fastapi', 'uvicorn', 'starlette', 'httpx', 'jwt') "
            "if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=ROOT, check=True)
    assert done.stdout.strip() == "[]", done.stdout


@pytest.mark.parametrize("text, says", [
    ("workers: 0\n", "workers"),
    ("algorithms: [ES384, HS256]\n", "algorithms"),
    ("no_such_setting: 1\n", "no_such_setting"),
    ("issuers:\n  - iss: https://ehr.test\n", "give jku, jwks_url or jwks"),
    ("issuers:\n  - iss: https://ehr.test\n    jwks: {keys: []}\n", "JWK Set"),
    ("base_url: cds.example\n", "base_url"),
    ("audit_db: postgresql://careflow@db.example/audit\n", "audit_salt_file"),
    ("- a list\n", "mapping"),
    ("workers: [unclosed\n", "not valid YAML"),
])
def test_settings_careflow_cannot_run_with_are_refused_naming_the_key(
        tmp_path: Path, text: str, says: str) -> None:
    cfg = tmp_path / "service.yaml"
    cfg.write_text(text)
    with pytest.raises(ConfigError, match=says):
        load_config(cfg)
    result = CliRunner().invoke(app, ["serve", "--config", str(cfg), "--dev-no-auth"])
    assert result.exit_code == 2
    assert says in result.output


def test_serve_without_a_trusted_issuer_refuses_to_start(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["serve", "--port", "0"])
    assert result.exit_code == 2
    assert "no issuers are trusted" in result.output and "--dev-no-auth" in result.output


@pytest.mark.parametrize("settings, args", [
    ({}, ["--host", "0.0.0.0"]),
    ({"base_url": "https://cds.clinic.example"}, []),
])
def test_the_development_mode_reachable_from_elsewhere_needs_fhir_servers(
        tmp_path: Path, settings: dict[str, str], args: list[str]) -> None:
    cfg = tmp_path / "service.yaml"
    cfg.write_text(json.dumps(settings))
    result = CliRunner().invoke(app, ["serve", "--dev-no-auth", "--port", "0",
                                      "--config", str(cfg), *args])
    assert result.exit_code == 2, result.output
    assert "is not loopback" in result.output and "fhir_servers:" in result.output


def test_fhir_servers_must_be_http_base_urls(tmp_path: Path) -> None:
    for wrong in ("fhir.example/r4", "https://user@fhir.example/r4", "https://f.example/a/../b"):
        with pytest.raises(ConfigError, match=r"fhir_servers: .* is not an absolute http"):
            load_config(None, fhir_servers=[wrong])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def start(args: list[str], tmp: Path) -> tuple[subprocess.Popen[str], str]:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "careflow.cli", "serve", "--port", str(port), *args],
        cwd=tmp, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}/cds-services"
    deadline = time.monotonic() + 180
    while True:
        try:
            cds_get(url, timeout=5)
            return proc, url
        except httpx.HTTPError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise AssertionError(f"careflow serve did not start:\n{proc.communicate()[0]}")
        time.sleep(0.2)


def stop(proc: subprocess.Popen[str]) -> str:
    proc.send_signal(signal.SIGINT)
    try:
        out, _ = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, _ = proc.communicate()
        raise AssertionError(f"careflow serve did not stop on SIGINT:\n{out}") from None
    return out


def test_the_readme_command_serves_discovery_and_says_it_is_in_development_mode(
        tmp_path: Path) -> None:
    proc, url = start(["--dev-no-auth"], tmp_path)
    try:
        r = cds_get(url)
        assert r.status_code == 200
        assert {s["id"] for s in r.json()["services"]} == {"careflow-patient-view",
                                                           "careflow-order-sign"}
        workers = [int(p) for task in Path(f"/proc/{proc.pid}/task").iterdir()
                   for p in (task / "children").read_text().split()]
        assert len(workers) == 2
    finally:
        out = stop(proc)
    assert proc.returncode == 0, out
    assert "DEVELOPMENT MODE" in out and "NOT checked" in out
    assert (tmp_path / "careflow-audit.sqlite3").is_file()
    for pid in workers:  # the workers stop with the server
        assert not Path(f"/proc/{pid}").exists() or "zombie" in Path(
            f"/proc/{pid}/status").read_text()


def test_with_an_issuer_every_call_needs_a_token(tmp_path: Path) -> None:
    from tests.unit.service_support import ec_key

    cfg = tmp_path / "service.yaml"
    cfg.write_text(json.dumps({"issuers": [{"iss": "https://ehr.test",
                                            "jwks": {"keys": [ec_key().jwk()]}}]}))
    proc, url = start(["--config", str(cfg)], tmp_path)
    try:
        r = cds_get(url)
        assert r.status_code == 401
        assert r.json()["resourceType"] == "OperationOutcome"
    finally:
        out = stop(proc)
    assert "DEVELOPMENT MODE" not in out


def test_no_patient_id_and_no_token_reach_the_servers_output(tmp_path: Path) -> None:
    """The real `careflow serve`, its log as it would be kept: a patient-view call whose
    data is fetched from a FHIR server (no prefetch) leaves neither the patient id, the FHIR
    token nor the caller's JWT in its stdout or stderr (httpx logs every request's URL at
    INFO, and the URL names the patient)."""
    from careflow import read_patient
    from careflow.fhir_in import to_bundle
    from tests.unit.service_support import FhirServer, ec_key, serving, token
    from tests.unit.test_export_samples import EXAMPLES

    pid, fhir_token = "PID-7731", "fhir-token-s3cr3t"
    jwt = token(ec_key(), "http://127.0.0.1/cds-services", "https://ehr.test")
    found = [e["resource"] for e in to_bundle(read_patient(EXAMPLES[0]))["entry"]]
    found = json.loads(json.dumps(found).replace(found[0]["id"], pid))
    with serving(FhirServer(found, token=fhir_token)) as fhir:
        cfg = tmp_path / "service.yaml"
        cfg.write_text(json.dumps({"fhir_servers": [fhir.url], "workers": 1}))
        proc, url = start(["--dev-no-auth", "--config", str(cfg)], tmp_path)
        try:
            r = cds_post(f"{url}/careflow-patient-view?patient={pid}", timeout=120,
                           headers={"Authorization": f"Bearer {jwt}"}, json={
                               "hook": "patient-view", "hookInstance": "h-1",
                               "context": {"patientId": pid, "userId": "Practitioner/1"},
                               "fhirServer": fhir.url, "fhirAuthorization": {
                                   "access_token": fhir_token, "token_type": "Bearer",
                                   "scope": "user/*.read", "subject": "careflow"}})
            assert r.status_code == 200, r.text
            assert any(q.path == f"/Patient/{pid}" for q in fhir.requests)
        finally:
            out = stop(proc)
    assert "careflow-patient-view" in out, "the access log was not written"
    for secret in (pid, fhir_token, jwt, jwt.split(".")[1]):
        assert secret not in out, f"{secret[:12]}... in the output:\n{out}"
