"""The impact of a rule change: where two rule sets give a patient different plans, for every
patient the model allows (`careflow impact`, docs/impact.md).

Both rule sets are encoded (careflow.prove.encode, the third evaluator of the one semantics)
over one shared set of patient variables (careflow.prove.domain). For each item (action,
side) the solver is asked for a patient whose item differs: its status, or its detail (the
stocking pressure). Where one exists, the region is described in the facts that matter: the
facts the change touches (the tests and outputs that differ between the two programs) are
cut into cells at every constant either rule set compares them with (a point, the open
interval between two constants, or "unknown"), the solver says which (old -> new) outcomes
occur in each cell, adjacent cells that say the same are merged, and a fact whose cells all
say the same is projected away. Every patient lies in exactly one cell of each fact, so the
cells with a change cover the whole difference region and the others provably hold none.
For each change the solver also decides whether *every* patient of the cell with the old
outcome gets the new one, and makes a sample patient that the engine (careflow.evaluate with
each rule set) must confirm.
"""

from __future__ import annotations

import dataclasses
import math
import time
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

import z3

from ..errors import InputError
from ..evaluate import COMPLAINT, evaluate
from ..facts import FACTS
from ..model import Patient, parse_patient
from ..plan import Plan
from ..rulebook import Rulebook
from .domain import SIDES, Domain, Var
from .encode import ITEM_SIDES, Encoding, Item, real_scale, rule_constants

STATUS_OR_ABSENT = ("contraindicated", "not_recommended", "deferred", "recommended", "option",
                    "next_step", "absent")
SHRINK_ROUNDS = 60
"""Preferences a sample patient may shed before it is taken as it is (it is valid anyway)."""
MAX_COMBINATIONS = 64
"""Cells of several facts are crossed up to this many combinations, else described one fact
at a time (still a cover: each fact's cells are)."""


@dataclass(frozen=True, order=True)
class Outcome:
    """An item under one rule set: its status ("absent": no such item) and its detail."""

    status: str
    detail: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Cell:
    """One fact's values on one entity: a point or an interval between two of the rule sets'
    constants (`lo`/`hi`, None: unbounded), a yes/no value, or unknown."""

    fact: str
    side: str | None  # None: a whole-patient fact
    kind: str  # "interval" | "value" | "unknown"
    lo: Fraction | None = None
    lo_closed: bool = False
    hi: Fraction | None = None
    hi_closed: bool = False
    value: Any = None

    def contains(self, value: Any) -> bool:
        """Whether a fact value (as careflow.facts reads it; None: unknown) lies in the cell."""
        if value is None:
            return self.kind == "unknown"
        if self.kind == "unknown":
            return False
        if self.kind == "value":
            return bool(value == self.value)
        x = Fraction(str(value)) if isinstance(value, float) else Fraction(value)
        if self.lo is not None and (x < self.lo or (x == self.lo and not self.lo_closed)):
            return False
        return not (self.hi is not None and (x > self.hi or (x == self.hi and not
                                                               self.hi_closed)))

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"fact": self.fact, "side": self.side, "kind": self.kind}
        if self.kind == "interval":
            out.update(min=_num(self.lo), min_included=self.lo_closed, max=_num(self.hi),
                       max_included=self.hi_closed)
        elif self.kind == "value":
            out["value"] = self.value
        return out


def _num(x: Fraction | None) -> int | float | None:
    if x is None:
        return None
    return int(x) if x.denominator == 1 else float(x)


@dataclass
class Change:
    """In the region `cells` (all of them hold), some patients' item goes from `old` to
    `new`; `every`: every patient there whose item was `old` gets `new`."""

    action: str
    side: str | None
    old: Outcome
    new: Outcome
    cells: tuple[Cell, ...]
    every: bool
    sample: dict[str, Any]
    model: Any = field(default=None, repr=False, compare=False)  # the sample's z3 model
    confirmed: bool = False
    engine: str = ""  # what the engine gave instead, when it disagrees

    def as_json(self) -> dict[str, Any]:
        return {"action": self.action, "side": self.side,
                "old": {"status": self.old.status, "detail": dict(self.old.detail)},
                "new": {"status": self.new.status, "detail": dict(self.new.detail)},
                "where": [c.as_json() for c in self.cells], "every": self.every,
                "confirmed_by_engine": self.confirmed, "engine": self.engine or None,
                "sample": self.sample}


