"""What a worker computes for one call: the cards of a plan (patient-view) or the draft orders
checked against it (order-sign), each card with the rule ids behind it
(docs/service.md#cards).

The cards are careflow's CDS Hooks cards (careflow/export/cds_hooks.py) with what a live
service adds:

- `uuid`: unique to the call, a UUID 5 of the hook instance and the card's own uuid (the
  same call gives the same cards; feedback names exactly one call's card);
- a link to the deciding rule's page of the protocol book (`BOOK_URL/LANG#rule-ID`);
- `overrideReasons` from the clinic's list (override_reasons.yaml).

For order-sign, each draft order (ServiceRequest, DeviceRequest, MedicationRequest) is read for
a careflow action (its code: order_codes.yaml, or the clinic's own table) and a leg (bodySite
or a parameter value: SNOMED CT laterality, or careflow's own words); the plan's item for that
action on that leg decides the card: contraindicated is `critical`, not recommended or deferred
`warning` with the reason, a next step or an item the plan does not propose `info`; an order
the plan recommends or offers gets no card. An order with no leg is checked on every leg.
Orders whose code is not recognised are listed on one `info` card: not checked is said, not
passed silently.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from .. import vocabulary as v
from ..export import cds_hooks
from ..export.fhir import SYSTEM
from ..export.words import colon, item_with_side, mapping_lines, paren, reason_suffix, say
from ..labels import label
from ..plan import Item, Plan
from ..yamlsrc import Marked, MarkedList, load_yaml, plain
from .errors import BadRequest

_NAMESPACE = uuid.UUID("0b8f6d1e-3c1a-5b7e-9d42-7a1c2e9f4b60")  # the service's card uuids
ACTION_SYSTEM = SYSTEM + "action"
ORDER_TYPES = ("ServiceRequest", "DeviceRequest", "MedicationRequest")
CODE_FIELDS = ("code", "codeCodeableConcept", "medicationCodeableConcept")

def _w(key: str, lang: str) -> str:
    return say(f"hooks.{key}", lang)


@dataclass(frozen=True)
class Reasons:
    """The clinic's override reasons: a code system and (code, English, Japanese)."""

    system: str
    reasons: tuple[tuple[str, str, str], ...]

    def codings(self, lang: str) -> list[dict[str, str]]:
        return [{"system": self.system, "code": code, "display": en if lang == "en" else ja}
                for code, en, ja in self.reasons]


def _data(name: str, path: Path | None) -> Any:
    raw = path.read_bytes() if path else resources.files(__package__).joinpath(
        name).read_bytes()
    return plain(load_yaml(raw))


@lru_cache(maxsize=4)
def override_reasons(path: Path | None = None) -> Reasons:
    data = _data("override_reasons.yaml", path)
    return Reasons(str(data["system"]), tuple(
        (str(r["code"]), str(r["en"]), str(r["ja"])) for r in data["reasons"]))


@dataclass(frozen=True)
class OrderCodes:
    actions: dict[tuple[str, str], str]
    system: str
    right: frozenset[str]
    left: frozenset[str]


@lru_cache(maxsize=4)
def order_codes(path: Path | None = None) -> OrderCodes:
    """The order-code table: the shipped order_codes.yaml, or the clinic's own file in its
    format (the `order_codes` setting), which replaces it. Checked whole: a ValueError lists
    every problem, each with its line (the service refuses to start on one)."""
    where = str(path) if path else "order_codes.yaml"
    raw = path.read_bytes() if path else resources.files(__package__).joinpath(
        "order_codes.yaml").read_bytes()
    data = load_yaml(raw)
    problems = _order_code_problems(data)
    if problems:
        raise ValueError(f"{where}: " + "; ".join(problems))
    data = plain(data)
    actions = {(c["system"], c["code"]): c["action"] for c in data["codes"]}
    lat = data["laterality"]
    return OrderCodes(actions, lat["system"], frozenset(lat["right"]), frozenset(lat["left"]))


