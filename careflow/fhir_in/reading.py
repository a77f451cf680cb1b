"""What a bundle says, collected while it is read: the values found per patient field
(with their resources and dates), the leg sides, and the report's notes; and the small readers
of FHIR JSON (codings, dates, numbers) every part of the reading shares."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from ..errors import FhirInputError
from ..model import got
from ..provenance import Note, Source
from .codes import Tables

PATIENT_ID_SYSTEM = "urn:careflow:patient-id"  # as careflow.export.fhir writes it


@dataclass
class Fact:
    """One value a resource gives for a patient field, with its date and place in the bundle."""

    value: Any
    source: Source
    date: str  # "" when undated
    order: int


@dataclass
class Reading:
    """What the bundle says, collected before the patient document is built."""

    t: Tables
    assessed_on: dt.date
    patient_label: str
    doc: dict[str, Any] = field(default_factory=dict)
    facts: dict[str, list[Fact]] = field(default_factory=dict)  # "legs.right.abi" -> ...
    members: dict[str, list[Fact]] = field(default_factory=dict)
    sides: list[str] = field(default_factory=list)
    markers: dict[str, list[Fact]] = field(default_factory=dict)
    sources: dict[str, list[Source]] = field(default_factory=dict)
    unrecognised: list[Note] = field(default_factory=list)
    not_used: list[Note] = field(default_factory=list)
    unknown: list[Note] = field(default_factory=list)
    defaults: list[Note] = field(default_factory=list)

    def note(self, kind: str, resource: str | None, reason: str, *, element: str | None = None,
             fact: str | None = None, code: str | None = None) -> None:
        getattr(self, kind).append(Note(resource=resource, element=element, fact=fact,
                                        code=code, reason=reason))

    def source(self, fact: str, src: Source) -> None:
        found = self.sources.setdefault(fact, [])
        if src not in found:
            found.append(src)


# --- small readers of FHIR JSON --------------------------------------------------------


def coding_list(concept: Any) -> list[dict[str, Any]]:
    if not isinstance(concept, Mapping):
        return []
    return [dict(c) for c in concept.get("coding") or () if isinstance(c, Mapping)]


def shown_codes(codings: list[dict[str, Any]], concept: Any = None) -> str:
    parts = [f"{c.get('system', '(no system)')}|{c.get('code', '')}" for c in codings]
    text = concept.get("text") if isinstance(concept, Mapping) else None
    if not parts and isinstance(text, str):
        return f"text {got(text)}"
    return ", ".join(parts) or "(no coding)"


def status_of(concept: Any) -> str | None:
    for c in coding_list(concept):
        code = c.get("code")
        if isinstance(code, str):
            return code
    return None


def date_text(text: Any) -> str:
    return text[:10] if isinstance(text, str) and len(text) >= 10 else ""


def effective_date(res: Mapping[str, Any]) -> tuple[str, str]:
    for key in ("effectiveDateTime", "effectiveInstant"):
        if key in res:
            return date_text(res[key]), key
    period = res.get("effectivePeriod")
    if isinstance(period, Mapping):
        return date_text(period.get("start")), "effectivePeriod.start"
    return "", ""


def to_date(label: str, element: str, text: str) -> dt.date:
    """A FHIR date (or the date part of a dateTime) as a date, or FhirInputError."""
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        raise FhirInputError([f"{label}.{element}: not a real date (got {got(text)})"]) \
            from None


def to_decimal(label: str, element: str, value: Any) -> Decimal:
    """A FHIR decimal or integer: a JSON number. Text is refused, as on every input path
    (docs/patient.md#bad-input): "0_7_0" or "07" in quotes is not read as 70 or 7."""
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        raise FhirInputError([f"{label}.{element}: must be a number (got {got(value)})"])
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise FhirInputError([f"{label}.{element}: must be a number (got {got(value)})"]) \
            from None
    if not number.is_finite():
        raise FhirInputError([f"{label}.{element}: must be a finite number (got {got(value)})"])
    return number


def to_plain(number: Decimal) -> int | float:
    return int(number) if number == number.to_integral_value() else float(number)
