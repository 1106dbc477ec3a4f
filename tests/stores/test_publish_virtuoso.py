"""Publishing to a real Virtuoso, which commits each `MOVE` as it goes: the stepwise switch
(`graph/remote_release.py`) keeps readers through clusterkg from ever seeing a release half
switched, while a reader querying Virtuoso directly does see it; a publish killed during its
switch is reported to every reader (503 with `Retry-After` through the API) and repaired by the
next publish. A Virtuoso of this module's own: these tests change what it serves."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from clusterkg.api.app import create_app
from clusterkg.api.results import QueryJob, evaluate
from clusterkg.graph.release import load_release, write_manifest
from clusterkg.graph.remote_release import (
    STAGING,
    Switching,
    control_record,
    open_served,
    publish,
    served,
)
from clusterkg.graph.store import OxigraphStore, RdfFormat
from clusterkg.graph.stores import ReleaseSwitching, RemoteStore, open_store
from clusterkg.graph.stores.virtuoso_process import VirtuosoProcess, running_virtuoso
from clusterkg.settings import Settings
from tests.api.conftest import DATASET
from tests.stores.conftest import writer

PROGRAMMES = "https://w3id.org/clusterkg/graph/programmes"
PROVENANCE = "https://w3id.org/clusterkg/graph/provenance"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
OLD, NEW = 28, 22  # the sample release; release_c below
MIXED = 27  # release_c's programmes beside the sample's provenance: a half-switched count


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VirtuosoProcess]:
    with running_virtuoso(tmp_path_factory.mktemp("virtuoso-publish"), timeout_s=60,
                          max_rows=100_000) as running:
        yield running


@pytest.fixture(scope="module")
def release_c(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample release without its provenance graph and with one triple fewer among the
    programmes: every step of a switch from the sample to it changes a count."""
    dump = tmp_path_factory.mktemp("release-c") / "clusterkg.nq"
    store = OxigraphStore.from_file(DATASET)
    store.update(f"DROP GRAPH <{PROVENANCE}>")
    store.update(f"DELETE {{ GRAPH <{PROGRAMMES}> {{ ?s ?p ?o }} }} WHERE {{ {{ SELECT ?s ?p ?o "
                 f"WHERE {{ GRAPH <{PROGRAMMES}> {{ ?s ?p ?o }} }} ORDER BY ?s ?p ?o LIMIT 1 }} }}")
    dump.write_bytes(store.serialize(RdfFormat.NQUADS))
    write_manifest(dump)
    return dump


def count(store: RemoteStore, **graphs: list[str]) -> int:
    result = store.query(COUNT, **graphs)  # type: ignore[arg-type]
    assert isinstance(result, ox.QuerySolutions)
    values = [int(row["n"].value) for row in result]
    del result  # pyoxigraph's answers must be dropped on the thread that made them
    return values[0]


def staging(store: RemoteStore) -> list[str]:
    result = store.query(f'SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ }} '
                         f'FILTER(STRSTARTS(STR(?g), "{STAGING}")) }}', query_dataset=True)
    assert isinstance(result, ox.QuerySolutions)
    return [row["g"].value for row in result]


