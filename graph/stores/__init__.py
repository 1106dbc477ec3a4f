"""Stores other than the embedded one: remote SPARQL 1.1 servers behind the `Store` protocol.

`open_store("oxigraph+http://127.0.0.1:7878")` gives a `RemoteStore`; one `Dialect` per server
(`oxigraph_server.py`, the generic `sparql+` in `dialect.py`, …) registers under its URL prefix.
Importing this package registers the bundled dialects.
"""

from __future__ import annotations

from clusterkg.graph.stores import oxigraph_server as oxigraph_server
from clusterkg.graph.stores import virtuoso as virtuoso
from clusterkg.graph.stores.dialect import (
    Dialect,
    IncompleteAnswer,
    ReleaseSwitching,
    StoreError,
    StoreTimeout,
    StoreUnavailable,
    StoreUrl,
    register,
)
from clusterkg.graph.stores.remote import RemoteDataset, RemoteStore, open_store

__all__ = [
    "Dialect",
    "IncompleteAnswer",
    "ReleaseSwitching",
    "RemoteDataset",
    "RemoteStore",
    "StoreError",
    "StoreTimeout",
    "StoreUnavailable",
    "StoreUrl",
    "open_store",
    "oxigraph_server",
    "register",
    "virtuoso",
]
