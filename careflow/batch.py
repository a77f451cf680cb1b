"""Batch evaluation: a whole population, every core, input order kept, bad records reported.

    >>> from careflow.batch import evaluate_batch
    >>> for result in evaluate_batch(documents):          # dicts, JSON text or Patients
    ...     print(result.line, result.plan.patient_id if result.ok else result.problems)

Records go to a process pool (`concurrent.futures.ProcessPoolExecutor`) in chunks; each
worker process loads and compiles the rule set once. Results come back in input order, one per
record: a plan, or an error that names the record's line and its problems; one bad record
never stops the others unless `fail_fast` is set. `evaluate_batch_dask` runs the same chunks
on a Dask cluster (`pip install 'careflow[dask]'`). The `careflow batch` command (docs/batch.md)
is a thin layer over `evaluate_lines`, `read_jsonl`/`read_csv` and `resume_point`.
"""

from __future__ import annotations

import csv
import hashlib
import itertools
import json
import multiprocessing
import os
import signal
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from .errors import EngineError, InputError, MissingExtra
from .model import Patient, parse_patient
from .plan import Plan
from .yamlsrc import YamlSourceError, load_json, scalar, shown

__all__ = [
    "BatchResult", "evaluate_batch", "evaluate_batch_dask", "evaluate_lines", "read_csv",
    "read_jsonl", "resume_point",
]

Record = Any  # a patient document: Patient, mapping, or JSON text (str / bytes)
Numbered = tuple[int, Record]  # (line number, record)

INPUT, ENGINE = "input", "engine"


@dataclass(frozen=True)
class BatchResult:
    """One record's outcome. `line` is the record's line in the input (1-based; for the
    Python API, its position). Exactly one of `plan` / `plan_json` is set when `ok`."""

    line: int
    plan: Plan | None = None
    plan_json: str | None = None  # compact JSON, when asked for JSON (the CLI does)
    error: str | None = None  # "input" (a bad record) or "engine" (the engine failed)
    problems: tuple[str, ...] = ()
    patient_id: str | None = None
    extra: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def ok(self) -> bool:
        return self.error is None

    def to_json_line(self) -> str:
        """The output line: the plan as compact JSON, or an error record (no newline)."""
        if self.ok:
            if self.plan_json is not None:
                return self.plan_json
            assert self.plan is not None
            return self.plan.model_dump_json()
        record: dict[str, Any] = {"error": self.error, "line": self.line}
        if self.patient_id is not None:
            record["patient_id"] = self.patient_id
        record["problems"] = list(self.problems)
        return json.dumps(record, ensure_ascii=False)


# --- one record (runs in a worker) ------------------------------------------------------
def _patient(record: Record, source: str) -> Patient:
    if isinstance(record, Patient):
        return record
    if isinstance(record, (str, bytes)):
        try:
            record = load_json(record)  # the same reader as a .json patient file
        except YamlSourceError as exc:
            raise InputError([exc.args[0].removeprefix("line 1: ")], source) from None
    return parse_patient(record, source)


def _guess_id(record: Record) -> str | None:
    if isinstance(record, dict):
        value = record.get("id")
        if not isinstance(value, str) or len(value) > 128:
            return None
        try:
            value.encode("utf-8")  # a lone surrogate cannot be written to OUT
        except UnicodeEncodeError:
            return None
        return value
    if isinstance(record, (str, bytes)):
        try:
            data = json.loads(record)
        except (ValueError, RecursionError):
            return None
        return _guess_id(data) if isinstance(data, dict) else None
    return None


@lru_cache(maxsize=4)
def _rulebook(rules: str | None, params: str | None) -> Any:
    """The worker's rule set, loaded and compiled once per process (and per folder)."""
    from .rulebook import default_rulebook, load_rulebook

    if rules is None and params is None:
        return default_rulebook()
    return load_rulebook(rules, params)


def _evaluate_one(line: int, record: Record, book: Any, as_json: bool,
                  source: str) -> BatchResult:
    from .evaluate import evaluate

    where = f"{source}:{line}" if source else f"record {line}"
    try:
        patient = _patient(record, where)
    except InputError as exc:
        return BatchResult(line, error=INPUT, problems=tuple(exc.problems),
                           patient_id=_guess_id(record))
    try:
        plan = evaluate(patient, book)
    except EngineError as exc:
        return BatchResult(line, error=ENGINE, problems=(f"engine error: {exc}",),
                           patient_id=patient.id)
    except Exception as exc:
        return BatchResult(line, error=ENGINE, problems=(f"internal error: {exc!r}",),
                           patient_id=patient.id)
    if as_json:
        return BatchResult(line, plan_json=plan.model_dump_json(), patient_id=patient.id)
    return BatchResult(line, plan=plan, patient_id=patient.id)


