"""FHIR R4 input: a Bundle (JP Core / JP-CLINS shape) becomes a `careflow.Patient`, with a
mapping report of which resource gave which fact (docs/fhir-in.md).

    >>> from careflow.fhir_in import from_bundle
    >>> mapping = from_bundle(json.load(open("examples/fhir/two-legs.json")))
    >>> plan = attach(careflow.evaluate(mapping.patient), mapping.report)

One job per module: `bundle` checks the Bundle and validates each resource (R4B); `codes`
loads the code tables of `codes.yaml`; `reading` holds what is collected while reading;
`observations`, `lists` (conditions, allergies, medications) and `history` (procedures) read
their resources; `read` puts the patient document together and validates it; `write` is the
way back.

`from_bundle` reads a collection, searchset or document bundle (a CDS client may pass its
prefetch entries concatenated) and raises `careflow.errors.FhirInputError`, naming the
resource and the element, for one it cannot read. `to_bundle` writes a patient as such a
bundle (the round trip: a written bundle read back gives the same plan).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import FhirInputError
from ..model import Patient
from ..provenance import MappingReport, Note, Source, attach

__all__ = ["FhirMapping", "MappingReport", "Note", "Source", "attach", "from_bundle",
           "prefetch_bundle", "read_bundle", "to_bundle"]

MAX_BYTES = 10_000_000


@dataclass(frozen=True)
class FhirMapping:
    """A bundle read: the patient, and the report of where each of its facts came from."""

    patient: Patient
    report: MappingReport


def from_bundle(bundle: Mapping[str, Any], *,
                assessed_on: dt.date | None = None) -> FhirMapping:
    """Read a FHIR R4 Bundle into a Patient and its mapping report.

    `assessed_on` is the day the plan is for; left out, it is the date of `Bundle.timestamp`
    as written (careflow has no clock). Raises FhirInputError for a malformed or unsupported
    bundle, each problem naming the resource and the element (and the value received)."""
    from .read import read

    patient, report = read(bundle, assessed_on)
    return FhirMapping(patient=patient, report=report)


def read_bundle(path: str | Path, *, assessed_on: dt.date | None = None) -> FhirMapping:
    """Read a bundle from a JSON file (`careflow plan FILE --from fhir`)."""
    source = str(path)
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise FhirInputError([f"cannot read file ({exc.strerror})"], source) from None
    if len(raw) > MAX_BYTES:
        raise FhirInputError([f"document larger than {MAX_BYTES} bytes"], source)
    try:
        data = json.loads(raw)
    except UnicodeDecodeError as exc:
        raise FhirInputError([f"not UTF-8 text ({exc.reason})"], source) from None
    except json.JSONDecodeError as exc:
        raise FhirInputError([f"line {exc.lineno}: not valid JSON: {exc.msg}"], source) \
            from None
    except RecursionError:
        raise FhirInputError(["document: nested too deeply"], source) from None
    try:
        return from_bundle(data, assessed_on=assessed_on)
    except FhirInputError as exc:
        raise FhirInputError(exc.problems, source) from None


def prefetch_bundle(values: Iterable[Mapping[str, Any] | None]) -> dict[str, Any]:
    """One searchset Bundle of CDS Hooks prefetch values: each Bundle's entries and each bare
    resource, in order; absent values (None) are skipped. `from_bundle` then checks it (a
    resource that two queries both returned is read once; pass `assessed_on`, as a searchset
    made here has no timestamp)."""
    entry: list[Any] = []
    for value in values:
        if value is None:
            continue
        if isinstance(value, Mapping) and value.get("resourceType") == "Bundle":
            entry.extend(value.get("entry") or [])
        else:
            entry.append({"resource": value})
    return {"resourceType": "Bundle", "type": "searchset", "entry": entry}


def to_bundle(patient: Patient) -> dict[str, Any]:
    """The patient as a FHIR R4 collection Bundle (JSON), in the codes `from_bundle` reads."""
    from .write import write

    return write(patient)
