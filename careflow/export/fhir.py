"""A plan as FHIR R4 (R4B models of fhir.resources): a CarePlan that contains a RequestGroup.

    CarePlan (status draft, intent proposal)
      contained: RequestGroup  -- one action per plan item, in the plan's order
                 ServiceRequest per item  -- what the action proposes, with its status
      activity:  -> #requestgroup

Each RequestGroup action carries the item in words (`textEquivalent`), the rule's title and
the reasons (`description`), the evidence as `documentation` (RelatedArtifact: citation,
label, url), the urgency as `priority`, and refers to a contained ServiceRequest whose
status / intent / doNotPerform say what the plan says:

    careflow status   ServiceRequest.status   intent    doNotPerform
    recommended       active                  proposal
    option            active                  option
    next_step         draft                   plan
    deferred          on-hold                 proposal
    contraindicated   active                  proposal  true

Each of the three declares its base R4 profile in `meta.profile`
(http://hl7.org/fhir/StructureDefinition/CarePlan, ...); the FHIR version (4.0) is said by the
media type, MEDIA_TYPE (a resource has no element for it).

The careflow codes themselves travel as codings of careflow's own code systems (`urn:careflow:`
URNs) and as extensions on each action, so nothing of the plan is lost. Standard codes are
added only where docs/sources.md marks them verified [V]: the
Japanese fee-schedule section K617-4 (下肢静脈瘤血管内焼灼術) for endovenous thermal
ablation. Everything else is text (no SNOMED CT, LOINC or ICD code is verified there for these
actions).

    >>> from careflow.export.fhir import to_fhir
    >>> care_plan = to_fhir(plan, lang="ja")       # a fhir.resources R4B CarePlan
    >>> text = care_plan.model_dump_json(indent=2)
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from ..errors import MissingExtra

try:
    from fhir.resources.R4B.careplan import CarePlan
    from fhir.resources.R4B.requestgroup import RequestGroup
    from fhir.resources.R4B.servicerequest import ServiceRequest
except ImportError as exc:
    raise MissingExtra("fhir", exc) from None

from ..labels import label, lang_index, value_label
from ..plan import Item, Plan
from .words import (
    checked_line,
    colon,
    considered_line,
    coverage_tag,
    detail_text,
    heading,
    html,
    item_title,
    items,
    paren,
    questions_line,
    reason_text,
    say,
    status_word,
    unchecked_line,
    what,
)

# The FHIR version written: R4 (4.0.1; the R4B models validate it, and these three resources
# are the same in both). A resource has no element for its FHIR version, so it is declared
# where FHIR puts it: the media type's fhirVersion parameter (major.minor,
# http://hl7.org/fhir/R4/http.html#version-parameter), and each resource's meta.profile names
# the base StructureDefinition it conforms to.
FHIR_VERSION = "4.0.1"
MEDIA_TYPE = "application/fhir+json; fhirVersion=4.0"
PROFILE = "http://hl7.org/fhir/StructureDefinition/"  # + CarePlan | RequestGroup | ServiceRequest
SYSTEM = "urn:careflow:codesystem:"  # + action | status | kind | reason | coverage
EXTENSION = "urn:careflow:fhir:extension:"  # + plan-status | rule | reason-code | careflow-version
PATIENT_ID_SYSTEM = "urn:careflow:patient-id"
ACTION_TYPE_SYSTEM = "http://terminology.hl7.org/CodeSystem/action-type"

# Verified standard codes, by action (docs/formats.md: the fee-schedule section K617-4).
# The fee schedule's section numbers have no FHIR code system URI of their own that the
# reference verifies, so the system below is careflow's name for it; the code is verified.
JP_FEE_SCHEDULE_SYSTEM = "urn:careflow:codesystem:jp-fee-schedule-section"
VERIFIED_CODES: dict[str, list[dict[str, str]]] = {
    "endovenous_thermal_ablation": [
        {"system": JP_FEE_SCHEDULE_SYSTEM, "code": "K617-4", "display": "下肢静脈瘤血管内焼灼術"},
    ],
}

# careflow status -> (ServiceRequest.status, ServiceRequest.intent, doNotPerform)
STATUS_MAP: dict[str, tuple[str, str, bool]] = {
    "recommended": ("active", "proposal", False),
    "option": ("active", "option", False),
    "next_step": ("draft", "plan", False),
    "deferred": ("on-hold", "proposal", False),
    "contraindicated": ("active", "proposal", True),
    "not_recommended": ("active", "proposal", True),  # advised against, not a safety block
}
PRIORITY_MAP = {"emergency": "stat", "urgent": "urgent", "routine": "routine"}

# The FHIR R4 value sets of the codes written here (required bindings): fhir.resources checks
# the structure and the data types, check_bindings() checks these codes.
REQUEST_STATUS = ("draft", "active", "on-hold", "revoked", "completed", "entered-in-error",
                  "unknown")
REQUEST_INTENT = ("proposal", "plan", "directive", "order", "original-order", "reflex-order",
                  "filler-order", "instance-order", "option")
CARE_PLAN_INTENT = ("proposal", "plan", "order", "option")
REQUEST_PRIORITY = ("routine", "urgent", "asap", "stat")
RELATED_ARTIFACT_TYPE = ("documentation", "justification", "citation", "predecessor",
                         "successor", "derived-from", "depends-on", "composed-of")

def _meta(resource_type: str) -> dict[str, list[str]]:
    return {"profile": [PROFILE + resource_type]}


def _coding(kind: str, code: str, lang: str) -> dict[str, str]:
    return {"system": SYSTEM + kind, "code": code, "display": label(kind, code, lang)}


def _subject(plan: Plan) -> dict[str, Any]:
    # The careflow patient id is opaque (any text): a logical reference, not a resource id.
    return {"type": "Patient", "display": plan.patient_id,
            "identifier": {"system": PATIENT_ID_SYSTEM, "value": plan.patient_id}}


def _side(item: Item, lang: str) -> str:
    return label("side", item.side, lang)


def item_statement(item: Item, lang: str = "en") -> str:
    """One line: status, the item's statement (careflow/export/words.py), detail, coverage."""
    out = f"[{status_word(item, lang)}] {what(item, lang)}"
    if item.detail:
        out += ("、" if lang == "ja" else ", ") + detail_text(item, lang)
    if item.coverage:
        out += " " + coverage_tag(item.coverage, lang)
    return out


