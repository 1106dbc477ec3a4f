"""The reviewed crosswalks in `data/`: which programme a spelling in a table row names, and
which country a row label names. Fuzzy matching may suggest entries; these files decide."""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from clusterkg.loaders.report.cells import clean_cell, squash
from clusterkg.loaders.report.document import Row
from clusterkg.paths import DATA_DIR

PROGRAMMES_FILE = DATA_DIR / "crosswalk.csv"
COUNTRIES_FILE = DATA_DIR / "crosswalk-countries.csv"


@dataclass(frozen=True)
class Spelling:
    """One row of `crosswalk.csv`: `spelling` in `table` at `line` names `programme_id`."""

    document: str
    table: str
    line: int
    spelling: str
    programme_id: str
    preferred: bool


@dataclass(frozen=True)
class Crosswalk:
    spellings: tuple[Spelling, ...]

    def at(self, table: str, line: int) -> list[Spelling]:
        """The spellings recorded for a table row starting at `line`, in file order."""
        return [s for s in self.spellings if s.table == table and s.line == line]

    def lines(self, table: str) -> set[int]:
        return {s.line for s in self.spellings if s.table == table}

    def programme_ids(self) -> list[str]:
        return sorted({s.programme_id for s in self.spellings})


@cache
def load_crosswalk(path: Path = PROGRAMMES_FILE) -> Crosswalk:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = [
            Spelling(
                document=r["document"],
                table=r["table"],
                line=int(r["line"]),
                spelling=squash(r["spelling"]),
                programme_id=r["programme_id"],
                preferred=r["preferred"].strip().lower() == "yes",
            )
            for r in csv.DictReader(handle)
        ]
    preferred: dict[str, int] = defaultdict(int)
    for s in rows:
        preferred[s.programme_id] += s.preferred
    wrong = sorted(p for p, n in preferred.items() if n != 1)
    if wrong:
        raise ValueError(f"{path.name}: programmes without exactly one preferred spelling: {wrong}")
    return Crosswalk(tuple(rows))


@cache
def load_countries(path: Path = COUNTRIES_FILE) -> dict[str, str]:
    """Country label as the report writes it -> alpha-3 code."""
    with path.open(encoding="utf-8", newline="") as handle:
        return {squash(r["label"]): r["country"] for r in csv.DictReader(handle)}


def country_code(label: str) -> str | None:
    return load_countries().get(squash(label))


def countries_of(rows: Sequence[Row], column: str = "Country") -> Iterator[tuple[Row, str]]:
    """Each row with its country: its own label, or the last label above it (rows of further
    programmes of a country leave the label empty)."""
    country: str | None = None
    for row in rows:
        label = clean_cell(row.cells[0]).plain
        if label:
            country = country_code(label)
            if country is None:
                raise row.error(column, f"unknown country label {label!r}")
        elif country is None:
            raise row.error(column, "row without a country and none above it")
        yield row, country


def programme_of(row: Row, document: str, column: str = "Cluster Programme") -> Spelling:
    """The crosswalk entry of a row that names exactly one programme; its spelling must be the
    cell's text, so a changed name is noticed."""
    found = [s for s in load_crosswalk().at(row.table, row.start) if s.document == document]
    if len(found) != 1:
        raise row.error(column, f"crosswalk has {len(found)} programmes for this row")
    text = clean_cell(row.cells[1]).plain
    if found[0].spelling != text:
        raise row.error(column, f"crosswalk expects {found[0].spelling!r}, cell reads {text!r}")
    return found[0]
