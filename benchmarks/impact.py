"""`careflow impact`'s speed: the region of a one-parameter change (the ABI below which
stockings are of reduced pressure, 0.8 -> 0.9), and the same change over a generated
population through the worker pool. Prints one line per measure (no timing is asserted
anywhere).

    python benchmarks/impact.py [--patients N] [--workers W] [--check-all]

The population is written once to benchmarks/results/impact-population-N.jsonl by a plain
random generator (the test suite's hypothesis strategies make about 25 patients a second, far
too few for 100,000): 1-2 legs, ABI, toe pressure, CEAP class, symptoms, a duplex, a knee and
the lists; most ABIs about 1.08 (sd 0.12), three in ten at the rules' thresholds; every
document is a valid patient.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run from a checkout without an install
    sys.path.insert(0, str(ROOT))

from careflow import vocabulary as v  # noqa: E402
from careflow.prove.impact import load_side, region  # noqa: E402
from careflow.prove.population import run_population  # noqa: E402
from careflow.rulebook import default_rules_dir  # noqa: E402

ABI = [0.45, 0.5, 0.59, 0.6, 0.7, 0.79, 0.8, 0.85, 0.89, 0.9, 0.95, 1.0, 1.1, 1.2, 1.3, 1.4, 1.5]


def _maybe(rng: random.Random, value: Any, p: float = 0.8) -> Any:
    return value if rng.random() < p else None


def patient(rng: random.Random, i: int) -> dict[str, Any]:
    """One valid patient document."""
    age = rng.choice([rng.randint(18, 95), 45, 55, 65, 74, 75, 80])
    sex = rng.choice(["female", "male"])
    doc: dict[str, Any] = {"id": f"G-{i:06d}", "assessed_on": "2026-11-20", "age": age,
                           "sex": sex}
    for kind in ("conditions", "allergies", "medications"):
        if rng.random() < 0.85:
            doc[kind] = []
    if sex == "female" and 12 <= age <= 55:
        doc["pregnant"] = rng.random() < 0.03
    if rng.random() < 0.7:
        doc["height_cm"], doc["weight_kg"] = rng.randint(145, 185), rng.randint(40, 110)
    if rng.random() < 0.5:
        doc["egfr"] = rng.choice([30, 44, 45, 60, 80, 95])
    sides = rng.choice([["right"], ["left"], ["right", "left"]])
    legs = []
    for side in sides:
        leg: dict[str, Any] = {"side": side}
        abi = _maybe(rng, rng.choice(ABI) if rng.random() < 0.3 else
                     round(min(1.5, max(0.3, rng.gauss(1.08, 0.12))), 2))
        if abi is not None:
            leg["abi"] = abi
        if rng.random() < 0.15:
            leg["toe_pressure_mmhg"] = rng.choice([25, 30, 45, 49, 50, 70])
        if rng.random() < 0.6:
            leg["wells_score"] = rng.choice([-1, 0, 1, 2])
        veins: dict[str, Any] = {}
        if rng.random() < 0.8:
            veins["symptoms"] = rng.sample(list(v.VEIN_SYMPTOMS), rng.randint(0, 3))
            if rng.random() < 0.8:
                veins["ceap_c"] = rng.randint(0, 6)
        if rng.random() < 0.4:
            veins["duplex"] = {"performed_on": "2026-11-01",
                               "gsv_reflux_ms": rng.choice([0, 400, 500, 501, 1200]),
                               "gsv_diameter_mm": rng.choice([3, 5.5, 8, 12]),
                               "deep_reflux_ms": rng.choice([0, 1000, 1001]),
                               "dvt": rng.random() < 0.03}
        if veins:
            leg["veins"] = veins
        if rng.random() < 0.5:
            leg["knee"] = {"pain_nrs": rng.randint(0, 10), "kl_grade": rng.randint(0, 4)}
        legs.append(leg)
    doc["legs"] = legs
    return doc


def population(n: int, seed: int = 11) -> Path:
    out = ROOT / "benchmarks" / "results" / f"impact-population-{n}.jsonl"
    if out.is_file():
        return out
    out.parent.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    with open(out, "w", encoding="utf-8") as fh:
        for i in range(n):
            fh.write(json.dumps(patient(rng, i)) + "\n")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--patients", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--check-all", action="store_true",
                        help="evaluate every patient under both rule sets (the cross-check)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as work:
        params = Path(work) / "abi-0.9.yaml"
        params.write_text("parameters:\n  stockings_abi_reduced: 0.9\n", encoding="utf-8")
        old = default_rules_dir()
        start = time.perf_counter()
        found = region(load_side(old), load_side(params))
        took = time.perf_counter() - start
        print(f"region of a one-parameter change (stockings_abi_reduced 0.8 -> 0.9), load, "
              f"encode, cells, engine confirmation and edges included: {took:.2f} s; "
              f"{len(found.items)} items differ, {len(found.changes)} changes, "
              f"{len(found.boundaries)} edge patients, {len(found.disagreements)} "
              f"disagreements")
        path = population(args.patients)
        start = time.perf_counter()
        pop = run_population(path, old, params, found, args.workers, args.check_all, False)
        took = time.perf_counter() - start
        print(f"population of {pop.records} generated patients, {args.workers} workers"
              f"{' (every patient evaluated)' if args.check_all else ''}: {took:.1f} s; "
              f"{pop.evaluated} inside the region (evaluated under the old rules), {pop.both} "
              f"of them also under the new ones, {len(pop.affected)} affected, "
              f"{len(pop.bad)} bad records, {len(pop.outside)} outside the region")


if __name__ == "__main__":
    main()
