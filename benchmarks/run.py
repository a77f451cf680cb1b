"""careflow benchmarks: one command, one report.

    python benchmarks/run.py            # full run (about 6 minutes on 2 cores: 100,000 plans
                                        # for the memory soak)
    python benchmarks/run.py --quick    # about 30 s: fewer samples, a 5,000-plan soak

Writes benchmarks/results/latest.json and latest.md and prints the Markdown table. What is
measured, and how to read it: docs/performance.md.
"""

from __future__ import annotations

import argparse
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
from collections.abc import Callable
from pathlib import Path
from typing import Any

from common import (
    EXAMPLES,
    RESULTS,
    ROOT,
    canonical,
    example_patients,
    latencies_ms,
    median_ms,
    percentile,
    rate,
    rss_mb,
)
from plain import fired, plain_run
from synthetic import scaled_rules, with_legs

import careflow
from careflow.evaluate import build_plan, evaluate, run_engine
from careflow.facts import entities
from careflow.model import Patient
from careflow.rulebook import Rulebook, default_rules_dir, load_rulebook

TARGETS = {
    "median_ms": 2.0, "p99_ms": 10.0, "plans_per_s": 1000.0, "vs_plain": 0.5,
    "load_compile_ms": 150.0, "cli_s": 0.6, "memory_growth_mb": 20.0,
}


def log(msg: str) -> None:
    print(f"[bench] {msg}", file=sys.stderr, flush=True)


# --- pieces ---------------------------------------------------------------------------
def count_actions(book: Rulebook, patient: Patient) -> int:
    """Engine actions (Python callbacks, the catch-all's included) for one evaluation: the
    action messages the C core hands out, whichever loop runs them."""
    from durable import engine as dr

    from careflow import _engine

    count = 0
    core = getattr(_engine, "_core", None)

    class Counting:  # a proxy of durable_rules_engine that counts the actions it starts
        def __getattr__(self, name: str) -> Any:
            real = getattr(core, name)
            if name not in ("start_action_for_state", "complete_and_start_action"):
                return real

            def counted(*args: Any) -> Any:
                nonlocal count
                out = real(*args)
                count += 1 if out else 0
                return out
            return counted

    original = dr.Closure.__init__

    def closure(self: Any, *args: Any, **kwargs: Any) -> None:  # durable's own loop
        nonlocal count
        count += 1
        original(self, *args, **kwargs)

    dr.Closure.__init__ = closure
    if core is not None:
        _engine._core = Counting()
    try:
        run_engine(book, patient)
    finally:
        dr.Closure.__init__ = original
        if core is not None:
            _engine._core = core
    return count


def stages(book: Rulebook, patients: list[Patient], repeats: int) -> dict[str, float]:
    """Median milliseconds of each stage of evaluate(), measured without a profiler."""
    ents = [0.0] * repeats
    eng = [0.0] * repeats
    plan = [0.0] * repeats
    clock = time.perf_counter_ns
    for i in range(repeats):
        p = patients[i % len(patients)]
        t0 = clock()
        entities(p, book.used_keys)
        t1 = clock()
        run = run_engine(book, p)
        t2 = clock()
        build_plan(book, p, run)
        t3 = clock()
        ents[i], eng[i], plan[i] = (t1 - t0) / 1e6, (t2 - t1) / 1e6, (t3 - t2) / 1e6
    e = statistics.median(ents)
    return {
        "entity_facts": e,
        "engine_session (run_engine minus entity facts)": statistics.median(eng) - e,
        "explanation + resolution + Plan (build_plan)": statistics.median(plan),
    }


def per_plan(book: Rulebook, patients: list[Patient], n: int) -> dict[str, float]:
    """Median ms per plan for evaluate(), engine only and plain Python, on one rule set."""
    for p in patients:
        evaluate(p, book)  # registers the rule set with the engine
    return {
        "evaluate_ms": percentile(latencies_ms(lambda p: evaluate(p, book), patients, n), 50),
        "engine_ms": percentile(latencies_ms(lambda p: run_engine(book, p), patients, n), 50),
        "plain_ms": percentile(latencies_ms(lambda p: plain_run(book, p), patients, n), 50),
        "firings": statistics.mean(len(run_engine(book, p).firings) for p in patients),
        "items": statistics.mean(len(evaluate(p, book).items) for p in patients),
    }


