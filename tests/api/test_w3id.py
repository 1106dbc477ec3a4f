"""The shipped w3id rules, run by a real Apache httpd with mod_rewrite and `AllowOverride All`
as w3id.org runs them: an IRI of every kind gets a 303 to the same path on the published server
(data/publication.yaml), with its query string; the SPARQL endpoint a 307 that keeps POST."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from clusterkg import iris
from clusterkg.api.w3id import main, render
from clusterkg.graph.store import OxigraphStore
from clusterkg.publication import Publication, publication
from tests.api.apache import apache_serving

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "w3id" / "clusterkg"
ONTOLOGY_TERM = "ontology"  # …/ontology#ClusterProgramme: the fragment is never sent
KINDS = [
    "id/programme/AUT-clusterplattform",  # national programme
    "id/programme/UKF1-catalysing-growth",  # regional programme
    "id/programme/CAN-innovation-superclusters-initiative",  # non-European programme
    "id/region/AT11", "id/organisation/DEU-bmbf", "id/initiative/escp-s3",
    "vocab/objectives-national", "vocab/objectives-national/sme-competitiveness",
    "source/002_685b5d5a3136ccf2", "source/002_685b5d5a3136ccf2/table-8/L2398-2398",
    "graph/002/table-8", "graph/provenance", ONTOLOGY_TERM, "dataset", "catalog",
    "context/v1.jsonld", "dumps/clusterkg.nq", "dumps/tables/programme.csv",
    "api/programmes/FRA-poles-de-competitivite",
]
ACCEPTS = ["text/html", "text/turtle", "application/ld+json;q=0.9, */*;q=0.1", "*/*", ""]


@pytest.fixture(scope="session")
def w3id() -> Iterator[str]:
    """Apache serving the shipped folder as w3id.org serves `/clusterkg/`."""
    with apache_serving({"clusterkg": SHIPPED}) as base:
        yield base + "/clusterkg/"


def _get(url: str, accept: str = "", method: str = "GET", body: str | None = None
         ) -> httpx.Response:
    headers = {"Accept": accept} if accept else {}
    return httpx.request(method, url, headers=headers, content=body, follow_redirects=False,
                         timeout=10)


def test_the_sampled_iris_are_iris_of_the_graph(built_store: OxigraphStore) -> None:
    named = {path for path in KINDS if path.split("/")[0] in ("id", "vocab", "source")}
    found = {path for path in named if built_store.query(
        f"ASK {{ {{ <{iris.BASE}{path}> ?p ?o }} UNION {{ ?s ?p <{iris.BASE}{path}> }} }}")}
    assert named - found == set()
    graphs = {path for path in KINDS if path.startswith("graph/")}
    assert {iris.BASE + path for path in graphs} <= set(built_store.named_graphs())


def test_the_shipped_rules_are_the_generators_output_for_the_published_server() -> None:
    assert (SHIPPED / ".htaccess").read_text(encoding="utf-8") == render()
    assert publication().server in render()
    assert (SHIPPED / "README.md").exists()


@pytest.mark.parametrize("path", KINDS)
@pytest.mark.parametrize("accept", ACCEPTS)
def test_every_kind_gets_a_303_to_the_same_path_on_the_server(
    w3id: str, path: str, accept: str
) -> None:
    answer = _get(w3id + path, accept)
    assert (answer.status_code, answer.headers["location"]) == (
        303, publication().url(path)), answer.text


def test_the_query_string_and_extension_are_kept(w3id: str) -> None:
    server = publication().server
    for path in ["api/programmes?country=FRA&sort=-budget", "vocab/ratings?format=ttl",
                 "id/programme/AUT-clusterplattform.jsonld"]:
        answer = _get(w3id + path)
        assert (answer.status_code, answer.headers["location"]) == (303, f"{server}/{path}")


def test_a_hash_iri_lands_on_the_ontology_page_and_keeps_its_fragment(w3id: str) -> None:
    """The client never sends `#ClusterProgramme`; the Location carries no fragment of its own,
    so the client applies the original one to it (RFC 9110, 10.2.2)."""
    answer = _get(w3id + ONTOLOGY_TERM, "text/html")
    assert answer.status_code == 303
    assert answer.headers["location"] == publication().url("ontology")
    assert "#" not in answer.headers["location"]


def test_the_sparql_endpoint_redirect_keeps_a_post(w3id: str) -> None:
    for method, body in [("GET", None), ("POST", "query=ASK{}")]:
        answer = _get(w3id + "sparql?query=ASK%7B%7D", "application/sparql-results+json",
                      method, body)
        assert (answer.status_code, answer.headers["location"]) == (
            307, publication().url("sparql") + "?query=ASK%7B%7D")


def test_anything_else_reaches_the_server(w3id: str) -> None:
    for path in ["", "whatever/else"]:
        answer = _get(w3id + path)
        assert (answer.status_code, answer.headers["location"]) == (302, publication().url(path))


def test_the_rules_follow_the_one_setting(tmp_path: Path) -> None:
    path = tmp_path / "publication.yaml"
    path.write_text("server: https://kg.test.invalid/base/\n", encoding="utf-8")
    assert publication.__wrapped__(path) == Publication("https://kg.test.invalid/base")
    assert "https://kg.test.invalid/base/$1 [R=303,L]" in render("https://kg.test.invalid/base/")
    path.write_text("server: http://kg.test.invalid\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"publication\.yaml: server must be an https base URL"):
        publication.__wrapped__(path)


def test_the_generator_prints_the_rules(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 0
    assert capsys.readouterr().out == render()
    assert main(["https://elsewhere.test.invalid"]) == 2
