"""Synthetic inputs for the scaling benchmarks: more rules, one or two legs.

`scaled_rules(src, k, dest)` writes a rules folder with k copies of every rule file: copy i
renames each rule id (`X` -> `X_C{i}`), each finding it derives or tests (`f` -> `f_c{i}`,
under `all`, `any`, `not` and `unless`) and each named criterion it defines or reads
(`define:` / `criterion:`, `c` -> `c_c{i}`: a criterion is defined once per rule set), so
every copy is an independent chain of findings that claims the same items (the resolver then
merges k times as many claims; `claimed:` reads every copy's claims). parameters.yaml and
evidence.yaml are shared. The folder is checked by `load_rulebook` like any other.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import yaml

from careflow.model import Patient, parse_patient
from careflow.rulebook.parse import NOT_RULES, SPECIAL_FILES

SHARED = (*SPECIAL_FILES, *NOT_RULES)  # kept once: the parameters, sources, consent texts
# and the properties are not rules to copy


def _rename_cond(node: Any, suffix: str) -> Any:
    if isinstance(node, list):
        return [_rename_cond(c, suffix) for c in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for key, value in node.items():
        if key in ("finding", "criterion") and isinstance(value, str):
            out[key] = value + suffix.lower()
        elif key in ("all", "any", "not", "unless"):
            out[key] = _rename_cond(value, suffix)
        else:
            out[key] = value
    return out


def _rename_rule(rule: dict[str, Any], suffix: str) -> dict[str, Any]:
    rule = dict(rule)
    rule["id"] = f"{rule['id']}{suffix}"
    if "when" in rule:
        rule["when"] = _rename_cond(rule["when"], suffix)
    derive = rule.get("derive")
    if isinstance(derive, str):
        rule["derive"] = derive + suffix.lower()
    elif isinstance(derive, dict):
        rule["derive"] = {**derive, "finding": derive["finding"] + suffix.lower()}
    return rule


def scaled_rules(src: Path, k: int, dest: Path) -> Path:
    """A rules folder with k copies of every rule file of `src` (k=1: the files as they are)."""
    dest.mkdir(parents=True, exist_ok=True)
    for path in sorted(src.glob("*.yaml")):
        shutil.copyfile(path, dest / path.name)
        if path.name in SHARED:
            continue
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for i in range(2, k + 1):
            suffix = f"_C{i}"
            copy = dict(data, rules=[_rename_rule(r, suffix) for r in data.get("rules", [])])
            if isinstance(data.get("define"), dict):
                copy["define"] = {f"{name}{suffix.lower()}": _rename_cond(cond, suffix)
                                  for name, cond in data["define"].items()}
            (dest / f"{path.stem}{suffix.lower()}.yaml").write_text(
                yaml.safe_dump(copy, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return dest


_OTHER = {"right": "left", "left": "right"}


def with_legs(patient: Patient, n: int) -> Patient:
    """The patient with exactly n legs (1 or 2): the first leg kept, or mirrored to the other
    side (with its side-specific history)."""
    doc = patient.model_dump(mode="json", exclude_none=True)
    first = doc["legs"][0]
    side = first["side"]
    if n == 1:
        doc["legs"] = [first]
        doc["history"] = [h for h in doc.get("history", []) if h.get("side") in (None, side)]
    else:
        other = _OTHER[side]
        doc["legs"] = [first, {**first, "side": other}]
        history = [h for h in doc.get("history", []) if h.get("side") in (None, side)]
        doc["history"] = history + [{**h, "side": other} for h in history if h.get("side")]
    return parse_patient(doc, f"{patient.id} with {n} leg(s)")
