"""Representation choice of the JSON-LD API."""

from __future__ import annotations

import pytest

from clusterkg.api.ldhttp import JSONLD, NotAcceptable, choose


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
