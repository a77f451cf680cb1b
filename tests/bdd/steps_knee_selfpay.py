"""Extra step definitions for this area (shared ones live in steps_common.py)."""

from __future__ import annotations

from typing import Any

from pytest_bdd import given, parsers, then

from . import glossary as g

PRONOUN = r"(?:she|he|the patient)"


@given(parsers.re(PRONOUN + r" had (?P<treatment>endovenous thermal ablation|cyanoacrylate glue "
                  r"closure) of the (?P<side>right|left) leg (?P<weeks>\d+) weeks ago with "
                  r"(?P<response>no response|a partial response|a good response)$"))
def vein_treatment_done(world: Any, treatment: str, side: str, weeks: str,
                        response: str) -> None:
    """A one-off vein procedure: `weeks` is the time since it was done."""
    world.doc.setdefault("history", []).append({
        "treatment": g.lookup(g.TREATMENTS, treatment, "treatment"), "side": side,
        "weeks": int(weeks), "response": g.RESPONSES[response]})


@then(parsers.re(r"its target BMI is (?P<value>.+)$"))
def target_bmi(world: Any, value: str) -> None:
    """`22-25` for the frailty target from age 65; `not set` when the diet has none."""
    item = world.item
    assert item is not None, "no item was named before this step"
    actual = item.detail.get("target_bmi")
    expected = None if value.strip() == "not set" else value.strip()
    assert actual == expected, f"{item.action}: target BMI is {actual}, not {expected}"
