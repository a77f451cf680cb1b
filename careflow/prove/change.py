"""A why-not answer applied to a patient document (docs/why-not.md): each changed fact
written where careflow.parse_patient reads it, so that the engine can confirm the answer.
No solver here: the values come from careflow.prove.whynot."""

from __future__ import annotations

import copy
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from ..facts import FACTS
from ..model import Patient

Doc = dict[str, Any]


def document(patient: Patient) -> Doc:
    """The patient as a document parse_patient reads back to the same patient."""
    return patient.model_dump(mode="json", exclude_none=True)


def _leg(doc: Doc, side: str) -> Doc:
    return next(leg for leg in doc["legs"] if leg["side"] == side)


def set_fact(doc: Doc, patient: Patient, fact: str, side: str | None, value: Any) -> None:
    """Write a measured value (a number fact) into the document; a duplex value on a leg
    without a recorded duplex records one on the assessment date."""
    leg = patient.leg(side) if side else None
    path = FACTS[fact].source(patient, leg)[0]
    node = doc
    if path.startswith("legs."):
        assert side is not None
        node = _leg(doc, side)
        path = path.split(".", 2)[2]
    *parents, last = path.split(".")
    for part in parents:
        if part not in node:
            node[part] = {"performed_on": doc["assessed_on"]} if part == "duplex" else {}
        node = node[part]
    node[last] = value


def _bmi(height_cm: float, weight_kg: float) -> float:
    return round(weight_kg / (height_cm / 100) ** 2, 1)


def set_bmi(doc: Doc, bmi: float) -> None:
    """The weight that gives this BMI at the patient's height (the model rounds the BMI to one
    decimal), to 0.1 kg where one does, else to 0.01 kg."""
    height = float(doc["height_cm"])
    exact = Decimal(str(bmi)) * (Decimal(str(height)) / 100) ** 2
    for places in ("0.1", "0.01"):
        base = exact.quantize(Decimal(places), rounding=ROUND_HALF_UP)
        step = Decimal(places)
        for k in range(-20, 21):
            weight = float(base + k * step)
            if weight > 0 and _bmi(height, weight) == bmi:
                doc["weight_kg"] = int(weight) if weight.is_integer() else weight
                return
    raise ValueError(f"no weight gives a BMI of {bmi} at {height} cm")


def continue_course(doc: Doc, treatment: str, side: str, total: int) -> None:
    """The treatment's longest course without a good response on this leg now lasts `total`
    weeks: this leg's partial course is extended, or else one is added (a course that did not
    help at all, or was not tolerated, stays as it was, and so does a course recorded for both
    legs: the other leg's history does not change)."""
    history = doc.setdefault("history", [])
    own = [e for e in history if e["treatment"] == treatment and e.get("side") == side
           and e["response"] == "partial"]
    if own:
        longest = max(own, key=lambda e: e["weeks"])
        longest["weeks"] = max(longest["weeks"], total)
        return
    history.append({"treatment": treatment, "side": side, "weeks": total,
                    "response": "partial"})


def changed(patient: Patient) -> Doc:
    """A fresh copy of the patient's document to change."""
    return copy.deepcopy(document(patient))


__all__ = ["changed", "continue_course", "document", "set_bmi", "set_fact"]
