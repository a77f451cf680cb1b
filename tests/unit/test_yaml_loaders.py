"""The two YAML readers agree: rule files are read by libyaml's parser (fast), patient
documents by the pure-Python one; on every document of the bad-input corpus, the examples and
the shipped rules they accept and refuse the same documents and build the same values."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from careflow.yamlsrc import YamlSourceError, load_rule_yaml, load_yaml, plain

ROOT = Path(__file__).resolve().parents[2]
DOCS = sorted([*(ROOT / "tests" / "fixtures" / "bad_patients").glob("*"),
               *(ROOT / "examples").glob("*.yaml"), *(ROOT / "rules").glob("*.yaml")])


def _read(load: Callable[[bytes], Any], raw: bytes) -> tuple[str, object]:
    try:
        return ("ok", plain(load(raw)))
    except YamlSourceError as exc:
        return ("refused", str(exc).split(":", 1)[-1].strip().split(" (")[0][:30])


@pytest.mark.parametrize("path", DOCS, ids=[p.name for p in DOCS])
def test_both_readers_agree(path: Path) -> None:
    raw = path.read_bytes()
    python, c = _read(load_yaml, raw), _read(load_rule_yaml, raw)
    assert python[0] == c[0], (python, c)
    if python[0] == "ok":
        assert python == c
