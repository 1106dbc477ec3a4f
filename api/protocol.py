"""The SPARQL 1.1 Protocol's query operation, shared by `/sparql` and `/queries/{name}`.

Reads the protocol parameters, refuses updates, negotiates the answer formats, builds the
`QueryJob` with the service's limits and runs it through the worker pool, mapping every limit
to its HTTP answer: 429 (this client's allowance), 503 with `Retry-After` (busy, time limit),
413 (answer too large). No router's private names are needed elsewhere: both routers use this.
"""

from __future__ import annotations

import pyoxigraph as ox
from fastapi import Request, Response
from fastapi.responses import PlainTextResponse, StreamingResponse

from clusterkg.api import media
from clusterkg.api.execution import GENERAL, PoolBusy, QueryPool, QueryTimeout, TooManyQueries
from clusterkg.api.media import ResultKind
from clusterkg.api.results import QueryJob, QueryOutcome
from clusterkg.api.streaming import AnswerStreamResponse
from clusterkg.settings import Settings

MAX_ROWS_HEADER = "X-SPARQL-MaxRows"
RETRY_AFTER = "2"
# When the client asks only for SPARQL results formats, a graph answer comes in the RDF format
# of the same family, so that clients such as rdflib's SPARQLStore(returnFormat="json") work.
GRAPH_FALLBACK = {"SPARQL_Results_JSON": "JSON-LD", "SPARQL_Results_XML": "RDF_XML"}


class ProtocolError(Exception):
    """A request the protocol rejects, with its HTTP status."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.headers = headers or {}


def error_response(error: ProtocolError) -> PlainTextResponse:
    """The plain-text answer of a refused request."""
    return PlainTextResponse(str(error) + "\n", error.status, headers=error.headers)


def values(pairs: list[tuple[str, str]], name: str) -> list[str]:
    """Every value of one parameter, in order."""
    return [value for key, value in pairs if key == name]


def graphs(pairs: list[tuple[str, str]], name: str) -> tuple[str, ...]:
    """The graph IRIs of `default-graph-uri` or `named-graph-uri`, each checked absolute."""
    found = tuple(values(pairs, name))
    for iri in found:
        try:
            ox.NamedNode(iri)
        except ValueError as error:
            raise ProtocolError(400, f"{name} is not an absolute IRI: {iri!r} ({error})") from None
    return found


def forced_format(pairs: list[tuple[str, str]]) -> list[str]:
    """`format=` (or Fuseki's `output=`) values that override Accept."""
    return [v for v in values(pairs, "format") or values(pairs, "output") if v]


def refuse_update() -> ProtocolError:
    return ProtocolError(
        403,
        "SPARQL Update is not accepted: this endpoint is read-only. The dataset is a build "
        "artifact; rebuild it and POST /admin/reload (with the admin token) to serve the new one.",
    )


def formats(request: Request, pairs: list[tuple[str, str]]) -> tuple[str | None, str | None]:
    """Names of the formats for a solutions and for a graph answer (None: not acceptable)."""
    forced = forced_format(pairs)
    accept = request.headers.get("accept")
    solutions = media.choose(accept, forced, ResultKind.SOLUTIONS)
    graph = media.choose(accept, forced, ResultKind.GRAPH)
    if graph is None and solutions is not None:
        fallback = GRAPH_FALLBACK.get(solutions.name)
        graph = media.by_name(fallback) if fallback else None
    if solutions is None and graph is None:
        wanted = f"format={forced[0]}" if forced else f"Accept: {accept}"
        raise ProtocolError(
            406, f"{wanted} offers no format of this service; available: "
            f"{media.offered(ResultKind.SOLUTIONS)}; {media.offered(ResultKind.GRAPH)}"
        )
    return (solutions.name if solutions else None, graph.name if graph else None)


def client_of(request: Request) -> str | None:
    """The client's address (behind a trusted proxy uvicorn has already applied
    X-Forwarded-For)."""
    return request.client.host if request.client else None


async def answer_query(
    request: Request, pairs: list[tuple[str, str]], pool: QueryPool, settings: Settings,
    lane: str = GENERAL,
) -> Response:
    """Run the one `query` of `pairs` and answer it as the protocol says."""
    if values(pairs, "update"):
        raise refuse_update()
    queries = values(pairs, "query")
    if len(queries) != 1:
        raise ProtocolError(400, "give exactly one query parameter" if queries else
                            "missing the query parameter")
    query = queries[0]
    if len(query.encode()) > settings.max_request_bytes:
        raise ProtocolError(413, f"query longer than the limit of {settings.max_request_bytes} B")
    solutions_format, graph_format = formats(request, pairs)
    job = QueryJob(
        query=query,
        default_graphs=graphs(pairs, "default-graph-uri"),
        named_graphs=graphs(pairs, "named-graph-uri"),
        solutions_format=solutions_format,
        graph_format=graph_format,
        max_rows=settings.max_rows,
        base_iri=settings.endpoint_iri(),
        service_allowlist=settings.service_allowlist,
        max_depth=settings.max_query_depth,
        max_answer_bytes=settings.max_answer_bytes,
    )
    try:
        outcome = await pool.run(job, settings.query_timeout, lane, client_of(request),
                                 stream=True)
    except QueryTimeout as error:
        raise ProtocolError(503, f"{error} (CLUSTERKG_QUERY_TIMEOUT)") from None
    except PoolBusy as error:
        raise ProtocolError(503, str(error), {"Retry-After": RETRY_AFTER}) from None
    except TooManyQueries as error:
        raise ProtocolError(429, str(error), {"Retry-After": RETRY_AFTER}) from None
    if outcome.status == 406:
        kind = ResultKind.GRAPH if b"CONSTRUCT" in outcome.body else ResultKind.SOLUTIONS
        forced = forced_format(pairs)
        wanted = f"format={forced[0]}" if forced else f"Accept: {request.headers.get('accept')}"
        raise ProtocolError(406, f"{wanted} offers no format for {kind.value} results; "
                            f"available: {media.offered(kind)}")
    return outcome_response(outcome, settings)


def outcome_response(outcome: QueryOutcome, settings: Settings) -> Response:
    """The HTTP response of a worker's outcome: a large answer is streamed as the worker
    writes it (and, if cut once sent, ends without its final chunk: see `streaming`)."""
    headers = {"Vary": "Accept"}
    if outcome.status == 503:  # the worker's memory, the store's limit or a release switch
        headers["Retry-After"] = RETRY_AFTER
    if outcome.truncated:
        headers[MAX_ROWS_HEADER] = str(settings.max_rows)
    if outcome.stream is not None:
        return AnswerStreamResponse(outcome.stream, outcome.status, headers,
                                    media_type=outcome.content_type)
    if len(outcome.chunks) <= 1:
        return Response(outcome.body, outcome.status, headers, media_type=outcome.content_type)
    return StreamingResponse(iter(outcome.chunks), outcome.status, headers,
                             media_type=outcome.content_type)
