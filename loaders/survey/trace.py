"""Survey records into RDF by the build's mapping engine, traced: which record and column made each
subject and (subject, predicate), so a SHACL result finds its way back to a cell."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace

import pyoxigraph as ox

from clusterkg.loaders.mapper import (
    Mapping,
    NodeRule,
    Observer,
    Term,
    TripleRule,
    map_record,
    named,
)
from clusterkg.loaders.records import Record
from clusterkg.loaders.survey.findings import Finding
from clusterkg.shapes.validation import Problem


@dataclass(frozen=True)
class _Source:
    record: Record
    column: str | None
    obj: str | None


class Trace:
    """Which record and column produced a subject, a (subject, predicate) or an object."""

    def __init__(self) -> None:
        self.by_sp: dict[tuple[str, str], list[_Source]] = defaultdict(list)
        self.by_s: dict[str, list[_Source]] = defaultdict(list)
        self.by_o: dict[str, list[_Source]] = defaultdict(list)

    def observer(self, record: Record) -> Observer:
        """What `map_record` tells about `record`, noted as it maps it."""

        def observe(
            node: NodeRule, subject: ox.NamedNode, rule: TripleRule | None, term: Term | None
        ) -> None:
            if rule is None:
                self.by_s[subject.value].append(
                    _Source(record, None, "typed" if node.types else None)
                )
                return
            columns = rule.columns
            obj = None if term is None else term.value
            source = _Source(record, columns[-1] if columns else None, obj)
            self.by_sp[(subject.value, named(rule.predicate).value)].append(source)
            if obj is not None:
                self.by_o[obj].append(source)

        return observe

    def locate(self, problem: Problem) -> list[_Source]:
        if problem.path:
            found = self.by_sp.get((problem.focus, problem.path), [])
            if problem.value is not None:
                exact = [s for s in found if s.obj == problem.value]
                found = exact or found
            if found:
                return found[:1] if problem.value is None else found
        if problem.focus in self.by_o and problem.focus not in self.by_s:
            return self.by_o[problem.focus]
        subjects = sorted(self.by_s.get(problem.focus, []), key=lambda s: s.obj != "typed")
        return subjects[:1]


def map_survey(
    records: Iterable[Record], mappings: dict[str, Mapping]
) -> tuple[ox.Store, Trace]:
    """The triples of the records (by the build's mapping engine, in the default graph of an
    in-memory pyoxigraph store: no rdflib graph on the way to the shapes) and where each came
    from."""
    store = ox.Store()
    trace = Trace()
    default = ox.DefaultGraph()
    quads: list[ox.Quad] = []
    for record in records:
        quads += map_record(mappings[record.kind], record, default, trace.observer(record))
    store.extend(quads)
    return store, trace


def suppliers(mappings: dict[str, Mapping]) -> dict[str, list[str]]:
    """predicate IRI -> the `kind.column`s that can state it."""
    found: dict[str, list[str]] = defaultdict(list)
    for kind, mapping in sorted(mappings.items()):
        for node in mapping.nodes:
            for rule in node.triples:
                if rule.columns:
                    found[named(rule.predicate).value].append(f"{kind}.{rule.columns[-1]}")
    return found


def shape_findings(
    problems: list[Problem],
    trace: Trace,
    rdf_subjects: dict[str, str],
    mappings: dict[str, Mapping],
) -> Iterator[Finding]:
    supply = suppliers(mappings)
    for problem in problems:
        if problem.value == problem.focus:
            problem = replace(problem, value=None)
        sources = trace.locate(problem)
        if not sources:
            yield Finding(
                problem.severity,
                problem.message,
                rdf_subjects.get(problem.focus, "(data)"),
                value=problem.value,
                focus=problem.focus,
                path=problem.path,
                check="shacl",
            )
            continue
        for source in sources:
            src = source.record.source
            cell = source.record.get(source.column) if source.column else None
            hint = None
            if source.column is None and problem.path in supply:
                hint = "a value in " + " or ".join(supply[problem.path][:3])
            yield Finding(
                problem.severity,
                problem.message,
                src.document,
                src.table,
                src.line_start,
                source.column,
                cell if cell is not None else problem.value,
                hint,
                problem.focus,
                problem.path,
                "shacl",
            )
