"""The patient model in SMT: every fact a rule reads, on the patient and on each leg, as a z3
variable with a "known" boolean, inside the bounds the patient model (careflow.model)
validates, with the cross-field rules that constrain which combinations a patient document
can have; and the way back, a z3 model -> a patient document that careflow.parse_patient
accepts.

Numbers are z3 integers on a decimal grid: an integer fact on 1, the BMI on 0.1 (the model
rounds it to one decimal), every other measurement on 10^-k where k is one more decimal than
any operand or bound the rule set uses. Every condition is a Boolean combination of
comparisons of one fact with constants, so each region the constants cut a fact's range into
(a point, or an open interval between two constants) holds a grid point: proving over the grid
is proving over every real value the model allows, and every counterexample is a decimal
that a patient document can write exactly.
"""

from __future__ import annotations

import datetime as dt
import itertools
import typing
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import z3
from annotated_types import Ge, Le
from pydantic import BaseModel

from .. import vocabulary as v
from ..facts import FACTS
from ..model import (
    BMI_RANGE,
    FERTILE_AGES,
    Duplex,
    HistoryEntry,
    Knee,
    Leg,
    Lifestyle,
    Patient,
    Veins,
)

SIDES: tuple[str, ...] = v.SIDES
ASSESSED_ON = dt.date(2026, 6, 1)
"""The assessment date of every counterexample (dates enter the rules only as differences)."""
DAYS_BOUND = 36_500
"""Days between two dates of one document: a century either way (the dates stay printable)."""

_FIELDS: dict[str, tuple[type[BaseModel], str]] = {
    "age": (Patient, "age"), "egfr": (Patient, "egfr"),
    "abi": (Leg, "abi"), "toe_pressure_mmhg": (Leg, "toe_pressure_mmhg"),
    "wells_score": (Leg, "wells_score"),
    "knee.pain_nrs": (Knee, "pain_nrs"), "knee.kl_grade": (Knee, "kl_grade"),
    "veins.ceap_c": (Veins, "ceap_c"), "veins.svt_length_cm": (Veins, "svt_length_cm"),
    "veins.svt_junction_distance_cm": (Veins, "svt_junction_distance_cm"),
}
for _name in ("alcohol_drinks_per_week", "standing_hours_per_day", "sitting_hours_per_day"):
    _FIELDS[f"lifestyle.{_name}"] = (Lifestyle, _name)
for _name in ("gsv_reflux_ms", "ssv_reflux_ms", "aasv_reflux_ms", "deep_reflux_ms",
              "gsv_diameter_mm", "ssv_diameter_mm", "aasv_diameter_mm"):
    _FIELDS[f"duplex.{_name}"] = (Duplex, _name)

ALWAYS = frozenset({"age", "sex", "conditions.asked", "allergies.asked", "medications.asked",
                    "knee.examined", "knee.pain_nrs", "duplex.done"})
"""Facts every encoding carries, read by a rule or not: what the others depend on."""

HISTORY_SUFFIXES = ("weeks", "weeks_failed", "weeks_no_response", "tried", "not_tolerated")


def _bounds(annotation: Any, metadata: list[Any]) -> tuple[bool, Fraction, Fraction]:
    """(integer?, minimum, maximum) of a pydantic field, read off its annotation."""
    lo = hi = None
    integer = False
    stack: list[Any] = [annotation, *metadata]
    while stack:
        item = stack.pop()
        if isinstance(item, Ge):
            lo = Fraction(str(item.ge))
        elif isinstance(item, Le):
            hi = Fraction(str(item.le))
        elif item is int:
            integer = True
        elif hasattr(item, "metadata") and not isinstance(item, type):
            stack.extend(item.metadata)
        stack.extend(typing.get_args(item))
    assert lo is not None and hi is not None, annotation
    return integer, lo, hi


def _field_bounds(model: type[BaseModel], name: str) -> tuple[bool, Fraction, Fraction]:
    info = model.model_fields[name]
    return _bounds(info.annotation, list(info.metadata))


