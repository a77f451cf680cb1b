"""Extra step definitions for the safety gate and assessment features (shared ones live in
steps_common.py)."""

from __future__ import annotations

from pytest_bdd import parsers, then

from . import glossary as g
from .steps_common import FOR, World, _describe, _side_of


@then(parsers.re(r"a referral for (?P<reason>.+?) is not made" + FOR + "$"))
def no_referral_for(world: World, reason: str, side: str) -> None:
    """The other side of a red-flag threshold: no referral for this reason (another may be)."""
    where, code = _side_of(side), g.reason_code(reason)
    made = [i for i in world.plan.items if i.action == "referral" and i.side == where and (
        i.reason_code == code or code in {o.reason_code for o in i.other_rules})]
    assert not made, f"a referral for {code} is made for {where}:\n{_describe(world)}"
    world.item = None


@then(parsers.re(r"its reasons include that (?:she|he|the patient) has (?P<condition>[^:]+)$"))
def reason_condition(world: World, condition: str) -> None:
    """A whole-patient flag's reason: `its reasons include that he has sepsis`."""
    item = world.item
    assert item is not None, "no item was named before this step"
    code = g.lookup(g.CONDITIONS, condition, "condition")
    assert any(r.fact == f"conditions.{code}" and r.value is True for r in item.reasons), (
        f"{item.action}: no reason {code}; reasons are {[(r.fact, r.value) for r in item.reasons]}")
