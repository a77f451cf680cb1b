"""Proving the properties, and tying every proof to the engine.

For each property (and each leg, for a property about a leg) the solver looks for a patient
the model allows, under the rule set's parameters, for whom the plan breaks the property. None:
the property is proven. One: a counterexample, shrunk towards the plainest patient (facts
unknown or absent, one leg), written as a patient document, evaluated by careflow.evaluate's
engine (durable-rules), and kept only if the engine's plan breaks the property too; a
disagreement between the solver and the engine is a bug in one of them and is reported as
such. `boundary_check` does the same for models the solver makes at each threshold of the
rule set: the engine's statuses must be the solver's.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import z3

from ..errors import InputError
from ..evaluate import build_plan, run_engine
from ..model import Patient, parse_patient
from ..rulebook import Rulebook
from .domain import SIDES, Var
from .encode import Encoding
from .meaning import PlanView, holds, holds_on_plan
from .properties import Formula, Property

SHRINK_SECONDS = 20.0
"""How long a counterexample may be shrunk (it is valid at every step; this only bounds how
plain it gets)."""


@dataclass
class Counterexample:
    side: str | None  # the leg the property fails for (None: the whole patient)
    document: dict[str, Any]
    view: PlanView
    confirmed: bool  # the engine's plan breaks the property too
    rules: tuple[str, ...]  # the rules behind the items the property reads


@dataclass
class Outcome:
    prop: Property
    holds: bool
    seconds: float
    counterexample: Counterexample | None = None
    error: str = ""  # the solver and the engine disagree, or the model made no patient

    @property
    def status(self) -> str:
        if self.error:
            return "error"
        return "proven" if self.holds else "fails"


@dataclass
class Prover:
    book: Rulebook
    enc: Encoding = field(init=False)
    solver: Any = field(init=False)

    def __init__(self, book: Rulebook) -> None:
        self.book = book
        self.enc = Encoding(book)
        self.solver = z3.Solver()
        self._added = 0
        self.sync()

    def sync(self) -> None:
        """Give the solver the definitions the encoding made since (some are made as a
        property first asks for them)."""
        new = self.enc.constraints[self._added:]
        self.solver.add(*new)
        self._added += len(new)

    # -- proving ---------------------------------------------------------------------------
    def prove(self, prop: Property) -> Outcome:
        start = time.perf_counter()
        sides: tuple[str | None, ...] = SIDES if prop.for_each == "leg" else (None,)
        for side in sides:
            goal = z3.Not(holds(prop, self.enc, side))
            self.sync()
            self.solver.push()
            self.solver.add(goal)
            result = self.solver.check()
            if result == z3.sat:
                model = self.shrink(prop, side, self.solver.model())
                self.solver.pop()
                return self.refute(prop, side, model, start)
            self.solver.pop()
            if result != z3.unsat:
                return Outcome(prop, False, time.perf_counter() - start,
                               error=f"the solver gave up ({self.solver.reason_unknown()})")
        return Outcome(prop, True, time.perf_counter() - start)

    def shrink(self, prop: Property, side: str | None, model: Any) -> Any:
        """A plainer counterexample: one leg where one will do, then each fact unknown, false
        or zero where the property still fails (greedy, bounded by SHRINK_SECONDS)."""
        deadline = time.perf_counter() + SHRINK_SECONDS
        age = self.enc.domain.patient["age"].value
        plain: list[Any] = [age == 60, age >= 18]  # an adult reads more plainly than a child
        if side is not None:
            other = next(s for s in SIDES if s != side)
            plain.append(z3.Not(self.enc.domain.present[other]))
        for var in self._vars(side):
            plain.extend(_plainer(var))
        best = model
        for candidate in plain:
            if time.perf_counter() > deadline:
                break
            if z3.is_true(best.eval(candidate, model_completion=True)):
                self.solver.add(candidate)
                continue
            self.solver.push()
            self.solver.add(candidate)
            if self.solver.check() == z3.sat:
                best = self.solver.model()
                self.solver.pop()
                self.solver.add(candidate)  # inside the caller's push: undone with it
            else:
                self.solver.pop()
        return best

    def _vars(self, side: str | None) -> list[Var]:
        d = self.enc.domain
        out = [var for name, var in sorted(d.patient.items()) if name not in ("age", "sex")]
        for s in ([side] if side else []) + [s for s in SIDES if s != side]:
            out.extend(var for _name, var in sorted(d.legs[s].items()))
        return out

    def refute(self, prop: Property, side: str | None, model: Any, start: float) -> Outcome:
        doc = self.enc.domain.document(model, f"counterexample-{prop.id.lower()}")
        try:
            patient = parse_patient(doc)
        except InputError as exc:  # the encoding allowed a patient the model refuses
            return Outcome(prop, False, time.perf_counter() - start,
                           error="the counterexample is not a valid patient: "
                                 + "; ".join(exc.problems))
        view = self.view(patient)
        confirmed = not holds_on_plan(prop, view, side)
        rules = _rules_read(prop.formula, view, side)
        example = Counterexample(side, doc, view, confirmed, rules)
        error = "" if confirmed else (
            "the solver finds this patient breaks the property, but the engine's plan keeps "
            "it: the encoding and the engine disagree")
        return Outcome(prop, False, time.perf_counter() - start, example, error)

    def view(self, patient: Patient) -> PlanView:
        trace = run_engine(self.book, patient)
        return PlanView(patient, build_plan(self.book, patient, trace), trace)

    # -- boundary models ---------------------------------------------------------------------
    def boundary_check(self, limit: int = 40) -> list[str]:
        """Models at the rule set's thresholds (each number a test compares with, on the first
        leg or the patient), each evaluated by the engine: every item's status must be the
        solver's. Returns the disagreements (empty: none)."""
        points = sorted({(t.fact, t.value) for p in self.book.program.productions
                         for t in p.tests if t.op in ("lt", "lte", "gt", "gte")},
                        key=repr)
        step = max(1, len(points) // limit)
        problems: list[str] = []
        for fact, value in points[::step][:limit]:
            var = self.enc.domain.get(fact, SIDES[0])
            if var is None or var.spec is None:
                continue
            for n in (math.ceil(Fraction(str(value)) * var.spec.scale),
                      math.floor(Fraction(str(value)) * var.spec.scale) + 1):
                problems.extend(self._at(fact, var, n))
        return problems

    def _at(self, fact: str, var: Var, n: int) -> list[str]:
        """A model with the fact at grid point n (the threshold, or just above it), checked
        against the engine."""
        self.solver.push()
        self.solver.add(var.known, var.value == n, self.enc.domain.present[SIDES[0]])
        if self.solver.check() != z3.sat:
            self.solver.pop()
            return []
        model = self.solver.model()
        self.solver.pop()
        assert var.spec is not None
        value = Fraction(n, var.spec.scale)
        doc = self.enc.domain.document(model, f"boundary-{fact}")
        try:
            patient = parse_patient(doc)
        except InputError as exc:
            return [f"{fact} = {float(value)}: not a valid patient: {exc}"]
        return [f"{fact} = {float(value)}: {p}" for p in self.compare(model, patient)]

    def agree(self, patient: Patient) -> list[str]:
        """The solver's plan for exactly this patient's facts against the engine's plan: the
        differences (empty: the same status for every item)."""
        constants: dict[str, set[Fraction]] = {}
        for p in self.book.program.productions:
            for t in p.tests:
                values = t.value if isinstance(t.value, tuple) else (t.value,)
                constants.setdefault(t.fact, set()).update(
                    Fraction(str(x)) for x in values
                    if isinstance(x, (int, float)) and not isinstance(x, bool))
        self.solver.push()
        self.solver.add(*self.enc.domain.pinned(patient, constants))
        result = self.solver.check()
        model = self.solver.model() if result == z3.sat else None
        self.solver.pop()
        if model is None:
            return [f"the solver finds no model for patient {patient.id} ({result})"]
        return self.compare(model, patient)

    def compare(self, model: Any, patient: Patient) -> list[str]:
        """Where the solver's plan for a model and the engine's plan for its patient differ."""
        view = self.view(patient)
        out = []
        for (action, side), item in sorted(self.enc.items.items(),
                                           key=lambda kv: (kv[0][0], kv[0][1] or "")):
            if side is not None and patient.leg(side) is None:
                continue
            solver = next((s for s, f in item.status.items()
                           if z3.is_true(model.eval(f, model_completion=True))), "?")
            engine = view.status(action, side)
            if solver != engine:
                out.append(f"{action} ({side or 'patient'}): solver {solver}, engine {engine}")
        return out


def _plainer(var: Var) -> list[Any]:
    """What makes a fact plainer, most first: a list asked (and the code not in it), a value
    unknown, false, zero or a whole number."""
    if var.name.endswith(".asked"):
        return [var.value]
    if var.name.startswith(("condition.", "allergy.", "medication.")):
        return [z3.Not(var.value)]
    out = [] if z3.is_true(var.known) else [z3.Not(var.known)]
    if var.type == "bool":
        out.append(z3.Not(var.value))
    elif var.type == "number" and var.spec is not None:
        out.append(var.value == 0)
        if var.spec.scale > 1:
            out.append(var.value % var.spec.scale == 0)
    return out


def _rules_read(f: Formula, view: PlanView, side: str | None) -> tuple[str, ...]:
    """The scenario's tags: the rules that decide the items a formula reads and the rules
    raising its red flags (a claim that decides an item keeps firing once the bug is fixed,
    where an annotation or a finding behind it may not, and a feature file's tag must
    fire)."""
    from .meaning import where

    found: dict[str, None] = {}

    def walk(g: Formula) -> None:
        for part in g.parts:
            walk(part)
        at = where(g.arg("side", "this"), side)
        actions = list(g.arg("actions") or ()) + (
            ["compression_stockings"] if g.op == "pressure" else [])
        for action in actions:
            item = view.item(action, at)
            if item is not None:
                found[item.rule] = None
        for code in g.arg("codes") or ():
            for rid, by in view.trace.true.items():
                outs = view.trace.book.rules[rid].rule.outputs
                if any(o.effect == "claim" and o.reason_code == code for o in outs) and any(
                        view.trace.entities[e].side in (at, None) for e in by):
                    found[rid] = None

    walk(f)
    order = view.trace.book.order
    return tuple(sorted(found, key=lambda r: order.get(r, len(order))))


__all__ = ["Counterexample", "Outcome", "Prover"]
