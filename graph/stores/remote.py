"""A `Store` over any SPARQL 1.1 Query + Update + Graph Store Protocol server.

Answers come back as the types the embedded store returns (pyoxigraph's `QuerySolutions`,
`QueryBoolean`, `QueryTriples`), so nothing above the `Store` protocol knows where the data
lives. No partial answer passes as complete: the whole body is read (bounded by `max_bytes`)
and parsed in full before anything is returned, in formats whose truncation is a syntax error
(SPARQL results JSON, JSON-LD for graph results); a connection lost half way, a body cut at the
server's time limit (Oxigraph answers 200 and stops writing), a row count at the server's cap
or a body over the size bound is a `StoreError`, never a short result. The dialect
(`graph.stores.dialect`) says what each server does its own way.

A store is bound to a dataset (`RemoteDataset`): the graphs a query's default graph and named
graphs are when it does not choose them itself, sent explicitly with every query
(`default-graph-uri`, `named-graph-uri`), so a server's own graphs (system graphs, clusterkg's
control and staging graphs) never enter an answer. A dataset that is a release carries its
version: after each query over it the store asks its `Follower` whether the server still serves
that release; if a publish switched it meanwhile, the store rebinds to the new release and asks
again, so an answer never combines one release's graph list with another's graphs. While a
publish switches on a server that cannot switch in one request, the follower waits (bounded)
for the switch to end, else raises `ReleaseSwitching`: no answer read during a switch is given.

The HTTP client is made per process: query workers are forked, and a connection must not be
shared across a fork.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Protocol
from urllib.parse import urlencode

import httpx
import pyoxigraph as ox

from clusterkg.graph.store import QueryResult, RdfFormat
from clusterkg.graph.stores.dialect import (
    Dialect,
    IncompleteAnswer,
    ReleaseSwitching,
    StoreError,
    StoreTimeout,
    StoreUrl,
    dialect_for,
)

MEDIA = {
    RdfFormat.NQUADS: "application/n-quads",
    RdfFormat.TRIG: "application/trig",
    RdfFormat.TURTLE: "text/turtle",
    RdfFormat.NTRIPLES: "application/n-triples",
    RdfFormat.RDFXML: "application/rdf+xml",
}
logging.getLogger("httpx").setLevel(logging.WARNING)  # not a line per request in CLI output
AT_LINE_ONE = re.compile(r"(?<=error )at 1:(\d+)")
FORM = "application/x-www-form-urlencoded"
RESULTS_JSON = ox.QueryResultsFormat.JSON
GRAPH_FORMATS = {
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
}


@dataclass(frozen=True)
class RemoteDataset:
    """The graphs a query reads unless it names its own: `default` (merged into the default
    graph) and `named` (what `GRAPH ?g` ranges over). None: the server's own choice."""

    default: tuple[str, ...] | None = None
    named: tuple[str, ...] | None = None
    version: str | None = None  # the release these graphs make, checked after every query


class Follower(Protocol):
    """How a store bound to a release learns that the server switched to another one."""

    def serves(self, store: RemoteStore, version: str) -> bool:
        """Whether the server still serves release `version`."""

    def current(self, store: RemoteStore) -> RemoteDataset:
        """The dataset of the release the server serves now."""


def _triples(data: bytes, fmt: ox.RdfFormat) -> ox.QueryTriples:
    """Graph results as the embedded store returns them: parsed whole into a scratch store,
    then read back by the one query that yields `QueryTriples`."""
    scratch = ox.Store()
    scratch.bulk_load(input=data, format=fmt)
    result = scratch.query("CONSTRUCT WHERE { ?s ?p ?o }")
    assert isinstance(result, ox.QueryTriples)
    return result


