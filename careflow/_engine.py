"""The only module that imports durable_rules (style principle 6): it runs the engine-neutral
program (careflow/rulebook/program.py) and answers which production held on which entity.

What this adapter guarantees (the traps are measured in docs/engine.md):
- one Host per process, its timer threads never started (`_run` does nothing: we only call
  it synchronously); each program registered once, from definitions built afresh (the
  engine mutates what it is given);
- the program stratified (a production after everything that emits a fact it reads),
  derived facts written into the entity copies of later strata, so every engine rule is one
  pattern on one fact; each entity asserted once per group of at most GROUP productions (the
  engine's alpha walk fails past 64 matches at one node), each stratum as ONE batch;
- every evaluation in its own session with a fresh id (never the patient id: sids are hashed
  to 32 bits and collide), the session deleted in `finally`;
- a catch-all rule so that no fact is "unhandled" (otherwise the batch raises, its actions
  still run later, and we measured a segfault on the next call); it has ONE pattern and fires
  (cheaply) for every fact: a second pattern that never matches left partial matches that
  made `delete_state` double-free (a one-leg patient with no finding crashed the process);
- facts are handed to the engine as JSON we write ourselves: its parser reads a number with
  an exponent but no fraction (`1e-05`, Python's repr of 0.00001) as garbage and corrupts
  the session (segfault), so floats are written positionally (`0.00001`); a rule number
  that needs an exponent is refused at registration;
- actions run in our own loop over the engine's C calls: an error inside an action abandons
  it and fails the whole evaluation (EngineError), never a partial plan; every assert's
  status is checked;
- one lock around the engine: the Host is not thread-safe (segfaults under 4 threads).
"""

from __future__ import annotations

import contextlib
import itertools
import json
import math
import re
import signal
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import durable_rules_engine as _core
from durable import engine as _dr

from .errors import EngineError
from .logic import Test
from .rulebook.program import Node, Production, Program

HANDLE = re.compile(r'"h":\s*"([^"]*)"')
CATCH_ALL = "__careflow_catch_all__"
_CATCH_ALL_MESSAGE = '{"' + CATCH_ALL + '"'
_LOCK = threading.RLock()
_SIDS = itertools.count(1)


class _Host(_dr.Host):  # type: ignore[misc]
    def _run(self) -> None:  # no timer threads: careflow never uses timers
        return None

    def get_action(self, action_name: str) -> Callable[[Any], None]:
        return _not_here  # actions run only through Session's own loop


def _not_here(_c: Any) -> None:
    raise EngineError("a careflow rule action ran outside careflow's session loop")


_HOST: _Host | None = None
_REGISTERED: dict[str, _Compiled] = {}


def _host() -> _Host:
    global _HOST  # noqa: PLW0603 - one Host per process (docs/engine.md)
    if _HOST is None:
        _HOST = _Host()
    return _HOST


def register(program: Program) -> None:
    """Compile a program into the engine once (by name); later calls are free."""
    with _LOCK:
        if program.name in _REGISTERED:
            return
        compiled, definition = _translate(program)
        try:
            _host().set_rulesets({program.name: definition})
        except Exception as exc:  # the C core reports bad definitions as plain errors
            raise EngineError(f"the engine refused rule set {program.name}: {exc}") from exc
        _REGISTERED[program.name] = compiled


@dataclass(frozen=True)
class _Group:
    """Up to GROUP productions of one stratum and entity kind, matched against one copy of
    the entity fact that carries just what they read."""

    tag: int  # the copy's `g`
    kind: str  # "patient" | "leg"
    facts: tuple[tuple[str, str], ...]  # (fact name, key) the productions test
    nodes: tuple[tuple[int, str, str], ...]  # (derived fact's number, place, key) they read


@dataclass(frozen=True)
class _Compiled:
    actions: dict[str, int]  # engine rule name -> production index
    strata: tuple[tuple[_Group, ...], ...]
    emits: dict[int, tuple[tuple[int, bool], ...]]  # production -> (fact number, on patient)


GROUP = 32
"""Productions per group. The engine walks its alpha network with a stack of 64 pending
nodes (MAX_STACK_SIZE in its events.c) and fails the assert with error 303 when more tests
than that match one fact at one level. Each entity is asserted once per group of
productions, tagged `g`, so that no more than GROUP tests hang under one node."""


