"""Oxigraph server (`oxigraph serve`, the `oxigraph` wheel): what it does its own way.

Endpoints `/query`, `/update`, `/store` (Graph Store Protocol with `graph=` / `default`).
One update request is one transaction: several `MOVE`s in one request are applied together,
and a reader (through clusterkg or directly) sees all of them or none. At its `--timeout-s`
limit it does not fail the request: the answer has already started with `200 OK`, so it stops
writing and appends the message below to the body; the body then does not parse, and this
dialect names that a timeout.
"""

from __future__ import annotations

from clusterkg.graph.stores.dialect import Dialect, StoreTimeout, register

CANCELLED = b"The SPARQL operation has been cancelled"


class OxigraphServer(Dialect):
    """`--store oxigraph+http://127.0.0.1:7878`."""

    name = "oxigraph"
    atomic_update = True
    graph_results = "application/ld+json"

    def check_body(self, body: bytes) -> None:
        if body.rstrip().endswith(CANCELLED):
            raise StoreTimeout(
                f"{self.url}: the server stopped the query at its time limit and cut the "
                f"answer after {len(body)} bytes (`oxigraph serve --timeout-s`)")


register(OxigraphServer.name, OxigraphServer)
