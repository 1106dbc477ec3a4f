"""Reading uploaded survey tables: CSV rows keep their line numbers, formulas are flagged."""

from __future__ import annotations

import pytest

from clusterkg.loaders.survey.read import UnusableInput, check_size, read_csv


def test_csv_rows_keep_their_lines_and_blank_rows_are_skipped() -> None:
    sheet = read_csv("programme.csv", b"programme_id,country\nDEU-x,DEU\n,\nFRA-y,=1+1\n")
    assert (sheet.file, sheet.name) == ("programme.csv", "programme")
    assert sheet.header == ["programme_id", "country"]
    assert [(line, [c.value for c in cells]) for line, cells in sheet.rows] == [
        (2, ["DEU-x", "DEU"]),
        (4, ["FRA-y", "=1+1"]),
    ]
    assert sheet.rows[1][1][1].formula


def test_an_empty_or_oversized_file_is_unusable() -> None:
    with pytest.raises(UnusableInput, match="empty"):
        check_size("a.csv", 0, 10)
    with pytest.raises(UnusableInput, match="over the limit"):
        check_size("a.csv", 11, 10)
