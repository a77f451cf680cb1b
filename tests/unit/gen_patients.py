"""Hypothesis strategies for valid patient documents (docs/patient.md), shared by the
invariant, oracle, bad-input and concurrency tests.

The values cluster at the protocol's thresholds (reflux 500 / 1000 ms, ABI 0.5 / 0.6 / 0.8 /
0.9 / 1.4, ages 12 / 45 / 55 / 65 / 75, KL grades, BMI 25, eGFR 45, 12 weeks of care) so that
every branch of the rules is reached, with free values in between. Red flags are rarer than
ordinary findings, so that most patients get a full plan and some get the safety gate.

Every strategy yields a plain dict (what a clinic's form would send), never a Patient: the tests
parse it themselves, and the bad-input tests mutate it first (a deep copy: every list and dict
here is built fresh, never shared between examples through `st.just`).
"""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from careflow import vocabulary as v

# How many generated patients a property sees: small by default (the suite stays fast),
# thousands with CAREFLOW_EXAMPLES=5000 or in the tests marked `slow`.
DEFAULT_EXAMPLES = int(os.environ.get("CAREFLOW_EXAMPLES", "300"))
SLOW_EXAMPLES = int(os.environ.get("CAREFLOW_SLOW_EXAMPLES", "5000"))


def require_slow(request: Any) -> None:
    """Skip unless the run asked for slow tests (`-m slow`, or CAREFLOW_SLOW=1): the default
    suite stays fast even where `-m "not slow"` is not configured."""
    markexpr = request.config.getoption("markexpr", "") or ""
    if "slow" not in markexpr.replace("not slow", "") and os.environ.get("CAREFLOW_SLOW") != "1":
        pytest.skip("slow: run with -m slow (or CAREFLOW_SLOW=1)")


def examples(n: int | None = None) -> settings:
    return settings(max_examples=n or DEFAULT_EXAMPLES, deadline=None, derandomize=False,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.function_scoped_fixture])


def rarely(p: int = 8) -> st.SearchStrategy[bool]:
    """True about once in p draws (hypothesis still shrinks towards False)."""
    return st.integers(0, p - 1).map(lambda x: x == p - 1)


def maybe(strategy: st.SearchStrategy[Any], p_none: int = 3) -> st.SearchStrategy[Any]:
    """None (unknown) about once in p_none draws."""
    return st.one_of(st.just(None), *([strategy] * (p_none - 1)))


def around(points: list[float], lo: float, hi: float,
           whole: bool = False) -> st.SearchStrategy[Any]:
    """A threshold value, or any value in range."""
    free: st.SearchStrategy[Any] = (st.integers(int(lo), int(hi)) if whole else
                                    st.floats(lo, hi, allow_nan=False, allow_infinity=False))
    return st.one_of(st.sampled_from(points), free)


def subset(codes: tuple[str, ...], max_size: int) -> st.SearchStrategy[list[str]]:
    return st.lists(st.sampled_from(codes), unique=True, max_size=max_size)


IDS = st.one_of(
    st.sampled_from(["patient-332789", "patient-529192", "P-0001"]),
    st.integers(0, 10**6).map(lambda n: f"P-{n:06d}"),
)
DATES = st.dates(dt.date(2020, 1, 1), dt.date(2035, 12, 31)).map(dt.date.isoformat)
AGES = around([0, 11, 12, 44, 45, 54, 55, 56, 64, 65, 74, 75, 76, 90, 120], 0, 120, whole=True)
ABI = st.one_of(
    st.sampled_from([0.3, 0.49, 0.5, 0.59, 0.6, 0.79, 0.8, 0.89, 0.9, 1.0, 1.1, 1.4, 1.41, 2.0]),
    st.floats(0.9, 1.3), st.floats(0.9, 1.3), st.floats(0, 2))
REFLUX = around([0, 200, 499, 500, 501, 900, 999, 1000, 1001, 3000], 0, 10_000)
DIAMETER = st.one_of(st.sampled_from([2.9, 3.0, 6.5, 11.9, 12.0, 12.1, 15.0]),
                     st.floats(2, 12), st.floats(2, 12), st.floats(0, 40))
TOE = around([10.0, 29.9, 30.0, 49.9, 50.0, 80.0], 0, 250)
DAYS_BEFORE = st.sampled_from([-1, 0, 3, 7, 8, 41, 42, 43, 89, 90, 91, 400])
WEEKS = around([0, 4, 11, 12, 13, 16, 52], 0, 2_600, whole=True)

_ORDINARY = tuple(c for c in v.CONDITIONS
                  if c not in ("sepsis", "suspected_malignancy", "breastfeeding"))
