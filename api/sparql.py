"""The SPARQL 1.1 Protocol endpoint at `/sparql` (query operation only; the service is read-only).

Query by GET, by POST of a form, or by POST of `application/sparql-query` (Protocol §2.1);
`default-graph-uri`/`named-graph-uri` set the dataset (§2.1.4); the answer format is
negotiated from Accept or forced by `format=`. Without a query, GET answers the service
description. Errors are plain text carrying the parser's or the limit's message.
"""

from __future__ import annotations

from urllib.parse import parse_qsl

import pyoxigraph as ox
from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import PlainTextResponse

from clusterkg.api import media, service_description
from clusterkg.api.execution import PoolBusy, QueryPool, QueryTimeout
from clusterkg.api.inspection import inspect_query, refused_services
from clusterkg.api.media import ResultKind
from clusterkg.api.results import QueryJob, result_kind
from clusterkg.api.state import get_pool, get_settings
from clusterkg.settings import Settings

router = APIRouter(tags=["SPARQL"])

FORM = "application/x-www-form-urlencoded"
QUERY_BODY = "application/sparql-query"
UPDATE_BODY = "application/sparql-update"
MAX_ROWS_HEADER = "X-SPARQL-MaxRows"

_PARAMETERS = [
    {"name": "query", "in": "query", "schema": {"type": "string"},
     "description": "SPARQL 1.1 query; omitted, the service description is returned"},
    {"name": "default-graph-uri", "in": "query", "schema": {"type": "array", "items": {
        "type": "string"}}, "description": "graph IRIs merged into the default graph"},
    {"name": "named-graph-uri", "in": "query", "schema": {"type": "array", "items": {
        "type": "string"}}, "description": "graph IRIs available to GRAPH"},
    {"name": "format", "in": "query", "schema": {"type": "string"},
     "description": "override Accept: json, xml, csv, tsv, ttl, nt, rdf, jsonld or a media type"},
]


