"""The SPARQL 1.1 Protocol endpoint at `/sparql` (query operation only; the service is read-only).

Query by GET, by POST of a form, or by POST of `application/sparql-query` (Protocol §2.1);
`default-graph-uri`/`named-graph-uri` set the dataset (§2.1.4); the answer format is
negotiated from Accept or forced by `format=`. Without a query, GET answers the service
description. Bodies must be UTF-8 (§2.1.2, §2.1.3). Errors are plain text carrying the
parser's or the limit's message. The protocol itself lives in `clusterkg.api.protocol`.

Every query of the service crosses this route, so it is a plain ASGI route, first among the
app's routes (`route`), rather than a FastAPI path operation: the middleware still wraps it
(CORS, security headers, the body deadline, the service description page), but FastAPI's
matching through the included routers, its dependency solving and its per-request exit
stacks are skipped. The query string is parsed once, here. Its OpenAPI description is written
here (`OPENAPI`) and added to the document by `openapi_docs`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl

import pyoxigraph as ox
from fastapi import HTTPException, Request, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from clusterkg.api import media, service_description
from clusterkg.api.execution import CHEAP, PoolBusy, QueryPool, QueryTimeout, TooManyQueries
from clusterkg.api.media import ResultKind
from clusterkg.api.protocol import (
    MAX_ROWS_HEADER,
    ProtocolError,
    answer_query,
    error_response,
    forced_format,
    refuse_update,
)
from clusterkg.api.state import current_pool
from clusterkg.settings import Settings

FORM = "application/x-www-form-urlencoded"
QUERY_BODY = "application/sparql-query"
UPDATE_BODY = "application/sparql-update"
UTF8_NAMES = frozenset({"utf-8", "utf8", "us-ascii", "ascii"})
METHODS = ("GET", "POST")
__all__ = ["MAX_ROWS_HEADER", "OPENAPI", "route"]

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


def decode_body(body: bytes, content_type: str) -> str:
    """The body as text: UTF-8 only (a declared other charset, a UTF-16 byte order mark or
    NUL bytes are refused with 415/400)."""
    for param in content_type.split(";")[1:]:
        key, _, value = param.partition("=")
        charset = value.strip().strip('"').lower()
        if key.strip().lower() == "charset" and charset and charset not in UTF8_NAMES:
            raise ProtocolError(415, f"charset {charset} is not accepted: send UTF-8")
    if body.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in body:
        raise ProtocolError(400, "the request body looks like UTF-16: send UTF-8")
    try:
        return body.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ProtocolError(400, f"the request body is not UTF-8: {error}") from None


async def _describe(
    request: Request, pairs: list[tuple[str, str]], pool: QueryPool, settings: Settings
) -> Response:
    forced = forced_format(pairs)
    fmt = media.choose(request.headers.get("accept"), forced, ResultKind.GRAPH)
    if fmt is None:
        raise ProtocolError(406, f"available: {media.offered(ResultKind.GRAPH)}")
    try:
        stats = await service_description.statistics(pool, settings.query_timeout, CHEAP)
    except (QueryTimeout, PoolBusy, TooManyQueries) as error:
        raise ProtocolError(503, f"statistics unavailable: {error}", {"Retry-After": "2"}
                            ) from None
    endpoint = settings.endpoint_iri()
    triples = service_description.description(endpoint, stats, bool(settings.service_allowlist))
    body = ox.serialize(triples, format=fmt.rdf, prefixes=service_description.PREFIXES)
    return Response(body or b"", headers={"Vary": "Accept"}, media_type=fmt.content_type)


async def sparql_get(
    request: Request, pairs: list[tuple[str, str]], pool: QueryPool, settings: Settings
) -> Response:
    """SPARQL query by GET (Protocol §2.1.1), or the service description without a query."""
    try:
        if not any(key in ("query", "update") for key, _ in pairs):
            return await _describe(request, pairs, pool, settings)
        return await answer_query(request, pairs, pool, settings)
    except ProtocolError as error:
        return error_response(error)


async def sparql_post(
    request: Request, pairs: list[tuple[str, str]], pool: QueryPool, settings: Settings
) -> Response:
    """SPARQL query by POST, form-encoded (§2.1.2) or direct (§2.1.3); updates are refused."""
    content_type = request.headers.get("content-type", "")
    mime = content_type.split(";")[0].strip().lower()
    try:
        body = await _body(request, settings.max_request_bytes)
        if mime == FORM:
            try:
                pairs += parse_qsl(decode_body(body, content_type), keep_blank_values=True,
                                   encoding="utf-8", errors="strict")
            except UnicodeDecodeError as error:
                raise ProtocolError(400, f"a form value is not UTF-8: {error}") from None
        elif mime == QUERY_BODY:
            pairs.append(("query", decode_body(body, content_type)))
        elif mime == UPDATE_BODY:
            raise refuse_update()
        else:
            raise ProtocolError(
                415, f"unsupported Content-Type {mime or '(none)'}: use {FORM} or {QUERY_BODY}"
            )
        return await answer_query(request, pairs, pool, settings)
    except ProtocolError as error:
        return error_response(error)


class Endpoint:
    """The ASGI app of `/sparql` (an instance, which Starlette calls as ASGI where it would wrap
    a function as `request -> response`): GET or POST with the app's settings and worker pool;
    another method is a 405, answered by the app's exception handler."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        method = scope["method"]
        if method not in METHODS:
            raise HTTPException(405, headers={"Allow": ", ".join(METHODS)})
        request = Request(scope, receive)
        settings: Settings = scope["app"].state.settings
        pool = await current_pool(request)
        # as Starlette's `request.query_params` reads it (percent-escapes as UTF-8), once
        pairs = parse_qsl(scope["query_string"].decode("latin-1"), keep_blank_values=True)
        handler = sparql_get if method == "GET" else sparql_post
        response = await handler(request, pairs, pool, settings)
        await response(scope, receive, send)


route = Route("/sparql", Endpoint(), name="sparql", include_in_schema=False)


def _operation(handler: Callable[..., Any], parameters: list[dict[str, Any]] | None = None
               ) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "tags": ["SPARQL"],
        "summary": handler.__name__.replace("_", " ").title(),
        "description": handler.__doc__,
        "operationId": f"{handler.__name__}_sparql_{handler.__name__.split('_')[1]}",
        "responses": {"200": {"description": "Successful Response",
                              "content": {"application/json": {"schema": {}}}}},
    }
    if parameters:
        operation["parameters"] = parameters
    return operation


# The OpenAPI path item of /sparql, as FastAPI described the path operations it replaces.
OPENAPI: dict[str, Any] = {"get": _operation(sparql_get, _PARAMETERS),
                           "post": _operation(sparql_post)}
