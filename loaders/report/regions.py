"""The reviewed region crosswalk (`data/regions.csv`) and reading the regional tables of report
002 (Tables 5, 6, 7, 9 and 10) row by row with the region each row names.

A region's country and NUTS code come from the crosswalk, never from the table: the tables leave
the country cell empty for further regions of a country, and Table 9 writes "Italy" on the
Piemonte row while Lombardia, the row above, sits under the German rows (`country_of_region`).
A country label the row does write is only checked against the region's country.

Page breaks: the regional tables repeat their header at each page break, and a row after it
whose Country cell is empty is usually a new region of the same country (Satakunta, Bayern,
Valencia), not a continuation. `locate_regional_table` therefore joins a row to the one before
the break only when both its Country and its Region cells are empty.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

from clusterkg.loaders.records import Record
from clusterkg.loaders.report.cells import clean_cell, squash
from clusterkg.loaders.report.crosswalk import LANGUAGE_TAG, country_code
from clusterkg.loaders.report.document import Line, Row, Table, join_cells, locate_table
from clusterkg.paths import DATA_DIR

REGIONS_FILE = DATA_DIR / "regions.csv"
REGIONAL_PROGRAMMES_FILE = DATA_DIR / "crosswalk-regional.csv"
SURVEY = "regional-2018"


@dataclass(frozen=True)
class Region:
    """One row of `data/regions.csv`: a surveyed region, its reviewed NUTS code and country."""

    nuts_code: str
    nuts_label: str
    country: str
    nuts_level: int
    nuts_version: str
    spellings: tuple[str, ...]
    label_language: str = "en"  # BCP 47 tag of the report's spellings
    nuts_label_language: str = "en"  # BCP 47 tag of the official NUTS name

    @property
    def label(self) -> str:
        """The name the report gives the region (its first spelling)."""
        return self.spellings[0]


def _tag(path: Path, row: dict[str, str], column: str) -> str:
    value = (row.get(column) or "").strip()
    if not LANGUAGE_TAG.match(value):
        raise ValueError(f"{path.name}, region {row['nuts_code']}, column {column}: {value!r} is "
                         "not a BCP 47 language tag such as de or fr")
    return value


@cache
def load_regions(path: Path = REGIONS_FILE) -> dict[str, Region]:
    """Every spelling of the crosswalk -> its region; a spelling naming two regions is an
    error, as is a NUTS code listed twice."""
    by_spelling: dict[str, Region] = {}
    codes: set[str] = set()
    with path.open(encoding="utf-8", newline="") as handle:
        for r in csv.DictReader(handle):
            region = Region(
                nuts_code=r["nuts_code"],
                nuts_label=r["nuts_label"],
                country=r["country"],
                nuts_level=int(r["nuts_level"]),
                nuts_version=r["nuts_version"],
                spellings=tuple(squash(s) for s in r["spellings"].split("|")),
                label_language=_tag(path, r, "label_language"),
                nuts_label_language=_tag(path, r, "nuts_label_language"),
            )
            if region.nuts_code in codes:
                raise ValueError(f"{path.name}: NUTS code {region.nuts_code} listed twice")
            codes.add(region.nuts_code)
            for spelling in region.spellings:
                if spelling in by_spelling:
                    raise ValueError(f"{path.name}: spelling {spelling!r} names two regions")
                by_spelling[spelling] = region
    return by_spelling


def regions() -> list[Region]:
    """The regions of the crosswalk, each once, in file order."""
    return list({r.nuts_code: r for r in load_regions().values()}.values())


def region_named(label: str) -> Region | None:
    return load_regions().get(squash(label))


def country_of_region(row: Row, region: Region, country_cell: int = 0) -> str:
    """The region's country from the crosswalk. A country label in the row must agree with it
    ("The Netherlands" is read as "Netherlands"); an empty label takes nothing from the rows
    above."""
    label = clean_cell(row.cells[country_cell]).plain
    if label:
        code = country_code(label) or country_code(re.sub(r"^The\s+", "", label))
        if code != region.country:
            raise row.error("Country", f"{label!r} is not the country of {region.label!r}")
    return region.country


def locate_regional_table(lines: Sequence[Line], document: str, caption: str) -> Table:
    """Like `locate_table`, but a row after a page-break header continues the row before only
    when its Country and Region cells are both empty."""
    first = locate_table(lines, document, caption)
    last = max(row.end for row in first.rows)
    repeated: set[int] = set()
    after_break: set[int] = set()
    pending = False
    seen_header = False
    for line in lines:
        if not first.caption_line < line.start <= last or "\t" not in line.text:
            continue
        if tuple(squash(c) for c in line.cells) == first.header:
            if seen_header:
                repeated.add(line.start)
                pending = True
            seen_header = True
            continue
        if pending:
            after_break.add(line.start)
            pending = False
    kept = [line for line in lines if line.start not in repeated]
    plain = locate_table(kept, document, caption)
    rows: list[Row] = []
    for row in plain.rows:
        empty = not row.cells[0].strip() and not row.cells[1].strip()
        if row.start in after_break and empty and rows:
            previous = rows[-1]
            rows[-1] = replace(previous, end=row.end, cells=join_cells(previous.cells, row.cells))
        else:
            rows.append(replace(row, after_page_break=row.start in after_break))
    return replace(plain, rows=tuple(rows))


def regional_rows(table: Table) -> Iterator[tuple[Row, Region]]:
    """Each row with the region its Region cell names (an empty cell: the region above, for
    further programme rows of Table 5); an unknown name is an `ExtractionError`."""
    region: Region | None = None
    for row in table.rows:
        label = clean_cell(row.cells[1]).plain
        if label:
            region = region_named(label)
            if region is None:
                raise row.error("Region", f"region {label!r} is not in data/regions.csv")
            country_of_region(row, region)
        elif region is None:
            raise row.error("Region", "row without a region and none above it")
        yield row, region


def region_record(region: Region, row: Row) -> Record:
    """The `region` record of a region a table row names."""
    values = {
        "nuts_code": region.nuts_code,
        "label": region.label,
        "nuts_label": region.nuts_label if region.nuts_label != region.label else None,
        "label_language": region.label_language,
        "nuts_label_language": region.nuts_label_language,
        "country": region.country,
        "nuts_level": str(region.nuts_level),
        "nuts_version": region.nuts_version,
    }
    return Record("region", values, row.source())


def region_label_records(region: Region, row: Row) -> list[Record]:
    """Further spellings of the region as `region_label` records (alternative labels)."""
    return [
        Record("region_label", {"nuts_code": region.nuts_code, "alt_label": s,
                                "label_language": region.label_language}, row.source())
        for s in region.spellings[1:]
    ]
