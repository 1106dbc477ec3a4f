"""The named-query routes: the listing, running with bound parameters, negotiation, errors.

Parametrised queries are written for the hand-written sample dataset into a temporary library
(the bundled library is swapped out with `dependency_overrides`); the bundled library's queries
are run as they are."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from clusterkg.api.app import create_app
from clusterkg.api.queries import ParameterError, bind, get_library, parse_term, where_group_start
from clusterkg.queries.library import library
from clusterkg.settings import Settings

PREFIXES = """PREFIX ckg: <https://w3id.org/clusterkg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX r: <https://w3id.org/clusterkg/resource/>
PREFIX country: <http://publications.europa.eu/resource/authority/country/>
"""

QUERIES = {
    "programmes-of-country": """#+ summary: Programmes of a country.
#+ description: The programmes run by a country, with their English names.
#+ tags: test, programmes
#+ param: ?country The country, a Publications Office IRI.
""" + PREFIXES + """SELECT ?programme ?name WHERE {
  ?programme a ckg:ClusterProgramme ; ckg:country ?country ; rdfs:label ?name .
  FILTER (LANG(?name) = "en")
} ORDER BY ?programme
""",
    "clusters-named": """#+ summary: Clusters by name or size.
#+ description: Clusters whose label or number of members is given.
#+ tags: test
#+ param: ?label A label, as a literal.
#+ param: ?members A number of members.
""" + PREFIXES + """# a comment with WHERE { in it
SELECT ?cluster WHERE {
  ?cluster a ckg:ClusterOrganisation ; rdfs:label ?label ; ckg:members ?members .
} ORDER BY ?cluster
""",
    "clusters-funded": """#+ summary: How many clusters a programme funds.