def cli_wall(example: Path, runs: int) -> dict[str, Any]:
    exe = Path(sys.executable).with_name("careflow")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "careflow.cli"]
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="0")

    def once(argv: list[str]) -> float:
        t0 = time.perf_counter()
        done = subprocess.run(argv, capture_output=True, env=env, cwd=ROOT, check=False)
        took = time.perf_counter() - t0
        if done.returncode != 0:
            raise RuntimeError(f"{argv} failed: {done.stderr.decode()[-500:]}")
        return took

    once([*cmd, "plan", str(example)])  # warm the disk cache and the bytecode
    walls = sorted(once([*cmd, "plan", str(example)]) for _ in range(runs))
    python = statistics.median(once([sys.executable, "-c", "pass"]) for _ in range(3))
    imports = statistics.median(
        once([sys.executable, "-c", "import careflow.cli"]) for _ in range(3))
    return {"command": " ".join([Path(cmd[0]).name, *cmd[1:], "plan",
                                 str(example.relative_to(ROOT))]),
            "median_s": statistics.median(walls), "min_s": walls[0], "max_s": walls[-1],
            "runs": runs, "python_startup_s": python,
            "import_careflow_cli_s": imports - python}


def memory(plans: int) -> dict[str, Any]:
    """Run the soak in a fresh process so nothing else measured here counts."""
    done = subprocess.run([sys.executable, __file__, "--_memory-child", str(plans)],
                          capture_output=True, text=True, check=True, cwd=ROOT)
    return json.loads(done.stdout.strip().splitlines()[-1])


def memory_child(plans: int) -> None:
    patients = [p for _, p in example_patients()[0]]
    book = careflow.rulebook.default_rulebook()
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
    """evaluate_batch over n JSON records: in this process, and with 1 and all-CPU workers
    (pool start-up included)."""
    from careflow.batch import evaluate_batch

    docs = [p.model_dump_json(exclude_none=True) for p in patients]
    records = [docs[i % len(docs)] for i in range(n)]
    out = {}
    for label, workers in (("in process (workers=0)", 0), ("1 worker process", 1),
                           (f"{os.cpu_count()} worker processes", os.cpu_count() or 1)):
        t0 = time.perf_counter()
        done = sum(1 for r in evaluate_batch(records, workers=workers, as_json=True) if r.ok)
        took = time.perf_counter() - t0
        assert done == n, f"batch: {n - done} records failed"
        out[label] = n / took
        log(f"batch {label}: {out[label]:,.0f} plans/s")
    return out


