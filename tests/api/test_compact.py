"""The context-driven compactor of collection members converts back to the same triples.

Values that fit their term take the short form; values that do not (a literal where the term
expects a link, another datatype or language than the term's) fall back to the full IRI and
an expanded value: pyld, reading the output with the published context, must give back
exactly the input statements either way.
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from clusterkg.api.compact import compact_node
from clusterkg.api.items import to_triples
from clusterkg.api.ldcontext import CONTEXT_V1

CKG = "https://w3id.org/clusterkg/ontology#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
IRI = "https://w3id.org/clusterkg/id/programme/x"

Statement = tuple[str, ox.NamedNode | ox.BlankNode | ox.Literal]
CASES: dict[str, list[Statement]] = {
    "fits": [
        (RDF_TYPE, ox.NamedNode(CKG + "ClusterProgramme")),
        (SKOS + "prefLabel", ox.Literal("Programme", language="en")),
        (SKOS + "prefLabel", ox.Literal("Programm", language="de")),
        (SKOS + "altLabel", ox.Literal("P1")),
        (SKOS + "altLabel", ox.Literal("P2")),
        (CKG + "country", ox.NamedNode("http://publications.europa.eu/resource/authority/country/AUT")),
        (CKG + "lineStart", ox.Literal("12", datatype=ox.NamedNode(XSD + "integer"))),
        (CKG + "sectoralFocus", ox.Literal("ICT", language="en")),
        (CKG + "rawStatement", ox.Literal("€3m")),
    ],
    "does not fit": [
        (RDF_TYPE, ox.NamedNode("http://example.org/UnknownClass")),
        (CKG + "country", ox.Literal("Austria")),
        (CKG + "lineStart", ox.Literal("12", datatype=ox.NamedNode(XSD + "decimal"))),
        (CKG + "sectoralFocus", ox.Literal("TIC", language="fr")),
        (CKG + "sectoralFocus", ox.Literal("plain")),
        (SKOS + "prefLabel", ox.Literal("2019", datatype=ox.NamedNode(XSD + "gYear"))),
        ("http://example.org/unmapped", ox.Literal("x")),
        ("http://example.org/unmapped", ox.NamedNode("http://example.org/y")),
    ],
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_compacted_member_converts_back_to_its_statements(name: str) -> None:
    statements = CASES[name]
    node = compact_node(IRI, statements)
    back = to_triples({"@context": CONTEXT_V1, **node})
    expected = {(f"<{IRI}>", f"<{p}>", str(o)) for p, o in statements}
    assert back == expected


def test_short_forms() -> None:
    node = compact_node(IRI, CASES["fits"])
    assert node["type"] == ["ClusterProgramme"]
    assert node["prefLabel"] == {"de": "Programm", "en": "Programme"}
    assert node["altLabel"] == {"@none": ["P1", "P2"]}
    assert node["country"] == "http://publications.europa.eu/resource/authority/country/AUT"
    assert node["lineStart"] == "12"
    assert node["sectoralFocus"] == ["ICT"]
