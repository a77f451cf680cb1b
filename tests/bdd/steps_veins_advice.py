"""Extra steps for the vein track, lifestyle advice and follow-up (features/veins.feature,
advice.feature, follow_up.feature). Shared steps live in steps_common.py; these add:

- what a reason names (a condition, an allergy, pregnancy, a preference);
- what set a stocking's pressure or its coverage (the annotating rule's reasons);
- a leg's whole vein track, or its next steps, as a table (nothing more, nothing less);
- that a contraindicated stocking carries no pressure.
"""

from __future__ import annotations

from typing import Any

from pytest_bdd import parsers, then

from careflow.plan import Item, Reason
from careflow.rulebook import default_rulebook

from . import glossary as g
from .steps_common import World, _same


# --- reasons -------------------------------------------------------------------------------
def _named_fact(what: str) -> tuple[str, Any]:
    """A clinical phrase -> the (fact, value) a reason shows for it."""
    what = what.strip()
    if what in g.CONDITIONS:
        return f"conditions.{g.CONDITIONS[what]}", True
    if what.startswith("an allergy to "):
        allergen = what.removeprefix("an allergy to ")
        return f"allergies.{g.lookup(g.ALLERGIES, allergen, 'allergen')}", True
    if what == "pregnancy":
        return "pregnant", True
    if what == "a preference for treatment without heat":
        return "preferences.prefers_non_thermal", True
    raise AssertionError(f"unknown reason phrase {what!r}: use a condition "
                         f"({sorted(g.CONDITIONS)}), 'an allergy to ...', 'pregnancy' or "
                         "'a preference for treatment without heat'")


@then(parsers.re(r"its reasons name (?P<what>.+)$"))
def reasons_name(world: World, what: str) -> None:
    item = world.item
    assert item is not None, "no item was named before this step"
    fact, value = _named_fact(what)
    assert any(r.fact == fact and r.value == value for r in item.reasons), (
        f"{item.action}: no reason {fact} = {value}; reasons are "
        f"{[(r.fact, r.value) for r in item.reasons]}")


def _shows(reason: Reason, side: str | None, fact: str, value: str) -> bool:
    """Does a reason show `fact` (a glossary phrase) with `value`? As the shared step reads it."""
    if fact in g.LEG_FACTS:
        path = f"legs.{side}.{g.LEG_FACTS[fact]}"
    else:
        path = g.lookup(g.PATIENT_FACTS, fact, "fact")
    shown = reason.value if not isinstance(reason.value, list) else ", ".join(reason.value)
    return reason.fact == path and _same(shown, value)


_SETS = {"pressure": lambda out: any(k == "pressure_mmhg" for k, _ in out.detail),
         "coverage": lambda out: out.coverage is not None}


@then(parsers.re(r"the (?P<what>pressure|coverage) is set by (?:the )?(?P<fact>.+) of "
                 r"(?P<value>.+)$"))
def set_by(world: World, what: str, fact: str, value: str) -> None:
    item = world.item
    assert item is not None, "no item was named before this step"
    book = default_rulebook()
    setters = [c for c in item.other_rules if c.effect == "annotate"
               and any(_SETS[what](o) for o in book.rules[c.rule].rule.outputs)]
    assert setters, f"nothing set the {what} of {item.action}"
    assert any(_shows(r, item.side, fact, value) for c in setters for r in c.reasons), (
        f"the {what} of {item.action} was set by {[c.rule for c in setters]} with reasons "
        f"{[(r.fact, r.value) for c in setters for r in c.reasons]}, not {fact} = {value}")


@then(parsers.re(r"no stocking pressure is prescribed$"))
def no_pressure(world: World) -> None:
    item = world.item
    assert item is not None and item.action == "compression_stockings", (
        "name the compression stockings before this step")
    assert "pressure_mmhg" not in item.detail, (
        f"stockings that are {item.status} carry {item.detail['pressure_mmhg']} mmHg")


# --- a leg's items as a table ----------------------------------------------------------------
def _table(rows: list[list[str]]) -> dict[str, str]:
    wanted: dict[str, str] = {}
    for row in rows:
        action, status = row[0].strip(), row[1].strip()
        wanted[g.action_code(action)] = g.STATUS_WORDS[status]
    return wanted


def _show(items: list[Item]) -> str:
    return ", ".join(f"{i.action} {i.status} ({i.rule})" for i in items) or "nothing"


@then(parsers.re(r"the (?P<side>right|left) leg's vein track is:$"))
def vein_track(world: World, side: str, datatable: list[list[str]]) -> None:
    items = [i for i in world.plan.items if i.side == side and i.track == "vein"]
    got = {i.action: i.status for i in items}
    assert got == _table(datatable), f"the {side} leg's vein track is: {_show(items)}"


@then(parsers.re(r"the (?P<side>right|left) leg has nothing on the vein track$"))
def no_vein_track(world: World, side: str) -> None:
    items = [i for i in world.plan.items if i.side == side and i.track == "vein"]
    assert not items, f"the {side} leg's vein track is: {_show(items)}"


@then(parsers.re(r"the next steps for the (?P<side>right|left) leg are:$"))
def next_steps(world: World, side: str, datatable: list[list[str]]) -> None:
    items = [i for i in world.plan.items if i.side == side and i.status == "next_step"]
    got = {i.action: i.status for i in items}
    assert got == _table(datatable), f"the {side} leg's next steps are: {_show(items)}"


@then(parsers.re(r"the (?P<side>right|left) leg has no next steps$"))
def no_next_steps(world: World, side: str) -> None:
    items = [i for i in world.plan.items if i.side == side and i.status == "next_step"]
    assert not items, f"the {side} leg's next steps are: {_show(items)}"