def test_readers_through_clusterkg_never_see_a_switch_half_done(
        server: VirtuosoProcess, release_c: Path) -> None:
    store = writer(server)
    publish(DATASET, store)
    through, _ = open_served(open_store(server.store_url))
    direct = open_store(server.store_url)
    old_graphs = list(through.dataset.default or ())
    seen: dict[str, list[tuple[float, float, int | str]]] = {"through": [], "direct": []}
    stop = threading.Event()

    def read(kind: str) -> None:
        while not stop.is_set():
            t0 = time.monotonic()
            try:
                n: int | str = (count(through) if kind == "through"
                                else count(direct, default_graphs=old_graphs))
            except Exception as error:  # a reader's failure is recorded, not swallowed
                n = f"{type(error).__name__}: {error}"
            seen[kind].append((t0, time.monotonic(), n))
            time.sleep(0.05)

    steps: list[tuple[float, str]] = []

    def slowly(step: str) -> None:  # each request of the switch, then a pause readers fall in
        steps.append((time.monotonic(), step))
        if step != "recorded":
            time.sleep(0.8)

    readers = [threading.Thread(target=read, args=(kind,)) for kind in seen]
    for thread in readers:
        thread.start()
    try:
        time.sleep(0.5)
        _now, changed = publish(release_c, store, during_switch=slowly)
        time.sleep(0.5)
    finally:
        stop.set()
        for thread in readers:
            thread.join(timeout=60)
    assert changed
    assert [step.split()[0] for _, step in steps] == [
        "marked", "moved", "moved", "dropped", "recorded"]
    began, ended = steps[0][0], steps[-1][0]
    through_counts = [n for _, _, n in seen["through"]]
    assert set(through_counts) <= {OLD, NEW}, through_counts
    assert OLD in through_counts and NEW in through_counts
    overlapping = [n for t0, t1, n in seen["through"] if t0 < ended and t1 > began]
    assert overlapping, "no read through clusterkg overlapped the switch"
    # the harness sees a half switch where there is one: directly at Virtuoso, during the MOVEs
    assert MIXED in {n for _, _, n in seen["direct"]}, seen["direct"]
    assert staging(store) == []


def test_a_publish_killed_during_its_switch_is_reported_and_repaired(
        server: VirtuosoProcess, release_c: Path, settings: Settings) -> None:
    store = writer(server)
    publish(DATASET, store)
    reader, _ = open_served(open_store(server.store_url), wait=0.5)
    # the service's readers wait a quarter of their store's time limit (5 + 5 s) for a switch
    service = TestClient(create_app(settings.model_copy(update={"store": server.store_url})))
    with service:
        assert service.get("/sparql", params={"query": COUNT}).status_code == 200
        script = textwrap.dedent(f"""
            import os
            from pathlib import Path
            from clusterkg.graph.remote_release import publish
            from clusterkg.graph.stores import open_store
            def kill(step):
                if step.startswith("moved"):
                    os._exit(9)
            publish(Path({str(release_c)!r}), open_store({server.store_url!r}),
                    during_switch=kill, lock_ttl=3)
        """)
        env = dict(os.environ, CLUSTERKG_STORE_USER=server.user,
                   CLUSTERKG_STORE_PASSWORD=server.password)
        killed = subprocess.run([sys.executable, "-c", script], cwd=Path(__file__).parents[2],
                                env=env, timeout=180, check=False)
        assert killed.returncode == 9
        assert isinstance(control_record(store), Switching)
        with pytest.raises(ReleaseSwitching, match="interrupted during its switch"):
            served(store)
        with pytest.raises(ReleaseSwitching, match="run `clusterkg publish"):
            open_served(open_store(server.store_url), wait=0.5)
        with pytest.raises(ReleaseSwitching):
            count(reader)
        outcome = evaluate(reader, QueryJob(query=COUNT))
        assert outcome.status == 503 and b"interrupted" in outcome.body
        answer = service.get("/sparql", params={"query": COUNT})
        assert answer.status_code == 503 and "Retry-After" in answer.headers, answer.text

        time.sleep(3)  # the killed publisher's lock (3 s) has expired: the repair may start
        said: list[str] = []
        now, changed = publish(release_c, store, progress=said.append)
        assert changed and "interrupted during its switch" in said[0]
        assert now.release.version == load_release(release_c)[1].version
        assert served(store) == now and staging(store) == []
        assert count(reader) == NEW  # the reader opened before the failure follows the repair
        assert PROVENANCE not in store.named_graphs()
        answer = service.get("/sparql", params={"query": COUNT},
                             headers={"Accept": "application/sparql-results+json"})
        assert answer.status_code == 200, answer.text
        assert answer.json()["results"]["bindings"][0]["n"]["value"] == str(NEW)
