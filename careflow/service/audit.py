"""The audit trail: every call, the cards it gave with the rules behind each, and the
feedback doctors send, in a database, append-only (docs/service.md#audit-trail).

- `evaluation`: one row per service call (hook instance, service, hook, time in UTC, HTTP
  status and outcome, protocol digest, careflow's version, the prefetch keys fetched from the
  FHIR server) and a **salted hash** of the patient id: HMAC-SHA256 with a secret salt kept in
  a file beside the database (created on first use, mode 0600), never the id itself, no name,
  no birth date, no token, no resource;
- `card`: one row per card (its uuid, indicator, the deciding rule, every rule with a say,
  action, side, status);
- `feedback`: one row per feedback (card uuid, outcome, outcome time, the override reason's
  system and code, the accepted suggestions' ids, whether the doctor wrote a comment; the
  comment itself is free text and is not kept), stored once: the same card, outcome and
  outcome time sent again is a duplicate, not a second row (the time kept in UTC, one
  spelling, so that `Z` and `+00:00` for the same instant are the same time).

Triggers refuse UPDATE and DELETE on every table: rows are only ever added.
`summary()` is `careflow audit DB`: per deciding rule, the cards shown, accepted and
overridden, and the override reasons given.

The database is SQLite (a file path, or `sqlite:///PATH`) or PostgreSQL (a
`postgresql://` URL, through psycopg 3: `pip install 'careflow[postgres]'`), with the same
tables and the same append-only triggers.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
import secrets
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import UsageError

SCHEMA = """
CREATE TABLE IF NOT EXISTS evaluation (
  id {serial} PRIMARY KEY,
  hook_instance TEXT NOT NULL,
  service TEXT NOT NULL,
  hook TEXT NOT NULL,
  at TEXT NOT NULL,
  http_status INTEGER NOT NULL,
  outcome TEXT NOT NULL,
  issue TEXT,
  protocol_digest TEXT,
  careflow_version TEXT NOT NULL,
  patient_hash TEXT,
  fetched TEXT
);
CREATE INDEX IF NOT EXISTS evaluation_hook_instance ON evaluation (hook_instance);
CREATE TABLE IF NOT EXISTS card (
  card_uuid TEXT PRIMARY KEY,
  evaluation_id BIGINT NOT NULL REFERENCES evaluation (id),
  position INTEGER NOT NULL,
  indicator TEXT NOT NULL,
  rule TEXT,
  rules TEXT NOT NULL,
  action TEXT,
  side TEXT,
  status TEXT
);
CREATE TABLE IF NOT EXISTS feedback (
  id {serial} PRIMARY KEY,
  service TEXT NOT NULL,
  card_uuid TEXT NOT NULL,
  outcome TEXT NOT NULL,
  outcome_timestamp TEXT NOT NULL,
  reason_system TEXT,
  reason_code TEXT,
  accepted_suggestions TEXT,
  has_comment INTEGER NOT NULL,
  received_at TEXT NOT NULL,
  UNIQUE (card_uuid, outcome, outcome_timestamp)
);
"""
TABLES = ("evaluation", "card", "feedback")
ORDER = {"evaluation": "id", "card": "evaluation_id, position", "feedback": "id"}
REFUSAL = "the audit trail is append-only"
SQLITE_APPEND_ONLY = "".join(
    f"CREATE TRIGGER IF NOT EXISTS {t}_no_{op.lower()} BEFORE {op} ON {t} "
    f"BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END;\n"
    for t in TABLES for op in ("UPDATE", "DELETE"))
POSTGRES_APPEND_ONLY = [
    "CREATE OR REPLACE FUNCTION careflow_append_only() RETURNS trigger LANGUAGE plpgsql AS "
    f"$$ BEGIN RAISE EXCEPTION '{REFUSAL}'; END $$",
    *(f"CREATE OR REPLACE TRIGGER {t}_append_only BEFORE UPDATE OR DELETE ON {t} "
      "FOR EACH ROW EXECUTE FUNCTION careflow_append_only()" for t in TABLES),
    *(f"CREATE OR REPLACE TRIGGER {t}_no_truncate BEFORE TRUNCATE ON {t} "
      "FOR EACH STATEMENT EXECUTE FUNCTION careflow_append_only()" for t in TABLES),
]


def is_url(db: str | Path) -> bool:
    return str(db).startswith(("postgresql://", "postgres://"))


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds").replace(
        "+00:00", "Z")


def utc(stamp: str) -> str:
    """An ISO 8601 date-time with its zone as UTC, in one spelling (fixed width, so that
    text order is time order): `...Z`, `...+00:00` and `...+09:00` for the same instant are
    one value, and the same feedback sent in each is one row."""
    when = dt.datetime.fromisoformat(stamp.replace("Z", "+00:00").replace("z", "+00:00"))
    if when.tzinfo is None:
        raise ValueError(f"{stamp[:40]!r} has no time zone")
    return when.astimezone(dt.UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def _path(db: str | Path) -> Path:
    text = str(db)
    if "://" in text:
        if text.startswith("sqlite:///"):
            return Path(text[len("sqlite:///"):])
        raise UsageError(f"audit database {text.split(':', 1)[0]}: not supported (a file "
                         "path, sqlite:///PATH or postgresql://...)")
    return Path(text)


def _postgres(url: str) -> Any:
    try:
        import psycopg
    except ImportError:
        raise UsageError("a PostgreSQL audit database needs psycopg: pip install "
                         "'careflow[postgres]'") from None
    try:
        return psycopg.connect(url, autocommit=True)
    except psycopg.Error as exc:
        raise UsageError(f"the audit database cannot be opened ({type(exc).__name__})"
                         ) from None


def _salt(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        pass
    salt = secrets.token_hex(32).encode()
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it first
        return path.read_bytes()
    with os.fdopen(fd, "wb") as out:
        out.write(salt)
    return salt


@dataclass(frozen=True)
class CardRow:
    uuid: str
    indicator: str
    rule: str | None = None
    rules: tuple[str, ...] = ()
    action: str | None = None
    side: str | None = None
    status: str | None = None


@dataclass
class Stored:
    stored: int = 0
    duplicates: int = 0
    unknown_cards: list[str] = field(default_factory=list)


class AuditLog:
    """The audit database (one connection, serialised: calls come from threads)."""

    def __init__(self, db: str | Path, salt_file: Path | None = None) -> None:
        self.postgres = is_url(db)
        self._lock = threading.Lock()
        if self.postgres:
            if salt_file is None:
                raise UsageError("a PostgreSQL audit database needs audit_salt_file: the "
                                 "salt is kept apart from the database")
            self._salt = _salt(salt_file)
            self._db: Any = _postgres(str(db))
            with self._tx() as cur:
                for statement in SCHEMA.format(serial="BIGSERIAL").split(";"):
                    if statement.strip():
                        cur.execute(statement)
                for statement in POSTGRES_APPEND_ONLY:
                    cur.execute(statement)
            return
        path = _path(db)
        path.parent.mkdir(parents=True, exist_ok=True)
        self._salt = _salt(salt_file or path.with_name(path.name + ".salt"))
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA foreign_keys=ON")
        self._db.executescript(SCHEMA.format(serial="INTEGER") + SQLITE_APPEND_ONLY)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _sql(self, text: str) -> str:
        """SQLite's `?` placeholders, or psycopg's `%s`."""
        return text.replace("?", "%s") if self.postgres else text

    @contextmanager
    def _tx(self) -> Iterator[Any]:
        """A cursor in one transaction, committed at the end, rolled back on error."""
        if self.postgres:
            with self._db.transaction(), self._db.cursor() as cur:
                yield cur
            return
        cur = self._db.cursor()
        cur.execute("BEGIN")
        try:
            yield cur
        except BaseException:
            cur.execute("ROLLBACK")
            raise
        cur.execute("COMMIT")

    def patient_hash(self, patient_id: str) -> str:
        return hmac.new(self._salt, patient_id.encode("utf-8"), hashlib.sha256).hexdigest()

    def evaluation(self, *, hook_instance: str, service: str, hook: str, http_status: int,
                   outcome: str, careflow_version: str, issue: str | None = None,
                   digest: str | None = None, patient_id: str | None = None,
                   fetched: Sequence[str] = (), cards: Iterable[CardRow] = ()) -> int:
        """Record one call and its cards; the evaluation's row id."""
        with self._lock, self._tx() as cur:
            cur.execute(self._sql(
                "INSERT INTO evaluation (hook_instance, service, hook, at, http_status, "
                "outcome, issue, protocol_digest, careflow_version, patient_hash, fetched) "
                "VALUES (?,?,?,?,?,?,?,?,?,?,?) RETURNING id"),
                (hook_instance, service, hook, _now(), http_status, outcome, issue, digest,
                 careflow_version,
                 self.patient_hash(patient_id) if patient_id is not None else None,
                 ",".join(fetched) or None))
            row = int(cur.fetchone()[0])
            cur.executemany(self._sql(
                "INSERT INTO card (card_uuid, evaluation_id, position, indicator, rule, "
                "rules, action, side, status) VALUES (?,?,?,?,?,?,?,?,?) "
                "ON CONFLICT DO NOTHING"),
                [(c.uuid, row, n, c.indicator, c.rule, json.dumps(list(c.rules)),
                  c.action, c.side, c.status) for n, c in enumerate(cards)])
            return row

    def feedback(self, service: str, items: Sequence[Mapping[str, Any]]) -> Stored:
        """Store feedback items (already validated), each once."""
        out = Stored()
        with self._lock, self._tx() as cur:
            for f in items:
                reason = (f.get("overrideReason") or {}).get("reason") or {}
                accepted = [a["id"] for a in f.get("acceptedSuggestions") or ()]
                cur.execute(self._sql(
                    "INSERT INTO feedback (service, card_uuid, outcome, outcome_timestamp, "
                    "reason_system, reason_code, accepted_suggestions, has_comment, "
                    "received_at) VALUES (?,?,?,?,?,?,?,?,?) ON CONFLICT DO NOTHING"),
                    (service, f["card"], f["outcome"], utc(f["outcomeTimestamp"]),
                     reason.get("system"), reason.get("code"),
                     json.dumps(accepted) if accepted else None,
                     int(bool((f.get("overrideReason") or {}).get("userComment"))),
                     _now()))
                if cur.rowcount:
                    out.stored += 1
                else:
                    out.duplicates += 1
                cur.execute(self._sql("SELECT 1 FROM card WHERE card_uuid = ?"), (f["card"],))
                if cur.fetchone() is None:
                    out.unknown_cards.append(str(f["card"]))
        return out

    def rows(self, table: str) -> list[dict[str, Any]]:
        if table not in TABLES:
            raise UsageError(f"no audit table {table!r}")
        with self._lock, self._tx() as cur:
            cur.execute(f"SELECT * FROM {table} ORDER BY {ORDER[table]}")
            names = [d[0] for d in cur.description]
            return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


