"""What differs between SPARQL servers, said once per server: a `Dialect`.

A remote store (`graph.stores.remote.RemoteStore`) speaks only SPARQL 1.1 Query, Update and the
Graph Store Protocol; everything a particular server does its own way sits in one subclass of
`Dialect` in one module per server (`oxigraph_server.py`, `virtuoso.py`, the generic `sparql+`
one here): where its endpoints are, how the Graph Store Protocol names a graph, how it
authenticates, which requests it answers with a *complete-looking* body that is not complete
(a timeout reported in a header, a silent row cap), and whether one update request is applied
atomically. A dialect registers itself under a URL scheme prefix (`register`), so
`--store <name>+http://host:port/…` picks it.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urljoin, urlsplit, urlunsplit

import httpx


class StoreError(OSError):
    """A remote store could not give a whole answer (network, server error, cut-off body).

    An `OSError`, so the API reports it as a failed upstream (502), never as a short result."""


class IncompleteAnswer(StoreError):
    """The server answered, but not the whole answer: a truncated body, a timeout it reported
    only in a header or trailer, a row count at its cap."""


class StoreTimeout(IncompleteAnswer):
    """The server stopped the query at its own time limit."""


class ReleaseSwitching(StoreError):
    """The server is between two releases: a publish is switching what it serves on a server
    that cannot switch in one request (or a publish was interrupted while switching). Nothing
    was answered; asking again later is the remedy (the API answers 503 with `Retry-After`)."""


class StoreUnavailable(StoreError):
    """The store is not answering for now (a query engine this service runs is restarting):
    nothing was answered, and asking again shortly is the remedy (503 with `Retry-After`)."""


@dataclass(frozen=True)
class StoreUrl:
    """A parsed `--store` URL: `<dialect>+<http(s) base>[?params]`."""

    dialect: str
    base: str
    params: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def parse(cls, url: str) -> StoreUrl:
        scheme, sep, rest = url.partition("+")
        if not sep or not rest.startswith(("http://", "https://")):
            raise ValueError(
                f"store URL {url!r}: expected <kind>+http://host:port[/path][?params], with kind "
                f"one of {', '.join(sorted(DIALECTS))}")
        parts = urlsplit(rest)
        params = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        base = urlunsplit((parts.scheme, parts.netloc, parts.path.rstrip("/"), "", ""))
        return cls(scheme, base, params)

    def __str__(self) -> str:
        return f"{self.dialect}+{self.base}"


class Dialect:
    """The generic SPARQL 1.1 server; subclasses override what their server does differently.

    `url.params` may name the endpoints (`query=`, `update=`, `gsp=`, resolved against the base
    as links are); the defaults are `<base>/query`, `<base>/update`, `<base>/store`."""

    name = "sparql"
    #: the Graph Store Protocol's query parameter naming the graph (§5.1: `graph`, `default`)
    graph_param = "graph"
    default_param: str | None = "default"
    #: one update request is applied all or nothing, and readers never see it half done
    atomic_update = False
    #: the server silently stops a SELECT at this many rows (None: no cap)
    row_cap: int | None = None
    #: media type asked for graph results: one whose truncation is a syntax error
    graph_results = "application/n-triples"
    solution_results = "application/sparql-results+json"

    def __init__(self, url: StoreUrl) -> None:
        self.url = url

    def _endpoint(self, key: str, default: str) -> str:
        return urljoin(f"{self.url.base}/", self.url.params.get(key, default))

    @property
    def query_endpoint(self) -> str:
        return self._endpoint("query", "query")

    @property
    def update_endpoint(self) -> str:
        return self._endpoint("update", "update")

    @property
    def gsp_endpoint(self) -> str:
        return self._endpoint("gsp", "store")

    def gsp_params(self, graph: str | None) -> dict[str, str]:
        """Query parameters that name `graph` (None: the default graph) on the GSP endpoint."""
        if graph is not None:
            return {self.graph_param: graph}
        return {self.default_param: ""} if self.default_param else {}

    def auth(self) -> httpx.Auth | None:
        """Credentials for updates and GSP writes (from the environment, never the URL)."""
        user = os.environ.get("CLUSTERKG_STORE_USER")
        password = os.environ.get("CLUSTERKG_STORE_PASSWORD")
        return httpx.DigestAuth(user, password) if user and password else None

    def check(self, response: httpx.Response) -> None:
        """Raise `StoreTimeout`/`IncompleteAnswer` for an answer the server marks as partial
        (headers, trailers); called on every response before its body is parsed. The generic
        server marks nothing: completeness is then the parse of the whole body."""

    def accept(self, sparql: str) -> str:
        """The `Accept` header for `sparql`: both result kinds, the server picks by query form
        (a server that answers CONSTRUCT in a solutions format names the one it needs)."""
        return f"{self.solution_results}, {self.graph_results};q=0.9"

    def query_text(self, sparql: str, protocol_dataset: bool) -> str:
        """The query as sent; `protocol_dataset` says the request names its graphs
        (`default-graph-uri` / `named-graph-uri`), which take precedence over the query's own
        FROM / FROM NAMED (SPARQL 1.1 Protocol §2.1.4). A standard server needs no change."""
        return sparql

    def rejected(self, sparql: str, message: str) -> str:
        """The message of a query the server rejected as malformed (standard servers: theirs)."""
        return message

    def normalise(self, sparql: str, media: str, body: bytes) -> bytes:
        """A whole answer body of `media` to `sparql`, rewritten into the terms SPARQL 1.1 gives
        where the server encodes them its own way (Virtuoso's booleans); the generic server's
        answers are standard, so unchanged. A body that does not parse is returned unchanged."""
        return body

    def check_body(self, body: bytes) -> None:
        """Called with a body that does not parse whole: raise `StoreTimeout` if it ends the way
        the server ends an answer it stopped at its time limit (else it is `IncompleteAnswer`)."""

    def server_dataset(self) -> list[tuple[str, str]]:
        """Form fields sent with a query that leaves its dataset to the server (no graph list,
        no FROM): none for a standard server."""
        return []

    def unavailable(self, error: Exception) -> StoreUnavailable | None:
        """What a refused or lost connection means: None (a failed upstream, 502) unless the
        server is one this service restarts (`graph.stores.engine`)."""
        return None

    def timeout_error(self, status: int, body: str) -> bool:
        """Whether an error answer means the server's own time limit stopped the query."""
        return status in (408, 504)


DIALECTS: dict[str, Callable[[StoreUrl], Dialect]] = {"sparql": Dialect}


def register(name: str, factory: Callable[[StoreUrl], Dialect]) -> None:
    """Make `--store <name>+http://…` use `factory`'s dialect."""
    DIALECTS[name] = factory


def dialect_for(url: StoreUrl) -> Dialect:
    """The dialect a parsed URL names (`ValueError` for an unknown one)."""
    from clusterkg.graph import stores  # noqa: F401  (registers the bundled dialects)

    try:
        return DIALECTS[url.dialect](url)
    except KeyError:
        raise ValueError(
            f"unknown store kind {url.dialect!r} (known: {', '.join(sorted(DIALECTS))})"
        ) from None