conditions = st.one_of(
    st.builds(list), st.builds(list), st.builds(lambda: ["diabetes"]),
    subset(_ORDINARY, 2), subset(_ORDINARY, 3),
    st.sampled_from(["sepsis", "suspected_malignancy"]).map(lambda c: [c]),
)
allergies: st.SearchStrategy[list[str]] = st.one_of(
    st.builds(list), st.builds(list), st.builds(list), subset(v.ALLERGIES, 2))
medications: st.SearchStrategy[list[str]] = st.one_of(
    st.builds(list), st.builds(list), subset(v.MEDICATIONS, 2), subset(v.MEDICATIONS, 3))


@st.composite
def knees(draw: st.DrawFn, sick: bool = True) -> dict[str, Any]:
    knee: dict[str, Any] = {"pain_nrs": draw(around([0, 1, 3, 4, 6, 7, 10], 0, 10, whole=True))}
    knee["pain_pattern"] = draw(subset(v.PAIN_PATTERNS, 3))
    kl = draw(maybe(st.integers(0, 4), 5))
    if kl is not None:
        knee["kl_grade"] = kl
    for name in ("hot_swollen_joint", "recent_trauma", "cannot_bear_weight",
                 "prior_arthroplasty", "prior_knee_surgery", "fracture_excluded",
                 "septic_arthritis_excluded"):
        if (sick or name not in ("hot_swollen_joint", "recent_trauma")) and draw(rarely(8)):
            knee[name] = True
    ottawa = draw(st.sampled_from([None, None, False, True]))
    if ottawa is not None:
        knee["ottawa_positive"] = ottawa
    return knee


def _before(day: dt.date, days: int) -> str:
    return (day - dt.timedelta(days=days)).isoformat()


@st.composite
def duplexes(draw: st.DrawFn, day: dt.date, sick: bool = True) -> dict[str, Any]:
    out: dict[str, Any] = {}
    when = draw(maybe(DAYS_BEFORE, 4))
    if when is not None and when >= 0:
        out["performed_on"] = _before(day, when)
    for name, values in (("gsv_reflux_ms", REFLUX), ("ssv_reflux_ms", REFLUX),
                         ("aasv_reflux_ms", REFLUX), ("deep_reflux_ms", REFLUX),
                         ("gsv_diameter_mm", DIAMETER), ("ssv_diameter_mm", DIAMETER),
                         ("aasv_diameter_mm", DIAMETER)):
        value = draw(maybe(values, 5))
        if value is not None:
            out[name] = value
    dvt = draw(st.sampled_from([None, False, False, True] if sick else [None, False]))
    if dvt is not None:
        out["dvt"] = dvt
    return out


@st.composite
def veins(draw: st.DrawFn, day: dt.date, sick: bool = True) -> dict[str, Any]:
    out: dict[str, Any] = {"symptoms": draw(subset(v.VEIN_SYMPTOMS, 4))}
    ceap = draw(maybe(st.integers(0, 6)))
    if ceap is not None:
        out["ceap_c"] = ceap
    if sick and draw(rarely(6)):
        out["bleeding"] = True
    if draw(rarely(6)):
        out["superficial_thrombophlebitis"] = True
        for name, values in (("svt_length_cm", around([2.0, 4.9, 5.0, 8.0], 0, 100)),
                             ("svt_junction_distance_cm", around([1.0, 3.0, 3.1, 10.0], 0, 100))):
            value = draw(maybe(values))
            if value is not None:
                out[name] = value
        when = draw(maybe(DAYS_BEFORE))
        if when is not None and when >= 0:
            out["svt_diagnosed_on"] = _before(day, when)
    if draw(st.integers(0, 3)) > 0:
        out["duplex"] = draw(duplexes(day, sick))
    return out


@st.composite
def legs(draw: st.DrawFn, side: str, day: dt.date, sick: bool = True) -> dict[str, Any]:
    """One leg; red flags (DVT, ischaemia, a hot joint, trauma, bleeding) only when `sick`."""
    leg: dict[str, Any] = {"side": side}
    abi = draw(maybe(ABI))
    if abi is not None:
        leg["abi"] = abi
    toe = draw(maybe(TOE, 2))
    if toe is not None:
        leg["toe_pressure_mmhg"] = toe
    if sick and draw(rarely(6)):
        leg["acute_ischemia_signs"] = True
    for name in ("ischemic_rest_pain", "arterial_ulcer_or_gangrene"):
        if sick and draw(rarely(8)):
            leg[name] = True
    wells = draw(maybe(st.sampled_from([-2, -1, 0, 0, 1, 2, 3, 9] if sick else [-2, -1, 0, 1])))
    if wells is not None:
        leg["wells_score"] = wells
    if draw(st.integers(0, 4)) > 0:
        leg["knee"] = draw(knees(sick))
    if draw(st.integers(0, 4)) > 0:
        leg["veins"] = draw(veins(day, sick))
    return leg


