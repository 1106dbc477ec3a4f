"""The ontology is consistent (HermiT), canonical Turtle, and passes its own checks."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
import rdflib

from clusterkg import iris
from clusterkg.graph import reasoner
from clusterkg.graph.checks import check_queries, run_checks
from clusterkg.graph.ontology import (
    NAMESPACE_MODULE,
    declared_terms,
    load_ontology,
    render_namespace_module,
)
from clusterkg.graph.store import OxigraphStore, RdfFormat
from clusterkg.paths import ALIGNMENTS_FILE, CHECKS_DIR, ONTOLOGY_FILE, VOCABULARIES_DIR


def _ontology_store() -> OxigraphStore:
    store = OxigraphStore()
    store.load(ONTOLOGY_FILE, RdfFormat.TURTLE, graph=iris.graph_iri("ontology"))
    for path in sorted(VOCABULARIES_DIR.glob("*.ttl")):
        store.load(path, RdfFormat.TURTLE, graph=iris.graph_iri("vocabularies"))
    return store


def test_ontology_turtle_is_canonical() -> None:
    text = ONTOLOGY_FILE.read_text(encoding="utf-8")
    assert rdflib.Graph().parse(data=text, format="turtle").serialize(format="longturtle") == text


def test_ontology_is_consistent_with_hermit() -> None:
    if not reasoner.java_available():
        pytest.fail("no Java runtime: `make setup` installs one for HermiT")
    store = _ontology_store()
    tbox = [
        q.triple
        for q in store.native.quads_for_pattern(
            None, None, None, ox.NamedNode(iris.graph_iri("ontology"))
        )
    ]
    vocab = [
        q.triple
        for q in store.native.quads_for_pattern(
            None, None, None, ox.NamedNode(iris.graph_iri("vocabularies"))
        )
    ]
    list(reasoner.classify(tbox, vocab))  # raises InconsistentOntologyError


def test_reasoner_rejects_an_inconsistent_graph() -> None:
    """A programme both national and regional contradicts the disjointness axiom."""
    tbox = [
        q.triple
        for q in _ontology_store().native.quads_for_pattern(
            None, None, None, ox.NamedNode(iris.graph_iri("ontology"))
        )
    ]
    p = ox.NamedNode(iris.resource_iri("programme", "x"))
    rdf_type = ox.NamedNode(reasoner.RDF_TYPE)
    abox = [
        ox.Triple(p, rdf_type, ox.NamedNode(iris.ONTOLOGY + "NationalClusterProgramme")),
        ox.Triple(p, rdf_type, ox.NamedNode(iris.ONTOLOGY + "RegionalClusterProgramme")),
    ]
    with pytest.raises(reasoner.InconsistentOntologyError, match="inconsistent"):
        list(reasoner.classify(tbox, abox))
    with pytest.raises(reasoner.InconsistentOntologyError, match="inconsistent"):
        list(reasoner.classify_with_owlready2(tbox, abox))


def test_reasoner_classifies_defined_classes() -> None:
    tbox = [
        q.triple
        for q in _ontology_store().native.quads_for_pattern(
            None, None, None, ox.NamedNode(iris.graph_iri("ontology"))
        )
    ]
    ckg = iris.ONTOLOGY
    p = ox.NamedNode(iris.resource_iri("programme", "x"))
    rdf_type = ox.NamedNode(reasoner.RDF_TYPE)
    concept = ox.NamedNode("http://www.w3.org/2004/02/skos/core#Concept")
    fs = [ox.NamedNode(iris.VOCAB + f"funding-sources/{n}") for n in ("a", "b")]
    abox = [
        ox.Triple(p, rdf_type, ox.NamedNode(ckg + "NationalClusterProgramme")),
        ox.Triple(
            p,
            ox.NamedNode(ckg + "openEnded"),
            ox.Literal("true", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean")),
        ),
        *(ox.Triple(f, rdf_type, concept) for f in fs),
        *(ox.Triple(f, rdf_type, ox.NamedNode(ckg + "FundingSource")) for f in fs),
        *(ox.Triple(p, ox.NamedNode(ckg + "fundingSource"), f) for f in fs),
    ]
    inferred = {
        q.object.value.removeprefix(ckg)
        for q in reasoner.classify(tbox, abox)
        if q.subject == p and isinstance(q.object, ox.NamedNode)
    }
    assert {"ClusterProgramme", "OpenEndedProgramme", "MultiFundedProgramme"} <= inferred
    assert "PhasedProgramme" not in inferred


def test_the_builds_reasoning_equals_owlready2_on_the_whole_input(
    built_store: OxigraphStore,
) -> None:
    """The build's way (the cut input, HermiT's own command line asked `-c -I` on a client-compiler
    JVM) and the former way (owlready2's `sync_reasoner_hermit` on the whole input, `-c -O -D -I`)
    give the same `inferred` graph on the seed graph, and the cut really leaves something out."""
    if not reasoner.java_available():
        pytest.skip("no Java runtime for HermiT")
    ontology, inferred = iris.graph_iri("ontology"), reasoner.INFERRED_GRAPH.value
    tbox = [q.triple for q in built_store.native.quads_for_pattern(
        None, None, None, ox.NamedNode(ontology))]
    abox = [
        q.triple for q in built_store.native.quads_for_pattern(None, None, None, None)
        if not (isinstance(q.graph_name, ox.NamedNode)
                and q.graph_name.value in {ontology, inferred})
    ]
    whole = reasoner._reasoner_input(tbox, abox, prune=False)
    cut = reasoner._reasoner_input(tbox, abox, prune=True)
    assert len(cut.text) < len(whole.text) and cut.concepts < whole.concepts
    assert cut.concepts, "the funding sources of the multi-funded programmes stay distinct"
    built = set(built_store.native.quads_for_pattern(None, None, None, reasoner.INFERRED_GRAPH))
    assert built, "the seed graph has inferred types"
    fast = set(reasoner.classify(tbox, abox, prune=True))
    former = set(reasoner.classify_with_owlready2(tbox, abox, prune=False))
    assert fast == former, (
        f"only the build's: {sorted(map(str, fast - former))[:10]}; "
        f"only owlready2's: {sorted(map(str, former - fast))[:10]}")
    assert fast == built


def test_reasoner_rejects_an_unsatisfiable_class() -> None:
    """A class under two disjoint classes is unsatisfiable: the build stops, as before."""
    tbox = [
        q.triple
        for q in _ontology_store().native.quads_for_pattern(
            None, None, None, ox.NamedNode(iris.graph_iri("ontology"))
        )
    ]
    sub_class = ox.NamedNode(iris.RDFS + "subClassOf")
    odd = ox.NamedNode(iris.ONTOLOGY + "NationalRegionalProgramme")
    tbox += [
        ox.Triple(odd, ox.NamedNode(reasoner.RDF_TYPE), ox.NamedNode(iris.OWL + "Class")),
        ox.Triple(odd, sub_class, ox.NamedNode(iris.ONTOLOGY + "NationalClusterProgramme")),
        ox.Triple(odd, sub_class, ox.NamedNode(iris.ONTOLOGY + "RegionalClusterProgramme")),
    ]
    with pytest.raises(reasoner.InconsistentOntologyError, match="NationalRegionalProgramme"):
        list(reasoner.classify(tbox, []))
    with pytest.raises(reasoner.InconsistentOntologyError, match="NationalRegionalProgramme"):
        list(reasoner.classify_with_owlready2(tbox, []))


def test_every_check_passes_on_the_ontology() -> None:
    assert check_queries(CHECKS_DIR), "no checks found"
    assert run_checks(_ontology_store()) == []


def test_checks_catch_an_undeclared_term_and_a_missing_label() -> None:
    store = _ontology_store()
    store.load(
        b'<https://w3id.org/clusterkg/id/x> <https://w3id.org/clusterkg/ontology#noSuchTerm> "1" .',
        RdfFormat.NTRIPLES,
        graph=iris.graph_iri("test"),
    )
    store.load(
        b"<https://w3id.org/clusterkg/ontology#Unlabelled> "
        b"<http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
        b"<http://www.w3.org/2002/07/owl#Class> .",
        RdfFormat.NTRIPLES,
        graph=iris.graph_iri("ontology"),
    )
    failures = "\n".join(run_checks(store))
    assert (
        "undeclared-term-violation: term=https://w3id.org/clusterkg/ontology#noSuchTerm" in failures
    )
    assert (
        "missing-label-violation: term=https://w3id.org/clusterkg/ontology#Unlabelled" in failures
    )
    assert "missing-definition-violation" in failures


def test_namespace_module_has_not_drifted() -> None:
    assert NAMESPACE_MODULE.read_text(encoding="utf-8") == render_namespace_module(load_ontology())


def test_alignments_stay_outside_the_core() -> None:
    core = load_ontology()
    alignments = rdflib.Graph().parse(ALIGNMENTS_FILE, format="turtle")
    for ns in ("http://data.europa.eu/s66#", "http://purl.org/cerif/frapo/"):
        assert not any(ns in str(t) for triple in core for t in triple)
        assert any(ns in str(t) for triple in alignments for t in triple)
    assert set(declared_terms(core)) >= {"ClusterProgramme", "MeasureRating", "SurveyWave"}
