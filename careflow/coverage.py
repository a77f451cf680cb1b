"""Rule coverage by the feature files: every rule must be tagged on at least one scenario.

The tags are confirmed at test time: tests/bdd checks that each scenario's tagged rules really
fired while it ran (tests/bdd/conftest.py).
"""

from __future__ import annotations

import re
from pathlib import Path

from .rulebook import Rulebook

TAG = re.compile(r"@([A-Z][A-Z0-9_]+)")


def default_features_dir() -> Path | None:
    here = Path(__file__).resolve().parent
    for candidate in (here / "features", here.parent / "features"):
        if candidate.is_dir():
            return candidate
    return None


def scenario_tags(features: Path) -> dict[str, list[str]]:
    """Rule id -> the feature files:lines whose tags name it."""
    found: dict[str, list[str]] = {}
    for path in sorted(features.rglob("*.feature")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip().startswith("@"):
                for tag in TAG.findall(line):
                    found.setdefault(tag, []).append(f"{path.name}:{n}")
    return found


def uncovered(book: Rulebook, features: Path | None = None) -> list[str]:
    folder = features or default_features_dir()
    if folder is None:
        return ["no features folder found: rule coverage cannot be checked"]
    tags = scenario_tags(folder)
    problems = []
    for rule_id, rule in sorted(book.rules.items()):
        if rule_id not in tags:
            w = rule.rule.where
            problems.append(f"{w.file}:{w.line}:{w.column} CF401 rule {rule_id} is exercised by "
                            "no feature scenario (tag a scenario with @" + rule_id + ")")
    for tag, places in sorted(tags.items()):
        if tag not in book.rules and "_" in tag and tag.isupper():
            problems.append(f"{places[0]} CF402 scenario tag @{tag} names no rule")
    return problems
