"""The SPARQL 1.1 Protocol endpoint at `/sparql` (query operation only; the service is read-only).

Query by GET, by POST of a form, or by POST of `application/sparql-query` (Protocol §2.1);
`default-graph-uri`/`named-graph-uri` set the dataset (§2.1.4); the answer format is
negotiated from Accept or forced by `format=`. Without a query, GET answers the service
description. Bodies must be UTF-8 (§2.1.2, §2.1.3). Errors are plain text carrying the
parser's or the limit's message. The protocol itself lives in `clusterkg.api.protocol`.
"""

from __future__ import annotations

from urllib.parse import parse_qsl

import pyoxigraph as ox
from fastapi import APIRouter, Depends, Request, Response

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
from clusterkg.api.state import get_pool, get_settings
from clusterkg.settings import Settings

router = APIRouter(tags=["SPARQL"])

FORM = "application/x-www-form-urlencoded"
QUERY_BODY = "application/sparql-query"
UPDATE_BODY = "application/sparql-update"
UTF8_NAMES = frozenset({"utf-8", "utf8", "us-ascii", "ascii"})
__all__ = ["MAX_ROWS_HEADER", "router"]

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


@router.get("/sparql", openapi_extra={"parameters": _PARAMETERS})
async def sparql_get(
    request: Request,
    pool: QueryPool = Depends(get_pool),
    settings: Settings = Depends(get_settings),
) -> Response:
    """SPARQL query by GET (Protocol §2.1.1), or the service description without a query."""
    pairs = request.query_params.multi_items()
    try:
        if not any(key in ("query", "update") for key, _ in pairs):
            return await _describe(request, pairs, pool, settings)
        return await answer_query(request, pairs, pool, settings)
    except ProtocolError as error:
        return error_response(error)


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