@dataclass
class RuleSummary:
    rule: str
    shown: int = 0
    accepted: int = 0
    overridden: int = 0
    reasons: dict[str, int] = field(default_factory=dict)

    @property
    def override_rate(self) -> float:
        return self.overridden / self.shown if self.shown else 0.0


SUMMARY_SHOWN = "SELECT rule, COUNT(*) FROM card WHERE rule IS NOT NULL GROUP BY rule"
SUMMARY_LATEST = (
    "SELECT c.rule, f.outcome, f.reason_code FROM feedback f JOIN card c "
    "ON c.card_uuid = f.card_uuid WHERE c.rule IS NOT NULL AND f.id = ("
    "SELECT f2.id FROM feedback f2 WHERE f2.card_uuid = f.card_uuid "
    "ORDER BY f2.outcome_timestamp DESC, f2.id DESC LIMIT 1)")


def summary(db: str | Path) -> list[RuleSummary]:
    """Per deciding rule: cards shown, accepted, overridden and the override reasons, most
    overridden first. A card's latest feedback counts (a card may be accepted later)."""
    if is_url(db):
        con = _postgres(str(db))
    else:
        path = _path(db)
        if not path.is_file():
            raise UsageError(f"{path}: no audit database there")
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        cur = con.cursor()
        by_rule: dict[str, RuleSummary] = {}
        cur.execute(SUMMARY_SHOWN)
        for rule, n in cur.fetchall():
            by_rule[rule] = RuleSummary(rule, shown=n)
        cur.execute(SUMMARY_LATEST)
        for rule, outcome, code in cur.fetchall():
            s = by_rule.setdefault(rule, RuleSummary(rule))
            if outcome == "accepted":
                s.accepted += 1
            elif outcome == "overridden":
                s.overridden += 1
                key = code or "(no reason given)"
                s.reasons[key] = s.reasons.get(key, 0) + 1
    finally:
        con.close()
    return sorted(by_rule.values(), key=lambda s: (-s.overridden, -s.override_rate, s.rule))


def summary_text(rows: Sequence[RuleSummary]) -> str:
    if not rows:
        return "no cards in the audit trail\n"
    width = max(len(r.rule) for r in rows)
    lines = [f"{'rule':<{width}}  shown  accepted  overridden  rate  reasons"]
    for r in rows:
        reasons = ", ".join(f"{k} {n}" for k, n in sorted(r.reasons.items(),
                                                            key=lambda kv: (-kv[1], kv[0])))
        lines.append(f"{r.rule:<{width}}  {r.shown:>5}  {r.accepted:>8}  {r.overridden:>10}  "
                     f"{r.override_rate:>4.0%}  {reasons}".rstrip())
    return "\n".join(lines) + "\n"