def _is_text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _order_code_problems(data: Any) -> list[str]:
    """What is wrong with an order-code table, each problem with its line."""
    from ..rulebook.parse import suggest

    if not isinstance(data, Marked):
        return ["must be a mapping with `codes` and `laterality`"]
    out = [f"line {data.where(k)[0]}: unknown key '{k}' (the keys are codes, laterality)"
           for k in data if k not in ("codes", "laterality")]
    codes = data.get("codes")
    if not isinstance(codes, MarkedList):
        out.append(f"line {data.where('codes')[0]}: codes: must be a list of entries"
                   if "codes" in data else "codes: missing (a list, which may be empty)")
        codes = MarkedList()
    seen: dict[tuple[str, str], int] = {}
    for n, entry in enumerate(codes):
        line = codes.item_marks[n][0]
        at = f"line {line}: codes[{n}]"
        if not isinstance(entry, Marked):
            out.append(f"{at}: must be a mapping of system, code, action, source")
            continue
        out += [f"line {entry.where(k)[0]}: codes[{n}]: unknown key '{k}'"
                for k in entry if k not in ("system", "code", "action", "source")]
        out += [f"{at}: {k}: required (text)" for k in ("system", "code", "action", "source")
                if not _is_text(entry.get(k))]
        action = entry.get("action")
        if _is_text(action) and action not in v.ACTIONS:
            out.append(f"line {entry.where('action')[0]}: codes[{n}]: unknown action "
                       f"'{action}'{suggest(str(action), v.ACTIONS)}")
        key = (entry.get("system"), entry.get("code"))
        if _is_text(key[0]) and _is_text(key[1]):
            if key[0] == ACTION_SYSTEM:
                out.append(f"{at}: {ACTION_SYSTEM} is always read as careflow's own action "
                           "codes: list other systems only")
            elif key in seen:
                out.append(f"{at}: {key[0]}|{key[1]} is listed twice (first at line "
                           f"{seen[key]})")
            seen.setdefault((str(key[0]), str(key[1])), line)
    lat = data.get("laterality")
    if not isinstance(lat, Marked):
        out.append(f"line {data.where('laterality')[0]}: laterality: must be a mapping of "
                   "system, right, left" if "laterality" in data else
                   "laterality: missing (system, right, left)")
        return out
    out += [f"line {lat.where(k)[0]}: laterality: unknown key '{k}'"
            for k in lat if k not in ("system", "right", "left")]
    if not _is_text(lat.get("system")):
        out.append(f"line {lat.line}: laterality: system: required (text)")
    for side in ("right", "left"):
        values = lat.get(side)
        if not isinstance(values, list) or not all(_is_text(x) for x in values):
            out.append(f"line {lat.where(side)[0]}: laterality: {side}: must be a list of "
                       "codes (text)")
    right, left = lat.get("right"), lat.get("left")
    if isinstance(right, list) and isinstance(left, list):
        both = sorted(set(map(str, right)) & set(map(str, left)))
        if both:
            out.append(f"line {lat.line}: laterality: {', '.join(both)} both right and left")
    return out


@dataclass(frozen=True)
class Shown:
    """A card and what is behind it: the deciding rule, every rule with a say, the item."""

    card: dict[str, Any]
    rule: str | None = None
    rules: tuple[str, ...] = ()
    action: str | None = None
    side: str | None = None
    status: str | None = None


def _finish(card: dict[str, Any], hook_instance: str, book_url: str | None, rule: str | None,
            reasons: Reasons, lang: str) -> dict[str, Any]:
    card = dict(card)
    card["uuid"] = str(uuid.uuid5(_NAMESPACE, f"{hook_instance}|{card['uuid']}"))
    if "suggestions" in card:  # unique to the call too: feedback names accepted ones
        card["suggestions"] = [
            dict(s, uuid=str(uuid.uuid5(_NAMESPACE, f"{hook_instance}|{s['uuid']}")))
            for s in card["suggestions"]]
    if book_url and rule:
        links = list(card.get("links", ()))
        links.insert(0, {"label": _w("book", lang).format(rule=rule),
                         "url": f"{book_url}/{lang}#rule-{rule}", "type": "absolute"})
        card["links"] = links
    codings = reasons.codings(lang)
    if codings:
        card["overrideReasons"] = codings
    return card


def _item_rules(item: Item) -> tuple[str, ...]:
    return tuple(dict.fromkeys([item.rule, *(c.rule for c in item.other_rules)]))


def plan_cards(plan: Plan, lang: str, hook_instance: str, book_url: str | None,
               reasons: Reasons) -> list[Shown]:
    """patient-view: the plan as cards, in the order of `cds_hooks.to_cards`."""
    out: list[Shown] = []
    if plan.questions_open:
        out.append(Shown(_finish(cds_hooks.questions_card(plan, lang), hook_instance,
                                 None, None, reasons, lang)))
    for item in plan.items:
        out.append(Shown(_finish(cds_hooks.card(item, plan, lang), hook_instance, book_url,
                                 item.rule, reasons, lang),
                         item.rule, _item_rules(item), item.action, item.side, item.status))
    if plan.considered:
        rules = tuple(dict.fromkeys(c.rule for c in plan.considered))
        out.append(Shown(_finish(cds_hooks.considered_card(plan, lang), hook_instance,
                                 None, None, reasons, lang), None, rules))
    return out


