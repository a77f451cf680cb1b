"""Shared helpers of the benchmark scripts: examples, timing, canonical plans, RSS."""

from __future__ import annotations

import json
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
RESULTS = Path(__file__).resolve().parent / "results"

if str(ROOT) not in sys.path:  # run from a checkout without an install
    sys.path.insert(0, str(ROOT))

from careflow.errors import InputError  # noqa: E402
from careflow.model import Patient, read_patient  # noqa: E402


def example_patients(folder: Path = EXAMPLES) -> tuple[list[tuple[str, Patient]], list[str]]:
    """Every patient document in examples/ (YAML or JSON); the ones that do not validate are
    returned by name as skipped (an example may show an error on purpose)."""
    ok: list[tuple[str, Patient]] = []
    skipped: list[str] = []
    for path in sorted(folder.iterdir()):
        if path.suffix not in (".yaml", ".yml", ".json") or not path.is_file():
            continue
        try:
            ok.append((path.name, read_patient(path)))
        except InputError:
            skipped.append(path.name)
    return ok, skipped


def percentile(sorted_values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile of already sorted values (q in 0..100)."""
    if not sorted_values:
        return float("nan")
    rank = max(1, min(len(sorted_values), round(q / 100 * len(sorted_values) + 0.5)))
    return sorted_values[rank - 1]


def latencies_ms(fn: Callable[[Any], Any], inputs: Sequence[Any], samples: int) -> list[float]:
    """Time `fn` on the inputs round-robin, one call at a time; sorted milliseconds."""
    out = []
    clock = time.perf_counter_ns
    n = len(inputs)
    for i in range(samples):
        x = inputs[i % n]
        t0 = clock()
        fn(x)
        out.append((clock() - t0) / 1e6)
    out.sort()
    return out


def rate(fn: Callable[[Any], Any], inputs: Sequence[Any], seconds: float,
         min_calls: int = 20) -> tuple[float, int]:
    """Calls per second of `fn` over the inputs round-robin for about `seconds`."""
    n = len(inputs)
    calls = 0
    start = time.perf_counter()
    deadline = start + seconds
    while True:
        for _ in range(10):
            fn(inputs[calls % n])
            calls += 1
        now = time.perf_counter()
        if now >= deadline and calls >= min_calls:
            return calls / (now - start), calls


def median_ms(fn: Callable[[], Any], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def canonical(plan_json: str) -> Any:
    """A plan with every list of reasons sorted: the same plan whatever order the rules fired
    in (the engine and plain Python fire in different orders)."""
    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            return {k: (sorted((walk(x) for x in v), key=lambda r: json.dumps(r, sort_keys=True))
                        if k == "reasons" and isinstance(v, list) else walk(v))
                    for k, v in node.items()}
        if isinstance(node, list):
            return [walk(x) for x in node]
        return node
    return walk(json.loads(plan_json))


def rss_mb() -> float:
    """Resident set size of this process in MB (Linux /proc; else the peak from getrusage)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
