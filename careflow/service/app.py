"""The CDS Hooks 2.0 service as a FastAPI application (docs/service.md).

    GET  /cds-services                   discovery: two services built from the rule book
    POST /cds-services/{id}              careflow-patient-view, careflow-order-sign
    POST /cds-services/{id}/feedback     card outcomes, stored once each
    GET  /protocol/{lang}                the protocol book the cards link to (no patient data)

Every CDS Hooks route verifies the caller's JWT first (security.py), unless the service was
started with `--dev-no-auth`. Every refusal and every failure is an OperationOutcome with a
4xx or 5xx status: a call whose evaluation failed never gets "no cards". Responses carry no
null or empty member.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from typing import Any

import httpx
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from .._version import __version__
from ..rulebook import Rulebook, default_rulebook, load_rulebook
from . import hooks, prefetch
from .audit import AuditLog, CardRow, utc
from .config import ServiceConfig
from .errors import (
    BadRequest,
    EvaluationFailed,
    ServiceError,
    TooLarge,
    Unauthorized,
    UnknownService,
    Unprocessable,
)
from .pool import Pool
from .security import Verifier

log = logging.getLogger("careflow.service")

PATIENT_VIEW = "careflow-patient-view"
ORDER_SIGN = "careflow-order-sign"
SERVICES: dict[str, tuple[str, str, str]] = {
    PATIENT_VIEW: (
        "patient-view", "careflow: knee and vein treatment plan",
        "The justified treatment plan for knee pain and leg veins, one card per item: each "
        "names the rule that made it, the patient facts behind it and its evidence. Decision "
        "support for a clinician who examines the patient."),
    ORDER_SIGN: (
        "order-sign", "careflow: check knee and vein orders",
        "Checks draft orders (compression stockings, endovenous treatment, knee injections "
        "and other careflow actions) against the plan: an order on a leg where careflow says "
        "contraindicated is a critical card, not recommended or deferred a warning, each "
        "with the reason."),
}
EXTENSION = "careflow.protocol"
FEEDBACK_OUTCOMES = ("accepted", "overridden")


def outcome(code: str, messages: list[str] | str, severity: str = "error") -> dict[str, Any]:
    """A FHIR OperationOutcome with one issue per message."""
    texts = [messages] if isinstance(messages, str) else messages
    return {"resourceType": "OperationOutcome",
            "issue": [{"severity": severity, "code": code, "diagnostics": m[:2000]}
                      for m in texts]}


def _problem(exc: ServiceError) -> JSONResponse:
    problems = exc.problems if isinstance(exc, Unprocessable) else [exc.message]
    return JSONResponse(outcome(exc.code, problems), status_code=exc.status,
                        headers=dict(exc.headers))


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"duplicate key {key[:40]!r}")
        out[key] = value
    return out


async def read_json(request: Request, limit: int) -> dict[str, Any]:
    """The request body as a JSON object; BadRequest or TooLarge."""
    size = 0
    chunks = []
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise TooLarge(f"the body is larger than {limit} bytes")
        chunks.append(chunk)
    body = b"".join(chunks)
    try:
        data = json.loads(body, object_pairs_hook=_no_duplicates)
    except json.JSONDecodeError as exc:
        raise BadRequest(f"the body is not valid JSON: {exc.msg} (line {exc.lineno}, "
                         f"column {exc.colno})") from None
    except (ValueError, RecursionError) as exc:
        raise BadRequest(f"the body is not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise BadRequest("the body must be a JSON object")
    return data


MAX_ID = 200  # a hook instance, a card uuid, a patient id: far longer than any UUID
MAX_FEEDBACK = 1000


def _string(data: Mapping[str, Any], key: str, where: str = "", limit: int = 0) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value:
        raise BadRequest(f"{where}{key}: a non-empty string is required")
    if limit and len(value) > limit:
        raise BadRequest(f"{where}{key}: longer than {limit} characters")
    return value


def check_request(data: Mapping[str, Any], hook: str) -> None:
    """The CDS Hooks 2.0 request fields (BadRequest naming the first one wrong)."""
    if _string(data, "hook") != hook:
        raise BadRequest(f"hook: this service answers {hook}, not {str(data['hook'])[:40]}")
    _string(data, "hookInstance", limit=MAX_ID)
    context = data.get("context")
    if not isinstance(context, dict):
        raise BadRequest("context: an object is required")
    _string(context, "patientId", "context.", limit=MAX_ID)
    if "fhirServer" in data:
        server = data["fhirServer"]
        if not isinstance(server, str) or not server.startswith(("http://", "https://")):
            raise BadRequest("fhirServer: must be an absolute http(s) URL")
    if "fhirAuthorization" in data:
        auth = data["fhirAuthorization"]
        if not isinstance(auth, dict) or "fhirServer" not in data:
            raise BadRequest("fhirAuthorization: an object, and only with fhirServer")
        _string(auth, "access_token", "fhirAuthorization.")
        if str(auth.get("token_type", "")).lower() != "bearer":
            raise BadRequest("fhirAuthorization.token_type: must be Bearer")
    if "prefetch" in data and not isinstance(data["prefetch"], dict):
        raise BadRequest("prefetch: must be an object")
    if hook == "order-sign" and not isinstance(context.get("draftOrders"), dict):
        raise BadRequest("context.draftOrders: a Bundle is required for order-sign")


def check_feedback(data: Mapping[str, Any],
                   reasons: hooks.Reasons | None = None) -> list[dict[str, Any]]:
    """The feedback items (BadRequest naming the first one wrong); with `reasons`, an
    override reason must be one of the clinic's (its system and code)."""
    items = data.get("feedback")
    if not isinstance(items, list) or not items:
        raise BadRequest("feedback: a non-empty array is required")
    if len(items) > MAX_FEEDBACK:
        raise BadRequest(f"feedback: more than {MAX_FEEDBACK} items in one call")
    for n, f in enumerate(items):
        where = f"feedback[{n}]."
        if not isinstance(f, dict):
            raise BadRequest(f"feedback[{n}]: must be an object")
        _string(f, "card", where, limit=MAX_ID)
        if f.get("outcome") not in FEEDBACK_OUTCOMES:
            raise BadRequest(f"{where}outcome: must be accepted or overridden")
        stamp = _string(f, "outcomeTimestamp", where)
        try:
            when = dt.datetime.fromisoformat(stamp.replace("Z", "+00:00"))
        except ValueError:
            raise BadRequest(f"{where}outcomeTimestamp: not an ISO 8601 date-time") from None
        if when.tzinfo is None:
            raise BadRequest(f"{where}outcomeTimestamp: must give the time zone (UTC, Z)")
        try:
            utc(stamp)  # as it is stored
        except (ValueError, OverflowError):
            raise BadRequest(f"{where}outcomeTimestamp: not a time careflow can keep in "
                             "UTC") from None
        accepted = f.get("acceptedSuggestions")
        well_formed = isinstance(accepted, list) and bool(accepted) and all(
            isinstance(a, dict) and isinstance(a.get("id"), str) for a in accepted)
        if f["outcome"] == "accepted" and not well_formed:
            raise BadRequest(f"{where}acceptedSuggestions: required for accepted, each "
                             "with an id")
        reason = f.get("overrideReason")
        if reason is not None and (not isinstance(reason, dict) or (
                "reason" in reason and not (isinstance(reason["reason"], dict)
                                            and isinstance(reason["reason"].get("code"),
                                                           str)))):
            raise BadRequest(f"{where}overrideReason: an object whose reason is a Coding")
        coding = (reason or {}).get("reason")
        if reasons is not None and isinstance(coding, dict) and (
                coding.get("system") != reasons.system
                or coding["code"] not in {code for code, _, _ in reasons.reasons}):
            got = f"{str(coding.get('system', '(no system)'))[:80]}|{coding['code'][:40]}"
            raise BadRequest(f"{where}overrideReason.reason: {got} is not one of this "
                             f"service's override reasons (system {reasons.system}, codes "
                             + ", ".join(code for code, _, _ in reasons.reasons) + ")")
    return items


