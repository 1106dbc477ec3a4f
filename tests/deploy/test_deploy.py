"""The sample deployment (`deploy/`) names only commands and settings clusterkg has, and runs
its API processes over the store."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import yaml
from typer.main import get_command

from clusterkg.cli import app
from clusterkg.settings import ENV_PREFIX, Settings

DEPLOY = Path(__file__).parents[2] / "deploy"
COMMANDS = set(get_command(app).commands)  # type: ignore[attr-defined]
SETTINGS = {ENV_PREFIX + name.upper() for name in Settings.model_fields}


def _clusterkg_commands(argv: list[str]) -> list[str]:
    text = " ".join(argv)
    return re.findall(r"clusterkg (\w[\w-]*)", text)


def test_compose_services() -> None:
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    services = compose["services"]
    apis = [s for name, s in services.items() if name.startswith("api-")]
    assert len(apis) >= 2
    for service in services.values():
        for command in _clusterkg_commands(service.get("command", [])):
            assert command in COMMANDS, command
        for variable in service.get("environment", {}):
            assert variable in SETTINGS, variable
    for api in apis:
        assert api["environment"]["CLUSTERKG_STORE"].startswith("oxigraph+http://oxigraph:")
        assert all(port.startswith("127.0.0.1:") for port in api["ports"])
    assert "ports" not in services["oxigraph"], "the store is reachable by clusterkg only"


def test_systemd_units() -> None:
    for unit in sorted((DEPLOY / "systemd").glob("*.service")):
        entries = [line.split("=", 1) for line in unit.read_text().splitlines()
                   if "=" in line and not line.startswith("#")]  # keys repeat (ExecStart)
        for key, value in entries:
            if key == "ExecStart":
                for command in _clusterkg_commands(shlex.split(value)):
                    assert command in COMMANDS, f"{unit.name}: {command}"
            if key == "Environment":
                assert value.split("=", 1)[0] in SETTINGS, f"{unit.name}: {value}"
    api = (DEPLOY / "systemd" / "clusterkg-api@.service").read_text()
    assert "CLUSTERKG_STORE=oxigraph+http://127.0.0.1:7878" in api
