"""The mapping engine: tidy records -> RDF quads, driven by the YAML files in
`loaders/mappings/` (one per record kind). Document tables and new survey data meet the same
mapping, so they meet the same shapes.

A mapping file declares the record's columns (name, description, whether required, datatype or
vocabulary) and the nodes a record produces: each node has a subject template, its types and
its triples. Templates are prefixed names or IRIs with `{column}` placeholders; `{column|slug}`
slugifies the value. A triple whose cell is empty is not written: an empty cell stays empty.
A node or triple may carry a condition (`when: {present: [..], absent: [..], any: [..]}`).

This is the one interpreter of the mapping language: the build (`map_records`), the survey's
validation and cell tracing (`subjects`, `objects`) and its template (`placeholders`) all read
the same typed `Mapping` objects.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import yaml

from clusterkg import iris
from clusterkg.iris import expand
from clusterkg.loaders.records import Record
from clusterkg.paths import MAPPINGS_DIR

RDF_TYPE = ox.NamedNode(iris.RDF + "type")
PLACEHOLDER = re.compile(r"\{([a-z0-9_]+)(\|slug)?\}")
CONDITIONS = ("present", "absent", "any")

Term = ox.NamedNode | ox.Literal


class MappingError(ValueError):
    """A mapping file that does not make sense, or a record that does not fit it."""


def placeholders(template: str) -> list[tuple[str, bool]]:
    """The columns a template reads, in order, each with whether it is slugified."""
    return [(name, bool(slug)) for name, slug in PLACEHOLDER.findall(template)]


@dataclass(frozen=True)
class Condition:
    """`when:` of a node or triple: it applies only when every column of `present` has a value,
    every column of `absent` is empty and, if `any` is given, one of its columns has a value.
    Conditions say so in the mapping instead of smuggling a switch word through a data column."""

    present: tuple[str, ...] = ()
    absent: tuple[str, ...] = ()
    any: tuple[str, ...] = ()

    @property
    def columns(self) -> tuple[str, ...]:
        return self.present + self.absent + self.any

    def holds(self, record: Record) -> bool:
        return (
            all(record.get(c) is not None for c in self.present)
            and all(record.get(c) is None for c in self.absent)
            and (not self.any or any(record.get(c) is not None for c in self.any))
        )


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
    when: Condition | None = None

    @property
    def columns(self) -> list[str]:
        """The columns whose cells make the object (the column, or the template's)."""
        if self.column:
            return [self.column]
        return [name for name, _ in placeholders(self.template or "")]


@dataclass(frozen=True)
class NodeRule:
    subject: str
    types: tuple[str, ...] = ()
    triples: tuple[TripleRule, ...] = ()
    provenance: bool = True
    when: Condition | None = None


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


def fill(template: str, record: Record) -> str | None:
    """Fill `{column}` placeholders and expand the prefix; None when a placeholder's cell is
    empty."""
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


def object_of(rule: TripleRule, record: Record) -> Term | None:
    """The object a triple rule gives for a record; None when its cell is empty."""
    if rule.template is not None:
        filled = fill(rule.template, record)
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


def subjects(mapping: Mapping, record: Record) -> Iterator[tuple[NodeRule, ox.NamedNode]]:
    """The nodes a record makes: those whose condition holds and whose subject template fills."""
    for node in mapping.nodes:
        if node.when is not None and not node.when.holds(record):
            continue
        subject = fill(node.subject, record)
        if subject is not None:
            yield node, ox.NamedNode(subject)


def objects(node: NodeRule, record: Record) -> Iterator[tuple[TripleRule, Term | None]]:
    """Each triple rule of a node whose condition holds, with its object (None: cell empty)."""
    for rule in node.triples:
        if rule.when is None or rule.when.holds(record):
            yield rule, object_of(rule, record)


Observer = Callable[[NodeRule, ox.NamedNode, TripleRule | None, Term | None], None]


@cache
def named(name: str) -> ox.NamedNode:
    """A mapping file's predicate or type (a prefixed name or IRI) as a node, expanded once."""
    return ox.NamedNode(expand(name))


def map_record(
    mapping: Mapping,
    record: Record,
    graph: ox.NamedNode | ox.DefaultGraph,
    observe: Observer | None = None,
) -> Iterator[ox.Quad]:
    """The quads of one record, each node carrying `prov:wasDerivedFrom` its source excerpt.

    `observe`, if given, is told each node the record makes (with no rule) and each of its
    triple rules with the object it gives (None: the cell is empty), as the quads are made:
    the survey's cell tracing (`loaders/survey/trace.py`) rides on the same pass."""
    for column in mapping.columns:
        if column.required and record.get(column.name) is None:
            raise MappingError(f"{record.source}: required column {column.name!r} is empty")
    src = record.source
    excerpt = ox.NamedNode(iris.excerpt_iri(src.document, src.table, src.line_start, src.line_end))
    derived = named(iris.PROV + "wasDerivedFrom")
    for node, subject in subjects(mapping, record):
        if observe is not None:
            observe(node, subject, None, None)
        for type_name in node.types:
            yield ox.Quad(subject, RDF_TYPE, named(type_name), graph)
        for rule, obj in objects(node, record):
            if observe is not None:
                observe(node, subject, rule, obj)
            if obj is not None:
                yield ox.Quad(subject, named(rule.predicate), obj, graph)
        if node.provenance:
            yield ox.Quad(subject, derived, excerpt, graph)


def _condition(raw: Any, names: set[str], where: str) -> Condition | None:
    if raw is None:
        return None
    if not isinstance(raw, dict) or not raw or set(raw) - set(CONDITIONS):
        raise MappingError(f"{where}: `when` takes {', '.join(CONDITIONS)} (lists of columns)")
    condition = Condition(**{k: tuple(v) for k, v in raw.items()})
    unknown = [c for c in condition.columns if c not in names]
    if unknown:
        raise MappingError(f"{where}: `when` uses unknown columns {unknown}")
    return condition


def _triple(raw: dict[str, Any], names: set[str], where: str) -> TripleRule:
    when = _condition(raw.get("when"), names, where)
    rule = TripleRule(**{**raw, "when": when})
    for col in [*rule.columns, *([rule.lang_column] if rule.lang_column else [])]:
        if col not in names:
            raise MappingError(f"{where}: triple uses unknown column {col!r}")
    return rule


def _node(raw: dict[str, Any], names: set[str], where: str) -> NodeRule:
    return NodeRule(
        subject=raw["subject"],
        types=tuple(raw.get("types", ())),
        triples=tuple(_triple(t, names, where) for t in raw.get("triples", ())),
        provenance=raw.get("provenance", True),
        when=_condition(raw.get("when"), names, where),
    )


def parse_mapping(path: Path) -> Mapping:
    """One mapping file as typed objects; unknown columns and malformed entries are errors
    naming the file."""
    doc: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    try:
        columns = tuple(Column(**c) for c in doc["columns"])
        names = {c.name for c in columns}
        return Mapping(
            kind=doc["kind"],
            description=doc["description"],
            columns=columns,
            nodes=tuple(_node(n, names, path.name) for n in doc["nodes"]),
            key=tuple(doc.get("key", ())),
        )
    except (KeyError, TypeError) as exc:
        raise MappingError(f"{path}: malformed mapping file ({exc})") from exc


@cache
def mappings(directory: Path = MAPPINGS_DIR) -> dict[str, Mapping]:
    """All mapping files of a folder, by record kind (read once)."""
    found = {}
    for path in sorted(directory.glob("*.yaml")):
        mapping = parse_mapping(path)
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
