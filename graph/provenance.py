"""The provenance graph: source documents with checksums, the excerpts (document, table, lines)
that data resources are derived from, and the build activity that used them."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox
import yaml

from clusterkg import __version__, iris
from clusterkg.loaders.mapper import expand
from clusterkg.paths import DATA_DIR

PROV_GRAPH = ox.NamedNode(iris.graph_iri("provenance"))
EXCERPT = re.compile(r"^(?P<doc>.+)/(?P<part>[^/]+)/L(?P<start>\d+)-(?P<end>\d+)$")


def _n(name: str) -> ox.NamedNode:
    return ox.NamedNode(expand(name))


def sha256(path: Path) -> str:
    """Hexadecimal SHA-256 of a file."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def document_quads(sources_dir: Path) -> Iterable[ox.Quad]:
    """One `ckg:SourceDocument` per bundled document, with title, file name and checksum."""
    described = yaml.safe_load((DATA_DIR / "documents.yaml").read_text(encoding="utf-8"))
    for entry in described:
        path = sources_dir / entry["file"]
        doc = ox.NamedNode(iris.document_iri(entry["file"]))
        yield ox.Quad(doc, _n("rdf:type"), _n("ckg:SourceDocument"), PROV_GRAPH)
        yield ox.Quad(
            doc, _n("dcterms:title"), ox.Literal(entry["title"], language="en"), PROV_GRAPH
        )
        yield ox.Quad(
            doc,
            _n("dcterms:description"),
            ox.Literal(entry["description"], language="en"),
            PROV_GRAPH,
        )
        yield ox.Quad(doc, _n("ckg:fileName"), ox.Literal(entry["file"]), PROV_GRAPH)
        if path.exists():
            yield ox.Quad(doc, _n("ckg:sha256"), ox.Literal(sha256(path)), PROV_GRAPH)


def excerpt_quads(
    excerpt_iris: Iterable[str], table_of: dict[str, str | None]
) -> Iterable[ox.Quad]:
    """Describe every excerpt IRI that data resources point to with `prov:wasDerivedFrom`."""
    for value in sorted(set(excerpt_iris)):
        match = EXCERPT.match(value)
        if not match:
            continue
        excerpt = ox.NamedNode(value)
        doc = ox.NamedNode(match["doc"])
        start, end = int(match["start"]), int(match["end"])
        table = table_of.get(value)
        label = f"{match['doc'].rsplit('/', 1)[-1]}, {table or 'text'}, lines {start}-{end}"
        yield ox.Quad(excerpt, _n("rdf:type"), _n("ckg:SourceExcerpt"), PROV_GRAPH)
        yield ox.Quad(excerpt, _n("rdfs:label"), ox.Literal(label), PROV_GRAPH)
        yield ox.Quad(excerpt, _n("ckg:sourceDocument"), doc, PROV_GRAPH)
        yield ox.Quad(excerpt, _n("prov:wasDerivedFrom"), doc, PROV_GRAPH)
        xsd_int = _n("xsd:integer")
        yield ox.Quad(
            excerpt, _n("ckg:lineStart"), ox.Literal(str(start), datatype=xsd_int), PROV_GRAPH
        )
        yield ox.Quad(
            excerpt, _n("ckg:lineEnd"), ox.Literal(str(end), datatype=xsd_int), PROV_GRAPH
        )
        if table:
            yield ox.Quad(excerpt, _n("ckg:sourceTable"), ox.Literal(table), PROV_GRAPH)


def activity_quads(documents: Iterable[str], started: datetime) -> Iterable[ox.Quad]:
    """The build as a `prov:Activity` that used the documents, run by this software version."""
    activity = ox.NamedNode(iris.BASE + "build")
    agent = ox.NamedNode(iris.BASE + "software/clusterkg/" + __version__)
    yield ox.Quad(activity, _n("rdf:type"), _n("prov:Activity"), PROV_GRAPH)
    yield ox.Quad(activity, _n("prov:wasAssociatedWith"), agent, PROV_GRAPH)
    yield ox.Quad(agent, _n("rdf:type"), _n("prov:SoftwareAgent"), PROV_GRAPH)
    yield ox.Quad(agent, _n("rdfs:label"), ox.Literal(f"clusterkg {__version__}"), PROV_GRAPH)
    stamp = started.astimezone(UTC).isoformat(timespec="seconds")
    yield ox.Quad(
        activity,
        _n("prov:startedAtTime"),
        ox.Literal(stamp, datatype=_n("xsd:dateTime")),
        PROV_GRAPH,
    )
    for doc in sorted(set(documents)):
        yield ox.Quad(activity, _n("prov:used"), ox.NamedNode(iris.document_iri(doc)), PROV_GRAPH)