def _work(chunk: list[Numbered], rules: str | None, params: str | None, as_json: bool,
          source: str) -> list[BatchResult]:
    """A chunk of records in one worker: the unit sent to a process or a Dask worker."""
    book = _rulebook(rules, params)
    return [_evaluate_one(line, record, book, as_json, source) for line, record in chunk]


def _warm(rules: str | None, params: str | None) -> None:
    """Pool initializer: load the rule set when the worker starts, not on its first chunk."""
    _rulebook(rules, params)


# --- ordering, chunking and the pools -----------------------------------------------------
def _chunks(pairs: Iterable[Numbered], size: int) -> Iterator[list[Numbered]]:
    chunk: list[Numbered] = []
    for pair in pairs:
        chunk.append(pair)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _ordered(chunks: Iterator[list[Numbered]], submit: Callable[[list[Numbered]], Any],
             result: Callable[[Any], list[BatchResult]], window: int, fail_fast: bool,
             cancel: Callable[[Iterable[Any]], None]) -> Iterator[BatchResult]:
    """Keep `window` chunks in flight, yield results in input order; with `fail_fast` stop
    after the first bad record (it is yielded) and cancel what is still pending."""
    pending: deque[Any] = deque()
    for chunk in chunks:
        pending.append(submit(chunk))
        if len(pending) < window:
            continue
        for res in result(pending.popleft()):
            yield res
            if fail_fast and not res.ok:
                cancel(pending)
                return
    while pending:
        for res in result(pending.popleft()):
            yield res
            if fail_fast and not res.ok:
                cancel(pending)
                return


def evaluate_lines(pairs: Iterable[Numbered], workers: int | None = None,
                   fail_fast: bool = False, *, rules: str | Path | None = None,
                   params: str | Path | None = None, as_json: bool = False,
                   chunk_size: int | None = None, source: str = "",
                   executor: Executor | None = None) -> Iterator[BatchResult]:
    """Like `evaluate_batch`, for records that carry their own line numbers."""
    rules_s = str(rules) if rules is not None else None
    params_s = str(params) if params is not None else None
    _rulebook(rules_s, params_s)  # fail here (RulebookError) before any worker starts
    n = (os.cpu_count() or 1) if workers is None else workers
    size = chunk_size or 16
    if n <= 0 and executor is None:
        return _in_process(pairs, size, fail_fast, rules_s, params_s, as_json, source)
    return _in_pool(pairs, n, size, fail_fast, rules_s, params_s, as_json, source, executor)


def _in_process(pairs: Iterable[Numbered], size: int, fail_fast: bool, rules_s: str | None,
                params_s: str | None, as_json: bool, source: str) -> Iterator[BatchResult]:
    for chunk in _chunks(pairs, size):
        for res in _work(chunk, rules_s, params_s, as_json, source):
            yield res
            if fail_fast and not res.ok:
                return


def _in_pool(pairs: Iterable[Numbered], n: int, size: int, fail_fast: bool,
             rules_s: str | None, params_s: str | None, as_json: bool, source: str,
             executor: Executor | None) -> Iterator[BatchResult]:
    own = executor is None
    # Spawned, not forked: a fork copies whatever lock another thread of the parent holds
    # (the engine's, a logging handler's) into a child that can then never take it.
    pool = executor or ProcessPoolExecutor(max_workers=n, initializer=_warm,
                                           initargs=(rules_s, params_s),
                                           mp_context=multiprocessing.get_context("spawn"))

    def submit(chunk: list[Numbered]) -> Future[list[BatchResult]]:
        return pool.submit(_work, chunk, rules_s, params_s, as_json, source)

    def cancel(futures: Iterable[Future[list[BatchResult]]]) -> None:
        for f in futures:
            f.cancel()

    finished = False
    try:
        yield from _ordered(_chunks(pairs, size), submit, lambda f: f.result(),
                            max(2, 4 * max(n, 1)), fail_fast, cancel)
        finished = True
    finally:
        if own:
            if not finished and isinstance(pool, ProcessPoolExecutor):
                _reap(pool)  # interrupted, terminated or closed early: stop the workers now
            pool.shutdown(wait=finished, cancel_futures=True)


