"""Every kind of IRI resolves on the server in every format, and each answer parses.

Runs over the session's build of the bundled sources (tests/conftest.py), served by the app in
a TestClient. Samples are picked from the graph by SPARQL (the first of each class), except
the Table 8 row of Austria's programme, whose text the excerpt page must quote.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
import rdflib
from fastapi.testclient import TestClient

from clusterkg.api.app import create_app
from clusterkg.api.describe import select
from clusterkg.api.ldcontext import local_loader
from clusterkg.api.negotiation import jsonld
from clusterkg.graph.build import BuildSummary
from clusterkg.graph.store import OxigraphStore
from clusterkg.settings import Settings

W3ID = "https://w3id.org/clusterkg/"
CKG = W3ID + "ontology#"
FORMATS = {  # extension -> (media type, rdflib parser)
    "ttl": ("text/turtle", "turtle"),
    "nt": ("application/n-triples", "nt"),
    "rdf": ("application/rdf+xml", "xml"),
    "jsonld": ("application/ld+json", "json-ld"),
}
AUSTRIA = "id/programme/AUT-clusterplattform"
TABLE8_ROW = "source/002_685b5d5a3136ccf2/table-8/L2398-2398"


@pytest.fixture(scope="module")
def dist(built: tuple[OxigraphStore, BuildSummary]) -> Path:
    return Path(built[1].out_dir)


@pytest.fixture(scope="module")
def ld(dist: Path) -> Iterator[TestClient]:
    settings = Settings(dataset=dist / "clusterkg.nq", query_workers=1, query_timeout=10.0)
    with TestClient(create_app(settings)) as client:
        yield client


def _first(store: OxigraphStore, cls: str) -> str:
    rows = list(select(store, f"SELECT (MIN(STR(?s)) AS ?x) WHERE {{ ?s a <{cls}> }}"))
    return str(rows[0]["x"].value)


def _samples(store: OxigraphStore) -> dict[str, str]:
    """Path (and query) on the server of one IRI of every kind."""
    def path(iri: str) -> str:
        return "/" + iri.removeprefix(W3ID)

    country = _first(store, CKG + "Country")
    return {
        "national programme": path(_first(store, CKG + "NationalClusterProgramme")),
        "regional programme": path(_first(store, CKG + "RegionalClusterProgramme")),
        "non-European programme": path(_first(store, CKG + "NonEuropeanClusterProgramme")),
        "region": path(_first(store, CKG + "Region")),
        "country": "/resource?iri=" + quote(country, safe=""),
        "concept": path(_first(store, CKG + "Objective")),
        "scheme": path(W3ID + "vocab/objectives-national"),
        "excerpt": "/" + TABLE8_ROW,
        "document": "/source/002_685b5d5a3136ccf2",
        "named graph": "/graph/002/table-8",
        "ontology term": "/ontology",
        "dataset": "/dataset",
        "catalogue": "/catalog",
    }


@pytest.fixture(scope="module")
def samples(built: tuple[OxigraphStore, BuildSummary]) -> dict[str, str]:
    return _samples(built[0])


KINDS = ["national programme", "regional programme", "non-European programme", "region",
         "country", "concept", "scheme", "excerpt", "document", "named graph", "ontology term",
         "dataset", "catalogue"]


def _parse(body: bytes, parser: str) -> rdflib.Graph:
    """Parse an answer; JSON-LD is expanded first with the local context loader (the context's
    IRI is never fetched)."""
    if parser == "json-ld":
        expanded = jsonld.expand(json.loads(body), {"documentLoader": local_loader})
        return rdflib.Graph().parse(data=json.dumps(expanded), format="json-ld")
    return rdflib.Graph().parse(data=body, format=parser)


def _with_extension(target: str, ext: str) -> str:
    path, sep, query = target.partition("?")
    return f"{path}.{ext}{sep}{query}"


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_in_every_format_parses(ld: TestClient, samples: dict[str, str],
                                            kind: str) -> None:
    target = samples[kind]
    page = ld.get(target, headers={"Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8"})
    assert page.status_code == 200, page.text[:300]
    assert page.headers["content-type"].startswith("text/html")
    assert "Accept" in page.headers["vary"]
    assert "<h1" in page.text
    for ext, (media_type, parser) in FORMATS.items():
        for response in (
            ld.get(target, headers={"Accept": f"text/html;q=0.5, {media_type}"}),  # q-values
            ld.get(_with_extension(target, ext)),                                 # extension
            ld.get(target + ("&" if "?" in target else "?") + "format=" + ext),   # format=
        ):
            assert response.status_code == 200, (kind, ext, response.text[:300])
            assert response.headers["content-type"].startswith(media_type)
            assert "alternate" in response.headers["link"]
            assert response.headers["content-location"].split("?")[0].endswith("." + ext)
            assert len(_parse(response.content, parser)) > 0, (kind, ext)


def test_ontology_hash_iris_land_on_the_terms_anchor(ld: TestClient) -> None:
    page = ld.get("/ontology", headers={"Accept": "text/html"}).text
    for term in ("ClusterProgramme", "NationalClusterProgramme", "objective", "country"):
        assert f'id="{term}"' in page
    turtle = rdflib.Graph().parse(data=ld.get("/ontology.ttl").text, format="turtle")
    assert (rdflib.URIRef(CKG + "ClusterProgramme"), None, None) in turtle


def test_jsonld_is_compacted_with_the_published_context(ld: TestClient) -> None:
    document = ld.get("/" + AUSTRIA, headers={"Accept": "application/ld+json"}).json()
    assert document["@context"] == "https://w3id.org/clusterkg/context/v1.jsonld"
    text = json.dumps(document)
    assert "https://w3id.org/clusterkg/ontology#objective" not in text  # a short term instead


def test_the_description_has_the_statements_about_the_resource(
    ld: TestClient, built: tuple[OxigraphStore, BuildSummary]
) -> None:
    graph = rdflib.Graph().parse(data=ld.get("/" + AUSTRIA + ".nt").content, format="nt")
    subject = rdflib.URIRef(W3ID + AUSTRIA)
    expected = {
        (str(r["p"].value), str(r["o"]))
        for r in select(built[0], f"SELECT DISTINCT ?p ?o WHERE {{ <{W3ID + AUSTRIA}> ?p ?o }}")
    }
    got = {(str(p), o.n3()) for p, o in graph.predicate_objects(subject)}
    assert {p for p, _ in got} == {p for p, _ in expected}
    assert len(got) == len(expected)


def test_unknown_iri_gets_a_helpful_404(ld: TestClient) -> None:
    response = ld.get("/id/programme/AUT-clusterplattfrom", headers={"Accept": "text/html"})
    assert response.status_code == 404
    assert "has no resource" in response.text
    assert "/id/programme/AUT-clusterplattform" in response.text  # suggested
    plain = ld.get("/id/programme/AUT-nothing", headers={"Accept": "text/turtle"})
    assert plain.status_code == 404 and "/id/<kind>/<key>" in plain.text


@pytest.mark.parametrize("target", [
    "/id/programme/X%3E%20%3Fp%20%3Fo%20%7D%20SELECT%20*%20WHERE%20%7B%20%3Cx",  # > ?p ?o } ...
    "/id/programme/a%20b", "/vocab/x%5C%22", "/resource?iri=not-an-iri",
    "/resource?iri=" + quote("http://x> ?p ?o } #", safe=""),
])
def test_iris_that_would_change_a_query_are_refused(ld: TestClient, target: str) -> None:
    response = ld.get(target, headers={"Accept": "text/html"})
    assert response.status_code == 400
    assert "is not an IRI" in response.text


def test_unacceptable_format_is_406(ld: TestClient) -> None:
    response = ld.get("/" + AUSTRIA, headers={"Accept": "image/png"})
    assert response.status_code == 406
    assert "text/turtle" in response.text
    assert ld.get("/" + AUSTRIA, params={"format": "pdf"}).status_code == 406


def test_table8_excerpt_page_quotes_the_row(ld: TestClient, dist: Path) -> None:
    page = ld.get("/" + TABLE8_ROW, headers={"Accept": "text/html"}).text
    assert "Cluster programmes in Europe and beyond" in page  # the document's title
    assert "<h1>Cluster programmes in Europe and beyond, Table 8, line 2398</h1>" in page
    assert "Nationale Clusterplattform" in page
    assert "Increasing competitiveness of SMEs" in page
    assert '<ol class="source" start="2398">' in page


def test_programme_page_links_its_excerpts_and_labels_its_terms(ld: TestClient) -> None:
    page = ld.get("/" + AUSTRIA, headers={"Accept": "text/html"}).text
    assert f'href="/{TABLE8_ROW}"' in page
    assert 'href="/source/002_685b5d5a3136ccf2/table-2/L373-373"' in page
    assert ">objective</a></dt>" in page  # the term's label, not its IRI
    assert 'href="/vocab/objectives-national/sme-competitiveness"' in page
    assert "Table 8, line 2398" in page
    assert 'href="/graph/002/table-8"' in page
    assert "DESCRIBE" in page and "/sparql?format=ttl" in page


def test_an_additional_answer_is_shown_by_its_text_not_its_key(ld: TestClient) -> None:
    """Table 3, line 618: the French respondents' comment is an answer resource whose IRI ends
    in a digest; the programme page names it by its text (`rdf:value`)."""
    page = ld.get("/id/programme/FRA-poles-de-competitivite", headers={"Accept": "text/html"})
    answer = "/id/programme/FRA-poles-de-competitivite/answer/target-groups-"
    assert answer in page.text
    link = page.text[page.text.index(f'href="{answer}'):]
    assert link[link.index(">") + 1:].startswith("Cluster organisation funding: pôles only.")


def test_incoming_links_and_discrepancies(ld: TestClient) -> None:
    objective = ld.get("/vocab/objectives-national/sme-competitiveness",
                       headers={"Accept": "text/html"}).text
    assert "Resources whose “objective” is this" in objective
    assert f'href="/{AUSTRIA}"' in objective
    hungary = ld.get("/id/programme/HUN-cluster-development", headers={"Accept": "text/html"})
    assert "Discrepancies in the sources" in hungary.text
    assert "EUR 69 million" in hungary.text


def test_pages_load_nothing_from_other_hosts(ld: TestClient) -> None:
    response = ld.get("/" + AUSTRIA, headers={"Accept": "text/html"})
    assert "default-src 'none'" in response.headers["content-security-policy"]
    assert "<script" not in response.text
    assert 'src="http' not in response.text and 'stylesheet" href="/static/' in response.text
