"""The remote store: the `Store` protocol over a real Oxigraph server, and no partial answer
passing as complete (canned answers of `tests/fixtures/stores/` from a one-shot socket server)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pyoxigraph as ox
import pytest

from clusterkg.api.results import QueryJob, evaluate
from clusterkg.graph.store import OxigraphStore, RdfFormat, Store
from clusterkg.graph.stores import (
    IncompleteAnswer,
    RemoteDataset,
    StoreError,
    StoreTimeout,
    open_store,
)

FIXTURES = Path(__file__).parents[2] / "fixtures" / "stores"
G1, G2 = "http://example.org/test-remote/g1", "http://example.org/test-remote/g2"


@contextmanager
def canned(name: str) -> Iterator[str]:
    """A server on 127.0.0.1 that answers one request with the raw response `name`."""
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    response = (FIXTURES / name).read_bytes()

    def serve() -> None:
        connection, _ = listener.accept()
        with connection:
            connection.recv(65536)
            connection.sendall(response)
            connection.shutdown(socket.SHUT_WR)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"oxigraph+http://127.0.0.1:{port}"
    finally:
        listener.close()
        thread.join(timeout=5)


def test_a_whole_answer_is_returned() -> None:
    with canned("whole.http") as url:
        result = open_store(url).query("SELECT ?s WHERE { ?s ?p ?o }")
    assert isinstance(result, ox.QuerySolutions)
    assert len(list(result)) == 3


@pytest.mark.parametrize(("name", "error"), [
    ("cut-at-timeout.http", StoreTimeout),
    ("cut-cleanly.http", IncompleteAnswer),
    ("connection-lost.http", StoreError),
    ("short-content-length.http", StoreError),
])
def test_a_partial_answer_is_an_error(name: str, error: type[Exception]) -> None:
    with canned(name) as url, pytest.raises(error):
        open_store(url).query("SELECT ?s WHERE { ?s ?p ?o }")


def test_a_row_count_at_the_servers_cap_is_an_error() -> None:
    with canned("whole.http") as url:
        store = open_store(url)
        store.dialect.row_cap = 3
        with pytest.raises(IncompleteAnswer, match="cap"):
            store.query("SELECT ?s WHERE { ?s ?p ?o }")


def test_an_answer_over_the_size_bound_is_an_error() -> None:
    with canned("whole.http") as url:
        store = open_store(url)
        store.max_bytes = 100
        with pytest.raises(IncompleteAnswer, match="larger"):
            store.query("SELECT ?s WHERE { ?s ?p ?o }")


def test_an_unreachable_store_is_an_error() -> None:
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
    with pytest.raises(StoreError):
        open_store(f"oxigraph+http://127.0.0.1:{port}").query("ASK {}")


@pytest.fixture(scope="module")
def store(oxigraph_base: str) -> Store:
    remote = open_store(f"oxigraph+{oxigraph_base}")
    remote.update(f"DROP SILENT GRAPH <{G1}> ; DROP SILENT GRAPH <{G2}>")
    remote.load(b'<http://example.org/a> <http://example.org/p> "1" .\n'
                b'<http://example.org/b> <http://example.org/p> "2" .\n', RdfFormat.NTRIPLES, G1)
    remote.load(f'<http://example.org/a> <http://example.org/p> "1" <{G2}> .\n'.encode(),
                RdfFormat.NQUADS)
    return remote.bound(RemoteDataset(default=(G1, G2), named=(G1,)))


def test_the_protocol_over_oxigraph_server(store: Store) -> None:
    assert isinstance(store, Store)
    rows = store.query("SELECT ?s ?g WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }")
    assert isinstance(rows, ox.QuerySolutions)
    pairs = sorted((r["s"].value, r["g"].value if r["g"] else "") for r in rows)
    # the default graph merges both graphs, keeping the duplicate as the embedded store does;
    # GRAPH ranges over the bound named graphs only
    assert pairs == sorted([("http://example.org/a", ""), ("http://example.org/a", ""),
                            ("http://example.org/b", ""), ("http://example.org/a", G1),
                            ("http://example.org/b", G1)])
    triples = store.query("CONSTRUCT WHERE { ?s ?p ?o }")
    assert isinstance(triples, ox.QueryTriples) and len(list(triples)) == 2
    assert bool(store.query('ASK { ?s ?p "2" }'))
    assert store.named_graphs() == [G1] and len(store) == 5
    explicit = store.query("SELECT * WHERE { ?s ?p ?o }", default_graphs=[G2], named_graphs=[])
    assert len(list(explicit)) == 1  # type: ignore[arg-type]
    empty = store.query("SELECT * WHERE { ?s ?p ?o }", default_graphs=[], named_graphs=[])
    assert list(empty) == []  # type: ignore[arg-type]
    nt = store.serialize(RdfFormat.NTRIPLES, G1)
    assert len(list(ox.parse(nt, format=ox.RdfFormat.N_TRIPLES))) == 2


@pytest.mark.parametrize("text", ["SELECT WHERE { ?s }", "SELECT ?s WHERE { ?s }"])
def test_a_syntax_error_says_what_the_embedded_store_says(store: Store, text: str) -> None:
    with pytest.raises(SyntaxError) as embedded:
        OxigraphStore().query(text, base_iri="http://example.org/")
    with pytest.raises(SyntaxError) as remote:
        store.query(text, base_iri="http://example.org/")
    assert str(remote.value) == str(embedded.value)


@pytest.mark.parametrize(("name", "status"), [
    ("cut-at-timeout.http", 503), ("cut-cleanly.http", 502), ("connection-lost.http", 502)])
def test_the_endpoint_answers_an_error_never_the_rows_before_the_cut(name: str,
                                                                     status: int) -> None:
    with canned(name) as url:
        outcome = evaluate(open_store(url), QueryJob("SELECT ?s WHERE { ?s ?p ?o }"))
    assert outcome.status == status
    assert b"example.org/s0" not in outcome.body, "no row of the partial answer reaches a client"
