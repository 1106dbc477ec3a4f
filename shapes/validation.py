"""The SHACL gate: validate a dataset against the shapes in `shapes/` with pyshacl-turbo.

The data graph is the union of the data, the ontology and the vocabularies, so that
`sh:targetClass` follows `rdfs:subClassOf` and `sh:class` sees the concepts' classes
(`with_context` and `validate_with_context` add the last two to survey data). Shapes are split
by concern and severity: `core.ttl` (violations), `vocabularies.ttl` (closed lists,
violations), `recommended.ttl` (warnings). `check_shapes` validates the shapes themselves
against SHACL-SHACL.

Speed: the engine is pyshacl-turbo (a Rust SHACL engine with pySHACL's API), about twice as
fast as pySHACL on an rdflib graph and three to four times on a pyoxigraph store
(`bench/results/validation.md`), without pySHACL's need for a process-wide cache of rdflib's
SPARQL parser; `tests/shapes/test_shapes.py` holds it to pySHACL's report on every example of
the shape suite and on a synthetic survey. No inference,
nothing written back to the data (`inplace=False`: the engine reads its own copy either way,
and writing back its additions, of which there are none, cost a third of the time), and
comparisons between two values are SPARQL-based targets that run once per graph, not once per
focus node. pySHACL itself remains for checking the shapes against SHACL-SHACL.

A graph that is already in pyoxigraph (the build's) is validated by `validate_store`, survey
data mapped into pyoxigraph by `validate_with_context`: no rdflib graph on either path. The
engine reads the triples as N-Triples dumped by pyoxigraph, the shapes are compiled once per
process, the ontology and vocabularies are parsed once per process, and the engine's report
(N-Triples) is read by pyoxigraph, not decoded into an rdflib graph: on a 100k-triple survey
with 3,846 warnings that decoding took longer than the validation itself (cProfile of
pyshacl-turbo's `validate`: 5.0 s of 7.9 s).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import cast

import pyoxigraph as ox
import pyshacl_turbo
import rdflib
from pyshacl.entrypoints import meta_validate
from rdflib.namespace import SH

from clusterkg.paths import ONTOLOGY_FILE, SHAPES_DIR, VOCABULARIES_DIR

SEVERITIES = ("Violation", "Warning", "Info")
RDF_TYPE = str(rdflib.RDF.type)
SH_RESULT = str(SH.ValidationResult)


@dataclass(frozen=True)
class Problem:
    """One validation result a person can act on."""

    severity: str
    focus: str
    path: str | None
    value: str | None
    message: str
    shape: str
    component: str | None = None

    def __str__(self) -> str:
        where = f" {self.path}" if self.path else ""
        value = f" (value {self.value})" if self.value is not None else ""
        return f"[{self.severity}] {self.focus}{where}{value}: {self.message}"


@dataclass(frozen=True)
class ValidationOutcome:
    """The verdict, the results a person can act on, and the SHACL report they came from: an
    rdflib graph, or the engine's N-Triples (read into a graph only when asked for)."""

    conforms: bool
    problems: list[Problem]
    raw_report: rdflib.Graph | str

    @property
    def report(self) -> rdflib.Graph:
        if isinstance(self.raw_report, rdflib.Graph):
            return self.raw_report
        return rdflib.Graph().parse(data=self.raw_report, format="nt")

    @property
    def violations(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "Violation"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity != "Violation"]


class ShapesError(ValueError):
    """Shapes that do not validate against SHACL-SHACL."""


def load_shapes(directory: Path = SHAPES_DIR) -> rdflib.Graph:
    """All shapes files of a folder as one graph."""
    shapes = rdflib.Graph()
    for path in sorted(directory.rglob("*.ttl")):
        shapes.parse(path, format="turtle")
    return shapes


@cache
def _default_shapes() -> rdflib.Graph:
    return load_shapes()


# Shapes that check the bundled vocabularies themselves (every concept in a scheme, every
# country in the Publications Office table). The build runs them; survey validation, whose
# context is those same vocabularies, can skip them (`vocabularies_checked=True`).
VOCABULARY_SHAPES = (
    "https://w3id.org/clusterkg/shapes/vocabularies#ConceptShape",
    "https://w3id.org/clusterkg/shapes/vocabularies#CountryShape",
    "https://w3id.org/clusterkg/shapes/core#CountryShape",
)


@cache
def _data_shapes() -> rdflib.Graph:
    shapes = rdflib.Graph()
    shapes += _default_shapes()
    for name in VOCABULARY_SHAPES:
        shapes.remove((rdflib.URIRef(name), SH.targetClass, None))
    return shapes


