"""The worker pool on its own: answers, timeouts, busy pool, crashed workers, overhead."""

from __future__ import annotations

import asyncio
import os
import signal
import statistics
import time

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


def pool_overhead_ms(rounds: int = 300) -> tuple[float, float]:
    """p50 and p95 of (time through the pool) - (time evaluating in process), in ms."""
    store = synthetic_store()
    job = QueryJob(SIMPLE)
    direct, pooled = [], []

    async def measure() -> None:
        # the mechanism's cost alone: ad-hoc workers at normal CPU priority
        pool = QueryPool(store, size=2, settings=Settings(query_workers=2, adhoc_nice=0))
        try:
            for _ in range(rounds):
                t0 = time.perf_counter()
                evaluate(store, job)
                t1 = time.perf_counter()
                await pool.run(job, timeout=5)
                t2 = time.perf_counter()
                direct.append(t1 - t0)
                pooled.append(t2 - t1)
        finally:
            pool.terminate()

    asyncio.run(measure())
    extra = sorted(1000 * (p - d) for p, d in zip(pooled, direct, strict=True))
    return statistics.median(extra), extra[int(0.95 * len(extra)) - 1]


def test_pool_overhead_is_small() -> None:
    p50, p95 = pool_overhead_ms()
    assert p95 < 10, f"pool overhead p50 {p50:.2f} ms, p95 {p95:.2f} ms"
