"""The stores the conformance suite runs over: the embedded one and Oxigraph server (h7 adds
Virtuoso as a third parameter). Each kind yields settings that serve the same release."""

from __future__ import annotations

import pytest

from clusterkg.graph.remote_release import publish
from clusterkg.graph.stores import open_store
from tests.api.conftest import DATASET
from tests.api.conftest import settings as settings  # the protocol suite's settings fixture

STORE_KINDS = ["embedded", "oxigraph"]


def store_url(kind: str, oxigraph_base: str) -> str | None:
    """The `--store` URL of a kind (None: the embedded store)."""
    return {"embedded": None, "oxigraph": f"oxigraph+{oxigraph_base}"}[kind]


@pytest.fixture(scope="session", params=STORE_KINDS)
def store_kind(request: pytest.FixtureRequest) -> str:
    kind: str = request.param
    return kind


@pytest.fixture(scope="session")
def sample_published(oxigraph_base: str) -> str:
    """The protocol suite's sample release published to the session's Oxigraph server."""
    url = f"oxigraph+{oxigraph_base}"
    publish(DATASET, open_store(url))
    return url

