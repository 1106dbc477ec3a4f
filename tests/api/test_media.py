"""Content negotiation over the media-type tables."""

from __future__ import annotations

import pytest

from clusterkg.api.media import ResultKind, choose, negotiate, parse_accept

S, G = ResultKind.SOLUTIONS, ResultKind.GRAPH


@pytest.mark.parametrize(
    ("accept", "kind", "expected"),
    [
        (None, S, "application/sparql-results+json"),
        ("", G, "text/turtle"),
        ("*/*", G, "text/turtle"),
        ("application/json", S, "application/sparql-results+json"),
        ("application/json", G, "application/ld+json"),
        ("application/xml", S, "application/sparql-results+xml"),
        ("application/xml", G, "application/rdf+xml"),
        ("text/*;q=0.5, application/n-triples;q=0.4", G, "text/turtle"),
        ("text/turtle;q=0.1, application/n-triples;q=0.4", G, "application/n-triples"),
        ("text/csv;q=0.3, text/tab-separated-values;q=0.7", S, "text/tab-separated-values"),
        ("text/*, text/csv;q=0", S, "text/tab-separated-values"),
        ("TEXT/CSV", S, "text/csv"),
        ("text/csv; charset=utf-8; q=0.9, */*;q=0.1", S, "text/csv"),
        ("text/html", S, None),
        ("text/html", G, None),
        ("garbage", S, "application/sparql-results+json"),
        ("text/csv;q=nope, application/sparql-results+xml;q=0.1", S,
         "application/sparql-results+xml"),
    ],
)
def test_negotiate(accept: str | None, kind: ResultKind, expected: str | None) -> None:
    chosen = negotiate(accept, kind)
    assert (chosen.media_type if chosen else None) == expected


def test_parse_accept() -> None:
    ranges = parse_accept("text/turtle;q=0.5, */*")
    assert [(r.type, r.subtype, r.q) for r in ranges] == [("text", "turtle", 0.5), ("*", "*", 1.0)]


@pytest.mark.parametrize(
    ("forced", "kind", "expected"),
    [
        (["json"], S, "application/sparql-results+json"),
        (["json"], G, "application/ld+json"),
        (["xml"], G, "application/rdf+xml"),
        (["rdf+xml", "application/rdf+xml"], G, "application/rdf+xml"),
        (["n3"], G, "text/turtle"),
        (["text/csv"], S, "text/csv"),
        (["bogus", "tsv"], S, "text/tab-separated-values"),
        (["ttl"], S, None),
    ],
)
def test_format_parameter(forced: list[str], kind: ResultKind, expected: str | None) -> None:
    chosen = choose("text/csv", forced, kind)
    assert (chosen.media_type if chosen else None) == expected