def _lang(request: Request, default: str) -> str:
    wanted = request.headers.get("accept-language", "").split(",")[0].strip().lower()
    return wanted[:2] if wanted[:2] in ("en", "ja") else default


class Service:
    """What the routes share: settings, rule book, workers, audit trail, verifier."""

    def __init__(self, config: ServiceConfig, dev_no_auth: bool) -> None:
        self.config = config
        self.dev_no_auth = dev_no_auth
        self.book: Rulebook = (load_rulebook(config.rules, config.params)
                               if (config.rules or config.params) else default_rulebook())
        self.templates = prefetch.templates(self.book)
        self.reasons = hooks.override_reasons(config.override_reasons)
        self.pool = Pool(config.workers, config.queue_limit, config.evaluation_timeout_seconds,
                         config.rules, config.params)
        self.audit = AuditLog(config.audit_db, config.salt_file)
        self.verifier = Verifier(config)
        self.http: httpx.AsyncClient | None = None
        # calls fetching from FHIR servers at once; one more is 503 (prefetch.gather)
        self.fetching = asyncio.Semaphore(config.fetch_calls_limit)
        self.book_pages: dict[str, str] = {}

    @property
    def book_url(self) -> str:
        return self.config.book_url or f"{self.config.public_url}/protocol"

    def discovery(self) -> dict[str, Any]:
        p = self.book
        ext = {EXTENSION: {"name": p.name, "version": p.version, "digest": p.digest,
                           "careflow": __version__, "rules": len(p.rules),
                           "book": self.book_url}}
        return {"services": [
            {"hook": hook, "id": sid, "title": title, "description": text,
             "prefetch": self.templates,
             "usageRequirements": (
                 "Every prefetch key is needed: give it, or give fhirServer (and "
                 "fhirAuthorization) so that careflow fetches it; otherwise 412."),
             "extension": ext}
            for sid, (hook, title, text) in SERVICES.items()]}

    async def authorise(self, request: Request) -> None:
        if self.dev_no_auth:
            return
        url = self.config.public_url + request.url.path
        await run_in_threadpool(self.verifier.verify,
                                request.headers.get("authorization"), url)

    def today(self) -> dt.date:
        offset = dt.timezone(dt.timedelta(hours=self.config.utc_offset_hours))
        return dt.datetime.now(offset).date()

    async def call(self, sid: str, request: Request) -> dict[str, Any]:
        hook = SERVICES[sid][0]
        data = await read_json(request, self.config.max_body_bytes)
        check_request(data, hook)
        record: dict[str, Any] = {"hook_instance": data["hookInstance"], "service": sid,
                                  "hook": hook}
        try:
            response, cards, done = await self._evaluate(data, hook, _lang(
                request, self.config.lang))
        except Exception as exc:  # every call is audited, the failed ones too
            status, code = ((exc.status, exc.code) if isinstance(exc, ServiceError)
                            else (500, "exception"))
            await run_in_threadpool(lambda: self.audit.evaluation(
                **record, http_status=status,
                outcome="failed" if status >= 500 else "refused", issue=code,
                careflow_version=__version__, digest=self.book.digest))
            raise
        await run_in_threadpool(lambda: self.audit.evaluation(
            **record, http_status=200, outcome="cards", careflow_version=__version__,
            digest=done["digest"], patient_id=done["patient_id"], fetched=done["fetched"],
            cards=cards))
        return response

    async def _evaluate(self, data: Mapping[str, Any], hook: str,
                        lang: str) -> tuple[dict[str, Any], list[CardRow], dict[str, Any]]:
        assert self.http is not None
        gathered = await prefetch.gather(
            self.templates, data, prefetch.Fetcher(self.http, self.config.fhir_servers),
            self.config.prefetch_deadline_seconds, self.fetching)
        prefetch.patient_matches(gathered, data["context"])
        orders = []
        if hook == "order-sign":
            orders = [o.__dict__ for o in hooks.read_orders(
                data["context"]["draftOrders"], hooks.order_codes(self.config.order_codes))]
        task = {"hook": hook, "hook_instance": data["hookInstance"],
                "bundle": gathered.bundle(), "orders": orders,
                "assessed_on": self.today().isoformat(), "lang": lang,
                "book_url": self.book_url,
                "override_reasons": str(self.config.override_reasons)
                if self.config.override_reasons else None}
        kind, result = await self.pool.run(task)
        if kind == "input":
            raise Unprocessable([str(p) for p in result])
        if kind == "engine":
            log.error("the rule engine failed in a worker (hook instance %s)",
                      data["hookInstance"][:64])
            raise EvaluationFailed("the rule engine failed on this patient; no plan was made")
        if kind != "ok":
            log.error("an internal error in a worker: %s (hook instance %s)", str(result)[:80],
                      data["hookInstance"][:64])
            raise EvaluationFailed("an internal error stopped the evaluation; no plan was made")
        cards = [CardRow(s["uuid"], s["indicator"], s["rule"], tuple(s["rules"]), s["action"],
                         s["side"], s["status"]) for s in result["shown"]]
        done = {"digest": result["digest"], "patient_id": result["patient_id"],
                "fetched": gathered.fetched}
        return {"cards": result["cards"]}, cards, done  # each card pruned in the worker

    async def feedback(self, sid: str, request: Request) -> None:
        data = await read_json(request, self.config.max_body_bytes)
        items = check_feedback(data, self.reasons)
        stored = await run_in_threadpool(self.audit.feedback, sid, items)
        if stored.unknown_cards:
            log.info("feedback for %d card(s) this service did not give",
                     len(stored.unknown_cards))

    async def book_page(self, lang: str) -> str:
        if lang not in self.book_pages:
            from ..export.book import build_book

            page = await run_in_threadpool(lambda: build_book(self.book, None, lang).html)
            self.book_pages[lang] = page
        return self.book_pages[lang]


