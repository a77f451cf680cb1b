"""The plan document (docs/plan.md): Plan, Item, Reason, Evidence; ordering; JSON."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from . import vocabulary as v
from .provenance import MappingReport


def _absent(value: Any) -> bool:
    return value is None


# Where a fact came from, on plans made from a FHIR bundle only (docs/fhir-in.md#report);
# left out of the JSON otherwise, so that every other plan is what it was.
_SOURCE = Field(default=None, exclude_if=_absent,
                description="the resources the fact came from (plans made from a FHIR bundle)")


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Reason(_Frozen):
    """A fact that made a rule fire, with its value.

    `kind` says what the fact is: `input` (a value of the patient document, `fact` is its
    path), `finding` or `claim` (a derived fact, by name). `via` is the chain of derived
    facts it reached the rule through, nearest first ("venous_disease", "not knee_oa")."""

    kind: str = "input"
    fact: str
    value: Any
    via: tuple[str, ...] = ()
    source: tuple[str, ...] | None = _SOURCE


class Check(_Frozen):
    """A contraindication rule and one fact it read: refuted (`checked`: the value shows why
    it does not apply) or undecided (`unchecked`: the value is unknown)."""

    rule: str
    fact: str
    value: Any = None
    source: tuple[str, ...] | None = _SOURCE


class Evidence(_Frozen):
    source: str
    citation: str | None = Field(default=None, description="authors, title, journal or body, year")
    doi: str | None = None
    pmid: str | None = None
    grade: str
    url: str | None = None
    verification: str = Field(description="V verified, S secondary, U unverified")
    note: str = ""


class Contribution(_Frozen):
    """Another rule's say on the same item: a losing claim, a hold, or an annotation."""

    rule: str
    effect: str  # claim | hold | annotate
    status: str | None = None
    reason_code: str | None = None
    reasons: tuple[Reason, ...] = ()


class Unmet(_Frozen):
    """A fact an item's rule needed and did not get: its value and what the rule needs."""

    fact: str
    value: Any
    needs: str


class Change(_Frozen):
    """One actionable fact a why-not answer changes (docs/why-not.md): where it is in the
    patient document, its value now, the value the engine was run with, and what it needs
    ("> 500", ">= 1 and <= 3", "+3 weeks", "<= 26.9")."""

    fact: str
    value: Any
    becomes: Any
    needs: str


class Availability(_Frozen):
    """What would make an item recommended or an option (docs/why-not.md): the smallest change
    of actionable facts and the status the engine then gives (`status`), or, when no change
    of them can, `status` None and the rule that decides the item (`rule`)."""

    status: str | None
    changes: tuple[Change, ...] = ()
    rule: str | None = None


class Considered(_Frozen):
    """A treatment the protocol looked at for this side and did not put in the plan, missing
    by one or two conditions: what was not met (`unmet`), or which facts are unknown; and,
    filled only by the why-not pass (careflow.prove.plan_with_why_not), what would make it
    available (`would_make_available`, left out of the JSON otherwise)."""

    action: str
    side: str | None
    rule: str
    unmet: tuple[Unmet, ...] = ()
    unknown: tuple[str, ...] = ()
    would_make_available: Availability | None = Field(
        default=None, exclude_if=_absent,
        description="the smallest change of actionable facts that makes the item recommended "
                    "or an option, filled by the why-not pass (docs/why-not.md)")


class Item(_Frozen):
    """One proposal of the plan for one (action, side): its status with the rule that decided
    it, the reasons (the patient's facts behind it), what was checked and not, the detail,
    precautions, disclosures and evidence (docs/plan.md#item)."""

    action: str
    kind: v.Kind
    side: v.Side | None
    track: v.Track
    phase: v.Phase
    coverage: v.Coverage | None
    status: v.Status
    detail: dict[str, Any] = {}
    rule: str
    title: str = ""
    reasons: tuple[Reason, ...]
    checked: tuple[Check, ...] = ()
    unchecked: tuple[Check, ...] = ()
    evidence: tuple[Evidence, ...] = ()
    precautions: tuple[str, ...] = ()
    reason_code: str | None = None
    urgency: v.Urgency | None = None
    disclosures: tuple[str, ...] = ()
    other_rules: tuple[Contribution, ...] = ()