@dataclass(frozen=True)
class NumSpec:
    integer: bool
    lo: Fraction
    hi: Fraction
    scale: int  # the value is n / scale


def num_spec(name: str, real_scale: int) -> NumSpec:
    """Type and bounds of a number fact, from the patient model."""
    if name in _FIELDS:
        integer, lo, hi = _field_bounds(*_FIELDS[name])
    elif name == "bmi":
        return NumSpec(False, Fraction(BMI_RANGE[0]), Fraction(BMI_RANGE[1]), 10)
    elif name == "veins.symptom_count":
        integer, lo, hi = True, Fraction(0), Fraction(len(v.VEIN_SYMPTOMS))
    elif name in ("duplex.days", "veins.svt_days"):
        integer, lo, hi = True, Fraction(-DAYS_BOUND), Fraction(DAYS_BOUND)
    elif name.startswith("history."):
        integer, lo, hi = _field_bounds(HistoryEntry, "weeks")
    else:
        raise KeyError(f"no bounds for number fact {name!r}")
    return NumSpec(integer, lo, hi, 1 if integer else real_scale)


def decimals(value: Any) -> int:
    """Decimal places of a number as written (0.6 -> 1)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return 0
    text = repr(float(value)) if isinstance(value, float) else str(value)
    return len(text.split(".")[1].rstrip("0")) if "." in text else 0


@dataclass
class Var:
    """One fact on one entity: its value and whether it is known."""

    name: str
    type: str  # "bool" | "number" | "enum"
    value: Any  # z3 Bool (bool), Int (number: n / spec.scale), Bool "is the first value" (enum)
    known: Any  # z3 Bool, or True for a fact that is never unknown
    spec: NumSpec | None = None


def _shown(value: Any) -> bool:
    """Whether a document writes the value: known, and not a false flag (0 is written)."""
    return value is not None and value is not False


class Domain:
    """The z3 variables of one patient with up to two legs, and the model's constraints."""

    def __init__(self, facts: frozenset[str], real_scale: int) -> None:
        facts = facts | ALWAYS
        self.facts = facts
        self.real_scale = real_scale
        self.constraints: list[Any] = []
        self.present: dict[str, Any] = {side: z3.Bool(f"leg_{side}") for side in SIDES}
        self.constraints.append(z3.Or(*self.present.values()))
        self.patient: dict[str, Var] = {}
        self.legs: dict[str, dict[str, Var]] = {side: {} for side in SIDES}
        self.female = z3.Bool("female")
        for name in sorted(facts):
            spec = FACTS[name]
            if spec.scope == "patient":
                self.patient[name] = self._var(name, "")
            else:
                for side in SIDES:
                    self.legs[side][name] = self._var(name, side)
        self._patient_rules()
        for side in SIDES:
            self._leg_rules(side)

    # -- variables ---------------------------------------------------------------------
    def _var(self, name: str, side: str) -> Var:
        spec = FACTS[name]
        tag = f"{side}.{name}" if side else name
        known: Any = z3.Bool(f"known:{tag}") if spec.nullable else z3.BoolVal(True)
        if name == "side":
            return Var(name, "enum", z3.BoolVal(side == SIDES[0]), known)
        if name == "sex":
            return Var(name, "enum", self.female, known)
        if spec.type == "bool":
            return Var(name, "bool", z3.Bool(tag), known)
        if spec.type == "number":
            num = num_spec(name, self.real_scale)
            n = z3.Int(tag)
            self.constraints.append(z3.Implies(
                known, z3.And(n * num.lo.denominator >= num.lo.numerator * num.scale,
                               n * num.hi.denominator <= num.hi.numerator * num.scale)))
            self.constraints.append(z3.Implies(z3.Not(known), n == 0))
            return Var(name, "number", n, known, num)
        raise TypeError(f"fact {name!r} of type {spec.type!r}")

    def var(self, name: str, side: str | None) -> Var:
        """The fact `name` on the patient (side None) or a leg (a leg repeats the patient's)."""
        if name in self.patient:
            return self.patient[name]
        assert side is not None, name
        return self.legs[side][name]

    def get(self, name: str, side: str | None) -> Var | None:
        if name in self.patient:
            return self.patient[name]
        return self.legs[side].get(name) if side is not None else None

    # -- the model's rules -----------------------------------------------------------------
    def _add(self, *cs: Any) -> None:
        self.constraints.extend(cs)

    def _patient_rules(self) -> None:
        p = self.patient
        for kind, prefix, codes in (("conditions", "condition", v.CONDITIONS),
                                    ("allergies", "allergy", v.ALLERGIES),
                                    ("medications", "medication", v.MEDICATIONS)):
            asked = p[f"{kind}.asked"]
            for code in codes:
                fact = p.get(f"{prefix}.{code}")
                if fact is not None:  # an unasked list: every code unknown; asked: all known
                    self._add(fact.known == asked.value)
        for code, implied in v.IMPLIED_CONDITIONS.items():
            outer = p.get(f"condition.{code}")
            for inner_code in implied:
                inner = p.get(f"condition.{inner_code}")
                if outer is not None and inner is not None:
                    self._add(z3.Implies(z3.And(inner.known, inner.value), outer.value))
        age = p.get("age")
        lo, hi = FERTILE_AGES
        fertile = z3.And(age.value >= lo, age.value <= hi) if age else z3.BoolVal(True)
        pregnant = p.get("pregnant")
        if pregnant is not None:
            self._add(z3.Implies(z3.And(pregnant.known, pregnant.value),
                                 z3.And(self.female, fertile)))
            self._add(z3.Implies(z3.Not(pregnant.known), z3.Not(pregnant.value)))
            # unrecorded, pregnancy is unknown only for a woman of fertile age (careflow.facts)
            self._add(z3.Implies(z3.Not(pregnant.known), z3.And(self.female, fertile)))
        feeding = p.get("condition.breastfeeding")
        if feeding is not None:
            self._add(z3.Implies(z3.And(feeding.known, feeding.value),
                                 z3.And(self.female, fertile)))
        for var in p.values():
            if var.type == "bool" and not z3.is_true(var.known):
                self._add(z3.Implies(z3.Not(var.known), z3.Not(var.value)))

    def _leg_rules(self, side: str) -> None:
        leg = self.legs[side]

        def fact(name: str) -> Var | None:
            return leg.get(name)

        examined = fact("knee.examined")
        for name, var in leg.items():
            if var.type == "bool" and not z3.is_true(var.known):
                self._add(z3.Implies(z3.Not(var.known), z3.Not(var.value)))
            if name.startswith("knee.") and name != "knee.examined" and examined is not None:
                default = (var.value == 0 if var.type == "number" else z3.Not(var.value)) \
                    if not name.endswith(("kl_grade", "ottawa_positive")) \
                    else z3.Not(var.known)
                self._add(z3.Implies(z3.Not(examined.value), default))
        painful, nrs = fact("knee.painful"), fact("knee.pain_nrs")
        if painful is not None and nrs is not None:
            self._add(painful.value == (nrs.value >= 1))
        elif painful is not None and examined is not None:
            self._add(z3.Implies(painful.value, examined.value))
        done = fact("duplex.done")
        for name, var in leg.items():
            if name.startswith("duplex.") and name != "duplex.done" and done is not None:
                self._add(z3.Implies(z3.Not(done.value), z3.Not(var.known)))
        # the history: per treatment, one realisable summary of that leg's entries
        for code in v.TREATMENT_CODES:
            got = {s: fact(f"history.{code}.{s}") for s in HISTORY_SUFFIXES}
            weeks, failed, none = got["weeks"], got["weeks_failed"], got["weeks_no_response"]
            tried, intolerant = got["tried"], got["not_tolerated"]
            chain = [w for w in (none, failed, weeks) if w is not None]
            for a, b in itertools.pairwise(chain):
                self._add(a.value <= b.value)
            if tried is not None:
                for w in chain:
                    self._add(z3.Implies(z3.Not(tried.value), w.value == 0))
                if intolerant is not None:
                    self._add(z3.Implies(intolerant.value, tried.value))
        since = fact("history.endovenous.weeks_since")
        treated = [fact(f"history.endovenous.{vein}_treated") for vein in v.VEINS]
        any_treated = z3.Or(*[t.value for t in treated if t is not None]) \
            if any(t is not None for t in treated) else None
        if since is not None:
            if any_treated is not None and all(t is not None for t in treated):
                self._add(since.known == any_treated)
            elif any_treated is not None:
                self._add(z3.Implies(any_treated, since.known))

    def pinned(self, patient: Patient, constants: dict[str, set[Fraction]]) -> list[Any]:
        """Constraints that make the variables one patient's facts (careflow.facts).
        `constants`: per fact, the numbers the rule set compares it with (a value between
        two grid points is pinned to the one on its side of every constant)."""
        from ..facts import entities

        out: list[Any] = []
        for ent in entities(patient, self.facts):
            table = self.patient if ent.side is None else self.legs[ent.side]
            for name, var in table.items():
                if ent.side is not None and name in self.patient:
                    continue
                out.append(self._equals(var, ent.attrs.get(name), constants.get(name, set())))
        for side in SIDES:
            out.append(self.present[side] == (patient.leg(side) is not None))
        return out

    def _equals(self, var: Var, value: Any, constants: set[Fraction]) -> Any:
        if value is None:
            return z3.Not(var.known)
        if var.type == "enum":
            return var.value == (value == FACTS[var.name].values[0])
        if var.type == "bool":
            return z3.And(var.known, var.value == bool(value))
        assert var.spec is not None
        scaled = Fraction(str(value)) * var.spec.scale
        n = scaled.numerator // scaled.denominator
        if scaled.denominator != 1 and Fraction(n, var.spec.scale) in constants:
            n += 1  # strictly above a constant the grid point below would equal
        return z3.And(var.known, var.value == n)

    # -- the way back: a z3 model -> a patient document ------------------------------------
    def value(self, model: Any, var: Var) -> Any:
        """The fact's value in a model (None: unknown)."""
        if not z3.is_true(model.eval(var.known, model_completion=True)):
            return None
        got = model.eval(var.value, model_completion=True)
        if var.type == "bool":
            return z3.is_true(got)
        if var.type == "enum":
            spec = FACTS[var.name]
            return spec.values[0] if z3.is_true(got) else spec.values[1]
        assert var.spec is not None
        number = Fraction(got.as_long(), var.spec.scale)
        return int(number) if number.denominator == 1 else float(number)

    def document(self, model: Any, patient_id: str) -> dict[str, Any]:
        """A patient document whose facts are the model's (careflow.parse_patient reads it)."""
        def val(name: str, side: str | None = None) -> Any:
            var = self.get(name, side)
            return None if var is None else self.value(model, var)

        doc: dict[str, Any] = {"id": patient_id, "assessed_on": ASSESSED_ON.isoformat()}
        doc["age"] = val("age") if val("age") is not None else 50
        doc["sex"] = "female" if z3.is_true(model.eval(self.female, model_completion=True)) \
            else "male"
        bmi = val("bmi")
        if bmi is not None:
            doc["height_cm"], doc["weight_kg"] = 100, bmi
        if val("pregnant") is not None:
            doc["pregnant"] = val("pregnant")
        for kind, prefix, codes in (("conditions", "condition", v.CONDITIONS),
                                    ("allergies", "allergy", v.ALLERGIES),
                                    ("medications", "medication", v.MEDICATIONS)):
            if not val(f"{kind}.asked"):
                continue
            listed = [c for c in codes if val(f"{prefix}.{c}")]
            for code, implied in v.IMPLIED_CONDITIONS.items() if kind == "conditions" else ():
                if code in listed and any(i in listed for i in implied):
                    listed.remove(code)  # the stronger code says both
            doc[kind] = listed
        if val("egfr") is not None:
            doc["egfr"] = val("egfr")
        for group, names in (("lifestyle", Lifestyle.model_fields),
                             ("preferences", ("accepts_self_pay", "wants_further_improvement",
                                              "prefers_non_thermal"))):
            part = {n: val(f"{group}.{n}") for n in names if val(f"{group}.{n}") not in (
                None, False, 0)}
            if part:
                doc[group] = part
        legs, history = [], []
        for side in SIDES:
            if not z3.is_true(model.eval(self.present[side], model_completion=True)):
                continue
            legs.append(self._leg_document(side, val))
            history.extend(self._history(side, val))
        doc["legs"] = legs
        if history:
            doc["history"] = history
        return doc

    def _leg_document(self, side: str, val: Any) -> dict[str, Any]:
        def of(name: str) -> Any:
            return val(name, side)

        leg: dict[str, Any] = {"side": side}
        for name in ("abi", "toe_pressure_mmhg", "acute_ischemia_signs", "ischemic_rest_pain",
                     "arterial_ulcer_or_gangrene", "wells_score"):
            if _shown(of(name)):
                leg[name] = of(name)
        if of("knee.examined"):
            knee: dict[str, Any] = {}
            for name in Knee.model_fields:
                if name == "pain_pattern":
                    pattern = [p for p in v.PAIN_PATTERNS if of(f"knee.pain_pattern.{p}")]
                    if pattern:
                        knee[name] = pattern
                elif _shown(of(f"knee.{name}")) or (
                        name == "ottawa_positive" and of(f"knee.{name}") is False):
                    knee[name] = of(f"knee.{name}")
            leg["knee"] = knee
        veins: dict[str, Any] = {}
        count = of("veins.symptom_count") or 0
        if count:
            veins["symptoms"] = list(v.VEIN_SYMPTOMS[:count])
        for name in ("ceap_c", "bleeding", "superficial_thrombophlebitis", "svt_length_cm",
                     "svt_junction_distance_cm"):
            if _shown(of(f"veins.{name}")):
                veins[name] = of(f"veins.{name}")
        if of("veins.svt_days") is not None:
            veins["svt_diagnosed_on"] = (ASSESSED_ON - dt.timedelta(days=of("veins.svt_days"))
                                         ).isoformat()
        if of("duplex.done"):
            duplex: dict[str, Any] = {}
            if of("duplex.days") is not None:
                duplex["performed_on"] = (ASSESSED_ON - dt.timedelta(days=of("duplex.days"))
                                          ).isoformat()
            for name in Duplex.model_fields:
                if name != "performed_on" and of(f"duplex.{name}") is not None:
                    duplex[name] = of(f"duplex.{name}")
            veins["duplex"] = duplex
        if veins:
            leg["veins"] = veins
        return leg

    def _history(self, side: str, val: Any) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for code in v.TREATMENT_CODES:
            got = {s: val(f"history.{code}.{s}", side) for s in HISTORY_SUFFIXES}
            weeks, failed = got["weeks"] or 0, got["weeks_failed"] or 0
            none = got["weeks_no_response"] or 0
            entries: list[tuple[str, int]] = []
            if got["not_tolerated"]:
                entries.append(("not_tolerated", failed))
            if none:
                entries.append(("none", none))
            if failed > max([w for _, w in entries], default=0):
                entries.append(("partial", failed))
            if weeks > max([w for _, w in entries], default=0) or (
                    got["tried"] and not entries):
                entries.append(("good", weeks))
            out.extend({"treatment": code, "side": side, "weeks": w, "response": r}
                       for r, w in entries)
        since = val("history.endovenous.weeks_since", side)
        if since is not None:
            for vein in v.VEINS:
                if val(f"history.endovenous.{vein}_treated", side):
                    out.append({"treatment": "endovenous_thermal_ablation", "side": side,
                                "vein": vein, "weeks": since, "response": "good"})
        return out


__all__ = ["ASSESSED_ON", "Domain", "NumSpec", "Var", "decimals", "num_spec"]
