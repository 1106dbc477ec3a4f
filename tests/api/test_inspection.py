"""The query tokenizer: nesting depth, form, prefixes and FROM, in linear time."""

from __future__ import annotations

import time

import pytest

from clusterkg.api.inspection import (
    QueryTooDeep,
    check_depth,
    decode_codepoints,
    inspect_query,
    nesting_depth,
)


@pytest.mark.parametrize(
    ("query", "form"),
    [
        ("PREFIX s: <http://select/> ASK { ?s s:p ?o }", "ASK"),
        ("construct where { ?s ?p ?o }", "CONSTRUCT"),
        ("DESCRIBE <http://x/>", "DESCRIBE"),
        ("SELECT * { { SELECT ?s { ?s ?p ?o } } }", "SELECT"),
        ("# CONSTRUCT\nSELECT * {}", "SELECT"),
        ("INSERT DATA {}", None),
    ],
)
def test_form(query: str, form: str | None) -> None:
    assert inspect_query(query).form == form


def test_prefixes_and_from() -> None:
    info = inspect_query("PREFIX ex: <http://e/>\nPREFIX : <http://d/>\nSELECT * FROM <g:1> {}")
    assert info.prefixes == {"ex": "http://e/", "": "http://d/"}
    assert info.has_from
    assert not inspect_query("SELECT * { ?s <http://e/from> 'FROM' }").has_from
    assert inspect_query("BASE <http://b/> PREFIX x: <y/> ASK {}").prefixes == {"x": "http://b/y/"}


def test_decode_codepoints() -> None:
    assert decode_codepoints("\\u0041\\U0001F600") == "A\U0001f600"


@pytest.mark.parametrize(
    ("query", "depth"),
    [
        ("SELECT * { ?s ?p ?o }", 1),
        ("SELECT * { { ?s ?p ?o } FILTER((?a)) }", 3),
        ("SELECT * { ?s ?p '{{{{{{' } # ((((((", 1),
        ("SELECT * { ?s ?p \"}}}}}}\" {{ }} }", 3),  # closers in strings hide nothing
        ("SELECT * { ?s ?p [ ?q [ ?r ?o ] ] }", 3),
    ],
)
def test_nesting_depth(query: str, depth: int) -> None:
    assert nesting_depth(query) == depth


def test_depth_limit_as_written_and_decoded() -> None:
    deep = "SELECT * " + "{" * 10_000 + "}" * 10_000
    with pytest.raises(QueryTooDeep, match="10000 deep; the limit is 128"):
        check_depth(deep, 128)
    escaped = "SELECT * " + "\\u007B" * 200 + "\\u007D" * 200
    with pytest.raises(QueryTooDeep, match="200 deep"):
        check_depth(escaped, 128)
    check_depth("SELECT * { { ?s ?p ?o } }", 128)


def test_depth_check_is_linear() -> None:
    """Measured against itself: 8x the text costs well under 8x squared the time."""
    def cost(n: int) -> float:
        text = "SELECT * { " + "{ ?s ?p 'x' } " * n + "}"
        start = time.perf_counter()
        check_depth(text, 128)
        return time.perf_counter() - start

    small, large = min(cost(2_000) for _ in range(3)), min(cost(16_000) for _ in range(3))
    assert large < small * 24  # linear is ~8x; the old quadratic scan was ~64x


@pytest.mark.parametrize(
    "query",
    [
        "PREFIX ex: <http://e/>\nBASE <http://b/> PREFIX x: <y/> SELECT * FROM <g:1> { ?s ?p ?o }",
        "# CONSTRUCT\nconstruct where { ?s ?p [ ?q '}}' ] } # ((",
        "ASK { \\u007B ?s ?p ?o \\u007D }",
        "SELECT * { ?s <http://e/from> 'FROM' . FILTER((?s)) }",
    ],
)
def test_examine_is_both_checks_in_one_pass(query: str) -> None:
    """The worker's one pass answers as `check_depth` and `inspect_query` do, and refuses what
    `check_depth` refuses, as written or decoded."""
    from clusterkg.api.inspection import examine

    assert examine(query, 128) == inspect_query(query)
    depth = max(nesting_depth(query), nesting_depth(decode_codepoints(query)))
    with pytest.raises(QueryTooDeep):
        examine(query, depth - 1)
    with pytest.raises(QueryTooDeep):
        check_depth(query, depth - 1)
    examine(query, depth)
