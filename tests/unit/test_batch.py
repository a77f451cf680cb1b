"""Batch evaluation (careflow.batch, `careflow batch`): order, bad records with their line
numbers, --fail-fast, resume, CSV, and the same batch on a local Dask cluster."""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from careflow import evaluate, read_patient
from careflow.batch import (
    BatchResult,
    evaluate_batch,
    evaluate_batch_dask,
    partial_paths,
    resume_point,
)
from careflow.cli import app
from careflow.errors import EngineError

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))


@pytest.fixture(scope="module")
def documents() -> list[dict[str, Any]]:
    """The worked examples as JSON-ready documents, 24 of them in a scrambled order."""
    docs = [read_patient(p).model_dump(mode="json", exclude_none=True) for p in EXAMPLES]
    out = []
    for i in range(24):
        doc = dict(docs[(i * 5) % len(docs)])
        doc["id"] = f"{doc['id']}-{i:02d}"
        out.append(doc)
    return out


@pytest.fixture(scope="module")
def expected(documents: list[dict[str, Any]]) -> list[str]:
    """What evaluate() says for each document, one at a time: the batch must say the same."""
    from careflow.model import parse_patient

    return [evaluate(parse_patient(d)).model_dump_json() for d in documents]


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def _write_jsonl(path: Path, lines: list[str]) -> Path:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


# --- the Python API ---------------------------------------------------------------------
@pytest.mark.parametrize("workers", [0, 2])
def test_plans_come_back_in_input_order(documents: list[dict[str, Any]], expected: list[str],
                                        workers: int) -> None:
    results = list(evaluate_batch(documents, workers=workers, chunk_size=3))
    assert [r.line for r in results] == list(range(1, len(documents) + 1))
    assert [r.patient_id for r in results] == [d["id"] for d in documents]
    assert all(r.ok and r.plan is not None for r in results)
    assert [r.plan.model_dump_json() for r in results if r.plan] == expected


def test_json_text_and_patient_objects_are_records_too(documents: list[dict[str, Any]],
                                                       expected: list[str]) -> None:
    from careflow.model import parse_patient

    records: list[Any] = [json.dumps(documents[0]), parse_patient(documents[1]), documents[2]]
    results = list(evaluate_batch(records, workers=0, as_json=True))
    assert [r.plan_json for r in results] == expected[:3]


def test_a_bad_record_is_reported_with_its_line_and_the_rest_go_on(
        documents: list[dict[str, Any]], expected: list[str]) -> None:
    records: list[Any] = [json.dumps(d) for d in documents[:6]]
    records[1] = '{"id": "P-X", "age": '  # broken JSON
    records[3] = json.dumps({**documents[3], "age": 300})  # a value out of range
    records[4] = "[1, 2]"  # not a mapping
    results = list(evaluate_batch(records, workers=2, chunk_size=2))
    assert [r.ok for r in results] == [True, False, True, False, False, True]
    bad = {r.line: r for r in results if not r.ok}
    assert set(bad) == {2, 4, 5}
    assert bad[2].error == "input" and bad[2].problems[0].startswith("not valid JSON")
    assert bad[4].problems == ("age: must be <= 120 (got 300)",)
    assert bad[4].patient_id == documents[3]["id"]
    assert "must be a mapping" in bad[5].problems[0]
    good = [r.plan.model_dump_json() for r in results if r.plan]
    assert good == [expected[0], expected[2], expected[5]]


def test_fail_fast_stops_after_the_first_bad_record(documents: list[dict[str, Any]]) -> None:
    records: list[Any] = list(documents[:12])
    records[4] = {"id": "P-BAD"}
    results = list(evaluate_batch(records, workers=2, fail_fast=True, chunk_size=2))
    assert [r.ok for r in results] == [True, True, True, True, False]
    assert results[-1].line == 5


