"""Patient -> entity facts: the vocabulary rules may use (style principle 1).

One entity for the patient and one per leg (the leg entity repeats the patient's facts so that
a leg rule reads one entity, not a join), each a mapping of fact names to values. An unknown
measurement is None: the condition algebra (careflow.logic) makes every comparison on it
unknown, so unknown is never treated as normal.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from . import vocabulary as v
from .model import FERTILE_AGES, HistoryEntry, Leg, Patient

Source = Callable[[Patient, Leg | None], tuple[str, Any]]


@dataclass(frozen=True)
class FactSpec:
    """One name a rule may test, with its type and where its value comes from."""

    name: str
    scope: str  # "patient" (also on every leg fact) or "leg"
    type: str  # "bool" | "number" | "enum"
    get: Callable[[Patient, Leg | None], Any]
    source: Source
    nullable: bool = False
    values: tuple[str, ...] = ()
    text: str = ""



FACTS: dict[str, FactSpec] = {}
_FAILED = ("none", "partial", "not_tolerated")
_INEFFECTIVE = ("none", "not_tolerated")


def _add(spec: FactSpec) -> None:
    FACTS[spec.name] = spec


def _leg_path(leg: Leg | None, rest: str) -> str:
    return f"legs.{leg.side if leg else '?'}.{rest}"


def _patient(name: str, type_: str, get: Callable[[Patient], Any], *, path: str | None = None,
             nullable: bool = False, values: tuple[str, ...] = (), text: str = "") -> None:
    p = path or name
    _add(FactSpec(name, "patient", type_, lambda pt, _leg: get(pt),
                  lambda pt, _leg: (p, get(pt)), nullable, values, text))


def _leg(name: str, type_: str, get: Callable[[Leg], Any], path: str, *, nullable: bool = False,
         values: tuple[str, ...] = (), text: str = "") -> None:
    _add(FactSpec(name, "leg", type_, lambda _pt, leg: get(leg) if leg else None,
                  lambda _pt, leg: (_leg_path(leg, path), get(leg) if leg else None),
                  nullable, values, text))


# --- the patient --------------------------------------------------------------------
_patient("age", "number", lambda p: p.age, text="age in years")
_patient("sex", "enum", lambda p: p.sex, values=v.SEXES)
_patient("bmi", "number", lambda p: p.bmi, nullable=True,
         text="body-mass index from height and weight")
def _pregnancy(p: Patient) -> bool | None:
    """Pregnancy as recorded; not recorded, it is unknown only where the document could have
    recorded it (a woman of FERTILE_AGES): for a man or outside those ages it is no pregnancy,
    never an unchecked contraindication (docs/patient.md#bad-input)."""
    if p.pregnant is not None:
        return p.pregnant
    lo, hi = FERTILE_AGES
    return None if p.sex == "female" and lo <= p.age <= hi else False


_patient("pregnant", "bool", _pregnancy, nullable=True, text="pregnancy")
_patient("egfr", "number", lambda p: p.egfr, nullable=True, text="eGFR, mL/min/1.73 m2")


def _answered(kind: str, code: str) -> Callable[[Patient], bool | None]:
    """`code` in an asked list: True/False, or None when the list was not asked."""
    implied = (code, *v.IMPLIED_CONDITIONS.get(code, ())) if kind == "conditions" else (code,)

    def has(p: Patient) -> bool | None:
        answer = getattr(p, kind)
        return None if answer is None else any(c in answer for c in implied)
    return has


def _answer_source(kind: str, code: str, has: Callable[[Patient], bool | None]) -> Source:
    def source(p: Patient, _leg: Leg | None) -> tuple[str, Any]:
        return (f"{kind}.{code}" if getattr(p, kind) is not None else kind), has(p)
    return source


for _kind, _prefix, _codes in (("conditions", "condition", v.CONDITIONS),
                               ("allergies", "allergy", v.ALLERGIES),
                               ("medications", "medication", v.MEDICATIONS)):
    for _code in _codes:
        _has = _answered(_kind, _code)
        _add(FactSpec(f"{_prefix}.{_code}", "patient", "bool",
                      lambda p, _l, h=_has: h(p),  # type: ignore[misc]
                      _answer_source(_kind, _code, _has), nullable=True,
                      text=f"{_prefix} {_code}"))
    _patient(f"{_kind}.asked", "bool",
             lambda p, k=_kind: getattr(p, k) is not None,  # type: ignore[misc]
             path=_kind, text=f"the {_kind} were asked")
for _name in ("smoker", "alcohol_drinks_per_week", "standing_hours_per_day",
              "sitting_hours_per_day", "sits_on_floor", "japanese_style_toilet",
              "sleeps_on_futon"):
    _patient(f"lifestyle.{_name}", "bool" if _name in (
        "smoker", "sits_on_floor", "japanese_style_toilet", "sleeps_on_futon") else "number",
        lambda p, n=_name: getattr(p.lifestyle, n))  # type: ignore[misc]
for _name in ("accepts_self_pay", "wants_further_improvement", "prefers_non_thermal"):
    _patient(f"preferences.{_name}", "bool", lambda p, n=_name: getattr(p.preferences, n))  # type: ignore[misc]

# --- a leg ----------------------------------------------------------------------------
_leg("side", "enum", lambda leg: leg.side, "side", values=v.SIDES)
_leg("abi", "number", lambda leg: leg.abi, "abi", nullable=True, text="ankle-brachial index")
_leg("toe_pressure_mmhg", "number", lambda leg: leg.toe_pressure_mmhg, "toe_pressure_mmhg",
     nullable=True, text="toe pressure, mmHg")
for _name in ("acute_ischemia_signs", "ischemic_rest_pain", "arterial_ulcer_or_gangrene"):
    _leg(_name, "bool", lambda leg, n=_name: getattr(leg, n), _name)  # type: ignore[misc]
_leg("wells_score", "number", lambda leg: leg.wells_score, "wells_score", nullable=True,
     text="DVT Wells score")
_leg("knee.examined", "bool", lambda leg: leg.knee is not None, "knee",
     text="the knee has a complaint")
_add(FactSpec("knee.painful", "leg", "bool",
              lambda _p, leg: bool(leg and leg.knee and leg.knee.painful),
              lambda _p, leg: (_leg_path(leg, "knee.pain_nrs"),
                               leg.knee.pain_nrs if leg and leg.knee else 0),
              text="knee pain of at least 1 out of 10"))
_leg("knee.pain_nrs", "number", lambda leg: leg.knee.pain_nrs if leg.knee else 0,
     "knee.pain_nrs", text="knee pain, 0-10")
for _p in v.PAIN_PATTERNS:
    _leg(f"knee.pain_pattern.{_p}", "bool",
         lambda leg, p=_p: bool(leg.knee and p in leg.knee.pain_pattern),  # type: ignore[misc]
         f"knee.pain_pattern.{_p}")
_leg("knee.kl_grade", "number", lambda leg: leg.knee.kl_grade if leg.knee else None,
     "knee.kl_grade", nullable=True, text="Kellgren-Lawrence grade")
_leg("knee.ottawa_positive", "bool", lambda leg: leg.knee.ottawa_positive if leg.knee else None,
     "knee.ottawa_positive", nullable=True, text="Ottawa knee rule findings")
for _name in ("hot_swollen_joint", "recent_trauma", "cannot_bear_weight", "fracture_excluded",
              "septic_arthritis_excluded", "prior_arthroplasty", "prior_knee_surgery"):
    _leg(f"knee.{_name}", "bool", lambda leg, n=_name: bool(leg.knee and getattr(leg.knee, n)),  # type: ignore[misc]
         f"knee.{_name}")
_add(FactSpec("veins.symptom_count", "leg", "number",
              lambda _p, leg: len(set(leg.veins.symptoms)) if leg and leg.veins else 0,
              lambda _p, leg: (_leg_path(leg, "veins.symptoms"),
                               list(leg.veins.symptoms) if leg and leg.veins else []),
              text="number of vein symptoms"))
_leg("veins.ceap_c", "number", lambda leg: leg.veins.ceap_c if leg.veins else None,
     "veins.ceap_c", nullable=True, text="CEAP clinical class")
for _name in ("bleeding", "superficial_thrombophlebitis"):
    _leg(f"veins.{_name}", "bool", lambda leg, n=_name: bool(leg.veins and getattr(leg.veins, n)),  # type: ignore[misc]
         f"veins.{_name}")
for _name in ("svt_length_cm", "svt_junction_distance_cm"):
    _leg(f"veins.{_name}", "number",
         lambda leg, n=_name: getattr(leg.veins, n) if leg.veins else None,  # type: ignore[misc]
         f"veins.{_name}", nullable=True)


def _days_since(p: Patient, day: dt.date | None) -> int | None:
    return None if day is None else (p.assessed_on - day).days


_add(FactSpec("veins.svt_days", "leg", "number",
              lambda p, leg: _days_since(p, leg.veins.svt_diagnosed_on)
              if leg and leg.veins else None,
              lambda p, leg: (_leg_path(leg, "veins.svt_diagnosed_on"),
                              leg.veins.svt_diagnosed_on.isoformat()
                              if leg and leg.veins and leg.veins.svt_diagnosed_on else None),
              nullable=True, text="days since the superficial vein thrombosis was diagnosed"))
_leg("duplex.done", "bool", lambda leg: bool(leg.veins and leg.veins.duplex), "veins.duplex",
     text="a duplex ultrasound is recorded")
_add(FactSpec("duplex.days", "leg", "number",
              lambda p, leg: _days_since(p, leg.veins.duplex.performed_on)
              if leg and leg.veins and leg.veins.duplex else None,
              lambda p, leg: (_leg_path(leg, "veins.duplex.performed_on"),
                              leg.veins.duplex.performed_on.isoformat()
                              if leg and leg.veins and leg.veins.duplex
                              and leg.veins.duplex.performed_on else None),
              nullable=True, text="days since the duplex ultrasound"))
for _name in ("gsv_reflux_ms", "ssv_reflux_ms", "aasv_reflux_ms", "deep_reflux_ms",
              "gsv_diameter_mm", "ssv_diameter_mm", "aasv_diameter_mm", "dvt"):
    _leg(f"duplex.{_name}", "bool" if _name == "dvt" else "number",
         lambda leg, n=_name: getattr(leg.veins.duplex, n)  # type: ignore[misc]
         if leg.veins and leg.veins.duplex else None,
         f"veins.duplex.{_name}", nullable=True)


# --- the history, per leg: one number per treatment (entries are not added together) -----
_RESPONSES = {
    "weeks": v.RESPONSES,  # the longest course, whatever its response
    "weeks_failed": _FAILED,  # none, partial or not tolerated
    "weeks_no_response": ("none",),
    "tried": v.RESPONSES,
    "not_tolerated": ("not_tolerated",),
}
_HISTORY_TEXT = {
    "weeks": "longest course, weeks",
    "weeks_failed": "longest course without good response, weeks",
    "weeks_no_response": "longest course with no response, weeks",
    "tried": "tried before",
    "not_tolerated": "not tolerated before",
}


def _entries(p: Patient, leg: Leg | None, codes: tuple[str, ...],
             responses: tuple[str, ...], vein: str | None = None
             ) -> list[tuple[int, HistoryEntry]]:
    return [
        (i, e) for i, e in enumerate(p.history)
        if e.treatment in codes and e.response in responses
        and (e.side is None or (leg is not None and e.side == leg.side))
        and (vein is None or e.vein is None or e.vein == vein)
    ]


def _history_source(codes: tuple[str, ...], responses: tuple[str, ...], name: str,
                    vein: str | None = None, shortest: bool = False) -> Source:
    def source(p: Patient, leg: Leg | None) -> tuple[str, Any]:
        found = sorted(_entries(p, leg, codes, responses, vein),
                       key=lambda ie: ((1 if shortest else -1) * ie[1].weeks, ie[0]))
        if not found:
            return f"history.{name}", None if shortest else (
                False if name.endswith(("tried", "not_tolerated", "treated")) else 0)
        i, e = found[0]
        return f"history[{i}]", e.model_dump(mode="json", exclude_none=True)
    return source


for _code in v.TREATMENT_CODES:
    for _suffix, _resp in _RESPONSES.items():
        _getter = (
            (lambda p, leg, c=_code, r=_resp: bool(_entries(p, leg, (c,), r)))
            if _suffix in ("tried", "not_tolerated")
            else (lambda p, leg, c=_code, r=_resp: max(
                (e.weeks for _, e in _entries(p, leg, (c,), r)), default=0))
        )
        _add(FactSpec(f"history.{_code}.{_suffix}", "leg",
                      "bool" if _suffix in ("tried", "not_tolerated") else "number",
                      _getter, _history_source((_code,), _resp, f"{_code}.{_suffix}"),
                      text=_HISTORY_TEXT[_suffix]))

_ENDOVENOUS = v.ACTION_GROUPS["endovenous"]
for _vein in v.VEINS:
    # an endovenous entry without `vein` treated the whole leg
    _add(FactSpec(f"history.endovenous.{_vein}_treated", "leg", "bool",
                  lambda p, leg, w=_vein: bool(_entries(p, leg, _ENDOVENOUS,  # type: ignore[misc]
                                                        v.RESPONSES, w)),
                  _history_source(_ENDOVENOUS, v.RESPONSES, f"endovenous.{_vein}_treated",
                                  _vein),
                  text=f"the {_vein.upper()} was treated endovenously before"))
_add(FactSpec("history.endovenous.weeks_since", "leg", "number",
              lambda p, leg: min((e.weeks for _, e in _entries(p, leg, _ENDOVENOUS,
                                                               v.RESPONSES)), default=None),
              _history_source(_ENDOVENOUS, v.RESPONSES, "endovenous.weeks_since",
                              shortest=True),
              nullable=True, text="weeks since the last endovenous treatment"))

PATIENT_FACTS = tuple(f for f in FACTS.values() if f.scope == "patient")
LEG_FACTS = tuple(f for f in FACTS.values() if f.scope == "leg")


@dataclass
class Entity:
    """One entity: the patient (side None) or a leg, with its fact values by name (only the
    facts some rule reads; an unknown value is None). It remembers where each value came
    from in the patient document, for the reasons of a plan."""

    kind: str  # "patient" | "leg"
    side: str | None
    attrs: dict[str, Any] = field(default_factory=dict)
    patient: Patient | None = field(default=None, repr=False, compare=False)
    _sources: dict[str, tuple[str, Any]] = field(default_factory=dict, repr=False, compare=False)

    def source(self, name: str) -> tuple[str, Any]:
        """(document path, value) of the fact `name` on this entity."""
        found = self._sources.get(name)
        if found is None:
            assert self.patient is not None
            leg = self.patient.leg(self.side) if self.side else None
            found = self._sources[name] = FACTS[name].source(self.patient, leg)
        return found


@lru_cache(maxsize=8)
def _wanted(used: frozenset[str] | None) -> tuple[tuple[FactSpec, ...], tuple[FactSpec, ...]]:
    def pick(specs: tuple[FactSpec, ...]) -> tuple[FactSpec, ...]:
        return tuple(s for s in specs if used is None or s.name in used)
    return pick(PATIENT_FACTS), pick(LEG_FACTS)


def entities(patient: Patient, used: frozenset[str] | None = None) -> list[Entity]:
    """The patient's entities, patient first then legs in document order.

    `used` limits the facts to those some rule reads: smaller facts, faster engine.
    """
    patient_specs, leg_specs = _wanted(used)
    base = {spec.name: spec.get(patient, None) for spec in patient_specs}
    out = [Entity("patient", None, dict(base), patient)]
    for leg in patient.legs:
        attrs = dict(base)
        for spec in leg_specs:
            attrs[spec.name] = spec.get(patient, leg)
        out.append(Entity("leg", leg.side, attrs, patient))
    return out
