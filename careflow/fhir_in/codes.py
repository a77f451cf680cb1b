"""The code tables of `codes.yaml`, loaded once: which coding gives which patient fact.

Lookups take a FHIR coding's `system` and `code` and answer in careflow's terms; the table
itself (and where each code comes from) is data, in `codes.yaml` beside this module.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as _field
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from .. import vocabulary as v

ICD10 = "icd10"
YJ = "yj"
ATC = "atc"


@dataclass(frozen=True)
class ObservationCode:
    """What one observation code gives: a field path (`legs.*.abi`, `*` the side), how its
    value is read, and where the code comes from."""

    field: str
    scope: str  # patient | leg | duplex
    value: str  # number | integer | boolean | date | coded | member | marker | ignored
    codes: tuple[str, ...]  # "system-name#code"
    display: str
    source: str
    confirmed: str
    units: dict[str, float] = _field(default_factory=dict)
    values: dict[str, Any] = _field(default_factory=dict)  # coded: "system#code" -> value
    member_system: str | None = None
    reason: str = ""
    regions: tuple[str, ...] = ()  # the body-site regions that count (empty: any)


@dataclass(frozen=True)
class ConditionCode:
    prefixes: tuple[str, ...]
    condition: str
    when: str  # any | active | inactive
    unconfirmed: str | None
    source: str
    otherwise: str = ""  # why a code of this entry at another clinical status is not read


@dataclass(frozen=True)
class Tables:
    systems: dict[str, str]  # short name -> canonical URI
    aliases: dict[str, str]  # any URI read -> short name
    sides: dict[str, str]  # "system#code" -> right | left | both
    regions: dict[str, str]  # "system#code" -> leg | knee | side
    observations: dict[str, ObservationCode]  # "system#code" -> entry
    by_field: dict[str, ObservationCode]
    conditions: tuple[ConditionCode, ...]
    no_known: dict[str, frozenset[str]]
    no_information: dict[str, frozenset[str]]
    medications: dict[str, tuple[tuple[str, str], ...]]  # yj|atc -> (prefix, medication)
    medication_doubt: dict[str, tuple[str, ...]]
    procedures: dict[str, str]  # "system#code" -> treatment
    raw: dict[str, Any]

    def name(self, system: str | None) -> str | None:
        """The table's short name of a coding's system URI, or None if careflow does not
        read that system."""
        return self.aliases.get(system or "")

    def key(self, system: str | None, code: str | None) -> str | None:
        name = self.name(system)
        return f"{name}#{code}" if name and code else None

    def uri(self, name: str) -> str:
        return self.systems[name]

    def condition(self, code: str, status: str) -> tuple[str | None, ConditionCode | None]:
        """The careflow condition an ICD-10 code gives at a clinical status (`active`,
        `inactive`) and verification (`confirmed`, `unconfirmed`), or None."""
        plain = code.replace(".", "").upper()
        matches = [(len(prefix), i) for i, entry in enumerate(self.conditions)
                   for prefix in entry.prefixes if plain.startswith(prefix)]
        best = self.conditions[max(matches)[1]] if matches else None
        if best is None:
            return None, None
        verification, clinical = status.split("/")
        if verification == "unconfirmed":
            return best.unconfirmed, best
        if best.when == "any" or best.when == clinical:
            return best.condition, best
        return None, best

    def medication(self, system_name: str, code: str) -> str | None:
        plain = code.replace(" ", "").upper()
        best = ("", "")
        for prefix, medication in self.medications.get(system_name, ()):
            if plain.startswith(prefix) and len(prefix) > len(best[0]):
                best = (prefix, medication)
        return best[1] or None

    def medication_in_doubt(self, system_name: str, code: str) -> bool:
        plain = code.replace(" ", "").upper()
        return any(plain.startswith(p) for p in self.medication_doubt.get(system_name, ()))


def _entry(raw: dict[str, Any]) -> ObservationCode:
    return ObservationCode(
        field=raw["field"], scope=raw.get("scope", "patient"), value=raw["value"],
        codes=tuple(raw["codes"]), display=raw.get("display", ""), source=raw["source"],
        confirmed=raw["confirmed"], units={str(k): float(x) for k, x in
                                            (raw.get("units") or {}).items()},
        values=dict(raw.get("values") or {}), member_system=raw.get("member_system"),
        reason=raw.get("reason", ""), regions=tuple(raw.get("regions") or ()))


@lru_cache(maxsize=1)
def tables() -> Tables:
    """The tables of `codes.yaml` (read once per process)."""
    text = resources.files(__package__).joinpath("codes.yaml").read_text(encoding="utf-8")
    raw: dict[str, Any] = yaml.safe_load(text)
    systems = {name: spec["uri"] for name, spec in raw["systems"].items()}
    aliases = {spec["uri"]: name for name, spec in raw["systems"].items()}
    for name, spec in raw["systems"].items():
        for uri in spec.get("also", ()):
            aliases[uri] = name
    observations: dict[str, ObservationCode] = {}
    by_field: dict[str, ObservationCode] = {}
    for item in raw["observations"]:
        entry = _entry(item)
        by_field[entry.field] = entry
        for code in entry.codes:
            observations[code] = entry
    conditions = [ConditionCode(tuple(c["icd10"]), c["condition"], c.get("when", "active"),
                                c.get("unconfirmed"), c["source"], c.get("otherwise", ""))
                  for c in raw["conditions"]]
    medications: dict[str, list[tuple[str, str]]] = {YJ: [], ATC: []}
    for m in raw["medications"]:
        for name in (YJ, ATC):
            medications[name] += [(p, m["medication"]) for p in m.get(name, ())]
    doubt: dict[str, list[str]] = {YJ: [], ATC: []}
    for d in raw.get("medication_doubt", ()):
        for name in (YJ, ATC):
            doubt[name] += list(d.get(name, ()))
    procedures = {p["code"]: p["treatment"] for p in raw["procedures"]}
    procedures.update({f"action#{t}": t for t in v.TREATMENT_CODES})
    return Tables(
        systems=systems, aliases=aliases,
        sides={s["code"]: s["side"] for s in raw["sides"]},
        regions={s["code"]: s["region"] for s in raw["sides"]},
        observations=observations, by_field=by_field, conditions=tuple(conditions),
        no_known={k: frozenset(e["code"] for e in x) for k, x in raw["no_known"].items()},
        no_information={k: frozenset(x) for k, x in raw["no_information"].items()},
        medications={k: tuple(x) for k, x in medications.items()},
        medication_doubt={k: tuple(x) for k, x in doubt.items()},
        procedures=procedures, raw=raw,
    )
