"""The condition algebra: three-valued (Kleene) logic, defined once.

Every condition and every derived finding is TRUE, FALSE or UNKNOWN. A comparison on an
unknown fact is UNKNOWN; `known:` is the one test that is never unknown. The connectives
are Kleene's strong ones (the same as CQL's):

    not        all (and) | T  F  U     any (or) | T  F  U
    T -> F           T   | T  F  U          T   | T  T  T
    F -> T           F   | F  F  F          F   | T  F  U
    U -> U           U   | U  F  U          U   | T  U  U

A rule fires only when its condition is definitely TRUE. A finding (or a claim on an item)
is TRUE when some rule producing it is TRUE, FALSE when every rule producing it is
definitely FALSE, and UNKNOWN otherwise; `not: {finding: X}` therefore means "X is
definitely false", never "X was not derived".

Every evaluator is derived from this module:

- `truth()` evaluates a condition directly (the reference evaluator, the explainer's atoms);
- `positive()` and `negative()` turn a condition into two-valued formulas in disjunctive
  normal form whose atoms are "known and compares", knowledge tests and derived facts that
  are definitely true or definitely false: `positive(c)` holds exactly when `c` is TRUE,
  `negative(c)` exactly when it is FALSE. Negation is pushed down to the leaves
  (not(x < c) becomes "x known and x >= c"), so a forward-chaining engine decides everything
  with positive patterns only: the program is monotone and its result does not depend on
  the order in which rules fire.
"""

from __future__ import annotations

import enum
import operator
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import product
from typing import Any


# --- conditions as rules write them ---------------------------------------------------------
@dataclass(frozen=True)
class Where:
    file: str
    line: int
    column: int


@dataclass(frozen=True)
class Param:
    """A reference to a named threshold in parameters.yaml (`$name` in a rule)."""

    name: str


@dataclass(frozen=True)
class Leaf:
    """A test of one fact: `op` is eq, ne, lt, lte, gt, gte, in or known."""

    fact: str
    op: str
    value: Any
    where: Where


@dataclass(frozen=True)
class Ref:
    """A derived fact: a finding (`kind` "finding") or a claim on an item ("claim")."""

    kind: str
    name: str  # finding name, or "action:status" for a claim
    where: Where
    patient: bool = False  # a leg rule asking about a whole-patient claim


@dataclass(frozen=True)
class All:
    items: tuple[Cond, ...]


@dataclass(frozen=True)
class Any_:
    items: tuple[Cond, ...]


@dataclass(frozen=True)
class Not:
    item: Cond


@dataclass(frozen=True)
class Unless:
    """`unless: C`: holds when C is not TRUE (FALSE or UNKNOWN). Two-valued, like `known:`:
    the rule's author asks on purpose for "not known to be true" (a contraindication that is
    not established), where `not:` would ask for "definitely false"."""

    item: Cond


@dataclass(frozen=True)
class Flag:
    """`parameter: {name: value}`: a protocol switch, true when the parameter has that
    value. It is decided when the rule set loads (the compiler turns it into an empty `all`,
    true, or its negation, false), so no evaluator ever sees it and it is never unknown."""

    name: str
    value: Any
    where: Where


Cond = Leaf | Ref | All | Any_ | Not | Unless | Flag
"""A condition as a rule writes it (parsed from YAML, parameters still named)."""


class Truth(enum.Enum):
    TRUE = "true"
    FALSE = "false"
    UNKNOWN = "unknown"

    def __invert__(self) -> Truth:
        return _NOT[self]


T, F, U = Truth.TRUE, Truth.FALSE, Truth.UNKNOWN
_NOT = {T: F, F: T, U: U}


def all_of(values: Iterable[Truth]) -> Truth:
    """Kleene conjunction: FALSE if any part is FALSE, TRUE if all are TRUE, else UNKNOWN."""
    out = T
    for value in values:
        if value is F:
            return F
        if value is U:
            out = U
    return out


def any_of(values: Iterable[Truth]) -> Truth:
    """Kleene disjunction: TRUE if any part is TRUE, FALSE if all are FALSE, else UNKNOWN
    (De Morgan: not all of the negations)."""
    return ~all_of(~value for value in values)


_CMP: dict[str, Callable[[Any, Any], bool]] = {
    "eq": operator.eq, "ne": operator.ne, "lt": operator.lt, "lte": operator.le,
    "gt": operator.gt, "gte": operator.ge,
    "in": lambda value, options: value in options,
    "not_in": lambda value, options: value not in options,
}
INVERSE = {"eq": "ne", "ne": "eq", "lt": "gte", "gte": "lt", "lte": "gt", "gt": "lte",
           "in": "not_in", "not_in": "in", "known": "unknown", "unknown": "known"}
"""Each operator's complement on a KNOWN value (knowledge tests complement each other)."""


def compare(op: str, value: Any, operand: Any) -> Truth:
    """The truth of one test on one fact value (None: unknown)."""
    if op == "known":
        return T if (value is not None) == bool(operand) else F
    if op == "unknown":
        return T if (value is None) == bool(operand) else F
    if value is None:
        return U
    return T if _CMP[op](value, operand) else F


def holds(op: str, value: Any, operand: Any) -> bool:
    """True when a positive atom (`Test`) holds: the two-valued reading of `compare`."""
    return compare(op, value, operand) is T


def truth(cond: Cond, value: Callable[[str], Any], node: Callable[[Ref], Truth]) -> Truth:
    """A condition's truth from fact values (None: unknown) and derived-fact truths."""
    if isinstance(cond, All):
        return all_of(truth(c, value, node) for c in cond.items)
    if isinstance(cond, Any_):
        return any_of(truth(c, value, node) for c in cond.items)
    if isinstance(cond, Not):
        return ~truth(cond.item, value, node)
    if isinstance(cond, Unless):
        return F if truth(cond.item, value, node) is T else T
    if isinstance(cond, Ref):
        return node(cond)
    if isinstance(cond, Flag):
        raise TypeError(f"switch {cond.name} not decided: compile the rule set first")
    return compare(cond.op, value(cond.fact), cond.value)


