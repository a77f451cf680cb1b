"""The EHR's JWT, verified on every call, discovery included (CDS Hooks 2.0, "Trusting CDS
Clients"; docs/service.md#security).

A token is accepted only when all of these hold, checked in this order:

1. it is a JWS whose header names `alg` ES384 or RS384 (`none` and HMAC are refused before
   any key is looked at) and a `kid`;
2. its `iss` is on the allow-list (`issuers` in the settings);
3. its `jku`, if any, is one of that issuer's allowed `jku` URLs (never fetched otherwise);
   without `jku`, the issuer's configured `jwks_url` or inline `jwks` is used;
4. the key `kid` is in that key set (fetched with a short timeout, cached; an unknown `kid`
   refetches the set at most once every `REFETCH_SECONDS`), of a type that fits `alg`;
5. the signature verifies; `aud` is exactly the URL called; `exp`, `iat` and `jti` are
   present, `exp` not passed and `iat` not in the future (both with `clock_skew_seconds`),
   `iat` at most `max_token_age_seconds` old;
6. its `jti` has not been seen from this issuer (remembered for as long as the token could
   be accepted: until it expires or is too old, whichever is first).

A refusal is an `Unauthorized` whose message says which check failed; the token and its
claims are never logged or echoed.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import Any

import httpx
import jwt

from .config import Issuer, ServiceConfig
from .errors import Unauthorized

log = logging.getLogger("careflow.service")

REFETCH_SECONDS = 30.0
JWKS_TIMEOUT_SECONDS = 3.0
MAX_JWKS_BYTES = 200_000


@dataclass
class _KeySet:
    keys: dict[str, dict[str, Any]]
    fetched: float


class JwksCache:
    """Key sets by URL, fetched with a short timeout and kept `ttl` seconds."""

    def __init__(self, ttl: float, client: httpx.Client | None = None) -> None:
        self.ttl = ttl
        self._client = client or httpx.Client(timeout=JWKS_TIMEOUT_SECONDS,
                                              follow_redirects=False)
        self._sets: dict[str, _KeySet] = {}
        self._lock = threading.Lock()

    def close(self) -> None:
        self._client.close()

    def _fetch(self, url: str) -> _KeySet:
        try:
            response = self._client.get(url, headers={"Accept": "application/json"})
        except httpx.HTTPError as exc:
            raise Unauthorized(f"the key set {url} cannot be fetched "
                               f"({type(exc).__name__})") from None
        if response.status_code != 200 or len(response.content) > MAX_JWKS_BYTES:
            raise Unauthorized(f"the key set {url} cannot be fetched "
                               f"(HTTP {response.status_code})")
        try:
            return _KeySet(keys_by_kid(response.json()), time.monotonic())
        except ValueError as exc:
            raise Unauthorized(f"the key set {url} is not a JWK Set ({exc})") from None

    def key(self, url: str, kid: str) -> dict[str, Any]:
        with self._lock:
            now = time.monotonic()
            found = self._sets.get(url)
            if found is None or now - found.fetched > self.ttl:
                found = self._sets[url] = self._fetch(url)
            if kid not in found.keys and now - found.fetched > REFETCH_SECONDS:
                found = self._sets[url] = self._fetch(url)  # the client may have rotated keys
            if kid not in found.keys:
                raise Unauthorized(f"kid {kid!r} is not in the key set {url}")
            return found.keys[kid]


def keys_by_kid(data: Any) -> dict[str, dict[str, Any]]:
    """A JWK Set's signing keys by `kid`; ValueError if it is not a JWK Set."""
    if not isinstance(data, dict) or not isinstance(data.get("keys"), list):
        raise ValueError("no keys array")
    out: dict[str, dict[str, Any]] = {}
    for key in data["keys"]:
        if isinstance(key, dict) and isinstance(key.get("kid"), str) \
                and key.get("use", "sig") == "sig":
            out[key["kid"]] = key
    return out


class ReplayGuard:
    """The `jti`s seen, per issuer, until their tokens expire."""

    def __init__(self) -> None:
        self._seen: dict[tuple[str, str], float] = {}
        self._lock = threading.Lock()
        self._pruned = 0.0

    def first_use(self, iss: str, jti: str, exp: float) -> bool:
        now = time.time()
        with self._lock:
            if len(self._seen) > 1000 and now - self._pruned > 1.0:  # at most once a second
                self._seen = {k: e for k, e in self._seen.items() if e >= now}
                self._pruned = now
            if (iss, jti) in self._seen:
                return False
            self._seen[(iss, jti)] = exp
            return True