class ProtocolError(Exception):
    """A request the protocol rejects, with its HTTP status."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.headers = headers or {}


def _error(error: ProtocolError) -> PlainTextResponse:
    return PlainTextResponse(str(error) + "\n", error.status, headers=error.headers)


async def _body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise ProtocolError(413, f"request body larger than the limit of {limit} bytes")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise ProtocolError(413, f"request body larger than the limit of {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _decode(body: bytes, content_type: str) -> str:
    charset = "utf-8"
    for param in content_type.split(";")[1:]:
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset":
            charset = value.strip().strip('"') or charset
    try:
        return body.decode(charset)
    except (LookupError, UnicodeDecodeError) as error:
        raise ProtocolError(400, f"cannot decode the request body: {error}") from None


def _values(pairs: list[tuple[str, str]], name: str) -> list[str]:
    return [value for key, value in pairs if key == name]


def _graphs(pairs: list[tuple[str, str]], name: str) -> tuple[str, ...]:
    graphs = tuple(_values(pairs, name))
    for iri in graphs:
        try:
            ox.NamedNode(iri)
        except ValueError as error:
            raise ProtocolError(400, f"{name} is not an absolute IRI: {iri!r} ({error})") from None
    return graphs


def _forced_format(pairs: list[tuple[str, str]]) -> list[str]:
    return [v for v in _values(pairs, "format") or _values(pairs, "output") if v]


def _refuse_update() -> ProtocolError:
    return ProtocolError(
        403,
        "SPARQL Update is not accepted: this endpoint is read-only. The dataset is a build "
        "artifact; rebuild it and POST /admin/reload (with the admin token) to serve the new one.",
    )


def _formats(
    request: Request, pairs: list[tuple[str, str]], form: str | None
) -> tuple[str | None, str | None]:
    """Names of the formats for a solutions and for a graph answer (None: not acceptable)."""
    forced = _forced_format(pairs)
    accept = request.headers.get("accept")
    solutions = media.choose(accept, forced, ResultKind.SOLUTIONS)
    graph = media.choose(accept, forced, ResultKind.GRAPH)
    if form is not None:
        kind = result_kind(form)
        if (graph if kind is ResultKind.GRAPH else solutions) is None:
            wanted = f"format={forced[0]}" if forced else f"Accept: {accept}"
            raise ProtocolError(
                406, f"{wanted} offers no format for {form} results; "
                f"available: {media.offered(kind)}"
            )
    return (solutions.name if solutions else None, graph.name if graph else None)


async def _answer(
    request: Request, pairs: list[tuple[str, str]], pool: QueryPool, settings: Settings
) -> Response:
    if _values(pairs, "update"):
        raise _refuse_update()
    queries = _values(pairs, "query")
    if len(queries) > 1:
        raise ProtocolError(400, "give exactly one query parameter")
    if not queries:
        if request.method == "GET":
            return await _describe(request, pairs, pool, settings)
        raise ProtocolError(400, "missing the query parameter")
    query = queries[0]
    if len(query.encode()) > settings.max_request_bytes:
        raise ProtocolError(413, f"query longer than the limit of {settings.max_request_bytes} B")
    info = inspect_query(query)
    refused = refused_services(info, settings.service_allowlist)
    if refused:
        raise ProtocolError(
            403, "federated SERVICE is not allowed for: " + ", ".join(refused)
            + " (only endpoints on the service allow-list may be called)"
        )
    solutions_format, graph_format = _formats(request, pairs, info.form)
    job = QueryJob(
        query=query,
        default_graphs=_graphs(pairs, "default-graph-uri"),
        named_graphs=_graphs(pairs, "named-graph-uri"),
        solutions_format=solutions_format,
        graph_format=graph_format,
        query_dataset=info.has_from,
        max_rows=settings.max_rows,
        prefixes=info.prefixes,
    )
    try:
        outcome = await pool.run(job, settings.query_timeout)
    except QueryTimeout as error:
        raise ProtocolError(503, f"{error} (CLUSTERKG_QUERY_TIMEOUT)") from None
    except PoolBusy as error:
        raise ProtocolError(503, str(error), {"Retry-After": "1"}) from None
    headers = {"Vary": "Accept"}
    if outcome.truncated:
        headers[MAX_ROWS_HEADER] = str(settings.max_rows)
    return Response(outcome.body, outcome.status, headers, media_type=outcome.content_type)


async def _describe(
    request: Request, pairs: list[tuple[str, str]], pool: QueryPool, settings: Settings
) -> Response:
    forced = _forced_format(pairs)
    fmt = media.choose(request.headers.get("accept"), forced, ResultKind.GRAPH)
    if fmt is None:
        raise ProtocolError(406, f"available: {media.offered(ResultKind.GRAPH)}")
    try:
        stats = await service_description.statistics(pool, settings.query_timeout)
    except (QueryTimeout, PoolBusy) as error:
        raise ProtocolError(503, f"statistics unavailable: {error}") from None
    endpoint = str(request.url.replace(query="", fragment=""))
    triples = service_description.description(endpoint, stats, bool(settings.service_allowlist))
    body = ox.serialize(triples, format=fmt.rdf, prefixes=service_description.PREFIXES)
    return Response(body or b"", headers={"Vary": "Accept"}, media_type=fmt.content_type)


@router.get("/sparql", openapi_extra={"parameters": _PARAMETERS})
async def sparql_get(
    request: Request,
    pool: QueryPool = Depends(get_pool),
    settings: Settings = Depends(get_settings),
) -> Response:
    """SPARQL query by GET (Protocol §2.1.1), or the service description without a query."""
    try:
        return await _answer(request, request.query_params.multi_items(), pool, settings)
    except ProtocolError as error:
        return _error(error)


@router.post("/sparql")
async def sparql_post(
    request: Request,
    pool: QueryPool = Depends(get_pool),
    settings: Settings = Depends(get_settings),
) -> Response:
    """SPARQL query by POST, form-encoded (§2.1.2) or direct (§2.1.3); updates are refused."""
    content_type = request.headers.get("content-type", "")
    mime = content_type.split(";")[0].strip().lower()
    pairs = request.query_params.multi_items()
    try:
        body = await _body(request, settings.max_request_bytes)
        if mime == FORM:
            pairs += parse_qsl(_decode(body, content_type), keep_blank_values=True)
        elif mime == QUERY_BODY:
            pairs.append(("query", _decode(body, content_type)))
        elif mime == UPDATE_BODY:
            raise _refuse_update()
        else:
            raise ProtocolError(
                415, f"unsupported Content-Type {mime or '(none)'}: use {FORM} or {QUERY_BODY}"
            )
        return await _answer(request, pairs, pool, settings)
    except ProtocolError as error:
        return _error(error)
