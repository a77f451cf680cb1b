"""The only module that imports durable_rules (style principle 6).

What this adapter guarantees, from ../shared/design/durable-rules-notes.md:
- one Host per process, its timer threads never started (`_run` does nothing: we only call
  it synchronously), rule sets registered once and from a deep copy (it mutates its input);
- every evaluation in its own session with a fresh id (never the patient id: sids are hashed
  to 32 bits and collide), facts of a stratum asserted as ONE batch, the session deleted in
  `finally`;
- a catch-all rule so that no fact is "unhandled" (otherwise the batch raises, its actions
  still run later, and we measured a segfault on the next call); it has ONE pattern and fires
  (cheaply) for every fact: a second pattern that never matches left partial matches that
  made `delete_state` double-free (a one-leg patient with no finding crashed the process);
- facts are handed to the engine as JSON we write ourselves: its parser reads a number with
  an exponent but no fraction (`1e-05`, Python's repr of 0.00001) as garbage and corrupts
  the session (segfault), so floats are written positionally (`0.00001`);
- actions run in our own loop over the engine's C calls: an error inside an action abandons
  it and fails the whole evaluation (EngineError), never a partial plan; every assert's
  status is checked;
- one lock around the engine: the Host is not thread-safe (segfaults under 4 threads).
"""

from __future__ import annotations

import copy
import itertools
import json
import math
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

import durable_rules_engine as _core
from durable import engine as _dr

from .errors import EngineError

Sink = Callable[[str, str], list[dict[str, Any]]]
"""Called for each firing with the rule id and the handle (`h`) of the fact that carries one
(the caller gives each entity fact a handle and keeps the fact itself); returns the facts the
firing derives, which the adapter asserts into the same session. Passing the handle instead
of the matched facts saves decoding every matched fact's JSON on every firing."""

HANDLE = re.compile(r'"h":\s*"([^"]*)"')
CATCH_ALL = "__careflow_catch_all__"
_CATCH_ALL_MESSAGE = '{"' + CATCH_ALL + '"'
_LOCK = threading.RLock()
_SIDS = itertools.count(1)


class _Host(_dr.Host):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__()
        self.sink: Sink | None = None

    def _run(self) -> None:  # no timer threads: careflow never uses timers
        return None

    def get_action(self, action_name: str) -> Callable[[Any], None]:
        return _not_here  # actions run only through Session's own loop


def _not_here(_c: Any) -> None:
    raise EngineError("a careflow rule action ran outside careflow's session loop")


_HOST: _Host | None = None
_REGISTERED: set[str] = set()


def _host() -> _Host:
    global _HOST
    if _HOST is None:
        _HOST = _Host()
    return _HOST


def registered(name: str) -> bool:
    return name in _REGISTERED


def register(name: str, rules: dict[str, dict[str, Any]]) -> None:
    """Compile a rule set into the engine once (by name); later calls are free."""
    with _LOCK:
        if name in _REGISTERED:
            return
        definition = copy.deepcopy(rules)
        for rule_id, rule in definition.items():
            rule["run"] = rule_id
        # Every fact matches this rule, so no batch is ever "unhandled". One pattern only: a
        # second pattern that never matches made delete_state double-free (see above).
        definition[CATCH_ALL] = {"all": [{"m": {"$ex": {"t": 1}}}], "pri": 65535,
                                 "run": CATCH_ALL}
        try:
            _host().set_rulesets({name: definition})
        except Exception as exc:  # the C core reports bad definitions as plain errors
            raise EngineError(f"the engine refused rule set {name}: {exc}") from exc
        _REGISTERED.add(name)


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


class Session:
    """One evaluation's session: assert batches, then it is deleted.

    Actions are run by a lean loop over the engine's own C calls (assert, start action,
    complete and start the next), the same calls durable_rules' Python layer makes, without
    its per-action closure objects, timestamps, lease timers and state re-serialisation: our
    actions never change the session state, so there is nothing to write back. An error in an
    action abandons it and fails the evaluation.
    """

    def __init__(self, ruleset: str) -> None:
        self.ruleset = ruleset
        self.sid = f"s{next(_SIDS)}"
        self.rules = _host().get_ruleset(ruleset)

    def assert_batch(self, facts: list[dict[str, Any]]) -> None:
        batch = [{**fact, "sid": self.sid} for fact in facts]
        try:
            state = _state(_core.assert_facts(self.rules._handle, _dumps(batch)), "a batch")
            result = _core.start_action_for_state(self.rules._handle, state)
            message = self._next(state, result[1] if result else None)
            while message:
                message = self._run_action(state, message)
        except EngineError:
            raise
        except Exception as exc:
            raise EngineError(f"rule engine failed: {exc}") from exc

    def _run_action(self, state: int, message: str) -> str | None:
        handle = self.rules._handle
        action_name = message[2:message.index('"', 2)]
        host = _host()
        try:
            found = HANDLE.search(message)
            if found is None:
                raise EngineError(f"rule {action_name} fired on facts without a handle")
            if host.sink is None:
                raise EngineError(f"rule {action_name} fired outside an evaluation")
            for fact in host.sink(action_name, found.group(1)):
                    _state(_core.assert_fact(handle, _dumps({**fact, "sid": self.sid})),
                           "a derived fact")
        except BaseException as exc:
            _core.abandon_action(handle, state)
            if isinstance(exc, EngineError) or not isinstance(exc, Exception):
                raise  # ours, or an interrupt / exit: not an engine failure to rename
            raise EngineError(f"a rule action failed in {action_name}: {exc!r}") from exc
        return self._next(state, _core.complete_and_start_action(handle, state))

    def _next(self, state: int, text: str | None) -> str | None:
        """The next action's message (JSON text); the catch-all's are completed at once (it
        fires once per fact and does nothing)."""
        while text and text.startswith(_CATCH_ALL_MESSAGE):
            text = _core.complete_and_start_action(self.rules._handle, state)
        return text or None


@contextmanager
def session(ruleset: str, sink: Sink) -> Iterator[Session]:
    """A fresh session under the engine lock; its state is deleted whatever happens."""
    with _LOCK:
        host = _host()
        host.sink = sink
        s = Session(ruleset)
        try:
            yield s
        finally:
            host.sink = None
            try:
                host.delete_state(ruleset, s.sid)
            except Exception:  # noqa: S110 - a session that never got state has none to delete
                pass
