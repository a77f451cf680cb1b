"""What the service tests share: the service started on loopback over a real socket (uvicorn
in a thread of the test, its workers real processes), a small FHIR server and a JWKS server
the tests start, keys generated in the test, signed tokens, and the CDS Hooks 2.0 response
shapes (written from the specification's tables, https://cds-hooks.hl7.org/2.0/)."""

from __future__ import annotations

import json
import socket
import threading
import time
import urllib.parse
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from tests.unit.test_export_cds_hooks import CARD, CODING

# --- the CDS Hooks 2.0 shapes -----------------------------------------------------------
RESPONSE = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object", "additionalProperties": False, "required": ["cards"],
    "properties": {"cards": {"type": "array", "items": CARD},
                   "systemActions": {"type": "array", "minItems": 1}},
}
SERVICE = {
    "type": "object", "required": ["hook", "description", "id"],
    "properties": {
        "hook": {"type": "string", "minLength": 1},
        "title": {"type": "string", "minLength": 1},
        "description": {"type": "string", "minLength": 1},
        "id": {"type": "string", "pattern": "^[A-Za-z0-9._~-]+$"},
        "prefetch": {"type": "object", "minProperties": 1,
                     "additionalProperties": {"type": "string", "minLength": 1}},
        "usageRequirements": {"type": "string", "minLength": 1},
        "extension": {"type": "object", "minProperties": 1},
    },
}
DISCOVERY = {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object",
             "required": ["services"],
             "properties": {"services": {"type": "array", "items": SERVICE}}}
OUTCOME = {"type": "object", "required": ["resourceType", "issue"],
           "properties": {"resourceType": {"const": "OperationOutcome"},
                          "issue": {"type": "array", "minItems": 1}}}
_FORMATS = jsonschema.FormatChecker()
RESPONSE_CHECK = jsonschema.Draft202012Validator(RESPONSE, format_checker=_FORMATS)
DISCOVERY_CHECK = jsonschema.Draft202012Validator(DISCOVERY, format_checker=_FORMATS)
__all__ = ["CODING"]


def empties(value: Any, path: str = "$") -> list[str]:
    """Every null or empty member (CDS Hooks 2.0: "SHALL NOT be null or empty")."""
    out = []
    if isinstance(value, dict):
        for k, v in value.items():
            if v is None or v == "" or v == [] or v == {}:
                out.append(f"{path}.{k}")
            out += empties(v, f"{path}.{k}")
    elif isinstance(value, list):
        for n, v in enumerate(value):
            if v is None or v == "" or v == [] or v == {}:
                out.append(f"{path}[{n}]")
            out += empties(v, f"{path}[{n}]")
    return out


def check_cards(doc: Any) -> None:
    RESPONSE_CHECK.validate(doc)
    # the one empty array the specification allows: no guidance is {"cards": []}
    assert not [p for p in empties(doc) if p != "$.cards"], empties(doc)


def check_discovery(doc: Any) -> None:
    DISCOVERY_CHECK.validate(doc)
    assert not empties(doc), empties(doc)


def check_outcome(doc: Any) -> None:
    from fhir.resources.R4B.operationoutcome import OperationOutcome

    jsonschema.validate(doc, OUTCOME)
    OperationOutcome.model_validate(doc)  # a valid FHIR R4 OperationOutcome
    assert not empties(doc), empties(doc)


def check_response(r: httpx.Response) -> httpx.Response:
    """The service's answer held to its shape by status and route: a 4xx or 5xx an
    OperationOutcome, discovery the discovery shape, a service call's 200 the CDS Hooks
    response, feedback's 200 no body, the protocol book HTML. Every test's responses go
    through here (`cds_get`, `cds_post`)."""
    path = urllib.parse.urlsplit(str(r.request.url)).path
    if r.status_code >= 400:
        assert r.headers.get("content-type", "").startswith("application/json"), r.text
        check_outcome(r.json())
    elif r.status_code != 200:
        raise AssertionError(f"{r.request.method} {path}: status {r.status_code}")
    elif path == "/cds-services":
        check_discovery(r.json())
    elif path.startswith("/cds-services/") and path.endswith("/feedback"):
        assert r.content == b"", r.text
    elif path.startswith("/cds-services/"):
        check_cards(r.json())
    elif path.startswith("/protocol/"):
        assert r.headers["content-type"].startswith("text/html")
    else:
        raise AssertionError(f"{r.request.method} {path}: 200 from no route of the service")
    return r


