"""One item of a collection as framed, compacted JSON-LD (or as RDF in any format).

The collection's CONSTRUCT gathers the item's own statements, its owned nodes in full and the
labels of what it links to; Oxigraph writes that graph as JSON-LD (the fast path: pyld's own
RDF-to-JSON-LD conversion is far slower, see `bench/jsonld.py`), then pyld frames it with the
collection's frame file and compacts it with the published context, through the local
document loader only. Every statement in the output is one of the graph's.
"""

from __future__ import annotations

import json
import re
from functools import cache
from typing import cast

import pyoxigraph as ox
from pyld import jsonld

from clusterkg import iris
from clusterkg.api.collection_spec import FRAMES_DIR, CollectionSpec, sparql_prologue
from clusterkg.api.compact import Json
from clusterkg.api.ldcontext import CONTEXT_V1, local_loader
from clusterkg.graph.store import Store

KEY_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)*$"
_KEY = re.compile(KEY_PATTERN)
MAX_KEY = 300
RDF_TYPE = iris.RDF + "type"
_ITEM = re.compile(r"\?item\b")


class UnknownItem(LookupError):
    """No member of the collection has this key (HTTP 404)."""


@cache
def frame_document(name: str) -> str:
    """The frame file's text (parsed per call: pyld may alter what it is given)."""
    text: str = (FRAMES_DIR / name).read_text(encoding="utf-8")
    return text


def key_of(spec: CollectionSpec, iri: str) -> str:
    """The key of a member IRI: its path after the collection's base."""
    for base in spec.bases:
        if iri.startswith(base):
            return iri[len(base) :]
    raise ValueError(f"{iri} is under none of the bases of {spec.name}")


def resolve(spec: CollectionSpec, key: str, store: Store) -> str:
    """The IRI of the member with `key`; UnknownItem if the key is malformed or unknown."""
    if len(key) > MAX_KEY or not _KEY.match(key):
        raise UnknownItem(f"{key!r} is not a key of {spec.name}")
    classes = " ".join(f"<{c}>" for c in spec.classes)
    for base in spec.bases:
        iri = ox.NamedNode(base + key)
        asked = store.query(f"ASK {{ VALUES ?c {{ {classes} }} {iri} a ?c }}")
        if isinstance(asked, ox.QueryBoolean) and bool(asked):
            return iri.value
    raise UnknownItem(f"no {spec.name} member with key {key!r}")


def construct(spec: CollectionSpec, iri: str, store: Store) -> list[ox.Triple]:
    """The item's graph: the collection's CONSTRUCT with ?item bound, duplicates removed."""
    # ?item is replaced by the IRI itself (validated by `resolve`, written by Oxigraph): a
    # VALUES binding would not reach inside the UNION branches, which SPARQL evaluates first.
    text = sparql_prologue() + _ITEM.sub(str(ox.NamedNode(iri)).replace("\\", ""), spec.construct)
    result = store.query(text)
    assert isinstance(result, ox.QueryTriples)
    return sorted(set(result), key=str)


def oxigraph_jsonld(triples: list[ox.Triple]) -> list[dict[str, object]]:
    """Expanded JSON-LD of the triples, written by Oxigraph (the fast path)."""
    data = ox.serialize(triples, format=ox.RdfFormat.JSON_LD)
    assert data is not None
    parsed = json.loads(data)
    nodes = cast(list[dict[str, object]], parsed if isinstance(parsed, list) else [parsed])
    return [_types_as_keyword(node) for node in nodes]


def _types_as_keyword(node: dict[str, object]) -> dict[str, object]:
    """Oxigraph writes rdf:type as a property; JSON-LD's `@type` is the same statement and is
    what frames match and the context names (a literal-valued rdf:type stays a property)."""
    values = node.get(RDF_TYPE)
    if not isinstance(values, list):
        return node
    iris = [v["@id"] for v in values if isinstance(v, dict) and set(v) == {"@id"}]
    rest = [v for v in values if not (isinstance(v, dict) and set(v) == {"@id"})]
    node = dict(node)
    del node[RDF_TYPE]
    if rest:
        node[RDF_TYPE] = rest
    existing = node.get("@type", [])
    node["@type"] = [*(existing if isinstance(existing, list) else [existing]), *iris]
    return node


def pyld_jsonld(triples: list[ox.Triple]) -> list[dict[str, object]]:
    """Expanded JSON-LD of the triples by pyld's own RDF conversion (the slow path, for the
    benchmark and as a cross-check)."""
    nquads = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
    assert nquads is not None
    converted = jsonld.from_rdf(nquads.decode(), {"format": "application/n-quads"})
    return cast(list[dict[str, object]], converted)


def frame(spec: CollectionSpec, iri: str, expanded: list[dict[str, object]]) -> dict[str, Json]:
    """Frame the item's expanded JSON-LD with the collection's frame, compacted by v1."""
    frame_doc = json.loads(frame_document(spec.frame))
    frame_doc["@id"] = iri
    framed = jsonld.frame(
        expanded,
        frame_doc,
        {"documentLoader": local_loader, "omitGraph": True, "omitDefault": True,
         "processingMode": "json-ld-1.1"},
    )
    framed["@context"] = CONTEXT_V1
    return cast(dict[str, Json], framed)


def item_document(
    spec: CollectionSpec, iri: str, store: Store
) -> tuple[dict[str, Json], list[ox.Triple]]:
    """The framed JSON-LD of an item and the triples it was made from."""
    triples = construct(spec, iri, store)
    return frame(spec, iri, oxigraph_jsonld(triples)), triples


def to_triples(document: dict[str, Json]) -> set[tuple[str, str, str]]:
    """A JSON-LD document back to RDF (N-Triples terms), through the local loader only."""
    nquads = jsonld.to_rdf(
        document, {"format": "application/n-quads", "documentLoader": local_loader}
    )
    assert isinstance(nquads, str)
    parsed = ox.parse(nquads.encode(), format=ox.RdfFormat.N_QUADS)
    return {(str(q.subject), str(q.predicate), str(q.object)) for q in parsed}
