"""Crash isolation over a real socket: a worker process killed while it evaluates a call fails
that call with a 5xx OperationOutcome (never "no cards"), is replaced, and the service goes on
serving; a full queue is 503 with Retry-After at once; a worker that does not answer in time
is killed and replaced (504). Workers are frozen with SIGSTOP so that a call is surely in
flight when the test acts: no timing is asserted."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

pytest.importorskip("fastapi", reason="the service extra is not installed")

from careflow import read_patient
from careflow.service.app import PATIENT_VIEW
from tests.unit.service_support import (
    Running,
    cds_post,
    check_cards,
    check_outcome,
    service,
)
from tests.unit.test_export_samples import EXAMPLES
from tests.unit.test_service_cards import prefetch_of, request


def wait_for(what: Callable[[], bool], limit: float = 120.0) -> None:
    deadline = time.monotonic() + limit
    while not what():
        if time.monotonic() > deadline:
            raise AssertionError("the state waited for never came")
        time.sleep(0.02)


def body() -> dict[str, Any]:
    patient = read_patient(EXAMPLES[0])
    return request(patient, prefetch=prefetch_of(patient))


def post(running: Running, payload: dict[str, Any]) -> httpx.Response:
    return cds_post(f"{running.url}/cds-services/{PATIENT_VIEW}", json=payload, timeout=120,
                      headers={"Accept-Language": "en"})


class InFlight:
    """A call made from a thread, its response kept."""

    def __init__(self, running: Running) -> None:
        self.response: httpx.Response | None = None
        self.thread = threading.Thread(target=self._run, args=(running,), daemon=True)
        self.thread.start()

    def _run(self, running: Running) -> None:
        self.response = post(running, body())

    def result(self) -> httpx.Response:
        self.thread.join(120)
        assert self.response is not None
        return self.response


def test_a_worker_killed_mid_request_fails_that_call_and_is_replaced(tmp_path: Path) -> None:
    with service(tmp_path, dev_no_auth=True, workers=2) as s:
        pool = s.service.pool
        assert post(s, body()).status_code == 200  # warm
        before = {w.pid for w in pool.workers}
        for w in pool.workers:
            os.kill(w.pid, signal.SIGSTOP)
        try:
            call = InFlight(s)
            wait_for(lambda: any(w.busy for w in pool.workers))
            victim = next(w for w in pool.workers if w.busy)
            os.kill(victim.pid, signal.SIGKILL)
            r = call.result()
        finally:
            for w in pool.workers:
                if w.alive():
                    os.kill(w.pid, signal.SIGCONT)
        assert r.status_code == 500, r.text
        check_outcome(r.json())
        assert "worker" in r.json()["issue"][0]["diagnostics"]
        assert "cards" not in r.json()
        wait_for(lambda: pool.replaced == 1 and all(w.alive() for w in pool.workers))
        after = {w.pid for w in pool.workers}
        assert victim.pid not in after and len(after) == 2 and before - {victim.pid} <= after
        for _ in range(4):  # both workers serve again, the new one included
            r = post(s, body())
            assert r.status_code == 200, r.text
            check_cards(r.json())
        rows = s.service.audit.rows("evaluation")
        assert [e["http_status"] for e in rows].count(500) == 1
        assert next(e for e in rows if e["http_status"] == 500)["outcome"] == "failed"


def test_over_the_queue_limit_is_503_with_retry_after(tmp_path: Path) -> None:
    with service(tmp_path, dev_no_auth=True, workers=1, queue_limit=1) as s:
        pool = s.service.pool
        (worker,) = pool.workers
        os.kill(worker.pid, signal.SIGSTOP)
        try:
            first = InFlight(s)
            wait_for(lambda: worker.busy)
            second = InFlight(s)
            wait_for(lambda: pool.waiting == 1)
            r = post(s, body())  # one more than one evaluating and one waiting
            assert r.status_code == 503, r.text
            assert r.headers["retry-after"] == "1"
            check_outcome(r.json())
        finally:
            os.kill(worker.pid, signal.SIGCONT)
        assert first.result().status_code == 200
        assert second.result().status_code == 200


def test_a_worker_that_does_not_answer_in_time_is_killed_and_replaced(tmp_path: Path) -> None:
    with service(tmp_path, dev_no_auth=True, workers=1, evaluation_timeout_seconds=5) as s:
        pool = s.service.pool
        assert post(s, body()).status_code == 200
        (worker,) = pool.workers
        os.kill(worker.pid, signal.SIGSTOP)
        r = post(s, body())
        assert r.status_code == 504, r.text
        check_outcome(r.json())
        assert not worker.alive()
        wait_for(lambda: pool.replaced == 1)
        assert post(s, body()).status_code == 200
