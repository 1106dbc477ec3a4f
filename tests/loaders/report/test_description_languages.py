"""Table 2's descriptions carry the language a reviewer gave each cell, never a guess."""

from __future__ import annotations

from pathlib import Path

import pytest

from clusterkg.loaders.documents import document_file
from clusterkg.loaders.records import ExtractionError, Record, SourceRef
from clusterkg.loaders.report import table2
from clusterkg.loaders.report.crosswalk import load_languages
from clusterkg.loaders.report.description_languages import (
    COLUMN,
    load_description_languages,
    tag_descriptions,
)
from clusterkg.loaders.report.document import Line

REPORT = document_file("report")
HEADER = "table,line,programme_id,language,begins\n"


def _programme(pid: str, line: int, text: str) -> Record:
    return Record("programme", {"programme_id": pid, "description": text},
                  SourceRef(REPORT, "Table 2", line, line))


def _file(tmp_path: Path, rows: str) -> Path:
    path = tmp_path / "description-languages.csv"
    path.write_text(HEADER + rows, encoding="utf-8")
    return path


def test_a_german_cell_is_tagged_german(lines: list[Line]) -> None:
    """Line 373: Austria's cell is the programme's German name only."""
    language = {r.values["programme_id"]: r.values.get(COLUMN)
                for r in table2.extract(lines, REPORT) if r.kind == "programme"}
    assert language["AUT-clusterplattform"] == "de"
    assert language["SWE-vinnvaxt"] == "sv"
    assert language["ESP-aei"] == "es"
    assert language["FRA-poles-de-competitivite"] == "en"  # English prose about a French name
    assert None not in language.values()


def test_a_cell_that_is_a_name_has_the_language_of_that_name() -> None:
    """Where the description is a programme's spelling alone, its language agrees with the
    reviewed language of that spelling (data/label-languages.csv)."""
    spellings = load_languages()
    disagree = [(e.programme_id, e.language, spellings[e.begins][0])
                for e in load_description_languages().values()
                if e.begins in spellings and spellings[e.begins][0] != e.language]
    assert disagree == []


def test_a_cell_without_a_reviewed_language_stops_the_build(tmp_path: Path) -> None:
    path = _file(tmp_path, "Table 2,373,AUT-clusterplattform,de,Nationale\n")
    with pytest.raises(ExtractionError, match="no language for the description of SWE-vinnvaxt"):
        tag_descriptions([_programme("AUT-clusterplattform", 373, "Nationale Clusterplattform"),
                          _programme("SWE-vinnvaxt", 424, "Vinnväxt")], "Table 2", path)


def test_a_changed_cell_stops_the_build(tmp_path: Path) -> None:
    path = _file(tmp_path, "Table 2,424,SWE-vinnvaxt,sv,Vinnväxt\n")
    with pytest.raises(ExtractionError, match="expects the description of SWE-vinnvaxt to begin"):
        tag_descriptions([_programme("SWE-vinnvaxt", 424, "Vinnova growth")], "Table 2", path)


def test_an_unused_row_stops_the_build(tmp_path: Path) -> None:
    path = _file(tmp_path, "Table 2,424,SWE-vinnvaxt,sv,Vinnväxt\nTable 2,1,XXX-gone,en,Gone\n")
    with pytest.raises(ValueError, match="no description used: line 1 XXX-gone"):
        tag_descriptions([_programme("SWE-vinnvaxt", 424, "Vinnväxt")], "Table 2", path)


def test_a_language_must_be_a_tag(tmp_path: Path) -> None:
    path = _file(tmp_path, "Table 2,424,SWE-vinnvaxt,Swedish,Vinnväxt\n")
    with pytest.raises(ValueError, match="row 2, column language: 'Swedish'"):
        load_description_languages.__wrapped__(path)
