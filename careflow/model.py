"""The patient document (docs/patient.md) as frozen pydantic models.

A measurement left out or null is unknown (None), never normal; true/false fields default to
false and lists to empty. Derived values (BMI) are computed, not stored.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from . import vocabulary as v
from .errors import InputError
from .yamlsrc import MAX_BYTES, YamlSourceError, load_document, plain, shown

Side = Literal["right", "left"]
Condition = Literal[v.CONDITIONS]  # type: ignore[valid-type]
Allergy = Literal[v.ALLERGIES]  # type: ignore[valid-type]
Medication = Literal[v.MEDICATIONS]  # type: ignore[valid-type]
Vein = Literal[v.VEINS]  # type: ignore[valid-type]
PainPattern = Literal[v.PAIN_PATTERNS]  # type: ignore[valid-type]
VeinSymptom = Literal[v.VEIN_SYMPTOMS]  # type: ignore[valid-type]
Treatment = Literal[v.TREATMENT_CODES]  # type: ignore[valid-type]
Response = Literal[v.RESPONSES]  # type: ignore[valid-type]



def _whole(value: Any) -> Any:
    """A document's numbers as JSON Schema reads them: a number with no fractional part is a
    whole number (5.0 is 5; 5.5 stays 5.5 and a whole-number field refuses it)."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 2 ** 53:
        return int(value)
    if isinstance(value, dict):
        return {k: _whole(x) for k, x in value.items()}
    if isinstance(value, list):
        return [_whole(x) for x in value]
    return value


def _asked(value: Any) -> Any:
    # an omitted list is "not asked"; an explicit null is refused rather than guessed at
    if value is None:
        raise ValueError("must be a list (leave it out when the question was not asked) (got null)")
    return value


Bool = Annotated[bool, Field(strict=True)]
Int = Annotated[int, Field(strict=True)]
Num = Annotated[float, Field(strict=True, allow_inf_nan=False)]


def _answer(code: Any) -> Any:
    """An asked list (docs/patient.md#asked): a list of codes, or omitted (None: not asked)."""
    return Annotated[
        tuple[code, ...] | None, BeforeValidator(_asked),
        Field(max_length=len(code.__args__)),  # each code at most once, in effect
        WithJsonSchema({"type": "array", "items": {"enum": list(code.__args__)},
                        "maxItems": len(code.__args__),
                        "description": "omitted: not asked (unknown); [] = asked, none"}),
    ]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


def _date_only(value: Any) -> Any:
    if value is None:
        return value
    if isinstance(value, dt.datetime):
        raise ValueError(f"must be a date (YYYY-MM-DD), not a date and time (got '{value}')")
    if not isinstance(value, (str, dt.date)) or (isinstance(value, str) and len(value) != 10):
        raise ValueError(f"must be a date written YYYY-MM-DD (got {got(value)})")
    year = value.year if isinstance(value, dt.date) else value[:4]
    lo, hi = DATE_YEARS
    if str(year).isdigit() and not lo <= int(year) <= hi:  # other text: the date check's
        raise ValueError(f"must be a date in the years {lo}-{hi} (got {got(str(value))})")
    return value


DATE_YEARS = (1900, 2100)
"""The years a date in a patient document may fall in (year 1 or 9999 is a typing slip)."""
DATE_PATTERN = r"^(19[0-9]{2}|20[0-9]{2}|2100)-"
"""DATE_YEARS as the JSON Schema's pattern for every date (careflow.export.schema)."""


MAX_HISTORY = 100
"""Entries a treatment history may hold (a document's work stays bounded by its purpose)."""
FERTILE_AGES = (10, 60)
"""Ages at which pregnancy or breastfeeding may be recorded (docs/patient.md#bad-input)."""
BMI_RANGE = (10, 80)
_ACROSS = "\x00"  # separates problems that name their own field (Patient._consistent)


