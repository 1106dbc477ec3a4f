"""What the graph says about one IRI: its statements (with the named graph of each), the
statements that point to it, the labels of every term and resource they mention, and the
source excerpts each statement comes from.

The resolver turns this into an RDF document or a page. Provenance per fact follows the
build's layout: a statement sits in the named graph of the table that states it
(`graph/002/table-8`), and the resource is `prov:wasDerivedFrom` excerpts of that same table
(`source/002_…/table-8/L2398-2398`), so the excerpts of a statement are those of its graph.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

import pyoxigraph as ox
import yaml

from clusterkg import iris
from clusterkg.graph.store import Store
from clusterkg.paths import API_DIR, SOURCES_DIR

INCOMING_LIMIT = 500
# In order of preference; `rdf:value` last, for the nodes whose text is what they are (a
# respondent's additional answer, a finding of Table 1), never shown by the IRI's last segment.
LABEL_PROPERTIES = (
    iris.SKOS + "prefLabel",
    iris.RDFS + "label",
    iris.DCTERMS + "title",
    iris.RDF + "value",
)
DERIVED = iris.PROV + "wasDerivedFrom"
CKG = iris.ONTOLOGY


# RFC 3987 / SPARQL IRIREF: no spaces, controls or <>"{}|^`\ -- so an IRI taken from a request
# can be written between angle brackets of a query without changing the query.
_IRIREF = re.compile(r'^[a-zA-Z][a-zA-Z0-9+.-]*:[^\x00-\x20<>"{}|^`\\]*$')


def is_iri(text: str) -> bool:
    """Whether `text` is an absolute IRI that may be embedded in a SPARQL query as `<text>`."""
    return len(text) <= 2000 and bool(_IRIREF.match(text))


def select(store: Store, query: str) -> ox.QuerySolutions:
    """Solutions of a SELECT query (the Store protocol answers every query form)."""
    result = store.query(query)
    if not isinstance(result, ox.QuerySolutions):
        raise TypeError(f"expected solutions of a SELECT query, got {type(result).__name__}")
    return result


def construct(store: Store, query: str) -> list[ox.Triple]:
    """Triples of a CONSTRUCT query."""
    result = store.query(query)
    if not isinstance(result, ox.QueryTriples):
        raise TypeError(f"expected triples of a CONSTRUCT query, got {type(result).__name__}")
    return [ox.Triple(t.subject, t.predicate, t.object) for t in result]


@dataclass(frozen=True)
class Statement:
    """One triple about (or towards) the resource, and the named graph that holds it."""

    predicate: str
    term: ox.NamedNode | ox.BlankNode | ox.Literal
    graph: str


@dataclass(frozen=True)
class Excerpt:
    """A line range of a source document, with the lines themselves."""

    iri: str
    document: str
    title: str
    table: str | None
    line_start: int
    line_end: int
    lines: tuple[str, ...]


@dataclass
class Description:
    """Everything a page or an RDF document of one resource needs."""

    iri: str
    outgoing: list[Statement] = field(default_factory=list)
    incoming: list[tuple[str, str, str]] = field(default_factory=list)  # subject, predicate, g
    incoming_truncated: bool = False
    labels: dict[str, str] = field(default_factory=dict)
    excerpts: dict[str, list[Excerpt]] = field(default_factory=dict)  # graph -> excerpts

    @property
    def exists(self) -> bool:
        return bool(self.outgoing or self.incoming)

    def triples(self) -> list[ox.Triple]:
        """Its RDF document: the statements about it and those that point to it (once each)."""
        subject = ox.NamedNode(self.iri)
        seen: dict[ox.Triple, None] = {}
        for st in self.outgoing:
            seen[ox.Triple(subject, ox.NamedNode(st.predicate), st.term)] = None
        for s, p, _g in self.incoming:
            seen[ox.Triple(ox.NamedNode(s), ox.NamedNode(p), subject)] = None
        return list(seen)

    def label(self, iri: str) -> str:
        return self.labels.get(iri) or _fallback_label(iri)


def _fallback_label(iri: str) -> str:
    """The last segment of an IRI without a label (never shown for ontology terms, which all
    have one)."""
    for sep in ("#", "/"):
        if sep in iri.rstrip("/"):
            return iri.rstrip("/").rsplit(sep, 1)[1]
    return iri


@lru_cache(maxsize=1)
def term_labels() -> dict[str, str]:
    """English labels of the terms of other vocabularies the pages show (`term-labels.yaml`)."""
    raw = yaml.safe_load((API_DIR / "term-labels.yaml").read_text(encoding="utf-8"))
    return {str(k): str(v) for k, v in raw.items()}


def best_labels(store: Store, terms: set[str]) -> dict[str, str]:
    """One label per IRI: English first, then untagged, then any language."""
    if not terms:
        return {}
    values = " ".join(f"<{t}>" for t in sorted(terms))
    props = " ".join(f"<{p}>" for p in LABEL_PROPERTIES)
    rank: dict[str, tuple[int, str]] = {}
    query = (
        f"SELECT ?x ?p ?l WHERE {{ VALUES ?x {{ {values} }} VALUES ?p {{ {props} }} ?x ?p ?l }}"
    )
    for row in select(store, query):
        x, p, lit = row["x"].value, row["p"].value, row["l"]
        lang = getattr(lit, "language", None)
        tier = 0 if lang == "en" else 1 if not lang else 2
        score = tier * len(LABEL_PROPERTIES) + LABEL_PROPERTIES.index(p)
        if x not in rank or (score, lit.value) < rank[x]:
            rank[x] = (score, lit.value)
    labels = {x: value for x, (_s, value) in rank.items()}
    for term in terms:
        if term.startswith(iris.GRAPH) and term not in labels:
            labels[term] = "graph " + term.removeprefix(iris.GRAPH)
    for term, label in term_labels().items():
        if term in terms and term not in labels:
            labels[term] = label
    return labels


@lru_cache(maxsize=16)
def source_lines(file_name: str) -> tuple[str, ...]:
    """The lines of a bundled source document (file names come from the graph, checked)."""
    path = (SOURCES_DIR / file_name).resolve()
    if not path.is_relative_to(SOURCES_DIR.resolve()) or not path.is_file():
        return ()
    return tuple(path.read_text(encoding="utf-8").splitlines())


def excerpts_of(store: Store, excerpt_iris: list[str]) -> list[Excerpt]:
    """The excerpts with their document's title and the quoted lines."""
    if not excerpt_iris:
        return []
    values = " ".join(f"<{e}>" for e in sorted(set(excerpt_iris)))
    query = f"""
        SELECT ?e ?doc ?title ?file ?table ?start ?end WHERE {{
          VALUES ?e {{ {values} }}
          ?e <{CKG}sourceDocument> ?doc ; <{CKG}lineStart> ?start ; <{CKG}lineEnd> ?end .
          OPTIONAL {{ ?e <{CKG}sourceTable> ?table }}
          OPTIONAL {{ ?doc <{iris.DCTERMS}title> ?title }}
          OPTIONAL {{ ?doc <{CKG}fileName> ?file }}
        }} ORDER BY ?doc ?start"""
    found: dict[str, Excerpt] = {}
    for row in select(store, query):
        start, end = int(row["start"].value), int(row["end"].value)
        file_row = row["file"]
        lines = source_lines(file_row.value)[start - 1 : end] if file_row else ()
        title = row["title"].value if row["title"] else _fallback_label(row["doc"].value)
        found.setdefault(row["e"].value, Excerpt(
            iri=row["e"].value, document=row["doc"].value, title=title,
            table=row["table"].value if row["table"] else None,
            line_start=start, line_end=end, lines=tuple(lines),
        ))
    return list(found.values())


