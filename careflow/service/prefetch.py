"""Prefetch: the templates a service asks for (built from the rule book), the prefetch a
client sends checked against them, what is missing fetched from the client's FHIR server,
and everything combined into one collection bundle for `careflow.fhir_in.from_bundle`
(docs/service.md#prefetch).

For each template key a request's `prefetch` may hold:

- a resource (the Patient) or a searchset Bundle: used as given;
- `null`: the client has no data for it (CDS Hooks 2.0: null, not an empty bundle), the same
  as an empty searchset: no resource of that type, so a list such as the allergies stays
  "not asked" unless a resource says otherwise (docs/patient.md#asked);
- an OperationOutcome (the client could not fetch it), or no key at all: fetched from
  `fhirServer`, with `fhirAuthorization`'s bearer token if one is given (a short timeout,
  searchset pages followed); when that is not possible or fails, the call is answered
  412 with an OperationOutcome naming the keys.

A searchset with a `next` page is completed from the FHIR server too: a truncated list must
never read as a complete one.
"""

from __future__ import annotations

import json
import re
import urllib.parse
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from ..rulebook import Rulebook
from .errors import BadRequest, PrefetchMissing

PATIENT_TEMPLATE = "Patient/{{context.patientId}}"
MAX_PAGES = 20

# Which FHIR resources carry the facts a rule may read (careflow/facts.py), by the fact's
# first name: the conditions come from Condition, the allergies from AllergyIntolerance, the
# medications from MedicationRequest and MedicationStatement, the treatment history from
# Procedure, age and sex from Patient, every measurement and finding from Observation.
RESOURCES_BY_FACT: dict[str, tuple[str, ...]] = {
    "condition": ("Condition",),
    "allergy": ("AllergyIntolerance",),
    "medication": ("MedicationRequest", "MedicationStatement"),
    "history": ("Procedure",),
    "age": ("Patient",),
    "sex": ("Patient",),
}
DEFAULT_RESOURCE = ("Observation",)
KEYS = {
    "Patient": "patient",
    "Condition": "conditions",
    "Observation": "observations",
    "AllergyIntolerance": "allergies",
    "MedicationRequest": "medicationRequests",
    "MedicationStatement": "medicationStatements",
    "Procedure": "procedures",
}
ORDER = tuple(KEYS)
_ABSENT = object()


def resources_read(book: Rulebook) -> tuple[str, ...]:
    """The FHIR resource types the rule book's facts come from, Patient always first."""
    found = {"Patient"}
    for fact in book.program.facts:
        found.update(RESOURCES_BY_FACT.get(fact.split(".", 1)[0], DEFAULT_RESOURCE))
    return tuple(r for r in ORDER if r in found)


def templates(book: Rulebook) -> dict[str, str]:
    """The discovery document's prefetch templates: prefetch key -> FHIR query."""
    out = {}
    for resource in resources_read(book):
        out[KEYS[resource]] = (PATIENT_TEMPLATE if resource == "Patient"
                               else f"{resource}?patient={{{{context.patientId}}}}")
    return out


_TOKEN = re.compile(r"\{\{\s*context\.([A-Za-z0-9_]+)\s*\}\}")


def render(template: str, context: Mapping[str, Any]) -> str:
    """A template with its prefetch tokens replaced by the context's values (URL-quoted);
    PrefetchMissing if a token has no primitive value in the context."""
    def value(match: re.Match[str]) -> str:
        got = context.get(match.group(1))
        if not isinstance(got, (str, int)) or isinstance(got, bool) or got == "":
            raise PrefetchMissing(f"the context has no {match.group(1)} for the prefetch "
                                  f"template {template}")
        return urllib.parse.quote(str(got), safe="")
    return _TOKEN.sub(value, template)


@dataclass
class Gathered:
    """The data of one call: each template's resources, and where they came from."""

    resources: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    fetched: list[str] = field(default_factory=list)  # keys fetched from the FHIR server

    def bundle(self) -> dict[str, Any]:
        """One collection Bundle of every resource, the Patient first, each once."""
        seen: set[tuple[str, str]] = set()
        entries = []
        for key in self.resources:
            for resource in self.resources[key]:
                rid = resource.get("id")
                ident = (str(resource.get("resourceType")), str(rid))
                if isinstance(rid, str) and ident in seen:
                    continue
                seen.add(ident)
                entries.append({"resource": resource})
        return {"resourceType": "Bundle", "type": "collection", "entry": entries}


def _outcome(value: Any) -> bool:
    return isinstance(value, dict) and value.get("resourceType") == "OperationOutcome"


def _next_link(bundle: Mapping[str, Any]) -> str | None:
    for link in bundle.get("link") or ():
        if isinstance(link, dict) and link.get("relation") == "next" \
                and isinstance(link.get("url"), str):
            return str(link["url"])
    return None


