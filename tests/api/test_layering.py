"""Issue 10 item 5: the API talks to the store only through the `Store` protocol, and no module
of `api/` imports another module's private names (read from the source with `ast`)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

API = Path(__file__).resolve().parents[2] / "api"
MODULES = sorted(API.glob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=[p.name for p in MODULES])
def test_store_protocol_only(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    reaching = [node.lineno for node in ast.walk(tree)
                if isinstance(node, ast.Attribute) and node.attr == "native"]
    assert reaching == [], f"{path.name} reaches around the Store protocol at lines {reaching}"


@pytest.mark.parametrize("path", MODULES, ids=[p.name for p in MODULES])
def test_no_private_names_across_modules(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    private = [
        f"{node.module}.{alias.name}" for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("clusterkg.")
        for alias in node.names if alias.name.startswith("_")
    ]
    assert private == [], f"{path.name} imports private names: {private}"
