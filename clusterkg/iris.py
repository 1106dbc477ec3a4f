"""The one home of namespaces and prefixes, and how clusterkg mints IRIs.

Every module that writes or shortens an IRI takes its namespace from here: the mappings' prefixed
names, the ontology page, the service description, the survey waves. IRIs derive from content
(country codes, reviewed identifiers, document names and line ranges), never from row order or
counters, so they are stable across rebuilds."""

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

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
OWL = "http://www.w3.org/2002/07/owl#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCTERMS = "http://purl.org/dc/terms/"
PROV = "http://www.w3.org/ns/prov#"
ORG = "http://www.w3.org/ns/org#"
TIME = "http://www.w3.org/2006/time#"
SCHEMA = "https://schema.org/"
DCAT = "http://www.w3.org/ns/dcat#"
FOAF = "http://xmlns.com/foaf/0.1/"
VOID = "http://rdfs.org/ns/void#"
SD = "http://www.w3.org/ns/sparql-service-description#"
FORMATS = "http://www.w3.org/ns/formats/"

# Prefix -> namespace, for the mappings' prefixed names and for shortening IRIs on pages and in
# serialisations. Order matters only for shortening: the first namespace that fits wins.
PREFIXES: dict[str, str] = {
    "ckg": ONTOLOGY,
    "id": ID,
    "vocab": VOCAB,
    "country": PO_COUNTRY,
    "currency": PO_CURRENCY,
    "nuts": NUTS,
    "rdf": RDF,
    "rdfs": RDFS,
    "xsd": XSD,
    "owl": OWL,
    "skos": SKOS,
    "dcterms": DCTERMS,
    "prov": PROV,
    "org": ORG,
    "time": TIME,
    "schema": SCHEMA,
    "dcat": DCAT,
    "foaf": FOAF,
    "void": VOID,
    "sd": SD,
    "formats": FORMATS,
}


def expand(name: str) -> str:
    """`ckg:ClusterProgramme` -> full IRI; a full IRI is returned unchanged."""
    prefix, sep, local = name.partition(":")
    if sep and prefix in PREFIXES and not local.startswith("//"):
        return PREFIXES[prefix] + local
    return name


def shorten(iri: str, prefixes: tuple[str, ...] = tuple(PREFIXES)) -> str:
    """`https://w3id.org/clusterkg/ontology#Cluster` -> `ckg:Cluster`, with the first of
    `prefixes` whose namespace fits; other IRIs unchanged."""
    for prefix in prefixes:
        namespace = PREFIXES[prefix]
        if iri.startswith(namespace):
            return f"{prefix}:{iri[len(namespace):]}"
    return iri


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
