"""The ontology's documentation page, written at build time: pyLODE's OntPub profile documents the
classes and properties of the `ontology` graph; the concept schemes of the `vocabularies` graph
follow in a section of their own, and a navigation bar leads back to the query page.

Two adaptations make the page fit the server. Every term's section takes the term's local name as
its anchor (`#NationalClusterProgramme`), the fragment of its hash IRI, so the term's IRI
(`ckg:NationalClusterProgramme`) resolved on this server lands on it (pyLODE names sections after
labels, `#nationalclusterprogramme`, while its own links use the local name). The schemes are
rendered here because pyLODE's VocPub profile documents one scheme per run and shows no concepts of
ours. The page is self-contained: pyLODE inlines its style sheet, and nothing is loaded from
another host.
"""

from __future__ import annotations

import re
from collections import defaultdict
from html import escape

import pyoxigraph as ox
import rdflib
from pylode import OntPub

from clusterkg import iris
from clusterkg.graph.store import Store

SCHEMES = """
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?scheme ?title ?concept ?notation ?label ?definition WHERE { GRAPH <%s> {
  ?scheme a skos:ConceptScheme .
  OPTIONAL { ?scheme dcterms:title ?title FILTER (LANGMATCHES(LANG(?title), "en")) }
  OPTIONAL {
    ?concept skos:inScheme ?scheme .
    OPTIONAL { ?concept skos:notation ?notation }
    OPTIONAL { ?concept skos:prefLabel ?label FILTER (LANGMATCHES(LANG(?label), "en")) }
    OPTIONAL { ?concept skos:definition ?definition FILTER (LANGMATCHES(LANG(?definition), "en")) }
  }
} } ORDER BY ?scheme ?notation ?concept
"""

# A term's section as pyLODE writes it: its anchor, then its heading, then the IRI row.
_SECTION = re.compile(
    r'(<div class="[^"]*\bentity\b[^"]*" id=")([^"]+)(">\s*<h3>(?:(?!</h3>).)*</h3>\s*<table>\s*'
    r"<tr>\s*<th>IRI</th>\s*<td>\s*<code>)([^<]+)(</code>)",
    re.DOTALL,
)

NAV_STYLE = """<style>
.ckg-nav{position:relative;z-index:10;background:#1d2733;padding:.5rem 1rem;margin:0 0 1rem}
.ckg-nav a{color:#fff;margin-right:1.2rem;text-decoration:none}
.ckg-nav a:hover{text-decoration:underline}
.ckg-scheme{margin:1.5rem 0}.ckg-scheme table{width:100%;border-collapse:collapse}
.ckg-scheme td,.ckg-scheme th{border-bottom:1px solid #ddd;padding:.2rem .4rem;text-align:left;
vertical-align:top}
</style>"""


def _graph(store: Store, graph: str) -> rdflib.Graph:
    """One named graph of the store as an rdflib graph (pyLODE's input)."""
    result = store.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    assert isinstance(result, ox.QueryTriples)
    data = result.serialize(format=ox.RdfFormat.N_TRIPLES) or b""
    parsed = rdflib.Graph()
    parsed.parse(data=data.decode("utf-8"), format="nt")
    return parsed


def anchor_terms(html: str, namespace: str = iris.ONTOLOGY) -> str:
    """Give each term of `namespace` its local name as anchor, and point links at it."""
    renamed: dict[str, str] = {}

    def rename(match: re.Match[str]) -> str:
        old, iri = match.group(2), match.group(4).strip()
        if not iri.startswith(namespace):
            return match.group(0)
        new = iri.removeprefix(namespace)
        renamed[old] = new
        return match.group(1) + new + match.group(3) + match.group(4) + match.group(5)

    html = _SECTION.sub(rename, html)
    for old, new in renamed.items():
        html = html.replace(f'href="#{old}"', f'href="#{new}"')
    return html


def _text(row: ox.QuerySolution, name: str) -> str:
    term = row[name]
    return term.value if isinstance(term, ox.Literal | ox.NamedNode) else ""


