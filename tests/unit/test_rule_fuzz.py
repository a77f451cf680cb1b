"""The engine and the reference evaluator agree on generated RULE SETS, not only on the
shipped one: small valid rulebooks (findings and claims at leg and patient level, holds and
annotations, `not`, `any`, `unless` over findings and claims, leg rules reading whole-patient
claims) and random patients. A compiler or adapter bug that the shipped rules happen not to
exercise shows up here; a reference-evaluator check failure (OracleError) is such a bug too.

Each generated rule set is registered in the engine for the rest of the process (about a
megabyte each at most), so the default run is small; `-m slow` runs many more.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from careflow import RulebookError, evaluate, load_rulebook, parse_patient
from tests.oracle import oracle_plan

from .gen_patients import require_slow
from .helpers import write_rules

# (fact, leg-level?, values a rule compares with)
NUMBERS: list[tuple[str, bool, list[float]]] = [
    ("abi", True, [0.5, 0.6, 0.8, 0.9]), ("veins.ceap_c", True, [1, 2, 3, 6]),
    ("wells_score", True, [1, 2]), ("age", False, [45, 65, 75]), ("egfr", False, [30, 45, 60])]
BOOLS = [("acute_ischemia_signs", True), ("knee.hot_swollen_joint", True),
         ("pregnant", False), ("condition.diabetes", False)]
LEG_ACTIONS = ["compression_stockings", "duplex_ultrasound", "exercise_therapy"]
PATIENT_ACTIONS = ["weight_management", "stop_smoking"]
STATUSES = ["recommended", "option", "next_step", "deferred", "contraindicated"]
FINDINGS = {"f_leg_a": "leg", "f_leg_b": "leg", "f_whole": "patient"}
_COUNTER = itertools.count()


@st.composite
def leaf(draw: st.DrawFn, scope: str) -> dict[str, Any]:
    numbers = [n for n in NUMBERS if scope == "leg" or not n[1]]
    bools = [b for b in BOOLS if scope == "leg" or not b[1]]
    if draw(st.booleans()):
        fact, _, values = draw(st.sampled_from(numbers))
        op = draw(st.sampled_from(["lt", "lte", "gt", "gte", "eq", "ne", "known"]))
        if op == "known":
            return {fact: {"known": draw(st.booleans())}}
        return {fact: {op: draw(st.sampled_from(values))}}
    fact, _ = draw(st.sampled_from(bools))
    return {fact: draw(st.booleans())}


@st.composite
def condition(draw: st.DrawFn, scope: str, made: list[tuple[str, str, str]], depth: int = 0
              ) -> dict[str, Any]:
    """A condition over facts and the derived facts `made` by earlier rules: (kind, name,
    level) with kind "finding" or "claim" (name "action:status")."""
    readable = [m for m in made if scope == "leg" or m[2] == "patient"]
    kinds = ["leaf"] + (["ref"] if readable else []) + (["all", "any", "not", "unless"]
                                                        if depth < 2 else [])
    kind = draw(st.sampled_from(kinds))
    if kind == "leaf":
        return draw(leaf(scope))
    if kind == "ref":
        what, name, level = draw(st.sampled_from(readable))
        if what == "finding":
            return {"finding": name}
        action, status = name.split(":")
        ref = {"action": action, "status": status}
        if scope == "leg" and level == "patient":
            ref["scope"] = "patient"
        return {"claimed": ref}
    if kind in ("not", "unless"):
        return {kind: draw(condition(scope, made, depth + 1))}
    items = draw(st.lists(condition(scope, made, depth + 1), min_size=1, max_size=3))
    return {kind: items}


def _reads(cond: Any) -> set[tuple[str, str]]:
    """The derived facts (kind, name) a generated condition reads."""
    if isinstance(cond, list):
        return set().union(*(_reads(c) for c in cond)) if cond else set()
    out: set[tuple[str, str]] = set()
    for key, value in cond.items():
        if key == "finding":
            out.add(("finding", value))
        elif key == "claimed":
            out.add(("claim", f"{value['action']}:{value['status']}"))
        elif key in ("all", "any", "not", "unless"):
            out |= _reads(value)
    return out


@st.composite
def rulebooks(draw: st.DrawFn) -> list[dict[str, Any]]:
    """Rules in order; a rule reads only what earlier rules made, and never a fact that
    depends on what it makes itself (the rule set stays acyclic, as CF202 requires)."""
    rules: list[dict[str, Any]] = []
    made: list[tuple[str, str, str]] = []
    reads: dict[tuple[str, str], set[tuple[str, str]]] = {}  # fact -> what its rules read

    def depends(fact: tuple[str, str], on: tuple[str, str]) -> bool:
        """Does `fact` depend on `on`, through every rule that makes it (now)?"""
        stack, seen = [fact], set()
        while stack:
            f = stack.pop()
            if f == on:
                return True
            if f not in seen:
                seen.add(f)
                stack.extend(reads.get(f, ()))
        return False

    for i in range(draw(st.integers(2, 7))):
        scope = draw(st.sampled_from(["leg", "patient"]))
        rule: dict[str, Any] = {"id": f"TEST_R{i}", "title": f"rule {i}", "scope": scope,
                                "priority": draw(st.sampled_from([10, 100])),
                                "evidence": ["EV"]}
        effect = draw(st.sampled_from(["derive", "claim", "claim", "hold", "annotate"]))
        out: tuple[str, str, str] | None = None
        if effect == "derive":
            name = draw(st.sampled_from([f for f, lv in FINDINGS.items()
                                         if scope == "leg" or lv == "patient"]))
            level = FINDINGS[name]
            rule["derive"] = name if level == scope else {"finding": name, "scope": "patient"}
            out = ("finding", name, level)
        elif effect in ("claim", "annotate"):
            whole = scope == "patient" or draw(st.booleans())
            action = draw(st.sampled_from(PATIENT_ACTIONS if whole else LEG_ACTIONS))
            side = {"scope": "patient"} if whole and scope == "leg" else {}
            if effect == "claim":
                status = draw(st.sampled_from(STATUSES))
                rule["claim"] = {"action": action, "status": status, **side,
                                 **({"reason_code": "test_reason"}
                                    if status in ("deferred", "contraindicated") else {})}
                out = ("claim", f"{action}:{status}", "patient" if whole else "leg")
            else:
                rule["annotate"] = {"action": action, "detail": {"note": f"r{i}"}, **side}
        else:
            rule["hold"] = {"reason_code": "test_hold", "targets": [
                {"actions": [draw(st.sampled_from(LEG_ACTIONS + PATIENT_ACTIONS))],
                 "scope": draw(st.sampled_from(["leg", "any"]))}]}
        key = out[:2] if out else None
        safe = [m for m in made if key is None or not depends(m[:2], key)]
        rule["when"] = draw(condition(scope, safe))
        if out is not None:
            assert key is not None
            reads.setdefault(key, set()).update(_reads(rule["when"]))
            made.append(out)
        rules.append(rule)
    return rules


@st.composite
def patients(draw: st.DrawFn) -> dict[str, Any]:
    def maybe(strategy: Any) -> Any:
        return draw(st.one_of(st.none(), strategy))

    female = draw(st.booleans())
    legs = []
    for side in draw(st.sampled_from([["right"], ["left"], ["right", "left"]])):
        leg: dict[str, Any] = {"side": side, "acute_ischemia_signs": draw(st.booleans()),
                               "knee": {"pain_nrs": 3,
                                        "hot_swollen_joint": draw(st.booleans())},
                               "veins": {}}
        for key, value in (("abi", maybe(st.sampled_from([0.5, 0.59, 0.6, 0.8, 1.1]))),
                           ("wells_score", maybe(st.integers(0, 3)))):
            if value is not None:
                leg[key] = value
        ceap = maybe(st.integers(0, 6))
        if ceap is not None:
            leg["veins"]["ceap_c"] = ceap
        legs.append(leg)
    doc: dict[str, Any] = {"id": f"P-F{next(_COUNTER)}", "assessed_on": "2026-11-20",
                           "age": draw(st.sampled_from([30, 45, 64, 65, 80])),
                           "sex": "female" if female else "male", "legs": legs,
                           "conditions": draw(st.sampled_from([[], ["diabetes"]]))}
    egfr = maybe(st.sampled_from([29, 30, 45, 90]))
    if egfr is not None:
        doc["egfr"] = egfr
    pregnant = maybe(st.booleans()) if female and doc["age"] < 60 else None
    if pregnant is not None:
        doc["pregnant"] = pregnant
    return doc


def _agree(tmp_path: Path, rules: list[dict[str, Any]], docs: list[dict[str, Any]]) -> None:
    folder = write_rules(tmp_path / f"r{next(_COUNTER)}", rules)
    try:
        book = load_rulebook(folder)
    except RulebookError as exc:  # only "too complex" or "the engine cannot run it" may refuse
        # two drawn rules with identical conditions that claim and contraindicate one action
        # are a contradictory rule set (CF203), outside the valid rulebooks this test draws
        assume(not any(d.code == "CF203" for d in exc.diagnostics))
        assert all(d.code in ("CF205", "CF207") for d in exc.diagnostics), exc  # noqa: PT017
        return
    for doc in docs:
        patient = parse_patient(doc)
        assert evaluate(patient, book).to_json() == oracle_plan(book, patient).to_json(), (
            rules, doc)


def fuzz(n: int) -> settings:
    return settings(max_examples=n, deadline=None, suppress_health_check=list(HealthCheck))


@fuzz(40)
@given(rules=rulebooks(), docs=st.lists(patients(), min_size=3, max_size=3))
def test_engine_and_reference_agree_on_generated_rule_sets(tmp_path_factory: Any,
                                                           rules: list[dict[str, Any]],
                                                           docs: list[dict[str, Any]]) -> None:
    _agree(tmp_path_factory.mktemp("fuzz"), rules, docs)


@pytest.mark.slow
@fuzz(400)
@given(rules=rulebooks(), docs=st.lists(patients(), min_size=5, max_size=5))
def test_engine_and_reference_agree_on_many_generated_rule_sets(
        request: Any, tmp_path_factory: Any, rules: list[dict[str, Any]],
        docs: list[dict[str, Any]]) -> None:
    require_slow(request)
    _agree(tmp_path_factory.mktemp("fuzz"), rules, docs)


def test_a_patient_rule_reading_a_claim_under_not_and_any(tmp_path: Path) -> None:
    """The 0.2 soundness bug: a whole-patient rule that read a claim under `not` or `any`
    never fired in the engine but did in the plain-Python evaluator."""
    rules: list[dict[str, Any]] = [
        {"id": "TEST_ADVICE", "title": "t", "scope": "patient", "when": {"age": {"gte": 65}},
         "claim": {"action": "weight_management", "status": "recommended"}},
        {"id": "TEST_NOT_CLAIMED", "title": "t", "scope": "patient", "when": {"any": [
            {"not": {"claimed": {"action": "weight_management", "status": "recommended"}}},
            {"condition.diabetes": True}]},
         "claim": {"action": "stop_smoking", "status": "recommended"}},
    ]
    docs = [{"id": f"P-{age}", "assessed_on": "2026-11-20", "age": age, "sex": "male",
             "conditions": [], "legs": [{"side": "right"}]} for age in (40, 70)]
    _agree(tmp_path, rules, docs)
    book = load_rulebook(write_rules(tmp_path / "again", rules))
    young = evaluate(parse_patient(docs[0]), book)
    assert young.item("stop_smoking") is not None  # fired: weight advice definitely absent
