"""Bounded queries and fair service (issue 9, findings 5, 6 and 8): a memory cap per worker,
short queues with 503 + Retry-After, a per-client allowance with 429, and slow clients cut off.

Memory is measured from outside the worker (its /proc status sampled while the query runs);
the slow clients are real sockets on 127.0.0.1 against a real uvicorn server.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
import time
from pathlib import Path

import httpx
import pytest

from clusterkg.api.execution import PoolBusy, QueryPool, TooManyQueries
from clusterkg.api.results import QueryJob
from clusterkg.settings import Settings

from .conftest import DATASET
from .server import running_server
from .test_limits import RUNAWAY, SIMPLE, synthetic_store

# A sorted cross join: grows by hundreds of MB per second until something stops it.
GROW = "SELECT ?a ?b ?c ?d WHERE { ?a ?x ?b . ?c ?y ?d } ORDER BY ?a ?b ?c ?d"


def _vm_mib(pid: int, field: str = "VmSize") -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) // 1024
    return 0


def test_memory_cap_stops_the_query_and_replaces_the_worker() -> None:
    cap_mib = 128
    settings = Settings(query_workers=1, query_memory_mb=cap_mib, query_timeout=60,
                        inline_query_ms=0)

    async def scenario() -> None:
        pool = QueryPool(synthetic_store(3000), 1, settings)
        try:
            (pid,) = pool.lane_pids("general")
            # The cap is on the address space (VmSize), which bounds what the worker can ever
            # hold resident; its RSS alone may grow into heap the fork mapped but had not used.
            baseline = _vm_mib(pid)
            peak, done = [baseline], threading.Event()

            def sample() -> None:
                while not done.is_set():
                    try:
                        peak[0] = max(peak[0], _vm_mib(pid))
                    except (OSError, ValueError):
                        return
                    time.sleep(0.02)

            sampler = threading.Thread(target=sample)
            sampler.start()
            started = time.monotonic()
            outcome = await pool.run(QueryJob(GROW, max_rows=10), 60)
            elapsed = time.monotonic() - started
            done.set()
            sampler.join()
            assert outcome.status == 503, outcome.body
            assert b"memory limit of 128 MiB" in outcome.body
            assert elapsed < 20  # stopped by memory, long before the 60 s time limit
            assert peak[0] <= baseline + cap_mib, (baseline, peak[0])
            assert pool.lane_pids("general") and pool.lane_pids("general") != [pid]
            assert (await pool.run(QueryJob(SIMPLE), 10)).status == 200
        finally:
            pool.terminate()

    asyncio.run(scenario())


def test_full_queue_is_a_quick_503_and_the_client_allowance_a_429() -> None:
    settings = Settings(query_workers=1, queue_length=0, queue_wait=0.5,
                        max_queries_per_client=1, query_timeout=3, inline_query_ms=0)

    async def scenario() -> None:
        pool = QueryPool(synthetic_store(), 1, settings)
        try:
            runaway = asyncio.create_task(pool.run(QueryJob(RUNAWAY), 3, client="10.0.0.1"))
            await asyncio.sleep(0.2)
            with pytest.raises(TooManyQueries, match="limit is 1"):
                await pool.run(QueryJob(SIMPLE), 3, client="10.0.0.1")
            started = time.monotonic()
            with pytest.raises(PoolBusy, match="busy"):
                await pool.run(QueryJob(SIMPLE), 3, client="10.0.0.2")
            assert time.monotonic() - started < 0.2  # refused at once, not after waiting
            cheap = await pool.run(QueryJob(SIMPLE), 3, lane="cheap", client="10.0.0.3")
            assert cheap.status == 200  # the named-query lane is not behind the runaway
            runaway.cancel()
        finally:
            pool.terminate()

    asyncio.run(scenario())


def _trickle(sockets: list[socket.socket], payload: bytes, seconds: float) -> int:
    """Send `payload` one byte at a time on every socket for `seconds`; how many stay open."""
    deadline = time.monotonic() + seconds
    position = 0
    while time.monotonic() < deadline:
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.send(payload[position % len(payload): position % len(payload) + 1])
        position += 1
        time.sleep(0.25)
    open_ = 0
    for sock in sockets:
        try:
            sock.send(b"X")
            sock.settimeout(0.05)
            if sock.recv(1, socket.MSG_PEEK) == b"":
                continue
            open_ += 1
        except TimeoutError:
            open_ += 1
        except OSError:
            continue
    return open_


def test_slow_clients_are_cut_off_while_others_are_served() -> None:
    with running_server(DATASET, header_timeout="1.5", body_timeout="1.5",
                        keep_alive_timeout="1") as (url, _):
        port = int(url.split(":")[2].split("/")[0])
        headers = [socket.create_connection(("127.0.0.1", port)) for _ in range(200)]
        bodies = [socket.create_connection(("127.0.0.1", port)) for _ in range(20)]
        for sock in bodies:
            sock.sendall(b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/"
                         b"sparql-query\r\nContent-Length: 1000\r\n\r\nASK")
        try:
            answered = httpx.get(url, params={"query": "ASK {}"}, timeout=10)
            assert answered.status_code == 200
            assert _trickle(headers, b"GET /sparql?query=ASK%20%7B%7D HTTP/1.1\r\n", 4) == 0
            statuses = set()
            for sock in bodies:
                sock.settimeout(2)
                try:
                    statuses.add(sock.recv(200).split(b" ")[1])
                except (OSError, IndexError):
                    statuses.add(b"closed")
            assert statuses <= {b"408", b"closed"} and b"408" in statuses
            assert httpx.get(url, params={"query": "ASK {}"}, timeout=10).status_code == 200
        finally:
            for sock in headers + bodies:
                sock.close()


def test_one_worker_stays_free_for_short_queries() -> None:
    """However many clients send slow queries, at most workers-1 run long at once."""
    settings = Settings(query_workers=2, long_query_seconds=0.5, query_timeout=4,
                        inline_query_ms=0)

    async def scenario() -> None:
        pool = QueryPool(synthetic_store(), 2, settings)
        try:
            first = asyncio.create_task(pool.run(QueryJob(RUNAWAY), 4, client="10.0.0.1"))
            await asyncio.sleep(0.7)  # the first holds the one long-query slot
            started = time.monotonic()
            with pytest.raises(PoolBusy, match="long-query slots are taken"):
                await pool.run(QueryJob(RUNAWAY), 4, client="10.0.0.2")
            assert time.monotonic() - started < 2.0
            quick = await pool.run(QueryJob(SIMPLE), 4, client="10.0.0.3")
            assert quick.status == 200
            # the slow clients are recognised: one long query at a time, a cool-down after
            # a refusal; neither costs a worker
            with pytest.raises(TooManyQueries, match="already has a long query running"):
                await pool.run(QueryJob(SIMPLE), 4, client="10.0.0.1")
            with pytest.raises(TooManyQueries, match="retry in"):
                await pool.run(QueryJob(SIMPLE), 4, client="10.0.0.2")
            first.cancel()
        finally:
            pool.terminate()

    asyncio.run(scenario())
