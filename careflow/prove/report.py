"""The proof report: text (Japanese or English) or JSON, one entry per property, with each
counterexample as a patient document and a scenario."""

from __future__ import annotations

import json
from typing import Any

from .prover import Outcome
from .scenario import document_yaml, scenario

_WORDS: dict[str, dict[str, Any]] = {
    "ja": {"proven": "証明済み", "fails": "反例あり", "error": "検証エラー",
           "leg": {"right": "右脚", "left": "左脚", None: "患者"},
           "document": "反例の患者（YAML）:", "scenario": "機能ファイルに貼り付けるシナリオ:",
           "engine": "ルールエンジンの治療計画も同じ違反を示す",
           "summary": "{n}件の性質のうち{ok}件を証明、{bad}件に反例",
           "seconds": "秒"},
    "en": {"proven": "proven", "fails": "fails", "error": "error",
           "leg": {"right": "right leg", "left": "left leg", None: "patient"},
           "document": "counterexample patient (YAML):",
           "scenario": "scenario to paste into a feature file:",
           "engine": "the rule engine's plan shows the same violation",
           "summary": "{ok} of {n} properties proven, {bad} with a counterexample",
           "seconds": "s"},
}


def as_text(outcomes: list[Outcome], lang: str, protocol: str) -> str:
    w = _WORDS[lang]
    out = [protocol]
    for o in outcomes:
        p = o.prop
        out.append(f"{w[o.status]:>6}  {p.id}  ({o.seconds:.2f} {w['seconds']})  "
                   f"{p.words(lang)}")
        if o.error:
            out.append(f"        {o.error}")
        ce = o.counterexample
        if ce is not None:
            out.append(f"        {w['leg'][ce.side]}; " + (w["engine"] if ce.confirmed else ""))
            out.append(f"        {w['document']}")
            out.extend("          " + line for line in document_yaml(ce.document).splitlines())
            out.append(f"        {w['scenario']}")
            out.extend("    " + line for line in scenario(
                p, ce.document, ce.view, ce.side, ce.rules).splitlines())
    ok = sum(o.status == "proven" for o in outcomes)
    out.append(w["summary"].format(n=len(outcomes), ok=ok, bad=len(outcomes) - ok))
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