def rationale(item: Item, lang: str = "en") -> str:
    """The rule's title and the reasons, as one paragraph of text."""
    stop = ". " if lang == "en" else "。"
    title = item_title(item, lang)
    out = f"{heading('rule', lang)} {item.rule}" + (f"{colon(lang)}{title}" if title else "")
    reasons = reason_text(item, lang)
    if reasons:
        out += f"{stop}{heading('because', lang)}{colon(lang)}" + items(reasons, lang)
    return out


def _documentation(item: Item, lang: str) -> list[dict[str, Any]]:
    out = []
    for e in item.evidence:
        verified = label("verification", e.verification, lang)
        citation = f"{e.source}. {e.grade} ({verified})"
        if e.note:
            citation += f". {e.note}"
        art: dict[str, Any] = {"type": "citation", "label": f"[{e.verification}] {e.grade}",
                               "display": e.source, "citation": citation}
        if e.url:
            art["url"] = e.url
        out.append(art)
    return out


def _code(item: Item, lang: str) -> dict[str, Any]:
    return {"coding": [_coding("action", item.action, lang),
                       *VERIFIED_CODES.get(item.action, [])],
            "text": label("action", item.action, lang)}


def _service_request(item: Item, n: int, plan: Plan, lang: str) -> ServiceRequest:
    status, intent, do_not = STATUS_MAP[item.status]
    sr: dict[str, Any] = {
        "id": f"item-{n}-request",
        "meta": _meta("ServiceRequest"),
        "status": status,
        "intent": intent,
        "category": [{"coding": [_coding("kind", item.kind, lang)],
                      "text": label("kind", item.kind, lang)}],
        "code": _code(item, lang),
        "subject": _subject(plan),
        "authoredOn": plan.assessed_on.isoformat(),
    }
    if do_not:
        sr["doNotPerform"] = True
    if item.urgency:
        sr["priority"] = PRIORITY_MAP[item.urgency]
    if item.detail:
        sr["orderDetail"] = [{"text": value_label({k: v}, lang)} for k, v in item.detail.items()]
    if item.side:
        sr["bodySite"] = [{"text": _side(item, lang)}]  # no verified body-site code: text only
    if item.action == "referral" and item.reason_code:
        sr["reasonCode"] = [{"coding": [_coding("reason", item.reason_code, lang)],
                             "text": label("reason", item.reason_code, lang)}]
    if item.coverage:
        sr["category"].append({"coding": [_coding("coverage", item.coverage, lang)],
                               "text": label("coverage", item.coverage, lang)})
    notes = []
    c = colon(lang)
    if item.reason_code and item.action != "referral":
        notes.append(f"{heading('held_by', lang)}{c}{label('reason', item.reason_code, lang)}")
    if item.disclosures:
        notes.append(f"{heading('tell', lang)}{c}" + items(
            (label("disclosure", d, lang) for d in item.disclosures), lang))
    if item.precautions:
        notes.append(f"{heading('precautions', lang)}{c}" + items(
            (label("precaution", d, lang) for d in item.precautions), lang))
    if checked_line(item, lang):
        notes.append(f"{heading('checked_long', lang)}{c}{checked_line(item, lang)}")
    if item.unchecked:
        notes.append(f"{say('unchecked', lang)}{c}{unchecked_line(item, lang)}")
    if notes:
        sr["note"] = [{"text": t} for t in notes]
    return ServiceRequest.model_validate(sr)


