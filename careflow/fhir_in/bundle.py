"""A FHIR R4 Bundle checked and split into its resources, each validated with its fhir.resources
R4B model (the R5 default would drop R4 elements); every refusal names the resource and the
element (docs/fhir-in.md#refused)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from ..errors import FhirInputError
from ..model import got

BUNDLE_TYPES = ("collection", "searchset", "document")
"""A CDS client's prefetch entries come as a searchset or a collection, a JP-CLINS exchange as a
document; a transaction or a batch asks a server to act, which careflow is not."""
READ = ("Patient", "Observation", "Condition", "AllergyIntolerance", "MedicationRequest",
        "MedicationStatement", "Procedure", "Medication")
"""The resource types careflow reads; any other valid resource is set aside and reported."""
MAX_ENTRIES = 5000


@dataclass(frozen=True)
class Entry:
    """One resource of the bundle: its label (`Observation/abi-right`, or the entry's place
    when it has no id), the resource as JSON, and the entry's fullUrl."""

    label: str
    resource: dict[str, Any]
    full_url: str | None
    index: int


def _loc(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else ("." if out else "") + str(part)
    return out or "(resource)"


def _problems(label: str, exc: ValidationError) -> list[str]:
    lines = []
    for error in exc.errors(include_url=False)[:20]:
        msg = str(error.get("msg", "invalid")).removeprefix("Value error, ")
        if error["type"] == "extra_forbidden":
            msg = "is not an element of this resource in FHIR R4"
        elif error["type"] == "missing":
            msg = "is required"
        shown = "" if error["type"] in ("missing", "extra_forbidden") else \
            f" (got {got(error.get('input'))})"
        lines.append(f"{label}.{_loc(error['loc'])}: {msg.rstrip('.')}{shown}")
    return lines


def entries(bundle: Any) -> tuple[list[Entry], list[str]]:
    """The bundle's resources and the labels of the entries set aside (search outcomes),
    or FhirInputError naming what is wrong."""
    from fhir.resources.R4B import get_fhir_model_class

    if not isinstance(bundle, Mapping):
        raise FhirInputError([f"Bundle: must be a JSON object (got {got(bundle)})"])
    kind = bundle.get("resourceType")
    if kind != "Bundle":
        raise FhirInputError([f"Bundle.resourceType: must be 'Bundle' (got {got(kind)})"])
    btype = bundle.get("type")
    if btype not in BUNDLE_TYPES:
        raise FhirInputError([f"Bundle.type: careflow reads a collection, searchset or "
                              f"document bundle (got {got(btype)})"])
    raw = bundle.get("entry", [])
    if not isinstance(raw, list):
        raise FhirInputError([f"Bundle.entry: must be a list (got {got(raw)})"])
    if len(raw) > MAX_ENTRIES:
        raise FhirInputError([f"Bundle.entry: more than {MAX_ENTRIES} entries (got "
                              f"{len(raw)})"])
    shell = {k: x for k, x in bundle.items() if k != "entry"}
    try:
        get_fhir_model_class("Bundle").model_validate(shell)
    except ValidationError as exc:
        raise FhirInputError(_problems("Bundle", exc)) from None
    out: list[Entry] = []
    skipped: list[str] = []
    problems: list[str] = []
    for i, entry in enumerate(raw):
        where = f"Bundle.entry[{i}]"
        if not isinstance(entry, Mapping):
            problems.append(f"{where}: must be a JSON object (got {got(entry)})")
            continue
        search = entry.get("search")
        if isinstance(search, Mapping) and search.get("mode") == "outcome":
            skipped.append(f"{where} (a search outcome)")
            continue
        resource = entry.get("resource")
        if not isinstance(resource, Mapping):
            problems.append(f"{where}.resource: must be a resource (got {got(resource)})")
            continue
        rtype = resource.get("resourceType")
        rid = resource.get("id")
        label = f"{rtype}/{rid}" if isinstance(rtype, str) and isinstance(rid, str) else \
            f"{rtype if isinstance(rtype, str) else 'resource'} at {where}"
        try:
            model = get_fhir_model_class(str(rtype))
        except (KeyError, ValueError, AttributeError):
            problems.append(f"{where}.resource.resourceType: not a FHIR R4 resource type "
                            f"(got {got(rtype)})")
            continue
        try:
            model.model_validate(dict(resource))
        except ValidationError as exc:
            problems.extend(_problems(label, exc))
            continue
        except RecursionError:
            problems.append(f"{label}: nested too deeply")
            continue
        full_url = entry.get("fullUrl")
        out.append(Entry(label, dict(resource), full_url if isinstance(full_url, str) else None,
                         i))
    if problems:
        raise FhirInputError(problems)
    # Concatenated prefetch results may hold one resource twice: the same content is read
    # once; two different versions under one id are refused (careflow cannot tell which).
    kept: dict[str, Entry] = {}
    unique: list[Entry] = []
    for e in out:
        if " at Bundle.entry[" in e.label:
            unique.append(e)
            continue
        first = kept.setdefault(e.label, e)
        if first is e:
            unique.append(e)
        elif first.resource != e.resource:
            problems.append(f"{e.label}: appears twice in the bundle with different content "
                            f"(Bundle.entry[{first.index}] and Bundle.entry[{e.index}])")
        else:
            skipped.append(f"{e.label} at Bundle.entry[{e.index}] (the same resource again)")
    if problems:
        raise FhirInputError(problems)
    return unique, skipped