@cache
def _context() -> tuple[tuple[rdflib.term.Node, rdflib.term.Node, rdflib.term.Node], ...]:
    graph = rdflib.Graph()
    graph.parse(ONTOLOGY_FILE, format="turtle")
    for path in sorted(VOCABULARIES_DIR.glob("*.ttl")):
        graph.parse(path, format="turtle")
    return tuple(graph)


@cache
def _context_store() -> ox.Store:
    """The ontology and the vocabularies in pyoxigraph (default graph), parsed once per process."""
    store = ox.Store()
    for path in [ONTOLOGY_FILE, *sorted(VOCABULARIES_DIR.glob("*.ttl"))]:
        store.load(path=str(path), format=ox.RdfFormat.TURTLE, to_graph=ox.DefaultGraph())
    return store


def ox_quads(graph: rdflib.Graph) -> Iterator[ox.Quad]:
    """The triples of an rdflib graph as pyoxigraph quads in the default graph: rdflib writes
    them as N-Triples and pyoxigraph reads them (blank nodes keep their labels)."""
    return ox.parse(graph.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES)


def with_context(data: rdflib.Graph, extra: rdflib.Graph | None = None) -> rdflib.Graph:
    """A new graph: `data` plus the ontology and the vocabularies (parsed once per process),
    plus `extra` (e.g. a test's vocabulary)."""
    union = rdflib.Graph()
    union += data
    union.addN((s, p, o, union) for s, p, o in _context())
    if extra is not None:
        union += extra
    return union


def check_shapes(shapes: rdflib.Graph | None = None) -> list[str]:
    """Results of validating the shapes against SHACL-SHACL; empty when they are well formed."""
    graph = shapes if shapes is not None else _default_shapes()
    conforms, report, _ = meta_validate(graph, inference="none")
    if conforms:
        return []
    assert isinstance(report, rdflib.Graph)
    return sorted(
        f"{report.value(r, SH.focusNode)} {report.value(r, SH.resultPath)}: "
        f"{report.value(r, SH.resultMessage)}"
        for r in report.subjects(rdflib.RDF.type, SH.ValidationResult)
    )


@contextmanager
def _quiet_literals() -> Iterator[None]:
    """rdflib logs every ill-formed literal it cannot convert; the report already names them."""
    logger = logging.getLogger("rdflib.term")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def _name(node: rdflib.term.Node | str | None) -> str | None:
    return str(node).rsplit("#", 1)[-1] if node is not None else None


def problems_of(report: rdflib.Graph) -> list[Problem]:
    """The results of a pySHACL report graph, sorted violations first."""
    problems = []
    for result in report.subjects(rdflib.RDF.type, SH.ValidationResult):
        path = report.value(result, SH.resultPath)
        value = report.value(result, SH.value)
        problems.append(
            Problem(
                severity=_name(report.value(result, SH.resultSeverity)) or "Violation",
                focus=str(report.value(result, SH.focusNode)),
                path=str(path) if isinstance(path, rdflib.URIRef) else None,
                value=str(value) if value is not None else None,
                message=str(report.value(result, SH.resultMessage) or ""),
                shape=str(report.value(result, SH.sourceShape)),
                component=_name(report.value(result, SH.sourceConstraintComponent)),
            )
        )
    return _sorted(problems)


def validate(
    data: rdflib.Graph, shapes: rdflib.Graph | None = None, *, vocabularies_checked: bool = False
) -> ValidationOutcome:
    """Validate `data` (already including ontology and vocabularies) against the shapes.

    `data` is read, never modified; the shapes default to `shapes/` (parsed once).
    With `vocabularies_checked` the shapes that check the bundled vocabularies are skipped."""
    return _validate(data, shapes, vocabularies_checked)


def validate_store(
    store: ox.Store, shapes: rdflib.Graph | None = None, *, vocabularies_checked: bool = False
) -> ValidationOutcome:
    """Validate the union of the graphs of `store` (already including ontology and
    vocabularies) against the shapes, as `validate` would validate the same triples in rdflib
    (`tests/shapes/test_shapes.py` holds the two to one report); `store` is not modified."""
    union = ox.Store()  # the union as a set: a triple stated in two graphs is one triple
    union.extend(ox.Quad(q.subject, q.predicate, q.object) for q in store)
    return _validate_native(_ntriples(union), shapes, vocabularies_checked)


