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


def test_answer_timeout_and_busy() -> None:
    async def scenario() -> None:
        pool = QueryPool(synthetic_store(), size=1)
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
        pool = QueryPool(store, size=2, settings=Settings(query_workers=2, adhoc_nice=0))
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
        pool = QueryPool(synthetic_store(5000), size=1)
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
