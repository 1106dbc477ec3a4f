from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from clusterkg.loaders.documents import document_file
from clusterkg.loaders.mapper import map_records, mappings
from clusterkg.loaders.records import ExtractionError
from clusterkg.loaders.registry import EXTRACTORS, run_extractors
from clusterkg.loaders.report.corrections import CorrectionError
from clusterkg.paths import CORRECTIONS_FILE, SOURCES_DIR

DOCUMENT = document_file("report")


def copy_sources(tmp_path: Path) -> Path:
    target = tmp_path / "sources"
    shutil.copytree(SOURCES_DIR, target)
    return target


def test_every_record_kind_has_a_mapping(records):
    kinds = {r.kind for r in records}
    assert kinds <= set(mappings())
    assert len(list(map_records(records))) > len(records)


def test_progress_is_reported(tmp_path):
    seen: list[str] = []
    run_extractors(SOURCES_DIR, CORRECTIONS_FILE, seen.append)
    assert len(seen) >= len(EXTRACTORS)


def test_broken_source_names_file_line_and_column(tmp_path):
    sources = copy_sources(tmp_path)
    path = sources / DOCUMENT
    lines = path.read_text(encoding="utf-8").split("\n")
    assert lines[377].endswith("\t2014-2020")
    lines[377] = lines[377][: -len("2014-2020")] + "2014-2O20"
    path.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(ExtractionError) as info:
        run_extractors(sources, CORRECTIONS_FILE)
    assert (info.value.document, info.value.line, info.value.column) == (DOCUMENT, 378, "Duration")


def test_changed_corrected_line_stops_the_build(tmp_path):
    sources = copy_sources(tmp_path)
    path = sources / DOCUMENT
    lines = path.read_text(encoding="utf-8").split("\n")
    lines[392] = lines[392].replace("Attica", "Athens")
    path.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(CorrectionError) as info:
        run_extractors(sources, CORRECTIONS_FILE)
    assert (info.value.document, info.value.line) == (DOCUMENT, 393)


def test_every_programme_has_a_source_line_range(records):
    programmes = [r for r in records if r.get("programme_id")]
    assert programmes
    for r in programmes:
        assert r.source.document == DOCUMENT
        assert 1 <= r.source.line_start <= r.source.line_end


def test_one_programme_one_node_across_tables(records):
    tables: dict[str, set[str]] = {}
    for r in records:
        if r.get("programme_id") and r.source.table:
            tables.setdefault(r.values["programme_id"], set()).add(r.source.table)
    assert tables["FRA-poles-de-competitivite"] == {"Table 2", "Table 3", "Table 8"}
    assert tables["GRC-creative-industries"] == {"Table 3", "Table 8"}


def test_each_programme_has_exactly_one_preferred_label(records):
    prefs: dict[str, set[str]] = {}
    for r in records:
        if r.kind == "programme_label" and r.values["pref_label"]:
            prefs.setdefault(r.values["programme_id"], set()).add(r.values["pref_label"])
    assert all(len(v) == 1 for v in prefs.values())
    assert len(prefs) == 33  # Lithuania's guidance document (line 408) is no programme