MAX_PROPERTIES = 200
"""Names on one entity copy. The C core holds at most 255 properties on an object
(MAX_OBJECT_PROPERTIES in its state.h) and silently drops the rest: a group is cut short
before its copies would carry more than this, and a single production that reads more is
refused (limits)."""
MAX_PRODUCTIONS = 3000
"""Engine rules one program may register. Measured on the shipped rules copied k times: 3,820
productions register and evaluate, 5,728 are refused (error 106); careflow 0.2's registration
aborted the process at about 1,150 rules (its rules joined facts; these do not)."""
MAX_STRATA = 64
"""Strata (the longest chain of derived facts, plus one): 512 strata hung registration and a
chain of 400 derived facts overflowed Python's recursion (measured against careflow 0.2)."""


def _strata(program: Program) -> list[int]:
    """Each production's stratum: after every production that emits a fact it reads.

    The engine could join derived facts as facts of their own, but joins made every
    evaluation about five times slower (measured on the shipped rules). Instead a derived
    fact is an attribute of the entity copies of later strata: every production is one
    pattern on one fact, and the strata run one after another in one session. Computed
    without recursion, so that a long chain is measured (limits), not a crash."""
    makers: dict[Node, list[int]] = {}
    for p in program.productions:
        for node, _ in p.emits:
            makers.setdefault(node, []).append(p.index)
    # (a use reads its fact's base: an `absent` atom waits for every maker, like any other)
    after = {p.index: sorted({m for node, _ in p.uses for m in makers.get(node.base, [])})
             for p in program.productions}
    level: dict[int, int] = {}
    for start in after:
        stack, on_path = [(start, 0)], {start}
        while stack:
            index, next_dep = stack[-1]
            deps = after[index]
            if next_dep < len(deps):
                stack[-1] = (index, next_dep + 1)
                dep = deps[next_dep]
                if dep in level:
                    continue
                if dep in on_path:
                    raise EngineError("the program's derived facts depend on themselves")
                stack.append((dep, 0))
                on_path.add(dep)
                continue
            level[index] = max((level[d] + 1 for d in deps), default=0)
            stack.pop()
            on_path.discard(index)
    return [level[p.index] for p in program.productions]


def fnv1a32(name: str) -> int:
    """The engine's hash of a property or rule name (fnv1Hash32 in its state.c), bytes read
    as C's signed char, as the x86 build does."""
    value = 0x811C9DC5
    for byte in name.encode("utf-8"):
        value ^= byte if byte < 0x80 else (byte - 0x100) & 0xFFFFFFFF
        value = (value * 16777619) & 0xFFFFFFFF
    return value


def limits(program: Program) -> list[tuple[str, str]]:
    """What the engine cannot run correctly in this program, as (rule id, problem): too many
    productions, too many strata, a number its JSON parser misreads, a production reading
    more names than an entity copy may carry, two engine names with one hash. Empty when the
    engine can run it. Checked when a rule set compiles (CF207), so `careflow check` refuses
    what would fail here."""
    problems: list[tuple[str, str]] = []
    prods = program.productions
    if len(prods) > MAX_PRODUCTIONS:
        problems.append((prods[MAX_PRODUCTIONS].rule,
                         f"the rule set compiles to {len(prods)} engine rules; the engine "
                         f"registers at most {MAX_PRODUCTIONS} (split the rule set, or merge "
                         "rules)"))
        return problems
    levels = _strata(program)
    if levels and max(levels) + 1 > MAX_STRATA:
        deepest = max(range(len(prods)), key=lambda i: levels[i])
        problems.append((prods[deepest].rule,
                         f"a chain of {max(levels) + 1} derived facts ends here; the engine "
                         f"runs at most {MAX_STRATA} (name fewer intermediate findings)"))
        return problems
    for p in prods:
        for test in p.tests:
            try:
                _test(test, "k")
            except EngineError as exc:  # a number the engine's JSON parser misreads
                problems.append((p.rule, str(exc)))
        names = 3 + len({t.fact for t in p.tests}) + len({(n.base, pl) for n, pl in p.uses})
        if names > MAX_PROPERTIES:
            problems.append((p.rule, f"one condition reads {names - 3} facts and findings; "
                                     f"the engine holds at most {MAX_PROPERTIES - 3} on a fact "
                                     "(split the rule)"))
    if problems:
        return problems
    compiled, definition = _translate(program)
    names_used = {"h", "g", "sid", "id", "$s", *definition}
    for groups in compiled.strata:
        for group in groups:
            names_used.update(k for _, k in group.facts)
            names_used.update(a for _, _, a in group.nodes)
    seen: dict[int, str] = {}
    for name in sorted(names_used):
        other = seen.setdefault(fnv1a32(name), name)
        if other != name:
            problems.append(("", f"the engine names {other!r} and {name!r} share one hash"))
    return problems


