"""Compaction of a node's statements by the published context, without pyld.

Collection pages list up to 100 members with a handful of statements each; pyld's general
compaction costs milliseconds per node, while the rules the context uses (term per IRI, `@id`
coercion, typed literals, language maps, `@set`) are few. This module applies exactly those
rules and falls back to the full IRI and expanded value objects whenever a value does not fit
its term, so the output always converts back to the same triples (tested against pyld).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import pyoxigraph as ox

from clusterkg import iris
from clusterkg.api.ldcontext import terms

RDF_TYPE = iris.RDF + "type"
XSD_STRING = iris.XSD + "string"
RDF_LANGSTRING = iris.RDF + "langString"

Json = str | int | float | bool | None | list["Json"] | dict[str, "Json"]


@dataclass(frozen=True)
class Term:
    """One term of the context, with its definition expanded."""

    name: str
    iri: str
    type: str | None  # "@id" or a datatype IRI
    language: str | None
    language_map: bool
    is_set: bool


def _expand(value: str, prefixes: dict[str, str]) -> str:
    prefix, sep, local = value.partition(":")
    if sep and prefix in prefixes and not local.startswith("//"):
        return prefixes[prefix] + local
    return value


@cache
def context_terms() -> tuple[dict[str, Term], dict[str, str]]:
    """Property terms by IRI, and class terms (IRI -> name), of the published context."""
    ctx = terms()
    prefixes = {k: v for k, v in ctx.items() if isinstance(v, str) and v.endswith(("#", "/"))}
    properties: dict[str, Term] = {}
    classes: dict[str, str] = {}
    for name, definition in ctx.items():
        if name.startswith("@") or name in prefixes:
            continue
        if isinstance(definition, str):
            if not definition.startswith("@"):
                classes[_expand(definition, prefixes)] = name
            continue
        if not isinstance(definition, dict) or "@id" not in definition:
            continue
        container = definition.get("@container", [])
        containers = [container] if isinstance(container, str) else list(container)
        raw_type = definition.get("@type")
        properties[_expand(str(definition["@id"]), prefixes)] = Term(
            name=name,
            iri=_expand(str(definition["@id"]), prefixes),
            type=None if raw_type is None else (
                "@id" if raw_type == "@id" else _expand(str(raw_type), prefixes)
            ),
            language=_optional_str(definition.get("@language")),
            language_map="@language" in containers,
            is_set="@set" in containers,
        )
    return properties, classes


def _optional_str(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _expanded(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> dict[str, Json]:
    if isinstance(term, ox.NamedNode):
        return {"@id": term.value}
    if isinstance(term, ox.BlankNode):
        return {"@id": f"_:{term.value}"}
    if term.language:
        return {"@value": term.value, "@language": term.language}
    if term.datatype.value == XSD_STRING:
        return {"@value": term.value}
    return {"@value": term.value, "@type": term.datatype.value}


def _fits(term: Term, value: ox.NamedNode | ox.BlankNode | ox.Literal) -> Json | None:
    """The compact form of `value` under `term`, or None when it needs the full form."""
    if term.type == "@id":
        return value.value if isinstance(value, ox.NamedNode) else None
    if not isinstance(value, ox.Literal):
        return None if term.type or term.language or term.language_map else {"@id": value.value}
    datatype = value.datatype.value
    if term.type is not None:
        return value.value if datatype == term.type else None
    if term.language is not None:
        return value.value if value.language == term.language else None
    if term.language_map:
        return value.value if datatype in (XSD_STRING, RDF_LANGSTRING) else None
    return value.value if datatype == XSD_STRING else _expanded(value)


def compact_node(
    iri: str, statements: list[tuple[str, ox.NamedNode | ox.BlankNode | ox.Literal]]
) -> dict[str, Json]:
    """The node `iri` with its (predicate IRI, object) statements, compacted by the context."""
    properties, classes = context_terms()
    node: dict[str, Json] = {"id": iri}
    types: list[Json] = []
    grouped: dict[str, list[Json]] = {}
    maps: dict[str, dict[str, list[str]]] = {}
    for predicate, value in statements:
        if predicate == RDF_TYPE and isinstance(value, ox.NamedNode):
            types.append(classes.get(value.value, value.value))
            continue
        term = properties.get(predicate)
        compact = _fits(term, value) if term else None
        if term is None or compact is None:
            grouped.setdefault(predicate, []).append(_expanded(value))
        elif term.language_map:
            assert isinstance(value, ox.Literal)
            maps.setdefault(term.name, {}).setdefault(value.language or "@none", []).append(
                value.value
            )
        else:
            grouped.setdefault(term.name, []).append(compact)
    if types:
        node["type"] = sorted(types, key=str)
    for name, by_language in sorted(maps.items()):
        term = properties[_iri_of(name)]
        language_map: dict[str, Json] = {}
        for lang, values in sorted(by_language.items()):
            texts: list[Json] = list(sorted(values))
            language_map[lang] = texts if term.is_set or len(values) > 1 else values[0]
        node[name] = language_map
    for key, group in sorted(grouped.items()):
        prop = properties.get(_iri_of(key)) if not key.startswith(("http:", "https:")) else None
        listed: list[Json] = sorted(group, key=str)
        node[key] = listed if (prop is None or prop.is_set or len(listed) > 1) else listed[0]
    return node


@cache
def _names() -> dict[str, str]:
    return {term.name: iri for iri, term in context_terms()[0].items()}


def _iri_of(name: str) -> str:
    return _names()[name]
