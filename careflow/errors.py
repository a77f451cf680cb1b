"""careflow's exceptions, one tree.

    CareflowError
    ├── InputError            bad patient input: every problem names a field path or a line
    │   └── FhirInputError    a FHIR bundle careflow refuses: names the resource and element
    ├── UsageError            a call careflow cannot serve (wrong type, unknown language);
    │                         also a ValueError
    ├── RulebookError         a rule set that does not load: a list of Diagnostics (file:line)
    └── EngineError           the rule engine failed; no plan is returned (fail closed)
"""

from __future__ import annotations

from dataclasses import dataclass


class CareflowError(Exception):
    """Base class of every error careflow raises on purpose."""


class InputError(CareflowError):
    """A patient document that careflow refuses; `problems` are `path: message` strings."""

    def __init__(self, problems: list[str], source: str | None = None) -> None:
        self.problems = problems
        self.source = source
        where = f"{source}: " if source else ""
        super().__init__(where + "; ".join(problems))


class FhirInputError(InputError):
    """A FHIR bundle careflow refuses (docs/fhir-in.md#refused): each problem names the
    resource (`Observation/abi-right`) and the element (`valueQuantity.value`), and the value
    received where there is one."""


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One problem in a rule set, pointing at a file and line."""

    file: str
    line: int
    column: int
    code: str
    message: str
    rule: str | None = None

    def __str__(self) -> str:
        rule = f" in rule {self.rule}" if self.rule else ""
        return f"{self.file}:{self.line}:{self.column} {self.code} {self.message}{rule}"


class UsageError(CareflowError, ValueError):
    """A call careflow cannot serve: the message names the argument and what it takes."""


class RulebookError(CareflowError):
    """A rule set with problems; every problem is reported, not only the first."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        self.diagnostics = sorted(diagnostics)
        super().__init__("\n".join(str(d) for d in self.diagnostics))


class EngineError(CareflowError):
    """The rule engine or a rule action failed; the evaluation returns no plan."""
