"""Bad patient input is refused with exit code 2 and a message naming the field or the line,
never a traceback and never a plan built on a guess (docs/patient.md#bad-input; issue 4, item 1).

The corpus is tests/fixtures/bad_patients/: one malformed document per file, its first line
`# expect: FRAGMENT` (the text the refusal must contain), its second line what is wrong.
Files that cannot carry a comment (the empty file) are listed in EXPECT_WITHOUT_COMMENT.
Documents too big to keep in the repository are made here, in tmp_path.
"""

from __future__ import annotations

import copy
import json
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, note
from hypothesis import strategies as st
from typer.testing import CliRunner

from careflow.cli import app
from careflow.yamlsrc import MAX_BYTES

from .gen_patients import examples, patients

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "bad_patients"
EXPECT_WITHOUT_COMMENT = {"empty.yaml": "got empty"}
EXPECT = "# expect: "


def _corpus() -> list[tuple[str, str]]:
    out = []
    for path in sorted(CORPUS.glob("*.yaml")):
        first = path.read_bytes().split(b"\n", 1)[0].decode("utf-8", "replace")
        if first.startswith(EXPECT):
            out.append((path.name, first[len(EXPECT):].strip()))
        else:
            out.append((path.name, EXPECT_WITHOUT_COMMENT.get(path.name, "")))
    return out


CASES = _corpus()


def _plan(path: Path, *args: str) -> Any:
    return CliRunner().invoke(app, ["plan", str(path), *args])


def _refused(result: Any, path: Path, fragment: str) -> None:
    out = result.output
    assert "Traceback" not in out
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"{path.name}: {result.exception!r}")
    assert result.exit_code == 2, f"{path.name}: exit {result.exit_code}\n{out}"
    assert fragment in out, f"{path.name}: expected {fragment!r} in\n{out}"
    lines = [line for line in out.splitlines() if line.strip()]
    assert lines and all(line.startswith(f"{path}: ") for line in lines), out


def test_the_corpus_covers_the_issue() -> None:
    names = {name for name, _ in CASES}
    assert len(names) >= 60
    assert all(fragment for _, fragment in CASES), "every bad document says what to expect"
    # the kinds the issue names, by file
    for required in ("empty.yaml", "unclosed_flow.yaml", "list_document.yaml",
                     "deeply_nested_lists.yaml", "python_object_apply.yaml",
                     "anchor_alias.yaml", "duplicate_side.yaml", "unknown_top_field.yaml",
                     "condition_unknown.yaml", "history_unknown_treatment.yaml",
                     "date_impossible.yaml"):
        assert required in names


@pytest.mark.parametrize(("name", "fragment"), CASES, ids=[name for name, _ in CASES])
def test_a_bad_document_is_refused_with_the_field_or_line(name: str, fragment: str) -> None:
    path = CORPUS / name
    _refused(_plan(path), path, fragment)


@pytest.mark.parametrize("name", ["empty.yaml", "python_object_apply.yaml", "not_utf8.yaml",
                                  "deeply_nested_lists.yaml", "billion_laughs.yaml",
                                  "id_control_characters.yaml"])