def _groups(chosen: list[Production]) -> list[list[Production]]:
    """Productions in groups of at most GROUP whose copies carry at most MAX_PROPERTIES
    names (h, g and sid included)."""
    out: list[list[Production]] = []
    part: list[Production] = []
    names: set[object] = set()
    for p in chosen:
        mine = {t.fact for p_ in (p,) for t in p_.tests} | {(n.base, pl) for n, pl in p.uses}
        if part and (len(part) >= GROUP or 3 + len(names | mine) > MAX_PROPERTIES):
            out.append(part)
            part, names = [], set()
        part.append(p)
        names |= mine
    if part:
        out.append(part)
    return out


def _translate(program: Program) -> tuple[_Compiled, dict[str, Any]]:
    """The program as durable-rules rule definitions.

    Keys are short (`k12` for a fact, `a3` for a derived fact), because the engine parses
    every matched fact's JSON on each firing and long keys cost time. An entity copy is
    `{h: entity index, g: group, k..: values, a..: true}`; a derived fact's attribute is
    present (true) when it holds at the place the production reads it from.
    """
    keys = {name: f"k{i}" for i, name in enumerate(sorted(program.facts))}
    nodes = sorted({(n.base, place) for p in program.productions for n, place in p.uses})
    attr = {np: f"a{i}" for i, np in enumerate(nodes)}
    number = {n: i for i, n in enumerate(sorted({n for n, _ in nodes}))}
    levels = _strata(program)
    definition: dict[str, Any] = {}
    actions: dict[str, int] = {}
    strata: list[list[_Group]] = [[] for _ in range(max(levels, default=0) + 1)]
    members: dict[int, list[Production]] = {}
    for kind in ("patient", "leg"):
        for stratum, groups in enumerate(strata):
            chosen = [p for p in program.productions
                      if p.scope == kind and levels[p.index] == stratum]
            for part in _groups(chosen):
                tag = sum(len(g) for g in strata)
                facts = sorted({t.fact for p in part for t in p.tests})
                used = sorted({(n.base, place) for p in part for n, place in p.uses})
                groups.append(_Group(tag, kind, tuple((f, keys[f]) for f in facts),
                                     tuple((number[n], place, attr[(n, place)])
                                           for n, place in used)))
                members[tag] = part
    for groups in strata:
        for group in groups:
            for p in members[group.tag]:
                name = f"p{p.index}"
                expr = [{"g": group.tag}] + [_test(t, keys[t.fact]) for t in p.tests] + [
                    {"$nex": {attr[(n.base, place)]: 1}} if n.absent else {attr[(n, place)]: True}
                    for n, place in p.uses]
                definition[name] = {"all": [{"e": {"$and": expr}}], "run": name}
                actions[name] = p.index
    # Every fact matches this rule, so no batch is ever "unhandled". One pattern only: a
    # second pattern that never matches made delete_state double-free (see above).
    definition[CATCH_ALL] = {"all": [{"m": {"$ex": {"g": 1}}}], "pri": 65535, "run": CATCH_ALL}
    emits = {p.index: tuple((number[n], place == "patient") for n, place in p.emits)
             for p in program.productions if p.emits}
    return _Compiled(actions, tuple(tuple(g) for g in strata), emits), definition


