"""Answers streamed from worker to client: identical to the in-process answer, server memory
bounded whatever the answer's size (measured from outside), a slow reader cut off at the time
limit with an incomplete body, an answer cut mid-stream never complete-looking."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from clusterkg.api.execution import QueryPool
from clusterkg.api.results import QueryJob, evaluate
from clusterkg.api.streaming import AnswerAborted, Channel
from clusterkg.api.writers import CHUNK
from clusterkg.graph.store import OxigraphStore
from clusterkg.settings import Settings

from .conftest import DATASET
from .server import children, running_server


def _grid(side: int, pad: int) -> str:
    """A query answering side × side rows of about `pad` bytes each, from no data at all."""
    numbers = " ".join(str(i) for i in range(side))
    return (f"SELECT ?a ?b ?pad WHERE {{ VALUES ?a {{ {numbers} }} VALUES ?b {{ {numbers} }} "
            f'BIND(CONCAT(STR(?a), "-", STR(?b), "-", "{"x" * pad}") AS ?pad) }} '
            "ORDER BY ?a ?b")


BIG = _grid(300, 560)  # 90,000 rows, about 51 MB of CSV


def _rss(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) << 10
    raise AssertionError("no VmRSS")


@pytest.fixture(scope="module")
def roomy() -> Iterator[tuple[str, int]]:
    with running_server(DATASET, max_rows="1000000", max_answer_bytes=str(1 << 30),
                        query_workers="2") as server:
        yield server


IMPATIENT_LIMIT = 6  # seconds


@pytest.fixture(scope="module")
def impatient() -> Iterator[tuple[str, int]]:
    # 6 s: time for the first chunk even on a loaded machine; the reader below then stalls
    # for twice as long while the worker waits for room.
    with running_server(DATASET, max_rows="1000000", query_timeout=str(IMPATIENT_LIMIT),
                        long_query_seconds="30", query_workers="2") as server:
        yield server


def _in_process(query: str, fmt: str) -> bytes:
    job = QueryJob(query, solutions_format=fmt, max_rows=1_000_000, max_answer_bytes=1 << 30,
                   base_iri="http://127.0.0.1:8000/sparql")
    outcome = evaluate(OxigraphStore.from_file(DATASET), job)
    assert outcome.status == 200
    return outcome.body


@pytest.mark.parametrize(("fmt", "name", "side"), [
    ("text/csv", "SPARQL_Results_CSV", 300), ("application/sparql-results+json",
                                             "SPARQL_Results_JSON", 120)])
def test_streamed_answer_is_identical(roomy: tuple[str, int], fmt: str, name: str,
                                      side: int) -> None:
    query = _grid(side, 560)
    response = httpx.post(roomy[0], data={"query": query}, headers={"Accept": fmt},
                          timeout=60)
    assert response.status_code == 200
    assert response.headers["transfer-encoding"] == "chunked"
    expected = _in_process(query, name)
    assert len(expected) > 2 * CHUNK
    assert response.content == expected


def test_server_memory_stays_bounded_while_a_large_answer_streams(
    roomy: tuple[str, int],
) -> None:
    url, pid = roomy
    httpx.post(url, data={"query": _grid(60, 560)}, timeout=30)  # warm the code paths
    baseline = _rss(pid)
    peak, size, done = baseline, 0, threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _rss(pid))
            time.sleep(0.01)

    sampler = threading.Thread(target=sample)
    sampler.start()
    try:
        with httpx.stream("POST", url, data={"query": BIG}, headers={"Accept": "text/csv"},
                          timeout=120) as response:
            assert response.status_code == 200
            for block in response.iter_bytes():
                size += len(block)
    finally:
        done.set()
        sampler.join()
    assert size > 50_000_000
    # Read whole, the answer would cost the server at least its size; streamed, a few chunks.
    assert peak - baseline < 24 << 20, f"server grew {(peak - baseline) >> 20} MiB"


def test_slow_reader_is_cut_off_with_an_incomplete_body(impatient: tuple[str, int]) -> None:
    url, pid = impatient
    workers = set(children(pid))
    received = 0
    with pytest.raises(httpx.RemoteProtocolError), httpx.stream(
        "POST", url, data={"query": BIG}, headers={"Accept": "text/csv"}, timeout=60,
    ) as response:
        assert response.status_code == 200
        for block in response.iter_bytes():
            if not received:
                time.sleep(2 * IMPATIENT_LIMIT)  # past the limit while the worker waits for room
            received += len(block)
    assert 0 < received < len(_in_process(BIG, "SPARQL_Results_CSV"))
    assert httpx.post(url, data={"query": "ASK {}"}, timeout=10).status_code == 200
    assert set(children(pid)) != workers  # the held worker was killed and replaced


def _pool_stream(job: QueryJob, timeout: float) -> tuple[int, bytes, BaseException | None]:
    async def scenario() -> tuple[int, bytes, BaseException | None]:
        pool = QueryPool(OxigraphStore.from_file(DATASET), 1, Settings(query_workers=1))
        try:
            outcome = await pool.run(job, timeout, stream=True)
            assert outcome.stream is not None and not outcome.chunks
            body, failure = b"", None
            try:
                async for chunk in outcome.stream:
                    body += chunk
            except AnswerAborted as error:
                failure = error
            after = await pool.run(QueryJob("ASK {}"), 5)
            return after.status, body, failure
        finally:
            pool.terminate()

    return asyncio.run(scenario())


def test_byte_cap_cuts_a_streamed_answer() -> None:
    job = QueryJob(BIG, solutions_format="SPARQL_Results_CSV", max_rows=1_000_000,
                   max_answer_bytes=3 * CHUNK + 100)
    status, body, failure = _pool_stream(job, 30)
    assert isinstance(failure, AnswerAborted) and "413" in str(failure)
    assert "CLUSTERKG_MAX_ANSWER_BYTES" in str(failure)
    assert 0 < len(body) <= 3 * CHUNK + 100
    assert status == 200  # the pool answers on


def test_a_complete_stream_ends_cleanly() -> None:
    job = QueryJob(_grid(100, 560), solutions_format="SPARQL_Results_CSV",
                   max_rows=1_000_000)
    status, body, failure = _pool_stream(job, 30)
    assert failure is None and status == 200
    assert body == _in_process(_grid(100, 560), "SPARQL_Results_CSV")


def test_channel_bounds_chunks_and_wakes_on_close() -> None:
    async def scenario() -> None:
        channel = Channel(slots=2)
        assert await channel.put("chunk", b"a", 0) and await channel.put("chunk", b"b", 0)
        assert not await channel.put("chunk", b"c", 0.05)  # full: the producer must wait
        assert await channel.put("end", None)  # the last message needs no place
        assert await channel.get() == ("chunk", b"a")
        assert await channel.put("chunk", b"c", 0)  # taking one freed a place
        waiting = asyncio.ensure_future(channel.put("chunk", b"d", 5))
        await asyncio.sleep(0.05)
        assert not waiting.done()
        channel.close()
        assert await asyncio.wait_for(waiting, 1) is False and channel.closed

    asyncio.run(scenario())
