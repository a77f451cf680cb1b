"""`careflow prove`'s speed: the time to load and encode the shipped rule set in z3, to prove
each shipped property (both legs for a property about a leg), and to check the solver against
the engine at every threshold. Prints one line per measure (no timing is asserted anywhere).

    python benchmarks/prove.py [--rules DIR] [--params FILE] [--repeat N]
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

from careflow import prove  # noqa: E402
from careflow.prove.prover import Prover  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rules", type=Path, default=None)
    parser.add_argument("--params", type=Path, default=None)
    parser.add_argument("--repeat", type=int, default=3, help="proofs per property (median)")
    args = parser.parse_args()

    start = time.perf_counter()
    book, props = prove.load(args.rules, args.params)
    loaded = time.perf_counter()
    prover = Prover(book)
    encoded = time.perf_counter()
    print(f"rule set: {len(book.rules)} rules, {len(book.program.productions)} productions, "
          f"{len(props)} properties")
    print(f"load + compile: {loaded - start:.2f} s; encode in z3: {encoded - loaded:.2f} s "
          f"({len(prover.enc.constraints)} constraints)")
    total = 0.0
    for prop in props:
        times = []
        status = ""
        for _ in range(args.repeat):
            outcome = prover.prove(prop)
            times.append(outcome.seconds)
            status = outcome.status
        median = statistics.median(times)
        total += median
        print(f"{median * 1000:9.1f} ms  {status:7}  {prop.id}")
    print(f"all {len(props)} properties: {total:.2f} s (median of {args.repeat} each); "
          f"with load and encoding: {total + encoded - start:.2f} s")
    t = time.perf_counter()
    problems = prover.boundary_check(limit=10_000)
    print(f"boundary cross-check (every threshold and one grid step above, each through the "
          f"engine): {time.perf_counter() - t:.2f} s, {len(problems)} disagreements")


if __name__ == "__main__":
    main()
