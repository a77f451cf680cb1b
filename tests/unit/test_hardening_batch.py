"""Batch data safety (issue 14, item 7): every case ends in a clear refusal or a correct OUT,
never a traceback, gigabytes of memory, a truncated input, two protocols in one OUT or a
worker left running. OUT is written atomically (OUT.partial and its run card until the run
ends; docs/batch.md)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from careflow import evaluate, read_patient
from careflow.batch import partial_paths, read_csv
from careflow.cli import app
from careflow.errors import InputError
from careflow.model import parse_patient

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "vascular-knee-pain.yaml"


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return read_patient(EXAMPLE).model_dump(mode="json", exclude_none=True)


def _jsonl(path: Path, docs: list[Any]) -> Path:
    path.write_text("".join((d if isinstance(d, str) else json.dumps(d)) + "\n"
                            for d in docs), encoding="utf-8")
    return path


def _batch(*args: str) -> Any:
    result = CliRunner().invoke(app, ["batch", *args, "-w", "0"])
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        repr(result.exception))
    assert "Traceback" not in result.output
    return result


def test_a_lone_surrogate_in_an_id_is_an_error_record(tmp_path: Path,
                                                       document: dict[str, Any]) -> None:
    bad = json.dumps({**document, "id": "P-\udc80"})  # JSON's \udc80 escape: a lone surrogate
    src = _jsonl(tmp_path / "in.jsonl", [bad, document])
    out = tmp_path / "out.jsonl"
    result = _batch(str(src), str(out))
    assert result.exit_code == 2
    first, second = (json.loads(x) for x in out.read_text(encoding="utf-8").splitlines())
    assert first["error"] == "input" and "patient_id" not in first
    assert first["problems"][0].startswith("id: must be Unicode text (a lone surrogate")
    assert second["patient_id"] == "P-0001"


def test_out_that_is_a_directory_or_lies_under_a_file(tmp_path: Path,
                                                      document: dict[str, Any]) -> None:
    src = _jsonl(tmp_path / "in.jsonl", [document])
    folder = tmp_path / "folder"
    folder.mkdir()
    result = _batch(str(src), str(folder))
    assert result.exit_code == 2 and "OUT is a directory" in result.output
    result = _batch(str(src), str(src / "out.jsonl"))
    assert result.exit_code == 2 and "cannot write" in result.output


def test_in_and_out_the_same_file_by_a_hard_link(tmp_path: Path,
                                                 document: dict[str, Any]) -> None:
    src = _jsonl(tmp_path / "in.jsonl", [document, document])
    before = src.read_bytes()
    link = tmp_path / "link.jsonl"
    os.link(src, link)
    result = _batch(str(src), str(link))
    assert result.exit_code == 2 and "same file" in result.output
    assert src.read_bytes() == before


def test_resume_on_a_file_that_is_not_a_partial_run(tmp_path: Path,
                                                    document: dict[str, Any]) -> None:
    src = _jsonl(tmp_path / "in.jsonl", [document, document])
    unrelated = tmp_path / "notes.txt"
    unrelated.write_text("a file of the clinic's that is not careflow's\nhalf a line",
                         encoding="utf-8")
    before = unrelated.read_bytes()
    result = _batch(str(src), str(unrelated), "--resume")
    assert result.exit_code == 2 and "nothing to resume" in result.output
    assert unrelated.read_bytes() == before  # never truncated, never appended to
    partial, _card = partial_paths(unrelated)
    partial.write_text("not careflow's either\n", encoding="utf-8")
    result = _batch(str(src), str(unrelated), "--resume")
    assert result.exit_code == 2 and "no run card" in result.output
    assert partial.read_text(encoding="utf-8") == "not careflow's either\n"


def test_resume_refuses_another_protocol_or_another_input(tmp_path: Path,
                                                          document: dict[str, Any]) -> None:
    src = _jsonl(tmp_path / "in.jsonl", [document, {"id": "P-BAD"}, document])
    out = tmp_path / "out.jsonl"
    assert _batch(str(src), str(out), "--fail-fast").exit_code == 2  # stops: a partial run
    params = tmp_path / "params.yaml"
    params.write_text("review_after_weeks: 8\n", encoding="utf-8")
    result = _batch(str(src), str(out), "--resume", "--params", str(params))
    assert result.exit_code == 2 and "different protocol" in result.output
    other = _jsonl(tmp_path / "in.jsonl", [document, document, document])
    result = _batch(str(other), str(out), "--resume")
    assert result.exit_code == 2 and "different input" in result.output


def test_duplicate_ids_are_named(tmp_path: Path, document: dict[str, Any]) -> None:
    src = _jsonl(tmp_path / "in.jsonl", [document, {**document, "id": "P-2"}, document])
    result = _batch(str(src), str(tmp_path / "out.jsonl"))
    assert result.exit_code == 0
    assert "1 id appear on more than one record: P-0001 (lines 1, 3)" in result.output


HEADER = "id,assessed_on,age,sex,legs.0.side,legs.0.knee.pain_nrs"
ROW = "P-1,2026-11-20,68,female,right,5"


@pytest.mark.parametrize("text, fragment", [
    ("id,age,age.x,legs.0.side\nP-1,1,2,right\n", "columns 'age' and 'age.x' conflict"),
    ("id,legs.0.side,legs.x.side\nP-1,right,left\n", "both numbered and named columns"),
    ("id,legs.999999999.side\nP-1,right\n", "indexes a list at 999999999"),
    ("id,age,age\nP-1,1,2\n", "column 'age' appears twice"),
    (f"{HEADER}\n{ROW},extra\n", "line 2: has 7 cells but the header names 6 columns"),
    (f"{HEADER}\nP-1,2026-11-20,68,female,right,\"{'x' * 140_000}\"\n", "not valid CSV"),
])
def test_csv_shapes_that_cannot_be_trusted(tmp_path: Path, text: str, fragment: str) -> None:
    src = tmp_path / "in.csv"
    src.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        list(read_csv(src))
    assert fragment in str(caught.value)
    result = _batch(str(src), str(tmp_path / "out.jsonl"))
    assert result.exit_code == 2 and fragment in result.output
    assert not (tmp_path / "out.jsonl").exists()


def test_csv_that_is_not_utf8(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_bytes(f"{HEADER}\n{ROW}\n".encode() + b"P-2,2026-11-20,\xff\xfe,male,left,3\n")
    result = _batch(str(src), str(tmp_path / "out.jsonl"))
    assert result.exit_code == 2 and "not UTF-8 text" in result.output


def _children(pid: int) -> set[int]:
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads /proc to find the workers")
def test_sigterm_reaps_the_workers_and_resume_finishes_the_same_out(
        tmp_path: Path, document: dict[str, Any]) -> None:
    docs = [{**document, "id": f"P-{i:04d}", "age": 40 + i % 40} for i in range(600)]
    src = _jsonl(tmp_path / "in.jsonl", docs)
    out = tmp_path / "out.jsonl"
    proc = subprocess.Popen([sys.executable, "-m", "careflow.cli", "batch", str(src), str(out),
                             "-w", "2", "--no-progress"], stderr=subprocess.PIPE, text=True)
    partial, card = partial_paths(out)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        if partial.exists() and partial.stat().st_size > 0 and len(_children(proc.pid)) >= 2:
            break
        time.sleep(0.05)
    workers = _children(proc.pid)
    assert proc.poll() is None and workers, "the batch ended before it could be stopped"
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 143, err
    assert "Traceback" not in err and "--resume" in err
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and any(Path(f"/proc/{w}").exists() for w in workers):
        time.sleep(0.1)
    assert not any(Path(f"/proc/{w}/stat").exists()
                   and Path(f"/proc/{w}/stat").read_text().split()[2] != "Z" for w in workers)
    assert not out.exists() and partial.exists() and card.exists()
    done = subprocess.run([sys.executable, "-m", "careflow.cli", "batch", str(src), str(out),
                           "--resume", "-w", "2", "--no-progress"], capture_output=True,
                          text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(docs)
    for i in (0, 1, len(docs) // 2, len(docs) - 1):
        assert lines[i] == evaluate(parse_patient(docs[i])).model_dump_json()
    assert [json.loads(x)["patient_id"] for x in lines] == [d["id"] for d in docs]