def _test(test: Test, key: str) -> dict[str, Any]:
    """One positive atom (careflow.logic.Test). A comparison on a missing key never matches
    in the engine, so "known and x < c" is just `$lt`; `$neq` does match a missing key, so
    "known and x != c" says `$ex` too."""
    op, value = test.op, test.value
    if op == "known":
        return {"$ex": {key: 1}}
    if op == "unknown":
        return {"$nex": {key: 1}}
    values = value if op in ("in", "not_in") else (value,)
    for x in values:
        if isinstance(x, float) and ("e" in repr(x) or not math.isfinite(x)):
            raise EngineError(f"the engine cannot take the number {x!r} in a rule (write it "
                              "without an exponent)")
    if op == "eq":
        return {key: value}
    if op == "in":
        return {"$or": [{key: x} for x in value]} if len(value) > 1 else {key: value[0]}
    if op in ("ne", "not_in"):
        return {"$and": [{"$ex": {key: 1}}, *({"$neq": {key: x}} for x in values)]}
    return {_ENGINE_OP[op]: {key: value}}


_ENGINE_OP = {"lt": "$lt", "lte": "$lte", "gt": "$gt", "gte": "$gte"}


def _number(value: float) -> str:
    if not math.isfinite(value):  # the model refuses these; never hand them to the engine
        raise EngineError(f"the engine cannot take the number {value!r}")
    text = repr(value)
    return format(Decimal(text), "f") if "e" in text or "E" in text else text


def _plain(value: Any) -> bool:
    """True when json.dumps already writes `value` the way the engine reads it: no float
    whose repr has an exponent (our facts are flat, or lists of flat mappings)."""
    items = value if isinstance(value, list) else [value]
    for item in items:
        for v in (item.values() if isinstance(item, dict) else (item,)):
            if type(v) is float and ("e" in repr(v) or not math.isfinite(v)):
                return False
            if isinstance(v, (dict, list, tuple)):
                return False
    return True


def _dumps(value: Any) -> str:
    """JSON the engine's own parser reads correctly (see the module docstring)."""
    if _plain(value):
        return json.dumps(value)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(str(k))}: {_dumps(v)}"
                               for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_dumps(v) for v in value) + "]"
    if isinstance(value, float):
        return _number(value)
    return json.dumps(value)


def _state(result: tuple[int, int], what: str) -> int:
    """The state handle of an assert; anything but OK (unhandled, already observed) fails."""
    code, state = result
    if code != 0:
        raise EngineError(f"the engine did not take {what} (code {code})")
    return state


Entity = tuple[str, str | None, dict[str, Any]]
"""An entity as the program sees it: kind ("patient" | "leg"), side, fact values by name (an
unknown value is absent)."""


def run(program: Program, entities: Sequence[Entity]) -> list[tuple[int, int]]:
    """Run a program over one patient's entities in a fresh session; the firings, as
    (production index, entity index) pairs. Raises EngineError on any engine failure
    (never a partial answer)."""
    register(program)
    compiled = _REGISTERED[program.name]
    with _LOCK, _signals_deferred():
        s = _Session(program.name, compiled, entities)
        try:
            for groups in compiled.strata:
                s.assert_batch(s.copies(groups))
        finally:
            with contextlib.suppress(Exception):
                _host().delete_state(program.name, s.sid)
    return s.firings


# Asynchronous signals whose handlers may raise (Ctrl-C, termination, timers). Delivered in
# the middle of a session, an exception leaves the engine with actions pending, and deleting
# that session aborts the process (docs/engine.md#interrupts): they are held back while a
# session is open and delivered, in order, the moment it is closed.
_DEFERRED = frozenset(getattr(signal, name) for name in (
    "SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT", "SIGALRM", "SIGVTALRM", "SIGPROF", "SIGUSR1",
    "SIGUSR2") if hasattr(signal, name))


@contextlib.contextmanager
def _signals_deferred() -> Iterator[None]:
    if not hasattr(signal, "pthread_sigmask"):  # not a POSIX system: nothing to hold back
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, _DEFERRED)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


