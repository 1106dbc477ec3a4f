"""The query page's npm assets, its completion lists and the service description's HTML view,
through the app (the page's behaviour in a browser is in tests/browser/)."""

from __future__ import annotations

import json
import re

import pytest
import rdflib
from fastapi.testclient import TestClient

from clusterkg.api import workbench
from clusterkg.api.service_page import prefers_html, render, wants_page

CKG = "https://w3id.org/clusterkg/ontology#"
BROWSER = ("text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,"
           "image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7")  # Chromium's


def test_every_vendor_file_is_installed_and_served(client: TestClient) -> None:
    lock = json.loads((workbench.NODE_MODULES.parent / "package-lock.json").read_text())
    for name, relative in workbench.manifest().items():
        package = relative.split("/build/")[0] if "/build/" in relative else relative.rsplit(
            "/", 1)[0]
        assert f"node_modules/{package}" in lock["packages"], f"{package} is pinned by the lock"
        response = client.get(f"/vendor/{name}")
        assert response.status_code == 200, f"{name}: {response.text}"
        assert response.content == (workbench.NODE_MODULES / relative).read_bytes()
    assert client.get("/vendor/yasgui.min.js").headers["content-type"].startswith("text/javascript")
    assert client.get("/vendor/yasgui.min.css").headers["content-type"].startswith("text/css")


def test_only_the_manifest_is_served(client: TestClient) -> None:
    for name in ("package.json", "..%2fpackage-lock.json", "%2e%2e", "vega"):
        response = client.get(f"/vendor/{name}")
        assert response.status_code == 404, name
    assert "served are" in client.get("/vendor/nothing.js").text


def test_the_page_loads_its_libraries_from_this_server(client: TestClient) -> None:
    html = client.get("/").text.split('<script type="application/json"')[0]
    assets = re.findall(r'(?:src|href)="(vendor/[^"]+)"', html)
    assert {"vendor/yasgui.min.js", "vendor/vega-lite.min.js", "vendor/vega-embed.min.js"} <= set(
        assets)
    assert all(client.get("/" + asset).status_code == 200 for asset in assets)


def test_prefixes_come_from_the_ontology(client: TestClient) -> None:
    prefixes = client.get("/workbench/prefixes.json").json()
    assert prefixes["ckg"] == CKG
    assert prefixes["skos"] == "http://www.w3.org/2004/02/skos/core#"
    assert prefixes["vann"] == "http://purl.org/vocab/vann/"  # declared only in clusterkg.ttl
    assert "rating" in prefixes  # declared only in a vocabulary file


def test_terms_are_those_of_the_graph_served(client: TestClient) -> None:
    terms = client.get("/workbench/terms.json").json()
    assert CKG + "ClusterOrganisation" in terms["classes"]  # used as a type in the sample
    assert CKG + "country" in terms["properties"]
    assert "http://www.w3.org/1999/02/22-rdf-syntax-ns#type" in terms["properties"]
    assert not set(terms["classes"]) & {CKG + "country"}
    assert terms["classes"] == sorted(terms["classes"])


def test_accept_decides_between_page_and_rdf() -> None:
    assert prefers_html(BROWSER)
    assert prefers_html("text/html")
    assert not prefers_html("*/*")
    assert not prefers_html(None)
    assert not prefers_html("text/turtle, text/html;q=0.5")
    assert not prefers_html("text/html;q=0.5, application/rdf+xml")
    assert not prefers_html("text/html;q=0")
    assert not prefers_html("text/html, */*")  # a tie: RDF, the service's own answer
    assert prefers_html("text/html, image/*")


def _scope(method: str, path: str, query: bytes, accept: bytes | None) -> dict[str, object]:
    headers = [(b"host", b"127.0.0.1")] + ([(b"accept", accept)] if accept is not None else [])
    return {"type": "http", "method": method, "path": path, "query_string": query,
            "headers": headers, "root_path": "", "scheme": "http"}


@pytest.mark.parametrize(("method", "path", "query", "accept", "page"), [
    ("GET", "/sparql", b"", BROWSER.encode(), True),
    ("GET", "/sparql", b"", b"TEXT/HTML", True),  # media types are case-insensitive
    ("GET", "/sparql", b"", b"application/xhtml+xml", True),
    ("GET", "/sparql", b"", b"application/sparql-results+json", False),  # no HTML named
    ("GET", "/sparql", b"", None, False),
    ("GET", "/sparql", b"", b"text/html;q=0, text/turtle", False),
    ("GET", "/sparql", b"query=ASK+%7B%7D", BROWSER.encode(), False),
    ("GET", "/sparql", b"format=ttl", BROWSER.encode(), False),
    ("GET", "/sparql", b"output=json", BROWSER.encode(), False),
    ("GET", "/sparql", b"default-graph-uri=urn%3Ag", BROWSER.encode(), True),
    ("POST", "/sparql", b"", BROWSER.encode(), False),
    ("GET", "/sparql/", b"", BROWSER.encode(), False),
    ("GET", "/queries", b"", BROWSER.encode(), False),
])
def test_only_a_browsers_get_of_the_endpoint_is_the_page(
    method: str, path: str, query: bytes, accept: bytes | None, page: bool
) -> None:
    """The middleware's test, which every request meets: protocol clients are let through on
    method, path and an Accept header without HTML, before anything is parsed."""
    assert wants_page(_scope(method, path, query, accept)) is page


def test_service_description_page_for_browsers_rdf_for_clients(client: TestClient) -> None:
    page = client.get("/sparql", headers={"Accept": BROWSER})
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "Accept" in page.headers["vary"]
    assert "<h1>SPARQL service description</h1>" in page.text
    assert "sd:resultFormat" in page.text and "sd:Service" in page.text
    turtle = client.get("/sparql", headers={"Accept": "text/turtle"})
    assert turtle.headers["content-type"].startswith("text/turtle")
    graph = rdflib.Graph().parse(data=turtle.text, format="turtle")
    assert len(graph) > 10
    forced = client.get("/sparql?format=ttl", headers={"Accept": BROWSER})
    assert forced.headers["content-type"].startswith("text/turtle")
    assert client.get("/sparql").headers["content-type"].startswith("text/turtle")


def test_page_escapes_what_the_description_states() -> None:
    turtle = '<http://x/s> <http://x/p> "<script>alert(1)</script>" .'
    html = render(turtle, "http://127.0.0.1/sparql?<b>")
    assert "<script>alert" not in html and "&lt;script&gt;" in html
    assert "<b>" not in html.split("<body>")[1].split("</nav>")[1]
