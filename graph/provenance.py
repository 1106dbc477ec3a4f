"""Provenance, written by this one module for the build and for survey waves alike: source
documents and survey files with checksums, the excerpts (document, table or sheet, lines or row,
and for a survey value its column) that data resources are derived from, and the activity (the
build, a wave's load) that used them."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox
import yaml

from clusterkg import __version__, iris
from clusterkg.iris import expand
from clusterkg.paths import DATA_DIR

PROV_GRAPH = ox.NamedNode(iris.graph_iri("provenance"))
EXCERPT = re.compile(r"^(?P<doc>.+)/(?P<part>[^/]+)/L(?P<start>\d+)-(?P<end>\d+)$")


def _n(name: str) -> ox.NamedNode:
    return ox.NamedNode(expand(name))


def sha256(path: Path) -> str:
    """Hexadecimal SHA-256 of a file."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _described() -> list[dict[str, str]]:
    """`data/documents.yaml`: file, key, title and description of each bundled document."""
    described: list[dict[str, str]] = yaml.safe_load(
        (DATA_DIR / "documents.yaml").read_text(encoding="utf-8")
    )
    return described


def document_titles() -> dict[str, str]:
    """Document IRI -> its title, as `data/documents.yaml` gives it."""
    return {iris.document_iri(entry["file"]): entry["title"] for entry in _described()}


def excerpt_label(title: str, table: str | None, lines: tuple[int, int]) -> str:
    """How a reader names an excerpt: the document by its title, the table (or "text" for the
    prose) and the lines, e.g. `Cluster programmes in Europe and beyond, Table 8, line 2398`."""
    start, end = lines
    where = f"line {start}" if start == end else f"lines {start}-{end}"
    return f"{title}, {table or 'text'}, {where}"


def document_quads(sources_dir: Path) -> Iterable[ox.Quad]:
    """One `ckg:SourceDocument` per bundled document, with title, file name and checksum."""
    for entry in _described():
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


def describe_excerpt(
    excerpt: ox.NamedNode,
    document: ox.NamedNode,
    label: str,
    lines: tuple[int, int],
    table: str | None,
    graph: ox.NamedNode,
    column: str | None = None,
) -> list[ox.Quad]:
    """A `ckg:SourceExcerpt`: its document, lines (a survey file's row), table (sheet) and, for
    one survey cell, its column. `label` is English text written by the caller (`rdfs:label`
    tagged `@en`)."""
    xsd_int = _n("xsd:integer")
    quads = [
        ox.Quad(excerpt, _n("rdf:type"), _n("ckg:SourceExcerpt"), graph),
        ox.Quad(excerpt, _n("rdfs:label"), ox.Literal(label, language="en"), graph),
        ox.Quad(excerpt, _n("ckg:sourceDocument"), document, graph),
        ox.Quad(excerpt, _n("ckg:lineStart"), ox.Literal(str(lines[0]), datatype=xsd_int), graph),
        ox.Quad(excerpt, _n("ckg:lineEnd"), ox.Literal(str(lines[1]), datatype=xsd_int), graph),
    ]
    if column is None:
        quads.append(ox.Quad(excerpt, _n("prov:wasDerivedFrom"), document, graph))
    else:
        quads.append(ox.Quad(excerpt, _n("ckg:sourceColumn"), ox.Literal(column), graph))
    if table:
        quads.append(ox.Quad(excerpt, _n("ckg:sourceTable"), ox.Literal(table), graph))
    return quads


def describe_cell(
    cell: ox.NamedNode,
    row: ox.NamedNode,
    triple: ox.Triple,
    column: str,
    graph: ox.NamedNode,
) -> list[ox.Quad]:
    """One value's own provenance: the statement `triple` (as an `rdf:Statement`) was read from
    the cell `column` of the survey row `row`; the cell is an excerpt derived from the row."""
    return [
        ox.Quad(cell, _n("rdf:type"), _n("rdf:Statement"), graph),
        ox.Quad(cell, _n("rdf:subject"), triple.subject, graph),
        ox.Quad(cell, _n("rdf:predicate"), triple.predicate, graph),
        ox.Quad(cell, _n("rdf:object"), triple.object, graph),
        ox.Quad(cell, _n("prov:wasDerivedFrom"), row, graph),
    ]