@dataclass
class ItemImpact:
    action: str
    side: str | None
    changes: list[Change] = field(default_factory=list)
    unchanged: list[tuple[Cell, ...]] = field(default_factory=list)  # cells of no change
    details: list[str] = field(default_factory=list)  # the details that can differ


def in_cell(patient: Patient, cell: Cell) -> bool:
    """Whether a patient's fact lies in the cell. A cell on a leg the patient does not have
    holds it (the solver leaves an absent leg's facts free: counting it in is safe)."""
    if cell.side is None:
        return cell.contains(FACTS[cell.fact].get(patient, None))
    leg = patient.leg(cell.side)
    return leg is None or cell.contains(FACTS[cell.fact].get(patient, leg))


@dataclass
class Boundary:
    """A patient at an edge of a change's region, with its item under both rule sets."""

    action: str
    side: str | None
    fact: str
    value: int | float
    inside: bool
    document: dict[str, Any]
    old: Outcome
    new: Outcome
    plan: Plan | None = None  # the new rule set's plan (for the scenario's words)


@dataclass
class Region:
    old_name: str
    new_name: str
    items: list[ItemImpact]
    facts: tuple[str, ...]  # the facts the change touches
    boundaries: list[Boundary]
    seconds: float
    disagreements: list[str] = field(default_factory=list)

    @property
    def changes(self) -> list[Change]:
        return [c for it in self.items for c in it.changes]


# --- loading ------------------------------------------------------------------------------
def load_side(path: Path) -> Rulebook:
    """OLD or NEW: a rules folder, or a parameters file over the shipped rules (RulebookError
    when it does not load)."""
    from ..rulebook import load_rulebook

    return load_rulebook(path) if path.is_dir() else load_rulebook(None, path)


