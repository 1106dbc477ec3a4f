"""The store protocol and its embedded implementation (pyoxigraph, in memory).

Every consumer (build, CLI, API) talks to a `Store`; a remote SPARQL 1.1 server implements the
same protocol (`graph.stores.RemoteStore`, picked by `--store URL`). The embedded store keeps
the whole dataset in memory: on this machine Oxigraph's in-memory backend loads a million
triples in seconds and scans several times faster than its on-disk backend, and the canonical
copy of every build is the N-Quads dump in `dist/`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from enum import StrEnum
from pathlib import Path
from typing import IO, Protocol, runtime_checkable

import pyoxigraph as ox

QueryResult = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples


class RdfFormat(StrEnum):
    """Serialisations the stores read and write, by file extension."""

    NQUADS = "nq"
    TRIG = "trig"
    TURTLE = "ttl"
    NTRIPLES = "nt"
    RDFXML = "rdf"

    @property
    def oxigraph(self) -> ox.RdfFormat:
        return {
            "nq": ox.RdfFormat.N_QUADS,
            "trig": ox.RdfFormat.TRIG,
            "ttl": ox.RdfFormat.TURTLE,
            "nt": ox.RdfFormat.N_TRIPLES,
            "rdf": ox.RdfFormat.RDF_XML,
        }[self.value]

    @classmethod
    def from_path(cls, path: Path) -> RdfFormat:
        return cls(path.suffix.lstrip("."))


@runtime_checkable
class Store(Protocol):
    """What the build, the CLI and the API need from a quad store."""

    def load(
        self, data: bytes | IO[bytes] | Path, fmt: RdfFormat, graph: str | None = None
    ) -> None:
        """Add RDF in `fmt`; triple formats go into `graph` (an IRI) or the default graph."""

    def query(
        self,
        sparql: str,
        *,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        base_iri: str | None = None,
        query_dataset: bool = False,
    ) -> QueryResult:
        """Evaluate a SPARQL 1.1 query. Without `default_graphs` the default graph is the
        store's own: for a served release, the release's materialised default graph (one value
        per fact, `graph.materialise`); for a store being built, the union of its graphs. An
        empty list makes it empty. `base_iri` resolves relative IRIs; `query_dataset` lets the
        query's FROM / FROM NAMED clauses choose the dataset instead."""

    def update(self, sparql: str) -> None:
        """Apply a SPARQL 1.1 Update (never exposed on the public endpoint)."""

    def serialize(self, fmt: RdfFormat, graph: str | None = None) -> bytes:
        """The whole dataset (or one named graph) in `fmt`."""

    def named_graphs(self) -> list[str]:
        """IRIs of the named graphs."""

    def __len__(self) -> int:
        """Number of quads."""


class OxigraphStore:
    """The embedded default: an in-memory pyoxigraph store."""

    def __init__(self, store: ox.Store | None = None, *, union_default: bool = True) -> None:
        self._store = store if store is not None else ox.Store()
        self._union_default = union_default

    def as_release(self) -> OxigraphStore:
        """The same data, queried as a release: a query's default graph is the store's real
        default graph (materialised by `graph.release.load_release`), never the union of the
        named graphs, whose duplicates Oxigraph keeps."""
        return OxigraphStore(self._store, union_default=False)

    @property
    def union_default(self) -> bool:
        """True while the default graph of a query is the union of the named graphs."""
        return self._union_default

    @classmethod
    def from_file(cls, path: Path) -> OxigraphStore:
        """Load a dump (N-Quads, TriG, ...) into a new in-memory store."""
        store = cls()
        store.load(path, RdfFormat.from_path(path))
        return store

    @property
    def native(self) -> ox.Store:
        """The underlying pyoxigraph store, for code that needs Oxigraph's own API."""
        return self._store

    def load(
        self, data: bytes | IO[bytes] | Path, fmt: RdfFormat, graph: str | None = None
    ) -> None:
        to_graph = ox.NamedNode(graph) if graph else None
        if isinstance(data, Path):
            self._store.bulk_load(path=str(data), format=fmt.oxigraph, to_graph=to_graph)
        else:
            self._store.bulk_load(input=data, format=fmt.oxigraph, to_graph=to_graph)

    def add_quads(self, quads: Iterable[ox.Quad]) -> None:
        """Add already-built Oxigraph quads (fast path for the build)."""
        self._store.extend(quads)

    def query(
        self,
        sparql: str,
        *,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        base_iri: str | None = None,
        query_dataset: bool = False,
    ) -> QueryResult:
        if query_dataset:
            return self._store.query(sparql, base_iri=base_iri)
        return self._store.query(
            sparql,
            base_iri=base_iri,
            use_default_graph_as_union=self._union_default and default_graphs is None,
            default_graph=None if default_graphs is None else [
                ox.NamedNode(g) for g in default_graphs],
            named_graphs=None if named_graphs is None else [
                ox.NamedNode(g) for g in named_graphs],
        )

    def update(self, sparql: str) -> None:
        self._store.update(sparql)

    def serialize(self, fmt: RdfFormat, graph: str | None = None) -> bytes:
        from_graph = ox.NamedNode(graph) if graph else None
        if from_graph is None and fmt in (RdfFormat.TURTLE, RdfFormat.NTRIPLES, RdfFormat.RDFXML):
            raise ValueError(f"{fmt.name} holds one graph: name the graph to serialise")
        out = self._store.dump(format=fmt.oxigraph, from_graph=from_graph)
        assert out is not None
        return out

    def named_graphs(self) -> list[str]:
        return sorted(g.value for g in self._store.named_graphs() if isinstance(g, ox.NamedNode))

    def __len__(self) -> int:
        return len(self._store)