def validate_with_context(
    data: ox.Store,
    extra: rdflib.Graph | None = None,
    shapes: rdflib.Graph | None = None,
    *,
    vocabularies_checked: bool = False,
) -> ValidationOutcome:
    """Validate the default graph of `data` (survey data, as mapped) together with the ontology,
    the vocabularies (both parsed once per process) and `extra`, as `validate(with_context(...))`
    would validate the same triples (`tests/shapes/test_shapes.py` holds the two to one report).
    `data` is not modified."""
    context = _context_store()
    if extra is None and not any(q in data for q in context):
        # the usual case: the union is the two dumps end to end, no copy of the data
        text = _ntriples(data) + _ntriples(context)
    else:  # the union as a set: a triple stated twice is one triple
        union = ox.Store()
        union.extend(data.quads_for_pattern(None, None, None, ox.DefaultGraph()))
        union.extend(context)
        if extra is not None:
            union.extend(ox_quads(extra))
        text = _ntriples(union)
    return _validate_native(text, shapes, vocabularies_checked)


def _ntriples(store: ox.Store) -> str:
    """The default graph of `store` as N-Triples."""
    dump = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
    assert dump is not None
    return dump.decode()


def _compile(shapes: rdflib.Graph) -> pyshacl_turbo.CompiledShapes:
    compiled = pyshacl_turbo.compile_shapes(shapes, advanced=True)  # type: ignore[no-untyped-call]
    return cast(pyshacl_turbo.CompiledShapes, compiled)


@cache
def _compiled(vocabularies_checked: bool) -> pyshacl_turbo.CompiledShapes:
    """The shapes compiled once per process (`vocabularies_checked`: without the vocabulary
    shapes)."""
    return _compile(_data_shapes() if vocabularies_checked else _default_shapes())


def _validate_native(
    text: str, shapes: rdflib.Graph | None, vocabularies_checked: bool
) -> ValidationOutcome:
    """The engine on `text` (N-Triples), its report read by pyoxigraph.

    This calls the compiled shapes' native `validate` (pyshacl-turbo 0.6's `CompiledShapes.
    validate` minus the decoding of its report into rdflib); the tests hold its report to
    pySHACL's and to `validate`'s, so a change of that call in a new release fails them."""
    compiled = _compiled(vocabularies_checked) if shapes is None else _compile(shapes)
    conforms, report, *_ = compiled._native.validate(
        text, "nt", None,
        False, 100, 15,  # iterate_rules, max_rule_iterations, max_validation_depth
        False, False, True, False,  # inplace, allow_infos, allow_warnings, abort_on_first
        [], [], [],  # focus_nodes, use_shapes, namespaces
    )  # fmt: skip
    return ValidationOutcome(bool(conforms), _report_problems(report), report)


def _report_problems(report: str) -> list[Problem]:
    """The results of a report in N-Triples, read as `problems_of` reads a report graph."""
    described: dict[str, dict[str, ox.NamedNode | ox.BlankNode | ox.Literal]] = {}
    results = []
    for triple in ox.parse(report, format=ox.RdfFormat.N_TRIPLES):
        subject, predicate, obj = triple.subject, triple.predicate.value, triple.object
        assert not isinstance(subject, ox.Triple) and not isinstance(obj, ox.Triple)
        fields = described.setdefault(subject.value, {})
        fields.setdefault(predicate, obj)
        if predicate == RDF_TYPE and obj.value == SH_RESULT:
            results.append(fields)
    problems = []
    for fields in results:
        path = fields.get(str(SH.resultPath))
        value = fields.get(str(SH.value))
        severity = fields.get(str(SH.resultSeverity))
        message = fields.get(str(SH.resultMessage))
        component = fields.get(str(SH.sourceConstraintComponent))
        shape = fields.get(str(SH.sourceShape))
        problems.append(
            Problem(
                severity=_name(severity.value if severity else None) or "Violation",
                focus=fields[str(SH.focusNode)].value,
                path=path.value if isinstance(path, ox.NamedNode) else None,
                value=value.value if value is not None else None,
                message=message.value if message is not None else "",
                shape=shape.value if shape is not None else "None",
                component=_name(component.value if component else None),
            )
        )
    return _sorted(problems)


def _sorted(problems: list[Problem]) -> list[Problem]:
    return sorted(
        problems,
        key=lambda p: (
            SEVERITIES.index(p.severity) if p.severity in SEVERITIES else 9,
            p.focus,
            p.path or "",
            p.message,
            p.value or "",
            p.component or "",
            p.shape,
        ),
    )


def _validate(
    data: rdflib.Graph | ox.Store, shapes: rdflib.Graph | None, vocabularies_checked: bool
) -> ValidationOutcome:
    if shapes is None:
        shapes = _data_shapes() if vocabularies_checked else _default_shapes()
    with _quiet_literals():
        conforms, report, _ = pyshacl_turbo.validate(
            data,
            shacl_graph=shapes,
            inference="none",
            advanced=True,
            allow_warnings=True,
            inplace=False,
        )
    assert isinstance(report, rdflib.Graph)
    return ValidationOutcome(bool(conforms), problems_of(report), report)
