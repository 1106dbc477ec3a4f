"""Helpers shared by the JSON-LD API tests: a client over the built graph, graph comparison."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pyoxigraph as ox
from fastapi.testclient import TestClient

from clusterkg.api.app import create_app
from clusterkg.graph.store import OxigraphStore
from clusterkg.settings import Settings

Triple = tuple[str, str, str]


@contextmanager
def api_client(dataset: Path) -> Iterator[TestClient]:
    """A TestClient of the whole app serving `dataset` (one query worker: the JSON-LD API
    queries the store in-process)."""
    with TestClient(create_app(Settings(dataset=dataset, query_workers=1))) as client:
        yield client


def dataset_triples(store: OxigraphStore) -> set[Triple]:
    """Every statement of the dataset (union of its graphs) as N-Triples terms."""
    return {
        (str(q.subject), str(q.predicate), str(q.object))
        for q in store.native.quads_for_pattern(None, None, None, None)
    }


def select_iris(store: OxigraphStore, sparql: str) -> list[str]:
    """The ?item column of a SELECT, in order, without repeats."""
    result = store.query(sparql)
    assert isinstance(result, ox.QuerySolutions)
    out: list[str] = []
    for row in result:
        term = row["item"]
        assert isinstance(term, ox.NamedNode)
        if term.value not in out:
            out.append(term.value)
    return out


def diff(expected: set[Triple], actual: set[Triple]) -> str:
    """A readable difference of two graphs (only expected / only actual)."""
    lines = [f"- {' '.join(t)}" for t in sorted(expected - actual)[:20]]
    lines += [f"+ {' '.join(t)}" for t in sorted(actual - expected)[:20]]
    return "\n".join(lines)
