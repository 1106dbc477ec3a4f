"""`serve --engine oxigraph` (issue 17): the service over a query engine process of its own.

One real service with its engine for the module (the protocol suite's sample release, copied
into a temporary folder where its on-disk store is written); the watchdog's rules are checked
on `EngineService.watch` with stand-ins for the engine and the pool."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import httpx
import pyoxigraph as ox
import pytest

from clusterkg.api import engine as engine_module
from clusterkg.api.engine import EngineService
from clusterkg.api.state import StoreHolder
from clusterkg.graph.release import load_release
from clusterkg.graph.stores.disk_release import read_record, release_store
from clusterkg.graph.stores.engine import Engine
from clusterkg.settings import Settings
from tests.api.conftest import ADMIN_TOKEN, DATASET
from tests.api.server import running_server

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
BY_GRAPH = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"
SLOW = ("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . "
        "?m ?n2 ?o . ?p ?q ?r }")  # 28^6 rows to count


def _copy(folder: Path, manifest: dict[str, Any] | None = None) -> Path:
    """The sample release in `folder` (its manifest edited by `manifest` if given)."""
    shutil.copy(DATASET, folder / DATASET.name)
    described = json.loads((DATASET.parent / "build.json").read_text())
    if manifest:
        described["release"]["dump"].update(manifest)
    (folder / "build.json").write_text(json.dumps(described))
    return folder / DATASET.name


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int, Path]]:
    """The service with `--engine oxigraph` on a copy of the sample release."""
    dataset = _copy(tmp_path_factory.mktemp("engine"))
    with running_server(dataset, engine="oxigraph", query_timeout="3",
                        query_workers="2", admin_token=ADMIN_TOKEN) as (url, pid):
        yield url, pid, dataset


def _engines(server: int) -> list[int]:
    """The engines: children of the server started from any of its threads."""
    kids = [int(c) for task in Path(f"/proc/{server}/task").iterdir()
            for c in (task / "children").read_text().split()]
    return [pid for pid in kids
            if b"serve-read-only" in Path(f"/proc/{pid}/cmdline").read_bytes()]


def _engine_pid(server: int) -> int:
    found = _engines(server)
    assert len(found) == 1, found
    return found[0]


def _rows(url: str, query: str) -> list[list[str]]:
    response = httpx.post(url, data={"query": query}, headers={"Accept": "text/csv"})
    assert response.status_code == 200, response.text
    return [line.split(",") for line in response.text.strip().splitlines()[1:]]


def test_the_engine_answers_as_the_release_loaded_in_memory(served):
    url, _, dataset = served
    local, _ = load_release(dataset)
    for query in (COUNT, BY_GRAPH):
        expected = local.query(query)
        assert isinstance(expected, ox.QuerySolutions)
        want = [[str(t.value) if t is not None else "" for t in row] for row in expected]
        assert _rows(url, query) == want


def test_the_release_store_is_written_once_and_then_only_opened(served):
    _, _, dataset = served
    root = dataset.parent / "oxigraph"
    (folder,) = root.iterdir()  # one store, no half-written `.tmp-*` left
    stamp = (folder / "release.json").stat().st_mtime_ns
    assert release_store(dataset) == folder
    assert (folder / "release.json").stat().st_mtime_ns == stamp
    assert read_record(folder) == (load_release(dataset)[1], True)


def test_the_limits_stay_in_front_of_the_engine(served):
    url = served[0]
    federated = httpx.post(url, data={
        "query": "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"})
    assert federated.status_code == 403
    update = httpx.post(url, data={"update": "DROP ALL"})
    assert update.status_code >= 400
    assert _rows(url, COUNT) == [["28"]]


def test_a_dead_engine_is_restarted_and_its_queries_in_flight_get_503(served):
    url, server, _ = served
    before = _engine_pid(server)
    answer: dict[str, httpx.Response] = {}
    asking = threading.Thread(target=lambda: answer.update(
        slow=httpx.post(url, data={"query": SLOW}, timeout=30)))
    asking.start()
    time.sleep(1.0)
    os.kill(before, signal.SIGKILL)
    asking.join(30)
    assert answer["slow"].status_code == 503, answer["slow"].text
    assert answer["slow"].headers["Retry-After"]
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            if _rows(url, COUNT) == [["28"]]:
                break
        except AssertionError:
            time.sleep(0.2)
    assert _rows(url, COUNT) == [["28"]]
    assert _engine_pid(server) != before


def test_a_reload_starts_an_engine_and_retires_the_previous_one(served):
    url, server, _ = served
    before = _engine_pid(server)
    reloaded = httpx.post(url.replace("/sparql", "/admin/reload"), timeout=60,
                          headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
    assert reloaded.status_code == 200, reloaded.text
    assert before in _engines(server) and len(_engines(server)) == 2  # the old one retiring
    assert _rows(url, COUNT) == [["28"]]
    deadline = time.monotonic() + 15  # its requests' time limit (3 s) + 1 s, then stopped
    while before in _engines(server) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _engines(server) == [_engine_pid(server)] and before not in _engines(server)


def test_a_release_with_a_materialised_default_graph(tmp_path):
    # a manifest saying a triple sits in two graphs: the release rule's default graph is
    # materialised, and the on-disk store holds it as its default graph
    dataset = _copy(tmp_path, {"triples": 27})
    folder = release_store(dataset)
    assert read_record(folder) == (load_release(dataset)[1], False)
    store = ox.Store.read_only(str(folder))
    assert len(list(store.quads_for_pattern(None, None, None, ox.DefaultGraph()))) == 28
    del store
    settings = Settings(dataset=dataset, query_timeout=5.0, engine="oxigraph")
    service = EngineService(settings)
    try:
        remote, _ = service.open(dataset)
        assert service.engine is not None and not service.engine.union_default
        result = remote.query(COUNT)
        assert isinstance(result, ox.QuerySolutions)
        assert [row["n"].value for row in result] == ["28"]
        remote.close()
    finally:
        service.close()


def test_the_engine_and_the_remote_store_refuse_mixing():
    with pytest.raises(ValueError, match="set one of them"):
        Settings(store="oxigraph+http://127.0.0.1:7878", engine="oxigraph")


class _Engine:
    """A stand-in engine whose CPU time grows by `rate` cores between two looks."""

    def __init__(self, rate: float) -> None:
        self.rate, self.cpu, self.restarts, self.base = rate, 0.0, 0, "stand-in"
        self.started = time.monotonic()

    def alive(self) -> bool:
        return True

    def cpu_seconds(self) -> float:
        return self.rate * (time.monotonic() - self.started)

    def restart(self) -> None:
        self.restarts += 1


def _watch(engine: _Engine, busy: int, seconds: float) -> int:
    service = EngineService(Settings(dataset=DATASET, query_timeout=5.0, engine="oxigraph"))
    service.engine = cast(Engine, engine)
    holder = cast(StoreHolder, SimpleNamespace(pool=SimpleNamespace(busy=busy)))

    async def run() -> None:
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(service.watch(holder), seconds)

    asyncio.run(run())
    return engine.restarts


def test_an_engine_computing_with_no_query_in_flight_is_restarted(monkeypatch):
    monkeypatch.setattr(engine_module, "TICK", 0.05)
    monkeypatch.setattr(engine_module, "OVERRUN_SECONDS", 0.5)
    assert _watch(_Engine(rate=1.0), busy=0, seconds=1.0) >= 1
    assert _watch(_Engine(rate=1.0), busy=1, seconds=1.0) == 0  # its queries: no restart
    assert _watch(_Engine(rate=0.0), busy=0, seconds=1.0) == 0  # idle: no restart
