"""Why not, and what would make it available (docs/why-not.md).

For one item of a patient's plan (action and side) that is not recommended or an option, the
solver looks for the smallest change of the actionable facts (rules/actionable.yaml) that
would make it so: every other fact is pinned to the patient's value, each actionable one
moves only as declared (a course of care may only go on, a value not measured may come out
as any value the patient model allows, the BMI may fall by at most a bound). Smallest: the
fewest changes (an increasing bound), then the fewest weeks added and BMI tenths lost; a
measured value is widened from the solver's point to every neighbouring value that still
works for all of the box (a condition, "over 500 ms", not a point). The encoding is the
compiled program's (careflow.prove.encode), and every answer is confirmed by the engine: the
change is written into the patient document, evaluated, and must give that status, at the
solver's point and at each end of each measured range.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

import z3

from .. import vocabulary as v
from ..errors import InputError, UsageError
from ..evaluate import evaluate
from ..facts import FACTS, entities
from ..model import Patient, parse_patient
from ..plan import Availability, Change, Plan
from ..rulebook import Rulebook, default_rulebook, default_rules_dir
from .actionable import Actionable, default_actionable_file, load_actionable
from .change import changed, continue_course, set_bmi, set_fact
from .domain import SIDES, Var
from .encode import Encoding, rule_constants

GOAL = ("recommended", "option")
MAX_CHANGES = 4
"""The most changes an answer combines (more is not an actionable suggestion)."""


@dataclass
class Move:
    """One actionable fact on one entity, as the solver may move it."""

    decl: Actionable
    side: str | None  # the leg; None: the patient
    changed: Any  # z3 Bool
    cost: Any  # z3 Int: weeks added, BMI tenths lost; 0 for a measurement
    var: Var | None = None  # the measured or falling fact
    weeks: Any = None  # a course: z3 Int, weeks added
    before: Any = None  # the value now (a course: its longest failed weeks)


@dataclass
class Step:
    """One change of an answer, confirmed or not, in values (no z3)."""

    decl: Actionable
    side: str | None
    before: Any
    after: Any  # the value the engine was run with
    low: tuple[str, Fraction] | None = None  # a measured range's lower bound (">" or ">=")
    high: tuple[str, Fraction] | None = None  # its upper bound ("<" or "<=")
    whole: bool = False  # any value would do
    ends: tuple[Any, Any] | None = None  # a measured range's first and last values
    path: str = ""  # where the fact is in the patient document


@dataclass
class Answer:
    """What would make (action, side) recommended or an option."""

    action: str
    side: str | None
    status_now: str | None  # the item's status now (None: not in the plan)
    status: str | None  # the status after the change; None: no change of actionable facts can
    steps: list[Step] = field(default_factory=list)
    rule: str | None = None  # the rule deciding the item now (when nothing can change it)
    blocked: str | None = None  # the status that rule gives it
    confirmed: bool = True  # the engine gives `status` on the changed document
    error: str = ""
    document: dict[str, Any] | None = None

    @property
    def already(self) -> bool:
        return self.status_now in GOAL

    def availability(self) -> Availability:
        """The plan's form of the answer (`Considered.would_make_available`)."""
        from ..export.words import why_not_needs

        changes = tuple(Change(fact=_fact_path(s), value=s.before, becomes=s.after,
                               needs=why_not_needs(s)) for s in self.steps)
        return Availability(status=self.status, changes=changes,
                            rule=self.rule if self.status is None else None)


def _fact_path(step: Step) -> str:
    if step.path:
        return step.path
    where = f"legs.{step.side}." if step.side else ""
    return f"{where}history.{step.decl.fact}"


def load_declarations(rules_dir: str | Path | None = None) -> list[Actionable]:
    folder = Path(rules_dir) if rules_dir is not None else default_rules_dir()
    path = default_actionable_file(folder)
    if not path.is_file():
        return []
    return load_actionable(path, f"{folder.name}/{path.name}")


