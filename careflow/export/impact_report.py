"""The impact of a rule change in words: the terminal summary, the JSON and the HTML report of
`careflow impact` (docs/impact.md). Japanese first; the words come from words.py and
labels.py, the boundary scenarios' steps from the feature files' glossary
(careflow.prove.scenario)."""

from __future__ import annotations

import json
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from ..labels import fact_label, label, value_label
from .page import FONTS
from .words import colon, html, paren, said_value, say

if TYPE_CHECKING:
    from ..prove.impact import Boundary, Cell, Change, ItemImpact, Outcome, Region
    from ..prove.population import PatientDiff, PopulationImpact
    from ..rulebook import Rulebook

SHOWN_PATIENTS = 50
"""Affected patients listed in the summary and the HTML (the JSON has them all)."""


# --- words ----------------------------------------------------------------------------------
def _n(x: Fraction | None) -> str:
    assert x is not None
    return value_label(int(x) if x.denominator == 1 else float(x), "en")


def cell_words(cell: Cell, lang: str, leg: bool = False) -> str:
    """「ABI（足関節上腕血圧比） 0.8以上0.9未満」, `0.8 <= ankle-brachial index < 0.9`; `leg`:
    the leg is named (a whole-patient item's region on one leg's fact)."""
    name = fact_label(cell.fact, lang)
    if leg and cell.side:
        name = label("side", cell.side, lang) + ("の" if lang == "ja" else " ") + name
    if cell.kind == "unknown":
        return say("impact.unknown_value", lang, name=name)
    if cell.kind == "value":
        return said_value(name, cell.value, lang)
    lo, hi = cell.lo, cell.hi
    if lo is not None and lo == hi:
        return f"{name} {_n(lo)}" if lang == "ja" else f"{name} = {_n(lo)}"
    if lang == "ja":  # 「0.8以上0.9未満」, as why-not says a range
        parts = []
        if lo is not None:
            parts.append(say("whynot.at_least" if cell.lo_closed else "whynot.over", lang,
                             x=_n(lo)))
        if hi is not None:
            parts.append(say("whynot.at_most" if cell.hi_closed else "whynot.below", lang,
                             x=_n(hi)))
        return f"{name} {''.join(parts)}"
    left = f"{_n(lo)} {'<=' if cell.lo_closed else '<'} " if lo is not None else ""
    right = f" {'<=' if cell.hi_closed else '<'} {_n(hi)}" if hi is not None else ""
    return f"{left}{name}{right}"


def where_words(cells: tuple[Cell, ...], lang: str, leg: bool = False) -> str:
    if not cells:
        return say("impact.anywhere", lang)
    return ("、" if lang == "ja" else ", ").join(cell_words(c, lang, leg) for c in cells)


def outcome_words(o: Outcome, lang: str) -> str:
    """「推奨（圧迫圧（mmHg）：<=20）」: a status and its detail; 「計画になし」 when absent."""
    if o.status == "absent":
        return say("impact.absent", lang)
    text = label("status", o.status, lang)
    if o.detail:
        text += paren(value_label(dict(o.detail), lang), lang)
    return text


def side_words(side: str | None, lang: str) -> str:
    return label("side", side, lang) if side else ("患者全体" if lang == "ja" else "the patient")


def _sides(sides: list[str | None], lang: str) -> str:
    return ("・" if lang == "ja" else " and ").join(side_words(s, lang) for s in sides)


def change_lines(item: ItemImpact, lang: str, sides: list[str | None] | None = None
                 ) -> list[tuple[str, str]]:
    """The item's changes, one sentence per (region, new outcome), the old outcomes joined
    ("change", text), then where nothing changes ("same", text)."""
    groups: dict[tuple[Any, ...], list[Change]] = {}
    for ch in item.changes:
        groups.setdefault((ch.cells, ch.new), []).append(ch)
    who = _sides(sides or [item.side], lang)
    out = []
    for (cells, new), changes in groups.items():
        where = where_words(cells, lang, item.side is None)
        if cells:
            where = f"{where}の{who}" if lang == "ja" else f"{who} with {where}"
        olds = say("impact.or", lang).join(outcome_words(c.old, lang) for c in changes)
        line = say("impact.change", lang, where=where, action=label("action", item.action, lang),
                   olds=olds, new=outcome_words(new, lang))
        every = all(c.every for c in changes)
        line += paren(say("impact.every" if every else "impact.some", lang), lang)
        for c in changes:
            if not c.confirmed:
                line += paren(say("impact.engine_no", lang, got=c.engine), lang)
        out.append(("change", line))
    if item.unchanged and any(item.unchanged):
        where = ("、" if lang == "ja" else "; ").join(where_words(u, lang, item.side is None)
                                                     for u in item.unchanged)
        out.append(("same", say("impact.unchanged", lang, side=who, where=where)))
    return out


