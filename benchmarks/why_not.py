"""`careflow plan --why-not`'s speed: the time to load the rule set and its actionable facts
and encode them in z3 (once per process), then one answer per item of every bundled example
that is `considered` or deferred (the search, the widening of measured ranges and the engine's
confirmation included), and `plan_with_why_not` per example. Prints one line per measure (no
timing is asserted anywhere).

    python benchmarks/why_not.py [--repeat N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run from a checkout without an install
    sys.path.insert(0, str(ROOT))

from careflow import evaluate, read_patient  # noqa: E402
from careflow.prove.whynot import plan_with_why_not, solver_for  # noqa: E402
from careflow.rulebook import default_rulebook  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per answer (median)")
    args = parser.parse_args()

    start = time.perf_counter()
    book = default_rulebook()
    loaded = time.perf_counter()
    solver = solver_for(book)
    encoded = time.perf_counter()
    print(f"rule set: {len(book.rules)} rules, {len(solver.decls)} actionable declarations")
    print(f"load + compile: {loaded - start:.2f} s; encode in z3: {encoded - loaded:.2f} s")
    times: list[float] = []
    found = blocked = 0
    for path in sorted((ROOT / "examples").glob("*.yaml")):
        patient = read_patient(path)
        plan = evaluate(patient, book)
        asks = [(c.action, c.side) for c in plan.considered]
        asks += [(i.action, i.side) for i in plan.items if i.status == "deferred"]
        for action, side in asks:
            runs = []
            for _ in range(args.repeat):
                t = time.perf_counter()
                answer = solver.answer(patient, action, side, plan)
                runs.append(time.perf_counter() - t)
            times.append(statistics.median(runs))
            found += answer.status is not None
            blocked += answer.status is None
    print(f"{len(times)} answers ({found} with a change, {blocked} blocked): median "
          f"{statistics.median(times) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms, "
          f"total {sum(times):.2f} s")
    t = time.perf_counter()
    for path in sorted((ROOT / "examples").glob("*.yaml")):
        plan_with_why_not(read_patient(path), book)
    print(f"plan_with_why_not, every example: {time.perf_counter() - t:.2f} s")


if __name__ == "__main__":
    main()
