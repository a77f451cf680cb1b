"""Where evaluate()'s time goes: cProfile over the examples, grouped by layer.

    python benchmarks/profile_evaluate.py [--plans 2000] [--rules-copies 1] [--sort tottime]

Prints a table of layers (own time, share) and the top functions, and writes
benchmarks/results/profile.txt (profile-{k}x.txt with --rules-copies k). cProfile adds its
own cost per Python call, so the shares overstate code that makes many small calls; the
wall-clock stage split is in run.py.
"""

from __future__ import annotations

import argparse
import cProfile
import importlib
import inspect
import io
import pstats
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from common import RESULTS, example_patients
from synthetic import scaled_rules

from careflow.errors import EngineError
from careflow.evaluate import evaluate
from careflow.rulebook import default_rulebook, default_rules_dir, load_rulebook


# Parts of careflow/evaluate.py by the definitions they are in (nested lambdas and
# generator expressions included): (object, layer).
def _evaluate_parts() -> list[tuple[str, int, int, str]]:
    ev = importlib.import_module("careflow.evaluate")
    out = []
    for name, layer in (("Trace", "trace (Trace.of)"), ("Explainer", "explanation (Explainer)"),
                        ("Exclusions", "explanation (Exclusions: checked / unchecked)"),
                        ("_unique", "explanation (Exclusions: checked / unchecked)"),
                        ("run_engine", "careflow session glue (run_engine)"),
                        ("build_plan", "plan assembly (build_plan)"),
                        ("_evidence", "plan assembly (build_plan)"),
                        ("_item_side", "plan assembly (build_plan)"),
                        ("evaluate", "plan assembly (build_plan)")):
        obj = getattr(ev, name, None)
        if obj is None:
            continue
        lines, start = inspect.getsourcelines(obj)
        out.append((inspect.getsourcefile(obj) or "", start, start + len(lines) - 1, layer))
    return out


_PARTS: list[tuple[str, int, int, str]] = []

# (layer, test on file, function): the first that matches wins.
LAYERS: list[tuple[str, Callable[[str, str], bool]]] = [
    ("durable-rules C core", lambda f, fn: "durable_rules_engine" in fn),
    ("durable-rules Python layer", lambda f, fn: "/durable/" in f),
    ("json encode/decode", lambda f, fn: "/json/" in f or fn.startswith("<method 'dumps")
     or ("json" in fn and f == "~")),
    ("careflow engine adapter (_engine.py)", lambda f, fn: f.endswith("careflow/_engine.py")),
    ("resolution (resolve.py)", lambda f, fn: f.endswith("careflow/resolve.py")),
    ("plan models (plan.py, pydantic)", lambda f, fn: f.endswith("careflow/plan.py")
     or "pydantic" in f or "pydantic" in fn),
    ("entity facts (facts.py, model.py)",
     lambda f, fn: f.endswith(("careflow/facts.py", "careflow/model.py"))),
    ("condition algebra (logic.py, rulebook/)", lambda f, fn: f.endswith("careflow/logic.py")
     or "careflow/rulebook/" in f),
    ("copy / dataclasses / builtins", lambda f, fn: f == "~" or "/copy.py" in f
     or "dataclasses" in f),
]


def layer_of(file: str, line: int, func: str) -> str:
    for path, start, end, layer in _PARTS:
        if file == path and start <= line <= end:
            return layer
    if file.endswith("careflow/evaluate.py"):
        return "plan assembly (build_plan)"
    for name, test in LAYERS:
        if test(file, func):
            return name
    return "other"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--plans", type=int, default=2000)
    ap.add_argument("--rules-copies", type=int, default=1, help="profile k copies of the rules")
    ap.add_argument("--sort", default="tottime", choices=("tottime", "cumulative"))
    ap.add_argument("--top", type=int, default=25)
    args = ap.parse_args()

    patients = [p for _, p in example_patients()[0]]
    with tempfile.TemporaryDirectory(prefix="careflow-prof-") as tmp:
        book = default_rulebook() if args.rules_copies == 1 else load_rulebook(
            scaled_rules(default_rules_dir(), args.rules_copies, Path(tmp) / "rules"))
    try:
        for p in patients:
            evaluate(p, book)
    except EngineError as exc:  # e.g. a rule set too large for the engine to register
        raise SystemExit(f"{len(book.rules)} rules ({args.rules_copies}x): {exc}") from None
    _PARTS[:] = _evaluate_parts()

    prof = cProfile.Profile()
    prof.enable()
    for i in range(args.plans):
        evaluate(patients[i % len(patients)], book)
    prof.disable()

    stats = pstats.Stats(prof)
    # total_tt and stats are pstats.Stats' data, used by its own printers; typeshed omits them
    total = stats.total_tt  # type: ignore[attr-defined]
    layers: dict[str, float] = {}
    for (file, line, func), (_cc, _nc, tt, _ct, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        name = layer_of(file, line, func)
        layers[name] = layers.get(name, 0.0) + tt

    out = io.StringIO()
    out.write(f"cProfile of evaluate(): {args.plans} plans over {len(patients)} example(s), "
              f"{len(book.rules)} rules ({args.rules_copies}x); {total / args.plans * 1000:.3f} "
              "ms/plan under the profiler\n\n")
    out.write("| layer (own time) | ms/plan | share |\n|---|---|---|\n")
    for name, tt in sorted(layers.items(), key=lambda kv: -kv[1]):
        out.write(f"| {name} | {tt / args.plans * 1000:.3f} | {tt / total:.0%} |\n")
    out.write("\n")
    text = io.StringIO()
    pstats.Stats(prof, stream=text).sort_stats(args.sort).print_stats(args.top)
    body = text.getvalue()
    out.write(body[body.find("   ncalls"):] if "   ncalls" in body else body)
    report = out.getvalue()
    RESULTS.mkdir(parents=True, exist_ok=True)
    name = "profile.txt" if args.rules_copies == 1 else f"profile-{args.rules_copies}x.txt"
    (RESULTS / name).write_text(report, encoding="utf-8")
    sys.stdout.write(report)


if __name__ == "__main__":
    main()
