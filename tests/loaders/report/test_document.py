from __future__ import annotations

from pathlib import Path

import pytest

from clusterkg.loaders.records import ExtractionError
from clusterkg.loaders.report.document import Line, join_cells, locate_table, read_lines

FIXTURES = Path(__file__).parents[2] / "fixtures" / "loaders"


@pytest.fixture
def table():
    lines = read_lines(FIXTURES / "page-break-table.txt")
    return locate_table(lines, "page-break-table.txt", "Table 99 - ")


def test_read_lines_numbers_from_one():
    lines = read_lines(FIXTURES / "page-break-table.txt")
    assert lines[0] == Line(1, 1, "Some prose before the table.")


def test_repeated_page_break_header_is_skipped(table):
    assert table.header == ("Country", "Programme", "Duration")
    assert all(row.cells[0] != "Country" for row in table.rows)


def test_continuation_row_after_page_break_is_joined(table):
    france = table.rows[1]
    assert (france.start, france.end) == (7, 12)
    assert france.cells[1] == "Politique des pôles <i>de</i> compétitivité &amp; more"
    assert france.cells[2].startswith("Since 2005 (3 <sup>rd</sup> phase: 2013-2018)")


def test_empty_first_cell_not_after_page_break_is_a_new_row(table):
    assert len(table.rows) == 3
    assert table.rows[2].start == 13


def test_join_cells_mends_italic_runs_cut_by_a_page_break():
    assert join_cells(["<i>a b</i>"], ["<i>c</i>"]) == ("<i>a b c</i>",)
    assert join_cells(["x", ""], ["y", "z"]) == ("x y", "z")


def test_missing_caption_is_an_extraction_error():
    lines = read_lines(FIXTURES / "page-break-table.txt")
    with pytest.raises(ExtractionError, match="Table 7"):
        locate_table(lines, "page-break-table.txt", "Table 7 - ")


def test_shifted_cells_are_an_extraction_error():
    lines = [Line(1, 1, "Table 1 - x"), Line(2, 2, "A\tB"), Line(3, 3, "a\tb\tc")]
    with pytest.raises(ExtractionError) as info:
        locate_table(lines, "doc.txt", "Table 1 - ")
    assert info.value.line == 3
