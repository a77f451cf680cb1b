"""Procedures read into the treatment history (docs/patient.md#history): the treatment, its
leg and vein, the weeks from the performed period or date, the response from the outcome."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .. import vocabulary as v
from ..errors import FhirInputError
from ..model import got
from .bundle import Entry
from .observations import side_of
from .reading import (
    Reading,
    coding_list,
    date_text,
    shown_codes,
    to_date,
)

_PROC_USED = ("completed", "in-progress", "stopped")



def read_procedure(r: Reading, entry: Entry, history: list[tuple[dict[str, Any], str]]) -> None:
    res, label = entry.resource, entry.label
    status = res.get("status")
    if status not in _PROC_USED:
        r.note("not_used", label, f"status {got(status)}: not a treatment that was done",
               element="status")
        return
    concept = res.get("code")
    codings = coding_list(concept)
    treatment = None
    for c in codings:
        key = r.t.key(c.get("system"), c.get("code"))
        if key in r.t.procedures:
            treatment = r.t.procedures[key]
            break
    if treatment is None:
        r.note("unrecognised", label, "not a treatment careflow reads: not in the history",
               element="code", code=shown_codes(codings, concept), fact="history")
        return
    out: dict[str, Any] = {"treatment": treatment}
    sites = res.get("bodySite") or []
    side, _why = side_of(r, label, [s for s in sites if not any(
        r.t.name(c.get("system")) == "vein" for c in coding_list(s))])
    if side in v.SIDES:
        out["side"] = side
    for s in sites:
        for c in coding_list(s):
            if r.t.name(c.get("system")) == "vein":
                out["vein"] = c.get("code")
    weeks = _weeks(r, res, label)
    if weeks is None:
        r.note("unknown", label, "no performed date or period: the weeks are unknown, so "
               "the treatment is not in the history", element="performed[x]", fact="history")
        return
    out["weeks"] = weeks
    response = None
    for o in coding_list(res.get("outcome")):
        if r.t.name(o.get("system")) == "response" and o.get("code") in v.RESPONSES:
            response = o["code"]
    if response is None:
        r.note("unknown", label, "no outcome careflow reads (none, partial, good, "
               "not_tolerated): the treatment is not in the history", element="outcome",
               fact="history")
        return
    out["response"] = response
    history.append((out, label))


def _weeks(r: Reading, res: Mapping[str, Any], label: str) -> int | None:
    """A course's length from its period, or the weeks since a procedure from its date
    (docs/patient.md#history)."""
    day = r.assessed_on
    period = res.get("performedPeriod")
    if isinstance(period, Mapping) and date_text(period.get("start")):
        start = to_date(label, "performedPeriod.start", date_text(period["start"]))
        end_text = date_text(period.get("end"))
        end = to_date(label, "performedPeriod.end", end_text) if end_text else day
        if start > day:
            raise FhirInputError([f"{label}.performedPeriod.start: is after the assessment "
                                  f"day {day.isoformat()} (got {got(period['start'])})"])
        return max(0, (min(end, day) - start).days // 7)
    when = date_text(res.get("performedDateTime"))
    if when:
        done = to_date(label, "performedDateTime", when)
        if done > day:
            raise FhirInputError([f"{label}.performedDateTime: is after the assessment day "
                                  f"{day.isoformat()} (got {got(res['performedDateTime'])})"])
        return (day - done).days // 7
    return None