# --- order-sign --------------------------------------------------------------------------
@dataclass(frozen=True)
class Order:
    ref: str | None  # "ServiceRequest/123"
    text: str
    action: str | None
    side: str | None


def _codings(value: Any) -> list[dict[str, Any]]:
    if isinstance(value, dict):
        return [c for c in value.get("coding") or () if isinstance(c, dict)]
    return []


def _text(resource: Mapping[str, Any], concept: Any) -> str:
    if isinstance(concept, dict):
        if isinstance(concept.get("text"), str) and concept["text"]:
            return str(concept["text"])
        for c in _codings(concept):
            if c.get("display") or c.get("code"):
                return str(c.get("display") or c.get("code"))
    return str(resource.get("resourceType"))


def _side_of(resource: Mapping[str, Any], codes: OrderCodes) -> str | None:
    concepts = list(resource.get("bodySite") or ())
    concepts += [p.get("valueCodeableConcept") for p in resource.get("parameter") or ()
                 if isinstance(p, dict)]
    words = {label("side", s, lang): s for s in v.SIDES for lang in ("en", "ja")}
    found: set[str] = set()
    for concept in concepts:
        for c in _codings(concept):
            if c.get("system") == codes.system:
                if c.get("code") in codes.right:
                    found.add("right")
                if c.get("code") in codes.left:
                    found.add("left")
        if isinstance(concept, dict) and concept.get("text") in words:
            found.add(words[concept["text"]])
    return found.pop() if len(found) == 1 else None


def read_orders(draft: Any, codes: OrderCodes | None = None) -> list[Order]:
    """The draft orders of an order-sign context (a Bundle), each read for action and leg
    (with `codes`, the clinic's order-code table; else the shipped one)."""
    if not isinstance(draft, dict) or draft.get("resourceType") != "Bundle":
        raise BadRequest("context.draftOrders: must be a FHIR Bundle")
    codes = codes or order_codes()
    out = []
    for n, entry in enumerate(draft.get("entry") or ()):
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if not isinstance(resource, dict):
            raise BadRequest(f"context.draftOrders.entry[{n}]: an entry without a resource")
        rtype = resource.get("resourceType")
        if rtype not in ORDER_TYPES:
            continue
        concept = next((resource[f] for f in CODE_FIELDS if f in resource), None)
        action = None
        for c in _codings(concept):
            system, code = c.get("system"), c.get("code")
            if system == ACTION_SYSTEM and code in v.ACTIONS:
                action = str(code)
            elif (system, code) in codes.actions:
                action = codes.actions[(str(system), str(code))]
            if action:
                break
        rid = resource.get("id")
        out.append(Order(f"{rtype}/{rid}" if isinstance(rid, str) and rid else None,
                         _text(resource, concept), action, _side_of(resource, codes)))
    return out


def _order_card(order: Order, item: Item | None, side: str | None, plan: Plan, lang: str,
                n: int, given_side: bool) -> dict[str, Any] | None:
    assert order.action is not None
    what = item_with_side(order.action, side, lang)
    if item is not None and item.status in ("recommended", "option"):
        return None
    if item is None:
        card: dict[str, Any] = {
            "uuid": f"order|{n}|{side}",
            "summary": _w("not_in_plan", lang).format(what=what),
            "indicator": "info",
            "detail": _w("not_in_plan_detail", lang),
            "source": {"label": f"{plan.protocol.name} {plan.protocol.version}"},
        }
    else:
        card = cds_hooks.card(item, plan, lang)
        card["uuid"] = f"order|{n}|{card['uuid']}"
        card["summary"] = _w("order_vs", lang).format(
            what=what, status=label("status", item.status, lang))
        card["summary"] += reason_suffix(item.reason_code, lang)
        card["indicator"] = {"contraindicated": "critical", "not_recommended": "warning",
                             "deferred": "warning"}.get(item.status, "info")
    if len(card["summary"]) > cds_hooks.SUMMARY_MAX:
        card["summary"] = card["summary"][:cds_hooks.SUMMARY_MAX - 1] + "…"
    head = f"**{_w('order', lang)}**{colon(lang)}{cds_hooks.markdown_text(order.text)}"
    if not given_side:
        head += paren(_w("no_leg", lang).format(side=label("side", side, lang)), lang)
    card["detail"] = head + "\n\n" + card["detail"]
    if order.ref and card["indicator"] != "info":
        card["suggestions"] = [{
            "label": _w("remove", lang),
            "uuid": str(uuid.uuid5(_NAMESPACE, f"{card['uuid']}|remove")),
            "actions": [{"type": "delete",
                         "description": _w("remove_what", lang).format(ref=order.ref),
                         "resourceId": order.ref}],
        }]
        card["selectionBehavior"] = "at-most-one"
    return card


