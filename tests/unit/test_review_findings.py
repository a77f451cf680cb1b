"""Each finding of the blind reviews of the v2.1 protocol has a Japanese scenario that fails on
the v2.1 rules and passes on the shipped ones (tests/bdd/review_findings.yaml says which).

The scenarios tagged @review run in a copy of the repository whose rules/ folder is the v2.1
rule set (tests/fixtures/rules_v2_1), with today's code and step definitions; a small pytest
plugin records each scenario's outcome and whether it failed on one of its own assertions (a
clinical step), as opposed to the coverage check that a tagged rule fired, which says nothing
about the plan. The shipped rules pass every scenario in the ordinary run of tests/bdd."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
FINDINGS: list[dict[str, Any]] = yaml.safe_load(
    (ROOT / "tests" / "bdd" / "review_findings.yaml").read_text(encoding="utf-8"))["findings"]
V2_1 = ROOT / "tests" / "fixtures" / "rules_v2_1"
TAG_CHECK = "is tagged with rules that did not fire"

PLUGIN = '''
import json, os

RESULTS = {}


def pytest_collection_finish(session):
    for item in session.items:
        RESULTS[item.nodeid] = {"doc": item.obj.__doc__ or "", "failed": False,
                                "own_assertion": False, "message": ""}


def pytest_runtest_makereport(item, call):
    if call.excinfo is None:
        return
    entry = RESULTS[item.nodeid]
    entry["failed"] = True
    message = str(call.excinfo.value)
    entry["message"] = (entry["message"] + " | " + message)[-400:]
    if call.when == "call" and call.excinfo.errisinstance(AssertionError) \\
            and "{tag_check}" not in message:
        entry["own_assertion"] = True


def pytest_sessionfinish(session):
    with open(os.environ["CAREFLOW_REVIEW_REPORT"], "w", encoding="utf-8") as out:
        json.dump(RESULTS, out, ensure_ascii=False)
'''.replace("{tag_check}", TAG_CHECK)


def _title(doc: str) -> str:
    """A scenario's title from pytest-bdd's test docstring ("feature name: scenario name")."""
    return doc.split(": ", 1)[1] if ": " in doc else doc


@pytest.fixture(scope="module")
def on_v2_1(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[dict[str, Any]]]:
    """Every @review scenario run on the v2.1 rules: its runs (an outline has several), by
    title."""
    tree = tmp_path_factory.mktemp("v2_1")
    for part in ("careflow", "tests", "features"):
        shutil.copytree(ROOT / part, tree / part,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    shutil.copy(ROOT / "pyproject.toml", tree / "pyproject.toml")
    shutil.copytree(V2_1, tree / "rules")
    # v2.1 had no consent texts, which a rule set offering self-pay care now needs to load;
    # today's are added (they are what the consent form prints and decide nothing in a plan)
    shutil.copy(ROOT / "rules" / "consent.yaml", tree / "rules" / "consent.yaml")
    (tree / "_review_report.py").write_text(PLUGIN, encoding="utf-8")
    report = tree / "report.json"
    env = {**os.environ, "PYTHONPATH": str(tree), "CAREFLOW_REVIEW_REPORT": str(report)}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "tests/bdd", "-m", "review", "-q",
         "-p", "no:cacheprovider", "-p", "_review_report", "-o", "addopts=",
         "-o", "filterwarnings=ignore::pytest.PytestUnknownMarkWarning"],
        cwd=tree, env=env, capture_output=True, text=True, timeout=600, check=False)
    assert report.exists(), done.stdout[-2000:] + done.stderr[-2000:]
    runs: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for entry in json.loads(report.read_text(encoding="utf-8")).values():
        runs[_title(entry["doc"])].append(entry)
    assert runs, "no @review scenario ran on the v2.1 rules"
    return dict(runs)


def test_the_fixture_is_the_v2_1_rule_set() -> None:
    params = yaml.safe_load((V2_1 / "parameters.yaml").read_text(encoding="utf-8"))
    assert params["protocol"]["version"] == "0.2.0"


def test_every_review_scenario_belongs_to_a_finding_and_every_finding_has_one(
        on_v2_1: dict[str, list[dict[str, Any]]]) -> None:
    mapped = [title for finding in FINDINGS for title in finding["scenarios"]]
    assert all(finding["scenarios"] for finding in FINDINGS)
    assert len(mapped) == len(set(mapped)), "a scenario is listed under two findings"
    listed_only = sorted(set(mapped) - set(on_v2_1))
    tagged_only = sorted(set(on_v2_1) - set(mapped))
    assert not listed_only, f"listed but not a scenario tagged @review: {listed_only}"
    assert not tagged_only, f"tagged @review but under no finding: {tagged_only}"


@pytest.mark.parametrize("finding", [f for f in FINDINGS if f["carried_by"] == "rules"],
                         ids=lambda f: f["key"])
def test_a_finding_the_rules_carry_fails_on_the_v2_1_rules(
        finding: dict[str, Any], on_v2_1: dict[str, list[dict[str, Any]]]) -> None:
    failing = [title for title in finding["scenarios"]
               if any(run["own_assertion"] for run in on_v2_1.get(title, []))]
    assert failing, (f"{finding['key']}: no scenario fails on the v2.1 rules in its own steps: "
                     + "; ".join(f"{t}: {[r['message'][-120:] for r in on_v2_1.get(t, [])]}"
                                 for t in finding["scenarios"]))


@pytest.mark.parametrize("finding", [f for f in FINDINGS if f["carried_by"] == "code"],
                         ids=lambda f: f["key"])
def test_a_finding_the_code_carries_names_the_tests_that_hold_it(finding: dict[str, Any]) -> None:
    assert finding["tests"]
    for test in finding["tests"]:
        path, name = test.split("::")
        source = (ROOT / path).read_text(encoding="utf-8")
        assert re.search(rf"^def {re.escape(name)}\(", source, re.MULTILINE), test


def test_the_map_uses_only_known_keys() -> None:
    for finding in FINDINGS:
        assert set(finding) <= {"key", "finding", "carried_by", "scenarios", "tests"}
        assert finding["carried_by"] in ("rules", "code")
