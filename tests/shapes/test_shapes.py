"""The shapes: well-formed (SHACL-SHACL), split by concern, covering every ontology class, and
the valid/ and invalid/ example graphs (one test each), and the gate's engine (pyshacl-turbo)
reporting what pySHACL reports."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pyoxigraph as ox
import pyshacl
import pytest
import rdflib
from rdflib.namespace import OWL, RDF, RDFS, SH

from clusterkg.paths import ONTOLOGY_FILE, SHAPES_DIR
from clusterkg.shapes.validation import (
    Problem,
    ValidationOutcome,
    check_shapes,
    load_shapes,
    ox_quads,
    problems_of,
    validate,
    validate_store,
    validate_with_context,
    with_context,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "shapes"
VALID = sorted((FIXTURES / "valid").glob("*.ttl"))
INVALID = sorted((FIXTURES / "invalid").glob("*.ttl"))


def test_shapes_validate_against_shacl_shacl() -> None:
    assert check_shapes() == []


def test_shapes_are_split_by_concern_and_severity() -> None:
    names = {p.name for p in SHAPES_DIR.glob("*.ttl")}
    assert {"core.ttl", "recommended.ttl", "vocabularies.ttl"} <= names
    recommended = rdflib.Graph().parse(SHAPES_DIR / "recommended.ttl")
    severities = set(recommended.objects(None, SH.severity))
    assert severities == {SH.Warning}


def test_every_ontology_class_is_targeted() -> None:
    ontology = rdflib.Graph().parse(ONTOLOGY_FILE)
    targeted = set(load_shapes().objects(None, SH.targetClass))
    missing = []
    for cls in ontology.subjects(RDF.type, OWL.Class):
        if not isinstance(cls, rdflib.URIRef):
            continue
        ancestors = set(ontology.transitive_objects(cls, RDFS.subClassOf))
        if not ancestors & targeted:
            missing.append(str(cls))
    assert missing == []


def _outcome(path: Path) -> ValidationOutcome:
    data = rdflib.Graph().parse(path, format="turtle")
    return validate(with_context(data))


@pytest.mark.parametrize("path", VALID, ids=[p.stem for p in VALID])
def test_valid_example(path: Path) -> None:
    outcome = _outcome(path)
    assert outcome.violations == [], "\n".join(map(str, outcome.violations))


@pytest.mark.parametrize("path", INVALID, ids=[p.stem for p in INVALID])
def test_invalid_example(path: Path) -> None:
    expect = path.read_text(encoding="utf-8").splitlines()[0].removeprefix("# expect:").split()
    severity, component = expect
    outcome = _outcome(path)
    found = {(p.severity, p.component) for p in outcome.problems}
    assert (severity, component) in found, "\n".join(map(str, outcome.problems))
    if severity == "Warning":
        assert outcome.violations == [], "\n".join(map(str, outcome.violations))


def _reference(data: rdflib.Graph) -> set[tuple[str | None, ...]]:
    """pySHACL's results on `data`: the reference the gate's engine is held to."""
    with_vocabulary_shapes = load_shapes()
    _, report, _ = pyshacl.validate(
        data, shacl_graph=with_vocabulary_shapes, inference="none", advanced=True,
        allow_warnings=True,
    )  # fmt: skip
    assert isinstance(report, rdflib.Graph)
    return {_key(p) for p in problems_of(report)}


def _key(problem: Problem) -> tuple[str | None, ...]:
    """A result as both engines must state it: the shapes' own `sh:message` texts alike, the
    default texts of a shape without one are each engine's wording."""
    shape = problem.shape if problem.shape.startswith("http") else None  # blank shapes: no id
    message = problem.message if problem.message in _messages() else None
    return (problem.severity, problem.focus, problem.path, problem.value, message,
            problem.component, shape)  # fmt: skip


@cache
def _messages() -> frozenset[str]:
    return frozenset(str(m) for m in load_shapes().objects(None, SH.message))