def graph_of_excerpt(excerpt: str) -> str | None:
    """The named graph holding the statements of an excerpt's table (or prose)."""
    rest = excerpt.removeprefix(iris.SOURCE)
    parts = rest.split("/")
    if rest == excerpt or len(parts) != 3:
        return None
    return str(iris.graph_iri(f"{parts[0].split('_', 1)[0]}/{parts[1]}"))


def describe(store: Store, iri: str) -> Description:
    """The description of `iri` from every named graph of the store."""
    desc = Description(iri)
    node = f"<{iri}>"
    for row in select(
        store, f"SELECT ?p ?o ?g WHERE {{ GRAPH ?g {{ {node} ?p ?o }} }} ORDER BY ?p ?o ?g"
    ):
        desc.outgoing.append(Statement(row["p"].value, row["o"], row["g"].value))
    for row in select(
        store, f"SELECT ?s ?p ?g WHERE {{ GRAPH ?g {{ ?s ?p {node} FILTER(isIRI(?s)) }} }} "
        f"ORDER BY ?p ?s LIMIT {INCOMING_LIMIT + 1}"
    ):
        desc.incoming.append((row["s"].value, row["p"].value, row["g"].value))
    if len(desc.incoming) > INCOMING_LIMIT:
        desc.incoming, desc.incoming_truncated = desc.incoming[:INCOMING_LIMIT], True
    mentioned = {iri} | {st.predicate for st in desc.outgoing}
    mentioned |= {st.term.value for st in desc.outgoing if isinstance(st.term, ox.NamedNode)}
    mentioned |= {s for s, _p, _g in desc.incoming} | {p for _s, p, _g in desc.incoming}
    mentioned |= {st.graph for st in desc.outgoing}
    desc.labels = best_labels(store, mentioned)
    derived = [st.term.value for st in desc.outgoing if st.predicate == DERIVED]
    for excerpt in excerpts_of(store, derived):
        graph = graph_of_excerpt(excerpt.iri)
        if graph:
            desc.excerpts.setdefault(graph, []).append(excerpt)
    return desc


def exists(store: Store, iri: str) -> bool:
    """Whether the graph mentions `iri` as a subject, an object or a graph name."""
    node = f"<{iri}>"
    answer = store.query(
        f"ASK {{ {{ {node} ?p ?o }} UNION {{ ?s ?p {node} }} "
        f"UNION {{ GRAPH {node} {{ ?s ?p ?o }} }} }}"
    )
    return isinstance(answer, ox.QueryBoolean) and bool(answer)
