"""Survey waves: the LVA/SWE template filled from a build loads as a wave with provenance;
every bad variant is refused and leaves the waves folder unchanged; diff compares waves."""

from __future__ import annotations

import csv
import hashlib
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from clusterkg.cli import app
from clusterkg.graph import waves
from clusterkg.graph.store import OxigraphStore


def csv_set(folder: Path) -> list[tuple[str, bytes]]:
    return [(p.name, p.read_bytes()) for p in sorted(folder.glob("*.csv"))]


def edit(
    files: list[tuple[str, bytes]], name: str, row: int, column: str, value: str
) -> list[tuple[str, bytes]]:
    out = []
    for file, data in files:
        if file == name:
            rows = list(csv.reader(io.StringIO(data.decode("utf-8"))))
            rows[row - 1][rows[0].index(column)] = value
            buffer = io.StringIO()
            csv.writer(buffer).writerows(rows)
            data = buffer.getvalue().encode("utf-8")
        out.append((file, data))
    return out


def snapshot(dist: Path) -> dict[str, str]:
    return {
        str(p.relative_to(dist)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(dist.rglob("*"))
        if p.is_file()
    }


def test_filled_template_loads_as_a_wave_with_provenance(filled: Path, tmp_path: Path) -> None:
    loaded = waves.load_wave(csv_set(filled), "2025-a", tmp_path)
    assert loaded.path == tmp_path / "waves" / "2025-a.nq"
    store = OxigraphStore()
    assert waves.add_waves(store, tmp_path) == ["2025-a"]
    graph = waves.wave_graph_iri("2025-a")
    assert store.named_graphs() == [graph]
    ask = store.query(
        "PREFIX ckg: <https://w3id.org/clusterkg/ontology#> "
        "PREFIX prov: <http://www.w3.org/ns/prov#> "
        f"ASK {{ GRAPH <{graph}> {{ ?w a ckg:SurveyWave ; prov:startedAtTime ?t ; prov:used ?f . "
        "?f ckg:fileName 'programme.csv' ; ckg:sha256 ?sha . "
        "?p a ckg:ClusterProgramme ; ckg:surveyWave ?w ; prov:wasDerivedFrom ?e . "
        "?e ckg:sourceDocument ?f ; ckg:lineStart 2 } }"
    )
    assert bool(ask)


def test_existing_wave_is_refused_unless_replace(filled: Path, tmp_path: Path) -> None:
    waves.load_wave(csv_set(filled), "w", tmp_path)
    before = snapshot(tmp_path)
    with pytest.raises(waves.WaveError, match="exists"):
        waves.load_wave(csv_set(filled), "w", tmp_path)
    assert snapshot(tmp_path) == before
    assert waves.load_wave(csv_set(filled), "w", tmp_path, replace=True).replaced


def _bad_variants(filled: Path) -> dict[str, list[tuple[str, bytes]]]:
    files = csv_set(filled)
    named = dict(files)
    book = load_workbook(filled / "survey.xlsx")
    book["programme"]["D2"] = "=cmd|' /C calc'!A0"
    buffer = io.BytesIO()
    book.save(buffer)
    lines = named["programme.csv"].decode().splitlines()
    workbook = (filled / "survey.xlsx").read_bytes()
    return {
        "latin-1": [
            (n, d.decode().encode("latin-1") if n == "programme_label.csv" else d) for n, d in files
        ],
        "misspelt column": [
            (n, d.replace(b",country,", b",contry,", 1) if n == "programme.csv" else d)
            for n, d in files
        ],
        "extra column": [
            (
                n,
                (lines[0] + ",notes\n" + "\n".join(lines[1:])).encode()
                if n == "programme.csv"
                else d,
            )
            for n, d in files
        ],
        "empty file": [(n, b"" if n == "programme.csv" else d) for n, d in files],
        "unknown country": edit(files, "programme.csv", 2, "country", "XYZ"),
        "objective outside the list": edit(files, "programme_objective.csv", 2, "objective", "x"),
        "budget not a number": edit(files, "programme_budget.csv", 2, "amount", "lots"),
        "negative budget": edit(files, "programme_budget.csv", 2, "amount", "-1"),
        "end before start": edit(
            edit(files, "programme.csv", 2, "start_year", "2016"),
            "programme.csv",
            2,
            "end_year",
            "2001",
        ),
        "same programme twice": [
            (n, (named[n].decode() + lines[1] + "\n").encode() if n == "programme.csv" else d)
            for n, d in files
        ],
        "formula": [("survey.xlsx", buffer.getvalue())],
        "truncated workbook": [("survey.xlsx", workbook[: len(workbook) // 3])],
        "malformed turtle": [("wave.ttl", b"<a> <b> .")],
    }


def test_bad_waves_load_nothing(filled: Path, tmp_path: Path) -> None:
    waves.load_wave(csv_set(filled), "base", tmp_path)
    before = snapshot(tmp_path)
    for label, files in _bad_variants(filled).items():
        with pytest.raises(waves.WaveError) as caught:
            waves.load_wave(files, "bad", tmp_path)
        result = caught.value.result
        assert result is not None and not result.conforms, label
        first = result.violations[0]
        assert first.file, label
        if not result.unusable:
            assert first.row is not None and first.column, f"{label}: {first}"
        assert snapshot(tmp_path) == before, label


def test_diff_lists_added_removed_and_changed(filled: Path, tmp_path: Path) -> None:
    files = csv_set(filled)
    changed = edit(files, "programme_budget.csv", 2, "amount", "999")
    without_swe = [
        (
            name,
            "".join(
                line for line in data.decode().splitlines(keepends=True) if "SWE" not in line
            ).encode(),
        )
        for name, data in changed
    ]
    waves.load_wave(files, "a", tmp_path)
    waves.load_wave(without_swe, "b", tmp_path)
    result = waves.diff(tmp_path, "a", "b")
    # Sweden's national programme and the programmes of its regions (SE224, ...) leave
    assert result.added == [] and "id:programme/SWE-vinnvaxt" in result.removed
    assert all(p.startswith(("id:programme/SWE-", "id:programme/SE")) for p in result.removed)
    ((programme, changes),) = result.changed.items()
    assert programme == "id:programme/LVA-cluster-programme"
    assert any(prop.endswith("ckg:amount") and after == ["999"] for prop, _, after in changes)
    back = waves.diff(tmp_path, "b", "a")
    assert back.added == result.removed


def test_cli_load_and_diff(filled: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    ok = runner.invoke(app, ["load", str(filled), "--wave", "one", "--dist", str(tmp_path)])
    assert ok.exit_code == 0, ok.output
    again = runner.invoke(app, ["load", str(filled), "--wave", "one", "--dist", str(tmp_path)])
    assert again.exit_code == 1 and "exists" in again.output
    assert (
        runner.invoke(
            app, ["load", str(filled), "--wave", "two", "--dist", str(tmp_path)]
        ).exit_code
        == 0
    )
    diffed = runner.invoke(app, ["diff", "one", "two", "--dist", str(tmp_path)])
    assert diffed.exit_code == 0 and "no programme differs" in diffed.output


def test_respondent_columns_are_recorded_with_the_row(filled: Path, tmp_path: Path) -> None:
    """A new survey has no report table and line: the template asks who answered, when and from
    what; file, sheet and row are the loader's."""
    header = (filled / "programme.csv").read_text(encoding="utf-8").splitlines()[0].split(",")
    assert {"respondent", "answered_on", "answer_source"} <= set(header)
    assert "respondent" in (filled / "README.md").read_text(encoding="utf-8")
    files = edit(csv_set(filled), "programme.csv", 2, "respondent", "Latvian cluster agency")
    files = edit(files, "programme.csv", 2, "answered_on", "2025-03-31")
    files = edit(files, "programme.csv", 2, "answer_source", "annual report 2024")
    waves.load_wave(files, "2025", tmp_path)
    store = OxigraphStore()
    waves.add_waves(store, tmp_path)
    ask = store.query(
        "PREFIX ckg: <https://w3id.org/clusterkg/ontology#> "
        "PREFIX dcterms: <http://purl.org/dc/terms/> "
        "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#> "
        "ASK { GRAPH ?g { ?row ckg:lineStart 2 ; ckg:sourceTable 'programme' ; "
        "dcterms:creator 'Latvian cluster agency' ; dcterms:date '2025-03-31'^^xsd:date ; "
        "dcterms:source 'annual report 2024' ; ckg:sourceDocument ?f . "
        "?f ckg:fileName 'programme.csv' } }"
    )
    assert bool(ask)
    bad = edit(csv_set(filled), "programme.csv", 2, "answered_on", "last spring")
    with pytest.raises(waves.WaveError) as refused:
        waves.load_wave(bad, "2026", tmp_path)
    assert refused.value.result is not None
    assert any(f.column == "answered_on" and f.row == 2 for f in refused.value.result.violations)
