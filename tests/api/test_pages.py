"""The query page, its assets and the ontology page, through the app (no browser; the page's
behaviour in a real browser is tested in tests/browser/)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from fastapi.testclient import TestClient

from clusterkg.api.app import create_app
from clusterkg.api.queries import get_library
from clusterkg.paths import STATIC_DIR
from clusterkg.queries.library import library
from clusterkg.settings import Settings


def _embedded_library(html: str) -> list[dict[str, object]]:
    match = re.search(r'<script type="application/json" id="library">(.*?)</script>', html, re.S)
    assert match, "the page embeds the query library"
    entries: list[dict[str, object]] = json.loads(match.group(1))
    return entries


def test_query_page(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    html = response.text
    assert 'id="yasqe"' in html and 'id="yasr"' in html
    assert 'id="examples"' in html
    assert all(f'id="download-{fmt}"' in html for fmt in ("csv", "tsv", "json"))
    embedded = _embedded_library(html)
    assert [entry["name"] for entry in embedded] == list(library())
    assert all(entry["sparql"] == library()[str(entry["name"])].text for entry in embedded)


def test_page_loads_nothing_from_other_hosts(client: TestClient) -> None:
    response = client.get("/")
    assert "default-src 'self'" in response.headers["content-security-policy"]
    html = response.text.split('<script type="application/json"')[0]
    assert not re.search(r'(src|href)="(https?:)?//', html)
    for asset in re.findall(r'(?:src|href)="(static/[^"]+)"', html):
        served = client.get("/" + asset)
        assert served.status_code == 200, asset
        loads = r"""@import|url\(\s*['"]?(https?:)?//|fetch\(\s*['"`](https?:)?//|import\("""
        assert not re.search(loads, served.text), asset


def test_embedded_library_cannot_close_its_script_element(
    settings: Settings, tmp_path: Path
) -> None:
    topic = tmp_path / "queries" / "tricky"
    topic.mkdir(parents=True)
    (topic / "tricky.rq").write_text(
        "#+ summary: </script><script>alert(1)</script>\nASK {}\n", encoding="utf-8"
    )
    app = create_app(settings)
    app.dependency_overrides[get_library] = lambda: library(tmp_path / "queries")
    with TestClient(app) as test_client:
        html = test_client.get("/").text
    assert "<script>alert" not in html
    assert _embedded_library(html)[0]["summary"] == "</script><script>alert(1)</script>"


def test_static_assets(client: TestClient) -> None:
    script = client.get("/static/query.js")
    assert script.status_code == 200
    assert script.headers["content-type"].startswith("text/javascript")
    assert client.get("/static/query.css").headers["content-type"].startswith("text/css")
    assert {p.name for p in STATIC_DIR.iterdir()} >= {"query.js", "query.css"}


def test_static_route_stays_in_its_folder(client: TestClient) -> None:
    assert client.get("/static/missing.js").status_code == 404
    assert client.get("/static/../pages.py").status_code == 404
    assert client.get("/static/%2e%2e/pages.py").status_code == 404
    assert client.get("/static/..%2fpages.py").status_code == 404


def test_ontology_page_missing_says_how_to_get_it(client: TestClient) -> None:
    response = client.get("/ontology")
    assert response.status_code == 404
    assert "ontology.html" in response.text and "clusterkg build" in response.text


def test_ontology_page_is_served_from_the_build(settings: Settings, tmp_path: Path) -> None:
    dataset = tmp_path / settings.dataset.name
    shutil.copy(settings.dataset, dataset)
    shutil.copy(settings.dataset.parent / "build.json", tmp_path)  # the release's manifest
    (tmp_path / "ontology.html").write_text(
        "<!doctype html><title>clusterkg ontology</title>", encoding="utf-8"
    )
    app = create_app(settings.model_copy(update={"dataset": dataset}))
    with TestClient(app) as test_client:
        response = test_client.get("/ontology")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "clusterkg ontology" in response.text
