"""The interactive API docs in a real headless browser, offline.

Debian's chromium (Playwright for Python, `executable_path`) opens /docs served by uvicorn over
the built graph: Swagger UI, from the package's own assets, must render the JSON-LD API's
operations from /openapi.json and run one ("Execute") against the server. Every request to
another host is blocked and recorded, and must not happen.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest

from bench.servers import clusterkg_server
from clusterkg.api.collection_spec import collections
from clusterkg.graph.build import BuildSummary
from clusterkg.graph.store import OxigraphStore
from tests.browser.chromium import chromium_context


@pytest.fixture(scope="module")
def base_url(built: tuple[OxigraphStore, BuildSummary]) -> Iterator[str]:
    with clusterkg_server(built[1].out_dir / "clusterkg.nq", workers=1) as sparql_url:
        yield sparql_url.removesuffix("sparql")


@pytest.fixture(scope="module")
def browser_context(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    with chromium_context(tmp_path_factory.mktemp("chromium-docs-profile")) as context:
        yield context


def test_docs_page_renders_every_operation_and_runs_one_offline(
    browser_context: Any, base_url: str
) -> None:
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
    try:
        tab.goto(base_url + "docs")
        tab.wait_for_selector(".opblock-summary-path", timeout=30_000)
        shown = set(tab.locator(".opblock-summary-path").evaluate_all(
            "nodes => nodes.map(n => n.getAttribute('data-path'))"
        ))
        for name in collections():
            assert f"/api/{name}" in shown and f"/api/{name}/{{key}}" in shown
        tab.locator("#operations-JSON-LD_API-list_programmes .opblock-summary").click()
        block = tab.locator("#operations-JSON-LD_API-list_programmes")
        block.locator("select").first.wait_for(timeout=10_000)
        block.locator("button.execute").click()
        status = block.locator(".live-responses-table tr.response .response-col_status").first
        status.wait_for(timeout=30_000)
        assert status.inner_text().strip().startswith("200")
        rows = block.locator(".live-responses-table tr.response")
        body = rows.locator(".response-col_description pre").first
        assert '"totalItems": 127' in body.inner_text()
    finally:
        tab.close()
    assert foreign == [], "the docs page must not load anything from other hosts"
    assert errors == [], "the docs page raised script errors"
