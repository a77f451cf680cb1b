"""The resolver (architecture step 3): claims -> one item per (action, side).

The strongest status wins (contraindicated > not_recommended > deferred > recommended /
option > next_step); holds turn an item that would be recommended, an option or a next step
into deferred; annotations add detail to an item that could be offered. Nothing here creates an item
without a claim, and every losing say stays visible.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from . import vocabulary as v
from .plan import Check, Contribution, Evidence, Item, Reason, clinical_order, unique

Exclusions = Callable[[str, str | None], tuple[tuple[Check, ...], tuple[Check, ...]]]
"""(action, side) -> the item's `checked` and `unchecked`."""


@dataclass(frozen=True)
class Say:
    """One rule's contribution to one (action, side): claim, hold or annotate."""

    effect: str
    action: str
    side: str | None  # "*" for a hold on every side
    rule: str
    title: str
    priority: int
    reasons: tuple[Reason, ...]
    evidence: tuple[Evidence, ...]
    status: str | None = None
    detail: tuple[tuple[str, Any], ...] = ()
    reason_code: str | None = None
    urgency: str | None = None
    coverage: str | None = None
    disclosures: tuple[str, ...] = ()
    precautions: tuple[str, ...] = ()
    headline: int = 0  # the rule's place in vocabulary.HEADLINE (lower heads the item)

    def contribution(self) -> Contribution:
        return Contribution.model_construct(rule=self.rule, effect=self.effect, status=self.status,
                                            reason_code=self.reason_code, reasons=self.reasons)


def _claim_order(say: Say) -> tuple[Any, ...]:
    assert say.status is not None
    return (-v.STATUS_STRENGTH[say.status], v.STATUS_TIEBREAK[say.status], say.headline,
            say.priority, say.rule)


def _by_headline(say: Say) -> tuple[int, int, str]:
    return say.headline, say.priority, say.rule


def _by_rule(say: Say) -> tuple[int, str]:
    return say.priority, say.rule


def resolve(says: list[Say], exclusions: Exclusions | None = None) -> list[Item]:
    claims: dict[tuple[str, str | None], list[Say]] = {}
    holds: dict[str, list[Say]] = {}
    notes: dict[tuple[str, str | None], list[Say]] = {}
    for say in says:
        if say.effect == "claim":
            claims.setdefault((say.action, say.side), []).append(say)
        elif say.effect == "hold":
            holds.setdefault(say.action, []).append(say)
        else:
            notes.setdefault((say.action, say.side), []).append(say)
    items = []
    for (action, side), said in claims.items():
        group = _merge_same(sorted(said, key=_claim_order))
        winner, losers = group[0], group[1:]
        annotations = sorted(notes.get((action, side), []), key=_by_rule)
        held = sorted((h for h in holds.get(action, []) if h.side in ("*", side)),
                      key=_by_headline) \
            if winner.status in v.OFFERED and action not in v.NEVER_HELD else []
        spec = v.ACTIONS[action]
        status = "deferred" if held else winner.status or "recommended"
        detail: dict[str, Any] = {}
        precautions: set[str] = set()
        # an annotation's detail (a pressure, an agent) and its precautions are advice on
        # how to do the item: only for an item that could be offered, never for one on hold
        # or blocked. A list value (the target veins) gathers every rule's entries.
        for say in [winner, *(annotations if status in v.OFFERED else [])]:
            precautions.update(say.precautions)
            for key, value in say.detail:
                if isinstance(value, (list, tuple)):  # a fresh list: never the rule's own
                    gathered = detail.setdefault(key, [])
                    if isinstance(gathered, list):
                        gathered.extend(x for x in value if x not in gathered)
                else:
                    detail.setdefault(key, value)
        coverage = winner.coverage or next(
            (a.coverage for a in annotations if a.coverage), spec.coverage)
        disclosures = set(spec.disclosures)
        for a in annotations:
            disclosures.update(a.disclosures)
        decider = held[0] if held else winner
        others = ([winner] if held else []) + losers + held[1:] + annotations
        evidence = list({e.source: e for e in decider.evidence + winner.evidence}.values())
        checked, unchecked = exclusions(action, side) \
            if exclusions and status in v.OFFERED else ((), ())
        items.append(Item.model_construct(
            action=action, kind=spec.kind, side=side, track=spec.track, phase=spec.phase,
            coverage=coverage, status=status, checked=checked, unchecked=unchecked,
            detail=dict(sorted(detail.items())), rule=decider.rule, title=decider.title,
            reasons=decider.reasons, evidence=tuple(evidence),
            reason_code=decider.reason_code, urgency=_urgency(group, winner),
            precautions=tuple(p for p in v.PRECAUTIONS if p in precautions),
            disclosures=tuple(d for d in v.DISCLOSURES if d in disclosures),
            other_rules=tuple(o.contribution() for o in others),
        ))
    return sorted(items, key=clinical_order)


_URGENCY: dict[str, int] = {u: i for i, u in enumerate(v.URGENCIES)}


def _urgency(group: list[Say], winner: Say) -> str | None:
    """The most urgent of the claims that give the item its status: a duplex claimed both
    routinely and urgently (a suspected thrombosis) is urgent."""
    found = [s.urgency for s in group if s.status == winner.status and s.urgency]
    return min(found, key=_URGENCY.__getitem__) if found else None


def _merge_same(group: list[Say]) -> list[Say]:
    """One rule firing for both legs on a whole-patient item says the same thing twice:
    keep one say per rule, with the reasons of both."""
    merged: dict[tuple[str, str | None], Say] = {}
    for say in group:
        first = merged.get((say.rule, say.status))
        if first is None:
            merged[(say.rule, say.status)] = say
        else:
            reasons = unique(first.reasons + say.reasons)
            merged[(say.rule, say.status)] = Say(**{**first.__dict__, "reasons": reasons})
    return sorted(merged.values(), key=_claim_order)
