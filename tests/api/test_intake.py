"""`POST /admin/waves/{name}` takes uploads in the way `POST /validate` does (`api/intake.py`):
the audit's hostile uploads get a clean 4xx naming file and limit, nothing is fetched, nothing
reaches the disk, no wave is written, and the route shares `/validate`'s slots (503 +
`Retry-After`). Every request carries the admin token; without it the body is not read."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from clusterkg.api import intake
from clusterkg.api.app import create_app
from clusterkg.graph.release import write_manifest
from clusterkg.loaders.survey.limits import IntakeLimits
from clusterkg.paths import DistLayout
from clusterkg.settings import Settings

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
from .conftest import DATASET

TOKEN = "intake-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
LIMITS = IntakeLimits(validation_timeout=20, upload_max_bytes=2 * 1024 * 1024)


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("dist")
    shutil.copy(DATASET, folder / DATASET.name)
    write_manifest(folder / DATASET.name)
    return folder


@pytest.fixture(scope="module")
def client(dist: Path) -> Iterator[TestClient]:
    settings = Settings(dataset=dist / DATASET.name, admin_token=SecretStr(TOKEN), query_workers=1)
    app = create_app(settings)
    app.dependency_overrides[intake.intake_limits] = lambda: LIMITS
    app.dependency_overrides[intake.validation_slots] = lambda: 4
    with TestClient(app) as test_client:
        yield test_client


def _no_wave(dist: Path) -> None:
    waves = DistLayout(dist).waves
    assert not waves.exists() or not any(waves.iterdir()), sorted(waves.iterdir())


def _post(client: TestClient, name: str, data: bytes, wave: str = "w") -> tuple[int, dict]:  # type: ignore[type-arg]
    response = client.post(f"/admin/waves/{wave}", files={"files": (name, data)}, headers=AUTH)
    return response.status_code, response.json()


def _message(body: dict) -> str:  # type: ignore[type-arg]
    findings = body["report"]["findings"]
    assert isinstance(findings, list) and findings
    return str(findings[0]["message"])


def test_without_the_token_nothing_is_read(client: TestClient, dist: Path) -> None:
    read: list[int] = []

    def body() -> Iterator[bytes]:
        read.append(1)
        yield b"--b--\r\n"

    response = client.post(
        "/admin/waves/w",
        content=body(),
        headers={"Content-Type": "multipart/form-data; boundary=b", "Authorization": "Bearer x"},
    )
    assert response.status_code == 401
    assert not read, "the body of an unauthorised upload was read"
    _no_wave(dist)


@pytest.mark.parametrize("position", sorted(context_positions("x")))
def test_remote_context_is_refused_without_a_connection(
    client: TestClient, listener: Canary, dist: Path, position: str
) -> None:
    url = listener.url(position)
    document = jsonld_bytes(context_positions(url)[position])
    status, body = _post(client, "wave.jsonld", document)
    assert status == 422 and body["loaded"] is False
    assert body["report"]["findings"][0]["file"] == "wave.jsonld"
    assert f"<{url}>" in _message(body)
    assert listener.connections == 0
    _no_wave(dist)


@pytest.mark.parametrize(
    ("name", "make", "status", "needle"),
    [
        ("dimension.xlsx", huge_dimension_xlsx, 413, "CLUSTERKG_VALIDATION_MAX_ROWS"),
        ("programme_objective.csv", million_row_csv, 413, "CLUSTERKG_UPLOAD_MAX_BYTES"),
        ("bomb.xlsx", lambda: zip_bomb_xlsx(150), 413, "CLUSTERKG_VALIDATION_MAX_DECOMPRESSED"),
        ("survey.xlsx", xxe_xlsx, 422, "document type declaration"),
        ("survey.xlsx", billion_laughs_xlsx, 422, "document type declaration"),
    ],
)
def test_hostile_files_are_a_clean_4xx_and_load_nothing(
    client: TestClient, listener: Canary, dist: Path, name: str, make: object, status: int,
    needle: str,
) -> None:  # fmt: skip
    data = make()  # type: ignore[operator]
    answer, body = _post(client, name, data)
    assert answer == status, body
    assert body["loaded"] is False
    text = body["detail"] if "report" not in body else _message(body)
    if needle == "CLUSTERKG_UPLOAD_MAX_BYTES":  # refused on its Content-Length, before any job
        assert "over the limit of 2,097,152 bytes" in text
    else:
        assert needle in text
    assert listener.connections == 0
    _no_wave(dist)


def _open_files_under(folder: Path) -> list[str]:
    found = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if target.startswith(str(folder)):
            found.append(target)
    return found


def test_huge_chunked_upload_is_413_with_nothing_on_disk(
    client: TestClient, dist: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spool = tmp_path / "spool"
    spool.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(spool))
    seen: list[str] = []

    def chunks() -> Iterator[bytes]:
        yield b'--b\r\nContent-Disposition: form-data; name="files"; filename="big.csv"\r\n\r\n'
        for _ in range(40):
            seen.extend(_open_files_under(spool) + [str(p) for p in spool.iterdir()])
            yield b"x" * (1 << 20)

    response = client.post(
        "/admin/waves/w",
        content=chunks(),
        headers={"Content-Type": "multipart/form-data; boundary=b", **AUTH},
    )
    assert response.status_code == 413
    assert "big.csv" in response.json()["detail"]
    assert not seen and not any(spool.iterdir()), "the upload reached the disk"
    _no_wave(dist)


def test_validation_runs_in_the_sandbox_and_stops_at_its_time_limit(
    client: TestClient, dist: Path
) -> None:
    app = client.app
    app.dependency_overrides[intake.intake_limits] = lambda: IntakeLimits(  # type: ignore[attr-defined]
        validation_timeout=0.5
    )
    try:
        rows = "".join(f"LVA-p{i},innovation\n" for i in range(20_000))
        status, body = _post(
            client, "programme_objective.csv", f"programme_id,objective\n{rows}".encode()
        )
    finally:
        app.dependency_overrides[intake.intake_limits] = lambda: LIMITS  # type: ignore[attr-defined]
    assert status == 413 and "CLUSTERKG_VALIDATION_TIMEOUT" in _message(body)
    assert body["report"]["files"] == ["programme_objective.csv"]
    _no_wave(dist)


def test_slots_are_shared_with_validate_and_a_full_gate_is_503(client: TestClient) -> None:
    state = client.app.state  # type: ignore[attr-defined]
    state.validation_gate = {"running": 4}  # four uploads being validated (`/validate`)
    try:
        response = client.post(
            "/admin/waves/w", files={"files": ("a.csv", b"programme_id\n")}, headers=AUTH
        )
        validate = client.post("/validate", files={"files": ("a.csv", b"programme_id\n")})
    finally:
        state.validation_gate = {"running": 0}
    assert response.status_code == 503 and response.headers["Retry-After"].isdigit()
    assert "validation slots are busy" in response.json()["detail"]
    assert validate.status_code == 503


def test_bad_names_and_existing_waves_are_refused_before_the_body_is_read(
    client: TestClient, dist: Path
) -> None:
    status, body = _post(client, "a.csv", b"x", wave="Not_A_Name")
    assert status == 422 and "lower-case" in body["detail"]
    existing = DistLayout(dist).wave("taken")
    existing.parent.mkdir(parents=True, exist_ok=True)
    existing.write_bytes(b"")
    try:
        status, body = _post(client, "a.csv", b"x", wave="taken")
        assert status == 409 and "--replace" in body["detail"]
    finally:
        existing.unlink()
