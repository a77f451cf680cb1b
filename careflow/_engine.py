"""The only module that imports durable_rules (style principle 6).

What this adapter guarantees, from ../shared/design/durable-rules-notes.md:
- one Host per process, its timer threads never started (`_run` does nothing: we only call
  it synchronously), rule sets registered once and from a deep copy (it mutates its input);
- every evaluation in its own session with a fresh id (never the patient id: sids are hashed
  to 32 bits and collide), facts of a stratum asserted as ONE batch, the session deleted in
  `finally`;
- a catch-all rule so that no fact is "unhandled" (otherwise the batch raises, its actions
  still run later, and we measured a segfault on the next call); it never fires;
- `state["exception"]` checked after every call: an error inside an action fails the whole
  evaluation (EngineError), never a partial plan;
- one lock around the engine: the Host is not thread-safe (segfaults under 4 threads).
"""

from __future__ import annotations

import copy
import itertools
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from durable import engine as _dr

from .errors import EngineError

Sink = Callable[[str, dict[str, dict[str, Any]]], list[dict[str, Any]]]
"""Called for each firing with the rule id and the matched facts by alias; returns the facts
the firing derives, which the adapter asserts into the same session."""

CATCH_ALL = "__careflow_catch_all__"
_LOCK = threading.RLock()
_SIDS = itertools.count(1)


class _Host(_dr.Host):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__()
        self.sink: Sink | None = None

    def _run(self) -> None:  # no timer threads: careflow never uses timers
        return None

    def get_action(self, action_name: str) -> Callable[[Any], None]:
        if action_name == CATCH_ALL:
            return _ignore

        def fire(c: Any) -> None:
            if self.sink is None:
                raise EngineError(f"rule {action_name} fired outside an evaluation")
            matched = {alias: dict(fact) for alias, fact in c._m.items()}
            for fact in self.sink(action_name, matched):
                c.assert_fact(fact)

        return fire


def _ignore(_c: Any) -> None:
    return None


_HOST: _Host | None = None
_REGISTERED: set[str] = set()


def _host() -> _Host:
    global _HOST
    if _HOST is None:
        _HOST = _Host()
    return _HOST


def register(name: str, rules: dict[str, dict[str, Any]]) -> None:
    """Compile a rule set into the engine once (by name); later calls are free."""
    with _LOCK:
        if name in _REGISTERED:
            return
        definition = copy.deepcopy(rules)
        for rule_id, rule in definition.items():
            rule["run"] = rule_id
        # Every fact enters this rule's first pattern, so no batch is ever "unhandled"; its
        # second pattern matches no fact, so it never fires and costs no action callback.
        definition[CATCH_ALL] = {"all": [{"m": {"$ex": {"t": 1}}},
                                         {"never": {"t": "__careflow_never__"}}],
                                 "pri": 65535, "run": CATCH_ALL}
        try:
            _host().set_rulesets({name: definition})
        except Exception as exc:  # the C core reports bad definitions as plain errors
            raise EngineError(f"the engine refused rule set {name}: {exc}") from exc
        _REGISTERED.add(name)


class Session:
    """One evaluation's session: assert batches, then it is deleted."""

    def __init__(self, ruleset: str) -> None:
        self.ruleset = ruleset
        self.sid = f"s{next(_SIDS)}"

    def assert_batch(self, facts: list[dict[str, Any]]) -> None:
        batch = [{**fact, "sid": self.sid} for fact in facts]
        try:
            state = _host().assert_facts(self.ruleset, batch)
        except EngineError:
            raise
        except Exception as exc:
            raise EngineError(f"rule engine failed: {exc}") from exc
        if isinstance(state, dict) and state.get("exception"):
            raise EngineError(f"a rule action failed: {state['exception']}")


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
