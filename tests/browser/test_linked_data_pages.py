"""The linked-data pages in a real headless browser, checked for accessibility with axe-core.

Debian's chromium, driven by Playwright (`executable_path`, never `playwright install`), opens
a programme page and a Table 8 excerpt page served by uvicorn over the session's build of the
bundled sources. The pages carry no script element at all (checked); every request to
another host is blocked and recorded. axe-core (installed by `make setup` with
`npm ci`, pinned in package-lock.json) is then injected by the test alone and must report no
violation of WCAG 2.1 A/AA. Screenshots go to the session's temporary folder (their path is
printed) so that a person can look at them.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from bench.servers import clusterkg_server
from clusterkg.graph.build import BuildSummary
from clusterkg.graph.store import OxigraphStore
from tests.browser.chromium import SETUP_HINT, chromium_context

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
PROGRAMME = "/id/programme/AUT-clusterplattform"
EXCERPT = "/source/002_685b5d5a3136ccf2/table-8/L2398-2398"


@pytest.fixture(scope="module")
def base_url(built: tuple[OxigraphStore, BuildSummary]) -> Iterator[str]:
    with clusterkg_server(built[1].out_dir / "clusterkg.nq", workers=1) as sparql_url:
        yield sparql_url.removesuffix("/sparql")


@pytest.fixture(scope="module")
def context(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    if not AXE.is_file():
        pytest.fail(f"axe-core is not installed at {AXE}: {SETUP_HINT}")
    profile = tmp_path_factory.mktemp("chromium-ld")
    with chromium_context(profile, {"width": 1280, "height": 900}) as browser_context:
        yield browser_context


@pytest.fixture
def page(context: Any, base_url: str) -> Iterator[Any]:
    tab = context.new_page()
    local = urlsplit(base_url).netloc
    foreign: list[str] = []

    def guard(route: Any) -> None:
        if urlsplit(route.request.url).netloc == local:
            route.continue_()
        else:
            foreign.append(route.request.url)
            route.abort()

    tab.route("**/*", guard)
    yield tab
    tab.close()
    assert foreign == [], "the page must not load anything from other hosts"


def _axe_violations(page: Any) -> list[dict[str, Any]]:
    """Run axe-core in the page and return its violations. The page itself has no script;
    Playwright's evaluate adds axe-core from the test (its Content-Security-Policy, which
    allows no script at all, does not apply to evaluation by the test driver)."""
    assert page.locator("script").count() == 0, "the page must work without JavaScript"
    page.evaluate(AXE.read_text(encoding="utf-8"))
    answer = page.evaluate("""() => axe.run(document,
        {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21aa']}})
        .then(r => JSON.stringify(r.violations.map(v => ({id: v.id, impact: v.impact,
            nodes: v.nodes.map(n => n.target.join(' '))}))))""")
    violations: list[dict[str, Any]] = json.loads(answer)
    return violations


def _shot(page: Any, tmp_path_factory: pytest.TempPathFactory, name: str) -> Path:
    path = tmp_path_factory.getbasetemp() / "screenshots" / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True)
    print(f"screenshot: {path}")
    return path


def test_programme_page(page: Any, base_url: str,
                        tmp_path_factory: pytest.TempPathFactory) -> None:
    response = page.goto(base_url + PROGRAMME)
    assert response.status == 200
    assert page.inner_text("h1") == "Nationale Clusterplattform"
    assert page.get_attribute("html", "lang") == "en"
    assert "national cluster programme" in page.inner_text(".types").lower()
    terms = page.locator("dl.properties dt").all_inner_texts()
    assert "objective" in terms and "country" in terms
    assert not [t for t in terms if t.startswith("http")], "terms are shown by their label"
    excerpt_link = page.locator(f'a[href="{EXCERPT}"]').first
    assert excerpt_link.inner_text() == "Table 8, line 2398"
    assert page.locator("figure.excerpt blockquote").count() >= 2
    first_source = page.inner_text("h2#sources ~ figure >> nth=0")
    assert "Cluster programmes in Europe and beyond" in first_source
    _shot(page, tmp_path_factory, "programme-page")
    assert _axe_violations(page) == []
    excerpt_link.click()
    page.wait_for_url(base_url + EXCERPT)
    assert "Increasing competitiveness of SMEs" in page.inner_text("ol.source")


def test_excerpt_page(page: Any, base_url: str,
                      tmp_path_factory: pytest.TempPathFactory) -> None:
    response = page.goto(base_url + EXCERPT)
    assert response.status == 200
    assert page.inner_text("h1") == "Cluster programmes in Europe and beyond, Table 8, line 2398"
    assert page.locator("ol.source").get_attribute("start") == "2398"
    row = page.inner_text("ol.source li")
    assert row.startswith("<b>Austria</b>") and "Nationale Clusterplattform" in row
    assert "Cluster programmes in Europe and beyond" in page.inner_text("h2#quoted ~ p")
    derived = page.locator("h2#incoming ~ ul a").all_inner_texts()
    assert "Nationale Clusterplattform" in derived  # the programme derived from this row
    _shot(page, tmp_path_factory, "excerpt-page")
    assert _axe_violations(page) == []
