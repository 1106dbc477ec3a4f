"""Routes of the JSON-LD API for apps: the published `@context`, collections and items.

`GET /context/v1.jsonld` serves the context file from the package, byte for byte and cached
as immutable. `GET /api/{collection}` answers a Hydra page, `GET /api/{collection}/{key}` a
framed item; both in JSON-LD by default and in Turtle, N-Triples or RDF/XML by Accept or
`format=`, with an ETag from the served release. The collections themselves are data
(`api/collections/*.yaml`); this module only wires them to HTTP.
"""

from __future__ import annotations

import hashlib
import json
from urllib.parse import urlencode

import pyoxigraph as ox
from fastapi import APIRouter, Depends, Request, Response

from clusterkg.api import items, listing
from clusterkg.api.collection_spec import CollectionSpec, FilterKind, collections, prefixes
from clusterkg.api.compact import Json
from clusterkg.api.ldcontext import CONTEXT_V1, context_bytes
from clusterkg.api.ldhttp import (
    API_CACHE_CONTROL,
    IMMUTABLE_CACHE_CONTROL,
    JSONLD,
    NotAcceptable,
    cached_response,
    choose,
    etag_for,
    not_modified,
    problem,
)
from clusterkg.api.media import MediaFormat
from clusterkg.api.state import get_release, get_store
from clusterkg.graph.release import Release
from clusterkg.graph.store import Store

router = APIRouter(tags=["JSON-LD API"])
HYDRA_FREETEXT = "hydra:freetextQuery"


def _dumps(document: dict[str, Json]) -> bytes:
    return json.dumps(document, ensure_ascii=False, indent=1).encode()


def _serialise(document: dict[str, Json], media: MediaFormat) -> bytes:
    """JSON-LD as given, or converted to RDF (pyld, local loader) and written by Oxigraph."""
    if media is JSONLD:
        return _dumps(document)
    return rdf_bytes(_triples(document), media)


def rdf_bytes(triples: list[ox.Triple], media: MediaFormat) -> bytes:
    """Triples in an RDF format; Turtle and RDF/XML use the context's prefixes."""
    fmt = media.rdf
    named = prefixes() if fmt is not ox.RdfFormat.N_TRIPLES else None
    return ox.serialize(triples, format=fmt, prefixes=named) or b""


def _triples(document: dict[str, Json]) -> list[ox.Triple]:
    lines = "".join(f"{s} {p} {o} .\n" for s, p, o in sorted(items.to_triples(document)))
    return [quad.triple for quad in ox.parse(lines.encode(), format=ox.RdfFormat.N_TRIPLES)]




@router.get("/context/{name}", include_in_schema=False)
def context(name: str, request: Request) -> Response:
    """The published @context, from the package (never changes once published)."""
    version = name.removesuffix(".jsonld")
    if not name.endswith(".jsonld") or not version.isalnum():
        return problem(404, "Not Found", f"no JSON-LD context {name!r}; offered: v1.jsonld")
    try:
        body = context_bytes(version)
    except FileNotFoundError:
        return problem(404, "Not Found", f"no JSON-LD context {name!r}; offered: v1.jsonld")
    etag = f'"{hashlib.sha256(body).hexdigest()[:16]}"'
    return cached_response(request, body, "application/ld+json", etag, IMMUTABLE_CACHE_CONTROL)


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def _page_url(base: str, spec: CollectionSpec, query: listing.ListQuery, page: int) -> str:
    params: dict[str, str] = dict(query.given)
    if query.sort != spec.default_sort or query.descending:
        params["sort"] = ("-" if query.descending else "") + query.sort
    if query.limit != listing.DEFAULT_LIMIT:
        params["limit"] = str(query.limit)
    params["page"] = str(page)
    return f"{base}/api/{spec.name}?{urlencode(params)}"


def search_template(base: str, spec: CollectionSpec) -> dict[str, Json]:
    """The hydra:search IriTemplate documenting a collection's parameters."""
    variables = [*spec.filters, "sort", "limit", "page"]
    mapping: list[Json] = []
    for name, fspec in spec.filters.items():
        entry: dict[str, Json] = {"type": "IriTemplateMapping", "variable": name, "required": False}
        if fspec.kind is FilterKind.TEXT:
            entry["property"] = HYDRA_FREETEXT
        elif fspec.property:
            entry["property"] = fspec.property
        mapping.append(entry)
    for name in ("sort", "limit", "page"):
        mapping.append({"type": "IriTemplateMapping", "variable": name, "required": False})
    return {
        "type": "IriTemplate",
        "template": f"{base}/api/{spec.name}{{?{','.join(variables)}}}",
        "variableRepresentation": "hydra:BasicRepresentation",
        "mapping": mapping,
    }


