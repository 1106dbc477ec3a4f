from __future__ import annotations

import pytest
import rdflib
from rdflib.namespace import DCTERMS, RDF, SKOS

from clusterkg.graph.namespace import CKG
from clusterkg.loaders.records import ExtractionError
from clusterkg.loaders.report.vocabulary import load_vocabulary, match_items
from clusterkg.paths import VOCABULARIES_DIR


def test_policy_situation_scheme_is_read_from_turtle():
    vocab = load_vocabulary("policy-situations")
    assert set(vocab.notations) == {
        "dedicated-programme",
        "no-programme",
        "past-support",
        "planned-programme",
        "other-approaches",
        "regional-competence",
    }
    assert vocab.scheme == "https://w3id.org/clusterkg/vocab/policy-situations"


def test_leftover_text_names_file_line_and_column():
    vocab = load_vocabulary("policy-situations")
    with pytest.raises(ExtractionError) as info:
        match_items(
            "Currently no cluster programme in place Something else",
            vocab,
            document="doc.txt",
            line=7,
            column="Situation",
        )
    assert (info.value.document, info.value.line, info.value.column) == ("doc.txt", 7, "Situation")
    assert "Something else" in str(info.value)


SOURCE = rdflib.URIRef("https://w3id.org/clusterkg/source/002_685b5d5a3136ccf2")
SCHEMES = {
    "objectives-national": CKG.Objective,
    "target-groups": CKG.TargetGroup,
    "cluster-types": CKG.ClusterType,
    "measures-national": CKG.SupportMeasure,
    "ratings": CKG.RatingValue,
    "policy-situations": CKG.PolicySituationKind,
    "programme-statuses": CKG.ProgrammeStatus,
    "survey-questions": CKG.SurveyQuestion,
    "finding-aspects": CKG.FindingAspect,
    "policy-levels": CKG.PolicyLevel,
}


def _language(
    graph: rdflib.Graph, subject: rdflib.term.Node, predicate: rdflib.URIRef
) -> str | None:
    value = graph.value(subject, predicate)
    assert isinstance(value, rdflib.Literal), f"{subject} {predicate}: {value!r} is not a literal"
    return value.language


@pytest.mark.parametrize(("name", "cls"), SCHEMES.items())
def test_scheme_file_is_complete(name, cls):
    graph = rdflib.Graph().parse(VOCABULARIES_DIR / f"{name}.ttl")
    scheme = rdflib.URIRef(f"https://w3id.org/clusterkg/vocab/{name}")
    assert (scheme, RDF.type, SKOS.ConceptScheme) in graph
    assert _language(graph, scheme, DCTERMS.title) == "en"
    assert graph.value(scheme, DCTERMS.source) == SOURCE
    concepts = set(graph.subjects(SKOS.inScheme, scheme))
    assert concepts
    for concept in concepts:
        assert (concept, RDF.type, SKOS.Concept) in graph
        assert (concept, RDF.type, cls) in graph
        notation = str(graph.value(concept, SKOS.notation))
        assert str(concept) == f"{scheme}/{notation}"
        assert _language(graph, concept, SKOS.prefLabel) == "en"
        assert _language(graph, concept, SKOS.definition) == "en"


def test_world_class_clusters_is_one_item():
    found = match_items(
        "Clusters in emerging technologies World class clusters, European Silicon Valleys "
        "Any clusters",
        load_vocabulary("cluster-types"),
        document="d.txt",
        line=1,
        column="Type",
    )
    assert found == ["emerging-technologies", "world-class", "any"]


def test_longest_label_wins():
    found = match_items(
        "Strengthening cooperation structures between companies or between industry and "
        "science/research Fostering R&D activities, technology development and implementation",
        load_vocabulary("objectives-national"),
        document="d.txt",
        line=1,
        column="Objectives",
    )
    assert found == ["cooperation-structures", "rd-technology"]


def test_leftover_between_items_is_an_error():
    with pytest.raises(ExtractionError, match="Clusters in cyberspace"):
        match_items(
            "Any clusters Clusters in cyberspace",
            load_vocabulary("cluster-types"),
            document="d.txt",
            line=1,
            column="Type",
        )
