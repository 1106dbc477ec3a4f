"""Shared fixtures: one build of the bundled sources per test session; the hostile-input
canary."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from clusterkg.graph.build import BuildSummary, build
from clusterkg.graph.store import OxigraphStore
from clusterkg.loaders.survey.template import rows_from_tables, write_template
from tests.hostile.canary import Canary, canary


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[OxigraphStore, BuildSummary]:
    """The graph built from the bundled sources into a temporary dist folder."""
    dist: Path = tmp_path_factory.mktemp("dist")
    return build(dist)


@pytest.fixture(scope="session")
def built_store(built: tuple[OxigraphStore, BuildSummary]) -> OxigraphStore:
    return built[0]


@pytest.fixture(scope="session")
def filled(
    built: tuple[OxigraphStore, BuildSummary], tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """The survey template filled with the rows the build extracted for Latvia and Sweden."""
    out = tmp_path_factory.mktemp("survey")
    write_template(out, rows=rows_from_tables(built[1].out_dir / "tables", ["LVA", "SWE"]))
    return out


@pytest.fixture(scope="session")
def oxigraph_base() -> Iterator[str]:
    """One Oxigraph server for the session (issue 14): `http://127.0.0.1:PORT`. Tests keep to
    graphs of their own or publish releases; `oxigraph_server` starts a private one."""
    from tests.stores.oxigraph import oxigraph_server

    with oxigraph_server() as base:
        yield base


def pytest_configure(config: pytest.Config) -> None:
    # issue 9 (h2): the audit's heavy cases (hundreds of MiB generated, live servers under load)
    config.addinivalue_line("markers", "heavy: a slow regression case; still run by make test")


@pytest.fixture(scope="module")
def listener() -> Iterator[Canary]:
    """A loopback listener counting the connections made to it (`tests/hostile/canary.py`):
    hostile inputs point at it, and a count above 0 is an outbound request."""
    with canary() as found:
        yield found