ANSWER_PROPERTIES = {
    "respondent": "dcterms:creator",
    "answered_on": "dcterms:date",
    "answer_source": "dcterms:source",
}


def describe_answer(
    row: ox.NamedNode, values: Mapping[str, str | None], graph: ox.NamedNode
) -> list[ox.Quad]:
    """What a respondent or survey office said about a survey row: who answered
    (`dcterms:creator`), when (`dcterms:date`, an `xsd:date`) and from what (`dcterms:source`)."""
    quads = []
    for column, prop in ANSWER_PROPERTIES.items():
        value = values.get(column)
        if not value:
            continue
        literal = (
            ox.Literal(value, datatype=_n("xsd:date"))
            if column == "answered_on"
            else ox.Literal(value)
        )
        quads.append(ox.Quad(row, _n(prop), literal, graph))
    return quads


def describe_file(
    doc: ox.NamedNode, file_name: str, sha: str, graph: ox.NamedNode
) -> list[ox.Quad]:
    """A `ckg:SourceDocument` that is a file: its name and SHA-256."""
    return [
        ox.Quad(doc, _n("rdf:type"), _n("ckg:SourceDocument"), graph),
        ox.Quad(doc, _n("ckg:fileName"), ox.Literal(file_name), graph),
        ox.Quad(doc, _n("ckg:sha256"), ox.Literal(sha), graph),
    ]


def excerpt_quads(
    excerpt_iris: Iterable[str], table_of: dict[str, str | None]
) -> Iterable[ox.Quad]:
    """Describe every excerpt IRI that data resources point to with `prov:wasDerivedFrom`,
    labelled by its document's title, table and lines."""
    titles = document_titles()
    for value in sorted(set(excerpt_iris)):
        match = EXCERPT.match(value)
        if not match:
            continue
        start, end = int(match["start"]), int(match["end"])
        table = table_of.get(value)
        label = excerpt_label(titles[match["doc"]], table, (start, end))
        yield from describe_excerpt(
            ox.NamedNode(value), ox.NamedNode(match["doc"]), label, (start, end), table, PROV_GRAPH
        )


def wave_activity_quads(
    wave: ox.NamedNode,
    name: str,
    files: dict[str, tuple[ox.NamedNode, str]],
    started: datetime,
    graph: ox.NamedNode,
) -> list[ox.Quad]:
    """A wave's load as a `ckg:SurveyWave` activity that used its files (name -> IRI, SHA-256)."""
    stamp = started.astimezone(UTC).isoformat(timespec="seconds")
    quads = [
        ox.Quad(wave, _n("rdf:type"), _n("ckg:SurveyWave"), graph),
        ox.Quad(wave, _n("rdfs:label"), ox.Literal(f"survey wave {name}", language="en"), graph),
        ox.Quad(
            wave, _n("prov:startedAtTime"), ox.Literal(stamp, datatype=_n("xsd:dateTime")), graph
        ),
    ]
    for file_name, (doc, sha) in files.items():
        quads.append(ox.Quad(wave, _n("prov:used"), doc, graph))
        quads += describe_file(doc, file_name, sha, graph)
    return quads


def activity_quads(documents: Iterable[str], started: datetime) -> Iterable[ox.Quad]:
    """The build as a `prov:Activity` that used the documents, run by this software version."""
    activity = ox.NamedNode(iris.BASE + "build")
    agent = ox.NamedNode(iris.BASE + "software/clusterkg/" + __version__)
    yield ox.Quad(activity, _n("rdf:type"), _n("prov:Activity"), PROV_GRAPH)
    yield ox.Quad(activity, _n("prov:wasAssociatedWith"), agent, PROV_GRAPH)
    yield ox.Quad(agent, _n("rdf:type"), _n("prov:SoftwareAgent"), PROV_GRAPH)
    yield ox.Quad(
        agent,
        _n("rdfs:label"),
        ox.Literal(f"clusterkg software, version {__version__}", language="en"),
        PROV_GRAPH,
    )
    stamp = started.astimezone(UTC).isoformat(timespec="seconds")
    yield ox.Quad(
        activity,
        _n("prov:startedAtTime"),
        ox.Literal(stamp, datatype=_n("xsd:dateTime")),
        PROV_GRAPH,
    )
    for doc in sorted(set(documents)):
        yield ox.Quad(activity, _n("prov:used"), ox.NamedNode(iris.document_iri(doc)), PROV_GRAPH)
