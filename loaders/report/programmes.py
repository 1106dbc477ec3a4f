"""What the national (Tables 2, 3, 8) and regional (Tables 5, 6, 9) programme tables share: the
crosswalk spellings of a row as label records, the links of a cell by the spelling they follow,
the situation accumulator and the duration columns of a programme record.

Table modules import these helpers, never each other, so a change to one table stays in it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Generic, TypeVar

from clusterkg.loaders.records import Record, SourceRef
from clusterkg.loaders.report.cells import LINK, clean_cell
from clusterkg.loaders.report.crosswalk import PROGRAMMES_FILE, Spelling, load_crosswalk
from clusterkg.loaders.report.document import Row
from clusterkg.loaders.report.regions import REGIONAL_PROGRAMMES_FILE, Region
from clusterkg.loaders.values.durations import Duration

T = TypeVar("T")


@dataclass
class Situation(Generic[T]):
    """A policy situation of a territory (a country code in Table 2, a region in Table 5)
    gathered over the rows and sentences that state it."""

    territory: T
    kind: str
    start: int
    end: int
    texts: list[str] = field(default_factory=list)
    url: str | None = None
    duration_raw: str | None = None
    count: int | None = None
    count_min: int | None = None  # a lower bound only ("4 or more")

    def add(self, row: Row, text: str | None = None) -> None:
        self.start, self.end = min(self.start, row.start), max(self.end, row.end)
        if text and text not in self.texts:
            self.texts.append(text)


def links_by_spelling(raw: str, spellings: Sequence[Spelling]) -> dict[str | None, list[str]]:
    """Each link of the cell goes to the last spelling written before it (None: no spelling)."""
    links: dict[str | None, list[str]] = {}
    for match in LINK.finditer(raw):
        before = clean_cell(raw[: match.start()]).plain.casefold()
        owner = max(spellings, key=lambda s: before.rfind(s.spelling.casefold()), default=None)
        if owner is not None and before.rfind(owner.spelling.casefold()) < 0:
            owner = None
        key = owner.programme_id if owner else None
        links.setdefault(key, []).append(clean_cell(match.group(0)).urls[0])
    return links


def duration_values(duration: Duration) -> dict[str, str | None]:
    """The duration columns of a `programme` or `regional_programme` record."""
    return {
        "duration_raw": duration.raw or None,
        "start_year": duration.start,
        "end_year": duration.end,
        "open_ended": None if duration.open_ended is None else str(duration.open_ended).lower(),
        "duration_min": f"P{duration.min_years}Y" if duration.min_years else None,
        "duration_max": f"P{duration.max_years}Y" if duration.max_years else None,
        "extension": f"P{duration.extension_years}Y" if duration.extension_years else None,
    }


def _labels(
    spellings: Sequence[Spelling],
    crosswalk_file: Path,
    kind: str,
    values: dict[str, str],
    source: SourceRef,
) -> list[Record]:
    """The preferred spelling as skos:prefLabel, every other distinct one as skos:altLabel."""
    crosswalk = load_crosswalk(crosswalk_file)
    preferred = {s.programme_id: s.spelling for s in crosswalk.spellings if s.preferred}
    return [
        Record(
            kind,
            {
                "programme_id": s.programme_id,
                **values,
                "pref_label": s.spelling if s.preferred else None,
                "alt_label": None if s.preferred else s.spelling,
                "label_language": s.language,
                "english_label": s.english,
            },
            source,
        )
        for s in spellings
        if s.spelling and (s.preferred or s.spelling != preferred[s.programme_id])
    ]


def label_records(spellings: Sequence[Spelling], country: str, source: SourceRef) -> list[Record]:
    """A `programme_label` record per spelling of crosswalk.csv."""
    values = {"country": country, "level": "National"}
    return _labels(spellings, PROGRAMMES_FILE, "programme_label", values, source)


def regional_crosswalk_at(line: int, table: str = "Table 5") -> list[Spelling]:
    """The crosswalk-regional.csv spellings of a table row, in file order."""
    return load_crosswalk(REGIONAL_PROGRAMMES_FILE).at(table, line)


def regional_label_records(
    spellings: Sequence[Spelling], region: Region, source: SourceRef
) -> list[Record]:
    """A `regional_programme_label` record per spelling of crosswalk-regional.csv."""
    values = {"country": region.country}
    return _labels(spellings, REGIONAL_PROGRAMMES_FILE, "regional_programme_label", values, source)