class _Session:
    """One evaluation's session.

    Actions are run by a lean loop over the engine's own C calls (assert, start action,
    complete and start the next), the same calls durable_rules' Python layer makes, without
    its per-action closure objects, timestamps, lease timers and state re-serialisation: a
    firing only records itself and the derived facts it emits, so there is nothing to
    write back. An error in an action abandons it and fails the evaluation.
    """

    def __init__(self, ruleset: str, compiled: _Compiled, entities: Sequence[Entity]) -> None:
        self.compiled = compiled
        self.entities = entities
        self.sid = f"s{next(_SIDS)}"
        self.rules = _host().get_ruleset(ruleset)
        self.legs = [side for kind, side, _ in entities if kind == "leg"]
        self.firings: list[tuple[int, int]] = []
        self.seen: set[tuple[int, int]] = set()
        self.holds: set[tuple[int, str | None]] = set()  # derived facts so far, by side
        # json.dumps writes every value the way the engine reads it unless a float needs
        # an exponent: then (rarely) the slow, positional writer
        self.plain = all(_plain(values) for _, _, values in entities)

    def copies(self, groups: tuple[_Group, ...]) -> list[dict[str, Any]]:
        """This stratum's entity copies, with the derived facts of earlier strata."""
        out = []
        for i, (kind, side, values) in enumerate(self.entities):
            for group in groups:
                if group.kind != kind:
                    continue
                fact: dict[str, Any] = {"h": str(i), "g": group.tag, "sid": self.sid}
                fact.update((key, values[name]) for name, key in group.facts
                            if values.get(name) is not None)
                holds = self.holds
                for node, place, key in group.nodes:
                    if place == "each_leg":
                        present = all((node, s) in holds for s in self.legs)
                    else:
                        present = (node, side if place == "same" else None) in holds
                    if present:
                        fact[key] = True
                out.append(fact)
        return out

    def assert_batch(self, facts: list[dict[str, Any]]) -> None:
        if not facts:
            return
        text = json.dumps(facts) if self.plain else _dumps(facts)
        handle = self.rules._handle
        state = None
        try:
            state = _state(_core.assert_facts(handle, text), "a batch")
            result = _core.start_action_for_state(handle, state)
            message = self._next(state, result[1] if result else None)
            while message:
                message = self._run_action(state, message)
        except BaseException as exc:
            if state is not None:
                self._drain(state)  # no action left pending when the session is deleted
            if isinstance(exc, EngineError) or not isinstance(exc, Exception):
                raise
            raise EngineError(f"rule engine failed: {exc}") from exc

    def _drain(self, state: int) -> None:
        """Abandon every action the engine still holds for this state (after an error or an
        interrupt), so that deleting the session frees nothing twice."""
        handle = self.rules._handle
        for _ in range(100_000):
            try:
                if not _core.start_action_for_state(handle, state):
                    return
                _core.abandon_action(handle, state)
            except Exception:
                return

    def _run_action(self, state: int, message: str) -> str | None:
        handle = self.rules._handle
        action_name = message[2:message.index('"', 2)]
        try:
            found = HANDLE.search(message)
            index = self.compiled.actions.get(action_name)
            if found is None or index is None:
                raise EngineError(f"engine rule {action_name} fired on facts careflow did not "
                                  "assert")
            self.fire(index, int(found.group(1)))
        except BaseException as exc:
            _core.abandon_action(handle, state)
            if isinstance(exc, EngineError) or not isinstance(exc, Exception):
                raise  # ours, or an interrupt / exit: not an engine failure to rename
            raise EngineError(f"a rule action failed in {action_name}: {exc!r}") from exc
        return self._next(state, _core.complete_and_start_action(handle, state))

    def fire(self, index: int, entity: int) -> None:
        if (index, entity) in self.seen:
            return  # the same production on the same entity through another `$or` branch
        self.seen.add((index, entity))
        self.firings.append((index, entity))
        side = self.entities[entity][1]
        for node, on_patient in self.compiled.emits.get(index, ()):
            self.holds.add((node, None if on_patient else side))

    def _next(self, state: int, text: str | None) -> str | None:
        """The next action's message (JSON text); the catch-all's are completed at once (it
        fires once per fact and does nothing)."""
        while text and text.startswith(_CATCH_ALL_MESSAGE):
            text = _core.complete_and_start_action(self.rules._handle, state)
        return text or None
