"""Excerpts are labelled by their document's title, table and lines, in English."""

from __future__ import annotations

import pyoxigraph as ox

from clusterkg import iris
from clusterkg.graph import provenance
from clusterkg.graph.store import OxigraphStore

TITLE = "Cluster programmes in Europe and beyond"


def test_an_excerpt_label_names_the_document_title_table_and_lines() -> None:
    assert provenance.excerpt_label(TITLE, "Table 8", (2398, 2398)) == (
        "Cluster programmes in Europe and beyond, Table 8, line 2398")
    assert provenance.excerpt_label(TITLE, None, (1440, 1448)) == (
        "Cluster programmes in Europe and beyond, text, lines 1440-1448")


def test_the_titles_are_those_of_the_documents_file() -> None:
    titles = provenance.document_titles()
    assert titles[iris.SOURCE + "002_685b5d5a3136ccf2"] == TITLE
    assert len(titles) == 5


def test_every_excerpt_of_the_build_is_labelled_by_title_in_english(
    built_store: OxigraphStore,
) -> None:
    titles = set(provenance.document_titles().values())
    excerpt = ox.NamedNode(iris.ONTOLOGY + "SourceExcerpt")
    a = ox.NamedNode(iris.RDF + "type")
    labels = []
    for q in built_store.native.quads_for_pattern(None, a, excerpt, None):
        labels += [
            (x.object.value, x.object.language) for x in built_store.native.quads_for_pattern(
                q.subject, ox.NamedNode(iris.RDFS + "label"), None, None)
            if isinstance(x.object, ox.Literal)
        ]
    assert len(labels) > 500
    assert {language for _, language in labels} == {"en"}
    assert [label for label, _ in labels
            if not any(label.startswith(f"{title}, ") for title in titles)] == []


def test_a_survey_excerpt_label_is_english_text() -> None:
    graph = ox.NamedNode(iris.graph_iri("wave/w1"))
    quads = provenance.describe_excerpt(
        ox.NamedNode(iris.BASE + "source/x/programme/L2-2"), ox.NamedNode(iris.BASE + "source/x"),
        "programme.csv, programme, row 2", (2, 2), "programme", graph)
    label = next(q.object for q in quads if q.predicate.value == iris.RDFS + "label")
    assert isinstance(label, ox.Literal) and label.language == "en"
