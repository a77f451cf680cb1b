"""The EHR's JWT on every call (CDS Hooks 2.0 "Trusting CDS Clients"), over a real socket, with
keys generated here and a JWKS server the test starts: what is accepted (ES384 with jku,
RS384 with a configured key set, aud as a list) and everything refused with 401 and an
OperationOutcome (no token, wrong aud, alg none, HS256, expired, issued in the future,
replayed jti, unknown kid, unlisted issuer, unlisted jku, a key of the wrong type). CORS
from the allow-list only. No token ever reaches the log."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import jwt
import pytest

pytest.importorskip("fastapi", reason="the service extra is not installed")

from careflow.service.app import PATIENT_VIEW
from tests.unit.service_support import (
    FhirServer,
    Key,
    Running,
    cds_get,
    cds_post,
    check_discovery,
    check_outcome,
    ec_key,
    rsa_key,
    service,
    serving,
    token,
    unsigned,
)

EHR = "https://ehr.test"
OTHER_EHR = "https://other-ehr.test"
ORIGIN = "https://sandbox.test"


@dataclass
class Setup:
    running: Running
    ec: Key
    rsa: Key
    jku: str
    keys: FhirServer

    def url(self, path: str = "/cds-services") -> str:
        return self.running.url + path


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Setup]:
    ec, rsa = ec_key(), rsa_key()
    keys = FhirServer(jwks={"keys": [ec.jwk()]})
    with serving(keys) as jwks_server:
        jku = f"{jwks_server.url}/jwks.json"
        issuers = [{"iss": EHR, "jku": [jku]},
                   {"iss": OTHER_EHR, "jwks": {"keys": [rsa.jwk()]}}]
        with service(tmp_path_factory.mktemp("jwt"), issuers=issuers,
                     cors_origins=[ORIGIN]) as running:
            yield Setup(running, ec, rsa, jku, keys)


def get(s: Setup, auth: str | None, **headers: str) -> httpx.Response:
    if auth is not None:
        headers["Authorization"] = f"Bearer {auth}"
    return cds_get(s.url(), headers=headers, timeout=30)


def good(s: Setup, aud: str | None = None, **kw: Any) -> str:
    kw.setdefault("jku", s.jku)
    return token(s.ec, aud or s.url(), EHR, **kw)


def refused(r: httpx.Response, says: str) -> None:
    assert r.status_code == 401, r.text
    assert r.headers["www-authenticate"].startswith("Bearer")
    check_outcome(r.json())
    assert r.json()["issue"][0]["code"] == "security"
    assert says in r.json()["issue"][0]["diagnostics"], r.json()


def test_an_es384_token_with_a_listed_jku_opens_discovery(setup: Setup) -> None:
    r = get(setup, good(setup))
    assert r.status_code == 200, r.text
    check_discovery(r.json())


def test_an_rs384_token_of_an_issuer_with_a_configured_key_set_is_accepted(
        setup: Setup) -> None:
    r = get(setup, token(setup.rsa, setup.url(), OTHER_EHR))
    assert r.status_code == 200, r.text


def test_aud_may_be_a_list_holding_the_url_called(setup: Setup) -> None:
    r = get(setup, good(setup, aud=None, claims={"aud": [setup.url(), "https://x.test"]}))
    assert r.status_code == 200, r.text


def test_no_token_is_401(setup: Setup) -> None:
    refused(get(setup, None), "no Authorization header")
    refused(cds_get(setup.url(), headers={"Authorization": "Basic dXNlcjpwdw=="}),
            "not a Bearer token")
    refused(get(setup, "not-a-jwt"), "not a JWT")


def test_a_token_for_another_url_is_refused(setup: Setup) -> None:
    refused(get(setup, good(setup, aud=setup.url(f"/cds-services/{PATIENT_VIEW}"))),
            "aud is not")
    refused(get(setup, good(setup, aud="https://cds.elsewhere.test/cds-services")), "aud")
    # and the other way round: a discovery token does not open a service
    r = cds_post(setup.url(f"/cds-services/{PATIENT_VIEW}"), json={},
                   headers={"Authorization": f"Bearer {good(setup)}"})
    refused(r, "aud is not")


def test_alg_none_is_refused(setup: Setup) -> None:
    refused(get(setup, unsigned(setup.url(), EHR, setup.ec.kid)), "alg 'none' is refused")


def test_hs256_is_refused_even_with_the_public_key_as_secret(setup: Setup) -> None:
    secret = jwt.utils.base64url_decode(setup.ec.jwk()["x"])  # the classic confusion attack
    forged = jwt.encode({"iss": EHR, "aud": setup.url(), "exp": 2**31, "iat": 0,
                         "jti": uuid.uuid4().hex}, secret, algorithm="HS256",
                        headers={"kid": setup.ec.kid, "jku": setup.jku})
    refused(get(setup, forged), "alg 'HS256' is refused")


def test_an_expired_token_is_refused(setup: Setup) -> None:
    refused(get(setup, good(setup, exp=-120, iat=-240)), "expired")


def test_a_token_issued_in_the_future_or_too_long_ago_is_refused(setup: Setup) -> None:
    refused(get(setup, good(setup, iat=600, exp=900)), "future")
    refused(get(setup, good(setup, iat=-3000, exp=600)), "too old")


def test_a_replayed_jti_is_refused(setup: Setup) -> None:
    once = good(setup)
    assert get(setup, once).status_code == 200
    refused(get(setup, once), "replay")
    same_jti = good(setup, jti="fixed-" + uuid.uuid4().hex)
    claims = jwt.decode(same_jti, options={"verify_signature": False})
    assert get(setup, same_jti).status_code == 200
    refused(get(setup, good(setup, jti=claims["jti"])), "replay")


def test_an_unknown_kid_is_refused(setup: Setup) -> None:
    stranger = ec_key("ec-unknown")
    refused(get(setup, token(stranger, setup.url(), EHR, jku=setup.jku)), "kid 'ec-unknown'")
    refused(get(setup, token(setup.rsa, setup.url(), OTHER_EHR, kid="rsa-2")), "kid 'rsa-2'")


def test_an_unlisted_issuer_is_refused(setup: Setup) -> None:
    refused(get(setup, token(setup.ec, setup.url(), "https://evil.test", jku=setup.jku)),
            "iss is not on the allow-list")


def test_an_unlisted_jku_is_refused_and_never_fetched(setup: Setup) -> None:
    with serving(FhirServer(jwks={"keys": [setup.ec.jwk()]})) as evil:
        refused(get(setup, good(setup, jku=f"{evil.url}/jwks.json")), "jku")
    assert not evil.requests


def test_a_signature_by_another_key_with_the_same_kid_is_refused(setup: Setup) -> None:
    impostor = ec_key(setup.ec.kid)
    refused(get(setup, token(impostor, setup.url(), EHR, jku=setup.jku)), "signature")


def test_a_key_of_the_wrong_type_for_the_alg_is_refused(setup: Setup) -> None:
    # RS384 in the header, the issuer's EC key behind the kid
    forged = token(setup.rsa, setup.url(), EHR, jku=setup.jku, kid=setup.ec.kid)
    refused(get(setup, forged), "key 'ec-1'")


def test_claims_the_specification_requires_are_required(setup: Setup) -> None:
    now = int(time.time())
    bare = jwt.encode({"iss": EHR, "aud": setup.url(), "exp": now + 60, "iat": now},
                      setup.ec.private, algorithm="ES384",
                      headers={"kid": setup.ec.kid, "jku": setup.jku})
    refused(get(setup, bare), "no jti")


def test_feedback_and_services_need_a_token_too(setup: Setup) -> None:
    for path in (f"/cds-services/{PATIENT_VIEW}", f"/cds-services/{PATIENT_VIEW}/feedback",
                 "/cds-services/unknown"):
        refused(cds_post(setup.url(path), json={}), "no Authorization header")


def test_cors_answers_only_the_listed_origin(setup: Setup) -> None:
    pre = {"Access-Control-Request-Method": "POST",
           "Access-Control-Request-Headers": "authorization,content-type"}
    ok = httpx.options(setup.url(f"/cds-services/{PATIENT_VIEW}"),
                       headers={"Origin": ORIGIN, **pre})
    assert ok.status_code == 200
    assert ok.headers["access-control-allow-origin"] == ORIGIN
    assert "authorization" in ok.headers["access-control-allow-headers"].lower()
    bad = httpx.options(setup.url(f"/cds-services/{PATIENT_VIEW}"),
                        headers={"Origin": "https://evil.test", **pre})
    assert "access-control-allow-origin" not in bad.headers
    r = get(setup, good(setup), Origin="https://evil.test")
    assert r.status_code == 200 and "access-control-allow-origin" not in r.headers
    r = get(setup, good(setup), Origin=ORIGIN)
    assert r.headers["access-control-allow-origin"] == ORIGIN


def test_no_token_reaches_the_log(setup: Setup, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    sent = [good(setup), good(setup, exp=-100, iat=-200), unsigned(setup.url(), EHR, "x")]
    for t in sent:
        get(setup, t)
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "refused 401 security: the JWT has expired" in logged  # the why is logged
    for t in sent:
        for part in t.split("."):
            if len(part) > 8:
                assert part not in logged


def test_the_key_set_is_cached_and_refetched_for_a_new_kid_only(
        setup: Setup, monkeypatch: pytest.MonkeyPatch) -> None:
    from careflow.service import security

    def fetches() -> int:
        return sum(q.path == "/jwks.json" for q in setup.keys.requests)

    assert get(setup, good(setup)).status_code == 200
    before = fetches()
    for _ in range(5):
        assert get(setup, good(setup)).status_code == 200
    refused(get(setup, token(ec_key("ec-unknown-2"), setup.url(), EHR, jku=setup.jku)), "kid")
    assert fetches() == before, "a fresh key set is not fetched again"
    rotated = ec_key("ec-rotated")  # the EHR publishes a new key
    assert setup.keys.jwks is not None
    setup.keys.jwks["keys"].append(rotated.jwk())
    monkeypatch.setattr(security, "REFETCH_SECONDS", 0.0)
    r = get(setup, token(rotated, setup.url(), EHR, jku=setup.jku))
    assert r.status_code == 200, r.text
    assert fetches() == before + 1