def page_document(base: str, page: listing.Page) -> dict[str, Json]:
    """A Hydra Collection: totalItems, the page's members, the view with its links, search."""
    query, spec = page.query, page.query.spec
    view: dict[str, Json] = {
        "id": _page_url(base, spec, query, query.page),
        "type": "PartialCollectionView",
        "first": _page_url(base, spec, query, 1),
        "last": _page_url(base, spec, query, page.last_page),
    }
    if query.page > 1:
        view["previous"] = _page_url(base, spec, query, query.page - 1)
    if query.page < page.last_page:
        view["next"] = _page_url(base, spec, query, query.page + 1)
    base_params = urlencode(query.given)
    members: list[Json] = list(page.members)
    return {
        "@context": CONTEXT_V1,
        "id": f"{base}/api/{spec.name}" + (f"?{base_params}" if base_params else ""),
        "type": "Collection",
        "title": {"en": spec.title},
        "totalItems": page.total,
        "member": members,
        "view": view,
        "search": search_template(base, spec),
    }


def _representation(request: Request) -> tuple[MediaFormat, str]:
    format_values = request.query_params.getlist("format")
    return choose(request.headers.get("accept"), format_values[0] if format_values else None)


def _not_acceptable(exc: NotAcceptable) -> Response:
    return problem(406, "Not Acceptable", str(exc))


@router.get("/api", include_in_schema=False)
def index(request: Request, release: Release = Depends(get_release)) -> Response:
    """The collections of the API, as a Hydra Collection of collections."""
    try:
        media, content_type = _representation(request)
    except NotAcceptable as exc:
        return _not_acceptable(exc)
    members: list[Json] = [
        {"id": f"{_base(request)}/api/{name}", "type": "Collection",
         "title": {"en": spec.title}, "description": {"en": spec.description}}
        for name, spec in collections().items()
    ]
    document: dict[str, Json] = {
        "@context": CONTEXT_V1, "id": f"{_base(request)}/api", "type": "Collection",
        "totalItems": len(members), "member": members,
    }
    etag = etag_for(release.version, request, content_type)
    return cached_response(
        request, _serialise(document, media), content_type, etag, API_CACHE_CONTROL
    )


def _unknown_collection(collection: str) -> Response:
    return problem(404, "Not Found", f"no collection {collection!r}; offered: "
                   + ", ".join(collections()))


@router.get("/api/{collection}", include_in_schema=False)
def collection_page(
    collection: str,
    request: Request,
    store: Store = Depends(get_store),
    release: Release = Depends(get_release),
) -> Response:
    """One page of a collection (filters, sort, limit, page as in its file)."""
    spec = collections().get(collection)
    if spec is None:
        return _unknown_collection(collection)
    try:
        media, content_type = _representation(request)
    except NotAcceptable as exc:
        return _not_acceptable(exc)
    etag = etag_for(release.version, request, content_type)
    if not_modified(request, etag):
        return cached_response(request, b"", content_type, etag, API_CACHE_CONTROL)
    try:
        query = listing.parse(spec, list(request.query_params.multi_items()), store)
        page = listing.run(query, store)
    except listing.ParameterProblem as exc:
        return problem(400, "Bad Request", str(exc), parameter=exc.parameter)
    body = _serialise(page_document(_base(request), page), media)
    return cached_response(request, body, content_type, etag, API_CACHE_CONTROL)


@router.get("/api/{collection}/{key:path}", include_in_schema=False)
def item(
    collection: str,
    key: str,
    request: Request,
    store: Store = Depends(get_store),
    release: Release = Depends(get_release),
) -> Response:
    """One member as framed JSON-LD, or its graph in an RDF format."""
    spec = collections().get(collection)
    if spec is None:
        return _unknown_collection(collection)
    unknown = [name for name in request.query_params if name != "format"]
    if unknown:
        return problem(400, "Bad Request", f"{unknown[0]}: unknown parameter; allowed: format",
                       parameter=unknown[0])
    try:
        media, content_type = _representation(request)
    except NotAcceptable as exc:
        return _not_acceptable(exc)
    try:
        iri = items.resolve(spec, key, store)
    except items.UnknownItem as exc:
        return problem(404, "Not Found", str(exc))
    etag = etag_for(release.version, request, content_type)
    if not_modified(request, etag):
        return cached_response(request, b"", content_type, etag, API_CACHE_CONTROL)
    if media is JSONLD:
        document, _ = items.item_document(spec, iri, store)
        body = _dumps(document)
    else:
        body = rdf_bytes(items.construct(spec, iri, store), media)
    return cached_response(request, body, content_type, etag, API_CACHE_CONTROL)
