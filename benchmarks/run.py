"""careflow benchmarks: one command, one report.

    python benchmarks/run.py            # full run (100,000 plans in the memory soak)
    python benchmarks/run.py --quick    # fewer samples, a 3,000-plan soak

Writes benchmarks/results/latest.json and latest.md and prints the Markdown table. What is
measured, and how to read it: docs/performance.md.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import gc
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from common import (
    EXAMPLES,
    RESULTS,
    ROOT,
    CountingCore,
    example_patients,
    generated_patients,
    interleaved_rates,
    latencies_ms,
    median_ms,
    paired_ratio,
    percentile,
    rss_mb,
)
from plain import fired, plain_firings, plain_run, valuation_run
from plain_durable import PlainProgram, plain_program
from plain_durable import engine_counts as durable_engine_counts
from synthetic import scaled_rules, with_legs

import careflow
from careflow import _engine
from careflow.errors import EngineError
from careflow.evaluate import Trace, build_plan, evaluate, patient_entities, run_engine
from careflow.model import Patient
from careflow.rulebook import Rulebook, default_rulebook, default_rules_dir, load_rulebook

TARGETS = {
    "median_ms": 2.0, "p99_ms": 10.0, "plans_per_s": 1000.0, "vs_plain": 0.5,
    "vs_plain_durable": 0.75, "load_compile_ms": 150.0, "cli_s": 0.6, "memory_growth_mb": 20.0,
}
ROLES = ("fire", "false", "node")

# the throughput modes, by the name they are reported under
EVALUATE = "careflow evaluate()"
RUN_ENGINE = "engine only: run_engine (entity facts, session, trace; no plan)"
RAW_ENGINE = "raw engine: careflow._engine.run on prepared entities"
PLAIN = "plain Python over the same program (benchmarks/plain.py)"
PLAIN_PLAN = "plain Python + the same build_plan"
VALUATION = "reference Valuation (tests/oracle.py), productions read off"
ORACLE = "tests/oracle.py run_oracle (checks every production; reference only)"
DURABLE = "plain durable-rules program (benchmarks/plain_durable.py)"
DURABLE_SHORT = "the same plain durable-rules program with short keys (sensitivity check)"


def log(msg: str) -> None:
    print(f"[bench] {msg}", file=sys.stderr, flush=True)


# --- pieces ---------------------------------------------------------------------------
Ents = list[tuple[str, str | None, dict[str, Any]]]


def prepared(book: Rulebook, patient: Patient) -> Ents:
    """The entities as careflow._engine.run takes them."""
    return [(e.kind, e.side, e.attrs) for e in patient_entities(book, patient)]


def engine_counts(book: Rulebook, patient: Patient) -> dict[str, int]:
    """What the C core does for one evaluation: assert batches, actions it hands out (the
    catch-all's included) and the bytes of their messages, counted through a proxy of the
    `durable_rules_engine` module the adapter calls."""
    core = vars(_engine)["_core"]
    counts: dict[str, int] = {}
    setattr(_engine, "_core", CountingCore(core, counts))  # noqa: B010 - a private name, on purpose
    try:
        run_engine(book, patient)
    finally:
        setattr(_engine, "_core", core)  # noqa: B010
    return counts


def roles(trace: Trace) -> Counter[str]:
    return Counter(p.role for p, _ in trace.firings)


def stages(book: Rulebook, patients: list[Patient], repeats: int) -> dict[str, float]:
    """Median milliseconds of each stage of evaluate(), measured without a profiler."""
    clock = time.perf_counter_ns
    parts: dict[str, list[float]] = {k: [] for k in (
        "entity facts (patient_entities)", "engine session (careflow._engine.run)",
        "trace (Trace.of)", "explanation + resolution + Plan (build_plan)")}
    lists = list(parts.values())
    program = book.program
    for i in range(repeats):
        p = patients[i % len(patients)]
        t0 = clock()
        ents = patient_entities(book, p)
        t1 = clock()
        raw = _engine.run(program, [(e.kind, e.side, e.attrs) for e in ents])
        t2 = clock()
        trace = Trace.of(book, ents, raw)
        t3 = clock()
        build_plan(book, p, trace)
        t4 = clock()
        for part, (a, b) in zip(lists, ((t0, t1), (t1, t2), (t2, t3), (t3, t4)), strict=True):
            part.append((b - a) / 1e6)
    return {k: statistics.median(v) for k, v in parts.items()}


def per_plan(book: Rulebook, patients: list[Patient], n: int,
             engine: bool = True) -> dict[str, Any]:
    """Median ms per plan for evaluate(), engine only and plain Python, on one rule set."""
    out: dict[str, Any] = {
        "plain_ms": percentile(latencies_ms(lambda p: plain_run(book, p), patients, n), 50)}
    traces = [plain_run(book, p) for p in patients]
    out["firings"] = statistics.mean(len(t.firings) for t in traces)
    for role in ROLES:
        out[f"firings_{role}"] = statistics.mean(roles(t)[role] for t in traces)
    out["items"] = statistics.mean(len(build_plan(book, p, t).items)
                                   for p, t in zip(patients, traces, strict=True))
    if engine:
        for p in patients:
            evaluate(p, book)  # registers the program with the engine
        out["evaluate_ms"] = percentile(
            latencies_ms(lambda p: evaluate(p, book), patients, n), 50)
        out["engine_ms"] = percentile(
            latencies_ms(lambda p: run_engine(book, p), patients, n), 50)
    return out


def _command(name: str) -> list[str]:
    exe = Path(sys.executable).with_name(name)
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "careflow.cli"]


def _wall(argv: list[str]) -> float:
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="0")
    t0 = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, env=env, cwd=ROOT, check=False)
    took = time.perf_counter() - t0
    if done.returncode != 0:
        raise RuntimeError(f"{argv} failed ({done.returncode}): {done.stderr.decode()[-500:]}")
    return took


def cli_wall(example: Path, runs: int) -> dict[str, Any]:
    """`careflow plan` in a subprocess, with Python's start-up and the imports apart."""
    cmd = [*_command("careflow"), "plan", str(example)]
    _wall(cmd)  # warm the disk cache and the bytecode
    walls = sorted(_wall(cmd) for _ in range(runs))
    python = statistics.median(_wall([sys.executable, "-c", "pass"]) for _ in range(runs))
    imports = {m: statistics.median(_wall([sys.executable, "-c", f"import {m}"])
                                    for _ in range(runs)) - python
               for m in ("careflow", "careflow.cli")}
    return {"command": " ".join([Path(cmd[0]).name, *cmd[1:-1],
                                 str(example.relative_to(ROOT))]),
            "median_s": statistics.median(walls), "min_s": walls[0], "max_s": walls[-1],
            "runs": runs, "python_startup_s": python,
            "import_careflow_s": imports["careflow"],
            "import_careflow_cli_s": imports["careflow.cli"]}


def memory(plans: int) -> dict[str, Any]:
    """Run the soak in a fresh process so nothing else measured here counts."""
    done = subprocess.run([sys.executable, __file__, "--_memory-child", str(plans)],
                          capture_output=True, text=True, check=True, cwd=ROOT)
    out: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return out


def memory_child(plans: int) -> None:
    patients = [p for _, p in example_patients()[0]]
    book = default_rulebook()
    evaluate(patients[0], book)
    gc.collect()
    start = rss_mb()
    samples = [(1, start)]
    step = max(1, plans // 10)
    warm = None
    t0 = time.perf_counter()
    for i in range(1, plans):
        evaluate(patients[i % len(patients)], book)
        if i + 1 == min(1000, plans):
            gc.collect()
            warm = rss_mb()
        if (i + 1) % step == 0:
            samples.append((i + 1, rss_mb()))
    took = time.perf_counter() - t0
    gc.collect()
    end = rss_mb()
    print(json.dumps({
        "plans": plans, "rss_after_first_plan_mb": round(start, 2),
        "rss_after_1000_plans_mb": round(warm or start, 2), "rss_end_mb": round(end, 2),
        "growth_mb": round(end - start, 2),
        "growth_after_warmup_mb": round(end - (warm or start), 2),
        "samples": [[n, round(r, 2)] for n, r in samples],
        "plans_per_s": round(plans / took, 1)}))


def batch_rates(patients: list[Patient], n: int) -> dict[str, float]:
    """evaluate_batch over n JSON records: in this process, and with 1 and 2 workers (pool
    start-up included); then the `careflow batch` command with 2 workers on a JSON Lines
    file (Python start-up, imports and file I/O included)."""
    from careflow.batch import evaluate_batch

    docs = [p.model_dump_json(exclude_none=True) for p in patients]
    records = [docs[i % len(docs)] for i in range(n)]
    out = {}
    for label, workers in (("evaluate_batch, in process (workers=0)", 0),
                           ("evaluate_batch, 1 worker process", 1),
                           ("evaluate_batch, 2 worker processes", 2)):
        t0 = time.perf_counter()
        done = sum(1 for r in evaluate_batch(records, workers=workers, as_json=True) if r.ok)
        took = time.perf_counter() - t0
        if done != n:
            raise RuntimeError(f"batch: {n - done} records failed")
        out[label] = n / took
        log(f"{label}: {out[label]:,.0f} plans/s")
    with tempfile.TemporaryDirectory(prefix="careflow-batch-") as tmp:
        infile, outfile = Path(tmp) / "in.jsonl", Path(tmp) / "out.jsonl"
        infile.write_text("\n".join(records) + "\n", encoding="utf-8")
        took = _wall([*_command("careflow"), "batch", str(infile), str(outfile),
                      "--workers", "2", "--no-progress"])
        lines = sum(1 for _ in outfile.open(encoding="utf-8"))
        if lines != n:
            raise RuntimeError(f"careflow batch wrote {lines} lines for {n} records")
        label = f"`careflow batch --workers 2`, {n:,} records (start-up included)"
        out[label] = n / took
        log(f"{label}: {out[label]:,.0f} plans/s")
    return out


def scaling_rules(copies: Sequence[int], n: int) -> list[dict[str, Any]]:
    """k copies of the rules, each size in its own process: the engine keeps every rule set
    it registered, and may refuse (or abort on) a large one."""
    out = []
    for k in copies:
        argv = [sys.executable, __file__, "--_rules-child", str(k), str(max(10, n // k))]
        try:
            done = subprocess.run(argv, capture_output=True, text=True, cwd=ROOT,
                                  check=False, timeout=1800)
            lines = done.stdout.strip().splitlines()
            row = json.loads(lines[-1]) if lines and done.returncode == 0 else {
                "copies": k, "error": f"exit code {done.returncode}: "
                                      f"{done.stderr.strip()[-300:]}"}
        except subprocess.TimeoutExpired:
            row = {"copies": k, "error": "timed out"}
        if "rules" not in row:
            log(f"rules x{k}: {row['error']}")
        else:
            log(f"rules x{k}: {row['rules']} rules, {row['engine_rules']} engine rules, "
                + (f"{row['evaluate_ms']:.2f} ms/plan" if "evaluate_ms" in row
                   else str(row.get("engine_error"))))
        out.append(row)
    return out


def rules_child(k: int, n: int) -> None:
    patients = [p for _, p in example_patients()[0]]
    with tempfile.TemporaryDirectory(prefix="careflow-bench-") as tmp:
        folder = scaled_rules(default_rules_dir(), k, Path(tmp) / f"rules_x{k}")
        t0 = time.perf_counter()
        book = load_rulebook(folder)
        load_ms = (time.perf_counter() - t0) * 1000
    row: dict[str, Any] = {"copies": k, "rules": len(book.rules),
                           "productions": len(book.program.productions),
                           "engine_rules": len(book.program.productions) + 1,
                           "load_compile_ms": load_ms}
    t0 = time.perf_counter()
    try:
        _engine.register(book.program)
        row["register_ms"] = (time.perf_counter() - t0) * 1000
        registered = True
    except EngineError as exc:
        row["engine_error"] = f"cannot be registered: {exc}"
        registered = False
    row.update(per_plan(book, patients, n, engine=registered))
    if registered:
        row["same_firings_as_plain"] = all(
            fired(run_engine(book, p)) == fired(plain_run(book, p)) for p in patients)
    print(json.dumps(row))


def scaling_legs(book: Rulebook, patients: list[Patient], n: int) -> list[dict[str, Any]]:
    out = []
    for legs in (1, 2):
        variants = [with_legs(p, legs) for p in patients]
        row = {"legs": legs, **per_plan(book, variants, n)}
        log(f"{legs} leg(s): {row['evaluate_ms']:.2f} ms/plan")
        out.append(row)
    return out


def agreement(book: Rulebook, patients: list[Patient], generated: list[Patient],
              oracle: Callable[[Rulebook, Patient], Trace] | None) -> dict[str, Any]:
    """The engine, plain Python and the Valuation fire the same productions on the same
    entities, and the engine's and plain Python's plans are byte-identical."""
    out: dict[str, Any] = {"patients": len(patients) + len(generated),
                           "generated_patients": len(generated)}
    for label, group in (("examples", patients), ("generated", generated)):
        if not group:
            continue
        same = same_val = same_plan = 0
        differ: list[str] = []
        for i, p in enumerate(group):
            eng = run_engine(book, p)
            pl = plain_run(book, p)
            ok = fired(eng) == fired(pl)
            same += ok
            same_val += fired(eng) == fired(valuation_run(book, p))
            same_plan += build_plan(book, p, eng).to_json() == build_plan(book, p, pl).to_json()
            if not ok:
                differ.append(f"#{i} {p.id}")
            if oracle is not None:
                oracle(book, p)  # raises OracleError when a production disagrees
        out[label] = {"same_firings_plain": same == len(group),
                      "same_firings_valuation": same_val == len(group),
                      "byte_identical_plan": same_plan == len(group),
                      "oracle_checks_passed": oracle is not None,
                      "engine_differs_from_plain_on": differ[:10],
                      "engine_differs_from_plain_count": len(differ)}
    return out


def plain_durable_counts(program: PlainProgram, patients: list[Patient]) -> dict[str, float]:
    counts = [durable_engine_counts(program, p) for p in patients]
    return {"rules": len(program.rules),
            "firings": statistics.mean(len(program.evaluate(p)) for p in patients),
            "facts_asserted": statistics.mean(1 + len(p.legs) for p in patients),
            **{k: statistics.mean(c[k] for c in counts) for k in counts[0]}}


# --- the run ----------------------------------------------------------------------------
def run(quick: bool, memory_plans: int | None) -> dict[str, Any]:
    started = time.perf_counter()
    named, skipped = example_patients()
    if not named:
        raise SystemExit(f"no valid patient documents in {EXAMPLES}")
    patients = [p for _, p in named]
    samples = 500 if quick else 5000
    res: dict[str, Any] = {"meta": {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "quick": quick, "python": platform.python_version(),
        "machine": f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs",
        "careflow": str(vars(careflow).get("__version__", "?")), "examples": [n for n, _ in named],
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "commit": _git("rev-parse", "--short", "HEAD"),
        "modified_since_commit": sorted({line[3:].split("/")[0] for line in _git(
            "status", "--porcelain", "careflow", "rules", "tests").splitlines()}),
        "examples_skipped": skipped,
    }}

    log("load + validate + compile")
    load_rulebook()  # imports and file cache warm
    res["load_compile_ms"] = {"median": median_ms(load_rulebook, 5 if quick else 15)}
    book = default_rulebook()
    program = book.program
    res["meta"]["rules"] = len(book.rules)
    res["meta"]["productions"] = dict(Counter(p.role for p in program.productions),
                                      total=len(program.productions))
    res["meta"]["engine_rules"] = len(program.productions) + 1  # and the catch-all
    n_reg = [0]

    def register() -> None:  # the engine's own compile of the program (once per process)
        n_reg[0] += 1
        _engine.register(dataclasses.replace(program, name=f"{program.name}_bench{n_reg[0]}"))

    res["load_compile_ms"]["engine_register_median"] = median_ms(register, 3)
    _engine.register(program)
    compiled = vars(_engine)["_REGISTERED"].get(program.name)
    if compiled is not None:
        res["meta"]["engine_strata"] = len(compiled.strata)
        res["meta"]["engine_groups"] = sum(len(s) for s in compiled.strata)

    generated = generated_patients(100 if quick else 300)
    log(f"agreement: engine, plain Python, Valuation, oracle on {len(patients)} examples and "
        f"{len(generated)} generated patients")
    oracle = _oracle()
    res["agreement"] = agreement(book, patients, generated, oracle)

    traces = [run_engine(book, p) for p in patients]
    counts = [engine_counts(book, p) for p in patients]
    res["per_plan_counts"] = {
        "entity_facts": statistics.mean(len(t.entities) for t in traces),
        "firings": statistics.mean(len(t.firings) for t in traces),
        **{f"firings_{role}": statistics.mean(roles(t)[role] for t in traces)
           for role in ROLES},
        "rules_fired": statistics.mean(len(t.rules_fired()) for t in traces),
        **{k: statistics.mean(c[k] for c in counts) for k in counts[0]},
        "items": statistics.mean(len(build_plan(book, p, t).items)
                                 for p, t in zip(patients, traces, strict=True)),
    }
    if generated:
        gen_traces = [run_engine(book, p) for p in generated]
        res["per_plan_counts_generated"] = {
            "firings": statistics.mean(len(t.firings) for t in gen_traces),
            **{f"firings_{role}": statistics.mean(roles(t)[role] for t in gen_traces)
               for role in ROLES}}

    log("the plain durable-rules program")
    target = res["per_plan_counts"]["firings"]
    durable = plain_program(book, patients, target)
    durable_short = plain_program(book, patients, target, short_keys=True)
    res["plain_durable"] = {"target_firings": target,
                            **plain_durable_counts(durable, patients),
                            "short_keys": plain_durable_counts(durable_short, patients)}

    log(f"latency over {samples} evaluations of the examples")
    lat = latencies_ms(lambda p: evaluate(p, book), patients, samples)
    res["latency_ms"] = _latency(lat)
    if generated:
        log(f"latency over {len(generated)} generated patients")
        res["latency_generated_ms"] = _latency(
            latencies_ms(lambda p: evaluate(p, book), generated, len(generated) * 2))
    res["stages_ms"] = stages(book, patients, min(samples, 1000))

    rounds, seconds = (3, 0.4) if quick else (6, 1.0)
    log(f"throughput, one process ({rounds} interleaved rounds of {seconds} s per mode)")
    ready = [prepared(book, p) for p in patients]
    modes: dict[str, Callable[[Any], Any]] = {
        EVALUATE: lambda p: evaluate(p, book),
        RUN_ENGINE: lambda p: run_engine(book, p),
        RAW_ENGINE: lambda ents: _engine.run(program, ents),
        PLAIN: lambda p: plain_run(book, p),
        PLAIN_PLAN: lambda p: build_plan(book, p, plain_run(book, p)),
        DURABLE: durable.evaluate,
        DURABLE_SHORT: durable_short.evaluate,
        VALUATION: lambda p: valuation_run(book, p),
    }
    if oracle is not None:
        modes[ORACLE] = lambda p: oracle(book, p)
    inputs: dict[str, Sequence[Any]] = dict.fromkeys(modes, patients)
    inputs[RAW_ENGINE] = ready
    tput, per_round = interleaved_rates(modes, inputs, rounds, seconds)
    res["throughput_plans_per_s"] = tput
    res["throughput_rounds"] = {"rounds": rounds, "seconds_per_round": seconds}
    res["ratios"] = {
        "evaluate / plain Python rules": paired_ratio(per_round[EVALUATE], per_round[PLAIN]),
        "evaluate / plain Python + build_plan": paired_ratio(per_round[EVALUATE],
                                                             per_round[PLAIN_PLAN]),
        "evaluate / plain durable-rules program": paired_ratio(per_round[EVALUATE],
                                                               per_round[DURABLE]),
        "evaluate / plain durable-rules program, short keys": paired_ratio(
            per_round[EVALUATE], per_round[DURABLE_SHORT]),
        "run_engine / plain durable-rules program": paired_ratio(per_round[RUN_ENGINE],
                                                                 per_round[DURABLE]),
        "raw engine / plain Python rules": paired_ratio(per_round[RAW_ENGINE],
                                                        per_round[PLAIN]),
        "evaluate / raw engine": paired_ratio(per_round[EVALUATE], per_round[RAW_ENGINE]),
    }
    _check_plain_firings(book, patients, ready)

    copies = (1, 4, 16) if quick else (1, 4, 8, 16)
    log(f"scaling with the number of rules ({', '.join(f'{k}x' for k in copies)}), "
        "each in a fresh process")
    res["scaling_rules"] = scaling_rules(copies, 80 if quick else 400)
    log("scaling with legs")
    res["scaling_legs"] = scaling_legs(book, patients, 100 if quick else 1000)

    log("batch throughput (JSON text in, JSON text out)")
    res["batch_plans_per_s"] = batch_rates(patients, 300 if quick else 3000)

    log("CLI wall time and import time")
    names = [n for n, _ in named]
    cli_example = "vascular-knee-pain.yaml" if "vascular-knee-pain.yaml" in names else names[0]
    res["cli"] = cli_wall(EXAMPLES / cli_example, 3 if quick else 7)

    plans = memory_plans or (3_000 if quick else 100_000)
    log(f"memory over {plans:,} plans (a fresh process)")
    res["memory"] = memory(plans)
    res["targets"] = targets(res)
    res["meta"]["benchmark_seconds"] = round(time.perf_counter() - started, 1)
    return res


def _check_plain_firings(book: Rulebook, patients: list[Patient], ready: list[Ents]) -> None:
    """The raw engine and the plain loop return the same (production, entity) pairs."""
    for p, ents in zip(patients, ready, strict=True):
        if set(_engine.run(book.program, ents)) != set(plain_firings(book.program, ents)):
            raise RuntimeError(f"the engine and plain Python disagree on {p.id}")


def _latency(lat: list[float]) -> dict[str, float]:
    return {"samples": len(lat), "median": percentile(lat, 50), "p90": percentile(lat, 90),
            "p99": percentile(lat, 99), "max": lat[-1], "mean": statistics.mean(lat)}


def _git(*args: str) -> str:
    try:
        done = subprocess.run(["git", *args], capture_output=True, text=True, cwd=ROOT,
                              check=False, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return ""
    return done.stdout.rstrip()


def _oracle() -> Callable[[Rulebook, Patient], Trace] | None:
    try:
        from tests.oracle import run_oracle
    except ImportError:
        return None
    return run_oracle


def targets(res: dict[str, Any]) -> list[dict[str, Any]]:
    mem = res["memory"]
    growth = mem["growth_mb"]
    if mem["plans"] < 100_000:  # a short soak: extrapolate the slope after the warm-up
        slope = mem["growth_after_warmup_mb"] / max(1, mem["plans"] - 1000)
        growth = mem["growth_mb"] + slope * (100_000 - mem["plans"])
    res["memory"]["growth_per_100k_estimate_mb"] = round(growth, 2)
    tput, ratios = res["throughput_plans_per_s"], res["ratios"]
    rows = [
        ("evaluate() median latency", "<= 2 ms", res["latency_ms"]["median"], "ms",
         res["latency_ms"]["median"] <= TARGETS["median_ms"]),
        ("evaluate() p99 latency", "<= 10 ms", res["latency_ms"]["p99"], "ms",
         res["latency_ms"]["p99"] <= TARGETS["p99_ms"]),
        ("throughput, one process", ">= 1,000 plans/s", tput[EVALUATE], "plans/s",
         tput[EVALUATE] >= TARGETS["plans_per_s"]),
        ("rate vs plain-Python rules", ">= 0.5x", ratios["evaluate / plain Python rules"], "x",
         ratios["evaluate / plain Python rules"] >= TARGETS["vs_plain"]),
        ("rate vs plain-Python rules + build_plan", ">= 0.5x",
         ratios["evaluate / plain Python + build_plan"], "x",
         ratios["evaluate / plain Python + build_plan"] >= TARGETS["vs_plain"]),
        ("rate vs a plain durable-rules program", ">= 0.75x",
         ratios["evaluate / plain durable-rules program"], "x",
         ratios["evaluate / plain durable-rules program"] >= TARGETS["vs_plain_durable"]),
        ("load + validate + compile", "<= 150 ms", res["load_compile_ms"]["median"], "ms",
         res["load_compile_ms"]["median"] <= TARGETS["load_compile_ms"]),
        ("CLI, one plan (wall)", "<= 0.6 s", res["cli"]["median_s"], "s",
         res["cli"]["median_s"] <= TARGETS["cli_s"]),
        (f"RSS growth over {mem['plans']:,} plans"
         + ("" if mem["plans"] >= 100_000 else f" (100,000 est. {growth:.1f} MB)"),
         "< 20 MB / 100,000", mem["growth_mb"], "MB", growth < TARGETS["memory_growth_mb"]),
    ]
    return [{"what": w, "target": t, "measured": round(m, 3), "unit": u, "met": bool(ok)}
            for w, t, m, u, ok in rows]


def _roles(r: dict[str, Any]) -> str:
    return " / ".join(f"{r[f'firings_{role}']:.1f}" for role in ROLES)


def _ms(r: dict[str, Any], key: str) -> str:
    return f"{r[key]:.2f}" if key in r else "-"


def markdown(res: dict[str, Any]) -> str:
    meta = res["meta"]
    prods = meta["productions"]
    lines = [
        f"careflow {meta['careflow']} benchmarks, {meta['date']}, Python {meta['python']}, "
        f"{meta['machine']}{' (--quick)' if meta['quick'] else ''}; {meta['rules']} rules, "
        f"{prods['total']} productions ({' / '.join(str(prods.get(r, 0)) for r in ROLES)} "
        f"fire / false / node), {len(meta['examples'])} example(s); load average at start "
        f"{meta['load_average_at_start'][0]}; commit {meta['commit'] or '?'}"
        + (f" + uncommitted changes in {', '.join(meta['modified_since_commit'])}/"
           if meta["modified_since_commit"] else "")
        + f"; {meta['benchmark_seconds']:.0f} s",
        "",
    ]
    for label in ("examples", "generated"):
        x = res["agreement"].get(label)
        if x and not (x["same_firings_plain"] and x["same_firings_valuation"]
                      and x["byte_identical_plan"]):
            lines += [f"**The engine and plain Python disagree on "
                      f"{x['engine_differs_from_plain_count']} of the {label} patients "
                      f"({', '.join(x['engine_differs_from_plain_on'])}): the figures below "
                      "time a program that gives wrong plans.**", ""]
    lines += [
        "| measure | target | measured | met |",
        "|---|---|---|---|",
    ]
    for t in res["targets"]:
        lines.append(f"| {t['what']} | {t['target']} | {_num(t['measured'])} {t['unit']} | "
                     f"{'yes' if t['met'] else 'NO'} |")
    rounds = res["throughput_rounds"]
    lines += ["", f"| one process ({rounds['rounds']} interleaved rounds) | plans/s |",
              "|---|---|"]
    for name, value in res["throughput_plans_per_s"].items():
        lines.append(f"| {name} | {value:,.0f} |")
    lines += ["", "| ratio of rates (median of the rounds' ratios) | x |", "|---|---|"]
    for name, value in res["ratios"].items():
        lines.append(f"| {name} | {value:.2f} |")
    lines += ["", "| batch, JSON records | plans/s |", "|---|---|"]
    for name, value in res["batch_plans_per_s"].items():
        lines.append(f"| {name} | {value:,.0f} |")
    lines += ["", "| stage of evaluate() | median ms |", "|---|---|"]
    for name, value in res["stages_ms"].items():
        lines.append(f"| {name} | {value:.3f} |")
    lines += ["", "| rules | engine rules | ms/plan evaluate | engine only | plain Python | "
                  "firings (fire / false / node) | load+compile ms |",
              "|---|---|---|---|---|---|---|"]
    for r in res["scaling_rules"]:
        if "rules" not in r:
            lines.append(f"| {r['copies']}x | | {r['error']} | | | | |")
            continue
        ev = _ms(r, "evaluate_ms") if "engine_error" not in r else r["engine_error"]
        lines.append(f"| {r['rules']} ({r['copies']}x) | {r['engine_rules']} | {ev} | "
                     f"{_ms(r, 'engine_ms')} | {r['plain_ms']:.2f} | {r['firings']:.0f} "
                     f"({_roles(r)}) | {r['load_compile_ms']:.0f} |")
    lines += ["", "| legs | ms/plan evaluate | engine only | plain Python | "
                  "firings (fire / false / node) | items |", "|---|---|---|---|---|---|"]
    for r in res["scaling_legs"]:
        lines.append(f"| {r['legs']} | {r['evaluate_ms']:.2f} | {r['engine_ms']:.2f} | "
                     f"{r['plain_ms']:.2f} | {r['firings']:.0f} ({_roles(r)}) | "
                     f"{r['items']:.1f} |")
    c, m, a = res["cli"], res["memory"], res["agreement"]
    counts, pd = res["per_plan_counts"], res["plain_durable"]
    lat = res["latency_ms"]
    lines += [
        "",
        f"- latency over the examples: median {lat['median']:.2f} ms, p90 {lat['p90']:.2f} ms,"
        f" p99 {lat['p99']:.2f} ms, max {lat['max']:.2f} ms over {lat['samples']} evaluations",
    ]
    if "latency_generated_ms" in res:
        g = res["latency_generated_ms"]
        lines.append(f"- latency over {a['generated_patients']} generated patients: median "
                     f"{g['median']:.2f} ms, p90 {g['p90']:.2f} ms, p99 {g['p99']:.2f} ms, "
                     f"max {g['max']:.2f} ms over {g['samples']} evaluations")
    lines += [
        f"- per plan (examples): {counts['entity_facts']:.2f} entities, {counts['firings']:.1f}"
        f" productions held ({_roles(counts)} fire / false / node), "
        f"{counts['rules_fired']:.1f} rules fired, {counts['items']:.1f} items; in the engine "
        f"{counts['assert_batches']:.1f} assert batches, "
        f"{counts['engine_actions_incl_catch_all']:.1f} actions with the catch-all's, "
        f"{_per_message(counts):,.0f} bytes a message",
    ]
    if "per_plan_counts_generated" in res:
        g = res["per_plan_counts_generated"]
        lines.append(f"- per plan (generated patients): {g['firings']:.1f} productions held "
                     f"({_roles(g)} fire / false / node)")
    lines += [
        f"- plain durable-rules program: {pd['rules']} rules + catch-all, "
        f"{pd['firings']:.1f} firings a patient (careflow: {pd['target_firings']:.1f} "
        f"productions a plan), {pd['facts_asserted']:.2f} facts in one assert_facts batch, "
        f"{pd['engine_actions_incl_catch_all']:.1f} actions with the catch-all's, "
        f"{_per_message(pd):,.0f} bytes a message ({_per_message(pd['short_keys']):,.0f} with "
        "short keys)",
        f"- CLI `{c['command']}`: median {c['median_s']:.3f} s (python startup "
        f"{c['python_startup_s']:.3f} s, `import careflow` {c['import_careflow_s']:.3f} s, "
        f"`import careflow.cli` {c['import_careflow_cli_s']:.3f} s)",
        f"- memory: RSS {m['rss_after_first_plan_mb']} MB after the first plan, "
        f"{m['rss_after_1000_plans_mb']} MB after 1,000, {m['rss_end_mb']} MB after "
        f"{m['plans']:,} ({m['plans_per_s']:,.0f} plans/s in the soak)",
    ]
    for label in ("examples", "generated"):
        if label in a:
            x = a[label]
            lines.append(
                f"- agreement on the {label}: engine and plain Python fire the same "
                f"productions: {_yn(x['same_firings_plain'])}; the Valuation too: "
                f"{_yn(x['same_firings_valuation'])}; plans byte-identical: "
                f"{_yn(x['byte_identical_plan'])}; oracle checks passed: "
                f"{_yn(x['oracle_checks_passed'])}")
    lines.append(
        f"- rule set: load+validate+compile {res['load_compile_ms']['median']:.1f} ms, engine "
        f"registration {res['load_compile_ms']['engine_register_median']:.1f} ms (once per "
        f"process) of {meta['engine_rules']} engine rules"
        + (f" in {meta['engine_strata']} strata, {meta['engine_groups']} groups"
           if "engine_strata" in meta else ""))
    return "\n".join(lines) + "\n"


def _per_message(counts: dict[str, Any]) -> float:
    actions: float = counts["engine_actions_incl_catch_all"]
    return float(counts["action_message_bytes"]) / max(1.0, actions)


def _num(x: float) -> str:
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:.2f}"


def _yn(b: bool) -> str:
    return "yes" if b else "no"


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="fewer samples, a 3,000-plan soak")
    ap.add_argument("--memory-plans", type=int, help="plans in the memory soak")
    ap.add_argument("--out", type=Path, default=RESULTS, help="results folder")
    ap.add_argument("--_memory-child", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--_rules-child", type=int, nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args._memory_child:
        memory_child(args._memory_child)
        return
    if args._rules_child:
        rules_child(*args._rules_child)
        return
    res = run(args.quick, args.memory_plans)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "latest.json").write_text(json.dumps(res, indent=2) + "\n", encoding="utf-8")
    md = markdown(res)
    (args.out / "latest.md").write_text(md, encoding="utf-8")
    print(md)


if __name__ == "__main__":
    main()
