"""The audit trail: every call, the cards it gave with the rules behind each, and the
feedback doctors send, in an embedded SQLite database, append-only
(docs/service.md#audit-trail).

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
  outcome time sent again is a duplicate, not a second row.

Triggers refuse UPDATE and DELETE on every table: rows are only ever added.
`summary()` is `careflow audit DB`: per deciding rule, the cards shown, accepted and
overridden, and the override reasons given.

Only SQLite is supported: a PostgreSQL URL is refused (docs/service.md#audit-trail says why).
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
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import UsageError

SCHEMA = """
CREATE TABLE IF NOT EXISTS evaluation (
  id INTEGER PRIMARY KEY,
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
  evaluation_id INTEGER NOT NULL REFERENCES evaluation (id),
  position INTEGER NOT NULL,
  indicator TEXT NOT NULL,
  rule TEXT,
  rules TEXT NOT NULL,
  action TEXT,
  side TEXT,
  status TEXT
);
CREATE TABLE IF NOT EXISTS feedback (
  id INTEGER PRIMARY KEY,
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
APPEND_ONLY = "".join(
    f"CREATE TRIGGER IF NOT EXISTS {t}_no_{op.lower()} BEFORE {op} ON {t} "
    f"BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;\n"
    for t in TABLES for op in ("UPDATE", "DELETE"))


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="milliseconds").replace(
        "+00:00", "Z")


def _path(db: str | Path) -> Path:
    text = str(db)
    if "://" in text:
        if text.startswith("sqlite:///"):
            return Path(text[len("sqlite:///"):])
        raise UsageError(f"audit database {text.split(':', 1)[0]}: only SQLite is supported "
                         "(a file path or sqlite:///PATH)")
    return Path(text)


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
        self.path = _path(db)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._salt = _salt(salt_file or self.path.with_name(self.path.name + ".salt"))
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA foreign_keys=ON")
        self._db.executescript(SCHEMA + APPEND_ONLY)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def patient_hash(self, patient_id: str) -> str:
        return hmac.new(self._salt, patient_id.encode("utf-8"), hashlib.sha256).hexdigest()

    def evaluation(self, *, hook_instance: str, service: str, hook: str, http_status: int,
                   outcome: str, careflow_version: str, issue: str | None = None,
                   digest: str | None = None, patient_id: str | None = None,
                   fetched: Sequence[str] = (), cards: Iterable[CardRow] = ()) -> int:
        """Record one call and its cards; the evaluation's row id."""
        with self._lock:
            cur = self._db.cursor()
            cur.execute("BEGIN")
            try:
                cur.execute(
                    "INSERT INTO evaluation (hook_instance, service, hook, at, http_status, "
                    "outcome, issue, protocol_digest, careflow_version, patient_hash, fetched) "
                    "VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                    (hook_instance, service, hook, _now(), http_status, outcome, issue, digest,
                     careflow_version,
                     self.patient_hash(patient_id) if patient_id is not None else None,
                     ",".join(fetched) or None))
                row = cur.lastrowid
                assert row is not None
                cur.executemany(
                    "INSERT OR IGNORE INTO card (card_uuid, evaluation_id, position, indicator, "
                    "rule, rules, action, side, status) VALUES (?,?,?,?,?,?,?,?,?)",
                    [(c.uuid, row, n, c.indicator, c.rule, json.dumps(list(c.rules)),
                      c.action, c.side, c.status) for n, c in enumerate(cards)])
                cur.execute("COMMIT")
            except BaseException:
                cur.execute("ROLLBACK")
                raise
            return row

    def feedback(self, service: str, items: Sequence[Mapping[str, Any]]) -> Stored:
        """Store feedback items (already validated), each once."""
        out = Stored()
        with self._lock:
            cur = self._db.cursor()
            cur.execute("BEGIN")
            try:
                for f in items:
                    reason = (f.get("overrideReason") or {}).get("reason") or {}
                    accepted = [a["id"] for a in f.get("acceptedSuggestions") or ()]
                    cur.execute(
                        "INSERT OR IGNORE INTO feedback (service, card_uuid, outcome, "
                        "outcome_timestamp, reason_system, reason_code, accepted_suggestions, "
                        "has_comment, received_at) VALUES (?,?,?,?,?,?,?,?,?)",
                        (service, f["card"], f["outcome"], f["outcomeTimestamp"],
                         reason.get("system"), reason.get("code"),
                         json.dumps(accepted) if accepted else None,
                         int(bool((f.get("overrideReason") or {}).get("userComment"))),
                         _now()))
                    if cur.rowcount:
                        out.stored += 1
                    else:
                        out.duplicates += 1
                    known = cur.execute("SELECT 1 FROM card WHERE card_uuid = ?",
                                        (f["card"],)).fetchone()
                    if known is None:
                        out.unknown_cards.append(str(f["card"]))
                cur.execute("COMMIT")
            except BaseException:
                cur.execute("ROLLBACK")
                raise
        return out

    def rows(self, table: str) -> list[dict[str, Any]]:
        if table not in TABLES:
            raise UsageError(f"no audit table {table!r}")
        with self._lock:
            cur = self._db.execute(f"SELECT * FROM {table} ORDER BY rowid")  # noqa: S608
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


def summary(db: str | Path) -> list[RuleSummary]:
    """Per deciding rule: cards shown, accepted, overridden and the override reasons, most
    overridden first. A card's latest feedback counts (a card may be accepted later)."""
    path = _path(db)
    if not path.is_file():
        raise UsageError(f"{path}: no audit database there")
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        by_rule: dict[str, RuleSummary] = {}
        for rule, n in con.execute(
                "SELECT rule, COUNT(*) FROM card WHERE rule IS NOT NULL GROUP BY rule"):
            by_rule[rule] = RuleSummary(rule, shown=n)
        latest = con.execute(
            "SELECT c.rule, f.outcome, f.reason_code FROM feedback f JOIN card c "
            "ON c.card_uuid = f.card_uuid WHERE c.rule IS NOT NULL AND f.id = ("
            "SELECT f2.id FROM feedback f2 WHERE f2.card_uuid = f.card_uuid "
            "ORDER BY f2.outcome_timestamp DESC, f2.id DESC LIMIT 1)")
        for rule, outcome, code in latest:
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
