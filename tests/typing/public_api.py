"""How careflow's public API looks to a downstream type checker (checked with mypy --strict
by tests/unit/test_typing.py; never run). Each assert_type pins one type: a change that makes
it Any, or str where a code type is promised, fails the check."""

from __future__ import annotations

from pathlib import Path
from typing import Literal, assert_type

import careflow
from careflow import (
    CareflowError,
    InputError,
    Patient,
    Plan,
    RulebookError,
    evaluate,
    load_rulebook,
    parse_patient,
    read_patient,
)
from careflow.plan import Check, Considered, Evidence, Item, Protocol, Reason

patient = read_patient(Path("examples/two-legs.yaml"))
assert_type(patient, Patient)
assert_type(parse_patient({"id": "P"}), Patient)
plan = evaluate(patient)
assert_type(plan, Plan)
assert_type(evaluate(patient, load_rulebook()), Plan)
assert_type(plan.protocol, Protocol)
assert_type(plan.protocol.digest, str)
assert_type(plan.review_after_weeks, int)
assert_type(plan.items, tuple[Item, ...])
assert_type(plan.considered, tuple[Considered, ...])
assert_type(plan.questions_open, tuple[Literal["conditions", "allergies", "medications"], ...])
item = plan.items[0]
assert_type(item.status, Literal["contraindicated", "not_recommended", "deferred",
                                 "recommended", "option", "next_step"])
assert_type(item.side, Literal["right", "left"] | None)
assert_type(item.kind, Literal["referral", "assessment", "treatment", "advice"])
assert_type(item.track, Literal["safety", "knee", "vein", "general"])
assert_type(item.phase, Literal["referral", "assessment", "conservative",
                                "venous_intervention", "self_pay"])
assert_type(item.coverage, Literal["insurance", "self_pay"] | None)
assert_type(item.urgency, Literal["emergency", "urgent", "routine"] | None)
assert_type(item.reasons, tuple[Reason, ...])
assert_type(item.checked, tuple[Check, ...])
assert_type(item.evidence, tuple[Evidence, ...])
assert_type(item.precautions, tuple[str, ...])
assert_type(plan.item("compression_stockings", "right"), Item | None)
assert_type(plan.to_json(), str)
assert_type(careflow.__version__, str)
assert issubclass(InputError, CareflowError) and issubclass(RulebookError, CareflowError)
