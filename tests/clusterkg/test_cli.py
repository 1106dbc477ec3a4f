"""The `clusterkg` command against a build of the bundled sources."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from clusterkg.cli import app
from clusterkg.graph.build import BuildSummary
from clusterkg.graph.store import OxigraphStore
from clusterkg.loaders.documents import document_file
from clusterkg.paths import SOURCES_DIR

FIXTURES = Path(__file__).parents[1] / "fixtures"

runner = CliRunner()


def test_query_answers_29_countries_and_20_with_a_programme(
    built: tuple[OxigraphStore, BuildSummary],
) -> None:
    dist = str(built[1].out_dir)
    result = runner.invoke(app, ["query", "countries-surveyed", "--dist", dist, "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == ["countries,countriesWithProgramme", "29,20"]


def test_query_takes_sparql_text(built: tuple[OxigraphStore, BuildSummary]) -> None:
    query = "ASK { ?p a <https://w3id.org/clusterkg/ontology#NationalClusterProgramme> }"
    result = runner.invoke(
        app,
        ["query", "-", "--sparql", query, "--dist", str(built[1].out_dir), "--format", "json"],
    )
    assert result.exit_code == 0 and '"boolean": true' in result.stdout


def test_unknown_query_and_missing_build_are_clear(tmp_path: Path) -> None:
    unknown = runner.invoke(app, ["query", "no-such-query", "--dist", str(tmp_path)])
    assert unknown.exit_code == 2 and "no query named 'no-such-query'" in unknown.output
    missing = runner.invoke(app, ["query", "countries-surveyed", "--dist", str(tmp_path)])
    assert missing.exit_code == 2 and "clusterkg build" in missing.output


def test_info_lists_the_discrepancies(built: tuple[OxigraphStore, BuildSummary]) -> None:
    """Every claim of the register that the tables contradict, with both values."""
    result = runner.invoke(
        app, ["info", "--discrepancies", "--dist", str(built[1].out_dir)],
        env={"COLUMNS": "2000"},
    )
    assert result.exit_code == 0
    assert "EUR 69 million" in result.stdout and "€68,000,000" in result.stdout
    golden = yaml.safe_load((FIXTURES / "loaders" / "claims" / "outcomes.yaml").read_text())
    contradicted = [row for row in golden if not row["agrees"]]
    assert len(contradicted) >= 18  # 9 of line 652 agree when counted per answer (Table 4)
    for row in contradicted:
        line = next(x for x in result.stdout.splitlines() if f" {row['id']} " in x)
        assert str(row["stated"]) in line and str(row["says"]) in line, row["id"]


def test_build_of_a_broken_source_exits_1_and_names_the_cell(tmp_path: Path) -> None:
    sources = tmp_path / "sources"
    shutil.copytree(SOURCES_DIR, sources)
    report = sources / document_file("report")
    text = report.read_text(encoding="utf-8")
    report.write_text(text.replace("\tSince 2008", "\tSince spring", 1), encoding="utf-8")
    result = runner.invoke(
        app, ["build", "--dist", str(tmp_path / "dist"), "--sources", str(sources)]
    )
    assert result.exit_code == 1
    assert "line 373" in result.output and "Duration" in result.output
    assert not (tmp_path / "dist" / "clusterkg.nq").exists()


def test_serve_refuses_a_cut_dump_in_one_line(
    built: tuple[OxigraphStore, BuildSummary], tmp_path: Path
) -> None:
    dist = tmp_path / "dist"
    shutil.copytree(built[1].out_dir, dist, symlinks=True)
    dump = (dist / "clusterkg.nq").resolve()
    data = dump.read_bytes()
    dump.write_bytes(data[: data.rindex(b"\n", 0, len(data) // 2) + 1])  # cut at a line boundary
    result = runner.invoke(app, ["serve", "--dist", str(dist), "--port", "0"])
    assert result.exit_code == 2
    assert "not serving" in result.output and "differs from the manifest" in result.output


def test_run_prints_a_generated_admin_token(
    built: tuple[OxigraphStore, BuildSummary], monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    from clusterkg import cli

    served: list[str | None] = []
    monkeypatch.delenv("CLUSTERKG_ADMIN_TOKEN", raising=False)
    monkeypatch.setattr(cli, "_run_build", lambda *_: built)
    monkeypatch.setattr(
        cli, "serve_command", lambda *_: served.append(os.environ.get("CLUSTERKG_ADMIN_TOKEN"))
    )
    result = runner.invoke(app, ["run", "--dist", str(built[1].out_dir)])
    assert result.exit_code == 0, result.output
    token = served[0]
    assert token and len(token) >= 24
    assert f"export CLUSTERKG_ADMIN_TOKEN={token}" in " ".join(result.output.split())
