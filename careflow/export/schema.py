"""JSON Schema (draft 2020-12) of the patient document and of the plan, from the pydantic
models, so that clinic software in any language can validate before it calls careflow.

    >>> from careflow.export.schema import schema
    >>> schema("patient")["title"]
    'Patient'

The patient schema describes what careflow accepts (validation mode); the plan schema
describes what it produces (serialization mode, as `careflow plan --format json` prints it).
Two rules of the patient document (docs/patient.md) are not expressible by the models'
types and are added here: `pregnant: true` only with `sex: female`. One is left to careflow
itself: two legs may not have the same side (JSON Schema cannot say "unique by one
property").
"""

from __future__ import annotations

import json
from typing import Any

from .. import vocabulary as v
from ..model import Patient
from ..plan import Plan

DIALECT = "https://json-schema.org/draft/2020-12/schema"
NAMES = ("patient", "plan")


def patient_schema() -> dict[str, Any]:
    """The schema of the patient document (docs/patient.md), for validating input."""
    out: dict[str, Any] = {"$schema": DIALECT, "$id": "urn:careflow:schema:patient"}
    out.update(Patient.model_json_schema(mode="validation"))
    out["description"] = (
        "A patient document for careflow (docs/patient.md). A measurement left out or null "
        "is unknown, never normal. Also checked by careflow and not by this schema: the two "
        "legs have different sides.")
    # pregnant: true only for a female patient (docs/patient.md#bad-input)
    out["allOf"] = [{
        "if": {"properties": {"sex": {"const": "male"}}, "required": ["sex"]},
        "then": {"properties": {"pregnant": {"not": {"const": True}}}},
    }]
    return out


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