class Lifestyle(_Frozen):
    smoker: Bool = False
    # standard drinks of 10 g ethanol
    alcohol_drinks_per_week: Annotated[Num, Field(ge=0, le=200)] = 0
    standing_hours_per_day: Annotated[Num, Field(ge=0, le=24)] = 0
    sitting_hours_per_day: Annotated[Num, Field(ge=0, le=24)] = 0
    sits_on_floor: Bool = False
    japanese_style_toilet: Bool = False
    sleeps_on_futon: Bool = False


class Preferences(_Frozen):
    accepts_self_pay: Bool = False
    wants_further_improvement: Bool = False
    prefers_non_thermal: Bool = False


class Knee(_Frozen):
    pain_nrs: Annotated[Int, Field(ge=0, le=10)] = 0
    pain_pattern: Annotated[tuple[PainPattern, ...], Field(max_length=len(v.PAIN_PATTERNS))] = ()
    kl_grade: Annotated[Int, Field(ge=0, le=4)] | None = None
    hot_swollen_joint: Bool = False
    recent_trauma: Bool = False
    cannot_bear_weight: Bool = False
    # Ottawa knee rule findings; omitted: not examined (unknown)
    ottawa_positive: Bool | None = None
    fracture_excluded: Bool = False
    septic_arthritis_excluded: Bool = False
    prior_arthroplasty: Bool = False
    prior_knee_surgery: Bool = False

    @property
    def painful(self) -> bool:
        return self.pain_nrs >= 1


Reflux = Annotated[Num, Field(ge=0, le=10_000)] | None
Diameter = Annotated[Num, Field(ge=0, le=40)] | None


class Duplex(_Frozen):
    performed_on: dt.date | None = None  # omitted: not known to be recent
    gsv_reflux_ms: Reflux = None
    ssv_reflux_ms: Reflux = None
    aasv_reflux_ms: Reflux = None
    deep_reflux_ms: Reflux = None
    gsv_diameter_mm: Diameter = None
    ssv_diameter_mm: Diameter = None
    aasv_diameter_mm: Diameter = None
    dvt: Bool | None = None

    _date = field_validator("performed_on", mode="before")(classmethod(
        lambda cls, value: _date_only(value)))


class Veins(_Frozen):
    symptoms: Annotated[tuple[VeinSymptom, ...], Field(max_length=len(v.VEIN_SYMPTOMS))] = ()
    ceap_c: Annotated[Int, Field(ge=0, le=6)] | None = None
    bleeding: Bool = False
    superficial_thrombophlebitis: Bool = False
    svt_length_cm: Annotated[Num, Field(ge=0, le=100)] | None = None
    svt_junction_distance_cm: Annotated[Num, Field(ge=0, le=100)] | None = None
    svt_diagnosed_on: dt.date | None = None  # omitted: acute
    duplex: Duplex | None = None

    _date = field_validator("svt_diagnosed_on", mode="before")(classmethod(
        lambda cls, value: _date_only(value)))


class Leg(_Frozen):
    side: Side
    abi: Annotated[Num, Field(ge=0, le=2)] | None = None
    toe_pressure_mmhg: Annotated[Num, Field(ge=0, le=250)] | None = None
    acute_ischemia_signs: Bool = False
    ischemic_rest_pain: Bool = False
    arterial_ulcer_or_gangrene: Bool = False
    wells_score: Annotated[Int, Field(ge=-2, le=9)] | None = None
    knee: Knee | None = None
    veins: Veins | None = None


class HistoryEntry(_Frozen):
    treatment: Treatment
    side: Side | None = None
    vein: Vein | None = None  # endovenous entries only; omitted: the whole leg
    weeks: Annotated[Int, Field(ge=0, le=2_600)]
    response: Response

    @model_validator(mode="after")
    def _vein_only_endovenous(self) -> HistoryEntry:
        if self.vein is not None and self.treatment not in v.ACTION_GROUPS["endovenous"]:
            raise ValueError(f"{_ACROSS}vein: only an endovenous treatment names a vein "
                             f"(got {self.vein!r} on {self.treatment!r})")
        return self