#+ description: Counts the clusters funded by the given programmes.
#+ tags: test
#+ param: ?programme The programme.
""" + PREFIXES + """SELECT (COUNT(?cluster) AS ?clusters) WHERE {
  ?cluster ckg:fundedBy ?programme .
}
""",
}


@pytest.fixture(scope="module")
def fixture_library(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("queries") / "test"
    directory.mkdir()
    for name, text in QUERIES.items():
        (directory / f"{name}.rq").write_text(text, encoding="utf-8")
    return directory.parent


@pytest.fixture(scope="module")
def api(settings: Settings, fixture_library: Path) -> Iterator[TestClient]:
    app = create_app(settings)
    app.dependency_overrides[get_library] = lambda: library(fixture_library)
    with TestClient(app) as test_client:
        yield test_client


def _rows(response: object) -> list[list[str]]:
    text = response.text  # type: ignore[attr-defined]
    return list(csv.reader(io.StringIO(text)))[1:]


def test_listing_describes_every_query(api: TestClient) -> None:
    response = api.get("/queries")
    assert response.status_code == 200
    entries = {entry["name"]: entry for entry in response.json()}
    assert set(entries) == set(QUERIES)
    entry = entries["clusters-named"]
    assert entry["topic"] == "test"
    assert entry["summary"] == "Clusters by name or size."
    assert entry["tags"] == ["test"]
    assert entry["params"] == [
        {"name": "label", "description": "A label, as a literal."},
        {"name": "members", "description": "A number of members."},
    ]
    assert entry["url"].endswith("/queries/clusters-named")
    assert entry["sparql"] == QUERIES["clusters-named"]


def test_bundled_library_is_listed_and_runs(client: TestClient) -> None:
    listed = {entry["name"] for entry in client.get("/queries").json()}
    assert listed == set(library())
    for name in library():
        response = client.get(f"/queries/{name}", headers={"Accept": "text/csv"})
        assert response.status_code == 200, response.text


def test_iri_parameter_restricts_the_answer(api: TestClient) -> None:
    response = api.get(
        "/queries/programmes-of-country",
        params={"country": "<http://publications.europa.eu/resource/authority/country/FRA>"},
        headers={"Accept": "text/csv"},
    )
    assert response.status_code == 200, response.text
    assert _rows(response) == [
        ["https://w3id.org/clusterkg/resource/programme-alpha", "Alpha cluster programme"]
    ]


def test_prefixed_name_uses_the_query_prefixes(api: TestClient) -> None:
    response = api.get("/queries/programmes-of-country?country=country:DEU&format=csv")
    assert [row[1] for row in _rows(response)] == ["Beta cluster programme"]


def test_repeated_parameter_binds_several_values(api: TestClient) -> None:
    response = api.get(
        "/queries/programmes-of-country?country=country:DEU&country=country:FRA&format=csv"
    )
    assert [row[1] for row in _rows(response)] == [
        "Alpha cluster programme", "Beta cluster programme"
    ]


def test_unbound_parameter_leaves_the_variable_free(api: TestClient) -> None:
    assert len(_rows(api.get("/queries/programmes-of-country?format=csv"))) == 2


def test_literal_parameters(api: TestClient) -> None:
    quoted = api.get("/queries/clusters-named", params={
        "label": '"Cluster, \\"Three\\""', "format": "csv"})
    assert _rows(quoted) == [["https://w3id.org/clusterkg/resource/cluster-three"]]
    plain = api.get("/queries/clusters-named", params={"label": "Cluster One", "format": "csv"})
    assert _rows(plain) == [["https://w3id.org/clusterkg/resource/cluster-one"]]
    number = api.get("/queries/clusters-named", params={"members": "17", "format": "csv"})
    assert _rows(number) == [["https://w3id.org/clusterkg/resource/cluster-two"]]


def test_values_bind_before_aggregation(api: TestClient) -> None:
    response = api.get("/queries/clusters-funded", params={
        "programme": "r:programme-alpha", "format": "csv"})
    assert _rows(response) == [["2"]]


@pytest.mark.parametrize("attack", [
    'x" } UNION { ?cluster ?p ?o } #',
    "<http://example.org/a> } UNION { ?cluster ?p ?o",
])
def test_injection_stays_a_literal(api: TestClient, attack: str) -> None:
    response = api.get("/queries/clusters-named", params={"label": attack, "format": "csv"})
    assert response.status_code == 200
    assert _rows(response) == []


@pytest.mark.parametrize("value", [
    "<not an iri>",
    '"a" . <urn:s> <urn:p> "b"',
    '"unterminated',
])
def test_bad_values_are_refused(api: TestClient, value: str) -> None:
    response = api.get("/queries/programmes-of-country", params={"country": value})
    assert response.status_code == 400
    assert "not a valid IRI or literal" in response.text


def test_unknown_parameter_is_refused(api: TestClient) -> None:
    response = api.get("/queries/programmes-of-country", params={"countries": "country:DEU"})
    assert response.status_code == 400
    assert "unknown parameter 'countries'" in response.text and "country" in response.text


def test_unknown_query_is_404(api: TestClient) -> None:
    response = api.get("/queries/no-such-query")
    assert response.status_code == 404
    assert "GET /queries" in response.text


def test_answer_is_negotiated_as_on_sparql(api: TestClient) -> None:
    url = "/queries/programmes-of-country"
    json_answer = api.get(url, headers={"Accept": "application/sparql-results+json"})
    assert json_answer.headers["content-type"].startswith("application/sparql-results+json")
    assert json_answer.json()["head"]["vars"] == ["programme", "name"]
    xml = api.get(url, params={"format": "xml"})
    assert xml.headers["content-type"].startswith("application/sparql-results+xml")
    tsv = api.get(url, headers={"Accept": "text/tab-separated-values"})
    assert tsv.text.startswith("?programme\t?name")
    refused = api.get(url, headers={"Accept": "image/png"})
    assert refused.status_code == 406


def test_parse_term() -> None:
    prefixes = {"ex": "http://example.org/", "": "http://example.org/default/"}
    assert parse_term("<http://example.org/a>", {}) == ox.NamedNode("http://example.org/a")
    assert parse_term("ex:a", prefixes) == ox.NamedNode("http://example.org/a")
    assert parse_term(":a", prefixes) == ox.NamedNode("http://example.org/default/a")
    assert parse_term("nope:a", prefixes) == ox.Literal("nope:a")
    assert parse_term('"chat"@fr', {}) == ox.Literal("chat", language="fr")
    xsd = "http://www.w3.org/2001/XMLSchema#"
    assert parse_term(f'"5"^^<{xsd}int>', {}) == ox.Literal("5", datatype=ox.NamedNode(xsd + "int"))
    assert parse_term("2.5", {}) == ox.Literal("2.5", datatype=ox.NamedNode(xsd + "decimal"))
    assert parse_term("true", {}) == ox.Literal("true", datatype=ox.NamedNode(xsd + "boolean"))
    assert parse_term("Cluster One", {}) == ox.Literal("Cluster One")
    with pytest.raises(ParameterError):
        parse_term("<a b>", {})


@pytest.mark.parametrize("query, expected", [
    ("SELECT * WHERE { ?s ?p ?o }", "SELECT * WHERE {"),
    ("SELECT * { ?s ?p ?o }", "SELECT * {"),
    ("# WHERE {\nSELECT ?x WHERE { ?x ?p '{' }", "# WHERE {\nSELECT ?x WHERE {"),
    ("PREFIX a: <http://a/> ASK { ?s a:p '''}''' }", "PREFIX a: <http://a/> ASK {"),
    ("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", "CONSTRUCT { ?s ?p ?o } WHERE {"),
    ("SELECT ?s (EXISTS { ?s ?p ?o } AS ?e) WHERE { ?s ?p ?o }",
     "SELECT ?s (EXISTS { ?s ?p ?o } AS ?e) WHERE {"),
])
def test_where_group_start(query: str, expected: str) -> None:
    assert query[: where_group_start(query)] == expected


def test_bound_query_parses() -> None:
    query = "SELECT ?s WHERE { { SELECT ?s WHERE { ?s ?p ?o } } } GROUP BY ?s"
    bound = bind(query, {"s": [ox.NamedNode("http://example.org/a"), ox.Literal('q"uote')]})
    assert 'VALUES ?s { <http://example.org/a> "q\\"uote" }' in bound
    result = ox.Store().query(bound)
    assert isinstance(result, ox.QuerySolutions) and list(result) == []


def test_construct_short_form_cannot_take_values() -> None:
    with pytest.raises(ValueError, match="CONSTRUCT WHERE"):
        where_group_start("CONSTRUCT WHERE { ?s ?p ?o }")
