"""SERVICE is decided on the parsed query: every endpoint found, nothing else taken for one."""

from __future__ import annotations

import pytest

from clusterkg.api.federation import Federation, federation, may_name_a_service

BASE = "http://127.0.0.1:8000/sparql"
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
        ("SELECT * { SERVICE <other> {} }", ["http://127.0.0.1:8000/other"]),
        ("SELECT * { SERVICE ?e {} }", ["?e"]),
        ("SELECT * { ?s ?p 'SERVICE <http://a/>' }", []),
        ('SELECT * { ?s ?p """x\nSERVICE <http://a/> "" y""" }', []),
        ("# SERVICE <http://a/>\nSELECT * {}", []),
        ("SELECT * { ?s <http://e/SERVICE> ?o }", []),
        ("SELECT ?SERVICE { ?SERVICE ?p ?o }", []),
        ("SELECT * { \\u0053ERVICE <http://a/> {} }", ["http://a/"]),
        ("SELECT * { SERVICE <http://a/> {} SERVICE <http://b/> {} }", ["http://a/", "http://b/"]),
        ("SELECT * { FILTER(?a<?b) SERVICE <http://a/> {} FILTER(?c>?d) }", ["http://a/"]),
        ("ASK { FILTER EXISTS { SERVICE <http://a/> {} } }", ["http://a/"]),
        ("SELECT * { { SELECT * { OPTIONAL { SERVICE <http://a/> {} } } } }", ["http://a/"]),
    ],
)
def test_services(query: str, services: list[str]) -> None:
    found = federation(query, BASE)
    assert found.parsed
    assert sorted(found.endpoints) == sorted(services)


@pytest.mark.parametrize(
    "query",
    [
        # the audit's bypasses of the old text scan
        "PREFIX c: <http://127.0.0.1:9/> SELECT * { SERVICEc:glued { ?a ?b ?c } }",
        "PREFIX c: <http://127.0.0.1:9/> SELECT * { SERVICE c:x\\#y { ?a ?b ?c } }",
        "PREFIX c: <http://127.0.0.1:9/> SELECT * { SERV\\u0049CE c:p { ?a ?b ?c } }",
        'SELECT * { ?s ?p "\\u0022 } SERVICE <http://127.0.0.1:9/p> { ?s ?p "" }',
    ],
)
def test_audit_bypasses_are_never_allowed(query: str) -> None:
    found = federation(query, BASE)
    # even if the allow-list named what a sloppy reader would take for the endpoint, the
    # query is either unreadable by the parser (then it runs without network) or refused
    allowlist = ("http://127.0.0.1:9/glued", "http://127.0.0.1:9/x#y")
    assert not found.parsed or found.refused(allowlist)


def test_allowlist() -> None:
    found = federation(
        "SELECT * { SERVICE <https://allowed.example.org/sparql> {} SERVICE <http://x/> {} }", BASE
    )
    assert found.refused(ALLOWED) == ["http://x/"]
    assert Federation(True, ("?e",)).refused(("?e",)) == ["?e"]


def test_shortcut_only_without_the_word() -> None:
    assert not may_name_a_service("SELECT * { ?s ?p ?o }")
    assert may_name_a_service("SELECT * { \\u0073ervice <x> {} }")
    assert may_name_a_service("select * { SeRvIcE <x> {} }")