def local_href(iri: str) -> str:
    """The path at which this server serves an IRI of the graph (or the IRI itself)."""
    return "/" + iri.removeprefix(iris.BASE) if iri.startswith(iris.BASE) else iri


def schemes_section(store: Store) -> tuple[str, list[tuple[str, str]]]:
    """The concept schemes with their concepts, and the (anchor, title) pairs for the TOC."""
    result = store.query(SCHEMES % iris.graph_iri("vocabularies"))
    assert isinstance(result, ox.QuerySolutions)
    titles: dict[str, str] = {}
    concepts: dict[str, list[tuple[str, str, str, str]]] = defaultdict(list)
    for row in result:
        scheme = row["scheme"]
        assert isinstance(scheme, ox.NamedNode)
        title = row["title"]
        titles.setdefault(scheme.value, title.value if title is not None else "")
        concept = row["concept"]
        if isinstance(concept, ox.NamedNode):
            concepts[scheme.value].append(
                (concept.value, _text(row, "notation"), _text(row, "label"),
                 _text(row, "definition")))
    toc: list[tuple[str, str]] = []
    parts = ['<div class="section" id="schemes"><h2>Concept schemes</h2>'
             f"<p>{len(titles)} SKOS concept schemes of the graph's vocabularies; each concept "
             "links to its page on this server.</p>"]
    for scheme, title in titles.items():
        anchor = "scheme-" + scheme.rstrip("/").rsplit("/", 1)[-1]
        name = title or scheme
        toc.append((anchor, name))
        seen: set[str] = set()
        rows = []
        for iri, notation, label, definition in concepts[scheme]:
            if iri in seen:
                continue
            seen.add(iri)
            rows.append(f'<tr><td><code>{escape(notation)}</code></td><td><a href="'
                        f'{escape(local_href(iri))}">{escape(label or iri)}</a></td>'
                        f"<td>{escape(definition)}</td></tr>")
        parts.append(
            f'<div class="ckg-scheme" id="{escape(anchor)}"><h3>{escape(name)}</h3>'
            f'<p>IRI <a href="{escape(local_href(scheme))}"><code>{escape(scheme)}</code></a>'
            f" · {len(rows)} concepts</p><table><tr><th>notation</th><th>label</th>"
            f"<th>definition</th></tr>{''.join(rows)}</table></div>"
        )
    parts.append("</div>")
    return "".join(parts), toc


def _navigation(toc: list[tuple[str, str]]) -> tuple[str, str]:
    bar = ('<nav class="ckg-nav" aria-label="site"><a href="./">← Query page</a>'
           '<a href="#classes">Classes</a><a href="#objectproperties">Object properties</a>'
           '<a href="#datatypeproperties">Datatype properties</a>'
           '<a href="#schemes">Concept schemes</a><a href="ontology.ttl">Turtle</a></nav>')
    items = "".join(f'<li><a href="#{escape(a)}">{escape(t)}</a></li>' for a, t in toc)
    entry = (f'<li><h4><a href="#schemes">Concept schemes</a></h4>'
             f'<ul class="second">{items}</ul></li>')
    return bar, entry


def render_ontology_page(store: Store) -> str:
    """The documentation page of the ontology and its concept schemes, as one HTML file."""
    ontology = _graph(store, iris.graph_iri("ontology"))
    html = str(OntPub(ontology, sort_subjects=True).make_html())
    html = anchor_terms(html)
    section, toc = schemes_section(store)
    bar, entry = _navigation(toc)
    html = html.replace("</head>", NAV_STYLE + "</head>", 1)
    html = re.sub(r"<body([^>]*)>", lambda m: f"<body{m.group(1)}>{bar}", html, count=1)
    html = html.replace('<div id="legend">', section + '<div id="legend">', 1)
    start = html.find('<div id="toc">')
    if start >= 0:
        end = html.rfind("</ul>", start, html.find("</div>", start))
        html = html[:end] + entry + html[end:]
    return html