def _reap(pool: ProcessPoolExecutor) -> None:
    """Stop a pool's worker processes at once (their chunks are abandoned, not waited for)."""
    processes = getattr(pool, "_processes", None) or {}
    for process in list(processes.values()):
        if process.is_alive():
            process.terminate()
    for process in list(processes.values()):
        process.join(timeout=5)
        if process.is_alive():
            process.kill()


def evaluate_batch(records: Iterable[Record], workers: int | None = None,
                   fail_fast: bool = False, *, rules: str | Path | None = None,
                   params: str | Path | None = None, as_json: bool = False,
                   chunk_size: int | None = None) -> Iterator[BatchResult]:
    """Evaluate many patients on every core; yield one BatchResult per record, in input order.

    `records` are patient documents: Patient objects, mappings, or JSON text. `workers`
    is the number of processes (None: one per CPU; 0: in this process, no pool). A bad record
    gives a result with `error="input"` and its problems (`line` is its 1-based position), and
    the others go on; with `fail_fast` the iteration ends after the first bad record. An
    engine failure on a record gives `error="engine"` (fail closed: no plan). `rules` and
    `params` choose the rule set as for `load_rulebook` (RulebookError if it does not load).
    `as_json` returns each plan as compact JSON text (`plan_json`) instead of a Plan.
    """
    return evaluate_lines(enumerate(records, start=1), workers, fail_fast, rules=rules,
                          params=params, as_json=as_json, chunk_size=chunk_size)


def evaluate_batch_dask(records: Iterable[Record], client: Any, fail_fast: bool = False, *,
                        rules: str | Path | None = None, params: str | Path | None = None,
                        as_json: bool = False, chunk_size: int = 64,
                        numbered: bool = False) -> Iterator[BatchResult]:
    """The same batch on a Dask cluster (`client` is a `distributed.Client`).

    Records are sent in chunks (`client.submit`, a bounded number in flight, so a population
    larger than memory streams through); each worker process loads the rule set once (the
    rules folder, if given, must be readable on the workers). Results come back in input order
    exactly as from `evaluate_batch`. With `numbered`, records are (line, record) pairs.
    """
    rules_s = str(rules) if rules is not None else None
    params_s = str(params) if params is not None else None
    pairs: Iterable[Numbered] = records if numbered else enumerate(records, start=1)
    threads = sum(client.nthreads().values()) or 1

    def submit(chunk: list[Numbered]) -> Any:
        return client.submit(_work, chunk, rules_s, params_s, as_json, "", pure=False)

    def cancel(futures: Iterable[Any]) -> None:
        futures = list(futures)
        if futures:
            client.cancel(futures)

    return _ordered(_chunks(pairs, chunk_size), submit, lambda f: f.result(),
                    max(2, 4 * threads), fail_fast, cancel)


# --- input files --------------------------------------------------------------------------
def read_jsonl(path: str | Path, skip: int = 0) -> Iterator[Numbered]:
    """(line number, text) for every non-blank line of a JSON Lines file, after the first
    `skip` records."""
    seen = 0
    with open(path, "rb") as fh:
        for number, raw in enumerate(fh, start=1):
            if not raw.strip():
                continue
            seen += 1
            if seen > skip:
                yield number, raw


# A CSV of flat patients: one row per patient, nested fields as dotted column names
# (`legs.0.side`, `legs.0.knee.pain_nrs`, `history.0.weeks`), list fields separated by ";".
_CSV_LISTS = frozenset({"conditions", "allergies", "medications", "pain_pattern", "symptoms"})
_CSV_EMPTY_LIST = "[]"  # a list that was asked and holds nothing (an empty cell: not asked)
_CSV_TEXT = frozenset({"id"})


def _cell(name: str, text: str) -> Any:
    leaf = name.rsplit(".", 1)[-1]
    if leaf in _CSV_LISTS:
        if text.strip() == _CSV_EMPTY_LIST:
            return []
        return [x.strip() for x in text.split(";") if x.strip()]
    if leaf in _CSV_TEXT:
        return text
    return scalar(text.strip())  # typed exactly as a YAML or JSON document types it


