"""One input policy (docs/patient.md#bad-input): a YAML file, a JSON record of a batch and a
batch CSV row type every scalar by the same rules (YAML 1.2 core, decimal only; a whole number
written 5.0 is 5), so each value of one corpus is accepted, or refused, alike on every path.
A FHIR bundle is JSON: its numbers are typed as the batch's JSON records type them, and a
number written as text is refused there as it is in a JSON record."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from careflow import InputError, loads_patient
from careflow.batch import _patient, read_csv
from careflow.fhir_in import read_bundle

ROOT = Path(__file__).resolve().parents[2]

# (the age as written, the age careflow reads, or None: refused)
AGES = [("60", 60), ("60.0", 60), ("+60", 60), ("6e1", 60), ("60.5", None), ("0_6_0", None),
        ("060", None), ("0x3C", None), ("1:00", None), ("sixty", None), (".inf", None),
        (".nan", None), ("true", None), ("yes", None)]
# what JSON itself cannot write as a number arrives as a JSON string: text, never a number
# (a string is not converted, so there the answer is always a refusal)
NOT_JSON_NUMBERS = {"+60", "0_6_0", "060", "0x3C", "1:00", "sixty", ".inf", ".nan", "yes"}


def _via_yaml(age: str) -> int | None:
    try:
        return loads_patient(f"id: P-1\nassessed_on: 2026-11-20\nage: {age}\nsex: female\n"
                             "legs:\n  - side: right\n").age
    except InputError:
        return None


def _via_json(age: str) -> int | None:
    value = f'"{age}"' if age in NOT_JSON_NUMBERS else age
    record = ('{"id": "P-1", "assessed_on": "2026-11-20", "age": ' + value
              + ', "sex": "female", "legs": [{"side": "right"}]}')
    try:
        return _patient(record, "line 1").age
    except InputError:
        return None


def _via_csv(age: str, tmp_path: Path) -> int | None:
    path = tmp_path / "in.csv"
    path.write_text("id,assessed_on,age,sex,legs.0.side\n"
                    f"P-1,2026-11-20,{age},female,right\n", encoding="utf-8")
    [(_line, record)] = list(read_csv(path))
    try:
        return _patient(record, "in.csv").age
    except InputError:
        return None


@pytest.mark.parametrize("written,age", AGES, ids=[w for w, _ in AGES])
def test_every_input_path_types_a_scalar_alike(written: str, age: int | None,
                                               tmp_path: Path) -> None:
    assert _via_yaml(written) == age, "YAML"
    assert _via_json(written) == (None if written in NOT_JSON_NUMBERS else age), "JSON"
    assert _via_csv(written, tmp_path) == age, "CSV"


def test_a_csv_list_cell_of_brackets_is_asked_none_and_an_empty_cell_is_not_asked(
        tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_text("id,assessed_on,age,sex,legs.0.side,conditions,medications\n"
                    "P-1,2026-11-20,60,female,right,[],anticoagulant;metformin\n"
                    "P-2,2026-11-20,60,female,right,,\n", encoding="utf-8")
    first, second = (_patient(r, "in.csv") for _, r in read_csv(path))
    assert first.conditions == () and first.medications == ("anticoagulant", "metformin")
    assert second.conditions is None and second.medications is None


# a KL grade (an integer 0-4) written in a FHIR Observation.valueInteger and in a batch
# record, each form as JSON writes it (quoted: a JSON string)
KL_FORMS = [("2", 2), ("2.0", 2), ("2e0", 2), ("2.5", None), ("-0", 0), ('"2"', None),
            ('"0_2"', None), ('"02"', None), ('"+2"', None), ('" 2"', None), ("true", None),
            ("null", None), ("[2]", None)]


def _kl_via_fhir(written: str, tmp_path: Path) -> int | None:
    bundle = json.loads((ROOT / "examples" / "fhir" / "vascular-knee-pain.json").read_text())
    [kl] = [e["resource"] for e in bundle["entry"] if e["resource"].get("id") == "kl-right"]
    kl["valueInteger"] = "@KL@"
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps(bundle).replace('"@KL@"', written), encoding="utf-8")
    try:
        leg = read_bundle(path).patient.leg("right")
    except InputError:
        return None
    assert leg is not None and leg.knee is not None
    return leg.knee.kl_grade


def _kl_via_json(written: str) -> int | None:
    record = ('{"id": "P-1", "assessed_on": "2026-11-20", "age": 60, "sex": "female", '
              '"legs": [{"side": "right", "knee": {"kl_grade": ' + written + '}}]}')
    try:
        knee = _patient(record, "line 1").legs[0].knee
    except InputError:
        return None
    assert knee is not None
    return knee.kl_grade


@pytest.mark.parametrize("written,grade", KL_FORMS, ids=[w for w, _ in KL_FORMS])
def test_a_fhir_bundle_types_a_number_as_a_json_record_does(written: str, grade: int | None,
                                                            tmp_path: Path) -> None:
    assert _kl_via_json(written) == grade, "JSON record"
    assert _kl_via_fhir(written, tmp_path) == grade, "FHIR bundle"
