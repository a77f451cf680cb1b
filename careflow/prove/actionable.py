"""The actionable facts: `rules/actionable.yaml`, the facts a why-not answer may change
(docs/why-not.md), read with file:line diagnostics like the rule files and checked by
`careflow check` without the solver.

Each declaration names one way a fact may move, with the words of the suggestion:

- `course: TREATMENT`, `change: continues`, `at_most: WEEKS`: the treatment goes on for up
  to that many more weeks without a good response (its weeks may only grow); words with
  `{more}` (the weeks added) and `{total}`;
- `fact: FACT`, `change: becomes_known`: a value not yet measured (unknown) may become any
  value the patient model allows; a known value stays as it is; words with `{condition}`
  (the values that would do, with `unit`), and `ja_any`/`en_any` when any value would;
- `fact: FACT`, `change: falls`, `at_most: AMOUNT`: a number may fall by at most that much
  (the BMI in the long term); words with `{value}` and `{less}`.

Everything not declared is fixed, and the safety facts (`SAFETY_FACTS`) can never be
declared: a red flag, pregnancy, age, sex, an allergy, a condition, a medication, a DVT.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import vocabulary as v
from ..errors import Diagnostic, RulebookError
from ..facts import FACTS
from ..rulebook.parse import suggest
from ..yamlsrc import Marked, MarkedList
from .special import read_special

FILE = "actionable.yaml"
CHANGES = ("continues", "becomes_known", "falls")
KEYS = ("course", "fact", "change", "at_most", "unit", "ja", "en", "ja_any", "en_any", "note")
PLACEHOLDERS = {"continues": ("more", "total"), "becomes_known": ("condition",),
                "falls": ("value", "less")}
SAFETY_FACTS = frozenset({
    "age", "sex", "pregnant", "conditions.asked", "allergies.asked", "medications.asked",
    "acute_ischemia_signs", "ischemic_rest_pain", "arterial_ulcer_or_gangrene", "wells_score",
    "knee.hot_swollen_joint", "knee.recent_trauma", "knee.cannot_bear_weight",
    "knee.ottawa_positive", "knee.fracture_excluded", "knee.septic_arthritis_excluded",
    "veins.bleeding", "veins.superficial_thrombophlebitis", "veins.svt_length_cm",
    "veins.svt_junction_distance_cm", "veins.svt_days", "duplex.dvt",
})
"""Facts a why-not answer never changes: the red flags and what rules them out, pregnancy,
age, sex, a superficial or deep vein thrombosis; with every condition, allergy and
medication (`SAFETY_PREFIXES`)."""
SAFETY_PREFIXES = ("condition.", "allergy.", "medication.")
COURSE_FACTS = ("weeks", "weeks_failed", "weeks_no_response", "tried")
"""The history facts of one treatment a course moves (careflow.facts)."""


def is_safety_fact(name: str) -> bool:
    return name in SAFETY_FACTS or name.startswith(SAFETY_PREFIXES)


@dataclass(frozen=True)
class Actionable:
    """One declared change: a treatment course, or one fact, with its words."""

    change: str  # continues | becomes_known | falls
    fact: str  # the fact; for a course, the treatment code
    at_most: float | None
    ja: str
    en: str
    ja_any: str = ""
    en_any: str = ""
    unit_ja: str = ""
    unit_en: str = ""
    line: int = 0

    @property
    def key(self) -> str:
        return f"course:{self.fact}" if self.change == "continues" else self.fact

    def words(self, lang: str, any_value: bool = False) -> str:
        if any_value:
            return self.ja_any if lang == "ja" else self.en_any
        return self.ja if lang == "ja" else self.en

    def unit(self, lang: str) -> str:
        return self.unit_ja if lang == "ja" else self.unit_en


class _Reader:
    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Diagnostic] = []

    def problem(self, node: Any, code: str, message: str, key: str | None = None) -> None:
        line, col = node.where(key) if isinstance(node, Marked) else (
            (node.line, node.column) if isinstance(node, MarkedList) else (0, 0))
        self.problems.append(Diagnostic(self.file, line, col, code, message))

    def text(self, node: Marked, key: str, change: str) -> str:
        value = node.get(key)
        if value is None:
            return ""
        if not isinstance(value, str) or not value.strip():
            self.problem(node, "CF702", f"'{key}' is a sentence", key)
            return ""
        try:
            names = {f for _, f, _, _ in string.Formatter().parse(value) if f is not None}
        except ValueError as exc:
            self.problem(node, "CF702", f"'{key}' is not a template ({exc})", key)
            return ""
        allowed = () if key.endswith("_any") else PLACEHOLDERS.get(change, ())
        for name in sorted(names - set(allowed)):
            self.problem(node, "CF702", f"'{key}' has {{{name}}}: a {change} sentence takes "
                         + (", ".join(f"{{{a}}}" for a in allowed) or "no placeholder"), key)
        return value

    def declaration(self, node: Any, seen: dict[str, int]) -> Actionable | None:
        if not isinstance(node, Marked):
            self.problem(node, "CF702", "a declaration is a mapping")
            return None
        for key in node:
            if key not in KEYS:
                self.problem(node, "CF703", f"unknown key '{key}'{suggest(key, KEYS)}", key)
        change = node.get("change")
        if change not in CHANGES:
            self.problem(node, "CF702", f"'change' is one of {', '.join(CHANGES)} "
                                        f"(got {change!r})", "change" if change else None)
            return None
        course, fact = node.get("course"), node.get("fact")
        name = course if change == "continues" else fact
        wants = "course" if change == "continues" else "fact"
        if (course is None) == (fact is None) or not isinstance(name, str):
            self.problem(node, "CF702", f"a '{change}' declaration names a '{wants}'")
            return None
        if change == "continues":
            if name not in v.TREATMENT_CODES:
                self.problem(node, "CF704", f"unknown treatment {name!r}"
                                            f"{suggest(name, v.TREATMENT_CODES)}", wants)
                return None
        elif is_safety_fact(name):
            self.problem(node, "CF701", f"{name!r} is a safety fact (a red flag, pregnancy, "
                                        "age, sex, an allergy, a condition, a medication or a "
                                        "thrombosis): a why-not answer never changes it", wants)
            return None
        elif name not in FACTS:
            self.problem(node, "CF704", f"unknown fact {name!r}{suggest(name, FACTS)}", wants)
            return None
        elif FACTS[name].type != "number" or (change == "becomes_known"
                                             and not FACTS[name].nullable):
            self.problem(node, "CF704", f"{name!r} cannot {change.replace('_', ' ')}: "
                         + ("only a number that can be unknown does" if change ==
                            "becomes_known" else "only a number falls"), wants)
            return None
        at_most = node.get("at_most")
        if change in ("continues", "falls") and (
                isinstance(at_most, bool) or not isinstance(at_most, (int, float))
                or at_most <= 0):
            self.problem(node, "CF702", f"a '{change}' declaration needs 'at_most', a number "
                                        "above 0", "at_most" if "at_most" in node else None)
            return None
        key = f"course:{name}" if change == "continues" else name
        if key in seen:
            self.problem(node, "CF702", f"{name!r} is declared twice (first at "
                                        f"{self.file}:{seen[key]})", wants)
            return None
        seen[key] = node.line
        unit = node.get("unit", {})
        if not isinstance(unit, dict) or set(unit) - {"ja", "en"}:
            self.problem(node, "CF702", "'unit' is a mapping with 'ja' and 'en'", "unit")
            unit = {}
        texts = {k: self.text(node, k, change) for k in ("ja", "en", "ja_any", "en_any")}
        for k in ("ja", "en") + (("ja_any", "en_any") if change == "becomes_known" else ()):
            if not texts[k] and node.get(k) is None:
                self.problem(node, "CF702", f"a '{change}' declaration needs '{k}'")
        return Actionable(str(change), name, float(at_most) if at_most is not None else None,
                          texts["ja"], texts["en"], texts["ja_any"], texts["en_any"],
                          str(unit.get("ja", "")), str(unit.get("en", "")), node.line)


def default_actionable_file(rules_dir: Path) -> Path:
    return rules_dir / FILE


def load_actionable(path: Path, shown: str | None = None) -> list[Actionable]:
    """Read and check an actionable-facts file; every problem is a Diagnostic
    (RulebookError)."""
    file = shown or path.name
    reader = _Reader(file)
    data, body = read_special(path, file, "actionable", "CF702", what="the actionable facts",
                              missing="an actionable-facts file has an 'actionable' list")
    for key in data:
        if key not in ("actionable", "title"):
            reader.problem(data, "CF703", f"unknown key '{key}' in {FILE}", key)
    seen: dict[str, int] = {}
    out = [d for d in (reader.declaration(node, seen) for node in body) if d is not None]
    if reader.problems:
        raise RulebookError(reader.problems)
    return out


def actionable_problems(rules_dir: str | Path | None) -> list[Diagnostic]:
    """The problems of a rules folder's actionable.yaml, if it has one (`careflow check`)."""
    from ..rulebook import default_rules_dir

    folder = Path(rules_dir) if rules_dir is not None else default_rules_dir()
    path = default_actionable_file(folder)
    if not path.is_file():
        return []
    try:
        load_actionable(path, f"{folder.name}/{path.name}")
    except RulebookError as exc:
        return exc.diagnostics
    return []


__all__ = ["SAFETY_FACTS", "Actionable", "actionable_problems", "default_actionable_file",
           "is_safety_fact", "load_actionable"]
