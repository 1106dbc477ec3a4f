"""The answer writers: JSON byte for byte what `json.dumps` writes for the whole document,
whatever the terms (IRIs, blank nodes, plain, typed and tagged literals, escapes, unbound
cells, quoted triples), in one chunk or many. Formula prefixes, the answer cap and long
literals are tested in `test_hardening.py`."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest

from clusterkg.api.writers import AnswerSink, term_json, write_json

QUERY = """
SELECT ?a ?b ?c WHERE {
  VALUES (?a ?b ?c) {
    (<http://example.org/x> "plain" "tagged"@en-GB)
    ("42"^^<http://www.w3.org/2001/XMLSchema#integer> UNDEF "quote \\" back\\\\slash \\t tab")
    ("unicode é ✓ \\u0001 ctl" <http://example.org/ü> UNDEF)
    (UNDEF UNDEF UNDEF)
  }
}
"""


def _rows(store: ox.Store, query: str) -> tuple[list[str], list[ox.QuerySolution]]:
    result = store.query(query)
    assert isinstance(result, ox.QuerySolutions)
    return [v.value for v in result.variables], list(result)


def _reference(variables: list[str], rows: list[ox.QuerySolution]) -> bytes:
    document = {"head": {"vars": variables}, "results": {"bindings": [
        {n: term_json(t) for n, t in zip(variables, row, strict=True) if t is not None}
        for row in rows]}}
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


@pytest.mark.parametrize("chunk", [1 << 20, 7])
def test_json_is_what_json_dumps_writes(chunk: int) -> None:
    store = ox.Store()
    store.add(ox.Quad(ox.BlankNode("b1"), ox.NamedNode("http://example.org/p"),
                      ox.Literal("v"), ox.DefaultGraph()))
    for query in (QUERY, "SELECT ?s ?p ?o WHERE { ?s ?p ?o }", "SELECT ?x WHERE { }",
                  "SELECT ?x WHERE { FILTER(false) }",
                  "SELECT ?t WHERE { BIND(<<( <http://e/s> <http://e/p> 'o' )>> AS ?t) }"):
        variables, rows = _rows(store, query)
        out: list[bytes] = []
        sink = AnswerSink(1 << 30, out.append, chunk=chunk)
        write_json(sink, variables, rows)
        body = b"".join(out) + sink.rest()
        assert body == _reference(variables, rows), query


def test_json_batches_many_rows() -> None:
    numbers = " ".join(str(i) for i in range(20_000))
    query = f"SELECT ?i ?s WHERE {{ VALUES ?i {{ {numbers} }} BIND(STR(?i) AS ?s) }}"
    variables, rows = _rows(ox.Store(), query)
    out: list[bytes] = []
    sink = AnswerSink(1 << 30, out.append, chunk=1 << 16)
    write_json(sink, variables, rows)
    assert len(out) > 3
    assert b"".join(out) + sink.rest() == _reference(variables, rows)
