"""Shared fixtures: settings over the hand-written dataset; a TestClient with its lifespan."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from clusterkg.api.app import create_app
from clusterkg.settings import Settings

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "api"
DATASET = FIXTURES / "clusterkg-sample.trig"
ADMIN_TOKEN = "test-admin-token"


@pytest.fixture(scope="session")
def settings() -> Settings:
    return Settings(
        dataset=DATASET,
        query_timeout=5.0,
        max_rows=1000,
        query_workers=2,
        admin_token=SecretStr(ADMIN_TOKEN),
        service_allowlist=("http://127.0.0.1:9/sparql",),
    )


@pytest.fixture(scope="module")
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as test_client:
        yield test_client
