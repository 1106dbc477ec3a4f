"""The stores the conformance suite runs over: the embedded one, Oxigraph server and Virtuoso
(a real `virtuoso-t -f` on its own `virtuoso.ini`, `graph/stores/virtuoso_process.py`, started
once for the session). Each kind yields settings that serve the same release."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from clusterkg.graph.remote_release import publish
from clusterkg.graph.stores import RemoteStore, open_store
from clusterkg.graph.stores.virtuoso_process import VirtuosoProcess, running_virtuoso
from tests.api.conftest import DATASET
from tests.api.conftest import settings as settings  # the protocol suite's settings fixture

STORE_KINDS = ["embedded", "oxigraph", "virtuoso"]


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



@pytest.fixture(scope="session")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VirtuosoProcess]:
    """A Virtuoso of the session's own (stopped at the end), with a fresh database."""
    with running_virtuoso(tmp_path_factory.mktemp("virtuoso"), timeout_s=60,
                          max_rows=100_000) as server:
        yield server


def writer(server: VirtuosoProcess) -> RemoteStore:
    """A store on `server` that writes with its administrator's credentials, read from the
    environment (`CLUSTERKG_STORE_USER` / `_PASSWORD`) as the CLI reads them."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CLUSTERKG_STORE_USER", server.user)
        patch.setenv("CLUSTERKG_STORE_PASSWORD", server.password)
        store = open_store(server.store_url)
        store.client  # noqa: B018  (the client takes the credentials when it is made)
    return store


@pytest.fixture(scope="session")
def sample_published_virtuoso(virtuoso: VirtuosoProcess) -> str:
    """The protocol suite's sample release published to the session's Virtuoso."""
    publish(DATASET, writer(virtuoso))
    return virtuoso.store_url
