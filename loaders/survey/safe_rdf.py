"""Parse uploaded RDF without ever fetching anything: JSON-LD through a refusing document loader.

rdflib's JSON-LD parser fetches every `@context` it cannot find inline (a string, a list, a
nested list, an `@import`, a scoped context in a term definition ...) with no time limit, and
reads `file:` IRIs from the server's disk. A text scan for such places misses some of them, so
the JSON-LD of an upload is expanded by pyld, a JSON-LD 1.1 processor that asks its document
loader for *every* context it needs, wherever the context sits; the loader here refuses them
all. The processor's RDF dataset becomes rdflib terms directly: no other parser is involved.
Turtle, TriG and N-Triples have no way to include other documents; rdflib parses them from a
string (never a URL or a path).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import NoReturn

import rdflib
from pyld import jsonld  # type: ignore[import-untyped,unused-ignore]

from clusterkg import iris
from clusterkg.loaders.survey.limits import HostileInput
from clusterkg.loaders.survey.read import UnusableInput

XSD_STRING = iris.XSD + "string"


class ContextRefused(Exception):
    """Raised by the document loader: nothing is fetched while reading an upload."""

    def __init__(self, iri: str) -> None:
        super().__init__(iri)
        self.iri = iri


def _refuse(url: str, options: object = None) -> NoReturn:
    raise ContextRefused(str(url))


def _context_strings(node: object, inside: bool = False) -> Iterator[str]:
    """Strings standing where a context IRI may stand (for the message when pyld stops early)."""
    if isinstance(node, str):
        if inside:
            yield node
    elif isinstance(node, list):
        for item in node:
            yield from _context_strings(item, inside)
    elif isinstance(node, dict):
        for key, value in node.items():
            if key == "@context" or (key == "@import" and inside):
                yield from _context_strings(value, True)
            else:
                yield from _context_strings(value, False)


def _refused_in(exc: BaseException) -> str | None:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, ContextRefused):
            return current.iri
        cause = getattr(current, "cause", None)
        current = cause if isinstance(cause, BaseException) else current.__cause__
    return None


def _refusal(name: str, iri: str) -> HostileInput:
    return HostileInput(
        name,
        f"the JSON-LD names the context <{iri}>: no remote @context (nor a file: one) is ever "
        "fetched; put the context inline in the file",
    )


def parse_jsonld(name: str, text: str) -> rdflib.Graph:
    """The triples of a JSON-LD document whose contexts are all inline."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UnusableInput(
            name, f"malformed JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
        ) from exc
    except RecursionError as exc:
        raise UnusableInput(name, "the JSON is nested too deeply") from exc
    try:
        dataset = jsonld.to_rdf(document, {"documentLoader": _refuse, "base": ""})
    except RecursionError as exc:
        raise UnusableInput(name, "the JSON-LD is nested too deeply") from exc
    except Exception as exc:  # pyld wraps every failure in JsonLdError, with the cause inside
        iri = _refused_in(exc)
        if iri is None:
            iri = next(_context_strings(document), None)
        if iri is not None:
            raise _refusal(name, iri) from exc
        detail = " ".join(str(exc).split())[:300]
        raise UnusableInput(name, f"malformed JSON-LD: {detail}") from exc
    graph = rdflib.Graph()
    for triples in dataset.values():  # every graph of the document, merged as for TriG
        for triple in triples:
            graph.add(
                (_term(triple["subject"]), _term(triple["predicate"]), _term(triple["object"]))
            )
    return graph


def _term(node: dict[str, str]) -> rdflib.term.Node:
    """An rdflib term from pyld's RDF dataset form."""
    if node["type"] == "IRI":
        return rdflib.URIRef(node["value"])
    if node["type"] == "blank node":
        return rdflib.BNode(node["value"].removeprefix("_:"))
    if "language" in node:
        return rdflib.Literal(node["value"], lang=node["language"])
    if node.get("datatype") in (None, XSD_STRING):
        return rdflib.Literal(node["value"])
    return rdflib.Literal(node["value"], datatype=rdflib.URIRef(node["datatype"]))
