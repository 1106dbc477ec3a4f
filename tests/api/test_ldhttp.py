"""Representation choice of the JSON-LD API."""

from __future__ import annotations

import pytest

from clusterkg.api import media, negotiation
from clusterkg.api.ldhttp import FORMAT_NAMES, JSONLD, OFFERED, NotAcceptable, choose


@pytest.mark.parametrize(
    ("accept", "fmt", "content_type"),
    [
        (None, None, "application/ld+json"),
        ("", None, "application/ld+json"),
        ("*/*", None, "application/ld+json"),
        ("text/*", None, "text/turtle"),
        ("application/json", None, "application/json"),
        ("application/json;q=0.5, application/ld+json", None, "application/ld+json"),
        ("application/rdf+xml;q=0.9, text/turtle;q=0.8", None, "application/rdf+xml"),
        ("text/html, */*;q=0.1", None, "application/ld+json"),
        ("text/html", "ttl", "text/turtle"),
        ("text/turtle", "json", "application/json"),
        (None, "nt", "application/n-triples"),
        ("text/plain", None, "application/n-triples"),  # aliases of the one table
        ("application/xml", None, "application/rdf+xml"),
        ("application/x-turtle", None, "text/turtle"),
    ],
)
def test_choose(accept: str | None, fmt: str | None, content_type: str) -> None:
    assert choose(accept, fmt)[1] == content_type


def test_choose_refuses_what_is_not_offered() -> None:
    with pytest.raises(NotAcceptable, match="offered"):
        choose("text/html, application/xhtml+xml", None)
    with pytest.raises(NotAcceptable, match="format"):
        choose(None, "pdf")
    with pytest.raises(NotAcceptable):
        choose("application/ld+json;q=0", None)
    assert choose("application/ld+json", None)[0] is JSONLD


def test_one_table_with_a_default_per_route() -> None:
    """`/api`, the IRIs and SPARQL graphs offer the same entries of `media.GRAPH_FORMATS`
    (the IRIs add HTML); only which comes first differs."""
    assert OFFERED[0] is JSONLD is media.by_name("JSON-LD")
    assert negotiation.DOCUMENT_FORMATS[0] is media.HTML
    assert set(OFFERED) == set(negotiation.DOCUMENT_FORMATS) - {media.HTML}
    assert set(OFFERED) == set(media.GRAPH_FORMATS)
    assert media.GRAPH_FORMATS[0] is media.document_formats("Turtle")[0]
    assert FORMAT_NAMES == ("jsonld", "ttl", "nt", "rdf", "json")
    assert negotiation.EXTENSIONS == {
        "HTML": "html", "Turtle": "ttl", "N-Triples": "nt", "RDF_XML": "rdf", "JSON-LD": "jsonld"
    }  # fmt: skip
    with pytest.raises(KeyError):
        media.document_formats("SPARQL_Results_JSON")
