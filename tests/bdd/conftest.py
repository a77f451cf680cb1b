"""pytest-bdd wiring: the shared steps, and the check that every rule a scenario is tagged
with really fired while it ran (the tags are the coverage `careflow check` counts)."""

from __future__ import annotations

from typing import Any

import pytest

from careflow.rulebook import default_rulebook

from .steps_common import *  # noqa: F403 - step definitions are found by import
from .steps_plan import *  # noqa: F403

STEP_FAILED = pytest.StashKey[bool]()


def pytest_bdd_step_error(request: Any, feature: Any, scenario: Any, step: Any,
                          step_func: Any, step_func_args: Any, exception: Exception) -> None:
    """A step failed: its error is the scenario's, not the coverage check's below."""
    request.node.stash[STEP_FAILED] = True


def pytest_bdd_after_scenario(request: Any, feature: Any, scenario: Any) -> None:
    """Tags on the feature, its Rule (ルール), the scenario and an Examples block (例) all
    become markers of the test: every rule id among them must have fired in this run of the
    scenario. Not checked after a failed step (pytest-bdd calls this hook in a `finally`, and
    an error raised here would hide the step's own)."""
    if request.node.stash.get(STEP_FAILED, False):
        return
    world = request.getfixturevalue("world")
    rule_ids = set(default_rulebook().rules)
    tagged = {m.name for m in request.node.iter_markers() if m.name in rule_ids}
    missing = tagged - world.fired
    assert not missing, (f"'{request.node.name}' is tagged with rules that did not fire: "
                         f"{sorted(missing)}")