def _searchset_resources(key: str, bundle: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The match (and include) resources of a searchset; search outcomes are left out."""
    out = []
    for n, entry in enumerate(bundle.get("entry") or ()):
        if not isinstance(entry, dict) or not isinstance(entry.get("resource"), dict):
            raise BadRequest(f"prefetch.{key}.entry[{n}]: an entry without a resource")
        if (entry.get("search") or {}).get("mode") == "outcome" \
                or _outcome(entry["resource"]):
            continue
        out.append(entry["resource"])
    return out


MAX_FETCH_BYTES = 10_000_000


class Fetcher:
    """GETs from a client's FHIR server with a short timeout; an answer that is not 200, not
    a JSON object or larger than `MAX_FETCH_BYTES` is no answer."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def get(self, url: str, token: str | None) -> dict[str, Any] | None:
        headers = {"Accept": "application/fhir+json, application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        try:
            async with self.client.stream("GET", url, headers=headers) as response:
                if response.status_code != 200:
                    return None
                body = bytearray()
                async for chunk in response.aiter_bytes():
                    body += chunk
                    if len(body) > MAX_FETCH_BYTES:
                        return None
        except httpx.HTTPError:
            return None
        try:
            data = json.loads(bytes(body))
        except (ValueError, RecursionError):
            return None
        return data if isinstance(data, dict) else None


def _absolute(base: str, url: str) -> str:
    return url if url.startswith(("http://", "https://")) else f"{base.rstrip('/')}/{url}"


async def gather(wanted: Mapping[str, str], request: Mapping[str, Any],
                 fetcher: Fetcher, servers: tuple[str, ...] = ()) -> Gathered:
    """Every template's data for a call: the prefetch, completed from the FHIR server;
    PrefetchMissing (412) naming every key that cannot be had. With `servers`, only a
    `fhirServer` that starts with one of them is ever read (BadRequest otherwise)."""
    prefetch = request.get("prefetch") or {}
    if not isinstance(prefetch, dict):
        raise BadRequest("prefetch: must be an object")
    context = request.get("context") or {}
    server = request.get("fhirServer")
    auth = request.get("fhirAuthorization") or {}
    token = auth.get("access_token") if isinstance(auth, dict) else None
    if isinstance(server, str) and servers and not any(
            server.rstrip("/") + "/" == s.rstrip("/") + "/" or server.startswith(
                s.rstrip("/") + "/") for s in servers):
        raise BadRequest("fhirServer: not one of the FHIR servers this service may read")
    out = Gathered()
    missing: list[str] = []
    for key, template in wanted.items():
        resource_type = "Patient" if template.startswith("Patient/") else "Bundle"
        value = prefetch.get(key, _ABSENT)
        if value is None and resource_type == "Patient":
            value = _ABSENT  # no Patient is no data to decide on: fetch it, or 412
        if value is None:
            out.resources[key] = []
            continue
        if value is not _ABSENT and not _outcome(value):
            if not isinstance(value, dict) or value.get("resourceType") != resource_type:
                raise BadRequest(f"prefetch.{key}: expected a {resource_type}, got "
                                 f"{_what(value)}")
            if resource_type == "Patient":
                out.resources[key] = [value]
                continue
            resources = _searchset_resources(key, value)
            nxt = _next_link(value)
            if nxt is None:
                out.resources[key] = resources
                continue
            if not isinstance(server, str):
                missing.append(f"{key} (a next page and no fhirServer)")
                continue
            more = await _pages(key, _absolute(server, nxt), token, fetcher)
            if more is None:
                missing.append(f"{key} (its next page could not be fetched)")
                continue
            out.resources[key] = resources + more
            out.fetched.append(key)
            continue
        if not isinstance(server, str) or not server.startswith(("http://", "https://")):
            missing.append(key)
            continue
        url = _absolute(server, render(template, context))
        if resource_type == "Patient":
            got = await fetcher.get(url, token)
            if got is None or got.get("resourceType") != "Patient":
                missing.append(key)
                continue
            out.resources[key] = [got]
        else:
            pages = await _pages(key, url, token, fetcher)
            if pages is None:
                missing.append(key)
                continue
            out.resources[key] = pages
        out.fetched.append(key)
    if missing:
        raise PrefetchMissing("the data needed cannot be had, from the prefetch or the FHIR "
                              "server: " + ", ".join(missing))
    return out


async def _pages(key: str, url: str | None, token: str | None,
                 fetcher: Fetcher) -> list[dict[str, Any]] | None:
    out: list[dict[str, Any]] = []
    for _ in range(MAX_PAGES):
        if url is None:
            return out
        page = await fetcher.get(url, token)
        if page is None or page.get("resourceType") != "Bundle":
            return None
        out += _searchset_resources(key, page)
        url = _next_link(page)
    return None


def _what(value: Any) -> str:
    if isinstance(value, dict):
        return f"a {value.get('resourceType', 'object without resourceType')}"[:80]
    return type(value).__name__


def patient_matches(gathered: Gathered, context: Mapping[str, Any]) -> None:
    """The Patient given must be the one in context (BadRequest otherwise)."""
    patients: Iterable[dict[str, Any]] = gathered.resources.get("patient", [])
    for patient in patients:
        if patient.get("id") != context.get("patientId"):
            raise BadRequest("prefetch.patient: its id is not context.patientId")
