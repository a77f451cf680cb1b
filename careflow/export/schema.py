"""JSON Schema (draft 2020-12) of the patient document and of the plan, from the pydantic
models, so that clinic software in any language can validate before it calls careflow.

    >>> from careflow.export.schema import schema
    >>> schema("patient")["title"]
    'Patient'

The patient schema describes what careflow accepts (validation mode); the plan schema
describes what it produces (serialization mode, as `careflow plan --format json` prints it).
The rules of the patient document (docs/patient.md#bad-input) that span fields are not
expressible by the models' types and are added here: `pregnant: true` only for a female aged
10-60, `breastfeeding` likewise, two legs never on the same side, a history entry's side
naming a leg that is in `legs`, `vein` only on an endovenous history entry. Two are left to
careflow itself, because JSON Schema cannot compute them: a BMI (from height and weight)
outside 10-80, and a document larger than 1 MB.
"""

from __future__ import annotations

import json
import sys
import unicodedata
from functools import lru_cache
from typing import Any

from .. import vocabulary as v
from ..model import DATE_PATTERN, FERTILE_AGES, Patient
from ..plan import Plan

DIALECT = "https://json-schema.org/draft/2020-12/schema"
NAMES = ("patient", "plan")


def patient_schema() -> dict[str, Any]:
    """The schema of the patient document (docs/patient.md), for validating input."""
    out: dict[str, Any] = {"$schema": DIALECT, "$id": "urn:careflow:schema:patient"}
    out.update(Patient.model_json_schema(mode="validation"))
    out["description"] = (
        "A patient document for careflow (docs/patient.md). A measurement left out or null "
        "is unknown, never normal; conditions, allergies or medications left out were not "
        "asked. Also checked by careflow and not by this schema: a BMI outside 10-80 and a "
        "document larger than 1 MB.")
    lo, hi = FERTILE_AGES
    fertile = {"properties": {"sex": {"const": "female"},
                              "age": {"minimum": lo, "maximum": hi}}, "required": ["sex", "age"]}
    breastfeeding = {"properties": {"conditions": {"contains": {"const": "breastfeeding"}}},
                     "required": ["conditions"]}
    out["allOf"] = [
        {"if": {"properties": {"pregnant": {"const": True}}, "required": ["pregnant"]},
         "then": fertile},
        {"if": breastfeeding, "then": fertile},
        # two legs never share a side (at most two legs, two sides: both orders spelled out)
        *({"not": {"properties": {"legs": {"prefixItems": [
            {"properties": {"side": {"const": side}}},
            {"properties": {"side": {"const": side}}}], "minItems": 2}}}}
          for side in v.SIDES),
        # a history entry's side names a leg that is in `legs`
        *({"if": {"not": {"properties": {"legs": {"contains": {
            "properties": {"side": {"const": side}}}}}}},
           "then": {"properties": {"history": {"items": {
               "properties": {"side": {"not": {"const": side}}}}}}}}
          for side in v.SIDES),
    ]
    # the id is printed: no control or format characters (the validator's own test)
    out["properties"]["id"]["pattern"] = f"^[^{_unprintable()}]*$"
    out["allOf"].append({"properties": {"id": {"pattern": r"\S"}}})  # not blank
    _bound_dates(out)
    entry = out["$defs"]["HistoryEntry"]
    entry["allOf"] = [{  # vein only on an endovenous entry
        "if": {"properties": {"vein": {"type": "string"}}, "required": ["vein"]},
        "then": {"properties": {"treatment": {"enum": list(v.ACTION_GROUPS["endovenous"])}}},
    }]
    return out


def _bound_dates(node: Any) -> None:
    """Every date field takes DATE_PATTERN: only the years careflow.model accepts."""
    if isinstance(node, dict):
        if node.get("format") == "date":
            node["pattern"] = DATE_PATTERN
        for child in node.values():
            _bound_dates(child)
    elif isinstance(node, list):
        for child in node:
            _bound_dates(child)


@lru_cache(maxsize=1)
def _unprintable() -> str:
    """A regular-expression class of the characters a patient id may not contain: those of
    Unicode categories Cc, Cf, Cs, Zl and Zp (careflow.model refuses the same)."""
    bad = [cp for cp in range(sys.maxunicode + 1)
           if unicodedata.category(chr(cp)) in ("Cc", "Cf", "Cs", "Zl", "Zp")]
    ranges, start, prev = [], bad[0], bad[0]
    for cp in [*bad[1:], -1]:
        if cp != prev + 1:
            ranges.append((start, prev))
            start = cp
        prev = cp

    def esc(cp: int) -> str:
        return f"\\u{cp:04x}" if cp <= 0xFFFF else f"\\U{cp:08x}"
    return "".join(esc(a) if a == b else f"{esc(a)}-{esc(b)}" for a, b in ranges)


def plan_schema() -> dict[str, Any]:
    """The schema of the plan document (docs/plan.md), as careflow serialises it."""
    out: dict[str, Any] = {"$schema": DIALECT, "$id": "urn:careflow:schema:plan"}
    out.update(Plan.model_json_schema(mode="serialization"))
    out["description"] = ("A justified treatment plan made by careflow (docs/plan.md): "
                          "the output of `careflow plan --format json`.")
    # The models type codes as text; docs/plan.md fixes their vocabulary: say so.
    item = out["$defs"]["Item"]["properties"]
    _enum(item, "action", tuple(v.ACTIONS))
    _enum(item, "kind", v.KINDS)
    _enum(item, "track", v.TRACKS)
    _enum(item, "phase", v.PHASES)
    _enum(item, "status", v.STATUSES)
    _enum(item, "side", v.SIDES, nullable=True)
    _enum(item, "coverage", v.COVERAGES, nullable=True)
    _enum(item, "urgency", v.URGENCIES, nullable=True)
    item["disclosures"]["items"] = {"type": "string", "enum": list(v.DISCLOSURES)}
    item["precautions"]["items"] = {"type": "string", "enum": list(v.PRECAUTIONS)}
    out["properties"]["questions_open"]["items"] = {"type": "string", "enum": list(v.QUESTIONS)}
    item["reasons"]["minItems"] = 1  # every item has at least one reason
    _enum(out["$defs"]["Evidence"]["properties"], "verification", ("V", "S", "U"))
    _enum(out["$defs"]["Finding"]["properties"], "side", v.SIDES, nullable=True)
    _enum(out["$defs"]["Contribution"]["properties"], "status", v.STATUSES, nullable=True)
    out["$defs"]["Protocol"]["properties"]["digest"]["pattern"] = "^sha256:[0-9a-f]{64}$"
    return out


def _enum(props: dict[str, Any], name: str, codes: tuple[str, ...],
          nullable: bool = False) -> None:
    """Narrow a text property to its codes (docs/plan.md) (keeping its title and description)."""
    keep = {k: props[name][k] for k in ("title", "description", "default") if k in props[name]}
    choice: dict[str, Any] = {"type": "string", "enum": list(codes)}
    props[name] = {**keep, **({"anyOf": [choice, {"type": "null"}]} if nullable else choice)}


def schema(name: str) -> dict[str, Any]:
    """`patient` or `plan`; a ValueError for any other name."""
    if name == "patient":
        return patient_schema()
    if name == "plan":
        return plan_schema()
    raise ValueError(f"unknown schema {name!r}: choose one of {', '.join(NAMES)}")


def schema_json(name: str) -> str:
    """The schema as indented JSON text with a final newline (stable across runs)."""
    return json.dumps(schema(name), indent=2, ensure_ascii=False) + "\n"
