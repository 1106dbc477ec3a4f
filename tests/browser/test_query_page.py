"""The query page in a real headless browser against a real server.

Debian's chromium, driven by Playwright for Python (`executable_path`, never `playwright
install`), opens the page served by uvicorn on 127.0.0.1 over a small synthetic dataset, picks a
query of the library, runs it and reads its rows from the table. Every request to another host
is blocked and recorded: the page must work offline. A missing browser fails the test, so a
machine without it cannot pass the suite by skipping.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import httpx
import pytest

from bench.servers import clusterkg_server
from bench.synthetic import write
from clusterkg.queries.library import library

CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
ROWS_EXPECTED = {"countries-surveyed", "countries-by-policy-situation"}
SETUP_HINT = "`make setup` installs it (apt package chromium; pip package playwright)"


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    dataset = tmp_path_factory.mktemp("browser") / "synthetic.nq"
    write(dataset, organisations=50, seed=7)
    with clusterkg_server(dataset, workers=2) as sparql_url:
        yield sparql_url.removesuffix("sparql")


@pytest.fixture(scope="module")
def browser_context(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    executable = CHROMIUM if CHROMIUM.exists() else shutil.which("chromium")
    if not executable:
        pytest.fail(f"no chromium browser at {CHROMIUM}: {SETUP_HINT}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail(f"Playwright for Python is not installed: {SETUP_HINT}")
    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile), executable_path=str(executable), headless=True, args=LAUNCH_ARGS
        )
        try:
            yield context
        finally:
            context.close()


@pytest.fixture
def page(browser_context: Any, base_url: str) -> Iterator[Any]:
    """A fresh tab that may only talk to the test server; foreign requests and script
    errors are collected and must stay empty."""
    tab = browser_context.new_page()
    local = urlsplit(base_url).netloc
    foreign: list[str] = []
    errors: list[str] = []

    def guard(route: Any) -> None:
        if urlsplit(route.request.url).netloc == local:
            route.continue_()
        else:
            foreign.append(route.request.url)
            route.abort()

    tab.route("**/*", guard)
    tab.on("pageerror", lambda error: errors.append(str(error)))
    tab.on("console", lambda msg: errors.append(msg.text) if _is_error(msg) else None)
    yield tab
    tab.close()
    assert foreign == [], "the page must not load anything from other hosts"
    assert errors == [], "the page logged errors"


def _is_error(message: Any) -> bool:
    """A console error other than the browser's note of a 4xx answer (shown on the page)."""
    return bool(message.type == "error" and not message.text.startswith("Failed to load"))


def _open(page: Any, url: str) -> None:
    page.goto(url)
    page.wait_for_selector("body[data-ready=true]", timeout=10_000)


def _expected(base_url: str, query: str) -> dict[str, Any]:
    response = httpx.post(
        base_url + "sparql", data={"query": query},
        headers={"Accept": "application/sparql-results+json"}, timeout=30,
    )
    response.raise_for_status()
    answer: dict[str, Any] = response.json()
    return answer


def _table(page: Any) -> tuple[list[str], list[list[str]]]:
    head = page.locator("#results thead th").all_inner_texts()
    rows = [
        row.locator("td").all_inner_texts() for row in page.locator("#results tbody tr").all()
    ]
    return head, rows


@pytest.mark.parametrize("name", sorted(library()))
def test_pick_a_library_query_and_run_it(page: Any, base_url: str, name: str) -> None:
    _open(page, base_url)
    page.select_option("#examples", name)
    assert page.input_value("#query") == library()[name].text
    page.click("#run")
    page.wait_for_selector("#results:not([hidden])", timeout=15_000)
    expected = _expected(base_url, library()[name].text)
    head, rows = _table(page)
    assert head == ["?" + var for var in expected["head"]["vars"]]
    assert len(rows) == len(expected["results"]["bindings"])
    for binding, row in zip(expected["results"]["bindings"], rows, strict=True):
        for var, cell in zip(expected["head"]["vars"], row, strict=True):
            term = binding.get(var)
            if term and term["type"] == "literal":
                assert cell.startswith(term["value"])
    assert f"{len(rows)} row" in page.inner_text("#status")
    if name in ROWS_EXPECTED:
        assert rows, f"{name} shows rows on the synthetic data"


def test_iris_are_links(page: Any, base_url: str) -> None:
    query = "SELECT ?country WHERE { ?country a <https://w3id.org/clusterkg/ontology#Country> }"
    _open(page, base_url + "?query=" + quote(query))
    page.click("#run")
    link = page.locator("#results td.iri a").first
    link.wait_for(timeout=15_000)
    href = link.get_attribute("href")
    assert href and href.startswith("http://publications.europa.eu/resource/authority/country/")
    assert link.get_attribute("target") == "_blank"


def test_ctrl_enter_runs_and_the_url_restores_the_query(page: Any, base_url: str) -> None:
    query = "SELECT (1 + 1 AS ?two) WHERE {}"
    _open(page, base_url)
    page.fill("#query", query)
    page.press("#query", "Control+Enter")
    page.wait_for_selector("#results:not([hidden])", timeout=15_000)
    head, rows = _table(page)
    assert head == ["?two"] and len(rows) == 1
    assert rows[0][0].startswith("2") and rows[0][0].endswith("^^xsd:integer")
    shared = page.url
    assert "#query=" in shared
    _open(page, base_url + "?x=1")  # elsewhere first, so the next visit really loads the page
    _open(page, shared)
    assert page.input_value("#query") == query


def test_download_links_use_the_endpoint(page: Any, base_url: str) -> None:
    query = "SELECT ?s WHERE { ?s a <https://w3id.org/clusterkg/ontology#Region> } LIMIT 3"
    _open(page, base_url + "#query=" + quote(query))
    for fmt, media_type in (("csv", "text/csv"), ("json", "application/sparql-results+json")):
        href = page.get_attribute(f"#download-{fmt}", "href")
        assert href and f"format={fmt}" in href
        response = httpx.get(href, timeout=30)
        assert response.status_code == 200
        assert response.headers["content-type"].startswith(media_type)
    assert httpx.get(page.get_attribute("#download-csv", "href")).text.count("\r\n") == 4


def test_errors_are_shown(page: Any, base_url: str) -> None:
    _open(page, base_url)
    page.fill("#query", "SELECT WHERE {")
    page.click("#run")
    page.wait_for_selector("#error:not([hidden])", timeout=15_000)
    assert "syntax" in page.inner_text("#error").lower()
    assert "Error 400" in page.inner_text("#status")


def test_javascript_iri_is_not_a_link(page: Any, base_url: str) -> None:
    """Issue 9: an IRI with a script scheme is shown as text, never as a clickable link."""
    query = ("SELECT ?x WHERE { VALUES ?x { <javascript:alert(document.domain)> "
             "<https://example.org/safe> } }")
    _open(page, base_url)
    page.fill("#query", query)
    page.click("#run")
    page.wait_for_selector("#results:not([hidden])", timeout=15_000)
    hrefs = page.locator("#results td.iri a").evaluate_all("links => links.map(a => a.href)")
    assert hrefs == ["https://example.org/safe"]
    assert "javascript:alert" in page.inner_text("#results")
