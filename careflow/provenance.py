"""Where a patient's facts came from, when careflow read them from a FHIR bundle: the mapping
report (docs/fhir-in.md#report), and `attach`, which puts it on a plan.

Plain data with no FHIR import, so that a plan can carry it and a caller that only renders
plans never loads the FHIR models. Fact paths are written as plan reasons write them, sides by
name (`legs.right.abi`, `conditions.diabetes`, `history[0]`), so that a reason finds its
source by its `fact`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict

if TYPE_CHECKING:
    from .plan import Check, Contribution, Finding, Item, Plan, Reason


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Source(_Frozen):
    """One resource element that gave a fact: `Observation/abi-right valueQuantity.value`."""

    resource: str
    element: str
    code: str | None = None  # the coding careflow recognised, as `system|code`

    def __str__(self) -> str:
        return f"{self.resource} {self.element}"


class Note(_Frozen):
    """Something the report says about a resource or a fact, with why."""

    resource: str | None = None
    element: str | None = None
    fact: str | None = None
    code: str | None = None
    reason: str


class MappingReport(_Frozen):
    """What a bundle gave and what it did not (docs/fhir-in.md#report).

    - `facts`: each patient field path that the bundle gave, with the resources it came from;
    - `unrecognised`: codes careflow does not read (and what that did to the fact);
    - `not_used`: resources read and set aside, with why (an unconfirmed diagnosis, a value
      entered in error, a measurement dated after the assessment, an older duplicate);
    - `unknown`: facts the bundle left unknown and lists left not asked;
    - `defaults`: facts the bundle did not give that the patient document reads as false or
      empty (docs/patient.md#reading), named so that the doctor sees the assumption.
    """

    format: Literal["fhir-r4"] = "fhir-r4"
    bundle: str | None = None  # Bundle.id, when it has one
    facts: dict[str, tuple[Source, ...]] = {}
    unrecognised: tuple[Note, ...] = ()
    not_used: tuple[Note, ...] = ()
    unknown: tuple[Note, ...] = ()
    defaults: tuple[Note, ...] = ()

    def sources_of(self, fact: str) -> tuple[Source, ...]:
        """The resources behind a plan reason's `fact`: its own entry; for a code of an asked
        list (`conditions.sepsis` false) the resources that answered the list; for `bmi` the
        height and the weight. A history summary with no entry behind it
        (`history.endovenous.gsv_treated` false) has none: it says what the bundle lacks."""
        found = self.facts.get(fact)
        if found:
            return found
        if fact == "bmi":
            return self.facts.get("height_cm", ()) + self.facts.get("weight_kg", ())
        head = fact.split(".", 1)[0].split("[", 1)[0]
        if head in ("conditions", "allergies", "medications"):
            return self.facts.get(head, ())
        return ()


def attach(plan: Plan, report: MappingReport) -> Plan:
    """The plan with the report on it (`plan.mapping`) and each reason and check naming the
    resources its fact came from (`source`), so that every renderer can show them."""
    def reason(r: Reason) -> Reason:
        found = report.sources_of(r.fact) if r.kind == "input" else ()
        return r.model_copy(update={"source": tuple(str(s) for s in found)}) if found else r

    def check(c: Check) -> Check:
        found = report.sources_of(c.fact)
        return c.model_copy(update={"source": tuple(str(s) for s in found)}) if found else c

    def contribution(c: Contribution) -> Contribution:
        return c.model_copy(update={"reasons": tuple(reason(r) for r in c.reasons)})

    def item(i: Item) -> Item:
        update: dict[str, Any] = {
            "reasons": tuple(reason(r) for r in i.reasons),
            "checked": tuple(check(c) for c in i.checked),
            "unchecked": tuple(check(c) for c in i.unchecked),
            "other_rules": tuple(contribution(c) for c in i.other_rules),
        }
        return i.model_copy(update=update)

    def finding(f: Finding) -> Finding:
        return f.model_copy(update={"reasons": tuple(reason(r) for r in f.reasons)})

    return plan.model_copy(update={
        "items": tuple(item(i) for i in plan.items),
        "findings": tuple(finding(f) for f in plan.findings),
        "mapping": report,
    })
