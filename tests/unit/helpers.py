"""Small builders shared by unit tests."""

from __future__ import annotations

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