def test_the_installed_command_refuses_it_too(name: str) -> None:
    """The real process: exit status, stderr, nothing on stdout, no traceback."""
    path = CORPUS / name
    fragment = dict(CASES)[name]
    proc = subprocess.run([sys.executable, "-m", "careflow.cli", "plan", str(path)],
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 2, proc.stderr
    assert proc.stdout == ""
    assert fragment in proc.stderr
    assert "Traceback" not in proc.stderr


def test_a_tag_that_would_run_code_runs_nothing(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    doc = tmp_path / "evil.yaml"
    doc.write_text(f"id: !!python/object/apply:os.system ['touch {marker}']\nage: 60\n")
    proc = subprocess.run([sys.executable, "-m", "careflow.cli", "plan", str(doc)],
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 2
    assert not marker.exists()


def test_a_document_over_the_size_limit_is_refused_unread(tmp_path: Path) -> None:
    doc = tmp_path / "huge.yaml"
    filler = "".join(f"# padding line {i:07d} of a document that is far too big\n"
                     for i in range(MAX_BYTES // 50 + 1))
    doc.write_text(filler + "id: BIG\n")
    assert doc.stat().st_size > MAX_BYTES
    _refused(_plan(doc), doc, "larger than 1000000 bytes")


def test_a_huge_single_line_is_refused(tmp_path: Path) -> None:
    doc = tmp_path / "line.yaml"
    doc.write_text("id: " + "x" * (MAX_BYTES + 10) + "\n")
    _refused(_plan(doc), doc, "larger than 1000000 bytes")


def test_many_bad_items_give_a_bounded_report(tmp_path: Path) -> None:
    """A large document of bad items is reported by its first problems and a count (no
    flood of lines, no time quadratic in the number of problems)."""
    doc = tmp_path / "many.yaml"
    bad = ", ".join(["not_a_condition"] * 20_000)
    doc.write_text("id: MANY\nassessed_on: 2026-11-20\nage: 60\nsex: male\n"
                   f"legs: [{{side: right}}]\nconditions: [{bad}]\n")
    result = _plan(doc)
    _refused(result, doc, "conditions[0]: must be one of")
    lines = result.output.strip().splitlines()
    assert len(lines) <= 51
    assert lines[-1].endswith("19950 more problems not shown")


def test_an_unreadable_path_is_refused(tmp_path: Path) -> None:
    _refused(_plan(tmp_path / "missing.yaml"), tmp_path / "missing.yaml", "cannot read file")
    _refused(_plan(tmp_path), tmp_path, "cannot read file")


# --- generated mutations of valid patients ------------------------------------------------
JUNK = st.recursive(
    st.one_of(
        st.none(), st.booleans(), st.integers(-10**20, 10**20),
        st.floats(allow_nan=True, allow_infinity=True),
        st.sampled_from([5e-324, 1e-05, 1e16, -0.0, 0.1, 499.9999999999, 2.0000001]),
        st.text(max_size=20),
        st.sampled_from(["", "yes", "no", "1:20", "010", "0x1F", "2026-02-30", "right", "left",
                         "female", "diabetes", "exercise_therapy", "none", "\x1b[2J", "NaN"]),
    ),
    lambda inner: st.one_of(st.lists(inner, max_size=3),
                            st.dictionaries(st.text(max_size=8), inner, max_size=3)),
    max_leaves=6,
)


def _paths(doc: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if isinstance(doc, dict):
        for key, value in doc.items():
            yield (*prefix, key)
            yield from _paths(value, (*prefix, key))
    elif isinstance(doc, list):
        for i, value in enumerate(doc):
            yield (*prefix, i)
            yield from _paths(value, (*prefix, i))


def _parent(doc: Any, path: tuple[Any, ...]) -> Any:
    for part in path[:-1]:
        doc = doc[part]
    return doc


def _retype(value: Any) -> Any:
    """The same content in the wrong type, as a careless form would send it."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return value[0] if value else {}
    if isinstance(value, dict):
        return list(value.values())
    return 0


@st.composite
def mutated(draw: st.DrawFn) -> tuple[dict[str, Any], list[str]]:
    doc = copy.deepcopy(draw(patients()))  # never mutate what hypothesis may hand out again
    done = []
    for _ in range(draw(st.integers(1, 3))):
        paths = list(_paths(doc))
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent, key = _parent(doc, path), path[-1]
        how = draw(st.sampled_from(["drop", "replace", "retype", "add"]))
        if how == "drop":
            del parent[key]
        elif how == "replace":
            parent[key] = draw(JUNK)
        elif how == "retype":
            parent[key] = _retype(parent[key])
        elif isinstance(parent, dict):
            parent[draw(st.text(min_size=1, max_size=12))] = draw(JUNK)
        else:
            parent.append(draw(JUNK))
        done.append(f"{how} {'.'.join(map(str, path))}")
    return doc, done


@pytest.fixture(scope="module")
def scratch() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as folder:
        yield Path(folder)


@examples()
@given(case=mutated(), as_json=st.booleans())
def test_a_mutated_patient_never_crashes_the_command(scratch: Path, case: Any,
                                                     as_json: bool) -> None:
    doc, done = case
    text = (json.dumps(doc) if as_json
            else yaml.safe_dump(doc, sort_keys=False, allow_unicode=True))
    path = scratch / ("patient.json" if as_json else "patient.yaml")
    path.write_text(text, encoding="utf-8")
    note(f"mutations: {done}\n{text}")
    result = _plan(path, "--format", "json")
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        repr(result.exception))
    assert result.exit_code in (0, 2), result.output
    if result.exit_code == 0:
        plan = json.loads(result.stdout)
        assert plan["items"] is not None
    else:
        lines = [line for line in result.output.splitlines() if line.strip()]
        assert lines and all(line.startswith(f"{path}: ") and len(line) > len(f"{path}: ")
                             for line in lines), result.output
