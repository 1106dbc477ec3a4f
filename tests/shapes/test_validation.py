"""The SHACL gate's public functions, as the build uses them."""

from __future__ import annotations

import rdflib

from clusterkg.shapes.validation import (
    Problem,
    ValidationOutcome,
    load_shapes,
    problems_of,
    validate,
    with_context,
)

PROGRAMME = """
@prefix ckg: <https://w3id.org/clusterkg/ontology#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
<https://w3id.org/clusterkg/id/programme/X> a ckg:NationalClusterProgramme ;
    skos:prefLabel "X" ;
    ckg:country <http://publications.europa.eu/resource/authority/country/LVA> ;
    prov:wasDerivedFrom <https://w3id.org/clusterkg/source/s/t/L1-1> .
"""


def _graph(text: str) -> rdflib.Graph:
    return with_context(rdflib.Graph().parse(data=text, format="turtle"))


def test_conforming_data_has_warnings_only() -> None:
    outcome = validate(_graph(PROGRAMME))
    assert isinstance(outcome, ValidationOutcome)
    assert outcome.conforms
    assert outcome.violations == []
    assert all(p.severity == "Warning" for p in outcome.warnings)


def test_violation_names_focus_path_value_and_component() -> None:
    outcome = validate(
        _graph(PROGRAMME.replace('skos:prefLabel "X" ;', 'skos:prefLabel "X", "Y" ;'))
    )
    assert not outcome.conforms
    problem = next(p for p in outcome.violations if p.component == "MaxCountConstraintComponent")
    assert isinstance(problem, Problem)
    assert problem.focus == "https://w3id.org/clusterkg/id/programme/X"
    assert problem.path == "http://www.w3.org/2004/02/skos/core#prefLabel"
    assert "preferred name" in str(problem)


def test_unknown_country_is_reported_on_the_value() -> None:
    outcome = validate(_graph(PROGRAMME.replace("country/LVA", "country/XYZ")))
    focus = {p.focus for p in outcome.violations if p.component == "ClassConstraintComponent"}
    assert focus == {"http://publications.europa.eu/resource/authority/country/XYZ"}


def test_load_shapes_reads_every_file() -> None:
    shapes = load_shapes()
    assert len(shapes) > 300


def test_problems_of_sorts_violations_first() -> None:
    outcome = validate(_graph(PROGRAMME.replace('skos:prefLabel "X" ;', "")))
    severities = [p.severity for p in problems_of(outcome.report)]
    assert severities == sorted(severities, key=["Violation", "Warning", "Info"].index)


def test_validation_does_not_modify_the_data() -> None:
    data = _graph(PROGRAMME)
    before = len(data)
    validate(data)
    assert len(data) == before
