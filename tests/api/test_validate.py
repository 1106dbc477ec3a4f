"""`POST /validate`: the report as JSON; 413 over the size limit; 422 for unusable input."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from clusterkg.api import validate as validate_route
from clusterkg.loaders.survey.limits import IntakeLimits

PROGRAMME = Path(__file__).resolve().parents[1] / "fixtures" / "shapes" / "valid" / "programme.ttl"


@pytest.fixture()
def client() -> Iterator[TestClient]:
    app = FastAPI()
    app.include_router(validate_route.router)
    limits = IntakeLimits(upload_max_bytes=4096)
    app.dependency_overrides[validate_route.intake_limits] = lambda: limits
    with TestClient(app) as test_client:
        yield test_client


def test_valid_upload(client: TestClient) -> None:
    response = client.post("/validate", files={"files": ("p.ttl", PROGRAMME.read_bytes())})
    assert response.status_code == 200
    assert response.json()["status"] == "valid"


def test_invalid_upload_names_file_row_and_column(client: TestClient) -> None:
    csv = b"programme_id,objective\nLVA-x,world-domination\n"
    response = client.post("/validate", files={"files": ("programme_objective.csv", csv)})
    body = response.json()
    assert response.status_code == 200 and body["status"] == "invalid"
    finding = body["findings"][0]
    assert (finding["file"], finding["row"], finding["column"]) == (
        "programme_objective.csv",
        2,
        "objective",
    )


def test_unusable_upload(client: TestClient) -> None:
    response = client.post("/validate", files={"files": ("p.csv", "Vinnväxt".encode("latin-1"))})
    assert response.status_code == 422
    assert "not UTF-8" in response.json()["findings"][0]["message"]


def test_upload_over_the_limit(client: TestClient) -> None:
    response = client.post("/validate", files={"files": ("big.csv", b"x" * 200_000)})
    assert response.status_code == 413


def test_no_file(client: TestClient) -> None:
    assert client.post("/validate", data={"x": "1"}).status_code == 422
