"""Which column of a survey row each mapped value comes from.

The mapping engine turns a record into triples without saying which cell fed which triple. To
name the column of every value a wave states, each non-empty cell is replaced in turn by a
marker and the record mapped again: the triples whose object now carries the marker (a literal
or an IRI made from the cell) are the ones that cell fills. Columns that name the subject (the
programme's identifier) are not the source of a value and are left out. Only the mapping
engine's public `map_record` is used, so the rule follows the mapping files whatever they say.
"""

from __future__ import annotations

from collections.abc import Iterator

import pyoxigraph as ox

from clusterkg.loaders.mapper import Mapping, MappingError, map_record
from clusterkg.loaders.records import Record

MARKER = "zzclusterkgcellzz"  # survives slugging into an IRI, appears in no real cell
_GRAPH = ox.NamedNode("urn:clusterkg:cells")


def _triples(mapping: Mapping, record: Record) -> list[ox.Triple]:
    return [q.triple for q in map_record(mapping, record, _GRAPH)]


def _carries_marker(term: object) -> bool:
    return isinstance(term, ox.NamedNode | ox.Literal) and MARKER in term.value


def cells(mapping: Mapping, record: Record) -> Iterator[tuple[str, ox.Triple]]:
    """(column, triple) for every triple of `record` that one cell's value makes."""
    try:
        original = _triples(mapping, record)
    except MappingError:
        return
    for column in mapping.column_names:
        value = record.get(column)
        if value is None:
            continue
        probe = Record(record.kind, {**record.values, column: MARKER}, record.source, record.graph)
        try:
            probed = _triples(mapping, probe)
        except MappingError:
            continue
        if len(probed) != len(original):
            continue
        for before, after in zip(original, probed, strict=True):
            if _carries_marker(after.subject):
                continue
            if _carries_marker(after.object):
                yield column, before