class RemoteStore:
    """The `Store` protocol over HTTP; `open_store(url)` makes one from a `--store` URL."""

    network = True  # query workers must be allowed sockets to reach it (api/execution)

    def __init__(self, dialect: Dialect, *, dataset: RemoteDataset | None = None,
                 timeout: float = 60.0, max_bytes: int = 256 << 20,
                 follower: Follower | None = None) -> None:
        self.dialect = dialect
        self.dataset = dataset or RemoteDataset()
        self.follower = follower
        self.timeout = timeout
        self.max_bytes = max_bytes
        self._client: tuple[int, httpx.Client] | None = None

    def bound(self, dataset: RemoteDataset, follower: Follower | None = None) -> RemoteStore:
        """The same server, read as `dataset` (a release's graphs, followed by `follower`)."""
        return RemoteStore(self.dialect, dataset=dataset, timeout=self.timeout,
                           max_bytes=self.max_bytes, follower=follower)

    @property
    def url(self) -> StoreUrl:
        return self.dialect.url

    @property
    def client(self) -> httpx.Client:
        pid = os.getpid()
        if self._client is None or self._client[0] != pid:
            self._client = (pid, httpx.Client(timeout=httpx.Timeout(self.timeout, connect=5.0),
                                              auth=self.dialect.auth()))
        return self._client[1]

    def close(self) -> None:
        if self._client is not None and self._client[0] == os.getpid():
            self._client[1].close()
        self._client = None

    # -- HTTP -------------------------------------------------------------------------------

    def _send(self, method: str, url: str, *, is_query: bool = False,
              **kwargs: object) -> tuple[httpx.Response, bytes]:
        """One request, its whole body read within `max_bytes`; errors are `StoreError` (a
        query the server rejects as malformed: `SyntaxError`, as the embedded store raises)."""
        try:
            with self.client.stream(method, url, **kwargs) as response:  # type: ignore[arg-type]
                self.dialect.check(response)
                chunks, size = [], 0
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > self.max_bytes:
                        raise IncompleteAnswer(
                            f"{self.url}: answer larger than {self.max_bytes} bytes; stopped")
                    chunks.append(chunk)
                body = b"".join(chunks)
        except httpx.TimeoutException as exc:
            raise StoreTimeout(f"{self.url}: no answer within {self.timeout:g} s ({exc})") from exc
        except httpx.HTTPError as exc:  # connection refused or lost half way, bad chunking
            if isinstance(exc, httpx.TransportError):
                unavailable = self.dialect.unavailable(exc)
                if unavailable is not None:
                    raise unavailable from exc
            raise StoreError(f"{self.url}: {type(exc).__name__}: {exc}") from exc
        if response.status_code >= 400:
            text = body[:2000].decode("utf-8", "replace").strip()
            if response.status_code == 400 and is_query:
                raise SyntaxError(text)
            if self.dialect.timeout_error(response.status_code, text):
                raise StoreTimeout(f"{self.url}: the server stopped the query: {text}")
            raise StoreError(f"{self.url}: HTTP {response.status_code}: {text}")
        return response, body

    def _form(self, sparql: str, default: Sequence[str] | None,
              named: Sequence[str] | None) -> list[tuple[str, str]]:
        form = [("query", sparql)]
        form += [("default-graph-uri", g) for g in default or ()]
        form += [("named-graph-uri", g) for g in named or ()]
        if default is not None and not default and not named:
            # an empty default graph and no named graphs: a graph that holds nothing
            form.append(("default-graph-uri", "urn:clusterkg:empty"))
        return form

    # -- Store protocol ---------------------------------------------------------------------

    def query(
        self,
        sparql: str,
        *,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        base_iri: str | None = None,
        query_dataset: bool = False,
    ) -> QueryResult:
        if base_iri:  # the protocol has no base parameter: a BASE on the query's first line
            prefix = f"BASE <{base_iri}> "
            try:
                return self.query(prefix + sparql, default_graphs=default_graphs,
                                  named_graphs=named_graphs, query_dataset=query_dataset)
            except SyntaxError as exc:  # positions as in the text the caller wrote
                raise SyntaxError(AT_LINE_ONE.sub(
                    lambda m: f"at 1:{int(m[1]) - len(prefix)}", str(exc))) from None
        if query_dataset:
            return self._ask(sparql, None, None)
        if default_graphs is not None or named_graphs is not None:
            return self._ask(sparql, list(default_graphs or ()), list(named_graphs or ()))
        for _ in range(3):
            dataset = self.dataset
            named = dataset.named if dataset.named is not None or dataset.default is None else ()
            result = self._ask(sparql, dataset.default, named,
                               server_dataset=dataset.default is None and named is None)
            if (dataset.version is None or self.follower is None
                    or self.follower.serves(self, dataset.version)):
                return result
            self.dataset = self.follower.current(self)  # a publish switched: ask the new one
        raise ReleaseSwitching(
            f"{self.url}: the served release changed during three tries; retry")

    def _ask(self, sparql: str, default: Sequence[str] | None,
             named: Sequence[str] | None, *, server_dataset: bool = False) -> QueryResult:
        accept = self.dialect.accept(sparql)
        text = self.dialect.query_text(sparql, default is not None or named is not None)
        form = self._form(text, default, named)
        if server_dataset:
            form += self.dialect.server_dataset()
        try:
            response, body = self._send(
                "POST", self.dialect.query_endpoint, is_query=True,
                content=urlencode(form),
                headers={"Accept": accept, "Content-Type": FORM})
        except SyntaxError as exc:
            raise SyntaxError(self.dialect.rejected(sparql, str(exc))) from None
        media = response.headers.get("content-type", "").split(";")[0].strip().lower()
        return self._parse(response, self.dialect.normalise(sparql, media, body))

    def _parse(self, response: httpx.Response, body: bytes) -> QueryResult:
        media = response.headers.get("content-type", "").split(";")[0].strip().lower()
        try:
            if media in GRAPH_FORMATS:
                return _triples(body, GRAPH_FORMATS[media])
            if media != "application/sparql-results+json":
                raise StoreError(f"{self.url}: unexpected answer type {media!r}")
            rows = ox.parse_query_results(body, RESULTS_JSON)
            if isinstance(rows, ox.QuerySolutions):
                count = sum(1 for _ in rows)  # the whole body parses, or this raises
                cap = self.dialect.row_cap
                if cap is not None and count >= cap:
                    raise IncompleteAnswer(
                        f"{self.url}: {count} rows, the server's cap: the answer may be cut")
                rows = ox.parse_query_results(body, RESULTS_JSON)
            return rows
        except (SyntaxError, ValueError) as exc:
            self.dialect.check_body(body)
            raise IncompleteAnswer(
                f"{self.url}: the answer does not parse whole ({len(body)} bytes): {exc}"
            ) from exc

    def update(self, sparql: str) -> None:
        self._send("POST", self.dialect.update_endpoint, data={"update": sparql})

    def load(
        self, data: bytes | IO[bytes] | Path, fmt: RdfFormat, graph: str | None = None
    ) -> None:
        body = data.read_bytes() if isinstance(data, Path) else (
            data if isinstance(data, bytes) else data.read())
        quads = fmt in (RdfFormat.NQUADS, RdfFormat.TRIG)
        params = {} if quads else self.dialect.gsp_params(graph)
        self._send("POST", self.dialect.gsp_endpoint, params=params, content=body,
                   headers={"Content-Type": MEDIA[fmt]})

    def put_graph(self, graph: str, data: bytes, fmt: RdfFormat = RdfFormat.NTRIPLES) -> None:
        """Replace one graph's content (Graph Store Protocol PUT)."""
        self._send("PUT", self.dialect.gsp_endpoint, params=self.dialect.gsp_params(graph),
                   content=data, headers={"Content-Type": MEDIA[fmt]})

    def serialize(self, fmt: RdfFormat, graph: str | None = None) -> bytes:
        if graph is None:
            if fmt not in (RdfFormat.NQUADS, RdfFormat.TRIG):
                raise ValueError(f"{fmt.name} holds one graph: name the graph to serialise")
            named = self.named_graphs()
            return b"".join(
                ox.serialize(
                    (ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(g))
                     for t in ox.parse(self.serialize(RdfFormat.NTRIPLES, g),
                                       format=ox.RdfFormat.N_TRIPLES)),
                    format=fmt.oxigraph) or b""
                for g in named)
        _, body = self._send("GET", self.dialect.gsp_endpoint,
                             params=self.dialect.gsp_params(graph),
                             headers={"Accept": MEDIA[fmt]})
        return body

    def named_graphs(self) -> list[str]:
        if self.dataset.named is not None:
            return sorted(self.dataset.named)
        result = self.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { } }", query_dataset=True)
        assert isinstance(result, ox.QuerySolutions)
        return sorted(row["g"].value for row in result if isinstance(row["g"], ox.NamedNode))

    def triples_per_graph(self, graphs: Sequence[str] | None = None) -> dict[str, int]:
        """Triples in each named graph (all of the server's when `graphs` is None)."""
        values = "" if graphs is None else "VALUES ?g { " + " ".join(
            f"<{g}>" for g in graphs) + " }"
        result = self.query(
            f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ {values} GRAPH ?g {{ ?s ?p ?o }} }} GROUP BY ?g",
            query_dataset=True)
        assert isinstance(result, ox.QuerySolutions)
        counts = {row["g"].value: int(row["n"].value) for row in result}
        return {g: counts.get(g, 0) for g in graphs} if graphs is not None else counts

    def __len__(self) -> int:
        named = self.named_graphs()
        per_graph = sum(self.triples_per_graph(named).values()) if named else 0
        default = self.dataset.default
        if default is not None and set(default) <= set(named):
            return per_graph
        extra = self.triples_per_graph(list(default)) if default else {}
        return per_graph + sum(extra.values())


def open_store(url: str, *, timeout: float = 60.0) -> RemoteStore:
    """A remote store from a `--store` URL (`oxigraph+http://127.0.0.1:7878`, …)."""
    return RemoteStore(dialect_for(StoreUrl.parse(url)), timeout=timeout)
