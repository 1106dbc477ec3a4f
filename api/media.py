"""Media types the service speaks, and content negotiation over them.

Two tables: result formats for SELECT/ASK, and RDF formats for CONSTRUCT/DESCRIBE, the service
description, linked-data IRIs and the JSON-LD API, plus HTML for the routes that have pages.
Each entry names the spec section that registers its media type. A route offers the formats of
`document_formats(default, html)`, the same entries with its own default first: the first entry
is what a client accepting anything gets (Turtle for SPARQL graphs, HTML for IRIs, JSON-LD for
`/api`). A `format` (or Fuseki's `output`) query parameter overrides the Accept header, by short
name or media type; the first short name of an entry is also its file extension.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from typing import TypeVar

import pyoxigraph as ox

from clusterkg import iris

FORMATS_NS = iris.FORMATS


class ResultKind(StrEnum):
    """What a query form returns: solutions/boolean, or a graph."""

    SOLUTIONS = "solutions"
    GRAPH = "graph"


F = TypeVar("F", ox.RdfFormat, ox.QueryResultsFormat)


def _oxigraph_as(kind: type[F], name: str) -> F:
    fmt = _OXIGRAPH[name]
    if not isinstance(fmt, kind):
        raise ValueError(f"{name} is not a {kind.__name__}")
    return fmt


@dataclass(frozen=True)
class MediaFormat:
    """One serialisation: its canonical media type, aliases and `format=` names."""

    name: str
    media_type: str
    names: tuple[str, ...]
    aliases: tuple[str, ...] = ()
    text: bool = False

    @property
    def content_type(self) -> str:
        """Header value; text types state their charset (all formats here are UTF-8)."""
        return f"{self.media_type}; charset=utf-8" if self.text else self.media_type

    @property
    def extension(self) -> str:
        """Its first short name: the `format=` value and the file extension of its URL."""
        return self.names[0]

    @property
    def iri(self) -> str:
        """The W3C format IRI (https://www.w3.org/ns/formats/) used in service descriptions."""
        return FORMATS_NS + self.name

    @property
    def oxigraph(self) -> ox.QueryResultsFormat | ox.RdfFormat:
        return _OXIGRAPH[self.name]

    @property
    def rdf(self) -> ox.RdfFormat:
        """pyoxigraph's format for a graph serialisation (typed for its RDF writer)."""
        return _oxigraph_as(ox.RdfFormat, self.name)

    @property
    def results(self) -> ox.QueryResultsFormat:
        """pyoxigraph's format for a SELECT/ASK serialisation."""
        return _oxigraph_as(ox.QueryResultsFormat, self.name)


RESULT_FORMATS: tuple[MediaFormat, ...] = (
    # SPARQL 1.1 Query Results JSON Format, §5 "Internet Media Type, File Extension..."
    MediaFormat("SPARQL_Results_JSON", "application/sparql-results+json", ("json", "srj"),
                ("application/json",)),
    # SPARQL Query Results XML Format (Second Edition), §5 "Internet Media Type..."
    MediaFormat("SPARQL_Results_XML", "application/sparql-results+xml", ("xml", "srx"),
                ("application/xml", "text/xml")),
    # SPARQL 1.1 Query Results CSV and TSV Formats, §5.1 "CSV Internet Media Type"
    MediaFormat("SPARQL_Results_CSV", "text/csv", ("csv",), text=True),
    # SPARQL 1.1 Query Results CSV and TSV Formats, §5.2 "TSV Internet Media Type"
    MediaFormat("SPARQL_Results_TSV", "text/tab-separated-values", ("tsv",), text=True),
)

GRAPH_FORMATS: tuple[MediaFormat, ...] = (
    # RDF 1.1 Turtle, Appendix C "Internet Media Type, File Extension..."
    MediaFormat("Turtle", "text/turtle", ("ttl", "turtle", "n3"),
                ("application/x-turtle", "text/n3"), text=True),
    # RDF 1.1 N-Triples, Appendix C "N-Triples Internet Media Type..."
    MediaFormat("N-Triples", "application/n-triples", ("nt", "ntriples", "n-triples"),
                ("text/plain",), text=True),
    # RDF 1.1 XML Syntax, §5.4 "RDF/XML Internet Media Type..." (RFC 3870)
    MediaFormat("RDF_XML", "application/rdf+xml", ("rdf", "rdfxml", "rdf+xml", "xml", "owl"),
                ("application/xml", "text/xml")),
    # JSON-LD 1.1, Appendix C "IANA Considerations"
    MediaFormat("JSON-LD", "application/ld+json", ("jsonld", "json-ld", "json"),
                ("application/json",)),
)

# HTML 5, §"text/html" registration (IANA): the human-readable page of a resource.
HTML = MediaFormat("HTML", "text/html", ("html", "htm"), ("application/xhtml+xml",), text=True)

_OXIGRAPH: dict[str, ox.QueryResultsFormat | ox.RdfFormat] = {
    "SPARQL_Results_JSON": ox.QueryResultsFormat.JSON,
    "SPARQL_Results_XML": ox.QueryResultsFormat.XML,
    "SPARQL_Results_CSV": ox.QueryResultsFormat.CSV,
    "SPARQL_Results_TSV": ox.QueryResultsFormat.TSV,
    "Turtle": ox.RdfFormat.TURTLE,
    "N-Triples": ox.RdfFormat.N_TRIPLES,
    "RDF_XML": ox.RdfFormat.RDF_XML,
    "JSON-LD": ox.RdfFormat.JSON_LD,
}

TABLES: dict[ResultKind, tuple[MediaFormat, ...]] = {
    ResultKind.SOLUTIONS: RESULT_FORMATS,
    ResultKind.GRAPH: GRAPH_FORMATS,
}


_BY_NAME = {fmt.name: fmt for fmt in (*RESULT_FORMATS, *GRAPH_FORMATS, HTML)}


def by_name(name: str) -> MediaFormat:
    """The format with this table name (names cross process boundaries, formats do not);
    KeyError for another name."""
    return _BY_NAME[name]


def document_formats(default: str, html: bool = False) -> tuple[MediaFormat, ...]:
    """The representations a document route offers: the RDF formats of `GRAPH_FORMATS` (and
    HTML when the route has pages), with the route's `default` first, the rest in table order."""
    table = ((HTML,) if html else ()) + GRAPH_FORMATS
    first = by_name(default)
    if first not in table:
        raise KeyError(f"{default} is not a document format")
    return (first, *(fmt for fmt in table if fmt is not first))


@dataclass(frozen=True)
class MediaRange:
    """One element of an Accept header (RFC 9110 §12.5.1)."""

    type: str
    subtype: str
    q: float

    @property
    def specificity(self) -> int:
        return (self.type != "*") + (self.subtype != "*")

    def matches(self, media_type: str) -> bool:
        main, _, sub = media_type.partition("/")
        return self.type in ("*", main) and self.subtype in ("*", sub)


def parse_accept(header: str | None) -> list[MediaRange]:
    """Media ranges of an Accept header; malformed elements are skipped, q defaults to 1."""
    ranges: list[MediaRange] = []
    for element in (header or "").split(","):
        media, *params = (part.strip() for part in element.split(";"))
        main, slash, sub = media.lower().partition("/")
        if not slash or not main or not sub:
            continue
        q = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = min(max(float(value.strip()), 0.0), 1.0)
                except ValueError:
                    q = 0.0
        ranges.append(MediaRange(main, sub, q))
    return ranges


def _quality(ranges: list[MediaRange], fmt: MediaFormat) -> float:
    """The q the client gives `fmt`: that of its most specific matching range. Aliases
    count only when named exactly (so `text/*` does not pick SPARQL XML for `text/xml`)."""
    best: tuple[int, float] = (-1, 0.0)
    for media_type in (fmt.media_type, *fmt.aliases):
        for rng in ranges:
            exact_enough = media_type == fmt.media_type or rng.specificity == 2
            if exact_enough and rng.matches(media_type):
                candidate = (rng.specificity, rng.q)
                if candidate[0] > best[0] or (candidate[0] == best[0] and candidate[1] > best[1]):
                    best = candidate
    return best[1]


@lru_cache(maxsize=256)  # clients repeat their Accept header on every request
def negotiate(accept: str | None, kind: ResultKind) -> MediaFormat | None:
    """Best format of `kind` for an Accept header; None when nothing is acceptable (406)."""
    table = TABLES[kind]
    ranges = parse_accept(accept)
    if not ranges:
        return table[0]
    chosen, chosen_q = None, 0.0
    for fmt in table:
        q = _quality(ranges, fmt)
        if q > chosen_q:
            chosen, chosen_q = fmt, q
    return chosen


def from_parameter(value: str, kind: ResultKind) -> MediaFormat | None:
    """Format named by a `format=` value: a short name (json, ttl, ...) or a media type."""
    wanted = value.strip().lower()
    for fmt in TABLES[kind]:
        if wanted in fmt.names or wanted == fmt.media_type:
            return fmt
    for fmt in TABLES[kind]:
        if wanted in fmt.aliases:
            return fmt
    return None


def choose(accept: str | None, forced: list[str], kind: ResultKind) -> MediaFormat | None:
    """The format to answer with: the first known `format=` value if any is given (clients
    such as SPARQLWrapper repeat it as name and media type), else Accept negotiation."""
    for value in forced:
        fmt = from_parameter(value, kind)
        if fmt is not None:
            return fmt
    return None if forced else negotiate(accept, kind)


def offered(kind: ResultKind) -> str:
    """Human-readable list for 406 messages."""
    return ", ".join(f"{fmt.media_type} ({fmt.names[0]})" for fmt in TABLES[kind])
