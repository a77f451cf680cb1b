"""Measured optimisation candidates for evaluate(), tried as in-process patches.

    python benchmarks/experiments.py [--samples 1000 --rounds 5 --generated 300]

Each candidate is applied as a monkeypatch (nothing in careflow/ is edited), evaluate() is
timed over the examples against the unpatched baseline (interleaved, the order swapped every
other round, so drift hits both), and every plan is checked to stay the same (byte-identical
JSON on the examples and on generated patients). A candidate whose target is no longer in the
code is a no-op (reported with the same time as the baseline). The winners are suggestions
for the owners of careflow/evaluate.py and careflow/_engine.py; see docs/performance.md.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib
import statistics
import sys
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager
from typing import Any

from common import example_patients, generated_patients, latencies_ms, percentile

from careflow import _engine
from careflow.errors import EngineError
from careflow.rulebook import default_rulebook
from careflow.rulebook.program import Program

# the module: `careflow.evaluate` is also the name of the function the package exports
ev = importlib.import_module("careflow.evaluate")
Candidate = Callable[[], AbstractContextManager[None]]


@contextmanager
def patched(obj: Any, name: str, value: Any) -> Iterator[None]:
    old = getattr(obj, name)
    setattr(obj, name, value)
    try:
        yield
    finally:
        setattr(obj, name, old)


# --- candidates ------------------------------------------------------------------------
@contextmanager
def no_catch_all() -> Iterator[None]:
    """The catch-all rule fires once per entity copy (a quarter of the engine's actions) only
    so that no fact is "unhandled". With the adapter's own action loop an unhandled fact is
    harmless: the C core answers ERR_EVENT_NOT_HANDLED (1) with a valid state handle, and the
    actions of the facts that did match are run at once by the same loop (nothing is left
    pending for a timer thread, which is what once crashed). Register the program without
    the catch-all (under another name) and accept code 1 from an assert."""
    names = vars(_engine)
    if not all(k in names for k in ("_translate", "_state", "CATCH_ALL", "run")):
        yield
        return
    translate, run, catch_all = names["_translate"], names["run"], names["CATCH_ALL"]
    renamed: dict[str, Program] = {}

    def translate_nc(program: Program) -> tuple[Any, dict[str, Any]]:
        compiled, definition = translate(program)
        definition.pop(catch_all, None)
        return compiled, definition

    def state_nc(result: tuple[int, int], what: str) -> int:
        code, handle = result
        if code not in (0, 1):  # 1: some fact matched no rule (harmless here)
            raise EngineError(f"the engine did not take {what} (code {code})")
        return handle

    def run_nc(program: Program, entities: Any) -> Any:
        other = renamed.get(program.name)
        if other is None:
            other = renamed[program.name] = dataclasses.replace(
                program, name=program.name + "_no_catch_all")
        return run(other, entities)

    with ExitStack() as stack:
        stack.enter_context(patched(_engine, "_translate", translate_nc))
        stack.enter_context(patched(_engine, "_state", state_nc))
        stack.enter_context(patched(_engine, "run", run_nc))
        yield


@contextmanager
def fast_model_construct() -> Iterator[None]:
    """pydantic's model_construct costs ~4 us (alias and default handling, fields-set
    bookkeeping); a plan builds dozens of models from values it already trusts. A construct
    that fills the instance dict directly (all fields given or defaulted from a per-class
    table) gives the same models. Relies on pydantic v2 internals."""
    plan_module = importlib.import_module("careflow.plan")
    classes = [getattr(plan_module, name) for name in (
        "Reason", "Check", "Item", "Finding", "Contribution", "Plan")
        if hasattr(plan_module, name)]
    setattr_ = object.__setattr__
    missing = object()
    with ExitStack() as stack:
        for cls in classes:
            table = tuple((name, missing if f.is_required() else
                           f.get_default(call_default_factory=True))
                          for name, f in cls.model_fields.items())

            def construct(cls_: Any, /, _fields_set: Any = None,
                          _t: tuple[tuple[str, Any], ...] = table, **values: Any) -> Any:
                m = cls_.__new__(cls_)
                get = values.get
                setattr_(m, "__dict__", {name: get(name, default) for name, default in _t})
                setattr_(m, "__pydantic_fields_set__", set(values))
                setattr_(m, "__pydantic_extra__", None)
                setattr_(m, "__pydantic_private__", None)
                return m

            stack.enter_context(patched(cls, "model_construct", classmethod(construct)))
        yield


CANDIDATES: dict[str, Candidate] = {
    "no catch-all rule (accept 'not handled' from an assert)": no_catch_all,
    "fast model_construct for plan models": fast_model_construct,
}


def measure(samples: int, rounds: int, generated: int = 0) -> list[dict[str, Any]]:
    patients = [p for _, p in example_patients()[0]]
    book = default_rulebook()
    checked = patients + generated_patients(generated)
    expected = [ev.evaluate(p, book).to_json() for p in checked]

    def median(n: int) -> float:
        return percentile(latencies_ms(lambda p: ev.evaluate(p, book), patients, n), 50)

    def check() -> bool:
        return [ev.evaluate(p, book).to_json() for p in checked] == expected

    def timed(factory: Candidate | None) -> tuple[float, bool]:
        with ExitStack() as stack:
            if factory is not None:
                stack.enter_context(factory())
            same = check()
            return median(samples), same

    rows = []
    combos: dict[str, Candidate] = dict(CANDIDATES)
    combos["all of the above"] = _all
    for name, factory in combos.items():
        base, new = [], []
        same = True
        for r in range(rounds):  # interleaved, the order swapped every other round
            if r % 2:
                ms, ok = timed(factory)
                base.append(timed(None)[0])
            else:
                base.append(timed(None)[0])
                ms, ok = timed(factory)
            new.append(ms)
            same = same and ok
        b, n = statistics.median(base), statistics.median(new)
        # paired differences: robust to the machine's drift
        saved = statistics.median(x - y for x, y in zip(base, new, strict=True))
        rows.append({"candidate": name, "baseline_ms": b, "patched_ms": n,
                     "saved_ms": saved, "saved_pct": saved / b * 100, "same_plans": same})
        print(f"{name}: {b:.3f} -> {n:.3f} ms (saved {saved / b:+.1%}), same plans: {same}",
              file=sys.stderr, flush=True)
    return rows


@contextmanager
def _all() -> Iterator[None]:
    with ExitStack() as stack:
        for factory in CANDIDATES.values():
            stack.enter_context(factory())
        yield


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    ap.add_argument("--samples", type=int, default=1000)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--generated", type=int, default=300,
                    help="random patients whose plans must stay byte-identical")
    args = ap.parse_args()
    rows = measure(args.samples, args.rounds, args.generated)
    print("| candidate | baseline ms | patched ms | saved | same plans |")
    print("|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['candidate']} | {r['baseline_ms']:.3f} | {r['patched_ms']:.3f} | "
              f"{r['saved_ms']:.3f} ms ({r['saved_pct']:.1f} %) | "
              f"{'yes' if r['same_plans'] else 'NO'} |")


if __name__ == "__main__":
    main()