def grouped(region: Region, lang: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """(action, sentences) with the legs that change alike said once."""
    out: list[tuple[str, list[tuple[str, str]]]] = []
    done: set[int] = set()
    for i, it in enumerate(region.items):
        if i in done:
            continue
        same = [j for j, other in enumerate(region.items) if j not in done
                and other.action == it.action and _alike(it, other)]
        done.update(same)
        sides = [region.items[j].side for j in same]
        out.append((label("action", it.action, lang), change_lines(it, lang, sides)))
    return out


def _alike(a: ItemImpact, b: ItemImpact) -> bool:
    def shape(it: ItemImpact) -> Any:
        return ([(tuple((c.fact, c.kind, c.lo, c.lo_closed, c.hi, c.hi_closed, c.value)
                        for c in ch.cells), ch.old, ch.new, ch.every, ch.confirmed)
                 for ch in it.changes],
                [tuple((c.fact, c.kind, c.lo, c.hi) for c in u) for u in it.unchanged])
    return bool(shape(a) == shape(b))


def scenario(b: Boundary) -> str:
    """The boundary patient as a feature-file scenario: its facts, and what the new rules
    give the item."""
    from ..prove.scenario import PRESSURE_JA, SIDE_JA, STATUS_JA, given_steps, phrase

    where = f"{SIDE_JA[b.side]}では" if b.side else ""
    rule = ""
    lines = []
    if b.plan is not None:
        found = [i for i in b.plan.items if i.action == b.action and i.side == b.side]
        if found:
            rule = f"  @{found[0].rule}\n"
    name = fact_label(b.fact, "ja")
    edge = say("impact.inside" if b.inside else "impact.outside", "ja")
    lines.append(f"  シナリオ: {name} {b.value}の{side_words(b.side, 'ja')}（{edge}）")
    lines += given_steps(b.document)
    lines.append("    もし 治療計画を立てる")
    lines.append(f"    # {say('impact.old', 'ja')}：{outcome_words(b.old, 'ja')}、"
                 f"{say('impact.new', 'ja')}：{outcome_words(b.new, 'ja')}")
    action = phrase("actions", b.action)
    if b.new.status == "absent":
        lines.append(f"    ならば {where}{action}は提示されない")
    else:
        lines.append(f"    ならば {where}{action}が{STATUS_JA[b.new.status]}となる")
    for key, value in b.new.detail:
        if key == "pressure_mmhg" and value in PRESSURE_JA:
            lines.append(f"    かつ 圧迫圧は{PRESSURE_JA[value]}となる")
        else:
            lines.append(f"    かつ {value_label({key: value}, 'ja')}となる")
    return rule + "\n".join(lines) + "\n"


def _detail_words(detail: dict[str, Any], lang: str) -> str:
    shown = {k: val for k, val in detail.items() if isinstance(val, str)}
    return paren(value_label(shown, lang), lang) if shown else ""


def diff_lines(d: PatientDiff, lang: str, titles: dict[str, str] | None = None
               ) -> list[str]:
    """A patient's changed items and the rules behind each difference (`titles`: each
    rule's title in `lang`)."""
    out = [say("impact.patient", lang, id=d.patient_id or "?", line=d.line)]
    for it in d.items:
        old = label("status", it.old_status, lang) if it.old_status != "absent" \
            else say("impact.absent", lang)
        new = label("status", it.new_status, lang) if it.new_status != "absent" \
            else say("impact.absent", lang)
        out.append(f"  - {side_words(it.side, lang)} {label('action', it.action, lang)}"
                   f"{colon(lang)}{old}{_detail_words(it.old_detail, lang)} → "
                   f"{new}{_detail_words(it.new_detail, lang)}")
        for key, says in (("impact.rules_old", it.gone), ("impact.rules_new", it.came)):
            for rule, effect in says:
                title = (titles or {}).get(rule, "")
                out.append(f"      {say(key, lang)}{colon(lang)}{rule}"
                           f"{paren(say('impact.' + effect, lang), lang)}"
                           + (f"{colon(lang)}{title}" if title else ""))
    return out


def count_lines(pop: PopulationImpact, lang: str) -> list[str]:
    out = []
    for (action, so, do, sn, dn), n in sorted(pop.counts.items(), key=lambda kv: -kv[1]):
        def w(status: str, detail: tuple[tuple[str, str], ...]) -> str:
            text = label("status", status, lang) if status != "absent" \
                else say("impact.absent", lang)
            return text + (paren(value_label(dict(detail), lang), lang) if detail else "")
        out.append(say("impact.count", lang, action=label("action", action, lang),
                       old=w(so, do), new=w(sn, dn), n=n))
    return out


def population_lines(pop: PopulationImpact, lang: str,
                     titles: dict[str, str] | None = None) -> list[str]:
    out = [f"== {say('impact.population', lang)} ==",
           say("impact.records", lang, n=pop.records, source=pop.source, m=pop.evaluated,
               k=pop.both),
           say("impact.affected", lang, n=len(pop.affected))]
    if pop.bad:
        lines = ", ".join(str(d.line) for d in pop.bad[:10]) + (", ..." if len(pop.bad) > 10
                                                                  else "")
        out.append(say("impact.bad", lang, n=len(pop.bad), lines=lines))
    if pop.outside:
        out.append(say("impact.missed", lang, n=len(pop.outside)))
    out += [f"- {line}" for line in count_lines(pop, lang)]
    for d in pop.affected[:SHOWN_PATIENTS]:
        out += diff_lines(d, lang, titles)
    if len(pop.affected) > SHOWN_PATIENTS:
        out.append(say("impact.more", lang, n=len(pop.affected) - SHOWN_PATIENTS))
    return out


# --- the three outputs ----------------------------------------------------------------------
def as_text(region: Region, pop: PopulationImpact | None, lang: str = "ja",
            titles: dict[str, str] | None = None) -> str:
    """The terminal summary (`titles`: the rules' titles in `lang`, for the explanations)."""
    out = [f"{say('impact.title', lang)}{colon(lang)}{region.old_name} → {region.new_name}",
           say("impact.proves", lang),
           f"{say('impact.facts', lang)}{colon(lang)}"
           + (", ".join(fact_label(f, lang) for f in region.facts) or
              say("impact.no_fact", lang)),
           f"== {say('impact.region', lang)} =="]
    if not region.items:
        out.append(say("impact.none", lang))
    for action, lines in grouped(region, lang):
        out.append(f"[{action}]")
        out += [f"- {line}" for _, line in lines]
    if region.boundaries:
        out.append(f"== {say('impact.boundaries', lang)} ==")
        out += [scenario(b) for b in region.boundaries]
    if pop is not None:
        out += population_lines(pop, lang, titles)
    return "\n".join(out).rstrip("\n") + "\n"


def as_json(region: Region, pop: PopulationImpact | None) -> str:
    data: dict[str, Any] = {
        "kind": "careflow-impact", "old": region.old_name, "new": region.new_name,
        "seconds": round(region.seconds, 3), "facts": list(region.facts),
        "differs": bool(region.items),
        "items": [{"action": it.action, "side": it.side,
                   "changes": [c.as_json() for c in it.changes],
                   "unchanged": [[c.as_json() for c in u] for u in it.unchanged],
                   "ja": [t for _, t in change_lines(it, "ja")],
                   "en": [t for _, t in change_lines(it, "en")]}
                  for it in region.items],
        "boundaries": [{"action": b.action, "side": b.side, "fact": b.fact, "value": b.value,
                        "inside": b.inside, "patient": b.document,
                        "old": {"status": b.old.status, "detail": dict(b.old.detail)},
                        "new": {"status": b.new.status, "detail": dict(b.new.detail)},
                        "scenario_ja": scenario(b)} for b in region.boundaries],
        "disagreements": region.disagreements,
    }
    if pop is not None:
        data["population"] = {
            "source": pop.source, "records": pop.records, "evaluated": pop.evaluated,
            "evaluated_new": pop.both,
            "affected": len(pop.affected), "bad": [{"line": d.line, "problems": list(
                d.problems)} for d in pop.bad],
            "outside_region": [d.line for d in pop.outside],
            "counts": [{"action": a, "old": {"status": so, "detail": dict(do)},
                        "new": {"status": sn, "detail": dict(dn)}, "items": n}
                       for (a, so, do, sn, dn), n in sorted(pop.counts.items())],
            "patients": [{"line": d.line, "id": d.patient_id,
                          "items": [i.as_json() for i in d.items]} for d in pop.affected]}
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


_CSS = f"""
body {{ font-family: {FONTS}; font-size: 10.5pt; line-height: 1.45; color: #111;
       margin: 12mm; max-width: 190mm; }}
h1 {{ font-size: 16pt; margin: 0 0 2mm 0; }}
h2 {{ font-size: 12pt; border-bottom: 1pt solid #333; margin: 5mm 0 2mm 0; }}
h3 {{ font-size: 11pt; margin: 3mm 0 1mm 0; }}
.note {{ color: #444; font-size: 9.5pt; }}
li.change {{ margin-bottom: 1.5mm; }}
li.same {{ color: #355; }}
.wrong {{ color: #b00; font-weight: bold; }}
pre {{ background: #f6f6f6; border: 0.6pt solid #ccc; padding: 2mm; white-space: pre-wrap;
      font-family: "Noto Sans Mono CJK JP", monospace, {FONTS}; font-size: 9pt; }}
table {{ border-collapse: collapse; }}
td, th {{ border: 0.6pt solid #999; padding: 1mm 2mm; text-align: left; }}
"""


def to_html(region: Region, pop: PopulationImpact | None, lang: str = "ja",
            titles: dict[str, str] | None = None) -> str:
    """The report a doctor reads: the region, the boundary scenarios, the population."""
    h: list[str] = [f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">',
                    f"<title>{html(say('impact.title', lang))}</title><style>{_CSS}</style>"
                    "</head><body>",
                    f"<h1>{html(say('impact.title', lang))}</h1>",
                    f'<p class="meta">{html(say("impact.old", lang))}{colon(lang)}'
                    f"{html(region.old_name)} → {html(say('impact.new', lang))}{colon(lang)}"
                    f"{html(region.new_name)}</p>",
                    f'<p class="note">{html(say("impact.proves", lang))}</p>',
                    f"<h2>{html(say('impact.region', lang))}</h2>"]
    if not region.items:
        h.append(f"<p>{html(say('impact.none', lang))}</p>")
    for action, lines in grouped(region, lang):
        h.append(f"<h3>{html(action)}</h3><ul>")
        h += [f'<li class="{klass}">{html(line)}</li>' for klass, line in lines]
        h.append("</ul>")
    if region.disagreements:
        h.append(f'<p class="wrong">{html("; ".join(region.disagreements))}</p>')
    if region.boundaries:
        h.append(f"<h2>{html(say('impact.boundaries', lang))}</h2>")
        h += [f"<pre>{html(scenario(b))}</pre>" for b in region.boundaries]
    if pop is not None:
        h.append(f"<h2>{html(say('impact.population', lang))}</h2>")
        records = say("impact.records", lang, n=pop.records, source=pop.source,
                      m=pop.evaluated, k=pop.both)
        h.append(f"<p>{html(records)}</p>")
        h.append(f"<p><strong>{html(say('impact.affected', lang, n=len(pop.affected)))}"
                 "</strong></p>")
        if pop.outside:
            h.append(f'<p class="wrong">{html(say("impact.missed", lang, n=len(pop.outside)))}'
                     "</p>")
        h.append("<ul>" + "".join(f"<li>{html(x)}</li>" for x in count_lines(pop, lang))
                 + "</ul>")
        for d in pop.affected[:SHOWN_PATIENTS]:
            h.append(f"<pre>{html(chr(10).join(diff_lines(d, lang, titles)))}</pre>")
        if len(pop.affected) > SHOWN_PATIENTS:
            h.append(f"<p>{html(say('impact.more', lang, n=len(pop.affected) - SHOWN_PATIENTS))}"
                     "</p>")
    h.append("</body></html>")
    return "\n".join(h) + "\n"


def rule_titles(*books: Rulebook, lang: str = "ja") -> dict[str, str]:
    """Every rule's title in `lang`, the later rule sets' over the earlier."""
    from .words import rule_title

    return {rid: rule_title(cr.rule, lang) for book in books for rid, cr in book.rules.items()}


__all__ = ["as_json", "as_text", "cell_words", "outcome_words", "rule_titles", "scenario",
           "to_html"]
