"""The worker pool on its own: answers, timeouts, busy pool, crashed workers, reused workers."""

from __future__ import annotations

import asyncio
import os
import signal

import pytest

from clusterkg.api.execution import PoolBusy, QueryPool, QueryTimeout
from clusterkg.api.results import QueryJob, evaluate
from clusterkg.settings import Settings

from .test_limits import RUNAWAY, SIMPLE, synthetic_store

WORKERS_ONLY = Settings(query_workers=1, inline_query_ms=0)  # every answer from a worker


def test_answer_timeout_and_busy() -> None:
    async def scenario() -> None:
        pool = QueryPool(synthetic_store(), size=1, settings=WORKERS_ONLY)
        try:
            outcome = await pool.run(QueryJob(SIMPLE), timeout=5)
            assert outcome.status == 200 and b"urn:s7" in outcome.body
            runaway = asyncio.create_task(pool.run(QueryJob(RUNAWAY), timeout=1.0))
            await asyncio.sleep(0.1)
            with pytest.raises(PoolBusy):
                await pool.run(QueryJob(SIMPLE), timeout=0.3)
            with pytest.raises(QueryTimeout, match="time limit of 1 s"):
                await runaway
            assert (await pool.run(QueryJob(SIMPLE), timeout=5)).status == 200
        finally:
            pool.terminate()
        assert pool.pids == []

    asyncio.run(scenario())


def test_crashed_worker_is_replaced() -> None:
    async def scenario() -> None:
        pool = QueryPool(synthetic_store(), size=1)
        try:
            task = asyncio.create_task(pool.run(QueryJob(RUNAWAY), timeout=10))
            await asyncio.sleep(0.2)
            os.kill(pool.lane_pids("general")[0], signal.SIGKILL)
            crashed = await task
            assert crashed.status == 500 and b"crashed" in crashed.body
            assert (await pool.run(QueryJob(SIMPLE), timeout=5)).status == 200
        finally:
            pool.terminate()

    asyncio.run(scenario())


def test_pool_answers_as_in_process_with_the_same_workers() -> None:
    """The pool's answers are the in-process answers, byte for byte, from the workers it
    started: no worker is spawned per query. (How long the hand-off takes is a benchmark,
    `python -m bench.pool_overhead`, measured against in-process evaluation in the same run.)"""
    store = synthetic_store()
    jobs = [QueryJob(SIMPLE), QueryJob("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")]
    expected = [evaluate(store, job).body for job in jobs]

    async def scenario() -> None:
        pool = QueryPool(store, size=2, settings=Settings(query_workers=2, adhoc_nice=0,
                                                          inline_query_ms=0))
        try:
            workers = sorted(pool.pids)
            for _ in range(50):
                for job, body in zip(jobs, expected, strict=True):
                    outcome = await pool.run(job, timeout=5)
                    assert outcome.status == 200 and outcome.body == body
            assert sorted(pool.pids) == workers
        finally:
            pool.terminate()
        assert pool.pids == []

    asyncio.run(scenario())


def test_answers_larger_than_the_pipe_buffer_under_uvloop() -> None:
    """The server runs on uvloop (`api/connections.py`), whose polling makes the worker's pipe
    non-blocking: an answer of one message larger than the pipe's buffer (a few hundred kB,
    under one chunk) must still arrive whole, every time, not as a crashed worker."""
    import uvloop

    async def scenario() -> None:
        pool = QueryPool(synthetic_store(5000), size=1, settings=WORKERS_ONLY)
        try:
            query = "SELECT ?s ?o WHERE { ?s ?p ?o } ORDER BY ?o"
            expected = evaluate(pool.store, QueryJob(query)).body
            assert 200_000 < len(expected) < 1 << 20
            for _ in range(3):
                outcome = await pool.run(QueryJob(query), timeout=10)
                assert outcome.status == 200, outcome.body[:200]
                assert outcome.body == expected
        finally:
            pool.terminate()

    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        runner.run(scenario())


class _Delegating:
    """A store that is not the in-process Oxigraph store (as a remote store is not)."""

    def __init__(self, store: object) -> None:
        self._store = store

    def __getattr__(self, name: str) -> object:
        return getattr(self._store, name)


def test_known_tiny_queries_are_answered_in_the_server() -> None:
    """A job a worker answered within `inline_query_ms` of CPU is answered in the server from
    then on, identically, even while every worker is busy; an unknown one still waits for a
    worker, and a text whose work may vary never leaves the workers."""
    store = synthetic_store()
    settings = Settings(query_workers=1, inline_query_ms=50, queue_wait=0.3)
    varying = "SELECT ?s WHERE { ?s <urn:p> ?o FILTER(?o = 7 || RAND() < 0) }"

    async def scenario() -> None:
        pool = QueryPool(store, size=1, settings=settings)
        try:
            first = await pool.run(QueryJob(SIMPLE), timeout=5)
            assert pool.inlined == 0 and first.status == 200 and first.seconds > 0
            again = await pool.run(QueryJob(SIMPLE), timeout=5)
            assert pool.inlined == 1 and again == first  # status, type, body, rows
            for _ in range(2):
                assert (await pool.run(QueryJob(varying), timeout=5)).status == 200
            assert pool.inlined == 1
            runaway = asyncio.create_task(pool.run(QueryJob(RUNAWAY), timeout=2))
            await asyncio.sleep(0.2)
            assert (await pool.run(QueryJob(SIMPLE), timeout=5)) == first
            with pytest.raises(PoolBusy):
                await pool.run(QueryJob(SIMPLE + " LIMIT 1"), timeout=5)
            with pytest.raises(QueryTimeout):
                await runaway
        finally:
            pool.terminate()

    asyncio.run(scenario())


def test_nothing_is_answered_in_the_server_when_disabled_or_over_another_store() -> None:
    async def scenario(store: object, settings: Settings) -> int:
        pool = QueryPool(store, size=1, settings=settings)  # type: ignore[arg-type]
        try:
            for _ in range(3):
                assert (await pool.run(QueryJob(SIMPLE), timeout=5)).status == 200
            return pool.inlined
        finally:
            pool.terminate()

    store = synthetic_store()
    assert asyncio.run(scenario(store, WORKERS_ONLY)) == 0
    assert asyncio.run(scenario(_Delegating(store), Settings(query_workers=1,
                                                            inline_query_ms=50))) == 0
