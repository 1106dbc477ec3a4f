"""The query tokenizer: SERVICE is found where it is a keyword and only there."""

from __future__ import annotations

import pytest

from clusterkg.api.inspection import decode_codepoints, inspect_query, refused_services

ALLOWED = ("https://allowed.example.org/sparql",)


@pytest.mark.parametrize(
    ("query", "services"),
    [
        ("SELECT * { ?s ?p ?o }", []),
        ("SELECT * { SERVICE <http://a/> { ?s ?p ?o } }", ["http://a/"]),
        ("select * { service silent <http://a/> {} }", ["http://a/"]),
        ("PREFIX e: <http://e/> SELECT * { SERVICE e:x {} }", ["http://e/x"]),
        ("PREFIX : <http://e/> SELECT * { SERVICE :x {} }", ["http://e/x"]),
        ("BASE <http://b/> SELECT * { SERVICE <sparql> {} }", ["http://b/sparql"]),
        ("SELECT * { SERVICE ?e {} }", ["?e"]),
        ("SELECT * { ?s ?p 'SERVICE <http://a/>' }", []),
        ('SELECT * { ?s ?p """x\nSERVICE <http://a/> "" y""" }', []),
        ("# SERVICE <http://a/>\nSELECT * {}", []),
        ("SELECT * { ?s <http://e/SERVICE> ?o }", []),
        ("SELECT * { ?s e:SERVICE ?o }", []),
        ("SELECT ?SERVICE { ?SERVICE ?p ?o }", []),
        ("SELECT * { \\u0053ERVICE <http://a/> {} }", ["http://a/"]),
        # decoded, the escape ends the string early and exposes SERVICE: both readings count
        ('SELECT * { ?s ?p "\\u0022 } SERVICE <http://a/> { ?s ?p "" }', ["http://a/"]),
        ("SELECT * { SERVICE <http://a/> {} SERVICE <http://b/> {} }", ["http://a/", "http://b/"]),
        ("SELECT * { FILTER(?a<?b) SERVICE <http://a/> {} FILTER(?c>?d) }", ["http://a/"]),
    ],
)
def test_services(query: str, services: list[str]) -> None:
    assert inspect_query(query).services == services


def test_allowlist() -> None:
    info = inspect_query(
        "SELECT * { SERVICE <https://allowed.example.org/sparql> {} SERVICE <http://x/> {} }"
    )
    assert refused_services(info, ALLOWED) == ["http://x/"]
    assert refused_services(inspect_query("SELECT * { SERVICE ?e {} }"), ("?e",)) == ["?e"]


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


def test_decode_codepoints() -> None:
    assert decode_codepoints("\\u0041\\U0001F600") == "A\U0001f600"
