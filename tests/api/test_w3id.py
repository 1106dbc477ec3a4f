"""The w3id rewrite rules send an IRI of every kind to the same path on the server."""

from __future__ import annotations

import re

import pytest

from clusterkg.api.w3id import main, render

SERVER = "https://clusterkg.test.invalid/kg"
RULE = re.compile(r"^RewriteRule (\S+) (\S+) \[R=(\d{3}),L\]$")


def _apply(rules: str, path: str) -> tuple[int, str]:
    """Apache's mod_rewrite in a per-directory .htaccess, for the rules used here: the first
    rule whose pattern matches the path (without the folder prefix) wins."""
    for line in rules.splitlines():
        match = RULE.match(line)
        if match and (found := re.match(match[1], path)):
            return int(match[3]), found.expand(match[2].replace("$", "\\"))
    raise AssertionError(f"no rule for {path}")


@pytest.mark.parametrize("path", [
    "id/programme/AUT-clusterplattform", "id/region/AT11", "vocab/objectives-national",
    "vocab/objectives-national/sme-competitiveness", "graph/002/table-8",
    "source/002_685b5d5a3136ccf2/table-8/L2398-2398", "ontology", "dataset", "catalog",
    "context/v1.jsonld", "dumps/clusterkg.nq", "sparql",
])
def test_every_kind_is_redirected_to_the_same_path(path: str) -> None:
    status, target = _apply(render(SERVER), path)
    assert (status, target) == (303, f"{SERVER}/{path}")


def test_unknown_paths_still_reach_the_server() -> None:
    assert _apply(render(SERVER + "/"), "whatever") == (302, f"{SERVER}/whatever")


def test_the_server_must_be_an_https_base(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(ValueError, match="https base URL"):
        render("http://clusterkg.test.invalid")
    assert main(["ftp://x"]) == 2
    assert main([SERVER]) == 0
    assert "RewriteEngine on" in capsys.readouterr().out
