"""Queries under a hard time limit: a pool of forked worker processes that can be killed.

Oxigraph has no way to cancel a running query, and a thread cannot be stopped, so every query
runs in a worker process forked from the server once the store is loaded. Fork shares the
in-memory store copy-on-write (Oxigraph's data lives in Rust memory that is only read, so the
pages stay shared). A query that outlives its limit gets its worker SIGKILLed and a fresh one
forked in its place; the others keep answering. A round trip costs two pipe messages and a
thread hop, well under a millisecond (see tests/api/measure_overhead.py).

Linux/macOS only (os.fork). Workers close every inherited descriptor, so a client socket of
the server is never held open by a worker, and die with the server (PR_SET_PDEATHSIG on
Linux; on EOF of their pipe elsewhere).
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import gc
import os
import signal
import sys
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection, Pipe
from typing import Any

import anyio.to_thread
from anyio import CapacityLimiter

from clusterkg.api.results import QueryJob, QueryOutcome, evaluate
from clusterkg.graph.store import Store


class QueryTimeout(Exception):
    """The query was stopped at the configured limit."""


class PoolBusy(Exception):
    """No worker became free within the query's time limit."""


@dataclass
class _Worker:
    pid: int
    conn: Connection


def _die_with_parent() -> None:
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def _worker_main(store: Store, conn: Connection) -> None:
    gc.freeze()  # the collector never walks the inherited objects, so their pages stay shared
    gc.set_threshold(50_000, 20, 20)  # results make many short-lived objects, few cycles
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _die_with_parent()
    keep = conn.fileno()
    os.closerange(3, keep)
    os.closerange(keep + 1, os.sysconf("SC_OPEN_MAX") if hasattr(os, "sysconf") else 4096)
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        conn.send(evaluate(store, job))


def _spawn(store: Store) -> _Worker:
    parent_end, child_end = Pipe(duplex=True)
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child
        code = 0
        try:
            parent_end.close()
            _worker_main(store, child_end)
        except BaseException:
            code = 1
        finally:
            os._exit(code)
    child_end.close()
    return _Worker(pid, parent_end)


def _reap(worker: _Worker) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(worker.pid, signal.SIGKILL)
    with contextlib.suppress(ChildProcessError):
        os.waitpid(worker.pid, 0)
    worker.conn.close()


def _round_trip(worker: _Worker, job: QueryJob, timeout: float) -> QueryOutcome | None:
    """Send a job and wait at most `timeout` for the answer (None on timeout)."""
    worker.conn.send(job)
    if not worker.conn.poll(max(timeout, 0.0)):
        return None
    outcome: QueryOutcome = worker.conn.recv()
    return outcome


class QueryPool:
    """Forked workers over one store; `run` evaluates a job within a time limit."""

    def __init__(self, store: Store, size: int) -> None:
        self.store = store
        self.size = size
        self.memo: dict[str, Any] = {}
        self._closed = False
        self._workers: list[_Worker] = []
        self._idle: asyncio.Queue[_Worker] = asyncio.Queue()
        self._limiter = CapacityLimiter(size)
        try:
            for _ in range(size):
                self._add(_spawn(store))
        except BaseException:
            self.close()
            raise

    def _add(self, worker: _Worker) -> None:
        self._workers.append(worker)
        self._idle.put_nowait(worker)

    def _discard(self, worker: _Worker) -> None:
        _reap(worker)
        if worker in self._workers:
            self._workers.remove(worker)

    def _release(self, worker: _Worker) -> None:
        if self._closed:
            self._discard(worker)
        else:
            self._idle.put_nowait(worker)

    def _replace(self, worker: _Worker) -> None:
        self._discard(worker)
        if not self._closed:
            self._add(_spawn(self.store))

    async def run(self, job: QueryJob, timeout: float) -> QueryOutcome:
        """Evaluate `job` in a worker; raise QueryTimeout/PoolBusy when `timeout` runs out."""
        if self._closed:
            raise PoolBusy("the dataset is being replaced")
        deadline = time.monotonic() + timeout
        try:
            worker = await asyncio.wait_for(self._idle.get(), timeout)
        except TimeoutError:
            raise PoolBusy(f"all {self.size} query workers stayed busy for {timeout:g} s") from None
        remaining = deadline - time.monotonic()
        try:
            outcome = await anyio.to_thread.run_sync(
                _round_trip, worker, job, remaining, limiter=self._limiter
            )
        except (EOFError, OSError):
            self._replace(worker)
            return QueryOutcome(500, "text/plain; charset=utf-8", b"query worker crashed")
        except BaseException:
            self._replace(worker)  # cancelled mid-query: the worker's state is unknown
            raise
        if outcome is None:
            self._replace(worker)
            raise QueryTimeout(f"query stopped at the time limit of {timeout:g} s")
        self._release(worker)
        return outcome

    @property
    def pids(self) -> list[int]:
        """Process ids of the live workers (for monitoring and tests)."""
        return [w.pid for w in self._workers]

    def close(self) -> None:
        """Kill idle workers now; busy ones are killed when their query returns."""
        self._closed = True
        while not self._idle.empty():
            self._discard(self._idle.get_nowait())

    def terminate(self) -> None:
        """Kill every worker, busy or not (server shutdown)."""
        self.close()
        for worker in list(self._workers):
            self._discard(worker)