class WhyNot:
    """The solver for one rule set: the encoding is made once and reused per patient."""

    def __init__(self, book: Rulebook, declarations: list[Actionable]) -> None:
        self.book = book
        self.decls = declarations
        self.enc = Encoding(book)
        self.solver = z3.Solver()
        self.solver.add(*self.enc.constraints)
        self.constants = rule_constants(book)

    # -- the question ----------------------------------------------------------------------
    def answer(self, patient: Patient, action: str, side: str | None = None,
               plan: Plan | None = None) -> Answer:
        side = _check(patient, action, side,
                      {s for (a, s), it in self.enc.items.items()
                       if a == action and it.claims})
        plan = plan or evaluate(patient, self.book)
        item = next((i for i in plan.items if i.action == action and i.side == side), None)
        now = item.status if item is not None else None
        if now in GOAL:
            return Answer(action, side, now, now)
        moves, pins = self._moves(patient)
        goal = z3.Or(*[self.enc.status(action, side, s) for s in GOAL])
        self.solver.push()
        try:
            self.solver.add(*pins)
            for m in moves:
                self.solver.add(z3.Implies(z3.Not(m.changed), m.cost == 0))
            count = z3.Sum([z3.If(m.changed, 1, 0) for m in moves]) if moves else z3.IntVal(0)
            cost = z3.Sum([m.cost for m in moves]) if moves else z3.IntVal(0)
            model, gave_up = self._smallest(moves, count, cost, goal)
            if gave_up:
                return Answer(action, side, now, None, error=gave_up)
            if model is None:
                return self._blocked(patient, plan, action, side, now, moves, count, cost)
            steps = self._steps(model, moves, goal)
        finally:
            self.solver.pop()
        return self._confirm(patient, action, side, now, steps)

    def _smallest(self, moves: list[Move], count: Any, cost: Any, goal: Any
                  ) -> tuple[Any, str]:
        """The model of fewest changes, then least cost, then changes of the declarations
        listed first (ties go to them); None when no change reaches the goal."""
        for k in range(min(MAX_CHANGES, len(moves)) + 1):
            self.solver.push()
            self.solver.add(count <= k, goal)
            result = self.solver.check()
            if result == z3.sat:
                model = self._cheapest(cost)
                self.solver.add(cost <= model.eval(cost, model_completion=True))
                for m in reversed(moves):
                    if not z3.is_true(model.eval(m.changed, model_completion=True)):
                        self.solver.add(z3.Not(m.changed))
                        continue
                    self.solver.push()
                    self.solver.add(z3.Not(m.changed))
                    if self.solver.check() == z3.sat:
                        model = self.solver.model()
                        self.solver.pop()
                        self.solver.add(z3.Not(m.changed))
                    else:
                        self.solver.pop()
                self.solver.pop()
                return model, ""
            self.solver.pop()
            if result != z3.unsat:
                return None, f"the solver gave up ({self.solver.reason_unknown()})"
        return None, ""

    def _blocked(self, patient: Patient, plan: Plan, action: str, side: str | None,
                 now: str | None, moves: list[Move], count: Any, cost: Any) -> Answer:
        """No change can: the rule that decides the item. The item's own rule when the plan
        has it; else the rule that decides it once the fewest changes bring it into the plan
        (a pregnancy's contraindication once the duplex shows reflux), confirmed by the
        engine."""
        item = next((i for i in plan.items if i.action == action and i.side == side), None)
        if item is not None:
            return Answer(action, side, now, None, rule=item.rule, blocked=item.status)
        model, _ = self._smallest(moves, count, cost,
                                  z3.Not(self.enc.status(action, side, "absent")))
        if model is not None:
            steps = self._steps(model, moves, z3.Not(self.enc.status(action, side, "absent")))
            trial = _apply(patient, steps, {})
            try:
                result = evaluate(parse_patient(trial), self.book)
            except InputError:
                result = None
            found = next((i for i in result.items if i.action == action and i.side == side),
                         None) if result is not None else None
            if found is not None:
                return Answer(action, side, now, None, rule=found.rule, blocked=found.status)
        return Answer(action, side, now, None, rule=_considered_rule(plan, action, side))

    def _cheapest(self, cost: Any) -> Any:
        """The model of least cost (a bisection on the cost bound)."""
        model = self.solver.model()
        low, high = 0, model.eval(cost, model_completion=True).as_long()
        while low < high:
            mid = (low + high) // 2
            self.solver.push()
            self.solver.add(cost <= mid)
            if self.solver.check() == z3.sat:
                model, high = self.solver.model(), mid
                high = min(high, model.eval(cost, model_completion=True).as_long())
            else:
                low = mid + 1
            self.solver.pop()
        return model

    # -- the moves -------------------------------------------------------------------------
    def _moves(self, patient: Patient) -> tuple[list[Move], list[Any]]:
        """How each actionable fact may move for this patient, and the pins of the rest."""
        d = self.enc.domain
        free: set[int] = set()
        moves: list[Move] = []
        extra: list[Any] = []
        ents = {e.side: e for e in entities(patient, d.facts)}
        for decl in self.decls:
            if decl.change == "continues":
                moves.extend(self._course(decl, patient, leg.side, free, extra)
                             for leg in patient.legs)
                continue
            sides: tuple[str | None, ...] = (None,) if FACTS[decl.fact].scope == "patient" \
                else tuple(s for s in SIDES if patient.leg(s) is not None)
            for side in sides:
                var = d.get(decl.fact, side)
                if var is None or var.spec is None:
                    continue
                before = ents[side].attrs.get(decl.fact)
                if decl.change == "becomes_known" and before is None:
                    free.add(id(var))
                    moves.append(Move(decl, side, var.known, z3.IntVal(0), var=var))
                    if decl.fact.startswith("duplex.") and side is not None:
                        self._duplex(side, ents[side].attrs, free, extra)
                elif decl.change == "falls" and before is not None:
                    free.add(id(var))
                    n0 = _grid(before, var)
                    drop = int(Fraction(str(decl.at_most)) * var.spec.scale)
                    extra += [var.known, var.value <= n0, var.value >= n0 - drop]
                    moves.append(Move(decl, side, var.value != n0, n0 - var.value, var=var,
                                      before=before))
        pins = self._pins(patient, free) + extra
        return moves, pins

    def _duplex(self, side: str, attrs: dict[str, Any], free: set[int],
                extra: list[Any]) -> None:
        """A duplex not yet recorded on this leg is recorded (today) once one of its declared
        values is measured; its other values stay unknown."""
        d = self.enc.domain
        done, days = d.get("duplex.done", side), d.get("duplex.days", side)
        if done is None or attrs.get("duplex.done") or id(done) in free:
            return
        measured = [d.get(decl.fact, side) for decl in self.decls
                    if decl.change == "becomes_known" and decl.fact.startswith("duplex.")]
        known = [m.known for m in measured if m is not None]
        free.add(id(done))
        extra.append(done.value == z3.Or(*known))
        if days is not None:
            free.add(id(days))
            extra.append(z3.If(done.value, z3.And(days.known, days.value == 0),
                               z3.Not(days.known)))

    def _course(self, decl: Actionable, patient: Patient, side: str, free: set[int],
                extra: list[Any]) -> Move:
        """The treatment's course goes on for `weeks` more without a good response: its
        longest failed course grows by them, the longest course with it."""
        d = self.enc.domain
        leg = patient.leg(side)
        code = decl.fact

        def now(suffix: str) -> Any:
            return FACTS[f"history.{code}.{suffix}"].get(patient, leg)

        weeks = z3.Int(f"whynot:{code}@{side}")
        assert decl.at_most is not None
        extra += [weeks >= 0, weeks <= int(decl.at_most)]
        failed = now("weeks_failed") + weeks
        for suffix, value in (("weeks_failed", failed),
                              ("weeks", z3.If(failed > now("weeks"), failed, now("weeks"))),
                              ("weeks_no_response", z3.IntVal(now("weeks_no_response"))),
                              ("tried", z3.Or(bool(now("tried")), weeks > 0))):
            var = d.get(f"history.{code}.{suffix}", side)
            if var is not None:
                free.add(id(var))
                extra.append(var.value == value)
        return Move(decl, side, weeks > 0, weeks, weeks=weeks, before=now("weeks_failed"))

    def _pins(self, patient: Patient, free: set[int]) -> list[Any]:
        """Every fact that is not moving, at the patient's value (Domain.pinned's rules)."""
        d = self.enc.domain
        out: list[Any] = []
        for ent in entities(patient, d.facts):
            table = d.patient if ent.side is None else d.legs[ent.side]
            for name, var in table.items():
                if (ent.side is not None and name in d.patient) or id(var) in free:
                    continue
                out.append(d._equals(var, ent.attrs.get(name), self.constants.get(name, set())))
        for side in SIDES:
            out.append(d.present[side] == (patient.leg(side) is not None))
        return out

    # -- the answer ------------------------------------------------------------------------
    def _steps(self, model: Any, moves: list[Move], goal: Any) -> list[Step]:
        steps: list[Step] = []
        boxes: list[tuple[Step, Var, list[tuple[int, int, bool]], list[int]]] = []
        fixed: list[Any] = []
        d = self.enc.domain
        for m in moves:
            if not z3.is_true(model.eval(m.changed, model_completion=True)):
                fixed.append(z3.Not(m.changed))
                continue
            if m.decl.change == "continues":
                more = model.eval(m.weeks, model_completion=True).as_long()
                fixed.append(m.weeks == more)
                steps.append(Step(m.decl, m.side, m.before, m.before + more))
            elif m.decl.change == "falls":
                assert m.var is not None
                fixed.append(m.var.value == model.eval(m.var.value, model_completion=True))
                steps.append(Step(m.decl, m.side, m.before, d.value(model, m.var)))
            else:
                assert m.var is not None
                step = Step(m.decl, m.side, None, d.value(model, m.var))
                regions = self._regions(m.var)
                n = model.eval(m.var.value, model_completion=True).as_long()
                at = next(i for i, (a, b, _) in enumerate(regions) if a <= n <= b)
                boxes.append((step, m.var, regions, [at, at]))
                steps.append(step)
        self._widen(boxes, fixed, goal)
        return steps

    def _regions(self, var: Var) -> list[tuple[int, int, bool]]:
        """The grid ranges the rule set's constants cut the fact's range into: (first, last,
        is a constant's own point)."""
        assert var.spec is not None
        spec = var.spec
        lo = int(spec.lo * spec.scale)
        hi = int(spec.hi * spec.scale)
        cuts = sorted({int(c * spec.scale) for c in self.constants.get(var.name, set())
                       if (c * spec.scale).denominator == 1 and lo <= c * spec.scale <= hi})
        out: list[tuple[int, int, bool]] = []
        start = lo
        for c in cuts:
            if start <= c - 1:
                out.append((start, c - 1, False))
            out.append((c, c, True))
            start = c + 1
        if start <= hi:
            out.append((start, hi, False))
        return out

    def _widen(self, boxes: list[tuple[Step, Var, list[tuple[int, int, bool]], list[int]]],
               fixed: list[Any], goal: Any) -> None:
        """Grow each measured range by a neighbouring region while every point of the box
        keeps the goal (the box and not the goal is unsatisfiable)."""
        def box(ranges: list[list[int]]) -> list[Any]:
            out = []
            for (_step, var, regions, _), (i, j) in zip(boxes, ranges, strict=True):
                out += [var.known, var.value >= regions[i][0], var.value <= regions[j][1]]
            return out

        ranges = [list(b[3]) for b in boxes]
        grown = True
        while grown:
            grown = False
            for k, (_step, _var, regions, _) in enumerate(boxes):
                for end, by in ((0, -1), (1, 1)):
                    trial = [list(r) for r in ranges]
                    trial[k][end] += by
                    if not 0 <= trial[k][end] < len(regions):
                        continue
                    self.solver.push()
                    self.solver.add(*fixed, *box(trial), z3.Not(goal))
                    result = self.solver.check()
                    self.solver.pop()
                    if result == z3.unsat:
                        ranges, grown = trial, True
        for (step, var, regions, _), (i, j) in zip(boxes, ranges, strict=True):
            assert var.spec is not None
            scale = var.spec.scale
            step.whole = i == 0 and j == len(regions) - 1
            if i > 0:  # a constant's own region: from it; else above the constant below
                cut = regions[i] if regions[i][2] else regions[i - 1]
                step.low = (">=" if regions[i][2] else ">", Fraction(cut[0], scale))
            if j < len(regions) - 1:
                cut = regions[j] if regions[j][2] else regions[j + 1]
                step.high = ("<=" if regions[j][2] else "<", Fraction(cut[0], scale))
            step.ends = (_value(regions[i][0], scale), _value(regions[j][1], scale))

    # -- the engine's word -----------------------------------------------------------------
    def _engine(self, patient: Patient, action: str, side: str | None, steps: list[Step],
                point: dict[int, Any]) -> tuple[str | None, dict[str, Any], str]:
        """The item's status in the engine's plan of the changed document (the steps, some
        at the values of `point`); a problem when the document is not a valid patient."""
        trial = _apply(patient, steps, point)
        try:
            changed_patient = parse_patient(trial)
        except InputError as exc:
            return None, trial, "the changed patient is not valid: " + "; ".join(exc.problems)
        result = evaluate(changed_patient, self.book)
        item = next((i for i in result.items if i.action == action and i.side == side), None)
        return (item.status if item is not None else None), trial, ""

    def _confirm(self, patient: Patient, action: str, side: str | None, now: str | None,
                 steps: list[Step]) -> Answer:
        for s in steps:
            if s.decl.change != "continues":
                leg = patient.leg(s.side) if s.side else None
                s.path = FACTS[s.decl.fact].source(patient, leg)[0]
        # the solver's point, then every corner of the measured box
        ends = [(k, s.ends) for k, s in enumerate(steps) if s.ends is not None]
        points: list[dict[int, Any]] = [{}] + [
            dict(zip([k for k, _ in ends], corner, strict=True))
            for corner in itertools.product(*[e for _, e in ends])]
        got: str | None = None
        doc: dict[str, Any] | None = None
        for point in points:
            status, trial, problem = self._engine(patient, action, side, steps, point)
            if problem or status not in GOAL:
                return Answer(action, side, now, None, steps, confirmed=False,
                              error=problem or "the solver finds this change makes the item "
                              f"available, but the engine gives {status or 'no item'}: the "
                              "encoding and the engine disagree", document=trial)
            if not point:
                got, doc = status, trial
        # the smallest: one week less of a course (or 0.1 less off the BMI) does not do
        for k, s in enumerate(steps):
            if s.decl.change == "continues":
                less = s.after - 1
            elif s.decl.change == "falls":
                less = round(float(s.after) + 0.1, 1)
            else:
                continue
            status, trial, problem = self._engine(patient, action, side, steps, {k: less})
            if not problem and status in GOAL:
                return Answer(action, side, now, None, steps, confirmed=False,
                              error="the engine gives the item with a smaller change than the "
                              "solver's smallest: the encoding and the engine disagree",
                              document=trial)
        return Answer(action, side, now, got, steps, document=doc)


