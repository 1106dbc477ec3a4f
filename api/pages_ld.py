"""Pages of the linked data, rendered from the Jinja2 templates of `api/templates/ld/`.

A page shows a resource as a researcher or a policy officer reads it: its label and types,
each property under the label of its term with links to the related resources on this server,
the source excerpts every statement comes from (document title, table, lines and the quoted
lines), what points to it, the discrepancies that concern it, and links to its other formats
and to a SPARQL query. Pages carry no script and load nothing from other hosts.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import quote

import jinja2
import pyoxigraph as ox

from clusterkg import __version__, iris
from clusterkg.api.describe import DERIVED, Description, Excerpt
from clusterkg.api.negotiation import DOCUMENT_FORMATS, EXTENSIONS
from clusterkg.paths import API_DIR

TEMPLATES = API_DIR / "templates" / "ld"
RDF_TYPE = iris.RDF + "type"
XSD = iris.XSD
CKG = iris.ONTOLOGY
CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'self'"
)
PAGE_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def local(iri: str) -> str | None:
    """The path on this server that serves `iri`, or None for an IRI it describes but does
    not own (countries, NUTS codes): those get `/resource?iri=`."""
    if iri.startswith(iris.ONTOLOGY):
        return "/ontology#" + iri.removeprefix(iris.ONTOLOGY)
    if iri.startswith(iris.BASE):
        return "/" + iri.removeprefix(iris.BASE)
    return None


def href(iri: str) -> str:
    """A link to the page of `iri` on this server."""
    return local(iri) or "/resource?iri=" + quote(iri, safe="")


@dataclass(frozen=True)
class Value:
    """One object of a property as the page shows it."""

    text: str
    link: str | None
    lang: str | None
    datatype: str | None
    sources: tuple[Excerpt, ...]
    graph: str
    inferred: bool


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(href=href, version=__version__, quote=quote)
    return env


def _value(desc: Description, term: ox.NamedNode | ox.BlankNode | ox.Literal, graph: str) -> Value:
    sources = tuple(desc.excerpts.get(graph, ()))
    inferred = graph == iris.graph_iri("inferred")
    if isinstance(term, ox.Literal):
        datatype = term.datatype.value
        shown = None if datatype in (XSD + "string",) or term.language else datatype
        short = shown.removeprefix(XSD) if shown else None
        return Value(term.value, None, term.language, short, sources, graph, inferred)
    if isinstance(term, ox.NamedNode):
        return Value(desc.label(term.value), href(term.value), None, None, sources, graph,
                     inferred)
    return Value("(blank node)", None, None, None, sources, graph, inferred)


def properties(desc: Description) -> list[tuple[str, str, list[Value]]]:
    """(term label, term link, values) per property, types and provenance links left out
    (the page shows those in their own sections)."""
    grouped: dict[str, list[Value]] = defaultdict(list)
    for st in desc.outgoing:
        if st.predicate in (RDF_TYPE, DERIVED):
            continue
        grouped[st.predicate].append(_value(desc, st.term, st.graph))
    rows = [(desc.label(p), href(p), values) for p, values in grouped.items()]
    return sorted(rows, key=lambda row: row[0].lower())


def types(desc: Description) -> list[tuple[str, str, bool]]:
    """(label, link, inferred) of each type, stated types first."""
    seen: dict[str, tuple[str, str, bool]] = {}
    for st in desc.outgoing:
        if st.predicate == RDF_TYPE and isinstance(st.term, ox.NamedNode):
            inferred = st.graph == iris.graph_iri("inferred")
            if st.term.value not in seen or not inferred:
                seen[st.term.value] = (desc.label(st.term.value), href(st.term.value), inferred)
    return sorted(seen.values(), key=lambda t: (t[2], t[0].lower()))


def incoming(desc: Description) -> list[tuple[str, list[tuple[str, str]]]]:
    """("Resources whose <term> is this", [(label, link)]) per property pointing here."""
    grouped: dict[str, dict[str, str]] = defaultdict(dict)
    for subject, predicate, _graph in desc.incoming:
        grouped[predicate][subject] = desc.label(subject)
    rows = []
    for predicate, subjects in grouped.items():
        heading = f"Resources whose “{desc.label(predicate)}” is this"
        items = sorted(((label, href(s)) for s, label in subjects.items()), key=lambda x: x[0])
        rows.append((heading, items))
    return sorted(rows, key=lambda row: row[0].lower())


def formats(path: str, query: str = "") -> list[tuple[str, str, str]]:
    """(name, media type, link) of each representation of the document at `path`."""
    names = {"HTML": "HTML", "Turtle": "Turtle", "N-Triples": "N-Triples",
             "RDF_XML": "RDF/XML", "JSON-LD": "JSON-LD"}
    return [(names[f.name], f.media_type, f"{path}.{EXTENSIONS[f.name]}{query}")
            for f in DOCUMENT_FORMATS]


def sparql_links(iri: str) -> tuple[str, str]:
    """The query page with a DESCRIBE of `iri`, and the endpoint's Turtle answer to it."""
    query = f"DESCRIBE <{iri}>"
    return "/?query=" + quote(query, safe=""), "/sparql?format=ttl&query=" + quote(query, safe="")


def render(template: str, **context: object) -> str:
    """Render one template of `api/templates/ld/`."""
    return environment().get_template(template).render(**context)


def resource_page(
    desc: Description, path: str, discrepancies: list[dict[str, str]], query: str = "",
    extra: dict[str, object] | None = None, template: str = "resource.html",
) -> str:
    """The page of one resource."""
    graphs = sorted({st.graph for st in desc.outgoing})
    explore, endpoint = sparql_links(desc.iri)
    return render(
        template,
        iri=desc.iri,
        title=desc.label(desc.iri),
        types=types(desc),
        properties=properties(desc),
        incoming=incoming(desc),
        incoming_truncated=desc.incoming_truncated,
        sources=[e for graph in sorted(desc.excerpts) for e in desc.excerpts[graph]],
        graphs=[(desc.label(g), href(g)) for g in graphs],
        discrepancies=discrepancies,
        formats=formats(path, query),
        sparql_page=explore,
        sparql_endpoint=endpoint,
        **(extra or {}),
    )
