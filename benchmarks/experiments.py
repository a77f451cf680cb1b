"""Measured optimisation candidates for evaluate(), tried as in-process patches.

    python benchmarks/experiments.py [--samples 3000]

Each candidate is applied as a monkeypatch (nothing in careflow/ is edited), evaluate() is
timed over the examples against the unpatched baseline (interleaved, so drift hits both), and
every plan is checked to stay the same (byte-identical JSON). The winners are suggestions for
the owners of careflow/evaluate.py and careflow/_engine.py; see docs/performance.md.
"""

from __future__ import annotations

import argparse
import importlib
import statistics
import sys
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager
from typing import Any

from common import example_patients, latencies_ms, percentile

from careflow import _engine
from careflow.rulebook import Rulebook, default_rulebook

# the module: `careflow.evaluate` is also the name of the function the package exports
ev = importlib.import_module("careflow.evaluate")


@contextmanager
def patched(obj: Any, name: str, value: Any) -> Iterator[None]:
    old = getattr(obj, name)
    setattr(obj, name, value)
    try:
        yield
    finally:
        setattr(obj, name, old)


# --- candidates ------------------------------------------------------------------------
def skip_register_copy() -> AbstractContextManager[None]:
    """run_engine() builds book.engine_rulesets() (a copy of every rule's engine dict) on each
    call only for register() to return at once: check the name first."""
    original = ev.run_engine

    def run_engine(book: Rulebook, patient: Any) -> ev.Run:
        ents = ev.entities(patient, book.used_keys)
        run = ev.Run(book)
        name = ev.ruleset_name(book)
        if name not in _engine._REGISTERED:
            _engine.register(name, book.engine_rulesets())
        with _engine.session(name, run.sink) as session:
            for stratum in range(book.strata):
                session.assert_batch(run.stratum_facts(stratum, ents))
        return run

    del original
    return _both(patched(ev, "run_engine", run_engine))


def shared_reason_models() -> AbstractContextManager[None]:
    """Reason models are frozen: share them between plans (a bounded per-process cache keyed
    like Explainer.models) instead of constructing ~40 per plan."""
    cache: dict[tuple[str, str, tuple[str, ...]], Any] = {}
    original_init = ev.Explainer.__init__

    def init(self: ev.Explainer, run: ev.Run, patient: Any) -> None:
        original_init(self, run, patient)
        if len(cache) > 50_000:
            cache.clear()
        self.models = cache

    return patched(ev.Explainer, "__init__", init)


def fast_model_construct() -> AbstractContextManager[None]:
    """pydantic's model_construct costs ~4 us (alias and default handling, fields-set
    bookkeeping); the plan builds ~60 models per plan from values it already trusts. A
    construct that fills the instance dict directly (all fields given or defaulted from a
    per-class table) gives the same models."""
    from careflow import plan as plan_module
    from careflow import resolve as resolve_module

    classes = [plan_module.Reason, plan_module.Item, plan_module.Finding,
               plan_module.Contribution, plan_module.Plan]
    stack = ExitStack()
    setattr_ = object.__setattr__
    for cls in classes:
        missing = object()
        table = tuple((name, missing if f.is_required() else
                       f.get_default(call_default_factory=True))
                      for name, f in cls.model_fields.items())

        def construct(cls_: Any, _fields_set: Any = None,
                      _t: tuple[tuple[str, Any], ...] = table, **values: Any) -> Any:
            m = cls_.__new__(cls_)
            get = values.get
            data = {name: get(name, default) for name, default in _t}
            setattr_(m, "__dict__", data)
            setattr_(m, "__pydantic_fields_set__", set(values))
            setattr_(m, "__pydantic_extra__", None)
            setattr_(m, "__pydantic_private__", None)
            return m

        stack.enter_context(patched(cls, "model_construct", classmethod(construct)))
    del resolve_module
    return stack


def fast_fact_json() -> AbstractContextManager[None]:
    """_engine._dumps writes every fact value by value in Python (to keep floats like 1e-05
    away from the engine's parser). Facts are flat and such floats are rare: check the floats
    and use the C json.dumps unless one needs positional notation (then the slow writer)."""
    import json
    import math

    slow = getattr(_engine, "_dumps", None)
    if slow is None:
        return ExitStack()  # the adapter has no such writer: nothing to try
    dumps = json.dumps

    def needs_slow(value: Any) -> bool:
        kind = type(value)
        if kind is float:
            return not math.isfinite(value) or "e" in repr(value)
        if kind is dict:
            return any(needs_slow(v) for v in value.values())
        if kind is list or kind is tuple:
            return any(needs_slow(v) for v in value)
        return False

    def fast(value: Any) -> str:
        return slow(value) if needs_slow(value) else dumps(value)

    return patched(_engine, "_dumps", fast)