def _grid(value: Any, var: Var) -> int:
    assert var.spec is not None
    return int(Fraction(str(value)) * var.spec.scale)


def _value(n: int, scale: int) -> Any:
    x = Fraction(n, scale)
    return int(x) if x.denominator == 1 else float(x)


def _apply(patient: Patient, steps: list[Step], point: dict[int, Any]) -> dict[str, Any]:
    doc = changed(patient)
    for k, s in enumerate(steps):
        value = point.get(k, s.after)
        if s.decl.change == "continues":
            assert s.side is not None
            continue_course(doc, s.decl.fact, s.side, int(value))
        elif s.decl.change == "falls":
            set_bmi(doc, float(value))
        else:
            set_fact(doc, patient, s.decl.fact, s.side, value)
    return doc


def _check(patient: Patient, action: str, side: str | None,
           sides: set[str | None]) -> str | None:
    """The item asked about: a known action, on a leg the patient has (the only one, when the
    patient has one and no side is named), or the whole patient. `sides`: where the rules
    put that action's items (None: the whole patient)."""
    if action not in v.ACTIONS:
        from ..rulebook.parse import suggest

        raise UsageError(f"--why-not {action}: no such action{suggest(action, v.ACTIONS)}")
    if side is not None and side not in SIDES:
        raise UsageError(f"side {side!r}: one of {', '.join(SIDES)}")
    legs = [leg.side for leg in patient.legs]
    on_legs = bool(sides - {None})
    if side is None and on_legs and None not in sides:
        if len(legs) == 1:
            return legs[0]
        raise UsageError(f"{action} is an item of a leg: give the side (one of "
                         f"{', '.join(legs)})")
    if side is not None and not on_legs and sides:
        raise UsageError(f"{action} is an item of the whole patient: give no side")
    if side is not None and patient.leg(side) is None:
        raise UsageError(f"side {side!r}: the patient has no {side} leg")
    return side


