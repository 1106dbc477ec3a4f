"""A wave loaded into a running service (`clusterkg load --service`) is served without a
restart, and readers querying all along see the whole previous release or the whole new one,
never half a wave."""

from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from clusterkg.cli import app as cli
from clusterkg.graph import waves
from clusterkg.graph.build import BuildSummary
from clusterkg.graph.store import OxigraphStore
from clusterkg.loaders.survey.template import rows_from_tables, write_template
from clusterkg.paths import DistLayout

from .server import running_server

TOKEN = "live-wave-token"
CZE_BUDGET = "https://w3id.org/clusterkg/id/programme/CZE-cooperation-clusters/budget"
PROBE = f"""
SELECT ?waveQuads ?amounts WHERE {{
  {{ SELECT (COUNT(*) AS ?waveQuads) WHERE {{
       GRAPH <{waves.wave_graph_iri("2021")}> {{ ?x ?p ?o }} }} }}
  {{ SELECT (GROUP_CONCAT(DISTINCT STR(?amount)) AS ?amounts) WHERE {{
       <{CZE_BUDGET}> <https://w3id.org/clusterkg/ontology#amount> ?amount }} }}
}}"""
READERS = 3


def _restate(folder: Path, amount: str) -> None:
    budget = folder / "programme_budget.csv"
    text = budget.read_text(encoding="utf-8")
    assert "CZE-cooperation-clusters,10000000," in text
    budget.write_text(
        text.replace("CZE-cooperation-clusters,10000000,", f"CZE-cooperation-clusters,{amount},"),
        encoding="utf-8",
    )


def _probe(url: str) -> tuple[int, str]:
    answer = httpx.post(
        url,
        data={"query": PROBE},
        headers={"Accept": "application/sparql-results+json"},
        timeout=30,
    )
    answer.raise_for_status()
    row = answer.json()["results"]["bindings"][0]
    return int(row["waveQuads"]["value"]), row["amounts"]["value"]


def test_wave_is_served_without_restart_and_never_by_halves(
    built: tuple[OxigraphStore, BuildSummary], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dist = tmp_path / "dist"
    shutil.copytree(built[1].out_dir, dist, symlinks=True)
    survey = tmp_path / "survey"
    write_template(survey, rows=rows_from_tables(dist / "tables", ["CZE", "DNK"]))
    (survey / "survey.xlsx").unlink()  # the CSV set is the wave
    _restate(survey, "12000000")
    monkeypatch.setenv("CLUSTERKG_ADMIN_TOKEN", TOKEN)

    with running_server(DistLayout(dist).dump, admin_token=TOKEN, query_workers="2") as (url, _):
        service = url.removesuffix("/sparql")
        assert _probe(url) == (0, "10000000")
        seen: list[tuple[int, str]] = []
        errors: list[BaseException] = []
        stop = threading.Event()

        def read() -> None:
            while not stop.is_set():
                try:
                    seen.append(_probe(url))
                except BaseException as error:  # reported below
                    errors.append(error)
                    return

        readers = [threading.Thread(target=read) for _ in range(READERS)]
        for reader in readers:
            reader.start()
        try:
            loaded = CliRunner().invoke(
                cli, ["load", str(survey), "--wave", "2021", "--service", service]
            )
            time.sleep(0.5)
        finally:
            stop.set()
            for reader in readers:
                reader.join(timeout=30)
        assert loaded.exit_code == 0, loaded.output
        assert "now serving release" in loaded.output
        assert not errors, errors

        after = _probe(url)
        wave_quads = after[0]
        assert wave_quads > 1000 and after[1] == "12000000"
        assert set(seen) <= {(0, "10000000"), after}, "a reader saw half a wave"
        assert (0, "10000000") in seen and after in seen
        print(f"{len(seen)} reads during the load: {seen.count(after)} saw the new wave whole")
        assert DistLayout(dist).wave("2021").exists()

        again = CliRunner().invoke(
            cli, ["load", str(survey), "--wave", "2021", "--service", service]
        )
        assert again.exit_code == 1 and "409" in again.output and "--replace" in again.output

        _restate_bad = survey / "programme_budget.csv"
        _restate_bad.write_text(
            _restate_bad.read_text(encoding="utf-8").replace(",12000000,", ",lots,"),
            encoding="utf-8",
        )
        refused = CliRunner().invoke(
            cli, ["load", str(survey), "--wave", "2022", "--service", service]
        )
        assert refused.exit_code == 1 and "422" in refused.output
        assert not DistLayout(dist).wave("2022").exists()
        assert _probe(url) == after

        monkeypatch.setenv("CLUSTERKG_ADMIN_TOKEN", "wrong")
        denied = CliRunner().invoke(
            cli, ["load", str(survey), "--wave", "2023", "--service", service]
        )
        assert denied.exit_code == 2 and "401" in denied.output
