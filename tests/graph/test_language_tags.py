"""Issue 11 item 5: every human-readable label of the built graph carries a language tag.

Walks every quad of the build (data, provenance, ontology, vocabularies, inferred graph) and
fails on a literal of a label or text property without a tag. The one exception is text that is
not language at all: a literal without a single letter (the rating symbols `+`, `0`, `-` that
`ratings.ttl` keeps as `skos:hiddenLabel` for the extractors to match): a tag would claim that
`+` is English.
"""

from __future__ import annotations

from collections import defaultdict

import pyoxigraph as ox

from clusterkg import iris
from clusterkg.graph.store import OxigraphStore

TEXT_PROPERTIES = {
    iris.RDFS + "label", iris.RDFS + "comment",
    iris.SKOS + "prefLabel", iris.SKOS + "altLabel", iris.SKOS + "hiddenLabel",
    iris.SKOS + "definition", iris.DCTERMS + "title", iris.DCTERMS + "description",
}


def _language_text(value: str) -> bool:
    """Text has at least one letter; `+`, `0`, `-` are symbols."""
    return any(ch.isalpha() for ch in value)


def _untagged(store: OxigraphStore) -> list[tuple[str, str, str]]:
    return sorted(
        (q.subject.value, q.predicate.value, q.object.value)
        for q in store.native
        if q.predicate.value in TEXT_PROPERTIES and isinstance(q.object, ox.Literal)
        and not q.object.language and _language_text(q.object.value)
    )


def test_every_label_and_text_of_the_graph_has_a_language_tag(built_store: OxigraphStore) -> None:
    assert _untagged(built_store) == []


def test_the_walk_would_see_an_untagged_label(built_store: OxigraphStore) -> None:
    copy = OxigraphStore()
    copy.add_quads([
        ox.Quad(ox.NamedNode(iris.ID + "organisation/x"), ox.NamedNode(iris.SKOS + "altLabel"),
                ox.Literal("METI"), ox.NamedNode(iris.graph_iri("002/text"))),
        ox.Quad(ox.NamedNode(iris.ID + "organisation/x"), ox.NamedNode(iris.SKOS + "hiddenLabel"),
                ox.Literal("+"), ox.NamedNode(iris.graph_iri("002/text"))),
    ])
    assert _untagged(copy) == [(iris.ID + "organisation/x", iris.SKOS + "altLabel", "METI")]


def test_rating_symbols_are_symbols_and_their_meaning_is_tagged(
    built_store: OxigraphStore,
) -> None:
    rating = ox.NamedNode(iris.BASE + "vocab/ratings/high")
    objects = defaultdict(set)
    for q in built_store.native.quads_for_pattern(rating, None, None, None):
        if isinstance(q.object, ox.Literal):
            objects[q.predicate.value.rsplit("#", 1)[-1]].add((q.object.value, q.object.language))
    assert objects["hiddenLabel"] == {("+", None)}
    assert objects["prefLabel"] == {("high/very high importance", "en")}


def test_no_label_is_stored_twice_with_different_tags(built_store: OxigraphStore) -> None:
    """Issue 15: acronyms were stored plain and `@en`; each label value now has one tag."""
    tags: dict[tuple[str, str, str], set[str | None]] = defaultdict(set)
    for q in built_store.native:
        if q.predicate.value in TEXT_PROPERTIES and isinstance(q.object, ox.Literal):
            tags[(q.subject.value, q.predicate.value, q.object.value)].add(q.object.language)
    assert {k: v for k, v in tags.items() if len(v) > 1} == {}
