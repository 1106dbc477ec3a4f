"""The embedded store honours the Store protocol."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from clusterkg.graph.store import OxigraphStore, RdfFormat, Store

FIXTURE = Path(__file__).parent.parent / "fixtures" / "graph" / "two-graphs.trig"


@pytest.fixture
def store() -> OxigraphStore:
    s = OxigraphStore()
    s.load(FIXTURE, RdfFormat.TRIG)
    return s


def test_is_a_store(store: OxigraphStore) -> None:
    assert isinstance(store, Store)
    assert len(store) == 3
    assert store.named_graphs() == ["https://example.org/g1", "https://example.org/g2"]


def test_default_graph_is_the_union_unless_graphs_are_named(store: OxigraphStore) -> None:
    q = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    union = store.query(q)
    assert isinstance(union, ox.QuerySolutions)
    assert next(iter(union))["n"].value == "3"
    only_g1 = store.query(q, default_graphs=["https://example.org/g1"])
    assert isinstance(only_g1, ox.QuerySolutions)
    assert next(iter(only_g1))["n"].value == "2"


def test_round_trip_through_nquads(store: OxigraphStore, tmp_path: Path) -> None:
    dump = tmp_path / "x.nq"
    dump.write_bytes(store.serialize(RdfFormat.NQUADS))
    assert len(OxigraphStore.from_file(dump)) == 3


def test_a_triple_format_needs_a_graph(store: OxigraphStore) -> None:
    with pytest.raises(ValueError, match="name the graph"):
        store.serialize(RdfFormat.TURTLE)
    assert b"example.org/a" in store.serialize(RdfFormat.TURTLE, graph="https://example.org/g1")


def test_update_changes_the_store(store: OxigraphStore) -> None:
    store.update("INSERT DATA { GRAPH <https://example.org/g3> { <urn:x> <urn:y> <urn:z> } }")
    assert len(store) == 4