Handler = Callable[[], Awaitable[Response]]


async def _guarded(request: Request, run: Handler) -> Response:
    """A route's answer; a refusal or any failure becomes its OperationOutcome. A refusal is
    logged with its status and issue code, and for a JWT refused the check that failed (those
    messages hold no token and no claim); other messages may quote patient data and are not
    logged."""
    try:
        return await run()
    except ServiceError as exc:
        why = f": {exc.message}" if isinstance(exc, Unauthorized) else ""
        log.info("%s %s refused %d %s%s", request.method, request.url.path, exc.status,
                 exc.code, why)
        return _problem(exc)
    except Exception as exc:
        ref = uuid.uuid4().hex[:12]
        log.error("internal error %s: %s", ref, type(exc).__name__)
        return JSONResponse(outcome("exception", f"internal error (reference {ref}); no "
                                    "plan was made"), status_code=500)


class NoQuery(logging.Filter):
    """uvicorn's access log without query strings: CDS Hooks URLs carry no patient data,
    but a caller may put some in a query (`?patient=...`), and it would be logged."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str) \
                and "?" in args[2]:
            record.args = (*args[:2], args[2].split("?", 1)[0] + "?...", *args[3:])
        return True


NO_QUERY = NoQuery()


def create_app(config: ServiceConfig, *, dev_no_auth: bool = False) -> FastAPI:
    """The service; its workers start (and stop) with the application's lifespan."""
    service = Service(config, dev_no_auth)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if dev_no_auth:
            log.warning("DEVELOPMENT MODE: JWTs are NOT checked (--dev-no-auth); never use "
                        "this with patient data")
        logging.getLogger("uvicorn.access").addFilter(NO_QUERY)
        await run_in_threadpool(service.pool.start)
        service.http = httpx.AsyncClient(timeout=config.fhir_timeout_seconds,
                                         follow_redirects=False)
        log.info("careflow %s CDS Hooks service at %s/cds-services: %s %s (%s), %d workers",
                 __version__, config.public_url, service.book.name, service.book.version,
                 service.book.digest[:19], config.workers)
        try:
            yield
        finally:
            await service.http.aclose()
            await run_in_threadpool(service.pool.close)
            service.audit.close()
            service.verifier.close()

    app = FastAPI(title="careflow CDS Hooks service", version=__version__, lifespan=lifespan,
                  docs_url=None, redoc_url=None, openapi_url=None)
    app.state.service = service
    if config.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=list(config.cors_origins),
                           allow_methods=["GET", "POST", "OPTIONS"],
                           allow_headers=["Authorization", "Content-Type"], max_age=600)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        code = {404: "not-found", 405: "not-supported"}.get(exc.status_code, "processing")
        return JSONResponse(outcome(code, f"{request.method} {request.url.path}: "
                                    f"{exc.detail}"), status_code=exc.status_code)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        return JSONResponse(outcome("invalid", "the request is not valid"), status_code=400)

    @app.get("/cds-services")
    async def discovery(request: Request) -> Response:
        async def run() -> Response:
            await service.authorise(request)
            return JSONResponse(hooks.prune(service.discovery()))
        return await _guarded(request, run)

    @app.post("/cds-services/{sid}")
    async def call(sid: str, request: Request) -> Response:
        async def run() -> Response:
            await service.authorise(request)
            if sid not in SERVICES:
                raise UnknownService(f"no CDS service {sid[:60]!r} here: "
                                     + ", ".join(SERVICES))
            return JSONResponse(await service.call(sid, request))
        return await _guarded(request, run)

    @app.post("/cds-services/{sid}/feedback")
    async def feedback(sid: str, request: Request) -> Response:
        async def run() -> Response:
            await service.authorise(request)
            if sid not in SERVICES:
                raise UnknownService(f"no CDS service {sid[:60]!r} here")
            await service.feedback(sid, request)
            return Response(status_code=200)
        return await _guarded(request, run)

    @app.get("/protocol/{lang}")
    async def protocol_book(lang: str, request: Request) -> Response:
        async def run() -> Response:
            if lang not in ("en", "ja"):
                raise UnknownService("the protocol book is in en or ja")
            return HTMLResponse(await service.book_page(lang))
        return await _guarded(request, run)

    return app
