"""careflow's exceptions, one tree.

    CareflowError
    ├── InputError            bad patient input: every problem names a field path or a line
    │   └── FhirInputError    a FHIR bundle careflow refuses: names the resource and element
    ├── UsageError            a call careflow cannot serve (wrong type, unknown language);
    │                         also a ValueError
    ├── RulebookError         a rule set that does not load: a list of Diagnostics (file:line)
    ├── EngineError           the rule engine failed; no plan is returned (fail closed)
    └── MissingExtra          a part that needs an optional extra not installed; also an
                              ImportError (names the extra: pip install 'careflow[fhir]')

A refusal a person reads at the command line (the consent's, the price list's, the PDF's) is
made by key, `ConsentError.said("consent.not_offered", action=...)`: REFUSALS below holds the
English, careflow/export/problems_ja.py the Japanese (`--lang ja`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Self

REFUSALS: Mapping[str, str] = MappingProxyType({
    # the self-pay consent (careflow/export/consent.py)
    "consent.not_self_pay": "{action!r} is not a self-pay treatment; choose one of {choices}",
    "consent.no_texts": "the rule set has no consent texts for {action} (consent.yaml)",
    "consent.not_offered": "the plan does not offer {action} (only an item that is "
                           "recommended or an option can be consented to)",
    "consent.not_offered_on": "the plan does not offer {action} on the {side} leg (only an "
                              "item that is recommended or an option can be consented to)",
    "consent.both_sides": "the plan offers {action} on both legs ({sides}): a consent is for "
                          "one leg, give --side right or --side left",
    "consent.whole_patient_side": "{action} is an item of the whole patient, not of a leg: give "
                                  "no --side (got --side {side})",
    # the clinic's price list (careflow/export/consent.py)
    "prices.unreadable": "{path}: cannot read the price list ({reason})",
    "prices.not_yaml": "{path}: {problem}",
    "prices.not_a_mapping": "{path}: a price list is a mapping with 'items' ({{action: "
                            "{{price, sessions, period}}}}) (got {got})",
    "prices.currency": "the price list's currency must be JPY, or left out: the form states "
                       "the cost in yen (got {got})",
    "prices.items": "the price list's items must be a mapping ({{action: {{price, sessions, "
                    "period}}}}) (got {got})",
    "prices.no_entry": "the price list has no entry for {action} (items.{action}: price, "
                       "sessions, period): the form is not printed without it",
    "prices.entry_not_mapping": "the price list's items.{action} must be a mapping of price, "
                                "sessions and period (got {got})",
    "prices.no_price": "the price list has no whole-number price for {action} "
                       "(items.{action}.price): the form is not printed without it",
    "prices.price": "the price list's items.{action}.price must be a whole number of yen above "
                    "0 (got {got})",
    "prices.field_missing": "the price list has no {field} for {action} "
                            "(items.{action}.{field}): the form is not printed without it",
    "prices.text": "the price list's items.{action}.{field} must be text, not blank, as the "
                   "clinic states it (got {got})",
    # the command line (careflow/cli.py) and the PDF (careflow/export/chromium.py)
    "cli.no_prices": "a consent needs the clinic's price list: give --prices PRICES.yaml",
    "cli.pdf_needs_out": "--format pdf writes a file: give --out PLAN.pdf",
    "pdf.no_chromium": "a PDF needs headless Chromium: install Debian's chromium and "
                       "fonts-noto-cjk (apt-get install chromium fonts-noto-cjk)",
    "pdf.failed": "Chromium could not print the PDF: {detail}",
})
"""The English of every refusal said by key (`CareflowError.said`); its `{fields}` are codes,
paths and values received, never words of a language. careflow/export/problems_ja.py says each
in Japanese (`--lang ja`), with the same fields."""


class CareflowError(Exception):
    """Base class of every error careflow raises on purpose. A refusal a person reads is made
    by `said(key, **fields)`: `key` names its sentence in REFUSALS, str() is the English, and
    careflow.export.problems_ja.said_in says it in the reader's language."""

    key: str | None = None
    fields: Mapping[str, object] = MappingProxyType({})

    @classmethod
    def said(cls, key: str, /, **fields: object) -> Self:
        """The refusal `key` with its fields (a tuple is listed with commas in English)."""
        exc = cls(REFUSALS[key].format(**{
            k: ", ".join(map(str, x)) if isinstance(x, tuple) else x
            for k, x in fields.items()}))
        exc.key, exc.fields = key, MappingProxyType(dict(fields))
        return exc


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


EXTRAS = {"cli": "the command line and the coloured terminal plan",
          "fhir": "FHIR input and output", "service": "the CDS Hooks service",
          "prove": "the proofs", "dask": "the batch on a Dask cluster"}
"""The optional extras of `pip install 'careflow[...]'` (pyproject.toml), and what needs each."""


class MissingExtra(CareflowError, ImportError):
    """A part of careflow that needs an optional extra that is not installed."""

    def __init__(self, extra: str, cause: ImportError) -> None:
        self.extra = extra
        super().__init__(f"{EXTRAS.get(extra, extra)} needs careflow's '{extra}' extra "
                         f"({cause}): pip install 'careflow[{extra}]'", name=cause.name)
