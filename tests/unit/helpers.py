"""Small builders shared by unit tests."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from careflow import Patient, parse_patient

RULES = Path(__file__).resolve().parents[2] / "rules"


def patient(**overrides: Any) -> Patient:
    doc: dict[str, Any] = {
        "id": "P-UNIT", "assessed_on": "2026-11-20", "age": 60, "sex": "female",
        "pregnant": False, "conditions": [], "allergies": [], "medications": [],
        "legs": [{"side": "right"}],
    }
    doc.update(overrides)
    for name in ("conditions", "allergies", "medications"):  # None: that list not asked
        if doc.get(name, ()) is None:
            del doc[name]
    return parse_patient(doc)


def write_rules(folder: Path, rules: list[dict[str, Any]], *, area: str = "test",
                parameters: dict[str, Any] | None = None,
                evidence: dict[str, Any] | None = None,
                define: dict[str, Any] | None = None) -> Path:
    """A minimal rules folder: parameters.yaml, evidence.yaml and one area file."""
    folder.mkdir(parents=True, exist_ok=True)
    params = parameters if parameters is not None else {
        "review_after_weeks": {"value": 12, "source": "test", "verification": "U"}}
    (folder / "parameters.yaml").write_text(yaml.safe_dump(
        {"protocol": {"name": "test", "version": "1"}, "parameters": params}))
    ev = evidence if evidence is not None else {
        "EV": {"source": "a test source", "grade": "none", "verification": "U"}}
    (folder / "evidence.yaml").write_text(yaml.safe_dump({"evidence": ev}))
    doc: dict[str, Any] = {"area": area, **({"define": define} if define else {}),
                           "rules": rules}
    (folder / f"{area}.yaml").write_text(yaml.safe_dump(doc, sort_keys=False))
    return folder


def run_pasted_scenarios(folder: Path, text: str) -> subprocess.CompletedProcess[str]:
    """Scenarios as a doctor would paste them into a feature file (a counterexample's, a
    boundary's), run by pytest in a child process with the feature files' own steps and
    scenario checks; the result, with `-rA` lines naming each scenario."""
    root = RULES.parent
    (folder / "features").mkdir(parents=True)
    (folder / "features" / "pasted.feature").write_text(
        "# language: ja\n機能: 貼り付け\n\n  ルール: 貼り付け\n\n" + text, encoding="utf-8")
    (folder / "pytest.ini").write_text(
        f"[pytest]\nbdd_features_base_dir = {folder / 'features'}\n", encoding="utf-8")
    (folder / "conftest.py").write_text(
        "from tests.bdd.conftest import *  # noqa: F403\n"
        "from tests.bdd.conftest import pytest_bdd_after_scenario  # noqa: F401\n",
        encoding="utf-8")
    (folder / "test_pasted.py").write_text(
        "from pytest_bdd import scenarios\n\nscenarios('pasted.feature')\n", encoding="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-c",
         str(folder / "pytest.ini"), str(folder / "test_pasted.py"), "-rA"],
        capture_output=True, text=True, cwd=root, check=False,
        env={**os.environ, "PYTHONPATH": str(root)})
