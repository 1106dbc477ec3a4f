"""The ontology's HTML documentation page, generated at build time from the ontology graph
(and the concept schemes), self-contained so that it is served without any external asset."""

from __future__ import annotations

from html import escape

import pyoxigraph as ox

from clusterkg import iris
from clusterkg.graph.store import Store

TERMS = """
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?term ?kind ?label ?definition
  (GROUP_CONCAT(DISTINCT STR(?super); separator=" ") AS ?supers)
  (SAMPLE(?d) AS ?domain) (SAMPLE(?r) AS ?range)
WHERE { GRAPH <%s> {
  VALUES ?kind { owl:Class owl:ObjectProperty owl:DatatypeProperty }
  ?term a ?kind ; rdfs:label ?label .
  FILTER (isIRI(?term))
  OPTIONAL { ?term skos:definition ?definition }
  OPTIONAL { ?term rdfs:subClassOf ?super FILTER (isIRI(?super)) }
  OPTIONAL { ?term rdfs:domain ?d FILTER (isIRI(?d)) }
  OPTIONAL { ?term rdfs:range ?r FILTER (isIRI(?r)) }
} }
GROUP BY ?term ?kind ?label ?definition ORDER BY ?kind ?term
"""

SCHEMES = """
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?scheme (SAMPLE(?t) AS ?title) (COUNT(DISTINCT ?c) AS ?n) WHERE { GRAPH <%s> {
  ?scheme a skos:ConceptScheme . OPTIONAL { ?scheme dcterms:title ?t }
  OPTIONAL { ?c skos:inScheme ?scheme }
} } GROUP BY ?scheme ORDER BY ?scheme
"""

STYLE = """body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;
color:#1b1b1b;line-height:1.45}h1{font-size:1.6rem}h2{margin-top:2rem;border-bottom:1px solid #ccc}
.term{margin:1rem 0;padding:.5rem 1rem;border-left:3px solid #2a5db0;background:#f6f8fb}
code{font-size:.9em}.meta{color:#555;font-size:.9em}"""


def _short(value: str) -> str:
    for prefix, ns in (
        ("ckg:", iris.ONTOLOGY),
        ("prov:", "http://www.w3.org/ns/prov#"),
        ("org:", "http://www.w3.org/ns/org#"),
        ("skos:", "http://www.w3.org/2004/02/skos/core#"),
        ("dcterms:", "http://purl.org/dc/terms/"),
        ("schema:", "https://schema.org/"),
        ("foaf:", "http://xmlns.com/foaf/0.1/"),
        ("xsd:", "http://www.w3.org/2001/XMLSchema#"),
        ("rdf:", "http://www.w3.org/1999/02/22-rdf-syntax-ns#"),
        ("rdfs:", "http://www.w3.org/2000/01/rdf-schema#"),
    ):
        if value.startswith(ns):
            return prefix + value[len(ns) :]
    return value


def _link(value: str) -> str:
    short = _short(value)
    if short.startswith("ckg:"):
        return f'<a href="#{escape(short[4:])}"><code>{escape(short)}</code></a>'
    return f"<code>{escape(short)}</code>"


def render_ontology_page(store: Store) -> str:
    """HTML for every class and property: label, definition, superclasses, domain, range."""
    sections: dict[str, list[str]] = {"Class": [], "ObjectProperty": [], "DatatypeProperty": []}
    result = store.query(TERMS % iris.graph_iri("ontology"))
    assert isinstance(result, ox.QuerySolutions)
    for row in result:
        term = row["term"].value
        name = term.removeprefix(iris.ONTOLOGY)
        kind = row["kind"].value.rsplit("#", 1)[-1]
        meta = []
        if row["supers"] is not None and row["supers"].value:
            meta.append("subclass of " + ", ".join(_link(s) for s in row["supers"].value.split()))
        if row["domain"] is not None:
            meta.append("domain " + _link(row["domain"].value))
        if row["range"] is not None:
            meta.append("range " + _link(row["range"].value))
        definition = row["definition"].value if row["definition"] is not None else ""
        sections[kind].append(
            f'<div class="term" id="{escape(name)}"><h3><code>ckg:{escape(name)}</code> '
            f"— {escape(row['label'].value)}</h3><p>{escape(definition)}</p>"
            f'<p class="meta">{" · ".join(meta)}</p></div>'
        )
    schemes = store.query(SCHEMES % iris.graph_iri("vocabularies"))
    assert isinstance(schemes, ox.QuerySolutions)
    scheme_rows = "".join(
        f"<tr><td><code>{escape(r['scheme'].value)}</code></td>"
        f"<td>{escape(r['title'].value if r['title'] is not None else '')}</td>"
        f"<td>{r['n'].value}</td></tr>"
        for r in schemes
    )
    titles = {
        "Class": "Classes",
        "ObjectProperty": "Object properties",
        "DatatypeProperty": "Datatype properties",
    }
    body = "".join(f"<h2>{titles[k]} ({len(v)})</h2>{''.join(v)}" for k, v in sections.items())
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>clusterkg ontology</title><style>{STYLE}</style></head><body>"
        f"<h1>clusterkg ontology</h1><p>Namespace <code>{iris.ONTOLOGY}</code> (prefix "
        "<code>ckg:</code>). Generated at build time from <code>ontology/clusterkg.ttl</code>."
        f"</p>{body}<h2>Concept schemes</h2><table><tr><th>scheme</th><th>title</th>"
        f"<th>concepts</th></tr>{scheme_rows}</table></body></html>"
    )