def no_catch_all() -> AbstractContextManager[None]:
    """The catch-all rule fires once per fact (about half of all engine actions) only so that
    no fact is "unhandled". With the adapter's own action loop, an unhandled fact is harmless:
    the C core answers ERR_EVENT_NOT_HANDLED (1) with a valid state handle, and the actions of
    the facts that did match are run at once by the same loop (nothing is left pending for a
    timer thread, which is what once crashed). Register without the catch-all and accept code
    1 from an assert."""
    if not hasattr(_engine, "_state") or not hasattr(_engine, "CATCH_ALL"):
        return ExitStack()
    original_register = _engine.register
    original_name = ev.ruleset_name

    def register(name: str, rules: dict[str, dict[str, Any]]) -> None:
        with _engine._LOCK:
            if name in _engine._REGISTERED:
                return
            import copy

            definition = copy.deepcopy(rules)
            for rule_id, rule in definition.items():
                rule["run"] = rule_id
            _engine._host().set_rulesets({name: definition})
            _engine._REGISTERED.add(name)

    def state(result: tuple[int, int], what: str) -> int:
        code, handle = result
        if code not in (0, 1):  # 1: some fact matched no rule (harmless here)
            raise _engine.EngineError(f"the engine did not take {what} (code {code})")
        return handle

    stack = ExitStack()
    stack.enter_context(patched(_engine, "register", register))
    stack.enter_context(patched(_engine, "_state", state))
    stack.enter_context(patched(ev, "ruleset_name", lambda b: original_name(b) + "_nc"))
    del original_register
    return stack


def orjson_action_decode() -> AbstractContextManager[None]:
    """Decode the engine's action messages (one JSON object per firing, the matched facts)
    with orjson (3-4x faster than json.loads; binary wheels for Linux, macOS, Windows) where
    it is installed, as an optional speed-up."""
    sys.path.insert(0, "/tmp/careflow-bench-extra")  # pip install --target there to try it
    try:
        import orjson
    except ImportError:
        return ExitStack()  # not installed: the candidate is a no-op
    finally:
        sys.path.remove("/tmp/careflow-bench-extra")

    class Json:
        loads = staticmethod(orjson.loads)

        def __getattr__(self, name: str) -> Any:
            import json

            return getattr(json, name)

    return patched(_engine, "json", Json())


CANDIDATES: dict[str, Callable[[], AbstractContextManager[None]]] = {
    "skip engine_rulesets() copy once registered": skip_register_copy,
    "share frozen Reason models across plans": shared_reason_models,
    "C json.dumps for facts unless a float needs the slow writer": fast_fact_json,
    "fast model_construct for plan models": fast_model_construct,
    "orjson for the engine's action messages": orjson_action_decode,
    "no catch-all rule (accept 'not handled' from an assert)": no_catch_all,
}


@contextmanager
def _both(cm: AbstractContextManager[None]) -> Iterator[None]:
    with cm:
        yield


def _generated(n: int) -> list[Any]:
    """n random valid patients from the test suite's generator (tests/unit/gen_patients.py),
    to check that a candidate keeps every plan the same, not only the examples'."""
    if n <= 0:
        return []
    import warnings

    from careflow.model import parse_patient
    try:
        from tests.unit.gen_patients import patients as strategy
    except ImportError:
        return []
    out = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # .example() is meant for interactive use
        for _ in range(n):
            out.append(parse_patient(strategy().example()))
    return out


def measure(samples: int, rounds: int, generated: int = 0) -> list[dict[str, Any]]:
    patients = [p for _, p in example_patients()[0]]
    book = default_rulebook()
    checked = patients + _generated(generated)
    expected = [ev.evaluate(p, book).to_json() for p in checked]

    def median(n: int) -> float:
        return percentile(latencies_ms(lambda p: ev.evaluate(p, book), patients, n), 50)

    def check() -> bool:
        return [ev.evaluate(p, book).to_json() for p in checked] == expected

    def timed(factory: Callable[[], AbstractContextManager[None]] | None) -> tuple[float, bool]:
        with ExitStack() as stack:
            if factory is not None:
                stack.enter_context(factory())
            same = check()
            return median(samples), same

    rows = []
    combos: dict[str, Callable[[], AbstractContextManager[None]] | None] = dict(CANDIDATES)
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
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--samples", type=int, default=3000)
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
