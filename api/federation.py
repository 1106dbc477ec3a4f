"""Federated `SERVICE` calls, decided on the parsed query (never on a text scan).

The query is parsed by rdflib's SPARQL 1.1 parser and its syntax tree walked for every
`ServiceGraphPattern`, wherever it sits (sub-queries, EXISTS, OPTIONAL, UNION...); each endpoint
is resolved with the query's own prologue (BASE, PREFIX) against the service's declared base.
This runs inside a query worker, under the query's time limit, after the linear nesting-depth
pre-pass of `inspection.check_depth`. Whatever is decided here, every worker but the
federation one also runs without network sockets (`sandbox`).

Only a text in which the letters `service` cannot occur (as written or escape-decoded) skips
the parse: SPARQL has no other spelling of the keyword, so the shortcut cannot hide one.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

# Imported before the workers fork, so the parser's grammar objects are shared by all of them.
from rdflib.plugins.sparql.algebra import translatePrologue
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.term import URIRef, Variable

from clusterkg.api.inspection import decode_codepoints

VARIABLE = "?"


@dataclass(frozen=True)
class Federation:
    """What the parse says: `parsed` False if the parser could not read the query; the
    resolved SERVICE endpoints (`?name` for a variable) otherwise."""

    parsed: bool
    endpoints: tuple[str, ...] = ()
    error: str = ""

    def refused(self, allowlist: Iterable[str]) -> list[str]:
        """Endpoints not on the allow-list; variables and odd IRIs are never allowed."""
        allowed = set(allowlist)
        return [e for e in self.endpoints if e.startswith(VARIABLE) or e not in allowed or
                "\\" in e]


def may_name_a_service(text: str) -> bool:
    """False only when no reading of the text can contain the SERVICE keyword."""
    return "service" in text.lower() or "service" in decode_codepoints(text).lower()


@lru_cache(maxsize=256)
def federation(text: str, base: str | None) -> Federation:
    """The SERVICE endpoints of a query (cached: named queries repeat their text)."""
    if not may_name_a_service(text):
        return Federation(parsed=True)
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 50_000))  # pyparsing recurses per nesting level
    try:
        tree = parseQuery(text)
        prologue = translatePrologue(tree[0], base)
        endpoints = tuple(_endpoint(term, prologue) for term in _service_terms(tree[1]))
    except Exception as error:  # any failure: the query cannot be trusted
        return Federation(parsed=False, error=str(error).splitlines()[0][:300])
    finally:
        sys.setrecursionlimit(limit)
    return Federation(parsed=True, endpoints=endpoints)


def _service_terms(root: object) -> list[object]:
    """Every ServiceGraphPattern's `term`, found by an explicit-stack walk of the tree."""
    found: list[object] = []
    stack: list[object] = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, CompValue):
            if node.name == "ServiceGraphPattern":
                found.append(node.get("term"))
            stack.extend(node.values())
        elif isinstance(node, list | tuple) or type(node).__name__ == "ParseResults":
            stack.extend(iter(node))  # type: ignore[call-overload]
    return found


def _endpoint(term: object, prologue: object) -> str:
    if isinstance(term, Variable):
        return VARIABLE + str(term)
    resolved = prologue.absolutize(term)  # type: ignore[attr-defined]
    if not isinstance(resolved, URIRef):
        raise ValueError(f"SERVICE endpoint is not an IRI: {term!r}")
    return str(resolved)
