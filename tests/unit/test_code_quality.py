"""Strict tooling: ruff on the code, mypy --strict on careflow/ (and the command's entry,
careflow_entry.py), tests/ and benchmarks/."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True,
                          text=True, check=False)


@pytest.mark.skipif(shutil.which("ruff") is None and bool(_run("ruff", "--version").returncode),
                    reason="ruff is not installed (pip install -e '.[test]')")
def test_ruff_is_clean_on_careflow() -> None:
    done = _run("ruff", "check", "careflow", "careflow_entry.py", "benchmarks", "tests")
    assert done.returncode == 0, done.stdout + done.stderr


TYPED_TREES = ("careflow", "careflow_entry.py", "tests", "benchmarks")


def test_mypy_strict_is_clean_on_the_library_its_tests_and_benchmarks() -> None:
    """One mypy run over the three trees, named on the command line and with --strict, so a
    change to pyproject's [tool.mypy] cannot quietly narrow what is checked."""
    pytest.importorskip("mypy", reason="mypy is not installed (pip install -e '.[test]')")
    done = _run("mypy", "--strict", *TYPED_TREES)
    assert done.returncode == 0, done.stdout + done.stderr
    checked = re.search(r"no issues found in (\d+) source files", done.stdout)
    assert checked, done.stdout
    expected = sum(1 if (ROOT / tree).is_file() else len(list((ROOT / tree).rglob("*.py")))
                   for tree in TYPED_TREES)
    assert int(checked[1]) == expected, (done.stdout, expected)


ENGINE_WORDS = re.compile(
    r"\bdurable(_rules_engine)?\b|import durable|\"\$(lt|lte|gt|gte|neq|ex|nex|and|or|all|any|"
    r"mt|imt|iall|iany)\"|\b(set_rulesets|assert_facts|assert_fact|start_action_for_state|"
    r"complete_and_start_action|abandon_action|delete_state|get_ruleset)\b|\"pri\"|\"run\":")


def test_only_the_adapter_knows_the_engine() -> None:
    """Replacing the engine must touch only careflow/_engine.py: no other module imports
    durable-rules or spells its operators, its calls or its rule-definition keys (a mention
    of the engine by name in prose is allowed: "durable-rules")."""
    offenders = []
    for path in sorted((ROOT / "careflow").rglob("*.py")):
        if path.name == "_engine.py":
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            code = line.split("#", 1)[0]
            if ENGINE_WORDS.search(code.replace("durable-rules", "")):
                offenders.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()}")
    assert not offenders, "\n".join(offenders)


def test_the_engine_words_test_can_fail() -> None:
    for line in ('import durable_rules_engine as core', '{"$lt": {"k1": 3}}',
                 'host.set_rulesets(x)', '{"all": [], "pri": 3}'):
        assert ENGINE_WORDS.search(line), line


OUTSIDE = re.compile(r"\.\./shared|shared/(design|protocol|seeds)|\bcontract (section )?[0-9]"
                     r"|(?i:clinical[- ]reference)|\bcontract\.md")
CITED = re.compile(r"docs/([a-z0-9_-]+\.md)(?:#([a-z0-9-]+))?")


def _project_text() -> list[tuple[Path, str]]:
    paths = [p for folder in ("careflow", "rules", "features", "tests", "benchmarks")
             for p in sorted((ROOT / folder).rglob("*"))
             if p.suffix in (".py", ".yaml", ".feature", ".md") and "fixtures" not in p.parts]
    return [(p, p.read_text(encoding="utf-8")) for p in paths]


def test_no_comment_points_outside_the_repository() -> None:
    """Every "why" can be followed from a clone: comments, rule notes and features cite
    docs/, never the design folder beside the repository or its section numbers."""
    found = [f"{p.relative_to(ROOT)}:{n}: {line.strip()}" for p, text in _project_text()
             for n, line in enumerate(text.splitlines(), 1) if OUTSIDE.search(line)]
    assert not found, "\n".join(found)


def test_every_cited_doc_and_section_exists() -> None:
    def anchors(doc: Path) -> set[str]:
        heads = re.findall(r"^#+\s+(.+)$", doc.read_text(encoding="utf-8"), re.M)
        return {re.sub(r"[^a-z0-9 -]", "", h.lower()).strip().replace(" ", "-") for h in heads}

    missing = []
    for p, text in _project_text():
        for name, anchor in CITED.findall(text):
            doc = ROOT / "docs" / name
            if not doc.is_file() or (anchor and anchor not in anchors(doc)):
                missing.append(f"{p.relative_to(ROOT)}: docs/{name}#{anchor}")
    assert not missing, "\n".join(sorted(set(missing)))