def _considered_rule(plan: Plan, action: str, side: str | None) -> str | None:
    return next((c.rule for c in plan.considered if c.action == action and c.side == side),
                None)


_SOLVERS: dict[tuple[str, str], WhyNot] = {}


def solver_for(book: Rulebook, rules_dir: str | Path | None = None) -> WhyNot:
    """One solver per rule set and declarations (the encoding takes a second or two)."""
    key = (book.digest, str(rules_dir))
    if key not in _SOLVERS:
        _SOLVERS.clear()
        _SOLVERS[key] = WhyNot(book, load_declarations(rules_dir))
    return _SOLVERS[key]


def why_not(patient: Patient, action: str, side: str | None = None,
            rulebook: Rulebook | None = None, rules_dir: str | Path | None = None) -> Answer:
    """What would make (action, side) recommended or an option for this patient: the smallest
    change of the actionable facts (the rules folder's actionable.yaml), confirmed by the
    engine; or, when none can, the rule that decides the item. Raises UsageError for an
    unknown action or a side the patient does not have."""
    book = rulebook or default_rulebook()
    return solver_for(book, rules_dir).answer(patient, action, side)


def answer_json(answer: Answer, book: Rulebook | None = None) -> str:
    """The answer as JSON: the item, its status now, what would make it available (the
    plan's `would_make_available` form) and the sentence in both languages."""
    import json

    from ..export.words import why_not_text

    doc = {"action": answer.action, "side": answer.side, "status": answer.status_now,
           "would_make_available": answer.availability().model_dump(mode="json"),
           "confirmed": answer.confirmed and not answer.error,
           "ja": why_not_text(answer, "ja", book), "en": why_not_text(answer, "en", book)}
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def plan_with_why_not(patient: Patient, rulebook: Rulebook | None = None,
                      rules_dir: str | Path | None = None) -> Plan:
    """The plan, with each `considered` entry's `would_make_available` filled."""
    book = rulebook or default_rulebook()
    return fill(patient, evaluate(patient, book), book, rules_dir)


def fill(patient: Patient, plan: Plan, book: Rulebook,
         rules_dir: str | Path | None = None) -> Plan:
    """This patient's plan (from `book`) with each considered entry's answer filled."""
    solver = solver_for(book, rules_dir)
    entries = tuple(c.model_copy(update={"would_make_available": solver.answer(
        patient, c.action, c.side, plan).availability()}) for c in plan.considered)
    return plan.model_copy(update={"considered": entries})


__all__ = ["Answer", "Step", "WhyNot", "answer_json", "fill", "load_declarations",
           "plan_with_why_not", "why_not"]
