"""Proofs over the rule book (docs/prove.md): safety properties proven with z3 for every patient
the patient model allows, under the rule set's parameters; a failed property gives a
counterexample patient that the rule engine confirms.

One job per module: `domain` (the patient model in SMT), `encode` (the compiled program and
the resolver in SMT), `properties` (rules/properties.yaml), `meaning` (a property in z3 and on
an engine's plan), `prover` (proofs, counterexamples, the cross-check with the engine),
`scenario` (a counterexample as a patient document and a Japanese scenario), `report`;
`actionable` (rules/actionable.yaml), `whynot` (the smallest change that makes an item
available, docs/why-not.md) and `change` (that change written into a patient document).

z3-solver is an optional dependency (`pip install -e ".[prove]"`); `import careflow` never
imports this package, and this package imports z3 only where the solver runs (`careflow check`
validates properties.yaml without it).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import Diagnostic, RulebookError, UsageError
from ..rulebook import Rulebook, default_rules_dir, load_rulebook
from .properties import Property, default_properties_file, load_properties

if TYPE_CHECKING:  # z3 is imported only where the solver runs
    from ..model import Patient
    from ..plan import Plan
    from .prover import Outcome
    from .whynot import Answer


def reason_codes(book: Rulebook) -> set[str]:
    return {o.reason_code for cr in book.rules.values() for o in cr.rule.outputs
            if o.reason_code}


def load(rules_dir: str | Path | None = None, params: str | Path | dict[str, Any] | None = None,
         properties: str | Path | None = None) -> tuple[Rulebook, list[Property]]:
    """The rule set and its properties (the rules folder's properties.yaml unless named);
    every problem is a RulebookError with file:line."""
    book = load_rulebook(rules_dir, params)
    folder = Path(rules_dir) if rules_dir is not None else default_rules_dir()
    path = Path(properties) if properties is not None else default_properties_file(folder)
    if not path.is_file():
        raise RulebookError([Diagnostic(str(path), 0, 0, "CF501",
                                        "no properties file (rules/properties.yaml)")])
    shown = f"{folder.name}/{path.name}" if properties is None else str(path)
    return book, load_properties(path, book.parameters, reason_codes(book), shown)


def prove(rules_dir: str | Path | None = None, params: str | Path | dict[str, Any] | None = None,
          ids: list[str] | None = None, properties: str | Path | None = None
          ) -> list[Outcome]:
    """Prove the properties (all, or those named) for every patient; see Outcome."""
    from .prover import Prover

    book, props = load(rules_dir, params, properties)
    chosen = select(props, ids)
    prover = Prover(book)
    return [prover.prove(p) for p in chosen]


def property_problems(book: Rulebook, rules_dir: str | Path | None) -> list[Diagnostic]:
    """The problems of a rules folder's properties.yaml, if it has one (`careflow check`
    validates it like the rule files; no solver needed)."""
    folder = Path(rules_dir) if rules_dir is not None else default_rules_dir()
    path = default_properties_file(folder)
    if not path.is_file():
        return []
    try:
        load_properties(path, book.parameters, reason_codes(book), f"{folder.name}/{path.name}")
    except RulebookError as exc:
        return exc.diagnostics
    return []


def select(props: list[Property], ids: list[str] | None) -> list[Property]:
    if not ids:
        return props
    known = {p.id: p for p in props}
    unknown = [i for i in ids if i not in known]
    if unknown:
        from ..rulebook.parse import suggest

        raise UsageError("; ".join(f"--property {i}: no such property{suggest(i, known)}"
                                   for i in unknown))
    return [known[i] for i in ids]


def why_not(patient: Patient, action: str, side: str | None = None,
            rulebook: Rulebook | None = None, rules_dir: str | Path | None = None) -> Answer:
    """What would make (action, side) recommended or an option (docs/why-not.md)."""
    from .whynot import why_not as answer

    return answer(patient, action, side, rulebook, rules_dir)


def plan_with_why_not(patient: Patient, rulebook: Rulebook | None = None,
                      rules_dir: str | Path | None = None) -> Plan:
    """The plan with each `considered` entry's `would_make_available` filled
    (docs/why-not.md#in-the-plan)."""
    from .whynot import plan_with_why_not as fill

    return fill(patient, rulebook, rules_dir)


__all__ = ["Property", "load", "plan_with_why_not", "property_problems", "prove", "run",
           "select", "why_not"]


def run(rules_dir: Path | None, params: Path | None, ids: list[str], format: str, lang: str,
        echo: Any, fail: Any) -> int:
    """`careflow prove`: print the report; 0 every property holds, 1 one fails (or the
    solver and the engine disagree), 2 an unknown property, 3 the rules or properties do not
    load."""
    from .prover import Prover
    from .report import as_json, as_text

    try:
        book, props = load(rules_dir, params)
        chosen = select(props, ids)
    except RulebookError as exc:
        fail(3, [str(d) for d in exc.diagnostics])
        return 3
    except UsageError as exc:
        fail(2, [str(exc)])
        return 2
    prover = Prover(book)
    outcomes = [prover.prove(p) for p in chosen]
    protocol = f"{book.name} {book.version} {book.digest}"
    echo(as_json(outcomes, protocol) if format == "json" else as_text(outcomes, lang, protocol))
    return 0 if all(o.status == "proven" for o in outcomes) else 1
