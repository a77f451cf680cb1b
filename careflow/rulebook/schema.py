"""The parsed rule set: plain frozen data, independent of YAML and of the engine."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..logic import All as All
from ..logic import Any_ as Any_
from ..logic import Cond as Cond
from ..logic import Flag as Flag
from ..logic import Leaf as Leaf
from ..logic import Not as Not
from ..logic import Param as Param
from ..logic import Ref as Ref
from ..logic import Unless as Unless
from ..logic import Where as Where


@dataclass(frozen=True)
class Output:
    """What a rule produces.

    effect "derive": a finding; "claim": an item with a status; "hold": turns an item that
    would be recommended or an option into deferred; "annotate": adds detail to an item.
    Holds and annotations never create an item on their own.
    """

    effect: str
    where: Where
    finding: str | None = None
    action: str | None = None
    status: str | None = None
    side: str = "this"  # "this" | "patient" | "any" (holds only)
    detail: tuple[tuple[str, Any], ...] = ()
    reason_code: str | None = None
    urgency: str | None = None
    coverage: str | None = None
    disclosures: tuple[str, ...] = ()
    precautions: tuple[str, ...] = ()  # annotations: what the doctor must plan
    kinds: tuple[str, ...] = ()  # holds: the kinds of item held


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    area: str
    scope: str  # "patient" | "leg"
    when: Cond
    outputs: tuple[Output, ...]
    evidence: tuple[str, ...]
    priority: int
    where: Where
    note: str = ""
    title_ja: str = ""  # the title in Japanese (the `--lang ja` outputs show it)


@dataclass(frozen=True)
class EvidenceRef:
    id: str
    source: str
    grade: str
    url: str | None
    verification: str  # V | S | U (docs/sources.md#labels)
    note: str = ""
    citation: str | None = None  # authors, title, journal or issuing body, year
    doi: str | None = None
    pmid: str | None = None
    summary_ja: str = ""  # what the source says, in Japanese (the Japanese book)
    grade_ja: str = ""  # the grade in Japanese where it is the project's words (the Japanese book)

    @property
    def clinic_policy(self) -> bool:
        """Is this entry the clinic's own choice (当院方針: its policy, heuristic, convention
        or advice)? Its `source` says so by starting with the word "clinic"."""
        return self.source.split(" ", 1)[0].lower() == "clinic"


@dataclass(frozen=True)
class Parameter:
    """A named threshold: its value, its type (`integer`, `number`, `text`, `boolean`) and
    its bounds; every value, the file's and any override, is checked against them."""

    name: str
    value: Any
    source: str
    verification: str
    unit: str = ""
    text: str = ""
    type: str = ""  # declared, or taken from the value
    minimum: float | None = None
    maximum: float | None = None
    where: Where | None = None
    text_ja: str = ""  # what it means, in Japanese (the Japanese book)
    source_ja: str = ""  # its source, in Japanese (the Japanese book)


@dataclass
class RuleSet:
    """Everything loaded from a rules folder, before compiling."""

    name: str
    version: str
    rules: list[Rule] = field(default_factory=list)
    evidence: dict[str, EvidenceRef] = field(default_factory=dict)
    parameters: dict[str, Parameter] = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict)  # relative path -> bytes (digest)
    # consent.yaml: the self-pay consent's texts, {"form": {...}, "actions": {action: {code:
    # {"ja": ..., "en": ...}}}}, with the line of each action (None: the file is absent)
    consent: dict[str, Any] | None = None
    consent_lines: dict[str, Where] = field(default_factory=dict)
