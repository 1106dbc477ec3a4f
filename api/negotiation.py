"""Content negotiation for RDF documents: which representation of a resource to send, and
writing it.

A linked-data IRI is answered as an HTML page or as one of the RDF formats of the one table in
`api/media.py` (`media.document_formats`, HTML first), chosen (first match wins) by a `format=`
parameter, by a file extension on the path (`/id/programme/X.ttl`), then by the `Accept`
header with its q-values. HTML is listed first, so a browser's `text/html` (or `*/*`) gets the
page. JSON-LD answers are compacted with the project's published `@context`
(`api/context/v1.jsonld`), loaded from the package by a document loader that refuses every
other URL: nothing is fetched from the network. The JSON-LD API (`api/ldhttp.py`) offers the
same table with JSON-LD first.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, cast

import pyoxigraph as ox

from clusterkg.api import ldcontext, media
from clusterkg.api.media import MediaFormat

# pyld ships no type information; imported as a module object so every checker agrees.
jsonld = importlib.import_module("pyld.jsonld")
CONTEXT_IRI = ldcontext.CONTEXT_V1

HTML = media.HTML

# The representations of a resource (`media`'s one table), HTML the default: a client that
# accepts anything, a browser, gets the page.
DOCUMENT_FORMATS: tuple[MediaFormat, ...] = media.document_formats("HTML", html=True)

# File extension of each representation's own URL (`Content-Location`, `Link: alternate`).
EXTENSIONS: dict[str, str] = {fmt.name: fmt.extension for fmt in DOCUMENT_FORMATS}
_BY_EXTENSION = {ext: name for name, ext in EXTENSIONS.items()}


@dataclass(frozen=True)
class Choice:
    """The representation picked for a request and the resource path it is for."""

    format: MediaFormat
    path: str
    by_extension: bool


def by_name(name: str) -> MediaFormat:
    """A document format by its table name (`HTML`, `Turtle`, ...)."""
    for fmt in DOCUMENT_FORMATS:
        if fmt.name == name:
            return fmt
    raise KeyError(name)


def split_extension(path: str) -> tuple[str, MediaFormat | None]:
    """`/id/programme/X.ttl` -> (`/id/programme/X`, Turtle); a path without a known
    extension is returned unchanged with None."""
    stem, dot, ext = path.rpartition(".")
    if dot and "/" not in ext and ext.lower() in _BY_EXTENSION:
        return stem, by_name(_BY_EXTENSION[ext.lower()])
    return path, None


def from_parameter(value: str) -> MediaFormat | None:
    """A document format named by `format=`: a short name (`ttl`, `html`) or a media type."""
    wanted = value.strip().lower()
    for fmt in DOCUMENT_FORMATS:
        if wanted in fmt.names or wanted == fmt.media_type or wanted == fmt.name.lower():
            return fmt
    for fmt in DOCUMENT_FORMATS:
        if wanted in fmt.aliases:
            return fmt
    return None


def negotiate(accept: str | None) -> MediaFormat | None:
    """Best document format for an Accept header (RFC 9110 §12.5.1 q-values); None = 406.
    Ties keep table order, so `*/*` gives HTML and `application/json` JSON-LD."""
    ranges = media.parse_accept(accept)
    if not ranges:
        return HTML
    chosen, chosen_q = None, 0.0
    for fmt in DOCUMENT_FORMATS:
        q = media._quality(ranges, fmt)
        if q > chosen_q:
            chosen, chosen_q = fmt, q
    return chosen


def choose(path: str, accept: str | None, format_param: str | None) -> Choice | None:
    """The representation to send for a request of `path`; None when the client accepts none
    of them (or names an unknown `format=`)."""
    stem, by_ext = split_extension(path)
    if format_param:
        fmt = from_parameter(format_param)
        return Choice(fmt, stem, by_ext is not None) if fmt else None
    if by_ext is not None:
        return Choice(by_ext, stem, True)
    fmt = negotiate(accept)
    return Choice(fmt, path, False) if fmt else None


def offered() -> str:
    """Human-readable list of the representations, for 406 messages."""
    return ", ".join(f"{fmt.media_type} (.{EXTENSIONS[fmt.name]})" for fmt in DOCUMENT_FORMATS)


def alternates(path: str, current: MediaFormat, query: str = "") -> str:
    """`Link` header value naming every other representation of the document at `path`."""
    links = [
        f'<{path}.{EXTENSIONS[fmt.name]}{query}>; rel="alternate"; type="{fmt.media_type}"'
        for fmt in DOCUMENT_FORMATS
        if fmt is not current
    ]
    return ", ".join(links)


def headers(path: str, fmt: MediaFormat, query: str = "") -> dict[str, str]:
    """Headers every negotiated answer carries: the representation's own URL
    (`Content-Location`), the other representations (`Link`), and `Vary: Accept`."""
    return {
        "Content-Location": f"{path}.{EXTENSIONS[fmt.name]}{query}",
        "Link": alternates(path, fmt, query),
        "Vary": "Accept",
    }


def compact(expanded: list[dict[str, Any]] | dict[str, Any]) -> dict[str, Any]:
    """Expanded JSON-LD compacted with the project's context, referenced by its IRI."""
    result = jsonld.compact(
        expanded, CONTEXT_IRI, {"documentLoader": ldcontext.local_loader, "base": None}
    )
    return cast(dict[str, Any], result)


def serialize(triples: Iterable[ox.Triple], fmt: MediaFormat, prefixes: dict[str, str]) -> bytes:
    """RDF triples in `fmt` (any RDF format of `DOCUMENT_FORMATS`); JSON-LD is compacted."""
    triples = list(triples)
    if fmt.name == "JSON-LD":
        expanded = ox.serialize(triples, format=ox.RdfFormat.JSON_LD)
        assert expanded is not None
        document = compact(json.loads(expanded))
        return json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")
    rdf_format = fmt.oxigraph
    assert isinstance(rdf_format, ox.RdfFormat), fmt.name
    if rdf_format in (ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML):
        out = ox.serialize(triples, format=rdf_format, prefixes=prefixes)
    else:
        out = ox.serialize(triples, format=rdf_format)
    assert out is not None
    return out
