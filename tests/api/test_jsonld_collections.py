"""Collections of the JSON-LD API against hand-written SPARQL over the same built graph.

For every collection and every filter (tests/fixtures/api/collection_cases.yaml) the members
the API lists, page by page, and its hydra:totalItems equal what an independent SPARQL query
selects; sorted cases compare the order too. Then paging, the 400s naming their parameter,
the 304, content negotiation, CORS and the published context.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pyoxigraph as ox
import pytest
import yaml
from fastapi.testclient import TestClient

from clusterkg.api.collection_spec import FilterKind, collections
from clusterkg.api.items import to_triples
from clusterkg.api.ldcontext import CONTEXT_DIR
from clusterkg.graph.build import BuildSummary
from clusterkg.graph.store import OxigraphStore
from tests.api.jsonld_support import api_client, dataset_triples, diff, select_iris

CASES_FILE = Path(__file__).resolve().parents[1] / "fixtures" / "api" / "collection_cases.yaml"
CASES: dict[str, Any] = yaml.safe_load(CASES_FILE.read_text(encoding="utf-8"))
HYDRA = "http://www.w3.org/ns/hydra/core#"


@pytest.fixture(scope="module")
def client(built: tuple[OxigraphStore, BuildSummary]) -> Iterator[TestClient]:
    with api_client(built[1].out_dir / "clusterkg.nq") as test_client:
        yield test_client


def _path(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def walk(client: TestClient, collection: str, params: dict[str, str]) -> tuple[list[str], int]:
    """Every member id over all pages (following hydra:next), and totalItems."""
    response = client.get(f"/api/{collection}", params=params)
    assert response.status_code == 200, response.text
    members: list[str] = []
    total = response.json()["totalItems"]
    while True:
        page = response.json()
        assert page["totalItems"] == total
        members += [member["id"] for member in page["member"]]
        if "next" not in page["view"]:
            break
        response = client.get(_path(page["view"]["next"]))
        assert response.status_code == 200, response.text
    return members, total


def _case_id(case: dict[str, Any]) -> str:
    params = ",".join(f"{k}={v}" for k, v in case["params"].items())
    return f"{case['collection']}[{params}]"


@pytest.mark.parametrize("case", CASES["cases"], ids=_case_id)
def test_members_and_total_match_sparql(
    case: dict[str, Any], client: TestClient, built_store: OxigraphStore
) -> None:
    expected = select_iris(built_store, CASES["prefixes"] + case["sparql"])
    assert expected, f"{_case_id(case)} selects nothing: the case proves nothing"
    members, total = walk(client, case["collection"], case["params"])
    assert total == len(expected)
    assert len(members) == len(set(members)), "a member is repeated across pages"
    if case.get("ordered"):
        assert members == expected
    else:
        assert sorted(members) == sorted(expected)


# Filters that need more than the seed build, each tested in its own module.
COVERED_ELSEWHERE = {("programmes", "wave")}  # tests/api/test_jsonld_waves.py


def test_every_collection_and_filter_has_a_case() -> None:
    covered = {(c["collection"], name) for c in CASES["cases"] for name in c["params"]}
    covered |= COVERED_ELSEWHERE
    covered |= {(c["collection"], "") for c in CASES["cases"] if not c["params"]}
    for name, spec in collections().items():
        assert (name, "") in covered, f"no unfiltered case for {name}"
        for filter_name, fspec in spec.filters.items():
            assert (name, filter_name) in covered, f"no case for {name}?{filter_name}"
            if fspec.kind is not FilterKind.ENUM:
                continue
            for option in fspec.options:
                assert any(
                    c["collection"] == name and c["params"].get(filter_name) == option
                    for c in CASES["cases"]
                ), f"no case for {name}?{filter_name}={option}"


def test_paging_never_skips_or_repeats(client: TestClient, built_store: OxigraphStore) -> None:
    everything, total = walk(client, "programmes", {"limit": "100"})
    expected = select_iris(
        built_store,
        "PREFIX ckg: <https://w3id.org/clusterkg/ontology#>"
        "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>"
        "SELECT ?item (MIN(?l) AS ?k) WHERE { ?item a ckg:ClusterProgramme "
        "OPTIONAL { ?item skos:prefLabel ?l } } GROUP BY ?item ORDER BY ?k ?item",
    )
    assert everything == expected and total == len(expected)
    for limit in ("1", "7", "20"):
        members, total = walk(client, "programmes", {"limit": limit})
        assert members == everything and total == len(everything)


def test_page_links(client: TestClient) -> None:
    page = client.get("/api/programmes", params={"level": "national", "limit": "10", "page": "2"})
    body = page.json()
    view = body["view"]
    total = body["totalItems"]
    last = -(-total // 10)
    assert view["type"] == "PartialCollectionView"
    assert _path(view["first"]) == "/api/programmes?level=national&limit=10&page=1"
    assert _path(view["previous"]) == "/api/programmes?level=national&limit=10&page=1"
    assert _path(view["last"]) == f"/api/programmes?level=national&limit=10&page={last}"
    if last > 2:
        assert _path(view["next"]) == "/api/programmes?level=national&limit=10&page=3"
    template = body["search"]
    assert template["type"] == "IriTemplate"
    assert template["template"].endswith(
        "/api/programmes{?country,region,level,objective,targetGroup,clusterType,fundingSource,"
        "activeIn,budgetMin,budgetMax,wave,q,sort,limit,page}"
    )
    variables = {m["variable"] for m in template["mapping"]}
    assert {"country", "activeIn", "q", "page"} <= variables


def test_default_limit_is_20(client: TestClient) -> None:
    body = client.get("/api/programmes").json()
    assert len(body["member"]) == 20 and body["totalItems"] == 127  # 111 - LTU doc + 17 (gap 8)


def test_page_converts_to_rdf_with_only_graph_statements_about_members(
    client: TestClient, built_store: OxigraphStore
) -> None:
    graph = dataset_triples(built_store)
    for name, spec in collections().items():
        body = client.get(f"/api/{name}", params={"limit": "100"}).json()
        triples = to_triples(body)
        members = {f"<{m['id']}>" for m in body["member"]}
        summary = {f"<{p}>" for p in spec.summary}
        about_members = {t for t in triples if t[0] in members}
        expected = {t for t in graph if t[0] in members and t[1] in summary}
        assert about_members, name
        assert about_members == expected, f"{name}:\n{diff(expected, about_members)}"
        assert (f"<{body['id']}>", f"<{HYDRA}totalItems>",
                f'"{body["totalItems"]}"^^<http://www.w3.org/2001/XMLSchema#integer>') in triples


BAD = [
    ("programmes", "colour=red", "colour", "allowed: country, region"),
    ("programmes", "country=XXX", "country", "allowed: ALB"),
    ("programmes", "country=AUT&country=BEL", "country", "more than once"),
    ("programmes", "limit=101", "limit", "from 1 to 100"),
    ("programmes", "limit=0", "limit", "from 1 to 100"),
    ("programmes", "limit=ten", "limit", "from 1 to 100"),
    ("programmes", "page=0", "page", "from 1"),
    ("programmes", "page=99", "page", "from 1 to 7"),
    ("programmes", "level=local", "level", "national, regional, non-european"),
    ("programmes", "region=ZZ9", "region", "allowed: "),
    ("programmes", "objective=world-peace", "objective", "allowed: "),
    ("programmes", "activeIn=twenty", "activeIn", "from 1900 to 2100"),
    ("programmes", "activeIn=1850", "activeIn", "from 1900 to 2100"),
    ("programmes", "budgetMin=-5", "budgetMin", "decimal number from 0"),
    ("programmes", "budgetMax=1e16", "budgetMax", "decimal number from 0"),
    ("programmes", "budgetMax=NaN", "budgetMax", "decimal number from 0"),
    ("programmes", "sort=colour", "sort", "label, -label"),
    ("programmes", "q=" + "x" * 201, "q", "1 to 200"),
    ("programmes", "wave=2021", "wave", "allowed: none in the served graph"),
    ("services", "field=cooking", "field", "education"),
    ("measures", "ratedHighBy=Atlantis", "ratedHighBy", "AUT"),
    ("programmes/AUT-clusterplattform", "limit=3", "limit", "allowed: format"),
]


@pytest.mark.parametrize(("path", "query", "parameter", "says"), BAD)
def test_bad_parameters_get_400_naming_them(
    client: TestClient, path: str, query: str, parameter: str, says: str
) -> None:
    response = client.get(f"/api/{path}?{query}")
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["parameter"] == parameter
    assert problem["detail"].startswith(f"{parameter}: ")
    assert says in problem["detail"]


def test_unknown_collection_and_item_are_404(client: TestClient) -> None:
    assert client.get("/api/unicorns").status_code == 404
    assert client.get("/api/programmes/no-such-programme").status_code == 404
    assert client.get("/api/programmes/%2E%2E%2Fregion%2FAT11").status_code == 404
    assert client.get("/api/countries/aut").status_code == 404


@pytest.mark.parametrize("path", ["/api/programmes?country=BEL", "/api/regions/AT11", "/api"])
def test_if_none_match_gives_304(client: TestClient, path: str) -> None:
    first = client.get(path)
    etag = first.headers["etag"]
    assert first.headers["cache-control"].startswith("public, max-age=")
    again = client.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == etag
    assert client.get(path, headers={"If-None-Match": f'W/{etag}, "other"'}).status_code == 304
    assert client.get(path, headers={"If-None-Match": '"stale"'}).status_code == 200
    turtle = client.get(path, headers={"Accept": "text/turtle"})
    assert turtle.headers["etag"] != etag
    revalidated = client.get(path, headers={"If-None-Match": etag, "Accept": "text/turtle"})
    assert revalidated.status_code == 200


@pytest.mark.parametrize(
    ("accept", "content_type", "fmt"),
    [
        (None, "application/ld+json", None),
        ("*/*", "application/ld+json", None),
        ("application/ld+json", "application/ld+json", None),
        ("application/json", "application/json", None),
        ("text/turtle", "text/turtle; charset=utf-8", ox.RdfFormat.TURTLE),
        ("application/n-triples", "application/n-triples; charset=utf-8", ox.RdfFormat.N_TRIPLES),
        ("application/rdf+xml", "application/rdf+xml", ox.RdfFormat.RDF_XML),
        ("text/html;q=0.9, text/turtle;q=0.5", "text/turtle; charset=utf-8", ox.RdfFormat.TURTLE),
    ],
)
def test_content_negotiation(
    client: TestClient, accept: str | None, content_type: str, fmt: ox.RdfFormat | None
) -> None:
    headers = {"Accept": accept} if accept else {}
    for path in ("/api/programmes?country=BEL", "/api/programmes/AUT-clusterplattform"):
        response = client.get(path, headers=headers)
        assert response.status_code == 200
        assert response.headers["content-type"] == content_type
        assert response.headers["vary"].startswith("Accept")
        if fmt is None:
            assert response.json()["@context"] == "https://w3id.org/clusterkg/context/v1.jsonld"
        else:
            assert list(ox.parse(response.content, format=fmt))


def test_format_parameter_and_406(client: TestClient) -> None:
    response = client.get("/api/regions/AT11?format=ttl")
    assert response.headers["content-type"].startswith("text/turtle")
    assert client.get("/api/regions/AT11?format=pdf").status_code == 406
    assert client.get("/api/regions/AT11", headers={"Accept": "text/html"}).status_code == 406


def test_cors(client: TestClient) -> None:
    response = client.get("/api/programmes", headers={"Origin": "https://app.example"})
    assert response.headers["access-control-allow-origin"] in ("*", "https://app.example")
    assert "etag" in response.headers["access-control-expose-headers"].lower()
    preflight = client.options(
        "/api/programmes",
        headers={
            "Origin": "https://app.example",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "if-none-match",
        },
    )
    assert preflight.status_code == 200
    assert "if-none-match" in preflight.headers["access-control-allow-headers"].lower()


def test_context_is_served_from_the_package_immutable(client: TestClient) -> None:
    response = client.get("/context/v1.jsonld")
    assert response.status_code == 200
    assert response.content == (CONTEXT_DIR / "v1.jsonld").read_bytes()
    assert response.headers["content-type"] == "application/ld+json"
    assert "immutable" in response.headers["cache-control"]
    assert client.get("/context/v1.jsonld",
                      headers={"If-None-Match": response.headers["etag"]}).status_code == 304
    assert json.loads(response.content)["@context"]["@version"] == 1.1
    assert client.get("/context/v9.jsonld").status_code == 404
    assert client.get("/context/..%2Fapp.py").status_code == 404