class Patient(_Frozen):
    """A patient as the clinic records it (docs/patient.md)."""

    id: Annotated[str, Field(strict=True, min_length=1, max_length=128)]
    assessed_on: dt.date
    age: Annotated[Int, Field(ge=0, le=120)]
    sex: Literal["female", "male"]
    height_cm: Annotated[Num, Field(ge=30, le=250)] | None = None
    weight_kg: Annotated[Num, Field(ge=1, le=400)] | None = None
    pregnant: Bool | None = None
    conditions: _answer(Condition) = None  # type: ignore[valid-type]
    allergies: _answer(Allergy) = None  # type: ignore[valid-type]
    medications: _answer(Medication) = None  # type: ignore[valid-type]
    egfr: Annotated[Num, Field(ge=0, le=200)] | None = None
    lifestyle: Lifestyle = Lifestyle()
    preferences: Preferences = Preferences()
    legs: Annotated[tuple[Leg, ...], Field(min_length=1, max_length=2)]
    history: Annotated[tuple[HistoryEntry, ...], Field(max_length=MAX_HISTORY)] = ()

    @field_validator("id")
    @classmethod
    def _printable_id(cls, value: str) -> str:
        # the id is printed in plans and on terminals: no control characters (escape
        # sequences, newlines) that could rewrite what a clinician reads
        if any(unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Zl", "Zp") for ch in value):
            raise ValueError(f"must not contain control characters (got {got(value)})")
        if not value.strip():
            raise ValueError(f"must not be blank (got {got(value)})")
        return value

    _date = field_validator("assessed_on", mode="before")(classmethod(
        lambda cls, value: _date_only(value)))

    @model_validator(mode="after")
    def _consistent(self) -> Patient:
        # rules across fields (docs/patient.md#bad-input); each names the field it refuses
        problems = []
        breastfeeding = "breastfeeding" in (self.conditions or ())
        if self.pregnant is True and self.sex == "male":
            problems.append("pregnant: cannot be true when sex is male (got true)")
        if breastfeeding and self.sex == "male":
            problems.append("conditions: breastfeeding cannot be recorded when sex is male "
                            "(got 'breastfeeding')")
        lo, hi = FERTILE_AGES
        if not lo <= self.age <= hi:
            if self.pregnant is True:
                problems.append(f"pregnant: cannot be true at age {self.age}, only at ages "
                                f"{lo}-{hi} (got true)")
            if breastfeeding:
                problems.append(f"conditions: breastfeeding cannot be recorded at age "
                                f"{self.age}, only at ages {lo}-{hi} (got 'breastfeeding')")
        bmi = self.bmi
        if bmi is not None and not BMI_RANGE[0] <= bmi <= BMI_RANGE[1]:
            problems.append(f"weight_kg: height {_number(self.height_cm or 0)} cm and weight "
                            f"{_number(self.weight_kg or 0)} kg give a BMI of {bmi}, outside "
                            f"{BMI_RANGE[0]}-{BMI_RANGE[1]}")
        sides = {leg.side for leg in self.legs}
        for i, entry in enumerate(self.history):
            if entry.side is not None and entry.side not in sides:
                problems.append(f"history[{i}].side: names the {entry.side} leg, which is not "
                                f"in legs (got {entry.side!r})")
        if problems:
            raise ValueError(_ACROSS + _ACROSS.join(problems))
        return self

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
    "string_unicode": "must be Unicode text (a lone surrogate is not)",
    "finite_number": "must be a finite number",
    "tuple_type": "must be a list",
    "model_type": "must be a mapping",
    "model_attributes_type": "must be a mapping",
    "dict_type": "must be a mapping",
    "date_type": "must be a date written YYYY-MM-DD",
}


