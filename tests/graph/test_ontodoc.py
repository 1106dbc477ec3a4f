"""The ontology's documentation page that the build writes with pyLODE: every term has its
anchor at its local name (where its hash IRI lands), every in-page link lands, every concept
scheme is documented with all its concepts, and nothing is loaded from another host."""

from __future__ import annotations

import re
from functools import cache

import pyoxigraph as ox

from clusterkg import iris
from clusterkg.graph.build import BuildSummary
from clusterkg.graph.ontodoc import anchor_terms
from clusterkg.graph.store import OxigraphStore

TERMS = """
PREFIX owl: <http://www.w3.org/2002/07/owl#>
SELECT DISTINCT ?term WHERE { GRAPH <%s> {
  VALUES ?kind { owl:Class owl:ObjectProperty owl:DatatypeProperty } ?term a ?kind
  FILTER (STRSTARTS(STR(?term), "%s")) } }
"""
SCHEMES = """
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?scheme (COUNT(DISTINCT ?c) AS ?n) WHERE { GRAPH <%s> {
  ?scheme a skos:ConceptScheme OPTIONAL { ?c skos:inScheme ?scheme } } } GROUP BY ?scheme
"""


@cache
def _page(out_dir: str) -> str:
    with open(f"{out_dir}/ontology.html", encoding="utf-8") as page:
        return page.read()


def _select(store: OxigraphStore, sparql: str) -> list[ox.QuerySolution]:
    result = store.query(sparql)
    assert isinstance(result, ox.QuerySolutions)
    return list(result)


def test_every_term_has_its_local_name_as_anchor(
    built: tuple[OxigraphStore, BuildSummary],
) -> None:
    store, summary = built
    html = _page(str(summary.out_dir))
    terms = [row["term"].value for row in _select(
        store, TERMS % (iris.graph_iri("ontology"), iris.ONTOLOGY))]
    assert len(terms) > 50
    for term in terms:
        name = term.removeprefix(iris.ONTOLOGY)
        section = re.search(rf'id="{re.escape(name)}">(.*?)</table>', html, re.S)
        assert section, f"no anchor #{name}"
        assert f"<code>{term}</code>" in section.group(1), f"#{name} documents another term"


def test_every_link_in_the_page_lands(built: tuple[OxigraphStore, BuildSummary]) -> None:
    html = _page(str(built[1].out_dir))
    ids = set(re.findall(r'\sid="([^"]+)"', html))
    targets = set(re.findall(r'href="#([^"]+)"', html))
    assert targets and not targets - ids
    assert "ckg:http" not in html  # terms of other vocabularies are not shown as ckg: terms


def test_schemes_are_documented_with_their_concepts(
    built: tuple[OxigraphStore, BuildSummary],
) -> None:
    store, summary = built
    html = _page(str(summary.out_dir))
    schemes = _select(store, SCHEMES % iris.graph_iri("vocabularies"))
    assert len(schemes) >= 10
    for row in schemes:
        scheme, count = row["scheme"].value, int(row["n"].value)
        anchor = "scheme-" + scheme.rstrip("/").rsplit("/", 1)[-1]
        assert f'href="#{anchor}"' in html, f"{scheme} is in the table of contents"
        section = re.search(rf'id="{re.escape(anchor)}">(.*?)</table>', html, re.S)
        assert section, scheme
        assert f"· {count} concepts" in section.group(1)
        assert section.group(1).count("<tr>") == count + 1


def test_page_is_self_contained_with_a_way_back(
    built: tuple[OxigraphStore, BuildSummary],
) -> None:
    html = _page(str(built[1].out_dir))
    assert "<style>" in html
    assert not re.search(r'<script[^>]+src=|<link[^>]+href="(https?:)?//|<img[^>]+src="(https?:)?//'
                         r"|@import|url\((https?:)?//", html)
    assert '<a href="./">← Query page</a>' in html
    assert 'href="#classes"' in html and 'href="#schemes"' in html


def test_anchor_terms_renames_sections_of_the_namespace_only() -> None:
    section = ('<div class="property entity" id="{old}">\n<h3>x</h3>\n<table>\n<tr>\n'
               "<th>IRI</th>\n<td>\n<code>{iri}</code></td></tr></table></div>")
    html = (section.format(old="nationalclusterprogramme",
                           iri=iris.ONTOLOGY + "NationalClusterProgramme")
            + section.format(old="audience", iri="http://purl.org/dc/terms/audience")
            + '<a href="#nationalclusterprogramme">n</a><a href="#audience">a</a>')
    out = anchor_terms(html)
    assert 'id="NationalClusterProgramme"' in out and 'href="#NationalClusterProgramme"' in out
    assert 'id="audience"' in out and 'href="#audience"' in out
    assert "nationalclusterprogramme" not in out
