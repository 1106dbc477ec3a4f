"""The reviewed crosswalks in `data/`: which programme a spelling in a table row names, and
which country a row label names. Fuzzy matching may suggest entries; these files decide."""

from __future__ import annotations

import csv
import re
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
LANGUAGES_FILE = DATA_DIR / "label-languages.csv"
LANGUAGE_TAG = re.compile(r"^[a-z]{2,3}(-[A-Z]{2})?$")


@dataclass(frozen=True)
class Spelling:
    """One row of `crosswalk.csv`: `spelling` in `table` at `line` names `programme_id`."""

    document: str
    table: str
    line: int
    spelling: str
    programme_id: str
    preferred: bool
    language: str | None = None  # BCP 47 tag of the spelling (data/label-languages.csv)
    english: str | None = None  # an English name the spelling itself gives, if any


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
                **_language_of(squash(r["spelling"]), path, number),
            )
            for number, r in enumerate(csv.DictReader(handle), start=2)
        ]
    preferred: dict[str, int] = defaultdict(int)
    for s in rows:
        preferred[s.programme_id] += s.preferred
    wrong = sorted(p for p, n in preferred.items() if n != 1)
    if wrong:
        raise ValueError(f"{path.name}: programmes without exactly one preferred spelling: {wrong}")
    return Crosswalk(tuple(rows))


@cache
@cache
def load_languages(path: Path = LANGUAGES_FILE) -> dict[str, tuple[str, str | None]]:
    """`label-languages.csv`: the reviewed language of every programme spelling, and the
    English name a spelling gives in parentheses (so labels are tagged from data, not guessed)."""
    languages: dict[str, tuple[str, str | None]] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for number, r in enumerate(csv.DictReader(handle), start=2):
            spelling, language = squash(r["spelling"]), r["language"].strip()
            english = squash(r["english"]) or None
            if not LANGUAGE_TAG.match(language):
                raise ValueError(f"{path.name}, row {number}, column language: {language!r} is "
                                 "not a BCP 47 language tag such as en, de or pt-BR")
            if english and english not in spelling:
                raise ValueError(f"{path.name}, row {number}, column english: {english!r} is "
                                 f"not part of the spelling {spelling!r}")
            languages[spelling] = (language, english)
    return languages


def _language_of(spelling: str, path: Path, number: int) -> dict[str, str | None]:
    if not spelling:
        return {}
    if spelling not in load_languages():
        raise ValueError(f"{path.name}, row {number}, column spelling: {spelling!r} has no "
                         f"language in {LANGUAGES_FILE.name} (add: spelling,language,english)")
    language, english = load_languages()[spelling]
    return {"language": language, "english": english}


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
