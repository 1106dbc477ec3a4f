"""Publishing a release to Oxigraph server: staged, verified, switched in one request;
idempotent; a publish that fails or is killed before the switch leaves the previous release
served and whole; a release with waves answers as the embedded store does; a step of the
stepwise switch (servers without `atomic_update`) is retried at the server's lock timeout
(`tests/stores/test_publish_virtuoso.py` runs that switch on a real Virtuoso)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from clusterkg.graph import remote_release, waves
from clusterkg.graph.build import BuildSummary
from clusterkg.graph.publish_lock import StoreLocked
from clusterkg.graph.release import load_release, write_manifest
from clusterkg.graph.remote_release import (
    CONTROL,
    DEFAULT_GRAPH,
    STAGING,
    PublishError,
    open_served,
    publish,
    served,
)
from clusterkg.graph.store import OxigraphStore, RdfFormat
from clusterkg.graph.stores import RemoteStore, StoreTimeout, open_store
from clusterkg.loaders.survey.template import rows_from_tables, write_template
from clusterkg.paths import DistLayout
from clusterkg.queries.library import library
from tests.api.conftest import DATASET
from tests.graph.wave_support import csv_set, with_budget
from tests.stores.oxigraph import oxigraph_server

PROGRAMMES = "https://w3id.org/clusterkg/graph/programmes"
PROVENANCE = "https://w3id.org/clusterkg/graph/provenance"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


@pytest.fixture
def server() -> Iterator[str]:
    """A private, empty Oxigraph server per test (publishes change what it serves)."""
    with oxigraph_server() as base:
        yield f"oxigraph+{base}"


def release_b(tmp_path: Path) -> Path:
    """The sample release without its provenance graph: another version, one graph fewer."""
    dump = tmp_path / "b" / "clusterkg.nq"
    dump.parent.mkdir()
    store = OxigraphStore.from_file(DATASET)
    store.update(f"DROP GRAPH <{PROVENANCE}>")
    dump.write_bytes(store.serialize(RdfFormat.NQUADS))
    write_manifest(dump)
    return dump


def count(store: RemoteStore) -> int:
    result = store.query(COUNT)
    assert isinstance(result, ox.QuerySolutions)
    return int(next(iter(result))["n"].value)


def staging_graphs(store: RemoteStore) -> list[str]:
    return [g for g in store.named_graphs() if g.startswith(STAGING)]


def test_publish_verifies_and_is_idempotent(server: str) -> None:
    store = open_store(server)
    assert served(store) is None
    first, changed = publish(DATASET, store)
    assert changed
    assert first.triples == {PROGRAMMES: 11, "https://w3id.org/clusterkg/graph/organisations": 12,
                             PROVENANCE: 5}
    assert store.triples_per_graph(list(first.triples)) == first.triples
    again, changed = publish(DATASET, store)
    assert not changed and again.release.version == first.release.version
    assert staging_graphs(store) == [] and CONTROL in store.named_graphs()


def test_system_graphs_never_enter_an_answer(server: str) -> None:
    store = open_store(server)
    publish(DATASET, store)
    store.load(b'<http://example.org/s> <http://example.org/p> "1" .\n', RdfFormat.NTRIPLES,
               "http://example.org/system-graph")
    release, _ = open_served(store)
    assert count(release) == 28
    assert "http://example.org/system-graph" not in release.named_graphs()
    assert CONTROL not in release.named_graphs()


def test_publish_switches_and_readers_follow(server: str, tmp_path: Path) -> None:
    store = open_store(server)
    publish(DATASET, store)
    reader, before = open_served(store)
    assert count(reader) == 28
    steps: list[str] = []
    after, changed = publish(release_b(tmp_path), store, during_switch=steps.append)
    assert steps == ["switched"]  # Oxigraph server: one atomic request, no switching record
    assert changed and after.release.version != before.version
    assert PROVENANCE not in store.named_graphs()  # the previous release's graph is dropped
    assert count(reader) == 23  # the bound reader noticed the switch and rebound
    assert PROVENANCE not in reader.named_graphs()


def test_a_failed_publish_leaves_the_previous_release(server: str, tmp_path: Path) -> None:
    store = open_store(server)
    publish(DATASET, store)

    def fail() -> None:
        assert staging_graphs(store), "the new release is staged when the switch is due"
        raise PublishError("stopped before the switch")

    with pytest.raises(PublishError):
        publish(release_b(tmp_path), store, before_switch=fail)
    now = served(store)
    assert now is not None and PROVENANCE in now.named
    reader, _ = open_served(store)
    assert count(reader) == 28 and staging_graphs(store) == []


def test_a_killed_publish_leaves_the_previous_release(server: str, tmp_path: Path) -> None:
    store = open_store(server)
    publish(DATASET, store)
    b = release_b(tmp_path)
    script = textwrap.dedent(f"""
        import os
        from pathlib import Path
        from clusterkg.graph.remote_release import publish
        from clusterkg.graph.stores import open_store
        publish(Path({str(b)!r}), open_store({server!r}), lock_ttl=3,
                before_switch=lambda: os._exit(9))
    """)
    killed = subprocess.run([sys.executable, "-c", script], cwd=Path(__file__).parents[2],
                            timeout=120, check=False)
    assert killed.returncode == 9
    assert staging_graphs(store), "the killed publish left its staged graphs"
    reader, _version = open_served(store)
    assert count(reader) == 28
    with pytest.raises(StoreLocked, match="pid"):  # its lock outlives it until it expires
        publish(b, store)
    time.sleep(3)
    _now, changed = publish(b, store)  # the next publish clears the leftovers and switches
    assert changed and staging_graphs(store) == [] and count(reader) == 23


def test_a_release_with_waves_answers_as_the_embedded_store(
    server: str, built: tuple[OxigraphStore, BuildSummary], tmp_path: Path,
) -> None:
    dist = tmp_path / "dist"
    shutil.copytree(built[1].out_dir, dist, symlinks=True)
    template = tmp_path / "restated"
    write_template(template, rows=rows_from_tables(dist / "tables", ["CZE", "DNK"]))
    waves.load_wave(with_budget(csv_set(template), "12000000"), "2021", dist)
    dump = DistLayout(dist).dump
    now, _ = publish(dump, open_store(server))
    assert now.default == (DEFAULT_GRAPH,)
    assert "https://w3id.org/clusterkg/graph/wave/2021" in now.named
    remote, _ = open_served(open_store(server))
    embedded, _ = load_release(dump)
    for name in ("national-annual-budgets", "annual-budgets-by-country", "wave-disagreements"):
        text = library()[name].text
        ours = [tuple(r) for r in remote.query(text)]  # type: ignore[union-attr]
        theirs = [tuple(r) for r in embedded.query(text)]  # type: ignore[union-attr]
        assert ours == theirs, name


class LockTimeouts:
    """A store whose first `failures` updates the server stops at its lock timeout (Virtuoso's
    SR171 when a switch step and readers contend)."""

    def __init__(self, failures: int) -> None:
        self.failures, self.sent = failures, 0

    def update(self, sparql: str) -> None:
        self.sent += 1
        if self.failures:
            self.failures -= 1
            raise StoreTimeout("S1T00 Error SR171: Transaction timed out")


def test_a_switch_step_stopped_at_the_lock_timeout_is_retried(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("clusterkg.graph.remote_release.time.sleep", lambda _: None)
    once = LockTimeouts(1)
    remote_release._step(once, "MOVE <a> TO <b>")  # type: ignore[arg-type]
    assert once.sent == 2
    applied = LockTimeouts(1)  # stopped as it answered, but done: not sent again
    remote_release._step(applied, "MOVE <a> TO <b>", lambda: True)  # type: ignore[arg-type]
    assert applied.sent == 1
    always = LockTimeouts(5)
    with pytest.raises(StoreTimeout):
        remote_release._step(always, "MOVE <a> TO <b>")  # type: ignore[arg-type]
    assert always.sent == remote_release.TRIES


def test_a_bulk_loaded_release_is_adopted_only_when_whole(tmp_path: Path) -> None:
    from bench.stores import bulk_load, oxigraph

    dump = tmp_path / "dist" / "clusterkg.nq"
    dump.parent.mkdir()
    dump.write_bytes(OxigraphStore.from_file(DATASET).serialize(RdfFormat.NQUADS))
    write_manifest(dump)
    folder = tmp_path / "server"
    bulk_load(folder, dump)  # the server's own bulk loader, while it is stopped
    with oxigraph(folder, []) as (url, _):
        store = open_store(url)
        store.update(f"DELETE WHERE {{ GRAPH <{PROGRAMMES}> {{ ?s a ?t }} }}")
        with pytest.raises(PublishError, match="loaded graphs differ from the release"):
            remote_release.adopt(dump, store)
        assert served(store) is None
    folder = tmp_path / "server-2"
    bulk_load(folder, dump)
    with oxigraph(folder, []) as (url, _):
        store = open_store(url)
        adopted = remote_release.adopt(dump, store)
        assert served(store) == adopted and adopted.triples[PROGRAMMES] == 11
        reader, _release = open_served(store)
        assert count(reader) == 28
        with pytest.raises(PublishError, match="already has a served-release record"):
            remote_release.adopt(dump, store)
        _, changed = publish(dump, store)  # publishes over it as over any release
        assert not changed
