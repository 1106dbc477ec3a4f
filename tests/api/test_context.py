"""The published @context: every term the data uses has a short name, and the loader stays local."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from pyld import jsonld

from clusterkg.api.ldcontext import CONTEXT_V1, ContextNotLocal, local_loader, terms
from clusterkg.graph.store import OxigraphStore

ONTOLOGY_GRAPH = "https://w3id.org/clusterkg/graph/ontology"


def _expanded_terms() -> dict[str, str]:
    """IRI -> term name, by expanding a node that uses each term of the context once."""
    ctx = terms()
    out: dict[str, str] = {}
    for name, definition in ctx.items():
        if name.startswith("@") or name in ("id", "type"):
            continue
        iri = definition if isinstance(definition, str) else definition["@id"]  # type: ignore[index]
        assert isinstance(iri, str)
        prefix, _, local = iri.partition(":")
        base = ctx.get(prefix)
        if isinstance(base, str) and local and not local.startswith("//"):
            iri = base + local
        if iri.endswith(("#", "/")):
            continue  # a prefix, not a term
        out[iri] = name
    return out


def test_every_term_is_an_absolute_iri_and_unique() -> None:
    expanded = _expanded_terms()
    names = list(expanded.values())
    assert len(names) == len(set(names))
    iris = [i for i in expanded]
    assert all(i.startswith(("http://", "https://")) for i in iris), iris
    seen: dict[str, str] = {}
    for name, definition in terms().items():
        if isinstance(definition, dict):
            iri = definition["@id"]
            assert isinstance(iri, str)
            assert iri not in seen, f"{name} and {seen[iri]} both map {iri}: ambiguous"
            seen[iri] = name


def test_every_predicate_and_class_of_the_data_has_a_term(built_store: OxigraphStore) -> None:
    solutions = built_store.query(
        "SELECT DISTINCT ?t WHERE { GRAPH ?g { { ?s ?t ?o } UNION { ?s a ?t } }"
        f" FILTER(?g != <{ONTOLOGY_GRAPH}>) }}"
    )
    assert isinstance(solutions, ox.QuerySolutions)
    used = {row["t"].value for row in solutions if isinstance(row["t"], ox.NamedNode)}
    rdf_type = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
    missing = sorted(used - set(_expanded_terms()) - {rdf_type})
    assert missing == [], f"terms missing from the context: {missing}"


def test_compaction_uses_the_short_names() -> None:
    doc = {
        "@id": "https://w3id.org/clusterkg/id/programme/x",
        "@type": ["https://w3id.org/clusterkg/ontology#NationalClusterProgramme"],
        "http://www.w3.org/2004/02/skos/core#prefLabel": [{"@value": "X", "@language": "en"}],
        "https://w3id.org/clusterkg/ontology#objective": [
            {"@id": "https://w3id.org/clusterkg/vocab/objectives-national/a"}
        ],
        "http://www.w3.org/ns/dcat#startDate": [
            {"@value": "2008", "@type": "http://www.w3.org/2001/XMLSchema#gYear"}
        ],
    }
    out = jsonld.compact(doc, CONTEXT_V1, {"documentLoader": local_loader})
    assert out["type"] == "NationalClusterProgramme"
    assert out["prefLabel"] == {"en": "X"}
    assert out["objective"] == ["https://w3id.org/clusterkg/vocab/objectives-national/a"]
    assert out["startDate"] == "2008"


@pytest.mark.parametrize(
    "url", ["https://example.org/context.jsonld", CONTEXT_V1.replace("v1", "v9"), "file:///etc/passwd"]
)
def test_loader_refuses_anything_but_the_package_contexts(url: str) -> None:
    with pytest.raises(ContextNotLocal):
        local_loader(url)
