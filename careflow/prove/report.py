"""The proof report: text (Japanese or English) or JSON, one entry per property, with each
counterexample as a patient document and a scenario."""

from __future__ import annotations

import json
from typing import Any

from ..export.words import say
from ..labels import label
from .prover import Outcome
from .scenario import document_yaml, scenario


def _w(key: str, lang: str) -> str:
    return say(f"prove.{key}", lang)


def _leg(side: str | None, lang: str) -> str:
    return label("side", side, lang) if side else _w("patient", lang)


def as_text(outcomes: list[Outcome], lang: str, protocol: str) -> str:
    out = [protocol]
    for o in outcomes:
        p = o.prop
        out.append(f"{_w(o.status, lang):>6}  {p.id}  ({o.seconds:.2f} {_w('seconds', lang)})  "
                   f"{p.words(lang)}")
        if o.error:
            out.append(f"        {o.error}")
        ce = o.counterexample
        if ce is not None:
            out.append(f"        {_leg(ce.side, lang)}; "
                       + (_w("engine", lang) if ce.confirmed else ""))
            out.append(f"        {_w('document', lang)}")
            out.extend("          " + line for line in document_yaml(ce.document).splitlines())
            out.append(f"        {_w('scenario', lang)}")
            out.extend("    " + line for line in scenario(
                p, ce.document, ce.view, ce.side, ce.rules).splitlines())
    ok = sum(o.status == "proven" for o in outcomes)
    out.append(say("prove.summary", lang, n=len(outcomes), ok=ok, bad=len(outcomes) - ok))
    return "\n".join(out) + "\n"


def as_json(outcomes: list[Outcome], protocol: str) -> str:
    entries: list[dict[str, Any]] = []
    for o in outcomes:
        p = o.prop
        entry: dict[str, Any] = {"id": p.id, "status": o.status, "seconds": round(o.seconds, 3),
                                 "ja": p.ja, "en": p.en, "where": f"{p.file}:{p.line}"}
        if o.error:
            entry["error"] = o.error
        ce = o.counterexample
        if ce is not None:
            entry["counterexample"] = {
                "side": ce.side, "patient": ce.document, "engine_confirms": ce.confirmed,
                "rules": list(ce.rules),
                "plan": [{"action": i.action, "side": i.side, "status": i.status,
                          "rule": i.rule, "reason_code": i.reason_code}
                         for i in ce.view.plan.items],
                "scenario_ja": scenario(p, ce.document, ce.view, ce.side, ce.rules),
            }
        entries.append(entry)
    return json.dumps({"protocol": protocol, "properties": entries}, ensure_ascii=False,
                      indent=2) + "\n"


__all__ = ["as_json", "as_text"]
