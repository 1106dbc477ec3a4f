"""Table 5 of report 002, "Overview of current cluster policies/strategies in selected European
regions": the 49 regions of 16 countries that answered the regional survey, the status sentences
that state each region's cluster policy situation, and the regional programmes they name with
link and duration.

Each region is a `region` record (country and NUTS code from `data/regions.csv`). The status
sentences are read against the cue phrases of `policy-situations-regional.ttl`, longest cue
first ("no plans to develop ..." is not also "plans to develop ..."). A row names programmes when
`data/crosswalk-regional.csv` lists spellings for its line; each spelling must occur in the
cell, also when it sits inside a status sentence (Hovedstaden's "Food Network") or when two
programmes share a cell and a Duration cell (Wallonie: `split_durations`). A row with neither a
programme nor a status sentence is an `ExtractionError`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from clusterkg.loaders.records import Record, SourceRef
from clusterkg.loaders.report.cells import clean_cell, squash
from clusterkg.loaders.report.crosswalk import Spelling
from clusterkg.loaders.report.document import Line, Row
from clusterkg.loaders.report.programmes import (
    Situation,
    duration_values,
    links_by_spelling,
    regional_crosswalk_at,
    regional_label_records,
)
from clusterkg.loaders.report.regions import (
    Region,
    locate_regional_table,
    region_label_records,
    region_record,
    regional_rows,
)
from clusterkg.loaders.report.vocabulary import load_vocabulary
from clusterkg.loaders.values.durations import YEAR, Duration, parse_duration

CAPTION = "Table 5 - Overview of current cluster policies/strategies in selected European regions"
HEADER = ("Country", "Region", "Cluster Programme", "Duration")
PROGRAMMES = "regional-programmes"
SENTENCE_END = re.compile(r"(?<=[.;:])\s+(?=[A-Z0-9'\"])")
COUNT = re.compile(r"\b(\d+)( or more)? cluster (?:supporting )?programmes?\b", re.I)
DURATION_START = re.compile(r"\s+(?=Since\b|(?:19|20)\d\d\s*-)")
EXTENDED = re.compile(rf"^{YEAR}\s*-\s*{YEAR}\s+plus\s+(\w+)\s+years?$", re.I)
OPEN_WORDS = {"ongoing", "continuous"}
NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5}


def situation_kinds(sentence: str) -> list[str]:
    """The situation kinds a sentence states, in order; the longest cue wins where cues
    overlap."""
    cues = load_vocabulary("policy-situations-regional").hidden
    folded = squash(sentence).casefold()
    taken = [False] * len(folded)
    hits: list[tuple[int, str]] = []
    for cue in sorted(cues, key=len, reverse=True):
        at = folded.find(cue)
        while at >= 0:
            if not any(taken[at : at + len(cue)]):
                taken[at : at + len(cue)] = [True] * len(cue)
                hits.append((at, cues[cue]))
            at = folded.find(cue, at + 1)
    return list(dict.fromkeys(kind for _, kind in sorted(hits)))


def classify(text: str) -> list[tuple[str, list[str]]]:
    """Sentences of a cell with the kinds they state; a sentence without a cue continues the
    one before it (Helsinki-Uusimaa's "The region implements its Smart Specialisation
    Strategy.")."""
    found: list[tuple[str, list[str]]] = []
    for sentence in SENTENCE_END.split(squash(text)):
        kinds = situation_kinds(sentence)
        if kinds or not found:
            found.append((sentence, kinds))
        else:
            found[-1] = (f"{found[-1][0]} {sentence}", found[-1][1])
    if len(found) > 1 and not found[0][1]:
        found[:2] = [(f"{found[0][0]} {found[1][0]}", found[1][1])]
    return found


def split_durations(row: Row, cell: str, count: int) -> list[str | None]:
    """The Duration cell of a row naming `count` programmes, one duration per programme in
    order ("Since 2000 Since 2006" for Wallonie's two programmes); an empty cell gives none."""
    text = squash(cell)
    if not text:
        return [None] * count
    if count == 1:
        return [text]
    parts = DURATION_START.split(text)
    if len(parts) != count:
        raise row.error("Duration", f"{len(parts)} durations for {count} programmes: {text!r}")
    return list(parts)


def parse_regional_duration(row: Row, raw: str) -> Duration:
    """The national duration forms, plus "ongoing"/"Continuous" (open-ended, no start) and
    "2012-2020 plus two years" (as stated: the period ends in 2020, with an extension of two
    years; the end year is not moved, since the source does not say the extension was used)."""
    text = squash(raw)
    if text.casefold() in OPEN_WORDS:
        return Duration(raw=text, open_ended=True)
    extended = EXTENDED.match(text)
    if extended and extended.group(3).casefold() in NUMBER_WORDS:
        years = NUMBER_WORDS[extended.group(3).casefold()]
        start, end = extended.group(1), extended.group(2)
        return Duration(raw=text, start=start, end=end, open_ended=False, extension_years=years)
    try:
        return parse_duration(text)
    except ValueError as exc:
        raise row.error("Duration", str(exc)) from exc


def programme_record(
    row: Row, region: Region, spelling: Spelling, duration: Duration, url: str | None
) -> list[Record]:
    values = {
        "programme_id": spelling.programme_id,
        "region": region.nuts_code,
        "country": region.country,
        "url": url,
        **duration_values(duration),
    }
    return [Record("regional_programme", values, row.source())]


def extract(lines: Sequence[Line], document: str) -> list[Record]:
    table = locate_regional_table(lines, document, CAPTION)
    if table.header != HEADER:
        raise table.rows[0].error(None, f"unexpected header {table.header}")
    records: list[Record] = []
    situations: dict[tuple[str, str], Situation[Region]] = {}
    seen: set[str] = set()
    for row, region in regional_rows(table):
        if region.nuts_code not in seen:
            seen.add(region.nuts_code)
            records.append(region_record(region, row))
            records += region_label_records(region, row)
        cell = clean_cell(row.cells[2])
        spellings = [s for s in regional_crosswalk_at(row.start) if s.document == document]
        row_kinds = _stated_situations(row, region, cell.plain, situations)
        durations = split_durations(row, clean_cell(row.cells[3]).plain, max(len(spellings), 1))
        links = links_by_spelling(row.cells[2], spellings) if spellings else {}
        if spellings:
            records += _programmes(row, region, cell.plain, spellings, durations, links)
            situations.setdefault(
                (region.nuts_code, PROGRAMMES), Situation(region, PROGRAMMES, row.start, row.end)
            ).add(row)
            row_kinds.insert(0, PROGRAMMES)
        elif not row_kinds:
            raise row.error(
                "Cluster Programme",
                f"neither a crosswalk programme nor a policy situation: {cell.plain[:80]!r}",
            )
        first = situations[(region.nuts_code, row_kinds[0])]
        other_links = links.get(None, []) if spellings else list(cell.urls)
        if other_links and first.url is None:
            first.url = other_links[0]
        if not spellings and durations[0]:
            parse_regional_duration(row, durations[0])
            first.duration_raw = durations[0]
    return records + [_situation_record(s, document, table.name) for s in situations.values()]


def _stated_situations(
    row: Row, region: Region, text: str, situations: dict[tuple[str, str], Situation[Region]]
) -> list[str]:
    """Add the row's status sentences to the region's situations; the kinds they state, in
    order."""
    row_kinds: list[str] = []
    for sentence, kinds in classify(text):
        for kind in kinds:
            situation = situations.setdefault(
                (region.nuts_code, kind), Situation(region, kind, row.start, row.end)
            )
            situation.add(row, sentence)
            counted = COUNT.search(sentence)
            if kind == PROGRAMMES and counted and not counted.group(2):
                situation.count = int(counted.group(1))
            elif kind == PROGRAMMES and counted:
                situation.count_min = int(counted.group(1))
        row_kinds += [k for k in kinds if k not in row_kinds]
    return row_kinds


def _programmes(
    row: Row,
    region: Region,
    text: str,
    spellings: Sequence[Spelling],
    durations: Sequence[str | None],
    links: dict[str | None, list[str]],
) -> list[Record]:
    """The programme and label records of a row whose crosswalk spellings all occur in it."""
    records: list[Record] = []
    folded = text.casefold()
    for spelling, raw in zip(spellings, durations, strict=True):
        if spelling.spelling.casefold() not in folded:
            raise row.error(
                "Cluster Programme", f"crosswalk spelling {spelling.spelling!r} not in cell"
            )
        duration = parse_regional_duration(row, raw) if raw else Duration(raw="")
        urls = links.get(spelling.programme_id, [])
        url = urls[0].replace(" ", "%20") if urls else None
        records += programme_record(row, region, spelling, duration, url)
    return records + regional_label_records(spellings, region, row.source())


def _situation_record(s: Situation[Region], document: str, table: str | None) -> Record:
    values = {
        "region": s.territory.nuts_code,
        "situation_kind": s.kind,
        "text": " ".join(s.texts) or None,
        "url": s.url,
        "duration_raw": s.duration_raw,
        "programme_count": None if s.count is None else str(s.count),
        "programme_count_min": None if s.count_min is None else str(s.count_min),
    }
    return Record("region_situation", values, SourceRef(document, table, s.start, s.end))
