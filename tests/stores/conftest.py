"""The stores the conformance suite runs over, each holding the graph built from the bundled
sources: the embedded store, and a real Virtuoso started for the session (`virtuoso-t -f` on its
own `virtuoso.ini`, `graph/stores/virtuoso_process.py`), loaded through the Graph Store Protocol
and read through `RemoteStore`, naming the build's graphs with every query."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from clusterkg.graph.store import OxigraphStore, RdfFormat, Store
from clusterkg.graph.stores import RemoteDataset, RemoteStore, open_store
from clusterkg.graph.stores.virtuoso_process import VirtuosoProcess, running_virtuoso

STORE_KINDS = ("embedded", "virtuoso")


@pytest.fixture(scope="session")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VirtuosoProcess]:
    """A Virtuoso of the session's own (stopped at the end), with a fresh database."""
    with running_virtuoso(tmp_path_factory.mktemp("virtuoso"), timeout_s=60,
                          max_rows=100_000) as server:
        yield server


def remote_store(url: str, user: str, password: str, monkeypatch: pytest.MonkeyPatch
                 ) -> RemoteStore:
    """`open_store(url)` with the credentials in the environment, as the CLI reads them."""
    monkeypatch.setenv("CLUSTERKG_STORE_USER", user)
    monkeypatch.setenv("CLUSTERKG_STORE_PASSWORD", password)
    return open_store(url)


def load_graphs(source: OxigraphStore, target: RemoteStore) -> list[str]:
    """Every named graph of `source` into `target` (GSP PUT, one request per graph)."""
    graphs = source.named_graphs()
    for graph in graphs:
        target.put_graph(graph, source.serialize(RdfFormat.NTRIPLES, graph))
    return graphs


@pytest.fixture(scope="session")
def virtuoso_built(virtuoso: VirtuosoProcess, built_store: OxigraphStore) -> RemoteStore:
    """The built graph in the session's Virtuoso, read as the build's graphs (union default)."""
    with pytest.MonkeyPatch.context() as patch:
        store = remote_store(virtuoso.store_url, virtuoso.user, virtuoso.password, patch)
        graphs = load_graphs(built_store, store)
    return store.bound(RemoteDataset(default=tuple(graphs), named=tuple(graphs)))


@pytest.fixture(scope="session", params=STORE_KINDS)
def any_store(request: pytest.FixtureRequest, built_store: OxigraphStore) -> Store:
    """The built graph in each kind of store."""
    if request.param == "embedded":
        return built_store
    store: Store = request.getfixturevalue(f"{request.param}_built")
    return store
