"""How clusterkg mints IRIs. IRIs derive from content (country codes, reviewed identifiers,
document names and line ranges), never from row order or counters, so they are stable across
rebuilds."""

from __future__ import annotations

import re
import unicodedata

BASE = "https://w3id.org/clusterkg/"
ONTOLOGY = BASE + "ontology#"
ID = BASE + "id/"
VOCAB = BASE + "vocab/"
GRAPH = BASE + "graph/"
SOURCE = BASE + "source/"

PO_COUNTRY = "http://publications.europa.eu/resource/authority/country/"
PO_CURRENCY = "http://publications.europa.eu/resource/authority/currency/"
NUTS = "http://data.europa.eu/nuts/code/"


def slug(text: str) -> str:
    """ASCII, lower-case, hyphen-separated form of `text` (`Pôles de compétitivité` ->
    `poles-de-competitivite`)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def resource_iri(kind: str, key: str) -> str:
    """IRI of a data resource of `kind` (e.g. `programme`) with a reviewed `key`."""
    return f"{ID}{kind}/{key}"


def graph_iri(name: str) -> str:
    """IRI of a named graph: `ontology`, `inferred`, `provenance`, `002/table-2`, ..."""
    return GRAPH + name


def source_graph_iri(document: str, table: str | None) -> str:
    """The named graph of one table (or the prose) of a document: `graph/002/table-2`."""
    return graph_iri(f"{document.split('_', 1)[0]}/{slug(table) if table else 'text'}")


def document_iri(document: str) -> str:
    """IRI of a bundled source document, from its file name without extension."""
    return SOURCE + document.rsplit(".", 1)[0]


def excerpt_iri(document: str, table: str | None, line_start: int, line_end: int) -> str:
    """IRI of the lines `line_start`..`line_end` of a table (or the prose) of a document."""
    part = slug(table) if table else "text"
    return f"{document_iri(document)}/{part}/L{line_start}-{line_end}"


def country_iri(code: str) -> str:
    """Publications Office country authority IRI for an alpha-3 code (`DEU`)."""
    return PO_COUNTRY + code


def nuts_iri(code: str) -> str:
    """Eurostat NUTS IRI for a code (`DE1`)."""
    return NUTS + code
