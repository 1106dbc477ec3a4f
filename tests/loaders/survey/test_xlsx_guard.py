"""Hostile workbooks are stopped while they unzip, before openpyxl builds anything."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from clusterkg.loaders.survey.limits import HostileInput, IntakeLimits, LimitExceeded
from clusterkg.loaders.survey.read import UnusableInput, read_xlsx
from clusterkg.loaders.survey.xlsx_guard import inspect_xlsx

from ...hostile import (
    billion_laughs_xlsx,
    huge_dimension_xlsx,
    huge_shared_string_xlsx,
    sheet_xml,
    workbook,
    xxe_xlsx,
    zip_bomb_xlsx,
)
from ...hostile.canary import canary


def test_the_minimal_workbook_is_read() -> None:
    sheets = read_xlsx("w.xlsx", workbook())
    assert [cell.value for cell in sheets[0].rows[0][1]] == ["LVA-x", "innovation"]


def test_the_survey_template_passes_the_inspection(filled: Path) -> None:
    inspect_xlsx("survey.xlsx", (filled / "survey.xlsx").read_bytes(), IntakeLimits())


def test_declared_dimension_a1_xfd1048576_is_refused_at_once() -> None:
    data = huge_dimension_xlsx()
    assert len(data) < 2048
    started = time.monotonic()
    with pytest.raises(LimitExceeded) as over:
        read_xlsx("dimension.xlsx", data)
    assert time.monotonic() - started < 1
    assert over.value.limit == "validation_max_rows"
    assert str(over.value).startswith("dimension.xlsx: ")
    assert "A1:XFD1048576" in str(over.value) and "CLUSTERKG_VALIDATION_MAX_ROWS" in str(over.value)


def test_wide_dimension_and_cell_count_are_limits() -> None:
    limits = IntakeLimits(validation_max_cells=100, validation_max_columns=50)
    wide = workbook(sheet=sheet_xml("A1:BZ2"))
    with pytest.raises(LimitExceeded) as over:
        inspect_xlsx("wide.xlsx", wide, limits)
    assert over.value.limit == "validation_max_columns"
    body = "".join(f'<row r="{r}"><c r="A{r}"><v>1</v></c></row>' for r in range(1, 102))
    many = workbook(sheet=sheet_xml("A1:A1", body=body))
    with pytest.raises(LimitExceeded) as over:
        inspect_xlsx("many.xlsx", many, limits)
    assert over.value.limit == "validation_max_cells"


@pytest.mark.heavy
def test_one_shared_string_of_512_mib_is_stopped_at_excels_cell_limit() -> None:
    data = huge_shared_string_xlsx(512)
    assert len(data) < 600_000
    started = time.monotonic()
    with pytest.raises(LimitExceeded) as over:
        read_xlsx("string.xlsx", data)
    assert time.monotonic() - started < 2
    assert over.value.limit == "validation_max_shared_string_chars"


def test_decompressed_bytes_are_counted_while_unzipping() -> None:
    data = zip_bomb_xlsx(150)
    assert len(data) < 200_000
    with pytest.raises(LimitExceeded) as over:
        inspect_xlsx("bomb.xlsx", data, IntakeLimits(validation_max_decompressed_bytes=10 << 20))
    assert over.value.limit == "validation_max_decompressed_bytes"
    assert "xl/media/image1.png" in str(over.value)


def test_too_many_zip_members() -> None:
    with pytest.raises(LimitExceeded) as over:
        inspect_xlsx("w.xlsx", workbook(), IntakeLimits(validation_max_zip_members=3))
    assert over.value.limit == "validation_max_zip_members"


def test_xxe_is_refused_and_nothing_is_fetched(tmp_path: Path) -> None:
    with canary() as listener:
        for target in (listener.url("xxe"), (tmp_path / "secret").as_uri()):
            with pytest.raises(HostileInput, match="document type declaration"):
                read_xlsx("xxe.xlsx", xxe_xlsx(target))
        assert listener.connections == 0


def test_billion_laughs_is_refused_at_once() -> None:
    started = time.monotonic()
    with pytest.raises(HostileInput, match=r"billion laughs"):
        read_xlsx("laughs.xlsx", billion_laughs_xlsx())
    assert time.monotonic() - started < 1


def test_malformed_xml_part_is_unusable_not_a_crash() -> None:
    broken = workbook(sheet='<?xml version="1.0"?><worksheet><sheetData><row></worksheet>')
    with pytest.raises(UnusableInput, match="not well-formed XML"):
        read_xlsx("broken.xlsx", broken)
