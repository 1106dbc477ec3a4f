"""OpenAPI 3.1 description of the JSON-LD API, and interactive docs served offline.

The collection routes are generic (`/api/{collection}`), so their OpenAPI paths are written
here from the same collection files the engine reads: one path per collection with every
filter (type, bounds, and the allowed codes of the served graph as an enum), `sort`, `limit`,
`page`, `format`, and a response example produced by running the API itself on the served
graph. The document is added to FastAPI's own (the other routes keep theirs). The docs page
is Swagger UI from the `fastapi-offline` package, its assets served from the package: no CDN.
"""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path
from typing import Any

import fastapi_offline
from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from clusterkg.api import items, listing, sparql
from clusterkg.api.collection_spec import CollectionSpec, FilterKind, collections
from clusterkg.api.jsonld_api import page_document
from clusterkg.api.ldhttp import FORMAT_NAMES, OFFERED
from clusterkg.graph.store import Store

DOCS_ASSETS = Path(fastapi_offline.__file__).parent / "static"
DOCS_URL = "/docs"
JSON = dict[str, Any]
_documents: dict[int, JSON] = {}

PROBLEM: JSON = {
    "type": "object",
    "required": ["title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "parameter": {"type": "string", "description": "The query parameter at fault."},
    },
}
NODE: JSON = {"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}}}
COLLECTION: JSON = {
    "type": "object",
    "description": "A hydra:Collection page, compacted with the published @context.",
    "required": ["@context", "id", "type", "totalItems", "member", "view", "search"],
    "properties": {
        "@context": {"const": "https://w3id.org/clusterkg/context/v1.jsonld"},
        "id": {"type": "string"},
        "type": {"const": "Collection"},
        "totalItems": {"type": "integer", "minimum": 0},
        "member": {"type": "array", "maxItems": listing.MAX_LIMIT, "items": NODE},
        "view": {
            "type": "object",
            "required": ["id", "type", "first", "last"],
            "properties": {k: {"type": "string"} for k in
                           ("id", "type", "first", "previous", "next", "last")},
        },
        "search": {"type": "object", "required": ["type", "template", "mapping"]},
    },
}
ITEM: JSON = {
    "type": "object",
    "description": "The member, framed and compacted with the published @context.",
    "required": ["@context", "id"],
    "properties": {"@context": {"const": "https://w3id.org/clusterkg/context/v1.jsonld"},
                   "id": {"type": "string"}},
}
HEADERS: JSON = {
    "ETag": {"description": "The release and the representation.", "schema": {"type": "string"}},
    "Cache-Control": {"schema": {"type": "string"}},
}


def _problem(description: str) -> JSON:
    return {"description": description,
            "content": {"application/problem+json": {"schema": PROBLEM}}}


def _ok(description: str, schema: JSON, example: object | None) -> JSON:
    json_content: JSON = {"schema": schema}
    if example is not None:
        json_content["example"] = example
    content: JSON = {"application/ld+json": json_content, "application/json": {"schema": schema}}
    for media in OFFERED[1:]:
        content[media.media_type] = {"schema": {"type": "string"}}
    return {"description": description, "headers": HEADERS, "content": content}


def _filter_schema(fspec: Any, codes: dict[str, tuple[str, ...]] | None) -> JSON:
    if fspec.kind is FilterKind.TERM:
        schema: JSON = {"type": "string"}
        if codes:
            schema["enum"] = sorted(codes)
        return schema
    if fspec.kind is FilterKind.ENUM:
        return {"type": "string", "enum": list(fspec.options)}
    if fspec.kind is FilterKind.INTEGER:
        return {"type": "integer", "minimum": int(fspec.minimum), "maximum": int(fspec.maximum)}
    if fspec.kind is FilterKind.DECIMAL:
        return {"type": "number", "minimum": fspec.minimum or 0, "maximum": 10**15}
    return {"type": "string", "minLength": 1, "maxLength": listing.MAX_TEXT,
            "pattern": "^[^\\u0000-\\u001f]*[^\\u0000-\\u0020][^\\u0000-\\u001f]*$"}


def _parameters(spec: CollectionSpec, store: Store | None) -> list[JSON]:
    values = listing.term_values(spec, store) if store is not None else {}
    params: list[JSON] = [
        {"name": name, "in": "query", "required": False, "description": fspec.description,
         "schema": _filter_schema(fspec, values.get(name))}
        for name, fspec in spec.filters.items()
    ]
    sort_values = [v for key in spec.sort for v in (key, f"-{key}")]
    params += [
        {"name": "sort", "in": "query", "required": False,
         "description": "Sort field; '-' for descending. Ties are broken by IRI.",
         "schema": {"type": "string", "enum": sort_values, "default": spec.default_sort}},
        {"name": "limit", "in": "query", "required": False, "description": "Members per page.",
         "schema": {"type": "integer", "minimum": 1, "maximum": listing.MAX_LIMIT,
                    "default": listing.DEFAULT_LIMIT}},
        {"name": "page", "in": "query", "required": False,
         "description": "Page number, from 1 to the last page (400 beyond it).",
         "schema": {"type": "integer", "minimum": 1, "maximum": 10**6, "default": 1}},
        _format_parameter(),
    ]
    return params


def _format_parameter() -> JSON:
    return {"name": "format", "in": "query", "required": False,
            "description": "Representation, overriding Accept.",
            "schema": {"type": "string", "enum": list(FORMAT_NAMES)}}


def _examples(spec: CollectionSpec, store: Store | None, base: str) -> tuple[object, object]:
    """A real page (2 members) and the example item, run on the served graph."""
    if store is None:
        return None, None
    page = listing.run(listing.parse(spec, [("limit", "2")], store), store)
    iri = items.resolve(spec, spec.example_key, store)
    document, _ = items.item_document(spec, iri, store)
    return page_document(base, page), document


def collection_paths(store: Store | None, base: str) -> JSON:
    """The OpenAPI path items of the context, the index and every collection."""
    paths: JSON = {
        "/context/v1.jsonld": {"get": {
            "tags": ["JSON-LD API"], "operationId": "context_v1",
            "summary": "The published JSON-LD @context (immutable)",
            "responses": {"200": {"description": "The context document", "content": {
                "application/ld+json": {"schema": {"type": "object",
                                                   "required": ["@context"]}}}},
                          "304": {"description": "Not modified"}}}},
        "/api": {"get": {
            "tags": ["JSON-LD API"], "operationId": "collections",
            "summary": "The collections of the API", "parameters": [_format_parameter()],
            "responses": {"200": _ok("A collection of the collections", COLLECTION_INDEX, None),
                          "304": {"description": "Not modified"},
                          "400": _problem("Unknown parameter"),
                          "406": _problem("No acceptable representation")}}},
    }
    for name, spec in collections().items():
        page_example, item_example = _examples(spec, store, base)
        paths[f"/api/{name}"] = {"get": {
            "tags": ["JSON-LD API"], "operationId": f"list_{name.replace('-', '_')}",
            "summary": spec.title, "description": spec.description,
            "parameters": _parameters(spec, store),
            "responses": {
                "200": _ok("One page of the collection", COLLECTION, page_example),
                "304": {"description": "Not modified (If-None-Match)"},
                "400": _problem("A parameter is unknown, repeated or has an invalid value"),
                "406": _problem("No acceptable representation")}}}
        paths[f"/api/{name}/{{key}}"] = {"get": {
            "tags": ["JSON-LD API"], "operationId": f"get_{name.replace('-', '_')}",
            "summary": f"One member of {spec.title.lower()}",
            "parameters": [
                {"name": "key", "in": "path", "required": True,
                 "description": "The member IRI's path after " + " or ".join(spec.bases),
                 "schema": {"type": "string", "pattern": items.KEY_PATTERN,
                            "maxLength": items.MAX_KEY},
                 "example": spec.example_key},
                _format_parameter()],
            "responses": {
                "200": _ok("The member as framed JSON-LD", ITEM, item_example),
                "304": {"description": "Not modified (If-None-Match)"},
                "400": _problem("Unknown parameter"),
                "404": _problem("No member with this key"),
                "406": _problem("No acceptable representation")}}}
    return paths


COLLECTION_INDEX: JSON = {**COLLECTION, "required": ["@context", "id", "type", "member"]}


def openapi_document(app: FastAPI) -> JSON:
    """FastAPI's OpenAPI document of the other routes plus the JSON-LD API's paths and the
    `/sparql` route's (a plain ASGI route, which FastAPI does not describe)."""
    holder = getattr(app.state, "holder", None)
    store: Store | None = holder.store if holder is not None else None
    key = id(store)
    if key not in _documents:
        document = get_openapi(
            title=app.title, version=app.version, openapi_version=app.openapi_version,
            description=app.description, routes=app.routes,
        )
        settings = app.state.settings
        base = f"http://{settings.host}:{settings.port}"
        document["paths"] = {"/sparql": sparql.OPENAPI, **document.get("paths", {}),
                             **collection_paths(store, base)}
        _documents.clear()
        _documents[key] = document
    return _documents[key]


def install(app: FastAPI) -> None:
    """Serve the OpenAPI document with the JSON-LD paths and the offline docs page."""

    def openapi() -> JSON:
        return openapi_document(app)

    app.openapi = openapi  # type: ignore[method-assign]
    app.mount(f"{DOCS_URL}/assets", StaticFiles(directory=DOCS_ASSETS), name="docs-assets")

    @app.get(DOCS_URL, include_in_schema=False)
    def docs(request: Request) -> HTMLResponse:
        page = _swagger_page(app)
        # Swagger UI starts from one inline script: the policy admits that script by its hash
        # and nothing else inline (the service's default policy forbids inline scripts).
        scripts = re.findall(rb"<script>(.*?)</script>", page.body, re.S)
        hashes = " ".join(
            "'sha256-" + base64.b64encode(hashlib.sha256(body).digest()).decode() + "'"
            for body in scripts
        )
        page.headers["Content-Security-Policy"] = (
            "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
            f"script-src 'self' {hashes}; connect-src 'self'; frame-ancestors 'none'"
        )
        return page


def _swagger_page(app: FastAPI) -> HTMLResponse:
    """Swagger UI from the locally installed assets, with no call to validator.swagger.io."""
    return get_swagger_ui_html(
        openapi_url=app.openapi_url or "/openapi.json",
        title=f"{app.title}: API documentation",
        swagger_js_url=f"{DOCS_URL}/assets/swagger-ui-bundle.js",
        swagger_css_url=f"{DOCS_URL}/assets/swagger-ui.css",
        swagger_favicon_url=f"{DOCS_URL}/assets/favicon.png",
        # no validator badge: Swagger UI would send the document to validator.swagger.io
        swagger_ui_parameters={"validatorUrl": None, "tryItOutEnabled": True},
    )