def _title(item: Item, lang: str) -> str:
    out = label("action", item.action, lang)
    if item.action == "referral" and item.reason_code:
        out += colon(lang) + label("reason", item.reason_code, lang)
    return out + paren(_side(item, lang), lang)


def _action(item: Item, n: int, lang: str) -> dict[str, Any]:
    ext = [{"url": EXTENSION + "plan-status", "valueCode": item.status},
           {"url": EXTENSION + "rule", "valueString": item.rule}]
    if item.reason_code:
        ext.append({"url": EXTENSION + "reason-code", "valueCode": item.reason_code})
    action: dict[str, Any] = {
        "id": f"item-{n}",
        "extension": ext,
        "title": _title(item, lang),
        "description": rationale(item, lang),
        "textEquivalent": item_statement(item, lang),
        "code": [_code(item, lang)],
        "type": {"coding": [{"system": ACTION_TYPE_SYSTEM, "code": "create"}]},
        "resource": {"reference": f"#item-{n}-request"},
    }
    if item.urgency:
        action["priority"] = PRIORITY_MAP[item.urgency]
    docs = _documentation(item, lang)
    if docs:
        action["documentation"] = docs
    return action


def _urn_part(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "-", text) or "-"


def _narrative(plan: Plan, lang: str) -> dict[str, str]:
    rows = "".join(f"<li>{html(item_statement(i, lang))}</li>" for i in plan.items)
    head = html(say("fhir.title", lang, id=plan.patient_id))
    review = html(say("review", lang, weeks=plan.review_after_weeks))
    div = (f'<div xmlns="http://www.w3.org/1999/xhtml"><p><b>{head}</b></p>'
           f"<p>{review}</p><ul>{rows}</ul></div>")
    return {"status": "generated", "div": div}


