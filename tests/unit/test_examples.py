"""The worked examples in examples/: each plan must read exactly as its reviewed summary in
examples/expected/ (one line per item: side, action, status, why, detail). After a deliberate
protocol change, regenerate with CAREFLOW_UPDATE_EXAMPLES=1 and review the diff."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from careflow import Plan, evaluate, read_patient

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
CASES = sorted(EXAMPLES.glob("*.yaml"))


def summary(plan: Plan) -> str:
    lines = [f"# {plan.patient_id}: review after {plan.review_after_weeks} weeks"]
    for i in plan.items:
        why = f" ({i.reason_code}{', ' + i.urgency if i.urgency else ''})" if i.reason_code else ""
        detail = "".join(f" {k}={v}" for k, v in i.detail.items())
        lines.append(f"{i.side or 'patient'}: {i.action} {i.status}{why}{detail}")
    return "\n".join(lines) + "\n"


def test_there_are_worked_examples_across_the_tracks() -> None:
    assert len(CASES) >= 6


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_example_plan_matches_its_reviewed_summary(case: Path) -> None:
    plan = evaluate(read_patient(case))
    expected = EXAMPLES / "expected" / f"{case.stem}.txt"
    got = summary(plan)
    if os.environ.get("CAREFLOW_UPDATE_EXAMPLES"):
        expected.write_text(got, encoding="utf-8")
    assert expected.is_file(), f"no reviewed summary for {case.name}"
    assert got == expected.read_text(encoding="utf-8")
    for item in plan.items:
        assert item.rule and item.reasons