# --- the encoding of two rule sets --------------------------------------------------------
class Pair:
    """OLD and NEW over one patient: one domain, two tagged encodings, one solver."""

    def __init__(self, old: Rulebook, new: Rulebook) -> None:
        self.old_book, self.new_book = old, new
        facts = old.program.facts | new.program.facts | COMPLAINT
        self.domain = Domain(facts, max(real_scale(old), real_scale(new)))
        self.old = Encoding(old, self.domain, "old:")
        self.new = Encoding(new, self.domain, "new:")
        self.solver = z3.Solver()
        self.solver.add(*self.domain.constraints, *self.old.definitions,
                        *self.new.definitions)
        self.keys = sorted({k for e in (self.old, self.new) for k in e.items if
                            k[1] in ITEM_SIDES}, key=lambda k: (k[0], ITEM_SIDES.index(k[1])))
        self.details = sorted({key for book in (old, new) for cr in book.rules.values()
                               for out in cr.rule.outputs for key, value in out.detail
                               if isinstance(value, str)})
        self.relevant: dict[tuple[str, str | None], list[str]] = {}
        self._details: dict[tuple[str, tuple[str, str | None], str], list[tuple[Any, str]]] = {}
        self._differs: dict[tuple[str, str | None], Any] = {}
        self._plain: dict[str | None, list[Any]] = {}
        self.constants = rule_constants(old, new)  # per fact, both rule sets' numbers

    def changed_keys(self) -> list[tuple[str, str | None]]:
        """The items some patient's plans differ on: one model at a time, each naming every
        item it differs on, until no further item can differ (a few queries, not one per
        item)."""
        differ = {k: self.differs(k, self.details) for k in self.keys}
        left, found = dict(differ), []
        while left:
            model = self.check(z3.Or(*left.values()))
            if model is None:
                break
            hit = [k for k, f in left.items() if z3.is_true(model.eval(f, True))]
            found += hit
            for k in hit:
                del left[k]
        for k in found:  # the details that can differ on this item (others are left out)
            self.relevant[k] = [d for d in self.details if self.check(
                self.differs(k, [d], status=False)) is not None]
        return sorted(found, key=lambda k: (k[0], ITEM_SIDES.index(k[1])))

    # an item's outcome under one encoding, as z3 formulas
    def detail_values(self, enc: Encoding, key: tuple[str, str | None]) -> dict[
            str, list[tuple[Any, str]]]:
        item = enc.items.get(key)
        if item is None:
            return {}
        out = {}
        for d in self.relevant.get(key, self.details):
            memo = (enc.tag, key, d)
            if memo not in self._details:
                self._details[memo] = [(h, str(val)) for h, val in enc.detail(item, d)
                                       if isinstance(val, str)]
            out[d] = self._details[memo]
        return out

    def is_outcome(self, enc: Encoding, key: tuple[str, str | None], o: Outcome) -> Any:
        item = enc.items.get(key)
        if item is None:
            return z3.BoolVal(o == Outcome("absent"))
        parts = [item.status[o.status]]
        given = dict(o.detail)
        for d, options in self.detail_values(enc, key).items():
            if d in given:
                parts.append(z3.Or(*[h for h, val in options if val == given[d]]))
            else:
                parts.append(z3.Not(z3.Or(*[h for h, _ in options])))
        return z3.And(*parts)

    def outcome(self, model: Any, enc: Encoding, key: tuple[str, str | None]) -> Outcome:
        item = enc.items.get(key)
        if item is None:
            return Outcome("absent")
        status = next(s for s in STATUS_OR_ABSENT if s in item.status and z3.is_true(
            model.eval(item.status[s], model_completion=True)))
        detail = []
        for d, options in self.detail_values(enc, key).items():
            for h, val in options:
                if z3.is_true(model.eval(h, model_completion=True)):
                    detail.append((d, val))
                    break
        return Outcome(status, tuple(detail))

    def differs(self, key: tuple[str, str | None], details: list[str] | None = None,
                status: bool = True) -> Any:
        """The item's status (when `status`) or one of its `details` (default: those that
        can differ) differs between OLD and NEW."""
        if details is None and status and key in self._differs:
            return self._differs[key]
        parts = []
        for s in STATUS_OR_ABSENT if status else ():
            parts.append(_status(self.old.items.get(key), s) != _status(
                self.new.items.get(key), s))
        for d in self.relevant.get(key, self.details) if details is None else details:
            old = dict(self.detail_values(self.old, key)).get(d, [])
            new = dict(self.detail_values(self.new, key)).get(d, [])
            for val in sorted({v for _, v in old} | {v for _, v in new}):
                parts.append(z3.Or(*[h for h, v in old if v == val])
                             != z3.Or(*[h for h, v in new if v == val]))
        if details is None and status and key in self.relevant:
            self._differs[key] = z3.Or(*parts)
        return z3.Or(*parts)

    def check(self, *extra: Any) -> Any:
        """A model of the constraints and `extra`, or None (unsat)."""
        self.solver.push()
        self.solver.add(*extra)
        result = self.solver.check()
        model = self.solver.model() if result == z3.sat else None
        self.solver.pop()
        if result == z3.unknown:
            raise RuntimeError(f"the solver gave up ({self.solver.reason_unknown()})")
        return model

    def plain(self, side: str | None, *where: Any) -> Any:
        """A model of `where` as plain as the solver finds in a few rounds: one leg where one
        will do, an adult of 60, facts unknown, false or zero (careflow.prove.prover's
        preferences); the preferences an unsat core names are dropped one at a time."""
        flags = self._preferences(side)
        self.solver.push()
        self.solver.add(*where)
        active = list(flags)
        model = None
        for _ in range(SHRINK_ROUNDS):
            result = self.solver.check(*active)
            if result == z3.sat:
                model = self.solver.model()
                break
            core = {str(c) for c in self.solver.unsat_core()}
            if result != z3.unsat or not core:
                break
            drop = next(f for f in active if str(f) in core)
            active.remove(drop)
        if model is None and self.solver.check() == z3.sat:
            model = self.solver.model()
        self.solver.pop()
        return model

    def _preferences(self, side: str | None) -> list[Any]:
        """Flags, each implying one preference (made once per side, asserted for good: a
        flag no check assumes constrains nothing)."""
        from .prover import _plainer

        if side not in self._plain:
            d = self.domain
            age = d.patient["age"].value
            wanted: list[Any] = [age == 60, age >= 18]
            if side is not None:
                wanted += [z3.Not(d.present[s]) for s in d.present if s != side]
            for table in (d.patient, *d.legs.values()):
                wanted += [c for name, var in sorted(table.items())
                           if name not in ("age", "sex") for c in _plainer(var)]
            flags = [z3.Bool(f"plain#{side}#{i}") for i in range(len(wanted))]
            self.solver.add(*[z3.Implies(f, w) for f, w in zip(flags, wanted, strict=True)])
            self._plain[side] = flags
        return self._plain[side]

    def transitions(self, key: tuple[str, str | None], *where: Any,
                    ) -> dict[tuple[Outcome, Outcome], Any]:
        """Every (old, new) outcome pair that occurs in `where`, with a model of each."""
        found: dict[tuple[Outcome, Outcome], Any] = {}
        block: list[Any] = []
        while True:
            model = self.check(self.differs(key), *where, *block)
            if model is None:
                return found
            pair = (self.outcome(model, self.old, key), self.outcome(model, self.new, key))
            if pair in found:  # the encoding and the reading disagree: never loop
                raise RuntimeError(f"outcome {pair} of {key} read twice")
            found[pair] = model
            block.append(z3.Not(z3.And(self.is_outcome(self.old, key, pair[0]),
                                       self.is_outcome(self.new, key, pair[1]))))


