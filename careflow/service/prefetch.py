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
  `fhirServer`, with `fhirAuthorization`'s bearer token if one is given (every key at once,
  under one deadline, searchset pages followed); when that is not possible or fails, the
  call is answered 412 with an OperationOutcome naming the keys.

Only a `fhirServer` under one of the configured `fhir_servers` is read, none when there are
none; a `next` link only under that `fhirServer` (the token must go nowhere else), and a
token never over plain http but to loopback (docs/service.md#fetching).

A searchset with a `next` page is completed from the FHIR server too: a truncated list must
never read as a complete one.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import re
import urllib.parse
from collections.abc import Callable, Coroutine, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from ..rulebook import Rulebook
from .errors import BadRequest, Busy, PrefetchMissing

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
Job = Callable[[], Coroutine[Any, Any, list[dict[str, Any]]]]


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
LOOPBACK = ("127.0.0.1", "::1", "localhost")


def url_parts(url: str) -> tuple[str, str, int, str] | None:
    """(scheme, host, port, path) of an absolute http(s) URL with no user part and no dot
    segment (`..` could climb out of a base path once a server resolves it); None otherwise."""
    try:
        u = urllib.parse.urlsplit(url)
        port = u.port
    except ValueError:
        return None
    if u.scheme not in ("http", "https") or not u.hostname or u.username is not None \
            or u.password is not None or "\\" in url:
        return None
    if any(seg in (".", "..") for seg in urllib.parse.unquote(u.path).split("/")):
        return None
    return (u.scheme, u.hostname.lower(), port or (443 if u.scheme == "https" else 80),
            u.path)


def within(url: str, base: str) -> bool:
    """Whether `url` has the scheme, host and port of `base` and lies under its path."""
    got, root = url_parts(url), url_parts(base)
    if got is None or root is None or got[:3] != root[:3]:
        return False
    path = root[3].rstrip("/")
    return got[3].rstrip("/") == path or got[3].startswith(path + "/")


def host_of(url: str) -> str:
    """The host (and port) of a URL, for a message: never its path, query or user part."""
    try:
        u = urllib.parse.urlsplit(url)
        return f"{u.hostname}:{u.port}" if u.port else str(u.hostname or "an unreadable URL")
    except ValueError:
        return "an unreadable URL"


def is_loopback(url: str) -> bool:
    got = url_parts(url)
    return got is not None and (got[1] in LOOPBACK or got[1].startswith("127."))


class Refused(Exception):
    """A key careflow could not fetch, or would not (a URL outside the allowed FHIR
    servers): the reason, which names a host at most, never a path or a token."""


class Fetcher:
    """GETs from a client's FHIR server with a short timeout, only under one of `servers`
    (each URL checked, every page); an answer that is not 200, not a JSON object or larger
    than `MAX_FETCH_BYTES` is no answer."""

    def __init__(self, client: httpx.AsyncClient, servers: tuple[str, ...] = ()) -> None:
        self.client = client
        self.servers = servers

    async def get(self, url: str, token: str | None) -> dict[str, Any] | None:
        if not any(within(url, s) for s in self.servers):
            raise Refused(f"{host_of(url)} is not one of the FHIR servers this service may "
                          "read")
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


def _server_refusal(server: str, servers: tuple[str, ...], token: str | None) -> str | None:
    """Why nothing may be fetched from `server`, or None. An unlisted server among listed
    ones is a BadRequest (the client names a server this service was not set up for)."""
    if not servers:
        return ("no FHIR server is allowed: this service's fhir_servers lists none, so "
                "nothing is fetched (docs/service.md#configuration)")
    if not any(within(server, s) for s in servers):
        raise BadRequest("fhirServer: not one of the FHIR servers this service may read")
    if token and server.startswith("http://") and not is_loopback(server):
        return (f"fhirServer {host_of(server)} is plain http: the access token is sent "
                "only over https (or to loopback)")
    return None


async def gather(wanted: Mapping[str, str], request: Mapping[str, Any],
                 fetcher: Fetcher, deadline: float = 3.0,
                 slots: asyncio.Semaphore | None = None) -> Gathered:
    """Every template's data for a call: the prefetch, completed from the FHIR server
    (every key fetched at once, all within `deadline` seconds, and only while a slot is
    free: Busy, 503, otherwise); PrefetchMissing (412) naming every key that cannot be had.
    Only a `fhirServer` under one of the fetcher's servers is read (BadRequest otherwise),
    and a `next` link only under that fhirServer (412 naming the link's host otherwise)."""
    prefetch = request.get("prefetch") or {}
    if not isinstance(prefetch, dict):
        raise BadRequest("prefetch: must be an object")
    context = request.get("context") or {}
    server = request.get("fhirServer")
    auth = request.get("fhirAuthorization") or {}
    token = auth.get("access_token") if isinstance(auth, dict) else None
    refusal = (_server_refusal(server, fetcher.servers, token)
               if isinstance(server, str) else None)
    given: dict[str, list[dict[str, Any]]] = {}
    jobs: dict[str, Job] = {}  # made into coroutines only when they run
    missing: dict[str, str] = {}
    for key, template in wanted.items():
        resource_type = "Patient" if template.startswith("Patient/") else "Bundle"
        value = prefetch.get(key, _ABSENT)
        if value is None and resource_type == "Patient":
            value = _ABSENT  # no Patient is no data to decide on: fetch it, or 412
        if value is None:
            given[key] = []
            continue
        if value is not _ABSENT and not _outcome(value):
            if not isinstance(value, dict) or value.get("resourceType") != resource_type:
                raise BadRequest(f"prefetch.{key}: expected a {resource_type}, got "
                                 f"{_what(value)}")
            if resource_type == "Patient":
                given[key] = [value]
                continue
            resources = _searchset_resources(key, value)
            nxt = _next_link(value)
            if nxt is None:
                given[key] = resources
            elif not isinstance(server, str):
                missing[key] = f"{key} (a next page and no fhirServer)"
            elif refusal:
                missing[key] = f"{key} (a next page, and {refusal})"
            else:
                jobs[key] = functools.partial(_pages, key, _absolute(server, nxt), server,
                                              token, fetcher, resources)
            continue
        if not isinstance(server, str):
            missing[key] = key
        elif refusal:
            missing[key] = f"{key} ({refusal})"
        else:
            url = _absolute(server, render(template, context))
            jobs[key] = (functools.partial(_patient, url, token, fetcher)
                         if resource_type == "Patient"
                         else functools.partial(_pages, key, url, server, token, fetcher))
    fetched = await _run(jobs, missing, deadline, slots)
    if missing:
        raise PrefetchMissing("the data needed cannot be had, from the prefetch or the FHIR "
                              "server: " + ", ".join(missing[k] for k in wanted
                                                     if k in missing))
    out = Gathered()
    for key in wanted:
        out.resources[key] = given[key] if key in given else fetched[key]
        if key in fetched:
            out.fetched.append(key)
    return out


async def _run(jobs: dict[str, Job],
               missing: dict[str, str], deadline: float,
               slots: asyncio.Semaphore | None) -> dict[str, list[dict[str, Any]]]:
    """Each key's fetch, all at once under one deadline; a failed key goes into `missing`
    with why. Nothing is fetched when a key is missing anyway (the call is a 412 then)."""
    if not jobs or missing:
        return {}
    if slots is not None and slots.locked():
        raise Busy("too many calls are fetching from FHIR servers: try again shortly")
    out: dict[str, list[dict[str, Any]]] = {}
    async with slots if slots is not None else contextlib.nullcontext():
        tasks = {key: asyncio.ensure_future(job()) for key, job in jobs.items()}
        done: set[asyncio.Future[list[dict[str, Any]]]] = set()
        try:
            done, _ = await asyncio.wait(tasks.values(), timeout=deadline)
        finally:  # at the deadline, or when the call itself is cancelled
            pending = [t for t in tasks.values() if t not in done]
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
    for key, task in tasks.items():
        problem = task.exception() if task in done else None
        if task not in done:
            missing[key] = f"{key} (the FHIR server did not answer within {deadline:g} s)"
        elif isinstance(problem, Refused):
            missing[key] = f"{key} ({problem})"
        elif problem is not None:
            raise problem
        else:
            out[key] = task.result()
    return out


async def _patient(url: str, token: str | None, fetcher: Fetcher) -> list[dict[str, Any]]:
    got = await fetcher.get(url, token)
    if got is None or got.get("resourceType") != "Patient":
        raise Refused("the FHIR server gave no Patient")
    return [got]


async def _pages(key: str, url: str, server: str, token: str | None, fetcher: Fetcher,
                 first: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """A searchset from `url` on, page by page (at most MAX_PAGES); a `next` link that is
    not under `server` is never followed (it would carry the token elsewhere)."""
    out = list(first or ())
    at: str | None = url
    for _ in range(MAX_PAGES):
        if at is None:
            return out
        if not within(at, server):
            raise Refused(f"its next page is on {host_of(at)}, outside fhirServer: not "
                          "followed")
        page = await fetcher.get(at, token)
        if page is None or page.get("resourceType") != "Bundle":
            raise Refused("the FHIR server gave no searchset" if first is None and at == url
                          else "a page could not be fetched")
        out += _searchset_resources(key, page)
        nxt = _next_link(page)
        at = _absolute(server, nxt) if nxt is not None else None
    raise Refused(f"more than {MAX_PAGES} pages")


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
