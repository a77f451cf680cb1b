"""The service's settings: a YAML file (`careflow serve --config FILE`) over these defaults
(docs/service.md#configuration).

    base_url: https://cds.clinic.example      # the URL the EHR calls: every JWT's `aud`
    issuers:                                  # the EHRs trusted: iss and where their keys are
      - iss: https://ehr.clinic.example
        jku: [https://ehr.clinic.example/.well-known/jwks.json]   # jku headers allowed
        jwks_url: https://ehr.clinic.example/.well-known/jwks.json  # when a token has no jku
    cors_origins: [https://sandbox.cds-hooks.org]
    fhir_servers: [https://ehr.clinic.example/fhir/r4]   # the only ones read; none: no fetch
    workers: 2
    queue_limit: 16
    audit_db: /var/lib/careflow/audit.sqlite3

The development mode without JWT is not a setting: only `careflow serve --dev-no-auth` turns
it on, and the service says so at start-up.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from ..yamlsrc import YamlSourceError, load_yaml, plain
from .errors import ConfigError

ALGORITHMS = ("ES384", "RS384")
"""The only JWT signature algorithms accepted (the specification's two RECOMMENDED ones):
`none` and every symmetric (HMAC) algorithm are refused."""


class Issuer(BaseModel):
    """One trusted CDS client: its `iss`, the `jku` URLs its tokens may name, and its keys
    when a token names no `jku` (a JWKS URL, or the key set itself, given out of band)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    iss: str = Field(min_length=1)
    jku: tuple[str, ...] = ()
    jwks_url: str | None = None
    jwks: dict[str, Any] | None = None

    @field_validator("jku")
    @classmethod
    def _urls(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for url in value:
            if not url.startswith(("https://", "http://")):
                raise ValueError(f"{url[:60]!r} is not an http(s) URL")
        return value

    @field_validator("jwks")
    @classmethod
    def _key_set(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        if value is not None:
            keys = value.get("keys")
            if not isinstance(keys, list) or not keys or not all(
                    isinstance(k, dict) and isinstance(k.get("kid"), str) for k in keys):
                raise ValueError("must be a JWK Set: keys, each with a kid")
        return value

    @model_validator(mode="after")
    def _has_keys(self) -> Issuer:
        if not (self.jku or self.jwks_url or self.jwks):
            raise ValueError(f"issuer {self.iss}: give jku, jwks_url or jwks (its keys)")
        return self


class ServiceConfig(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=0, le=65535)
    base_url: str | None = Field(
        default=None, description="the URL the EHR calls; default http://HOST:PORT")
    issuers: tuple[Issuer, ...] = ()
    algorithms: tuple[str, ...] = ALGORITHMS
    clock_skew_seconds: int = Field(default=30, ge=0, le=300)
    max_token_age_seconds: int = Field(default=300, ge=1, le=3600)
    jwks_cache_seconds: int = Field(default=3600, ge=0)
    cors_origins: tuple[str, ...] = ()
    workers: int = Field(default=2, ge=1, le=64)
    queue_limit: int = Field(default=16, ge=0, le=10_000)
    evaluation_timeout_seconds: float = Field(default=10.0, gt=0, le=120)
    fhir_timeout_seconds: float = Field(default=3.0, gt=0, le=30)
    prefetch_deadline_seconds: float = Field(
        default=2.5, gt=0, le=30, description="all a call's fetching from its FHIR server")
    fetch_calls_limit: int = Field(default=8, ge=1, le=1000,
                                   description="calls fetching at once; one more is 503")
    fhir_servers: tuple[str, ...] = Field(
        default=(), description="the only FHIR server base URLs ever read; none: no fetch")
    max_body_bytes: int = Field(default=5_000_000, ge=1_000)
    audit_db: str = Field(default="careflow-audit.sqlite3",
                          description="a file, sqlite:///PATH or a postgresql:// URL")
    audit_salt_file: Path | None = Field(
        default=None, description="the patient-id hash salt; default AUDIT_DB.salt (a file "
                                  "database only: a PostgreSQL one needs it given)")
    lang: Literal["en", "ja"] = "ja"
    utc_offset_hours: int = Field(default=9, ge=-12, le=14,
                                  description="the clinic's day (assessed_on): Japan, +9")
    rules: Path | None = None
    params: Path | None = None
    book_url: str | None = Field(
        default=None, description="the protocol book's base; default BASE_URL/protocol")
    override_reasons: Path | None = None
    order_codes: Path | None = Field(
        default=None, description="the clinic's order-code table for order-sign (replaces "
                                  "careflow/service/order_codes.yaml)")

    @field_validator("order_codes")
    @classmethod
    def _order_codes(cls, value: Path | None) -> Path | None:
        if value is not None:  # checked whole at start-up, not at the first order-sign call
            from .hooks import order_codes

            try:
                order_codes(value)
            except OSError as exc:
                raise ValueError(f"{value}: cannot read ({exc.strerror})") from None
        return value

    @field_validator("algorithms")
    @classmethod
    def _only_asymmetric(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        wrong = [a for a in value if a not in ALGORITHMS]
        if wrong or not value:
            raise ValueError(f"only {', '.join(ALGORITHMS)} may be accepted, got "
                             f"{', '.join(wrong) or 'none'}")
        return value

    @field_validator("fhir_servers")
    @classmethod
    def _servers(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        from .prefetch import url_parts

        for url in value:
            if url_parts(url) is None:
                raise ValueError(f"{url[:60]!r} is not an absolute http(s) base URL")
        return value

    @field_validator("base_url", "book_url")
    @classmethod
    def _absolute(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError("must be an absolute http(s) URL")
        return value.rstrip("/") if value else value

    @property
    def public_url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host  # an IPv6 address
        return self.base_url or f"http://{host}:{self.port}"

    @field_validator("audit_db", mode="before")
    @classmethod
    def _db(cls, value: Any) -> Any:
        return str(value) if isinstance(value, Path) else value

    @model_validator(mode="after")
    def _salt_apart(self) -> ServiceConfig:
        if self.audit_db.startswith(("postgresql://", "postgres://")) \
                and self.audit_salt_file is None:
            raise ValueError("audit_salt_file: required with a PostgreSQL audit_db (the salt "
                             "is kept apart from the database)")
        return self

    @property
    def salt_file(self) -> Path | None:
        if self.audit_salt_file is not None:
            return self.audit_salt_file
        if "://" in self.audit_db and not self.audit_db.startswith("sqlite:///"):
            return None
        db = Path(self.audit_db.removeprefix("sqlite:///"))
        return db.with_name(db.name + ".salt")


def load_config(path: str | Path | None = None, **overrides: Any) -> ServiceConfig:
    """The settings of a YAML file (or the defaults), with command-line values over them;
    a problem is a ConfigError naming the file and the key."""
    data: dict[str, Any] = {}
    where = str(path) if path is not None else "<defaults>"
    if path is not None:
        try:
            loaded = load_yaml(Path(path).read_bytes())
        except OSError as exc:
            raise ConfigError(f"{where}: cannot read ({exc.strerror})") from None
        except YamlSourceError as exc:
            raise ConfigError(f"{where}: {exc}") from None
        if loaded is not None and not isinstance(loaded, dict):
            raise ConfigError(f"{where}: must be a mapping of settings")
        data = dict(plain(loaded) or {})
    data.update({k: v for k, v in overrides.items() if v is not None})
    try:
        return ServiceConfig.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'settings'}: "
            f"{str(e['msg']).removeprefix('Value error, ')}"
            for e in exc.errors())
        raise ConfigError(f"{where}: {problems}") from None
