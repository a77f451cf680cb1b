"""The impact of a rule change on a population (`careflow impact --population`): every
patient through the batch runner's pool, under both rule sets, and the items whose status or
detail differ, each with the rules behind the difference.

A patient outside every cell of the change's region (careflow.prove.impact) is proven to get
the same plan from both rule sets, so only the patients inside are evaluated (twice);
`check_all` evaluates every patient, a cross-check of the region that reports any patient
whose plans differ outside it.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import Counter
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import batch
from ..errors import EngineError, InputError
from ..plan import Item, Plan
from .impact import Cell, Outcome, Region

Spec = tuple[str | None, str | None]
"""A rule set as the batch runner loads it: (rules folder, parameters file)."""
Detail = tuple[tuple[str, str], ...]
"""An item's string details, sorted (a count's key)."""
Cover = tuple[tuple[str, str | None, tuple[str, ...],
                    tuple[tuple[tuple[Cell, ...], Outcome], ...]], ...]
"""Per changed item (action, side, the details that can differ): each change's cells and the
outcome it starts from."""


def spec_of(path: Path) -> Spec:
    """OLD or NEW as the batch runner loads it (a folder, or a parameters file)."""
    return (str(path), None) if path.is_dir() else (None, str(path))


def cover_of(region: Region) -> Cover:
    return tuple((it.action, it.side, tuple(it.details),
                  tuple((c.cells, c.old) for c in it.changes))
                 for it in region.items if it.changes)


@dataclass(frozen=True)
class ItemDiff:
    """One item whose status or detail differs, with the rules that had a say on it."""

    action: str
    side: str | None
    old_status: str
    new_status: str
    old_detail: dict[str, Any]
    new_detail: dict[str, Any]
    old_rule: str | None
    new_rule: str | None
    gone: tuple[tuple[str, str], ...]  # (rule, effect) with a say under OLD only
    came: tuple[tuple[str, str], ...]  # the same under NEW only; effect "decides" or
    # another rule's claim, hold or annotate

    def as_json(self) -> dict[str, Any]:
        return {"action": self.action, "side": self.side,
                "old": {"status": self.old_status, "detail": self.old_detail,
                        "rule": self.old_rule},
                "new": {"status": self.new_status, "detail": self.new_detail,
                        "rule": self.new_rule},
                "rules_only_old": [{"rule": r, "effect": e} for r, e in self.gone],
                "rules_only_new": [{"rule": r, "effect": e} for r, e in self.came]}


@dataclass(frozen=True)
class PatientDiff:
    line: int
    patient_id: str | None
    evaluated: bool  # inside the region (or check_all): evaluated under the old rules
    items: tuple[ItemDiff, ...] = ()
    error: str | None = None  # "input" | "engine"
    problems: tuple[str, ...] = ()
    outside: bool = False  # the plans differ although the region would have skipped it
    both: bool = False  # evaluated under the new rules too


def _says(item: Item | None) -> set[tuple[str, str]]:
    if item is None:
        return set()
    return {(item.rule, "decides")} | {(c.rule, c.effect) for c in item.other_rules}


def plan_diff(old: Plan, new: Plan) -> tuple[ItemDiff, ...]:
    """The items (action, side) whose status or detail differ between two plans."""
    a = {(i.action, i.side): i for i in old.items}
    b = {(i.action, i.side): i for i in new.items}
    out = []
    for key in sorted(set(a) | set(b), key=lambda k: (k[0], k[1] or "")):
        x, y = a.get(key), b.get(key)
        sx = x.status if x else "absent"
        sy = y.status if y else "absent"
        dx = dict(x.detail) if x else {}
        dy = dict(y.detail) if y else {}
        if (sx, dx) == (sy, dy):
            continue
        out.append(ItemDiff(key[0], key[1], sx, sy, dx, dy, x.rule if x else None,
                            y.rule if y else None, tuple(sorted(_says(x) - _says(y))),
                            tuple(sorted(_says(y) - _says(x)))))
    return tuple(out)


def inside(cover: Cover, patient: Any) -> bool:
    """The patient lies in a cell where some item can change."""
    return bool(_starts(cover, patient))


def _starts(cover: Cover, patient: Any) -> list[tuple[str, str | None, tuple[str, ...],
                                                       Outcome]]:
    """(action, side, details, old outcome) of every change whose cells hold the patient."""
    from .impact import in_cell

    out = []
    for action, side, details, changes in cover:
        if side is not None and patient.leg(side) is None:
            continue
        out += [(action, side, details, old) for cells, old in changes
                if all(in_cell(patient, c) for c in cells)]
    return out


def may_change(cover: Cover, patient: Any, old_plan: Plan) -> bool:
    """Whether the old plan has an item as some change whose cells hold the patient starts
    from. The solver listed every (old -> new) outcome of each cell, so a patient whose old
    items start none of them gets the same plan from the new rules."""
    from .impact import item_outcome

    return any(item_outcome(old_plan, action, side, list(details)) == old
               for action, side, details, old in _starts(cover, patient))


def _one(line: int, record: Any, old: Any, new: Any, cover: Cover | None,
         source: str) -> PatientDiff:
    """The patient's diff: not evaluated outside the cover; evaluated under the old rules
    only when its old items start no change; else under both."""
    from ..evaluate import evaluate

    where = f"{source}:{line}" if source else f"record {line}"
    try:
        patient = batch._patient(record, where)
    except InputError as exc:
        return PatientDiff(line, batch._guess_id(record), False, error="input",
                           problems=tuple(exc.problems))
    if cover is not None and not inside(cover, patient):
        return PatientDiff(line, patient.id, False)
    try:
        before = evaluate(patient, old)
        if cover is not None and not may_change(cover, patient, before):
            return PatientDiff(line, patient.id, True)
        items = plan_diff(before, evaluate(patient, new))
    except EngineError as exc:
        return PatientDiff(line, patient.id, True, error="engine",
                           problems=(f"engine error: {exc}",))
    return PatientDiff(line, patient.id, True, items, both=True)


def _work(chunk: list[batch.Numbered], old: Spec, new: Spec, cover: Cover | None,
          check_all: bool, source: str) -> list[PatientDiff]:
    a, b = batch._rulebook(*old), batch._rulebook(*new)
    if not check_all:
        return [_one(line, rec, a, b, cover, source) for line, rec in chunk]
    from ..evaluate import evaluate

    out = []
    for line, rec in chunk:
        got = _one(line, rec, a, b, None, source)
        if got.items and cover is not None:  # would the cover have skipped this patient?
            patient = batch._patient(rec, source)
            if not inside(cover, patient) or not may_change(cover, patient,
                                                            evaluate(patient, a)):
                got = PatientDiff(got.line, got.patient_id, True, got.items, both=True,
                                  outside=True)
        out.append(got)
    return out


def _warm(old: Spec, new: Spec) -> None:
    batch._rulebook(*old)
    batch._rulebook(*new)


def diff_lines(pairs: Iterable[batch.Numbered], old: Spec, new: Spec, cover: Cover | None,
               workers: int | None = None, check_all: bool = False, source: str = "",
               chunk_size: int = 32) -> Iterator[PatientDiff]:
    """Every record's difference, in input order, on `workers` processes (None: one per CPU;
    0: in this process)."""
    n = (os.cpu_count() or 1) if workers is None else workers
    if n <= 0:
        for chunk in batch._chunks(pairs, chunk_size):
            yield from _work(chunk, old, new, cover, check_all, source)
        return
    pool = ProcessPoolExecutor(max_workers=n, initializer=_warm, initargs=(old, new),
                               mp_context=multiprocessing.get_context("spawn"))

    def submit(chunk: list[batch.Numbered]) -> Future[list[PatientDiff]]:
        return pool.submit(_work, chunk, old, new, cover, check_all, source)

    def cancel(futures: Iterable[Future[list[PatientDiff]]]) -> None:
        for f in futures:
            f.cancel()

    finished = False
    try:
        results: Iterator[Any] = batch._ordered(
            batch._chunks(pairs, chunk_size), submit, lambda f: f.result(), max(2, 4 * n),
            False, cancel)
        yield from results
        finished = True
    finally:
        if not finished:
            batch._reap(pool)
        pool.shutdown(wait=finished, cancel_futures=True)


@dataclass
class PopulationImpact:
    source: str
    records: int = 0
    evaluated: int = 0  # under the old rules (inside the region)
    both: int = 0  # under the new rules too (their old items start a change)
    bad: list[PatientDiff] = field(default_factory=list)
    affected: list[PatientDiff] = field(default_factory=list)
    outside: list[PatientDiff] = field(default_factory=list)  # check_all: region missed them
    counts: Counter[tuple[str, str, Detail, str, Detail]] = field(default_factory=Counter)
    # (action, old status, old detail, new status, new detail) -> items

    def add(self, d: PatientDiff) -> None:
        self.records += 1
        self.evaluated += d.evaluated
        self.both += d.both
        if d.error:
            self.bad.append(d)
            return
        if d.items:
            self.affected.append(d)
            if d.outside:
                self.outside.append(d)
        for it in d.items:
            self.counts[(it.action, it.old_status, _detail_key(it.old_detail),
                         it.new_status, _detail_key(it.new_detail))] += 1


def _detail_key(detail: dict[str, Any]) -> Detail:
    return tuple((k, str(detail[k])) for k in sorted(detail) if isinstance(detail[k], str))


def run_population(path: Path, old: Path, new: Path, region: Region, workers: int | None,
                   check_all: bool, progress: bool) -> PopulationImpact:
    """The population's impact; InputError when the file cannot be read."""
    try:
        total = batch.count_records(path)
    except OSError as exc:
        raise InputError([f"cannot read ({exc.strerror})"], str(path)) from None
    reader = batch.read_csv if path.suffix.lower() == ".csv" else batch.read_jsonl
    result = PopulationImpact(str(path))
    cover = cover_of(region)
    with batch._progress(progress, total, 0) as advance:
        for d in diff_lines(reader(path), spec_of(old), spec_of(new), cover, workers,
                            check_all, str(path)):
            result.add(d)
            advance(1)
    return result


__all__ = ["ItemDiff", "PatientDiff", "PopulationImpact", "cover_of", "diff_lines",
           "inside", "plan_diff", "run_population", "spec_of"]