def order_cards(plan: Plan, orders: Sequence[Order], lang: str, hook_instance: str,
                book_url: str | None, reasons: Reasons) -> list[Shown]:
    """order-sign: a card per draft order that careflow's plan does not support, and one
    card listing the orders it could not check."""
    out: list[Shown] = []
    unchecked = []
    for n, order in enumerate(orders):
        if order.action is None:
            unchecked.append(order)
            continue
        sides: list[str | None] = [order.side] if order.side else (
            [i.side for i in plan.items if i.action == order.action] or [None])
        for side in sides:
            item = next((i for i in plan.items
                         if i.action == order.action and i.side == side), None)
            card = _order_card(order, item, side, plan, lang, n, order.side is not None)
            if card is None:
                continue
            rule = item.rule if item else None
            out.append(Shown(_finish(card, hook_instance, book_url, rule, reasons, lang),
                             rule, _item_rules(item) if item else (), order.action, side,
                             item.status if item else None))
    if unchecked:
        card = {
            "uuid": "orders-unchecked",
            "summary": _w("unchecked", lang).format(n=len(unchecked)),
            "indicator": "info",
            "detail": _w("unchecked_detail", lang) + "\n\n" + "\n".join(
                f"- {cds_hooks.markdown_text(o.text)}" + (f" (`{o.ref}`)" if o.ref else "")
                for o in unchecked),
            "source": {"label": f"{plan.protocol.name} {plan.protocol.version}"},
        }
        out.append(Shown(_finish(card, hook_instance, None, None, reasons, lang)))
    return out


def mapping_card(plan: Plan, lang: str) -> dict[str, Any] | None:
    """One `info` card for what the FHIR data did not give: codes careflow does not
    recognise, resources set aside and facts left unknown, each with why
    (`careflow.export.words.mapping_lines`, docs/fhir-in.md#report)."""
    lines = mapping_lines(plan, lang)[1:]  # without the text format's heading
    if not lines:
        return None
    key = f"{plan.protocol.digest}|{plan.patient_id}|{plan.assessed_on}|mapping"
    return {
        "uuid": str(uuid.uuid5(_NAMESPACE, key)),
        "summary": say("hooks.mapping", lang, n=len(lines)),
        "indicator": "info",
        "detail": "\n".join("- " + cds_hooks.markdown_text(line.removeprefix("- "))
                            for line in lines),
        "source": {"label": f"{plan.protocol.name} {plan.protocol.version}"},
    }


def prune(value: Any) -> Any:
    """A JSON value without null or empty members (CDS Hooks 2.0: "JSON elements SHALL NOT
    be null or empty"): None, "", [] and {} are dropped from objects and arrays."""
    if isinstance(value, dict):
        out = {k: prune(x) for k, x in value.items()}
        return {k: x for k, x in out.items() if x not in (None, "", [], {})}
    if isinstance(value, list):
        items = [prune(x) for x in value]
        return [x for x in items if x not in (None, "", [], {})]
    return value


# --- one call, in a worker ---------------------------------------------------------------
def compute(task: Mapping[str, Any], book: Any) -> dict[str, Any]:
    """One call's cards: the bundle mapped to a Patient (careflow.fhir_in), evaluated with
    the worker's rule book, turned into cards. InputError and EngineError pass through."""
    import datetime as dt

    from ..evaluate import evaluate
    from ..fhir_in import attach, from_bundle

    mapping = from_bundle(task["bundle"], assessed_on=dt.date.fromisoformat(
        task["assessed_on"]))
    plan = attach(evaluate(mapping.patient, book), mapping.report)
    lang = task["lang"]
    reasons = override_reasons(Path(task["override_reasons"]) if task.get(
        "override_reasons") else None)
    if task["hook"] == "order-sign":
        orders = [Order(**o) for o in task["orders"]]
        shown = order_cards(plan, orders, lang, task["hook_instance"], task["book_url"],
                            reasons)
    else:
        shown = plan_cards(plan, lang, task["hook_instance"], task["book_url"], reasons)
        notes = mapping_card(plan, lang)
        if notes is not None:
            shown.append(Shown(_finish(notes, task["hook_instance"], None, None, reasons,
                                       lang)))
    return {
        "cards": [prune(s.card) for s in shown],
        "shown": [{"uuid": s.card["uuid"], "rule": s.rule, "rules": list(s.rules),
                   "action": s.action, "side": s.side, "status": s.status,
                   "indicator": s.card["indicator"]} for s in shown],
        "patient_id": plan.patient_id,
        "digest": plan.protocol.digest,
        "careflow": plan.protocol.careflow,
    }