@pytest.mark.parametrize("path", VALID + INVALID, ids=[p.stem for p in VALID + INVALID])
def test_the_gate_reports_what_pyshacl_reports(path: Path) -> None:
    """`validate` runs pyshacl-turbo (issue 17: SHACL 4× faster); on every example of the
    shape suite its report is pySHACL's, result for result."""
    data = with_context(rdflib.Graph().parse(path, format="turtle"))
    assert {_key(p) for p in validate(data).problems} == _reference(data)


@pytest.mark.parametrize("path", VALID + INVALID, ids=[p.stem for p in VALID + INVALID])
def test_a_store_is_validated_as_its_rdflib_graph(path: Path) -> None:
    """`validate_store` (the build's gate, the engine reading pyoxigraph natively) reports what
    `validate` reports on the same triples in rdflib. It would not with an `sh:in` list of
    literals: pyshacl-turbo's native path finds no literal member equal (the NUTS versions)."""
    data = with_context(rdflib.Graph().parse(path, format="turtle"))
    store = ox.Store()
    store.load(data.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES)
    assert {_key(p) for p in validate_store(store).problems} == {
        _key(p) for p in validate(data).problems}


def _store(graph: rdflib.Graph) -> ox.Store:
    """The triples of `graph` in pyoxigraph, blank nodes keeping their labels."""
    store = ox.Store()
    store.extend(ox_quads(graph))
    return store


@pytest.mark.parametrize("path", VALID + INVALID, ids=[p.stem for p in VALID + INVALID])
def test_survey_validation_reports_what_pyshacl_and_the_rdflib_path_report(path: Path) -> None:
    """`validate_with_context` (survey validation, issue 17: the data in pyoxigraph, the context
    added from a copy parsed once per process, the engine's report read by pyoxigraph) reports
    on every example of the shape suite what pySHACL reports, and exactly what `validate`
    reports on the same triples in rdflib: every field of every result, in the same order."""
    graph = rdflib.Graph().parse(path, format="turtle")
    fast = validate_with_context(_store(graph))
    slow = validate(with_context(graph))
    assert fast.problems == slow.problems
    assert fast.conforms == slow.conforms
    assert {_key(p) for p in fast.problems} == _reference(with_context(graph))


def test_the_gate_reports_what_pyshacl_reports_on_a_survey() -> None:
    """A synthetic survey of about 3,000 triples with one warning per programme: the store path,
    the rdflib path and pySHACL agree, result for result."""
    from bench.validation import as_rdflib, survey

    store = survey(3_000)
    data = with_context(as_rdflib(store))
    problems = validate(data).problems
    assert problems and {_key(p) for p in problems} == _reference(data)
    assert validate_with_context(store).problems == problems


def test_survey_validation_adds_the_context_without_touching_the_data() -> None:
    """The context is added to a copy: the caller's store keeps its triples, and a triple that
    the data states again (a vocabulary's concept) is one triple, as in rdflib."""
    graph = rdflib.Graph().parse(VALID[0], format="turtle")
    store = _store(graph)
    before = set(store)
    concept = next(iter(with_context(rdflib.Graph())))
    graph.add(concept)
    (quad,) = ox_quads(rdflib.Graph().add(concept))
    store.add(quad)
    assert validate_with_context(store).problems == validate(with_context(graph)).problems
    assert set(store) - before == {quad}


def test_a_funding_ceiling_is_no_budget_and_needs_no_period() -> None:
    """Issue 15: a ceiling (003 line 24, "vouchers (up to €60,000)") is a ckg:MonetaryAmount
    but not a budget, so the budget-period warning does not apply to it."""
    outcome = _outcome(Path(__file__).parents[1] / "fixtures/shapes/valid/funding-ceiling.ttl")
    assert outcome.problems == [], "\n".join(map(str, outcome.problems))
