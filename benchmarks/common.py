"""Shared helpers of the benchmark scripts: examples, generated patients, timing, RSS."""

from __future__ import annotations

import contextlib
import importlib
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
from careflow.model import Patient, parse_patient, read_patient  # noqa: E402


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


def generated_patients(n: int, seed: int = 13) -> list[Patient]:
    """n random valid patients from the test suite's generator (tests/unit/gen_patients.py,
    hypothesis), the same ones for the same seed; [] when hypothesis or the tests are not
    there."""
    if n <= 0:
        return []
    try:
        from hypothesis import HealthCheck, Phase, given, settings
        from hypothesis import seed as seeded

        strategies = importlib.import_module("tests.unit.gen_patients")
    except ImportError:
        return []
    docs: list[Any] = []

    @seeded(seed)
    @settings(max_examples=n, database=None, phases=[Phase.generate], deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(strategies.patients())
    def collect(doc: Any) -> None:
        docs.append(doc)

    collect()
    out = []
    for i, doc in enumerate(docs):
        with contextlib.suppress(InputError):
            out.append(parse_patient(doc, f"generated #{i}"))
    return out


def interleaved_rates(fns: dict[str, Callable[[Any], Any]], inputs: dict[str, Sequence[Any]],
                      rounds: int, seconds: float) -> tuple[dict[str, float],
                                                            dict[str, list[float]]]:
    """Calls per second of each function, measured in `rounds` rounds of `seconds` each, the
    order rotated every round so that the machine's drift hits every function alike. Returns
    the median rate of each and the per-round rates (for paired ratios)."""
    names = list(fns)
    per_round: dict[str, list[float]] = {name: [] for name in names}
    for r in range(rounds):
        order = names[r % len(names):] + names[:r % len(names)]
        for name in order:
            per_round[name].append(rate(fns[name], inputs[name], seconds)[0])
    return {name: statistics.median(v) for name, v in per_round.items()}, per_round


def paired_ratio(a: list[float], b: list[float]) -> float:
    """Median over rounds of a/b (rates of one round measured next to each other)."""
    return statistics.median(x / y for x, y in zip(a, b, strict=True))


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


class CountingCore:
    """A proxy of the engine's C module (`durable_rules_engine`) that counts what a caller
    makes it do: assert batches, the actions it hands out (a catch-all's included) and the
    bytes of their messages, into `counts`."""

    def __init__(self, core: Any, counts: dict[str, int]) -> None:
        self._core, self._counts = core, counts
        for key in ("assert_batches", "engine_actions_incl_catch_all", "action_message_bytes"):
            counts.setdefault(key, 0)

    def __getattr__(self, name: str) -> Any:
        real = getattr(self._core, name)
        counts = self._counts
        if name == "assert_facts":
            def asserted(*args: Any) -> Any:
                counts["assert_batches"] += 1
                return real(*args)
            return asserted
        if name not in ("start_action_for_state", "complete_and_start_action"):
            return real

        def counted(*args: Any) -> Any:
            out = real(*args)
            message = out[1] if isinstance(out, tuple) else out
            if message:
                counts["engine_actions_incl_catch_all"] += 1
                counts["action_message_bytes"] += len(message)
            return out
        return counted