def scaling_rules(patients: list[Patient], copies: tuple[int, ...], n: int) -> list[dict[str, Any]]:
    out = []
    with tempfile.TemporaryDirectory(prefix="careflow-bench-") as tmp:
        for k in copies:
            folder = scaled_rules(default_rules_dir(), k, Path(tmp) / f"rules_x{k}")
            t0 = time.perf_counter()
            book = load_rulebook(folder)
            load_ms = (time.perf_counter() - t0) * 1000
            row = {"copies": k, "rules": len(book.rules), "load_compile_ms": load_ms,
                   **per_plan(book, patients, max(10, n // k))}
            log(f"rules x{k}: {row['rules']} rules, {row['evaluate_ms']:.2f} ms/plan")
            out.append(row)
    return out


def scaling_legs(book: Rulebook, patients: list[Patient], n: int) -> list[dict[str, Any]]:
    out = []
    for legs in (1, 2):
        variants = [with_legs(p, legs) for p in patients]
        row = {"legs": legs, **per_plan(book, variants, n)}
        log(f"{legs} leg(s): {row['evaluate_ms']:.2f} ms/plan")
        out.append(row)
    return out


# --- the run ----------------------------------------------------------------------------
def run(quick: bool, memory_plans: int | None) -> dict[str, Any]:
    named, skipped = example_patients()
    if not named:
        raise SystemExit(f"no valid patient documents in {EXAMPLES}")
    patients = [p for _, p in named]
    samples = 500 if quick else 5000
    seconds = 1.0 if quick else 5.0
    res: dict[str, Any] = {"meta": {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "quick": quick, "python": platform.python_version(),
        "machine": f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs",
        "careflow": careflow.__version__, "examples": [n for n, _ in named],
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "commit": _git("rev-parse", "--short", "HEAD"),
        "careflow_modified_since_commit": bool(_git("status", "--porcelain", "careflow")),
        "examples_skipped": skipped,
    }}

    log("load + validate + compile")
    load_rulebook()  # imports and file cache warm
    res["load_compile_ms"] = {"median": median_ms(load_rulebook, 5 if quick else 15)}
    book = careflow.rulebook.default_rulebook()
    res["meta"]["rules"] = len(book.rules)
    res["meta"]["strata"] = book.strata
    from careflow import _engine
    from careflow.evaluate import ruleset_name

    n_reg = [0]

    def register() -> None:  # the engine's own compile of the rule set (once per process)
        n_reg[0] += 1
        _engine.register(f"{ruleset_name(book)}_bench{n_reg[0]}", book.engine_rulesets())

    res["load_compile_ms"]["engine_register_median"] = median_ms(register, 3)

    log("agreement of engine and plain Python")
    for p in patients:
        evaluate(p, book)
    agree_f = all(fired(run_engine(book, p)) == fired(plain_run(book, p)) for p in patients)
    agree_p = all(canonical(evaluate(p, book).to_json())
                  == canonical(build_plan(book, p, plain_run(book, p)).to_json())
                  for p in patients)
    exact = all(evaluate(p, book).to_json() == build_plan(book, p, plain_run(book, p)).to_json()
                for p in patients)
    res["agreement"] = {"same_firings": agree_f, "same_plan_reasons_unordered": agree_p,
                        "byte_identical_plan": exact}
    res["per_plan_counts"] = {
        "entity_facts": statistics.mean(len(entities(p, book.used_keys)) for p in patients),
        "rule_firings_engine": statistics.mean(len(run_engine(book, p).firings)
                                               for p in patients),
        "rule_firings_distinct": statistics.mean(len(fired(plain_run(book, p)))
                                                 for p in patients),
        "engine_actions_incl_catch_all": statistics.mean(count_actions(book, p)
                                                         for p in patients),
    }

    log(f"latency over {samples} evaluations")
    lat = latencies_ms(lambda p: evaluate(p, book), patients, samples)
    res["latency_ms"] = {"samples": samples, "median": percentile(lat, 50),
                         "p90": percentile(lat, 90), "p99": percentile(lat, 99),
                         "max": lat[-1], "mean": statistics.mean(lat)}
    res["stages_ms"] = stages(book, patients, min(samples, 1000))

    log("throughput, one process")
    modes: dict[str, Callable[[Patient], Any]] = {
        "careflow evaluate()": lambda p: evaluate(p, book),
        "engine only (durable-rules, no explanation)": lambda p: run_engine(book, p),
        "plain Python rules (no explanation)": lambda p: plain_run(book, p),
        "plain Python rules + same build_plan": lambda p: build_plan(book, p, plain_run(book, p)),
    }
    oracle = _oracle()
    if oracle is not None:  # the reliability issue's differential-testing oracle
        modes["tests/oracle.py run_oracle (checks strata; reference only)"] = \
            lambda p: oracle(book, p)
        res["agreement"]["oracle_same_firings"] = all(
            fired(oracle(book, p)) == fired(run_engine(book, p)) for p in patients)
    tput = {name: rate(fn, patients, seconds)[0] for name, fn in modes.items()}
    res["throughput_plans_per_s"] = tput
    ev, eng, pl, plf = list(tput.values())[:4]
    res["ratios"] = {
        "evaluate / plain rules": ev / pl,
        "evaluate / plain rules + build_plan": ev / plf,
        "engine only / plain rules": eng / pl,
        "evaluate / engine only": ev / eng,
    }

    log("scaling with the number of rules (1x, 4x, 16x)")
    res["scaling_rules"] = scaling_rules(patients, (1, 4, 16), 100 if quick else 400)
    log("scaling with legs")
    res["scaling_legs"] = scaling_legs(book, patients, 200 if quick else 1000)

    log("batch throughput (careflow.batch, JSON text in, JSON text out)")
    res["batch_plans_per_s"] = batch_rates(patients, 400 if quick else 4000)

    log("CLI wall time")
    names = [n for n, _ in named]
    cli_example = "vascular-knee-pain.yaml" if "vascular-knee-pain.yaml" in names else names[0]
    res["cli"] = cli_wall(EXAMPLES / cli_example, 3 if quick else 7)

    plans = memory_plans or (5_000 if quick else 100_000)
    log(f"memory over {plans} plans (a fresh process)")
    res["memory"] = memory(plans)
    res["targets"] = targets(res)
    return res


def _git(*args: str) -> str:
    try:
        done = subprocess.run(["git", *args], capture_output=True, text=True, cwd=ROOT,
                              check=False, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return ""
    return done.stdout.strip()


def _oracle() -> Callable[[Rulebook, Patient], Any] | None:
    try:
        from tests.oracle import run_oracle
    except ImportError:
        return None
    return run_oracle  # type: ignore[no-any-return]


def targets(res: dict[str, Any]) -> list[dict[str, Any]]:
    mem = res["memory"]
    growth = mem["growth_mb"]
    if mem["plans"] < 100_000:  # a short soak: extrapolate the slope after the warm-up
        slope = mem["growth_after_warmup_mb"] / max(1, mem["plans"] - 1000)
        growth = mem["growth_mb"] + slope * (100_000 - mem["plans"])
    res["memory"]["growth_per_100k_estimate_mb"] = round(growth, 2)
    rows = [
        ("evaluate() median latency", "<= 2 ms", res["latency_ms"]["median"], "ms",
         res["latency_ms"]["median"] <= TARGETS["median_ms"]),
        ("evaluate() p99 latency", "<= 10 ms", res["latency_ms"]["p99"], "ms",
         res["latency_ms"]["p99"] <= TARGETS["p99_ms"]),
        ("throughput, one process", ">= 1,000 plans/s",
         res["throughput_plans_per_s"]["careflow evaluate()"], "plans/s",
         res["throughput_plans_per_s"]["careflow evaluate()"] >= TARGETS["plans_per_s"]),
        ("rate vs plain-Python rules", ">= 0.5x", res["ratios"]["evaluate / plain rules"], "x",
         res["ratios"]["evaluate / plain rules"] >= TARGETS["vs_plain"]),
        ("rate vs plain-Python full plan", ">= 0.5x",
         res["ratios"]["evaluate / plain rules + build_plan"], "x",
         res["ratios"]["evaluate / plain rules + build_plan"] >= TARGETS["vs_plain"]),
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


def markdown(res: dict[str, Any]) -> str:
    meta = res["meta"]
    lines = [
        f"careflow {meta['careflow']} benchmarks, {meta['date']}, Python {meta['python']}, "
        f"{meta['machine']}{' (--quick)' if meta['quick'] else ''}; {meta['rules']} rules, "
        f"{len(meta['examples'])} example(s); load average at start "
        f"{meta['load_average_at_start'][0]}; commit {meta['commit'] or '?'}"
        + (" + uncommitted changes in careflow/" if meta["careflow_modified_since_commit"]
           else ""),
        "",
        "| measure | target | measured | met |",
        "|---|---|---|---|",
    ]
    for t in res["targets"]:
        lines.append(f"| {t['what']} | {t['target']} | {_num(t['measured'])} {t['unit']} | "
                     f"{'yes' if t['met'] else 'NO'} |")
    lines += ["", "| one process | plans/s |", "|---|---|"]
    for name, value in res["throughput_plans_per_s"].items():
        lines.append(f"| {name} | {value:,.0f} |")
    lines += ["", "| careflow.batch over JSON records | plans/s |", "|---|---|"]
    for name, value in res["batch_plans_per_s"].items():
        lines.append(f"| {name} | {value:,.0f} |")
    lines += ["", "| stage of evaluate() | median ms |", "|---|---|"]
    for name, value in res["stages_ms"].items():
        lines.append(f"| {name} | {value:.3f} |")
    lines += ["", "| rules | ms/plan evaluate | engine only | plain Python | firings | "
                  "load+compile ms |", "|---|---|---|---|---|---|"]
    for r in res["scaling_rules"]:
        lines.append(f"| {r['rules']} ({r['copies']}x) | {r['evaluate_ms']:.2f} | "
                     f"{r['engine_ms']:.2f} | {r['plain_ms']:.2f} | {r['firings']:.0f} | "
                     f"{r['load_compile_ms']:.0f} |")
    lines += ["", "| legs | ms/plan evaluate | engine only | plain Python | firings | items |",
              "|---|---|---|---|---|---|"]
    for r in res["scaling_legs"]:
        lines.append(f"| {r['legs']} | {r['evaluate_ms']:.2f} | {r['engine_ms']:.2f} | "
                     f"{r['plain_ms']:.2f} | {r['firings']:.0f} | {r['items']:.0f} |")
    c, m, a = res["cli"], res["memory"], res["agreement"]
    counts = res["per_plan_counts"]
    lines += [
        "",
        f"- latency: median {res['latency_ms']['median']:.2f} ms, p90 "
        f"{res['latency_ms']['p90']:.2f} ms, p99 {res['latency_ms']['p99']:.2f} ms, max "
        f"{res['latency_ms']['max']:.2f} ms over {res['latency_ms']['samples']} evaluations",
        f"- CLI `{c['command']}`: median {c['median_s']:.3f} s (python startup "
        f"{c['python_startup_s']:.3f} s, `import careflow.cli` {c['import_careflow_cli_s']:.3f} s)",
        f"- memory: RSS {m['rss_after_first_plan_mb']} MB after the first plan, "
        f"{m['rss_after_1000_plans_mb']} MB after 1,000, {m['rss_end_mb']} MB after "
        f"{m['plans']:,} ({m['plans_per_s']:,.0f} plans/s in the soak)",
        f"- per plan: {counts['entity_facts']:.0f} entity facts, "
        f"{counts['rule_firings_engine']:.0f} rule firings in the engine "
        f"({counts['rule_firings_distinct']:.0f} distinct), "
        f"{counts['engine_actions_incl_catch_all']:.0f} engine actions with the catch-all",
        f"- engine and plain Python fire the same rules: {_yn(a['same_firings'])}; same plan "
        f"(reasons unordered): {_yn(a['same_plan_reasons_unordered'])}; byte-identical: "
        f"{_yn(a['byte_identical_plan'])}",
        f"- rule set: load+validate+compile {res['load_compile_ms']['median']:.1f} ms, engine "
        f"registration {res['load_compile_ms']['engine_register_median']:.1f} ms (once per "
        "process)",
    ]
    return "\n".join(lines) + "\n"


def _num(x: float) -> str:
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:.2f}"


def _yn(b: bool) -> str:
    return "yes" if b else "no"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="fewer samples, a 5,000-plan soak")
    ap.add_argument("--memory-plans", type=int, help="plans in the memory soak")
    ap.add_argument("--out", type=Path, default=RESULTS, help="results folder")
    ap.add_argument("--_memory-child", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args._memory_child:
        memory_child(args._memory_child)
        return
    res = run(args.quick, args.memory_plans)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "latest.json").write_text(json.dumps(res, indent=2) + "\n", encoding="utf-8")
    md = markdown(res)
    (args.out / "latest.md").write_text(md, encoding="utf-8")
    print(md)


if __name__ == "__main__":
    main()
