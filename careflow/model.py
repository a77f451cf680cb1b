"""The patient document (docs/patient.md) as frozen pydantic models.

A measurement left out or null is unknown (None), never normal; true/false fields default to
false and lists to empty. Derived values (BMI) are computed, not stored.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from . import vocabulary as v
from .errors import InputError
from .yamlsrc import YamlSourceError, load_yaml, plain, shown

Side = Literal["right", "left"]
Condition = Literal[v.CONDITIONS]  # type: ignore[valid-type]
Allergy = Literal[v.ALLERGIES]  # type: ignore[valid-type]
PainPattern = Literal[v.PAIN_PATTERNS]  # type: ignore[valid-type]
VeinSymptom = Literal[v.VEIN_SYMPTOMS]  # type: ignore[valid-type]
Treatment = Literal[v.TREATMENT_CODES]  # type: ignore[valid-type]
Response = Literal[v.RESPONSES]  # type: ignore[valid-type]

Bool = Annotated[bool, Field(strict=True)]
Int = Annotated[int, Field(strict=True)]
Num = Annotated[float, Field(strict=True, allow_inf_nan=False)]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Lifestyle(_Frozen):
    smoker: Bool = False
    # standard drinks of 10 g ethanol
    alcohol_drinks_per_week: Annotated[Num, Field(ge=0, le=200)] = 0
    standing_hours_per_day: Annotated[Num, Field(ge=0, le=24)] = 0
    sits_on_floor: Bool = False
    japanese_style_toilet: Bool = False
    sleeps_on_futon: Bool = False


class Preferences(_Frozen):
    accepts_self_pay: Bool = False
    wants_further_improvement: Bool = False
    prefers_non_thermal: Bool = False


class Knee(_Frozen):
    pain_nrs: Annotated[Int, Field(ge=0, le=10)] = 0
    pain_pattern: tuple[PainPattern, ...] = ()
    kl_grade: Annotated[Int, Field(ge=0, le=4)] | None = None
    hot_swollen_joint: Bool = False
    recent_trauma: Bool = False
    cannot_bear_weight: Bool = False
    prior_arthroplasty: Bool = False

    @property
    def painful(self) -> bool:
        return self.pain_nrs >= 1


class Duplex(_Frozen):
    gsv_reflux_ms: Annotated[Num, Field(ge=0, le=20_000)] | None = None
    ssv_reflux_ms: Annotated[Num, Field(ge=0, le=20_000)] | None = None
    deep_reflux_ms: Annotated[Num, Field(ge=0, le=20_000)] | None = None
    gsv_diameter_mm: Annotated[Num, Field(ge=0, le=50)] | None = None
    ssv_diameter_mm: Annotated[Num, Field(ge=0, le=50)] | None = None
    dvt: Bool | None = None


class Veins(_Frozen):
    symptoms: tuple[VeinSymptom, ...] = ()
    ceap_c: Annotated[Int, Field(ge=0, le=6)] | None = None
    bleeding: Bool = False
    superficial_thrombophlebitis: Bool = False
    duplex: Duplex | None = None


class Leg(_Frozen):
    side: Side
    abi: Annotated[Num, Field(ge=0, le=2)] | None = None
    acute_ischemia_signs: Bool = False
    wells_score: Annotated[Int, Field(ge=-2, le=9)] | None = None
    knee: Knee | None = None
    veins: Veins | None = None


class HistoryEntry(_Frozen):
    treatment: Treatment
    side: Side | None = None
    weeks: Annotated[Int, Field(ge=0, le=2_600)]
    response: Response


class Patient(_Frozen):
    """A patient as the clinic records it (docs/patient.md)."""

    id: Annotated[str, Field(strict=True, min_length=1, max_length=128)]
    assessed_on: dt.date
    age: Annotated[Int, Field(ge=0, le=120)]
    sex: Literal["female", "male"]
    height_cm: Annotated[Num, Field(ge=30, le=250)] | None = None
    weight_kg: Annotated[Num, Field(ge=1, le=400)] | None = None
    pregnant: Bool | None = None
    conditions: tuple[Condition, ...] = ()
    allergies: tuple[Allergy, ...] = ()
    egfr: Annotated[Num, Field(ge=0, le=200)] | None = None
    lifestyle: Lifestyle = Lifestyle()
    preferences: Preferences = Preferences()
    legs: Annotated[tuple[Leg, ...], Field(min_length=1, max_length=2)]
    history: tuple[HistoryEntry, ...] = ()

    @field_validator("id")
    @classmethod
    def _printable_id(cls, value: str) -> str:
        # the id is printed in plans and on terminals: no control characters (escape
        # sequences, newlines) that could rewrite what a clinician reads
        if any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") for ch in value):
            raise ValueError("must not contain control characters")
        return value

    @field_validator("assessed_on", mode="before")
    @classmethod
    def _date_only(cls, value: Any) -> Any:
        if isinstance(value, dt.datetime):
            raise ValueError("must be a date (YYYY-MM-DD), not a date and time")
        if isinstance(value, str) and len(value) != 10:
            raise ValueError("must be a date written YYYY-MM-DD")
        if not isinstance(value, (str, dt.date)):
            raise ValueError("must be a date written YYYY-MM-DD")
        return value

    @field_validator("pregnant")
    @classmethod
    def _pregnant_only_female(cls, value: bool | None, info: Any) -> bool | None:
        if value is True and info.data.get("sex") == "male":
            raise ValueError("cannot be true when sex is male")
        return value

    @field_validator("legs")
    @classmethod
    def _unique_sides(cls, legs: tuple[Leg, ...]) -> tuple[Leg, ...]:
        sides: list[str] = [leg.side for leg in legs]
        for side in v.SIDES:
            if sides.count(side) > 1:
                raise ValueError(f"two legs have side '{side}': each side may appear once")
        return legs

    @property
    def bmi(self) -> float | None:
        """Body-mass index, rounded to one decimal as clinics report it; None if unknown."""
        if self.height_cm is None or self.weight_kg is None:
            return None
        return round(self.weight_kg / (self.height_cm / 100) ** 2, 1)

    def leg(self, side: str) -> Leg | None:
        return next((leg for leg in self.legs if leg.side == side), None)


# --- reading and error messages -------------------------------------------------------

_MESSAGES = {
    "missing": "is required",
    "extra_forbidden": "is not a known field",
    "bool_type": "must be true or false",
    "int_type": "must be a whole number",
    "float_type": "must be a number",
    "string_type": "must be text",
    "finite_number": "must be a finite number",
    "tuple_type": "must be a list",
    "model_type": "must be a mapping",
    "model_attributes_type": "must be a mapping",
    "dict_type": "must be a mapping",
    "date_type": "must be a date written YYYY-MM-DD",
}


def _path(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif isinstance(part, str) and part.startswith(("function-", "literal[")):
            continue
        else:
            name = str(part)
            if not name.isprintable() or len(name) > 60:
                name = shown(name)  # an unknown key is echoed back: never raw control codes
            out += ("." if out else "") + name
    return out or "document"


def _message(error: Any) -> str:
    kind, ctx = error["type"], error.get("ctx", {})
    if kind in ("less_than_equal", "less_than"):
        op = "<=" if kind == "less_than_equal" else "<"
        return f"must be {op} {ctx.get('le', ctx.get('lt'))}"
    if kind in ("greater_than_equal", "greater_than"):
        op = ">=" if kind == "greater_than_equal" else ">"
        return f"must be {op} {ctx.get('ge', ctx.get('gt'))}"
    if kind == "literal_error":
        return f"must be one of {ctx.get('expected')} (got {error.get('input')!r})"
    if kind in ("too_short", "too_long"):
        if error["loc"] == ("legs",):
            return "must list one or two legs"
        return str(error["msg"]).lower()
    if kind == "string_too_short":
        n = ctx.get("min_length")
        return "must not be empty" if n == 1 else f"must be at least {n} characters long"
    if kind == "string_too_long":
        return f"must be at most {ctx.get('max_length')} characters long"
    if kind == "value_error":
        return str(ctx.get("error", error["msg"]))
    if kind.startswith("date"):
        return f"must be a real date written YYYY-MM-DD (got {error.get('input')!r})"
    return _MESSAGES.get(kind, str(error["msg"]))


MAX_PROBLEMS = 50  # a document with more is reported by its first 50 and a count


def problems_of(exc: ValidationError) -> list[str]:
    """Pydantic's errors as `path: message` lines, in document order (at most MAX_PROBLEMS,
    then a count: a huge document of bad items must not cost quadratic time or a flood)."""
    seen: dict[str, None] = {}
    errors = exc.errors(include_url=False)
    for error in errors:
        if error["type"] == "too_short" and any(
                other["loc"][:len(error["loc"])] == error["loc"]
                and len(other["loc"]) > len(error["loc"]) for other in errors):
            continue  # pydantic counts the items it could not read as missing: not news
        seen[f"{_path(error['loc'])}: {_message(error)}"] = None
    lines = list(seen)
    if len(lines) > MAX_PROBLEMS:
        more = len(lines) - MAX_PROBLEMS
        lines = lines[:MAX_PROBLEMS] + [f"document: {more} more problems not shown"]
    return lines


def parse_patient(data: Any, source: str | None = None) -> Patient:
    """Validate already-parsed data (a mapping) into a Patient, or raise InputError."""
    if not isinstance(data, dict):
        kind = "empty" if data is None else "a list" if isinstance(data, list) else "a scalar"
        raise InputError([f"document: must be a mapping of patient fields (got {kind})"], source)
    try:
        return Patient.model_validate(plain(data))
    except ValidationError as exc:
        raise InputError(problems_of(exc), source) from None
    except RecursionError:
        raise InputError(["document: nested too deeply"], source) from None


def read_patient(path: str | Path) -> Patient:
    """Read a YAML or JSON patient file; every problem is an InputError naming a field or line."""
    source = str(path)
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise InputError([f"cannot read file ({exc.strerror})"], source) from None
    return loads_patient(raw, source)


def loads_patient(text: str | bytes, source: str | None = None) -> Patient:
    try:
        data = load_yaml(text)
    except YamlSourceError as exc:
        raise InputError([str(exc)], source) from None
    return parse_patient(data, source)