def _status(item: Item | None, s: str) -> Any:
    if item is None:
        return z3.BoolVal(s == "absent")
    return item.status[s]


# --- the facts a change touches, and their cells -----------------------------------------
def touched_facts(old: Rulebook, new: Rulebook) -> tuple[str, ...]:
    """The facts of the tests that differ between the two programs (per rule, or per
    definition), and the facts a rule added, removed, or whose outputs differ tests itself
    (not those behind the derived facts it uses: the region still covers them, its sentences
    then say "some such patients")."""
    def tests(book: Rulebook) -> dict[str, set[tuple[str, str, Any]]]:
        out: dict[str, set[tuple[str, str, Any]]] = {}
        for p in book.program.productions:
            name = p.rule or repr(sorted(map(repr, p.emits)))  # a definition: what it makes
            out.setdefault(name, set()).update((t.fact, t.op, repr(t.value)) for t in p.tests)
        return out

    a, b = tests(old), tests(new)
    facts: set[str] = set()
    for rid in set(a) | set(b):
        ta, tb = a.get(rid, set()), b.get(rid, set())
        facts.update(f for f, _, _ in ta ^ tb)
        outputs = [_outputs(book, rid) for book in (old, new)]
        if (rid in old.rules or rid in new.rules) and (
                rid not in a or rid not in b or outputs[0] != outputs[1]):
            facts.update(f for f, _, _ in ta | tb)
    return tuple(sorted(f for f in facts if f in FACTS and f != "side"))


def _outputs(book: Rulebook, rid: str) -> str | None:
    """A rule's outputs, without where they are written (a copied folder moves them)."""
    if rid not in book.rules:
        return None
    return repr([{f.name: getattr(out, f.name) for f in dataclasses.fields(out)
                  if f.name != "where"} for out in book.rules[rid].rule.outputs])


def base_cells(var: Var, fact: str, side: str | None, cuts: list[Fraction]) -> list[Cell]:
    """The cells the constants cut a fact's values into, in order, then "unknown"."""
    cells: list[Cell] = []
    if var.type == "number":
        assert var.spec is not None
        inside = [c for c in cuts if var.spec.lo <= c <= var.spec.hi]
        prev: Fraction | None = None
        for c in inside:
            if prev is None or prev < c:
                cells.append(Cell(fact, side, "interval", prev, False, c, False))
            cells.append(Cell(fact, side, "interval", c, True, c, True))
            prev = c
        cells.append(Cell(fact, side, "interval", prev, False, None, False))
    elif var.type == "bool":
        cells += [Cell(fact, side, "value", value=True), Cell(fact, side, "value", value=False)]
    else:
        cells += [Cell(fact, side, "value", value=x) for x in FACTS[fact].values]
    if not z3.is_true(var.known):
        cells.append(Cell(fact, side, "unknown"))
    return [c for c in cells if _has_point(var, c)]


def _has_point(var: Var, cell: Cell) -> bool:
    """Whether a grid point of the fact's range lies in the cell."""
    if cell.kind != "interval":
        return True
    assert var.spec is not None
    scale = var.spec.scale
    lo = math.ceil(var.spec.lo * scale)
    hi = math.floor(var.spec.hi * scale)
    if cell.lo is not None:
        x = cell.lo * scale
        lo = max(lo, math.ceil(x) if cell.lo_closed else math.floor(x) + 1)
    if cell.hi is not None:
        x = cell.hi * scale
        hi = min(hi, math.floor(x) if cell.hi_closed else math.ceil(x) - 1)
    return lo <= hi


