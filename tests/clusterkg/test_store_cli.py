"""`clusterkg publish --store` and `clusterkg query --store` against a real Oxigraph server."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

from clusterkg.cli import app
from clusterkg.graph.build import BuildSummary
from clusterkg.graph.release import write_manifest
from clusterkg.graph.store import OxigraphStore, RdfFormat
from clusterkg.loaders.survey.template import rows_from_tables, write_template
from tests.api.conftest import DATASET
from tests.graph.wave_support import csv_set, with_budget
from tests.stores.oxigraph import oxigraph_server

ORGANISATIONS = ("SELECT (COUNT(*) AS ?n) WHERE "
                 "{ ?c a <https://w3id.org/clusterkg/ontology#ClusterOrganisation> }")


def sample_dist(folder: Path) -> Path:
    """A dist folder whose release is the API tests' sample dataset."""
    dump = folder / "clusterkg.nq"
    dump.write_bytes(OxigraphStore.from_file(DATASET).serialize(RdfFormat.NQUADS))
    write_manifest(dump)
    return folder


def test_publish_then_query_through_the_store(tmp_path: Path) -> None:
    dist = sample_dist(tmp_path)
    runner = CliRunner()
    with oxigraph_server() as base:
        url = f"oxigraph+{base}"
        first = runner.invoke(app, ["publish", "--store", url, "--dist", str(dist)])
        assert first.exit_code == 0, first.output
        report = json.loads(first.stdout[first.stdout.index("{"):])
        assert report["published"] is True and report["triples"] == 28
        again = runner.invoke(app, ["publish", "--store", url, "--dist", str(dist)])
        assert json.loads(again.stdout[again.stdout.index("{"):])["published"] is False
        answer = runner.invoke(app, ["query", "-", "--store", url, "--sparql", ORGANISATIONS,
                                     "--format", "csv"])
        assert answer.exit_code == 0, answer.output
        assert answer.stdout.split() == ["n", "3"]


def test_an_empty_or_unknown_store_is_refused(tmp_path: Path) -> None:
    runner = CliRunner()
    with oxigraph_server() as base:
        empty = runner.invoke(app, ["query", "-", "--store", f"oxigraph+{base}",
                                    "--sparql", "ASK {}"])
        assert empty.exit_code == 2 and "serves no release" in " ".join(empty.output.split())
    unknown = runner.invoke(app, ["publish", "--store", "graphdb+http://127.0.0.1:9",
                                  "--dist", str(tmp_path)])
    assert unknown.exit_code == 2 and "unknown store kind" in " ".join(unknown.output.split())


def test_load_with_store_publishes_the_wave(
    built: tuple[OxigraphStore, BuildSummary], tmp_path: Path,
) -> None:
    dist = tmp_path / "dist"
    shutil.copytree(built[1].out_dir, dist, symlinks=True)
    survey = tmp_path / "wave-2021"
    write_template(survey, rows=rows_from_tables(dist / "tables", ["CZE"]))
    for name, data in with_budget(csv_set(survey), "12000000"):
        (survey / name).write_bytes(data)
    runner = CliRunner()
    with oxigraph_server() as base:
        url = f"oxigraph+{base}"
        loaded = runner.invoke(app, ["load", str(survey), "--wave", "2021", "--dist", str(dist),
                                     "--store", url])
        assert loaded.exit_code == 0, loaded.output
        answer = runner.invoke(app, ["query", "national-annual-budgets", "--format", "csv",
                                     "--store", url])
        assert answer.exit_code == 0, answer.output
        czech = [line for line in answer.stdout.splitlines() if line.startswith("Czechia")]
        assert czech == ['Czechia,Cooperation Clusters,12000000,"12,000,000"'], czech
