"""Feature tags become pytest markers: register every rule id and area so that
--strict-markers still catches a misspelt tag."""

from __future__ import annotations

from typing import Any

from careflow.rulebook import default_rulebook

AREAS = ("safety", "assessment", "knee", "veins", "self_pay", "advice", "follow_up", "findings")


def pytest_configure(config: Any) -> None:
    for rule_id in default_rulebook().rules:
        config.addinivalue_line("markers", f"{rule_id}: scenario exercises rule {rule_id}")
    for area in AREAS:
        config.addinivalue_line("markers", f"{area}: feature area {area}")
    config.addinivalue_line("markers", "review: a scenario that answers a finding of the "
                                       "specialists' blind review (docs/protocol.md#v3)")
