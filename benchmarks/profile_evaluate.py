"""Where evaluate()'s time goes: cProfile over the examples, grouped by layer.

    python benchmarks/profile_evaluate.py [--plans 2000] [--rules-copies 1] [--sort tottime]

Prints a table of layers (own time, share) and the top functions, and writes
benchmarks/results/profile.txt. cProfile adds its own cost per Python call, so the shares
overstate code that makes many small calls; the wall-clock stage split is in run.py.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
import tempfile
from pathlib import Path

from common import RESULTS, example_patients
from synthetic import scaled_rules

from careflow.evaluate import evaluate
from careflow.rulebook import default_rulebook, default_rules_dir, load_rulebook

# (layer, test on "file:function"): the first that matches wins.
LAYERS = [
    ("durable-rules C core", lambda f, fn: "durable_rules_engine" in fn),
    ("durable-rules Python layer", lambda f, fn: "/durable/" in f),
    ("json encode/decode", lambda f, fn: "/json/" in f or fn.startswith("<method 'dumps")
     or "json" in fn and f == "~"),
    ("careflow engine adapter (_engine.py)", lambda f, fn: f.endswith("careflow/_engine.py")),
    ("careflow session glue (Run: sink, stratum facts)",
     lambda f, fn: f.endswith("careflow/evaluate.py") and fn in (
         "sink", "stratum_facts", "node_of", "run_engine", "ruleset_name", "<listcomp>",
         "<dictcomp>")),
    ("explanation (Explainer, holds)", lambda f, fn: f.endswith("careflow/evaluate.py")
     and fn not in ("build_plan", "evaluate", "_evidence", "<genexpr>")
     or f.endswith("rulebook/compile.py")),
    ("plan assembly (build_plan)", lambda f, fn: f.endswith("careflow/evaluate.py")),
    ("resolution (resolve.py)", lambda f, fn: f.endswith("careflow/resolve.py")),
    ("plan models (plan.py, pydantic)", lambda f, fn: f.endswith("careflow/plan.py")
     or "pydantic" in f or "pydantic" in fn),
    ("entity facts (facts.py, model.py)", lambda f, fn: f.endswith("careflow/facts.py")
     or f.endswith("careflow/model.py")),
    ("copy / dataclasses / builtins", lambda f, fn: f == "~" or "/copy.py" in f
     or "dataclasses" in f),
]


def layer_of(file: str, func: str) -> str:
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
    for p in patients:
        evaluate(p, book)

    prof = cProfile.Profile()
    prof.enable()
    for i in range(args.plans):
        evaluate(patients[i % len(patients)], book)
    prof.disable()

    stats = pstats.Stats(prof)
    total = stats.total_tt  # type: ignore[attr-defined]
    layers: dict[str, float] = {}
    for (file, _line, func), (_cc, _nc, tt, _ct, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        name = layer_of(file, func)
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
    (RESULTS / "profile.txt").write_text(report, encoding="utf-8")
    sys.stdout.write(report)


if __name__ == "__main__":
    main()