def cell_formula(domain: Domain, cell: Cell) -> Any:
    var = domain.var(cell.fact, cell.side)
    if cell.kind == "unknown":
        return z3.Not(var.known)
    if cell.kind == "value":
        if var.type == "bool":
            return z3.And(var.known, var.value == bool(cell.value))
        return z3.And(var.known, var.value == (cell.value == FACTS[cell.fact].values[0]))
    assert var.spec is not None
    parts = [var.known]
    scale = var.spec.scale
    if cell.lo is not None:  # n/scale >= lo (or >)
        parts.append(var.value * cell.lo.denominator >= cell.lo.numerator * scale
                     if cell.lo_closed else
                     var.value * cell.lo.denominator > cell.lo.numerator * scale)
    if cell.hi is not None:
        parts.append(var.value * cell.hi.denominator <= cell.hi.numerator * scale
                     if cell.hi_closed else
                     var.value * cell.hi.denominator < cell.hi.numerator * scale)
    return z3.And(*parts)


def merge(cells: list[Cell], says: list[frozenset[Any]]) -> list[tuple[Cell, frozenset[Any]]]:
    """Adjacent interval cells that say the same become one interval."""
    out: list[tuple[Cell, frozenset[Any]]] = []
    for cell, said in zip(cells, says, strict=True):
        if out and cell.kind == "interval" and out[-1][0].kind == "interval" \
                and out[-1][1] == said:
            last = out[-1][0]
            out[-1] = (Cell(last.fact, last.side, "interval", last.lo, last.lo_closed,
                            cell.hi, cell.hi_closed), said)
        else:
            out.append((cell, said))
    return out


# --- the region ---------------------------------------------------------------------------
def region(old: Rulebook, new: Rulebook, old_name: str = "OLD", new_name: str = "NEW",
           boundaries: bool = True) -> Region:
    """Where the plans of the two rule sets differ, item by item, cross-checked with the
    engine (see the module's docstring)."""
    start = time.perf_counter()
    pair = Pair(old, new)
    facts = touched_facts(old, new)
    items = [_item_region(pair, key, facts) for key in pair.changed_keys()]
    disagreements: list[str] = []
    for change in (c for it in items for c in it.changes):
        _confirm(change, old, new, pair.relevant[(change.action, change.side)])
        if not change.confirmed:
            disagreements.append(f"{change.action} ({change.side or 'patient'}): solver "
                                 f"{change.old} -> {change.new}, engine {change.engine}")
    found = _boundaries(pair, items) if boundaries else []
    return Region(old_name, new_name, items, facts, found, time.perf_counter() - start,
                  disagreements)


def _item_region(pair: Pair, key: tuple[str, str | None], facts: tuple[str, ...]
                 ) -> ItemImpact:
    action, side = key
    kept: list[list[tuple[Cell, frozenset[Any]]]] = []
    # a leg's item: the patient's facts and that leg's; a whole-patient item: each leg's too
    places = [(f, None) if FACTS[f].scope == "patient" else (f, side) for f in facts] \
        if side is not None else [(f, None if FACTS[f].scope == "patient" else s)
                                  for f in facts for s in pair.domain.present
                                  if FACTS[f].scope != "patient" or s == SIDES[0]]
    for fact, at in places:
        var = pair.domain.get(fact, at)
        if var is None:
            continue
        cells = base_cells(var, fact, at, sorted(pair.constants.get(fact, set())))
        says = [frozenset(pair.transitions(key, cell_formula(pair.domain, c))) for c in cells]
        if len(set(says)) > 1:  # the fact matters for this item
            kept.append(merge(cells, says))
    combos: list[tuple[Cell, ...]] = [()]
    if kept:
        size = 1
        for cells_of in kept:
            size *= len(cells_of)
        if size <= MAX_COMBINATIONS:
            for cells_of in kept:
                combos = [(*c, cell) for c in combos for cell, _ in cells_of]
        else:
            combos = [(cell,) for cells_of in kept for cell, _ in cells_of]
    impact = ItemImpact(action, side, details=list(pair.relevant.get(key, [])))
    for combo in combos:
        where = [cell_formula(pair.domain, c) for c in combo]
        found = pair.transitions(key, *where)
        if not found:
            impact.unchanged.append(combo)
            continue
        for (o, n), first in sorted(found.items()):
            is_old = pair.is_outcome(pair.old, key, o)
            is_new = pair.is_outcome(pair.new, key, n)
            every = pair.check(*where, is_old, z3.Not(is_new)) is None
            model = pair.plain(side, *where, is_old, is_new) or first
            doc = pair.domain.document(model, f"impact-{action}-{side or 'patient'}")
            impact.changes.append(Change(action, side, o, n, combo, every, doc, model))
    return impact


