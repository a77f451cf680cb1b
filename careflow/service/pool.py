"""Evaluations in worker processes (docs/service.md#workers).

The engine runs one evaluation at a time per process and a fault in it can end the process,
so the service never evaluates in its own process: each call's task goes to one of `size`
worker processes (fresh interpreters, `python -m careflow.service.pool`, each loading and
compiling the rule book once), over a socket pair of its own.

- A worker that dies while evaluating (killed, or the engine aborting the process) fails
  that call only, with `EvaluationFailed` (a 500 OperationOutcome, never "no cards"); it is
  replaced by a new process and the other workers go on serving.
- A worker that does not answer within `timeout` seconds is killed and replaced; the call
  gets `EvaluationTimeout` (504).
- At most `size` calls evaluate and `queue_limit` wait; one more is refused at once with
  `Busy` (503 with Retry-After), never left to wait without bound.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from .errors import Busy, EvaluationFailed, EvaluationTimeout

log = logging.getLogger("careflow.service")

READY_SECONDS = 120.0


def _worker_main(conn: Connection, rules: str | None, params: str | None) -> None:
    """A worker process: load the rule book once, then answer tasks until told to stop."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the server stops its workers itself
    from ..errors import EngineError, InputError
    from ..rulebook import default_rulebook, load_rulebook
    from .hooks import compute

    try:
        book = load_rulebook(rules, params) if (rules or params) else default_rulebook()
        from .. import fhir_in  # noqa: F401 - loaded once, before the first call
    except Exception as exc:
        conn.send(("failed", f"{type(exc).__name__}: {exc}"))
        return
    conn.send(("ready", os.getpid()))
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        reply: tuple[str, Any]
        try:
            reply = ("ok", compute(task, book))
        except InputError as exc:
            reply = ("input", list(exc.problems))
        except EngineError as exc:
            reply = ("engine", str(exc))
        except Exception as exc:
            reply = ("internal", type(exc).__name__)
        conn.send(reply)


class WorkerDied(EvaluationFailed):
    """The worker evaluating this call stopped before answering."""