def cds_post(url: str, **kw: Any) -> httpx.Response:
    """httpx.post to the service, its answer checked (check_response)."""
    return check_response(httpx.post(url, **kw))


def cds_get(url: str, **kw: Any) -> httpx.Response:
    """httpx.get from the service, its answer checked (check_response)."""
    return check_response(httpx.get(url, **kw))


# --- keys and tokens ----------------------------------------------------------------------
@dataclass
class Key:
    kid: str
    alg: str
    private: Any

    def jwk(self) -> dict[str, Any]:
        algo = jwt.algorithms.get_default_algorithms()[self.alg]
        data: dict[str, Any] = json.loads(algo.to_jwk(self.private.public_key()))
        data.update(kid=self.kid, alg=self.alg, use="sig")
        return data


def ec_key(kid: str = "ec-1") -> Key:
    return Key(kid, "ES384", ec.generate_private_key(ec.SECP384R1()))


def rsa_key(kid: str = "rsa-1") -> Key:
    return Key(kid, "RS384", rsa.generate_private_key(public_exponent=65537, key_size=2048))


def token(key: Key, aud: str, iss: str, *, jku: str | None = None, alg: str | None = None,
          kid: str | None = None, exp: float = 120, iat: float = 0,
          jti: str | None = None, claims: Mapping[str, Any] | None = None) -> str:
    now = time.time()
    payload: dict[str, Any] = {"iss": iss, "aud": aud, "exp": int(now + exp),
                               "iat": int(now + iat), "jti": jti or uuid.uuid4().hex}
    payload.update(claims or {})
    headers: dict[str, Any] = {"kid": kid or key.kid, "typ": "JWT"}
    if jku:
        headers["jku"] = jku
    return jwt.encode(payload, key.private, algorithm=alg or key.alg, headers=headers)


def unsigned(aud: str, iss: str, kid: str) -> str:
    """An `alg: none` token, written by hand (libraries rightly refuse to make one)."""
    def part(data: Mapping[str, Any]) -> str:
        raw = json.dumps(data, separators=(",", ":")).encode()
        return jwt.utils.base64url_encode(raw).decode()
    now = int(time.time())
    return (part({"alg": "none", "typ": "JWT", "kid": kid}) + "." + part(
        {"iss": iss, "aud": aud, "exp": now + 60, "iat": now, "jti": uuid.uuid4().hex}) + ".")


# --- small HTTP servers the tests start ---------------------------------------------------
@dataclass
class Recorded:
    path: str
    authorization: str | None