def test_an_engine_failure_fails_that_record_closed(documents: list[dict[str, Any]],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    module = importlib.import_module("careflow.evaluate")  # the module, not the function
    real = module.evaluate

    def flaky(patient: Any, book: Any = None) -> Any:
        if patient.id == documents[1]["id"]:
            raise EngineError("a rule action failed")
        return real(patient, book)

    monkeypatch.setattr(module, "evaluate", flaky)
    results = list(evaluate_batch(documents[:3], workers=0))
    assert [r.error for r in results] == [None, "engine", None]
    assert results[1].plan is None and "a rule action failed" in results[1].problems[0]


def test_error_records_name_the_line_and_the_problems() -> None:
    line = BatchResult(7, error="input", problems=("age: is required",), patient_id="P-1")
    assert json.loads(line.to_json_line()) == {
        "error": "input", "line": 7, "patient_id": "P-1", "problems": ["age: is required"]}


# --- the command ------------------------------------------------------------------------
def test_cli_writes_one_line_per_record_in_order(tmp_path: Path, documents: list[dict[str, Any]],
                                                 expected: list[str]) -> None:
    src = _write_jsonl(tmp_path / "in.jsonl", [json.dumps(d) for d in documents])
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(app, ["batch", str(src), str(out), "--workers", "2"])
    assert result.exit_code == 0, result.output
    assert _lines(out) == expected
    assert "24 plans" in result.output


def test_cli_reports_bad_lines_and_exits_2(tmp_path: Path, documents: list[dict[str, Any]],
                                          expected: list[str]) -> None:
    lines = [json.dumps(d) for d in documents[:5]]
    lines[2] = "{nope"
    lines.insert(1, "")  # a blank line is not a record, but it counts as a line
    src = _write_jsonl(tmp_path / "in.jsonl", lines)
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(app, ["batch", str(src), str(out), "-w", "2"])
    assert result.exit_code == 2
    written = _lines(out)
    assert len(written) == 5
    error = json.loads(written[2])
    assert error["error"] == "input" and error["line"] == 4
    assert error["problems"][0].startswith("not valid JSON")
    assert [written[i] for i in (0, 1, 3, 4)] == [expected[i] for i in (0, 1, 3, 4)]
    assert "(line 4)" in result.output


def test_cli_fail_fast_stops_with_exit_2(tmp_path: Path, documents: list[dict[str, Any]]) -> None:
    lines = [json.dumps(d) for d in documents[:10]]
    lines[3] = json.dumps({"id": "P-BAD", "age": 50})
    src = _write_jsonl(tmp_path / "in.jsonl", lines)
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(app, ["batch", str(src), str(out), "--fail-fast", "-w", "2"])
    assert result.exit_code == 2
    partial, card = partial_paths(out)
    assert not out.exists() and card.exists()  # a stopped run is a partial run, not OUT
    written = _lines(partial)
    assert len(written) == 4 and json.loads(written[3])["line"] == 4
    assert "--fail-fast" in result.output


def _partial_run(src: Path, out: Path, text: str) -> Path:
    """A run killed mid-write: its partial OUT holds `text`, its card names src and the
    shipped protocol (what `careflow batch` writes before the first line)."""
    from careflow.batch import _run_card
    from careflow.rulebook import default_rulebook

    partial, card = partial_paths(out)
    partial.write_text(text, encoding="utf-8")
    card.write_text(json.dumps(_run_card(src, default_rulebook().digest)), encoding="utf-8")
    return partial


def test_cli_resume_finishes_a_partial_run(tmp_path: Path, documents: list[dict[str, Any]],
                                          expected: list[str]) -> None:
    src = _write_jsonl(tmp_path / "in.jsonl", [json.dumps(d) for d in documents])
    out = tmp_path / "out.jsonl"
    # 5 complete lines and half of the sixth
    partial = _partial_run(src, out, "".join(x + "\n" for x in expected[:5]) + expected[5][:100])
    assert resume_point(partial) == (5, 0)
    assert partial.read_text(encoding="utf-8") == "".join(x + "\n" for x in expected[:5])
    result = CliRunner().invoke(app, ["batch", str(src), str(out), "--resume", "-w", "2"])
    assert result.exit_code == 0, result.output
    assert _lines(out) == expected
    assert not partial.exists() and not partial_paths(out)[1].exists()
    assert "19 plans" in result.output and "5 records were already" in result.output
    again = CliRunner().invoke(app, ["batch", str(src), str(out), "--resume", "-w", "0"])
    assert again.exit_code == 2 and "nothing to resume" in again.output
    assert _lines(out) == expected  # a finished OUT is never touched by --resume


def test_cli_resume_remembers_earlier_bad_records(tmp_path: Path,
                                                  documents: list[dict[str, Any]]) -> None:
    lines = [json.dumps(d) for d in documents[:4]]
    lines[1] = "{nope"
    src = _write_jsonl(tmp_path / "in.jsonl", lines)
    out = tmp_path / "out.jsonl"
    first = CliRunner().invoke(app, ["batch", str(src), str(out), "--fail-fast", "-w", "0"])
    assert first.exit_code == 2 and len(_lines(partial_paths(out)[0])) == 2
    rest = CliRunner().invoke(app, ["batch", str(src), str(out), "--resume", "-w", "0"])
    assert rest.exit_code == 2  # the bad record from the first run is still in OUT
    assert len(_lines(out)) == 4


def test_cli_resume_refuses_an_output_longer_than_the_input(tmp_path: Path,
                                                            expected: list[str]) -> None:
    src = _write_jsonl(tmp_path / "in.jsonl", ['{"id": "x"}'])
    out = tmp_path / "out.jsonl"
    _partial_run(src, out, "".join(x + "\n" for x in expected[:3]))
    result = CliRunner().invoke(app, ["batch", str(src), str(out), "--resume"])
    assert result.exit_code == 2 and "not a partial run" in result.output


def test_cli_rules_that_do_not_load_exit_3(tmp_path: Path) -> None:
    src = _write_jsonl(tmp_path / "in.jsonl", ['{"id": "x"}'])
    empty = tmp_path / "rules"
    empty.mkdir()
    result = CliRunner().invoke(app, ["batch", str(src), str(tmp_path / "out.jsonl"),
                                      "--rules", str(empty)])
    assert result.exit_code == 3


def test_cli_reads_a_csv_of_flat_patients(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text(
        "id,assessed_on,age,sex,conditions,legs.0.side,legs.0.knee.pain_nrs,"
        "legs.0.knee.pain_pattern,legs.0.knee.kl_grade,legs.1.side,history.0.treatment,"
        "history.0.weeks,history.0.response\n"
        "0001,2026-11-20,68,female,diabetes,right,6,start_up;worse_after_standing,2,left,"
        "hyaluronic_acid_injection,16,partial\n"
        "P-2,2026-11-20,sixty,male,,left,,,,,,,\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(app, ["batch", str(src), str(out), "-w", "0"])
    assert result.exit_code == 2
    first, second = (json.loads(x) for x in _lines(out))
    assert first["patient_id"] == "0001"  # an id stays text
    assert second == {"error": "input", "line": 3, "patient_id": "P-2",
                      "problems": ["age: must be a whole number (got 'sixty')"]}


# --- Dask ----------------------------------------------------------------------------------
def test_the_same_batch_on_a_local_dask_cluster(documents: list[dict[str, Any]],
                                                expected: list[str]) -> None:
    distributed = pytest.importorskip(
        "distributed", reason="dask is not installed: pip install 'careflow[dask]'")
    records: list[Any] = list(documents)
    records[6] = {"id": "P-BAD", "age": 40}
    with distributed.LocalCluster(processes=False, n_workers=2, threads_per_worker=1,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        results = list(evaluate_batch_dask(records, client, chunk_size=3))
        stopped = list(evaluate_batch_dask(records, client, fail_fast=True, chunk_size=3))
        as_json = list(evaluate_batch_dask(documents[:4], client, as_json=True, chunk_size=1))
    assert [r.line for r in results] == list(range(1, len(records) + 1))
    assert [r.ok for r in results] == [i != 6 for i in range(len(records))]
    assert results[6].error == "input" and results[6].line == 7
    assert [r.plan.model_dump_json() for r in results if r.plan] == \
        [x for i, x in enumerate(expected) if i != 6]
    assert [r.line for r in stopped] == [1, 2, 3, 4, 5, 6, 7]
    assert [r.plan_json for r in as_json] == expected[:4]
