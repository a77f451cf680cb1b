"""Concurrency and isolation (issue 4, item 5).

Clinic software calls careflow from web servers with many threads. The engine's host is not
thread-safe, so the adapter serialises it; these tests check the result, not the mechanism:
8 threads evaluating different patients at once give exactly the serial plans (including two
ids whose 32-bit session hashes collide), no session outlives its evaluation, and memory stays
flat over a long run (2,000 evaluations by default; 100,000 with `-m slow`).
"""

from __future__ import annotations

import gc
import os
import re
import subprocess
import sys
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from careflow import _engine, evaluate, parse_patient
from careflow.model import Patient
from careflow.rulebook import default_rulebook
from tests.oracle import oracle_plan

from .gen_patients import patients, require_slow

THREADS = 8
COLLIDING = ("patient-332789", "patient-529192")  # same FNV-1a 32-bit hash


def _fnv1a32(text: str) -> int:
    h = 0x811C9DC5
    for byte in text.encode():
        h = ((h ^ byte) * 0x01000193) & 0xFFFFFFFF
    return h


def _collect(n: int) -> list[dict[str, Any]]:
    """n generated patients, the same on every run."""
    docs: list[dict[str, Any]] = []

    @settings(max_examples=n, derandomize=True, database=None, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(patients())
    def collect(doc: dict[str, Any]) -> None:
        docs.append(doc)

    collect()
    return docs


def _pair() -> list[Patient]:
    """The colliding ids with opposite plans: a red flag on one, plain varicose veins on the
    other. A fact leaking from one session into the other would change a plan."""
    base = {"assessed_on": "2026-11-20", "age": 50, "sex": "male"}
    flagged = parse_patient({**base, "id": COLLIDING[0], "legs": [
        {"side": "right", "wells_score": 4, "abi": 0.55,
         "veins": {"symptoms": ["heaviness"], "ceap_c": 4}}]})
    plain = parse_patient({**base, "id": COLLIDING[1], "legs": [
        {"side": "left", "abi": 1.1, "veins": {"symptoms": ["bulging_veins"], "ceap_c": 2,
                                               "duplex": {"gsv_reflux_ms": 900,
                                                          "gsv_diameter_mm": 6.0}}}]})
    return [flagged, plain]


@pytest.fixture(scope="module")
def cohort() -> list[Patient]:
    return _pair() + [parse_patient(d) for d in _collect(30)]


def _sids() -> int:
    match = re.search(r"count\((\d+)\)", repr(_engine._SIDS))
    assert match, "the adapter's session counter changed shape"
    return int(match.group(1))


def _assert_no_live_session(first: int, last: int) -> None:
    """Every session the adapter opened is gone: the engine does not know its id (309)."""
    book = default_rulebook()
    host, name = _engine._host(), book.program.name
    for n in range(first, last):
        with pytest.raises(Exception, match="309"):
            host.get_facts(name, f"s{n}")


def _in_threads(jobs: list[Callable[[], str]]) -> list[str]:
    start = threading.Barrier(min(THREADS, len(jobs)))

    def run(job: Callable[[], str]) -> str:
        start.wait(timeout=60)
        return job()

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        futures = [pool.submit(run, job) for job in jobs]
        return [f.result(timeout=300) for f in futures]


def test_the_two_ids_really_collide() -> None:
    assert _fnv1a32(COLLIDING[0]) == _fnv1a32(COLLIDING[1])


def test_eight_threads_give_exactly_the_serial_plans(cohort: list[Patient]) -> None:
    book = default_rulebook()
    serial = [evaluate(p, book).to_json() for p in cohort]
    assert serial[0] != serial[1]
    first = _sids()
    rounds = 4

    def job(i: int) -> Callable[[], str]:
        mine = cohort[i::THREADS]

        def work() -> str:
            out: list[str] = []
            for _ in range(rounds):
                out.extend(evaluate(p, book).to_json() for p in mine)
            return "\x00".join(out)
        return work

    results = _in_threads([job(i) for i in range(THREADS)])
    for i, joined in enumerate(results):
        mine = serial[i::THREADS]
        got = joined.split("\x00")
        assert got == mine * rounds, f"thread {i} got a plan that differs from the serial one"
    _assert_no_live_session(first, _sids())
    # and the serial plans are the oracle's, so no shared state shaped them
    for p, plan in zip(cohort[:8], serial[:8], strict=True):
        assert oracle_plan(book, p).to_json() == plan


@settings(max_examples=8, deadline=None, database=None,
          suppress_health_check=list(HealthCheck))
@given(docs=st.lists(patients(), min_size=THREADS, max_size=THREADS))
def test_any_eight_patients_at_once(docs: list[dict[str, Any]]) -> None:
    book = default_rulebook()
    pts = [parse_patient({**d, "id": COLLIDING[i % 2]}) for i, d in enumerate(docs)]
    serial = [evaluate(p, book).to_json() for p in pts]

    def job(p: Patient) -> Callable[[], str]:
        return lambda: evaluate(p, book).to_json()

    got = _in_threads([job(p) for p in pts])
    assert got == serial


def test_colliding_ids_back_to_back_do_not_share_facts() -> None:
    book = default_rulebook()
    flagged, plain = _pair()
    alone = [oracle_plan(book, p).to_json() for p in (flagged, plain)]
    first = _sids()
    for _ in range(50):
        assert evaluate(flagged, book).to_json() == alone[0]
        assert evaluate(plain, book).to_json() == alone[1]
    assert evaluate(plain, book).item("referral", "left") is None
    _assert_no_live_session(first, _sids())


def test_the_first_calls_of_a_process_may_race(tmp_path: Any) -> None:
    """In a fresh process, 8 threads make the first evaluations at once (rule set loading and
    engine registration race): same plans as the serial ones made afterwards."""
    script = tmp_path / "race.py"
    script.write_text(f"""
import sys, threading
sys.path.insert(0, {str(tmp_path.parent)!r})
from careflow import evaluate, parse_patient
docs = [{{"id": "P-%d" % i, "assessed_on": "2026-11-20", "age": 40 + 5 * i, "sex": "female",
         "pregnant": False, "legs": [{{"side": "right", "abi": 0.5 + 0.1 * i,
         "veins": {{"ceap_c": i % 7, "symptoms": ["heaviness"]}}}}]}} for i in range(8)]
pts = [parse_patient(d) for d in docs]
barrier = threading.Barrier(8)
out = [None] * 8
def run(i):
    barrier.wait()
    out[i] = evaluate(pts[i]).to_json()
threads = [threading.Thread(target=run, args=(i,)) for i in range(8)]
for t in threads: t.start()
for t in threads: t.join()
assert out == [evaluate(p).to_json() for p in pts], "a plan differs"
print("ok")
""")
    proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          timeout=300, cwd=os.getcwd(), check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip() == "ok"


# --- soak ------------------------------------------------------------------------------
def _rss_mb() -> float:
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:  # not Linux: the peak, which can only grow
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def soak(cohort: list[Patient], n: int) -> float:
    """Evaluate n plans (cycling through the cohort); return the RSS growth in MB after a
    warm-up. More than the engine's ~1,024 live sessions also proves each one is deleted."""
    book = default_rulebook()
    for p in cohort * 10:
        evaluate(p, book)
    gc.collect()
    before = _rss_mb()
    first = _sids()
    for i in range(n):
        patient = cohort[i % len(cohort)]
        assert evaluate(patient, book).patient_id == patient.id
    gc.collect()
    growth = _rss_mb() - before
    _assert_no_live_session(max(first, _sids() - 200), _sids())
    print(f"\nsoak: {n} evaluations, RSS {before:.1f} MB -> {before + growth:.1f} MB "
          f"(growth {growth:+.2f} MB)")
    return growth


def test_memory_stays_flat_over_2000_evaluations(cohort: list[Patient]) -> None:
    assert soak(cohort, 2_000) < 8.0


@pytest.mark.slow
def test_memory_stays_flat_over_100000_evaluations(request: Any,
                                                   cohort: list[Patient]) -> None:
    require_slow(request)
    assert soak(cohort, 100_000) < 16.0