class Verifier:
    """Verifies the Authorization header of one call against the settings."""

    def __init__(self, config: ServiceConfig, jwks: JwksCache | None = None) -> None:
        self.config = config
        self.issuers: dict[str, Issuer] = {i.iss: i for i in config.issuers}
        self.jwks = jwks or JwksCache(config.jwks_cache_seconds)
        self.replays = ReplayGuard()

    def close(self) -> None:
        self.jwks.close()

    def verify(self, authorization: str | None, url: str) -> dict[str, Any]:
        """The verified claims of the bearer token for a call of `url`, or Unauthorized."""
        if not authorization:
            raise Unauthorized("no Authorization header: a Bearer JWT is required")
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthorized("the Authorization header is not a Bearer token")
        token = token.strip()
        try:
            header = jwt.get_unverified_header(token)
            unverified = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError:
            raise Unauthorized("the bearer token is not a JWT") from None
        alg = header.get("alg")
        if alg not in self.config.algorithms:
            raise Unauthorized(f"alg {str(alg)[:20]!r} is refused: only "
                               f"{', '.join(self.config.algorithms)}")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise Unauthorized("the JWT header has no kid")
        iss = unverified.get("iss")
        issuer = self.issuers.get(iss) if isinstance(iss, str) else None
        if issuer is None:
            raise Unauthorized("iss is not on the allow-list")
        key_data = self._key(issuer, header, kid)
        if key_data.get("alg", alg) != alg:
            raise Unauthorized(f"key {kid!r} is for {key_data.get('alg')}, not {alg}")
        try:
            key = jwt.PyJWK(key_data, algorithm=alg)
        except jwt.PyJWTError:
            raise Unauthorized(f"key {kid!r} does not fit {alg}") from None
        try:
            claims: dict[str, Any] = jwt.decode(
                token, key, algorithms=[alg], audience=url, issuer=issuer.iss,
                leeway=self.config.clock_skew_seconds,
                options={"require": ["iss", "aud", "exp", "iat", "jti"]})
        except jwt.InvalidAudienceError:
            raise Unauthorized(f"aud is not {url}") from None
        except jwt.ExpiredSignatureError:
            raise Unauthorized("the JWT has expired") from None
        except jwt.ImmatureSignatureError:
            raise Unauthorized("the JWT is issued in the future (iat)") from None
        except jwt.MissingRequiredClaimError as exc:
            raise Unauthorized(f"the JWT has no {exc.claim}") from None
        except jwt.InvalidSignatureError:
            raise Unauthorized("the JWT signature does not verify") from None
        except jwt.PyJWTError as exc:
            raise Unauthorized(f"the JWT is refused ({type(exc).__name__})") from None
        if time.time() - float(claims["iat"]) > (self.config.max_token_age_seconds
                                                 + self.config.clock_skew_seconds):
            raise Unauthorized("the JWT is too old (iat)")
        jti = claims["jti"]
        if not isinstance(jti, str) or not jti:
            raise Unauthorized("the JWT's jti is not a string")
        # remembered while the token could still be accepted: until it expires, or is too
        # old by its iat, whichever comes first
        until = min(float(claims["exp"]), float(claims["iat"])
                    + self.config.max_token_age_seconds) + self.config.clock_skew_seconds
        if not self.replays.first_use(issuer.iss, jti, until):
            raise Unauthorized("the JWT's jti was already used (replay)")
        return claims

    def _key(self, issuer: Issuer, header: dict[str, Any], kid: str) -> dict[str, Any]:
        jku = header.get("jku")
        if jku is not None:
            if jku not in issuer.jku:
                raise Unauthorized("jku is not on the issuer's allow-list")
            return self.jwks.key(str(jku), kid)
        if issuer.jwks is not None:
            keys = keys_by_kid(issuer.jwks)
            if kid not in keys:
                raise Unauthorized(f"kid {kid!r} is not in the issuer's key set")
            return keys[kid]
        if issuer.jwks_url:
            return self.jwks.key(issuer.jwks_url, kid)
        raise Unauthorized("the JWT has no jku and the issuer has no configured key set")