def _nest(row: dict[str, str]) -> dict[str, Any]:
    doc: dict[str, Any] = {}
    for name, text in row.items():
        if name is None or text is None or text.strip() == "":
            continue  # an empty cell is an unknown value
        parts = name.strip().split(".")
        node: Any = doc
        for part, following in itertools.pairwise(parts):
            key: Any = int(part) if part.isdigit() else part
            child: Any = [] if following.isdigit() else {}
            if isinstance(node, list):
                while len(node) <= key:
                    node.append(None)
                if node[key] is None:
                    node[key] = child
                node = node[key]
            else:
                node = node.setdefault(key, child)
        last = parts[-1]
        value = _cell(name, text)
        if isinstance(node, list):
            index = int(last)
            while len(node) <= index:
                node.append(None)
            node[index] = value
        else:
            node[last] = value
    return doc


MAX_CSV_INDEX = 100  # a list index in a column name (legs.N, history.N) is below this


def read_csv(path: str | Path, skip: int = 0) -> Iterator[Numbered]:
    """(line number, patient document) for every non-empty row of a CSV of flat patients.
    A file the reader cannot trust is refused whole (InputError naming the line): a header
    whose columns conflict, repeat or index a list past MAX_CSV_INDEX, a cell larger than the
    csv module's field limit (128 KB), a row with more cells than the header, text that is
    not UTF-8."""
    source = str(path)
    seen = 0
    line = 1
    try:
        with open(path, newline="", encoding="utf-8") as fh:
            reader = csv.reader(fh)
            header = next(reader, None)
            if header is None:
                return
            _check_header(header, source)
            width = len(header)
            for cells in reader:
                line = reader.line_num
                if len(cells) > width:
                    raise InputError([f"line {line}: has {len(cells)} cells but the header "
                                      f"names {width} columns"], source)
                if not any(c.strip() for c in cells):
                    continue
                seen += 1
                if seen > skip:
                    yield line, _nest(dict(zip(header, cells, strict=False)))
            line = reader.line_num
    except csv.Error as exc:
        raise InputError([f"line {line + 1}: not valid CSV ({exc})"], source) from None
    except UnicodeDecodeError as exc:
        raise InputError([f"not UTF-8 text ({exc.reason}, near line {line + 1})"],
                         source) from None


def _check_header(header: list[str], source: str) -> None:
    """Column names are dotted paths that make one tree: no name twice, no name that is both
    a value and a parent (`age` and `age.x`), no parent both a list and a mapping."""
    problems: list[str] = []
    paths: dict[tuple[str, ...], str] = {}
    for name in header:
        parts = tuple(name.strip().split("."))
        if not all(parts):
            problems.append(f"header: column {shown(name)} is not a dotted field name")
            continue
        big = [p for p in parts if p.isdigit() and int(p) >= MAX_CSV_INDEX]
        if big:
            problems.append(f"header: column {shown(name)} indexes a list at {big[0]} "
                            f"(at most {MAX_CSV_INDEX - 1})")
            continue
        if parts in paths:
            problems.append(f"header: column {shown(name)} appears twice")
            continue
        paths[parts] = name
    for parts, name in paths.items():
        for cut in range(1, len(parts)):
            if parts[:cut] in paths:
                problems.append(f"header: columns {shown(paths[parts[:cut]])} and "
                                f"{shown(name)} conflict (one is a value, the other a field "
                                "inside it)")
    kinds: dict[tuple[str, ...], set[bool]] = {}
    for parts in paths:
        for cut in range(1, len(parts)):
            kinds.setdefault(parts[:cut], set()).add(parts[cut].isdigit())
    for parent, found in kinds.items():
        if len(found) > 1:
            problems.append(f"header: {shown('.'.join(parent))} has both numbered and named "
                            "columns under it (a list and a mapping at once)")
    if problems:
        raise InputError(problems, source)


def count_records(path: str | Path) -> int:
    """How many records a JSON Lines or CSV file holds (for a progress bar)."""
    if str(path).lower().endswith(".csv"):
        return sum(1 for _ in read_csv(path))
    return sum(1 for _ in read_jsonl(path))


def resume_point(out: str | Path) -> tuple[int, int]:
    """(complete lines in OUT, error records among them), after cutting off a partly written
    last line (a run that was killed mid-write)."""
    path = Path(out)
    if not path.exists():
        return 0, 0
    with open(path, "r+b") as fh:
        data = fh.read()
        end = data.rfind(b"\n") + 1
        if end != len(data):
            fh.truncate(end)
    lines = data[:end].splitlines()
    return len(lines), sum(1 for line in lines if line.startswith(b'{"error"'))


