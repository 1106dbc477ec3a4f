"""Oxigraph server's own time limit: it answers 200 and cuts the body; the store reports a
timeout, never the rows written before the cut."""

from __future__ import annotations

import pytest

from clusterkg.graph.store import RdfFormat
from clusterkg.graph.stores import StoreTimeout, open_store
from tests.stores.oxigraph import oxigraph_server

GRAPH = "http://example.org/test-timeout"
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"  # 2.7e10 rows


def test_a_query_cut_at_the_servers_time_limit_is_a_timeout() -> None:
    with oxigraph_server(timeout_s=1) as base:
        store = open_store(f"oxigraph+{base}")
        data = "".join(f'<http://example.org/s{i}> <http://example.org/p> "{i}" .\n'
                       for i in range(3000))
        store.load(data.encode(), RdfFormat.NTRIPLES, GRAPH)
        with pytest.raises(StoreTimeout, match="time limit"):
            store.query(SLOW, default_graphs=[GRAPH], named_graphs=[])