@dataclass
class FhirServer:
    """A FHIR server on loopback: reads and searches over a list of resources, a bearer
    token required when `token` is set, `page_size` resources per searchset page."""

    resources: list[dict[str, Any]] = field(default_factory=list)
    token: str | None = None
    page_size: int = 100
    jwks: dict[str, Any] | None = None
    requests: list[Recorded] = field(default_factory=list)
    url: str = ""
    delay: float = 0.0
    next_url: str | None = None  # a `next` link on every searchset's first page
    drip: float = 0.0  # seconds between the bytes of each answer

    def reset(self, resources: list[dict[str, Any]] | None = None, **fields: Any) -> FhirServer:
        """The server as new (for a test sharing a module's server), with `fields` set."""
        self.resources, self.requests = list(resources or ()), []
        self.token, self.page_size, self.next_url, self.delay, self.drip = None, 100, None, 0, 0
        for name, value in fields.items():
            setattr(self, name, value)
        return self

    def answer(self, path: str, auth: str | None) -> tuple[int, Any]:
        self.requests.append(Recorded(path, auth))
        if self.delay:
            time.sleep(self.delay)
        parts = urllib.parse.urlsplit(path)
        if parts.path == "/jwks.json" and self.jwks is not None:
            return 200, self.jwks
        if self.token is not None and auth != f"Bearer {self.token}":
            return 401, {"resourceType": "OperationOutcome", "issue": [
                {"severity": "error", "code": "login", "diagnostics": "token required"}]}
        segs = [s for s in parts.path.split("/") if s]
        query = dict(urllib.parse.parse_qsl(parts.query))
        if len(segs) == 2:
            found = [r for r in self.resources
                     if r["resourceType"] == segs[0] and r.get("id") == segs[1]]
            return (200, found[0]) if found else (404, {"resourceType": "OperationOutcome",
                                                        "issue": [{"severity": "error",
                                                                   "code": "not-found"}]})
        if len(segs) == 1:
            patient = query.get("patient", "")
            matches = [r for r in self.resources if r["resourceType"] == segs[0]
                       and _subject(r) in (patient, f"Patient/{patient}")]
            offset = int(query.get("_offset", "0"))
            page = matches[offset:offset + self.page_size]
            bundle: dict[str, Any] = {
                "resourceType": "Bundle", "type": "searchset", "total": len(matches),
                "entry": [{"fullUrl": f"{self.url}/{r['resourceType']}/{r['id']}",
                           "resource": r, "search": {"mode": "match"}} for r in page]}
            if offset + self.page_size < len(matches):
                nxt = dict(query, _offset=str(offset + self.page_size))
                bundle["link"] = [{"relation": "next", "url": f"{self.url}/{segs[0]}?"
                                   + urllib.parse.urlencode(nxt)}]
            if self.next_url and offset == 0:
                bundle["link"] = [{"relation": "next", "url": self.next_url}]
            return 200, bundle
        return 404, {"resourceType": "OperationOutcome",
                     "issue": [{"severity": "error", "code": "not-found"}]}


def _subject(resource: Mapping[str, Any]) -> str:
    for key in ("subject", "patient"):
        ref = resource.get(key)
        if isinstance(ref, dict) and isinstance(ref.get("reference"), str):
            return str(ref["reference"])
    return ""


@contextmanager
def serving(fhir: FhirServer) -> Iterator[FhirServer]:
    """The server on a free loopback port for the block, then stopped."""
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            status, body = fhir.answer(self.path, self.headers.get("Authorization"))
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/fhir+json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if not fhir.drip:
                self.wfile.write(data)
                return
            try:
                for n in range(len(data)):  # a server that never quite stops answering
                    self.wfile.write(data[n:n + 1])
                    self.wfile.flush()
                    time.sleep(fhir.drip)
            except OSError:
                pass  # the service hung up

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    fhir.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fhir
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


# --- the service --------------------------------------------------------------------------
@dataclass
class Running:
    url: str
    app: Any
    audit_db: Path

    @property
    def service(self) -> Any:
        return self.app.state.service


@contextmanager
def service(tmp: Path, dev_no_auth: bool = False, **settings: Any) -> Iterator[Running]:
    """careflow's service on a free loopback port (uvicorn in a thread; the worker processes
    real), for the block, then stopped."""
    import uvicorn

    from careflow.service.app import create_app
    from careflow.service.config import load_config

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    settings.setdefault("workers", 1)
    settings.setdefault("audit_db", tmp / "audit.sqlite3")
    config = load_config(None, base_url=url, **settings)
    app = create_app(config, dev_no_auth=dev_no_auth)
    server = uvicorn.Server(uvicorn.Config(app, lifespan="on", log_level="warning", ws="none",
                                           http="h11"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 180
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the service did not start")
        time.sleep(0.05)
    try:
        yield Running(url, app, tmp / "audit.sqlite3")
    finally:
        server.should_exit = True
        thread.join(30)
        sock.close()
