"""Reloading the dataset: refused without a configured token; a failed reload changes nothing."""

from __future__ import annotations

import shutil
from pathlib import Path

from fastapi.testclient import TestClient
from pydantic import SecretStr

from clusterkg.api.app import create_app
from clusterkg.graph.release import write_manifest
from clusterkg.settings import Settings

from .conftest import DATASET

COUNT = {"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"}
AUTH = {"Authorization": "Bearer secret"}


def _count(client: TestClient) -> str:
    value: str = client.get("/sparql", params=COUNT).json()["results"]["bindings"][0]["n"]["value"]
    return value


def test_reload_refused_without_configured_token() -> None:
    with TestClient(create_app(Settings(dataset=DATASET))) as client:
        response = client.post("/admin/reload", headers=AUTH)
        assert response.status_code == 403
        assert "no admin token" in response.text


def test_reload_serves_a_checked_release_and_refuses_a_cut_or_empty_dump(
    tmp_path: Path,
) -> None:
    dataset = tmp_path / "clusterkg.trig"
    shutil.copy(DATASET, dataset)
    write_manifest(dataset)
    settings = Settings(dataset=dataset, admin_token=SecretStr("secret"))
    with TestClient(create_app(settings)) as client:
        assert _count(client) == "28"
        first = client.app.state.holder.release.version  # type: ignore[attr-defined]

        dataset.write_text(
            "<https://w3id.org/clusterkg/graph/x> { <urn:a> <urn:b> <urn:c> . }\n"
        )
        write_manifest(dataset)
        reloaded = client.post("/admin/reload", headers=AUTH)
        assert reloaded.status_code == 200, reloaded.text
        assert reloaded.json()["quads"] == 1
        assert reloaded.json()["release"]["version"] != first
        assert _count(client) == "1"

        good = dataset.read_bytes()
        for broken in (b"", good[: good.index(b"<urn:b>")], b"this is { not TriG"):
            dataset.write_bytes(broken)
            failed = client.post("/admin/reload", headers=AUTH)
            assert failed.status_code == 500
            assert "previous dataset is still served" in failed.text
            assert "differs from the manifest" in failed.text
            assert _count(client) == "1"

        dataset.unlink()
        assert client.post("/admin/reload", headers=AUTH).status_code == 500
        assert _count(client) == "1"


def test_settings_from_environment() -> None:
    settings = Settings.from_env(
        {
            "CLUSTERKG_DATASET": "x.nq",
            "CLUSTERKG_PORT": "9000",
            "CLUSTERKG_QUERY_TIMEOUT": "2.5",
            "CLUSTERKG_SERVICE_ALLOWLIST": "https://a/sparql, https://b/sparql",
            "CLUSTERKG_ADMIN_TOKEN": "",
            "OTHER": "ignored",
        }
    )
    assert settings.dataset == Path("x.nq")
    assert settings.port == 9000 and settings.query_timeout == 2.5
    assert settings.service_allowlist == ("https://a/sparql", "https://b/sparql")
    assert settings.admin_token is None
    assert "secret" not in repr(Settings(admin_token=SecretStr("secret")))
