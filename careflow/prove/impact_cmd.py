"""`careflow impact OLD NEW`: the region, the population, the outputs and the exit code
(docs/impact.md)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..errors import InputError, RulebookError
from .impact import load_side, region  # z3: the command's ImportError names the extra
from .population import run_population

NO_DIFFERENCE, DIFFERENCES, BAD_INPUT, RULES = 0, 1, 2, 3


def run(old: Path, new: Path, population: Path | None, out: Path | None,
        workers: int | None, check_all: bool, progress: bool | None, lang: str,
        echo: Callable[[str], Any], fail: Callable[[int, list[str]], Any]) -> int:
    """0 no patient's plan differs; 1 some do (or the solver and the engine disagree); 2 bad
    input (OLD/NEW missing, the population file unreadable or holding bad records, OUT not
    writable); 3 a rule set does not load."""
    from ..export.impact_report import as_json, as_text, rule_titles, to_html

    for path in (old, new):
        if not path.exists():
            fail(BAD_INPUT, [f"{path}: no such rules folder or parameters file"])
            return BAD_INPUT
    if population is not None and not population.is_file():
        fail(BAD_INPUT, [f"{population}: no such population file (JSON Lines or CSV)"])
        return BAD_INPUT
    if out is not None and out.exists() and not out.is_dir():
        fail(BAD_INPUT, [f"{out}: exists and is not a folder"])
        return BAD_INPUT
    try:
        books = load_side(old), load_side(new)
    except RulebookError as exc:
        fail(RULES, [str(d) for d in exc.diagnostics])
        return RULES
    found = region(*books, old_name=str(old), new_name=str(new))
    pop = None
    if population is not None:
        show = sys.stderr.isatty() if progress is None else progress
        try:
            pop = run_population(population, old, new, found, workers, check_all, show)
        except InputError as exc:
            fail(BAD_INPUT, [f"{exc.source or population}: {p}" for p in exc.problems])
            return BAD_INPUT
    titles = rule_titles(*books, lang=lang)
    echo(as_text(found, pop, lang, titles))
    if out is not None:
        try:
            out.mkdir(parents=True, exist_ok=True)
            (out / "impact.json").write_text(as_json(found, pop), encoding="utf-8")
            (out / "impact.html").write_text(to_html(found, pop, lang, titles), encoding="utf-8")
        except OSError as exc:
            fail(BAD_INPUT, [f"{out}: cannot write ({exc.strerror})"])
            return BAD_INPUT
    if pop is not None and pop.bad:  # after the outputs: the good records are counted
        fail(BAD_INPUT, [f"{population}:{d.line}: {p}" for d in pop.bad[:20]
                         for p in d.problems])
        return BAD_INPUT
    differs = bool(found.items) or bool(found.disagreements) or bool(
        pop is not None and pop.affected)
    return DIFFERENCES if differs else NO_DIFFERENCE


__all__ = ["run"]