# --- the command ------------------------------------------------------------------------
# OUT is written atomically: the lines go to OUT.partial beside it, and only a run that ends
# (every record, or --fail-fast's stop) renames it into place. Beside the partial file, a run
# card (OUT.partial.json) says what it is a partial run of: the input's digest and the
# protocol's. `--resume` goes on only from a partial file whose card matches, so it never
# truncates or extends a file that is not careflow's, nor mixes two protocols in one OUT.
RUN_CARD = "careflow-batch-run"


def partial_paths(outfile: Path) -> tuple[Path, Path]:
    """(the partial OUT, its run card) of a batch writing `outfile`."""
    return (outfile.with_name(outfile.name + ".partial"),
            outfile.with_name(outfile.name + ".partial.json"))


def _file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return "sha256:" + digest.hexdigest()


def _run_card(infile: Path, protocol: str) -> dict[str, Any]:
    from ._version import __version__

    return {"kind": RUN_CARD, "input": _file_digest(infile), "protocol": protocol,
            "careflow": __version__}


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


def _refusal(infile: Path, outfile: Path, resume: bool) -> str | None:
    """Why IN and OUT cannot be used (None: they can)."""
    partial, card = partial_paths(outfile)
    if not infile.is_file():
        return f"{infile}: no such file"
    if outfile.is_dir():
        return f"{outfile}: OUT is a directory"
    for path in (outfile, partial, card):
        if _same_file(infile, path):  # the same file by any name (a hard link, a symlink)
            return f"{outfile}: OUT must not be IN (they are the same file)"
    if resume and not partial.exists():
        if outfile.exists():
            return (f"{outfile}: nothing to resume ({partial.name} not found): OUT is a "
                    "finished run or not careflow's; run without --resume to redo it")
        return f"{outfile}: nothing to resume ({partial.name} not found)"
    return None


class _Terminated(BaseException):
    """SIGTERM, raised in the main thread so that the run ends as an interrupt does."""