@st.composite
def history_entries(draw: st.DrawFn, sides: list[str]) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "treatment": draw(st.sampled_from(v.TREATMENT_CODES)),
        "weeks": draw(st.one_of(WEEKS, st.sampled_from([0, 1, 2]))),
        "response": draw(st.sampled_from(v.RESPONSES)),
    }
    side = draw(st.sampled_from([None, *sides]))
    if side is not None:
        entry["side"] = side
    if entry["treatment"] in v.ACTION_GROUPS["endovenous"]:
        vein = draw(st.sampled_from([None, *v.VEINS]))
        if vein is not None:
            entry["vein"] = vein
    return entry


@st.composite
def patients(draw: st.DrawFn) -> dict[str, Any]:
    """A valid patient document as a plain dict."""
    sex = draw(st.sampled_from(v.SEXES))
    doc: dict[str, Any] = {
        "id": draw(IDS), "assessed_on": draw(DATES), "age": draw(AGES), "sex": sex,
    }
    fertile = sex == "female" and 10 <= doc["age"] <= 60
    pregnant = draw(st.sampled_from([None, False, False, False, True] if fertile
                                    else [None, False]))
    if pregnant is not None:
        doc["pregnant"] = pregnant
    if draw(st.booleans()):
        height = draw(around([150.0, 160.0, 175.0], 120, 210))
        doc["height_cm"] = height
        # a BMI of 12-60 (careflow refuses one outside 10-80), at 25 often
        bmi = draw(around([18.5, 24.9, 25.0, 30.0], 12, 60))
        doc["weight_kg"] = round(bmi * (height / 100) ** 2, 1)
    # each list asked (present, perhaps empty) about nine times in ten
    for name, strategy in (("conditions", conditions), ("allergies", allergies),
                           ("medications", medications)):
        if not draw(rarely(10)):
            doc[name] = draw(strategy)
    if fertile and "conditions" in doc and draw(rarely(10)):
        doc["conditions"] = [*doc["conditions"], "breastfeeding"]
    egfr = draw(maybe(around([30.0, 44.9, 45.0, 60.0, 90.0], 0, 200), 5))
    if egfr is not None:
        doc["egfr"] = egfr
    doc["lifestyle"] = {
        "smoker": draw(st.booleans()),
        "alcohol_drinks_per_week": draw(around([0, 7, 8, 14, 15, 30], 0, 200)),
        "standing_hours_per_day": draw(around([0, 3.9, 4, 8, 24], 0, 24)),
        "sitting_hours_per_day": draw(around([0, 5.9, 6, 10], 0, 24)),
        "sits_on_floor": draw(st.booleans()),
        "japanese_style_toilet": draw(st.booleans()),
        "sleeps_on_futon": draw(st.booleans()),
    }
    doc["preferences"] = {
        "accepts_self_pay": draw(st.sampled_from([True, True, False])),
        "wants_further_improvement": draw(st.booleans()),
        "prefers_non_thermal": draw(st.booleans()),
    }
    sides = draw(st.sampled_from([["right"], ["left"], ["right", "left"], ["left", "right"],
                                  ["right", "left"]]))
    sick = draw(rarely(4))  # about one patient in four may carry a red flag
    day = dt.date.fromisoformat(doc["assessed_on"])
    doc["legs"] = [draw(legs(side, day, sick)) for side in sides]
    doc["history"] = draw(st.lists(history_entries(sides), max_size=3))
    if draw(st.booleans()):  # insured knee care that failed: opens the self-pay options
        for treatment in ("exercise_therapy", draw(st.sampled_from((
                "hyaluronic_acid_injection", "steroid_injection", "topical_nsaid",
                "oral_analgesic")))):
            doc["history"].append({
                "treatment": treatment, "weeks": draw(st.sampled_from([11, 12, 16, 24])),
                "response": draw(st.sampled_from(["none", "partial", "good"]))})
    if draw(rarely(3)):  # stockings that failed: the leg qualifies for endovenous treatment
        doc["history"].append({"treatment": "compression_stockings", "weeks": 16,
                               "response": "partial"})
    return doc


def as_yaml(doc: Any) -> str:
    """A patient as YAML, for failure messages (a failing property prints the patient)."""
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True)
