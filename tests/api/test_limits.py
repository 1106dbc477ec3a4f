"""Time and size limits: a runaway query is killed at the limit while others are answered."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from typing import cast

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response

from bench.pool_overhead import store_of
from clusterkg.api.app import create_app
from clusterkg.api.state import StoreHolder, get_store
from clusterkg.graph.store import OxigraphStore
from clusterkg.settings import Settings

from .conftest import DATASET

# A cartesian product of four patterns over 300 triples: 8·10⁹ solutions, minutes of work.
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
SIMPLE = "SELECT ?s WHERE { ?s <urn:p> 7 }"
LIMIT = 1.5


def synthetic_store(size: int = 300) -> OxigraphStore:
    """A graph of `size` triples <urn:s{i}> <urn:p> i in one named graph (the shape the pool's
    benchmark measures too)."""
    return store_of(size)


def _app(client: TestClient) -> FastAPI:
    return cast(FastAPI, client.app)


def _client(workers: int) -> Iterator[TestClient]:
    settings = Settings(dataset=DATASET, query_timeout=LIMIT, query_workers=workers)
    app = create_app(settings)
    store = synthetic_store()
    app.dependency_overrides[get_store] = lambda: store
    with TestClient(app) as client:
        yield client


@pytest.fixture
def client() -> Iterator[TestClient]:
    yield from _client(workers=2)


@pytest.fixture
def single_worker_client() -> Iterator[TestClient]:
    yield from _client(workers=1)


def _in_background(client: TestClient, query: str) -> tuple[threading.Thread, dict[str, Response]]:
    answer: dict[str, Response] = {}

    def run() -> None:
        answer["response"] = client.get("/sparql", params={"query": query})

    thread = threading.Thread(target=run)
    thread.start()
    return thread, answer


def test_runaway_query_is_killed_while_others_are_answered(client: TestClient) -> None:
    assert client.get("/sparql", params={"query": SIMPLE}).status_code == 200
    pool = _app(client).state.holder.pool_for(_app(client).dependency_overrides[get_store]())
    pids_before = set(pool.lane_pids("general"))
    started = time.monotonic()
    thread, answer = _in_background(client, RUNAWAY)
    time.sleep(0.3)

    quick = client.get("/sparql", params={"query": SIMPLE})
    assert quick.status_code == 200
    assert quick.json()["results"]["bindings"][0]["s"]["value"] == "urn:s7"
    assert time.monotonic() - started < LIMIT, "the simple query waited for the runaway one"
    assert thread.is_alive()

    thread.join(timeout=30)
    elapsed = time.monotonic() - started
    response = answer["response"]
    assert response.status_code == 503
    assert f"time limit of {LIMIT:g} s" in response.text
    assert LIMIT <= elapsed < LIMIT + 2

    killed = pids_before - set(pool.lane_pids("general"))
    assert len(killed) == 1 and len(pool.lane_pids("general")) == 2, "killed worker replaced"
    for pid in killed:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
    assert client.get("/sparql", params={"query": SIMPLE}).status_code == 200


def test_queued_query_runs_once_the_runaway_is_killed(single_worker_client: TestClient) -> None:
    """With one worker busy on a runaway, a simple query is not refused: it is answered (by
    the worker freed when the runaway is killed at its limit, or a free short-query slot), and
    the runaway's worker is killed and replaced. Behaviour only: no timing is asserted."""
    client = single_worker_client
    pool = _app(client).state.holder.pool_for(_app(client).dependency_overrides[get_store]())
    before = set(pool.lane_pids("general"))
    thread, answer = _in_background(client, RUNAWAY)
    time.sleep(0.3)  # let the runaway take the worker first
    response = client.get("/sparql", params={"query": SIMPLE})
    thread.join(timeout=60)
    assert not thread.is_alive()
    assert answer["response"].status_code == 503
    assert f"time limit of {LIMIT:g} s" in answer["response"].text
    assert response.status_code == 200, response.text
    assert response.json()["results"]["bindings"][0]["s"]["value"] == "urn:s7"
    killed = before - set(pool.lane_pids("general"))
    assert len(killed) == 1 and len(pool.lane_pids("general")) == 1, "runaway worker replaced"
    for pid in killed:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


def test_request_size_limit() -> None:
    settings = Settings(dataset=DATASET, max_request_bytes=2048)
    big = "ASK {} " + "#" * 4096
    with TestClient(create_app(settings)) as client:
        posted = client.post(
            "/sparql", content=big, headers={"Content-Type": "application/sparql-query"}
        )
        assert posted.status_code == 413
        assert "2048" in posted.text
        assert client.get("/sparql", params={"query": big}).status_code == 413
        assert client.get("/sparql", params={"query": "ASK {}"}).status_code == 200


def test_replace_swaps_the_store_atomically() -> None:
    with TestClient(create_app(Settings(dataset=DATASET))) as client:
        holder: StoreHolder = _app(client).state.holder
        old_pids = holder.pool.pids
        holder.replace(synthetic_store(5), holder.release)
        count = client.get("/sparql", params={"query": "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"})
        assert count.json()["results"]["bindings"][0]["n"]["value"] == "5"
        for pid in old_pids:
            with pytest.raises(ProcessLookupError):
                os.kill(pid, 0)