def run_files(infile: Path, outfile: Path, workers: int | None = None, fail_fast: bool = False,
              resume: bool = False, progress: bool | None = None,
              rules: Path | None = None, params: Path | None = None,
              echo: Callable[[str], None] | None = None) -> int:
    """`careflow batch IN OUT`: the exit code (docs/batch.md). Messages go to `echo` (stderr)."""
    import sys
    import threading

    say = echo or (lambda msg: print(msg, file=sys.stderr))
    previous = None
    if threading.current_thread() is threading.main_thread():
        def terminate(signum: int, frame: object) -> None:
            raise _Terminated()
        previous = signal.signal(signal.SIGTERM, terminate)
    try:
        return _run(infile, outfile, workers, fail_fast, resume, progress, rules, params, say)
    except KeyboardInterrupt:
        say("interrupted; rerun with --resume to go on")
        return 130
    except _Terminated:
        say("terminated; rerun with --resume to go on")
        return 143
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _run(infile: Path, outfile: Path, workers: int | None, fail_fast: bool, resume: bool,
         progress: bool | None, rules: Path | None, params: Path | None,
         say: Callable[[str], None]) -> int:
    import sys
    from concurrent.futures.process import BrokenProcessPool

    from .errors import RulebookError

    refused = _refusal(infile, outfile, resume)
    if refused:
        say(refused)
        return 2
    try:
        book = _rulebook(str(rules) if rules else None, str(params) if params else None)
    except RulebookError as exc:
        for d in exc.diagnostics:
            say(str(d))
        return 3
    try:
        total = count_records(infile)
    except InputError as exc:
        for problem in exc.problems:
            say(f"{infile}: {problem}")
        return 2
    partial, card_path = partial_paths(outfile)
    card = _run_card(infile, book.digest)
    done, bad_before = 0, 0
    if resume:
        try:
            earlier = json.loads(card_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            earlier = None
        if not isinstance(earlier, dict) or earlier.get("kind") != RUN_CARD:
            say(f"{partial}: no run card ({card_path.name}): not a partial careflow batch run")
            return 2
        for key, what in (("input", "input"), ("protocol", "protocol (rules or --params)")):
            if earlier.get(key) != card[key]:
                say(f"{partial} is a partial run of a different {what} "
                    f"({earlier.get(key)} there, {card[key]} now): run without --resume")
                return 2
        done, bad_before = resume_point(partial)
        if done > total:
            say(f"{partial} has {done} lines but {infile} only {total} records: not a "
                "partial run of this input")
            return 2
    try:
        outfile.parent.mkdir(parents=True, exist_ok=True)
        if not resume:
            card_path.write_text(json.dumps(card) + "\n", encoding="utf-8")
        out = open(partial, "a" if resume else "w", encoding="utf-8",  # noqa: SIM115 - closed
                   newline="\n")  # by the `with` below, once the run's other parts are ready
    except OSError as exc:
        say(f"{outfile}: cannot write ({exc.strerror})")
        return 2
    reader = read_csv if infile.suffix.lower() == ".csv" else read_jsonl
    results = evaluate_lines(reader(infile, skip=done), workers, fail_fast, rules=rules,
                             params=params, as_json=True, source=str(infile))
    bad: list[int] = []
    broken = 0
    plans = 0
    ids: dict[str, list[int]] = {}
    show = sys.stderr.isatty() if progress is None else progress
    with out, _progress(show, total, done) as advance:
        try:
            for i, res in enumerate(results, start=1):
                out.write(res.to_json_line() + "\n")
                if res.patient_id is not None:
                    ids.setdefault(res.patient_id, []).append(res.line)
                if res.ok:
                    plans += 1
                elif res.error == INPUT:
                    bad.append(res.line)
                else:
                    broken += 1
                    bad.append(res.line)
                if i % 64 == 0:
                    out.flush()
                advance(1)
        except BrokenProcessPool:
            out.flush()
            say("a worker process died; the lines written so far are complete: "
                "rerun with --resume")
            return 4
        except BaseException:
            out.flush()
            close = getattr(results, "close", None)
            if close is not None:
                close()  # reap the workers now, whatever ended the run
            raise
        out.flush()
        os.fsync(out.fileno())
    stopped = fail_fast and bool(bad) and done + plans + len(bad) < total
    if not stopped:  # every record has its line: OUT appears whole, or not at all
        os.replace(partial, outfile)
        card_path.unlink(missing_ok=True)
    where = ", ".join(str(n) for n in bad[:10]) + (", ..." if len(bad) > 10 else "")
    summary = f"{plans} plans" + (f", {len(bad)} bad record{'s' if len(bad) > 1 else ''} "
                                  f"(line{'s' if len(bad) > 1 else ''} {where})" if bad else "")
    if resume and done:
        summary += f"; {done} records were already in {partial.name}"
        if bad_before:
            summary += f" ({bad_before} of them error records)"
    if stopped:
        say(f"careflow batch: {summary}; stopped by --fail-fast: the lines so far are in "
            f"{partial} (fix the record and rerun, or --resume to go on)")
    else:
        say(f"careflow batch: {summary} -> {outfile}")
    shared = {pid: lines for pid, lines in ids.items() if len(lines) > 1}
    if shared:
        shown_ids = "; ".join(f"{pid} (lines {', '.join(map(str, lines[:5]))})"
                              for pid, lines in list(shared.items())[:5])
        say(f"careflow batch: warning: {len(shared)} id{'s' if len(shared) > 1 else ''} "
            f"appear on more than one record: {shown_ids}")
    if broken:
        return 4
    return 2 if bad or bad_before else 0


class _NoProgress:
    def __enter__(self) -> Callable[[int], None]:
        return lambda n: None

    def __exit__(self, *exc: object) -> None:
        return None


def _progress(show: bool, total: int, done: int) -> Any:
    if not show:
        return _NoProgress()
    from contextlib import contextmanager

    try:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )
    except ImportError as exc:
        raise MissingExtra("cli", exc) from None

    @contextmanager
    def bar() -> Iterator[Callable[[int], None]]:
        # Refreshed from this thread (no auto-refresh thread): the process pool forks its
        # workers while the bar is up, and a fork is only safe without other threads.
        with Progress(TextColumn("plans"), BarColumn(), MofNCompleteColumn(),
                      TimeElapsedColumn(), TimeRemainingColumn(),
                      console=Console(stderr=True), auto_refresh=False) as prog:
            task = prog.add_task("plans", total=total, completed=done)
            last = [0.0]

            def advance(n: int) -> None:
                prog.advance(task, n)
                now = time.monotonic()
                if now - last[0] >= 0.1:
                    last[0] = now
                    prog.refresh()

            yield advance
            prog.refresh()

    return bar()