def to_fhir(plan: Plan, lang: str = "en") -> CarePlan:
    """The plan as a FHIR R4 CarePlan (fhir.resources R4B model), validated on construction."""
    lang_index(lang)
    requests = [_service_request(item, n, plan, lang) for n, item in enumerate(plan.items, 1)]
    protocol = plan.protocol
    group = RequestGroup.model_validate({
        "id": "requestgroup",
        "meta": _meta("RequestGroup"),
        "status": "draft",
        "intent": "proposal",
        "subject": _subject(plan),
        "authoredOn": plan.assessed_on.isoformat(),
        "instantiatesUri": [f"urn:careflow:protocol:{_urn_part(protocol.name)}:"
                            f"{_urn_part(protocol.version)}"],
        "action": [_action(item, n, lang) for n, item in enumerate(plan.items, 1)],
    })
    end = plan.assessed_on + dt.timedelta(weeks=plan.review_after_weeks)
    care_plan = CarePlan.model_validate({
        "id": "careplan",
        "meta": _meta("CarePlan"),
        "extension": [{"url": EXTENSION + "careflow-version", "valueString": protocol.careflow}],
        "language": lang,
        "text": _narrative(plan, lang),
        "contained": [group, *requests],
        "status": "draft",
        "intent": "proposal",
        "title": say("fhir.title", lang, id=plan.patient_id),
        "description": say("fhir.description", lang,
            name=protocol.name, version=protocol.version, digest=protocol.digest,
            date=plan.assessed_on.isoformat(), weeks=plan.review_after_weeks),
        "subject": _subject(plan),
        "period": {"start": plan.assessed_on.isoformat(), "end": end.isoformat()},
        "created": plan.assessed_on.isoformat(),
        "activity": [{"reference": {"reference": "#requestgroup"}}],
        "note": [{"text": say("review", lang, weeks=plan.review_after_weeks)},
                 *([{"text": questions_line(plan, lang)}] if plan.questions_open else []),
                 *({"text": considered_line(c, lang)} for c in plan.considered)],
    })
    check_bindings(care_plan)
    return care_plan


def to_fhir_json(plan: Plan, lang: str = "en") -> str:
    """The CarePlan as indented JSON with a final newline (deterministic)."""
    return to_fhir(plan, lang).model_dump_json(indent=2) + "\n"


def check_bindings(care_plan: CarePlan) -> None:
    """Raise ValueError when a code this module writes is outside its FHIR R4 value set, or a
    resource does not declare its base profile in meta.profile.

    fhir.resources validates structure, cardinality and data types but not the codes of
    required bindings; this checks the ones careflow writes.
    """
    problems: list[str] = []

    def need(where: str, value: Any, allowed: tuple[str, ...]) -> None:
        if value is not None and value not in allowed:
            problems.append(f"{where}: {value!r} is not one of {', '.join(allowed)}")

    for res in [care_plan, *(care_plan.contained or [])]:
        name = type(res).__name__
        profiles = res.meta.profile if res.meta else None
        if PROFILE + name not in (profiles or []):
            problems.append(f"{name}.meta.profile: {PROFILE + name} is not declared")
    need("CarePlan.status", care_plan.status, REQUEST_STATUS)
    need("CarePlan.intent", care_plan.intent, CARE_PLAN_INTENT)
    ids = {r.id for r in care_plan.contained or []}
    for activity in care_plan.activity or []:
        ref = activity.reference.reference if activity.reference else None
        if ref and ref.startswith("#") and ref[1:] not in ids:
            problems.append(f"CarePlan.activity: {ref} is not a contained resource")
    for res in care_plan.contained or []:
        name = type(res).__name__
        need(f"{name}.status", getattr(res, "status", None), REQUEST_STATUS)
        need(f"{name}.intent", getattr(res, "intent", None), REQUEST_INTENT)
        need(f"{name}.priority", getattr(res, "priority", None), REQUEST_PRIORITY)
        for action in getattr(res, "action", None) or []:
            need(f"{name}.action[{action.id}].priority", action.priority, REQUEST_PRIORITY)
            for doc in action.documentation or []:
                need(f"{name}.action[{action.id}].documentation.type", doc.type,
                     RELATED_ARTIFACT_TYPE)
            if action.resource and action.resource.reference:
                ref = action.resource.reference
                if ref.startswith("#") and ref[1:] not in ids:
                    problems.append(f"{name}.action[{action.id}]: {ref} is not contained")
    if problems:
        raise ValueError("; ".join(problems))
