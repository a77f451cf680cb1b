"""The worked examples in examples/: each plan must read exactly as its reviewed summary in
examples/expected/ (one line per item: side, action, status, why, urgency, detail, with its
precautions, disclosures, checked and unchecked; the questions not asked; the treatments
considered). After a deliberate protocol change, regenerate with CAREFLOW_UPDATE_EXAMPLES=1 and
review the diff."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from careflow import Plan, evaluate, read_patient

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
CASES = sorted(EXAMPLES.glob("*.yaml"))


def summary(plan: Plan) -> str:
    """One line per item (side, action, status, why, urgency, detail), with its precautions,
    disclosures, the contraindication rules checked and the facts not checked under it; the
    questions not asked at the top and the treatments considered at the end."""
    lines = [f"# {plan.patient_id}: review after {plan.review_after_weeks} weeks"]
    if plan.questions_open:
        lines.append(f"# questions not asked: {', '.join(plan.questions_open)}")
    for i in plan.items:
        why = f" ({i.reason_code})" if i.reason_code else ""
        urgency = f" [{i.urgency}]" if i.urgency else ""
        detail = "".join(f" {k}={v}" for k, v in i.detail.items())
        lines.append(f"{i.side or 'patient'}: {i.action} {i.status}{why}{urgency}{detail}")
        if i.precautions:
            lines.append(f"    precautions: {', '.join(i.precautions)}")
        if i.disclosures:
            lines.append(f"    disclosures: {', '.join(i.disclosures)}")
        if i.checked:
            lines.append(f"    checked: {', '.join(dict.fromkeys(c.rule for c in i.checked))}")
        if i.unchecked:
            lines.append("    unchecked: " + ", ".join(dict.fromkeys(
                f"{c.rule} ({c.fact})" for c in i.unchecked)))
    for c in plan.considered:
        missing = [f"{u.fact} {u.needs}" for u in c.unmet] + [f"{f} unknown" for f in c.unknown]
        lines.append(f"considered {c.side or 'patient'}: {c.action} ({c.rule}): "
                     + "; ".join(missing))
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