class Finding(_Frozen):
    """A derived finding (docs/protocol.md#findings) with the rules and facts behind it."""

    name: str
    side: str | None
    rules: tuple[str, ...]
    reasons: tuple[Reason, ...]


class Protocol(_Frozen):
    """The rule set that made a plan: its name and version, the sha256 digest of its files,
    parameters, careflow's version and fact vocabulary, and careflow's version."""

    name: str
    version: str
    digest: str
    careflow: str


class Plan(_Frozen):
    patient_id: str
    assessed_on: dt.date
    protocol: Protocol
    review_after_weeks: int
    items: tuple[Item, ...]
    considered: tuple[Considered, ...] = ()
    questions_open: tuple[v.Question, ...] = ()
    findings: tuple[Finding, ...] = ()
    mapping: MappingReport | None = Field(
        default=None, exclude_if=_absent,
        description="how the patient was read from a FHIR bundle (docs/fhir-in.md#report)")

    def to_json(self) -> str:
        """Byte-identical for the same patient and rules."""
        return self.model_dump_json(indent=2) + "\n"

    def for_side(self, side: str | None) -> tuple[Item, ...]:
        return tuple(i for i in self.items if i.side == side)

    def item(self, action: str, side: str | None = None) -> Item | None:
        """The plan's item for (action, side), or None. `side` None asks for the whole-patient
        item; asking so for an action the plan has only on legs is a UsageError (name the
        leg), never a silent None."""
        found = next((i for i in self.items if i.action == action and i.side == side), None)
        if found is None and side is None:
            legs = sorted({i.side for i in self.items if i.action == action and i.side})
            if legs:
                from .errors import UsageError

                raise UsageError(f"{action} is a leg item in this plan: give side= one of "
                                 + ", ".join(repr(s) for s in legs))
        return found


_KIND_GROUP = {"referral": 0, "assessment": 1, "treatment": 2, "advice": 3}
_TRACK = {t: i for i, t in enumerate(("safety", "knee", "vein", "general"))}
_PHASE = {p: i for i, p in enumerate(v.PHASES)}
_SIDE = {"right": 0, "left": 1, None: 2}


def clinical_order(item: Item) -> tuple[Any, ...]:
    """Safety first, then assessment, then treatment by track and phase, then advice."""
    return (
        _KIND_GROUP[item.kind], _TRACK[item.track], _PHASE[item.phase], _SIDE[item.side],
        v.ACTION_ORDER[item.action],
    )


_SHARED: dict[tuple[Any, ...], Any] = {}
_SHARED_MAX = 50_000


def shared_reason(kind: str, fact: str, value: Any, via: tuple[str, ...]) -> Reason:
    """A Reason, built once per process for each distinct (kind, fact, value, via): plans
    repeat the same reasons, and the models are frozen, so they can be shared."""
    key = ("r", kind, fact, repr(value), via)
    found = _SHARED.get(key)
    if found is None:
        if len(_SHARED) >= _SHARED_MAX:
            _SHARED.clear()
        found = _SHARED[key] = Reason.model_construct(kind=kind, fact=fact, value=value,
                                                      via=via)
    return found


def shared_check(rule: str, fact: str, value: Any) -> Check:
    """A Check, shared like `shared_reason`."""
    key = ("c", rule, fact, repr(value))
    found = _SHARED.get(key)
    if found is None:
        if len(_SHARED) >= _SHARED_MAX:
            _SHARED.clear()
        found = _SHARED[key] = Check.model_construct(rule=rule, fact=fact, value=value)
    return found


def unique(reasons: Iterable[Reason]) -> tuple[Reason, ...]:
    """Reasons without repeats, first occurrence kept (values may be unhashable)."""
    seen: dict[tuple[str, str, tuple[str, ...]], Reason] = {}
    for r in reasons:
        seen.setdefault((r.fact, repr(r.value), r.via), r)
    return tuple(seen.values())
