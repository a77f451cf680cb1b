"""The same compiled rules evaluated in plain Python: the practical limit for careflow.

A forward-chaining loop over `CompiledRule.when` with `careflow.rulebook.compile.holds`,
strata in order. Inside a stratum a rule fires (once per entity) as soon as its condition
holds; derived facts used inside a stratum are only joined positively, so looping until
nothing new fires reaches the same fixpoint as the engine. Facts used under `not`/`any` come
from earlier strata, which are complete by then.

`plain_run` returns a `careflow.evaluate.Run` built exactly like the engine's, so the same
`build_plan` turns it into a Plan: the benchmark checks that both plans are identical.
"""

from __future__ import annotations

from typing import Any

from careflow.evaluate import Firing, Run
from careflow.facts import entities
from careflow.model import Patient
from careflow.rulebook import CompiledRule, Rulebook
from careflow.rulebook.compile import holds, output_node
from careflow.rulebook.schema import Ref

_BY_STRATUM: dict[int, tuple[Rulebook, list[list[CompiledRule]]]] = {}


def _strata(book: Rulebook) -> list[list[CompiledRule]]:
    cached = _BY_STRATUM.get(id(book))
    if cached is not None and cached[0] is book:
        return cached[1]
    out: list[list[CompiledRule]] = [[] for _ in range(book.strata)]
    for cr in sorted(book.rules.values(), key=lambda r: (r.rule.priority, r.id)):
        out[cr.stratum].append(cr)
    _BY_STRATUM[id(book)] = (book, out)
    return out


def plain_run(book: Rulebook, patient: Patient) -> Run:
    """Fire every rule whose condition holds, stratum by stratum, to a fixpoint."""
    ents = entities(patient, book.used_keys)
    run = Run(book)
    made = run.made
    node_of = run.node_of

    for rules in _strata(book):
        pending = [(cr, ent) for cr in rules for ent in ents if ent.kind == cr.rule.scope]
        changed = True
        while changed and pending:
            changed = False
            waiting = []
            for cr, ent in pending:
                side = ent.side

                def have(ref: Ref, side: str | None = side) -> bool:
                    return node_of(ref, side) in made

                if not holds(cr.when, ent.attrs, have):
                    waiting.append((cr, ent))
                    continue
                changed = True
                index = len(run.firings)
                run.firings.append(Firing(cr, side, _attrs(ent.kind, ent.attrs)))
                for out in cr.rule.outputs:
                    node = output_node(out, side)
                    if node is not None:
                        made.setdefault(node, []).append(index)
            pending = waiting
    return run


def _attrs(kind: str, attrs: dict[str, Any]) -> dict[str, Any]:
    return {"t": kind, **attrs}


def fired(run: Run) -> set[tuple[str, str | None]]:
    """The (rule id, side) pairs of a run: what the engine and plain Python must agree on."""
    return {(f.rule.id, f.side) for f in run.firings}