def atoms(cond: Cond) -> Iterator[Leaf | Ref]:
    """Every test of a fact and every derived fact a condition names, in order."""
    if isinstance(cond, (All, Any_)):
        for c in cond.items:
            yield from atoms(c)
    elif isinstance(cond, (Not, Unless)):
        yield from atoms(cond.item)
    elif not isinstance(cond, Flag):  # a switch is decided when the rules load
        yield cond


# --- two-valued normal forms --------------------------------------------------------------
@dataclass(frozen=True, order=True)
class Test:
    """A positive atom on one fact: holds when the fact is known and `op` holds (`known` and
    `unknown` test knowledge itself). `op` is one of the keys of INVERSE."""

    fact: str
    op: str
    value: Any


@dataclass(frozen=True, order=True)
class Use:
    """An atom on a derived fact: the finding or claim is definitely TRUE (`true`) or
    definitely FALSE (`not true`); with `settled`, the atom is the complement: the fact is
    NOT definitely TRUE (or not definitely FALSE), which an evaluator can only read once
    everything that could make the fact is done (the only non-monotone atom; it comes from
    `unless:`)."""

    kind: str  # "finding" | "claim"
    name: str
    patient: bool  # a leg rule asking about a whole-patient claim
    true: bool
    settled: bool = False


Atom = Test | Use
Branch = tuple[Atom, ...]
"""A conjunction of atoms; a list of branches is their disjunction (DNF)."""

MAX_BRANCHES = 64
"""A condition whose normal form has more branches than this is refused at load: the engine
would register one rule per branch."""


class TooComplex(ValueError):
    pass


def positive(cond: Cond) -> list[Branch]:
    """Branches whose disjunction holds exactly when `cond` is TRUE."""
    return _dnf(cond, True)


def negative(cond: Cond) -> list[Branch]:
    """Branches whose disjunction holds exactly when `cond` is FALSE."""
    return _dnf(cond, False)


def conjoin(parts: Iterable[list[Branch]]) -> list[Branch]:
    """The conjunction of several DNFs, as one DNF."""
    out: list[Branch] = [()]
    for part in parts:
        out = _simplify([a + b for a, b in product(out, part)])
        if len(out) > MAX_BRANCHES:
            raise TooComplex(f"more than {MAX_BRANCHES} branches")
    return out


def _dnf(cond: Cond, want: bool) -> list[Branch]:
    if isinstance(cond, Not):
        return _dnf(cond.item, not want)
    if isinstance(cond, Unless):  # two-valued: TRUE unless the item is TRUE
        inner = positive(cond.item)
        return inner if not want else conjoin([_complement(b) for b in inner])
    if isinstance(cond, (All, Any_)):
        parts = [_dnf(c, want) for c in cond.items]
        if isinstance(cond, All) == want:  # a conjunction: all parts
            return conjoin(parts)
        return _simplify([b for part in parts for b in part])  # a disjunction: any part
    if isinstance(cond, Ref):
        return [(Use(cond.kind, cond.name, cond.patient, want),)]
    if isinstance(cond, Flag):
        raise TypeError(f"switch {cond.name} not decided: compile the rule set first")
    leaf: Leaf = cond
    op = leaf.op
    if op == "known":  # `known: false` is the test "unknown"
        op = "known" if leaf.value else "unknown"
        return [(Test(leaf.fact, op if want else INVERSE[op], True),)]
    return [(Test(leaf.fact, op if want else INVERSE[op], leaf.value),)]


def _complement(branch: Branch) -> list[Branch]:
    """Branches whose disjunction holds exactly when the conjunction `branch` does not."""
    out: list[Branch] = []
    for atom in branch:
        if isinstance(atom, Use):
            out.append((Use(atom.kind, atom.name, atom.patient, atom.true,
                            not atom.settled),))
        elif atom.op in ("known", "unknown"):
            out.append((Test(atom.fact, INVERSE[atom.op], True),))
        else:  # "known and compares" fails when unknown, or known and the inverse holds
            out.append((Test(atom.fact, "unknown", True),))
            out.append((Test(atom.fact, INVERSE[atom.op], atom.value),))
    return _simplify(out)


def _simplify(branches: list[Branch]) -> list[Branch]:
    """Sorted atoms, no repeated atom, no repeated branch, and no branch with an atom and
    its contradiction (X true and X false; a fact known and unknown)."""
    out: dict[Branch, None] = {}
    for branch in branches:
        atoms = tuple(sorted(set(branch), key=_atom_key))
        if not _contradicts(atoms):
            out.setdefault(atoms, None)
    return list(out)


def _atom_key(atom: Atom) -> tuple[Any, ...]:
    if isinstance(atom, Test):
        return (0, atom.fact, atom.op, repr(atom.value))
    return (1, atom.kind, atom.name, atom.patient, atom.true, atom.settled)


def _contradicts(atoms: Branch) -> bool:
    uses = {(a.kind, a.name, a.patient, a.true, a.settled) for a in atoms
            if isinstance(a, Use)}
    if any((k, n, p, not t, False) in uses or (k, n, p, t, True) in uses
           for k, n, p, t, s in uses if not s):
        return True
    tests = [a for a in atoms if isinstance(a, Test)]
    unknown = {a.fact for a in tests if a.op == "unknown"}
    return any(a.fact in unknown and a.op != "unknown" for a in tests)
