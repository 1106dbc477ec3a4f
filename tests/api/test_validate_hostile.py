"""`POST /validate` against the audit's hostile uploads: clean 4xx naming file and limit, nothing
fetched, nothing left on disk."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from clusterkg.api import validate as validate_route
from clusterkg.loaders.survey.limits import IntakeLimits

from ..hostile import (
    billion_laughs_xlsx,
    context_positions,
    huge_dimension_xlsx,
    jsonld_bytes,
    million_row_csv,
    xxe_xlsx,
    zip_bomb_xlsx,
)
from ..hostile.canary import Canary

LIMITS = IntakeLimits(validation_timeout=20)


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    app = FastAPI()
    app.include_router(validate_route.router)
    app.dependency_overrides[validate_route.intake_limits] = lambda: LIMITS
    app.dependency_overrides[validate_route.validation_slots] = lambda: 4
    with TestClient(app) as test_client:
        yield test_client


def _post(client: TestClient, name: str, data: bytes) -> tuple[int, dict[str, object]]:
    response = client.post("/validate", files={"files": (name, data)})
    return response.status_code, response.json()


def _message(body: dict[str, object]) -> str:
    findings = body["findings"]
    assert isinstance(findings, list) and findings
    return str(findings[0]["message"])


@pytest.mark.parametrize("position", sorted(context_positions("x")))
def test_remote_context_is_a_422_naming_file_and_iri(
    client: TestClient, listener: Canary, position: str
) -> None:
    url = listener.url(position)
    status, body = _post(client, "wave.jsonld", jsonld_bytes(context_positions(url)[position]))
    assert status == 422 and body["status"] == "unusable"
    assert body["findings"][0]["file"] == "wave.jsonld"  # type: ignore[index]
    assert f"<{url}>" in _message(body)
    assert listener.connections == 0


def test_file_context_is_a_422_naming_the_file_iri(client: TestClient, tmp_path: Path) -> None:
    secret = tmp_path / "context.jsonld"
    secret.write_text('{"@context": {"name": "https://schema.org/name"}}')
    document = context_positions(secret.as_uri())["import"]
    status, body = _post(client, "wave.jsonld", jsonld_bytes(document))
    assert status == 422 and f"<{secret.as_uri()}>" in _message(body)


@pytest.mark.parametrize(
    ("name", "make", "limit"),
    [
        ("dimension.xlsx", huge_dimension_xlsx, "CLUSTERKG_VALIDATION_MAX_ROWS"),
        ("rows.csv", million_row_csv, "CLUSTERKG_VALIDATION_MAX_ROWS"),
        ("bomb.xlsx", lambda: zip_bomb_xlsx(150), "CLUSTERKG_VALIDATION_MAX_DECOMPRESSED_BYTES"),
    ],
)
def test_limit_breaches_are_413_naming_file_and_limit(
    client: TestClient, name: str, make: object, limit: str
) -> None:
    data = make()  # type: ignore[operator]
    status, body = _post(client, name.replace("rows", "programme_objective"), data)
    assert status == 413 and body["status"] == "unusable"
    assert limit in _message(body)
    assert body["findings"][0]["check"] == "limit"  # type: ignore[index]


@pytest.mark.parametrize("make", [xxe_xlsx, billion_laughs_xlsx])
def test_xxe_and_billion_laughs_are_422(client: TestClient, listener: Canary, make: object) -> None:
    status, body = _post(client, "survey.xlsx", make())  # type: ignore[operator]
    assert status == 422 and "document type declaration" in _message(body)
    assert listener.connections == 0


def test_timeout_is_413_naming_the_limit() -> None:
    app = FastAPI()
    app.include_router(validate_route.router)
    app.dependency_overrides[validate_route.intake_limits] = lambda: IntakeLimits(
        validation_timeout=0.5
    )
    rows = "".join(f"LVA-p{i},innovation\n" for i in range(20_000))
    with TestClient(app) as test_client:
        status, body = _post(
            test_client, "programme_objective.csv", f"programme_id,objective\n{rows}".encode()
        )
    assert status == 413 and "CLUSTERKG_VALIDATION_TIMEOUT" in _message(body)
    assert body["files"] == ["programme_objective.csv"]


def test_body_over_the_limit_without_content_length_is_413(client: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        boundary = b"--b\r\n"
        yield boundary + b'Content-Disposition: form-data; name="files"; filename="big.csv"\r\n\r\n'
        for _ in range(40):
            yield b"x" * (1 << 20)

    response = client.post(
        "/validate",
        content=chunks(),
        headers={"Content-Type": "multipart/form-data; boundary=b"},
    )
    assert response.status_code == 413
    assert "big.csv" in response.json()["detail"]