def item_outcome(plan: Plan, action: str, side: str | None, details: list[str] | None = None
                 ) -> Outcome:
    """An item of an engine's plan as an Outcome (the string details only)."""
    found = [i for i in plan.items if i.action == action and i.side == side]
    if not found:
        return Outcome("absent")
    item = found[0]
    keys = sorted(k for k, val in item.detail.items() if isinstance(val, str)
                  and (details is None or k in details))
    return Outcome(item.status, tuple((k, str(item.detail[k])) for k in keys))


def _confirm(change: Change, old: Rulebook, new: Rulebook, details: list[str]) -> None:
    """The engine's plans of the sample patient under both rule sets show the change."""
    try:
        patient = parse_patient(change.sample)
    except InputError as exc:
        change.engine = "not a valid patient: " + "; ".join(exc.problems)
        return
    got_old = item_outcome(evaluate(patient, old), change.action, change.side, details)
    got_new = item_outcome(evaluate(patient, new), change.action, change.side, details)
    change.confirmed = (got_old, got_new) == (change.old, change.new)
    if not change.confirmed:
        change.engine = f"{got_old} -> {got_new}"


def _boundaries(pair: Pair, items: list[ItemImpact]) -> list[Boundary]:
    """At each edge of a change's interval: the sample patient moved onto the edge and just
    outside it, every other fact kept (the scenarios that pin the change down)."""
    out: list[Boundary] = []
    seen: set[tuple[str, str, int]] = set()  # one leg's scenarios stand for the other's
    for it in items:
        for ch in it.changes:
            for cell in ch.cells:
                if cell.kind != "interval":
                    continue
                var = pair.domain.var(cell.fact, cell.side)
                assert var.spec is not None
                scale = var.spec.scale
                points = []
                for edge, closed, lower in ((cell.lo, cell.lo_closed, True),
                                            (cell.hi, cell.hi_closed, False)):
                    if edge is None or (edge * scale).denominator != 1:
                        continue
                    n = int(edge * scale)
                    step = -1 if lower else 1  # outwards
                    points += [(n, True), (n + step, False)] if closed else \
                        [(n - step, True), (n, False)]
                for n, inside in points:
                    tag = (ch.action, cell.fact, n)
                    if tag in seen:
                        continue
                    seen.add(tag)
                    got = _moved(pair, ch, var, n)
                    if got is not None:
                        out.append(Boundary(ch.action, ch.side, cell.fact,
                                            _num(Fraction(n, scale)) or 0, inside, *got))
    return out


def _moved(pair: Pair, ch: Change, var: Var, n: int
           ) -> tuple[dict[str, Any], Outcome, Outcome, Plan] | None:
    """The change's sample with one fact set to grid point n; both engines' outcomes."""
    d = pair.domain
    pins = [d.present[side] == ch.model.eval(d.present[side], True) for side in d.present]
    for table in (d.patient, *d.legs.values()):
        for other in table.values():
            if other is not var:
                pins += [x == ch.model.eval(x, True) for x in (other.known, other.value)
                         if not z3.is_true(x)]
    model = pair.check(*pins, var.known, var.value == n)
    if model is None:
        return None
    doc = pair.domain.document(model, ch.sample["id"] + "-edge")
    try:
        moved = parse_patient(doc)
    except InputError:
        return None
    new_plan = evaluate(moved, pair.new_book)
    details = pair.relevant[(ch.action, ch.side)]
    return (doc, item_outcome(evaluate(moved, pair.old_book), ch.action, ch.side, details),
            item_outcome(new_plan, ch.action, ch.side, details), new_plan)


__all__ = ["Boundary", "Cell", "Change", "ItemImpact", "Outcome", "Pair", "Region",
           "in_cell", "item_outcome", "load_side", "region", "touched_facts"]

