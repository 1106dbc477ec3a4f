"""The mapping engine: tidy records -> RDF quads, driven by the YAML files in
`loaders/mappings/` (one per record kind). Document tables and new survey data meet the same
mapping, so they meet the same shapes.

A mapping file declares the record's columns (name, description, whether required, datatype or
vocabulary) and the nodes a record produces: each node has a subject template, its types and
its triples. Templates are prefixed names or IRIs with `{column}` placeholders; `{column|slug}`
slugifies the value. A triple whose cell is empty is not written: an empty cell stays empty.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import yaml

from clusterkg import iris
from clusterkg.loaders.records import Record
from clusterkg.paths import MAPPINGS_DIR

PREFIXES: dict[str, str] = {
    "ckg": iris.ONTOLOGY,
    "id": iris.ID,
    "vocab": iris.VOCAB,
    "country": iris.PO_COUNTRY,
    "currency": iris.PO_CURRENCY,
    "nuts": iris.NUTS,
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "prov": "http://www.w3.org/ns/prov#",
    "org": "http://www.w3.org/ns/org#",
    "time": "http://www.w3.org/2006/time#",
    "schema": "https://schema.org/",
    "dcat": "http://www.w3.org/ns/dcat#",
    "foaf": "http://xmlns.com/foaf/0.1/",
}
RDF_TYPE = ox.NamedNode(PREFIXES["rdf"] + "type")
PLACEHOLDER = re.compile(r"\{([a-z0-9_]+)(\|slug)?\}")


class MappingError(ValueError):
    """A mapping file that does not make sense, or a record that does not fit it."""


def expand(name: str) -> str:
    """`ckg:ClusterProgramme` -> full IRI; a full IRI is returned unchanged."""
    prefix, sep, local = name.partition(":")
    if sep and prefix in PREFIXES and not local.startswith("//"):
        return PREFIXES[prefix] + local
    return name


@dataclass(frozen=True)
class Column:
    name: str
    description: str
    required: bool = False
    datatype: str | None = None
    vocabulary: str | None = None
    example: str | None = None


@dataclass(frozen=True)
class TripleRule:
    predicate: str
    column: str | None = None
    template: str | None = None
    iri: str | None = None
    datatype: str | None = None
    lang: str | None = None
    lang_column: str | None = None  # the language tag comes from this column of the record
    value: str | None = None


@dataclass(frozen=True)
class NodeRule:
    subject: str
    types: tuple[str, ...] = ()
    triples: tuple[TripleRule, ...] = ()
    provenance: bool = True


@dataclass(frozen=True)
class Mapping:
    """One mapping file: the columns of a record kind and the nodes each record becomes."""

    kind: str
    description: str
    columns: tuple[Column, ...]
    nodes: tuple[NodeRule, ...]
    key: tuple[str, ...] = field(default=())

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]


def _fill(template: str, record: Record) -> str | None:
    """Fill `{column}` placeholders; None when a placeholder's cell is empty."""
    missing = False

    def sub(match: re.Match[str]) -> str:
        nonlocal missing
        value = record.get(match.group(1))
        if value is None:
            missing = True
            return ""
        return iris.slug(value) if match.group(2) else value

    filled = PLACEHOLDER.sub(sub, template)
    return None if missing else expand(filled)


def _object(rule: TripleRule, record: Record) -> ox.NamedNode | ox.Literal | None:
    if rule.template is not None:
        filled = _fill(rule.template, record)
        return ox.NamedNode(filled) if filled else None
    if rule.value is not None:
        cell: str | None = rule.value
    else:
        assert rule.column is not None
        cell = record.get(rule.column)
    if cell is None:
        return None
    if rule.iri is not None:
        return ox.NamedNode(expand(rule.iri.replace("{value}", cell)))
    if rule.lang is not None:
        return ox.Literal(cell, language=rule.lang)
    if rule.lang_column is not None and (language := record.get(rule.lang_column)):
        try:
            return ox.Literal(cell, language=language)
        except ValueError as exc:
            raise MappingError(f"{record.source}: column {rule.lang_column!r} reads {language!r}, "
                               f"expected a BCP 47 language tag such as en or de ({exc})") from exc
    if rule.datatype is not None:
        return ox.Literal(cell, datatype=ox.NamedNode(expand(rule.datatype)))
    return ox.Literal(cell)


def map_record(
    mapping: Mapping, record: Record, graph: ox.NamedNode | ox.DefaultGraph
) -> Iterator[ox.Quad]:
    """The quads of one record, each node carrying `prov:wasDerivedFrom` its source excerpt."""
    for column in mapping.columns:
        if column.required and record.get(column.name) is None:
            raise MappingError(f"{record.source}: required column {column.name!r} is empty")
    src = record.source
    excerpt = ox.NamedNode(iris.excerpt_iri(src.document, src.table, src.line_start, src.line_end))
    derived = ox.NamedNode(PREFIXES["prov"] + "wasDerivedFrom")
    for node in mapping.nodes:
        subject_iri = _fill(node.subject, record)
        if subject_iri is None:
            continue
        subject = ox.NamedNode(subject_iri)
        for type_name in node.types:
            yield ox.Quad(subject, RDF_TYPE, ox.NamedNode(expand(type_name)), graph)
        for rule in node.triples:
            obj = _object(rule, record)
            if obj is not None:
                yield ox.Quad(subject, ox.NamedNode(expand(rule.predicate)), obj, graph)
        if node.provenance:
            yield ox.Quad(subject, derived, excerpt, graph)


def _parse(path: Path) -> Mapping:
    doc: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    try:
        columns = tuple(Column(**c) for c in doc["columns"])
        names = {c.name for c in columns}
        nodes = []
        for n in doc["nodes"]:
            triples = tuple(TripleRule(**t) for t in n.get("triples", ()))
            for t in triples:
                used = [t.column] if t.column else PLACEHOLDER.findall(t.template or "")
                used += [t.lang_column] if t.lang_column else []
                for col in used:
                    col_name = col if isinstance(col, str) else col[0]
                    if col_name not in names:
                        raise MappingError(f"{path.name}: triple uses unknown column {col_name!r}")
            nodes.append(
                NodeRule(
                    subject=n["subject"],
                    types=tuple(n.get("types", ())),
                    triples=triples,
                    provenance=n.get("provenance", True),
                )
            )
        return Mapping(
            kind=doc["kind"],
            description=doc["description"],
            columns=columns,
            nodes=tuple(nodes),
            key=tuple(doc.get("key", ())),
        )
    except (KeyError, TypeError) as exc:
        raise MappingError(f"{path}: malformed mapping file ({exc})") from exc


@cache
def mappings(directory: Path = MAPPINGS_DIR) -> dict[str, Mapping]:
    """All mapping files of a folder, by record kind."""
    found = {}
    for path in sorted(directory.glob("*.yaml")):
        mapping = _parse(path)
        found[mapping.kind] = mapping
    return found


def map_records(records: Iterable[Record]) -> Iterator[ox.Quad]:
    """Map records of any kinds; each goes into `record.graph`, by default the named graph of
    its source table."""
    table = mappings()
    for record in records:
        if record.kind not in table:
            raise MappingError(f"{record.source}: no mapping for record kind {record.kind!r}")
        src = record.source
        graph = record.graph or iris.source_graph_iri(src.document, src.table)
        yield from map_record(table[record.kind], record, ox.NamedNode(graph))