def _number(value: float) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return repr(value)


def got(value: Any) -> str:
    """A value received, as an error message shows it (short, no control characters)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return _number(value)
    if isinstance(value, str):
        return shown(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


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


_NO_VALUE = ("missing", "extra_forbidden", "value_error", "too_short", "too_long")


def _message(error: Any) -> str:
    text = _text(error)
    if error["type"] in _NO_VALUE or "(got " in text or error["type"] == "literal_error":
        return text
    return f"{text} (got {got(error.get('input'))})"


def _text(error: Any) -> str:
    kind, ctx = error["type"], error.get("ctx", {})
    if kind in ("less_than_equal", "less_than"):
        op = "<=" if kind == "less_than_equal" else "<"
        return f"must be {op} {_number(ctx.get('le', ctx.get('lt')))}"
    if kind in ("greater_than_equal", "greater_than"):
        op = ">=" if kind == "greater_than_equal" else ">"
        return f"must be {op} {_number(ctx.get('ge', ctx.get('gt')))}"
    if kind == "literal_error":
        return f"must be one of {ctx.get('expected')} (got {got(error.get('input'))})"
    if kind in ("too_short", "too_long"):
        if error["loc"] == ("legs",):
            n = len(error.get("input") or ())
            return f"must list one or two legs (got {n})"
        if kind == "too_long":
            return (f"must list at most {ctx.get('max_length')} entries "
                    f"(got {ctx.get('actual_length')})")
        return str(error["msg"]).lower()
    if kind == "string_too_short":
        n = ctx.get("min_length")
        return "must not be empty" if n == 1 else f"must be at least {n} characters long"
    if kind == "string_too_long":
        return f"must be at most {ctx.get('max_length')} characters long"
    if kind == "value_error":
        return str(ctx.get("error", error["msg"]))
    if kind.startswith("date"):
        return f"must be a real date written YYYY-MM-DD (got {got(error.get('input'))})"
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
        message = _message(error)
        if message.startswith(_ACROSS):  # rules across fields name their own fields
            prefix = _path(error["loc"])
            for part in message.split(_ACROSS)[1:]:
                seen[part if prefix == "document" else f"{prefix}.{part}"] = None
            continue
        seen[f"{_path(error['loc'])}: {message}"] = None
    lines = list(seen)
    if len(lines) > MAX_PROBLEMS:
        more = len(lines) - MAX_PROBLEMS
        lines = [*lines[:MAX_PROBLEMS], f"document: {more} more problems not shown"]
    return lines


def parse_patient(data: Any, source: str | None = None) -> Patient:
    """Validate already-parsed data (a mapping) into a Patient, or raise InputError."""
    if not isinstance(data, dict):
        kind = "empty" if data is None else "a list" if isinstance(data, list) else "a scalar"
        raise InputError([f"document: must be a mapping of patient fields (got {kind})"], source)
    try:
        return Patient.model_validate(_whole(plain(data)))
    except ValidationError as exc:
        raise InputError(problems_of(exc), source) from None
    except RecursionError:
        raise InputError(["document: nested too deeply"], source) from None


def read_patient(path: str | Path) -> Patient:
    """Read a YAML or JSON patient file; every problem is an InputError naming a field or line."""
    source = str(path)
    try:
        with Path(path).open("rb") as stream:
            raw = stream.read(MAX_BYTES + 1)  # read no further than the limit (/dev/zero)
    except OSError as exc:
        raise InputError([f"cannot read file ({exc.strerror})"], source) from None
    return loads_patient(raw, source)


def loads_patient(text: str | bytes, source: str | None = None) -> Patient:
    """Parse a patient document's text: JSON by JSON's rules (a `.json` source, or text that
    opens with `{`), anything else as YAML; every problem is an InputError."""
    try:
        data = load_document(text, source)
    except YamlSourceError as exc:
        raise InputError([str(exc)], source) from None
    return parse_patient(data, source)