class Worker:
    """One worker process (`python -m careflow.service.pool`, so that it never re-runs the
    server's main module) and the server's end of the socket pair it answers on."""

    def __init__(self, rules: Path | None, params: Path | None) -> None:
        ours, theirs = socket.socketpair()
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "careflow.service.pool", str(theirs.fileno()),
                 str(rules or ""), str(params or "")],
                pass_fds=[theirs.fileno()], stdin=subprocess.DEVNULL, close_fds=True)
        finally:
            theirs.close()
        self.conn = Connection(ours.detach())
        self.busy = False

    @property
    def pid(self) -> int:
        return self.process.pid

    def wait_ready(self, timeout: float = READY_SECONDS) -> None:
        if not self.conn.poll(timeout):
            self.kill()
            raise EvaluationFailed("a worker process did not start in time")
        try:
            kind, detail = self.conn.recv()
        except (EOFError, OSError):
            self.kill()
            raise EvaluationFailed("a worker process stopped while starting") from None
        if kind != "ready":
            self.kill()
            raise EvaluationFailed(f"a worker process cannot start: {detail}")

    def call(self, task: Any, timeout: float) -> tuple[str, Any]:
        """Send a task and wait for the answer (blocking: run in a thread)."""
        try:
            self.conn.send(task)
            if not self.conn.poll(timeout):
                self.kill()
                raise EvaluationTimeout(f"the evaluation did not finish in {timeout:g} s")
            reply: tuple[str, Any] = self.conn.recv()
            return reply
        except (EOFError, OSError):
            self.kill()
            raise WorkerDied("the worker evaluating this call stopped; the call was not "
                             "evaluated (the worker is replaced)") from None

    def alive(self) -> bool:
        return self.process.poll() is None

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        try:
            self.process.wait(5)
        except subprocess.TimeoutExpired:
            log.error("worker pid %s does not end after SIGKILL", self.pid)
        self.conn.close()

    def stop(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            self.conn.send(None)
        try:
            self.process.wait(3)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(3)
        self.conn.close()


class Pool:
    """`size` worker processes, a bounded queue, dead workers replaced."""

    def __init__(self, size: int, queue_limit: int, timeout: float,
                 rules: Path | None = None, params: Path | None = None) -> None:
        self.size = size
        self.queue_limit = queue_limit
        self.timeout = timeout
        self.rules = rules
        self.params = params
        self.workers: list[Worker] = []
        self._idle: asyncio.Queue[Worker] | None = None
        self._waiting = 0
        self._threads = ThreadPoolExecutor(max_workers=size, thread_name_prefix="careflow-call")
        self._loop: asyncio.AbstractEventLoop | None = None
        self._closed = False
        self.replaced = 0

    def start(self) -> None:
        """Start the workers and wait until each has its rule book (blocking)."""
        started = [Worker(self.rules, self.params) for _ in range(self.size)]
        try:
            for w in started:
                w.wait_ready()
        except EvaluationFailed:
            for w in started:
                w.kill()
            raise
        self.workers = started

    def _queue(self) -> asyncio.Queue[Worker]:
        if self._idle is None:
            self._loop = asyncio.get_running_loop()
            self._idle = asyncio.Queue()
            for w in self.workers:
                self._idle.put_nowait(w)
        return self._idle

    @property
    def waiting(self) -> int:
        return self._waiting

    async def run(self, task: Any) -> tuple[str, Any]:
        """One task's answer from a worker: ("ok", result), ("input", problems),
        ("engine", message) or ("internal", error type); Busy, EvaluationFailed or
        EvaluationTimeout when there is none."""
        idle = self._queue()
        if idle.empty() and self._waiting >= self.queue_limit:
            raise Busy("every worker is busy and the queue is full", retry_after=1)
        self._waiting += 1
        try:
            worker = await idle.get()
        finally:
            self._waiting -= 1
        assert self._loop is not None
        future = self._loop.run_in_executor(self._threads, self._call, worker, task)
        return await asyncio.shield(future)

    def _call(self, worker: Worker, task: Any) -> tuple[str, Any]:
        """In a thread: the call, then the worker back to the idle queue (or replaced),
        even when the request that asked has gone."""
        worker.busy = True
        try:
            reply = worker.call(task, self.timeout)
        except EvaluationFailed:
            worker.busy = False
            self._replace(worker)
            raise
        except Exception as exc:  # the task never reached the worker, or its state is unknown
            worker.busy = False
            self._replace(worker)
            raise EvaluationFailed(f"the call could not be evaluated ({type(exc).__name__})"
                                   ) from None
        worker.busy = False
        assert self._loop is not None and self._idle is not None
        self._loop.call_soon_threadsafe(self._idle.put_nowait, worker)
        return reply

    def _replace(self, dead: Worker) -> None:
        log.warning("an evaluation worker stopped (pid %s); starting a replacement", dead.pid)
        dead.kill()

        def start() -> None:
            while not self._closed:
                try:
                    fresh = Worker(self.rules, self.params)
                    fresh.wait_ready()
                except EvaluationFailed as exc:
                    log.error("a replacement worker did not start: %s", exc.message)
                    time.sleep(1.0)
                    continue
                assert self._loop is not None and self._idle is not None
                self.workers = [fresh if w is dead else w for w in self.workers]
                self.replaced += 1
                if self._closed:
                    fresh.stop()
                    return
                self._loop.call_soon_threadsafe(self._idle.put_nowait, fresh)
                return

        threading.Thread(target=start, name="careflow-replace", daemon=True).start()

    def close(self) -> None:
        self._closed = True
        for w in self.workers:
            w.stop()
        self._threads.shutdown(wait=False, cancel_futures=True)


if __name__ == "__main__":  # a worker: python -m careflow.service.pool FD RULES PARAMS
    _worker_main(Connection(int(sys.argv[1])), sys.argv[2] or None, sys.argv[3] or None)
