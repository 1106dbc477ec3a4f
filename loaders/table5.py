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
from dataclasses import dataclass

from clusterkg.loaders.cells import clean_cell, squash
from clusterkg.loaders.crosswalk import Spelling, load_crosswalk
from clusterkg.loaders.document import Line, Row
from clusterkg.loaders.durations import YEAR, Duration, parse_duration
from clusterkg.loaders.records import Record, SourceRef
from clusterkg.loaders.regions import (
    REGIONAL_PROGRAMMES_FILE,
    Region,
    locate_regional_table,
    region_label_records,
    region_record,
    regional_rows,
)
from clusterkg.loaders.table2 import Situation, _links_by_spelling
from clusterkg.loaders.vocabulary import load_vocabulary

DOCUMENT = "002_685b5d5a3136ccf2.txt"
CAPTION = "Table 5 - Overview of current cluster policies/strategies in selected European regions"
HEADER = ("Country", "Region", "Cluster Programme", "Duration")
PROGRAMMES = "regional-programmes"
SENTENCE_END = re.compile(r"(?<=[.;:])\s+(?=[A-Z0-9'\"])")
COUNT = re.compile(r"\b(\d+)( or more)? cluster (?:supporting )?programmes?\b", re.I)
DURATION_START = re.compile(r"\s+(?=Since\b|(?:19|20)\d\d\s*-)")
EXTENDED = re.compile(rf"^{YEAR}\s*-\s*{YEAR}\s+plus\s+(\w+)\s+years?$", re.I)
OPEN_WORDS = {"ongoing", "continuous"}
NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5}


@dataclass
class _Situation(Situation[Region]):
    count: int | None = None


def regional_crosswalk_at(line: int, table: str = "Table 5") -> list[Spelling]:
    """The crosswalk-regional.csv spellings of a table row, in file order."""
    return load_crosswalk(REGIONAL_PROGRAMMES_FILE).at(table, line)


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
    "2012-2020 plus two years" (the stated extension added to the end year)."""
    text = squash(raw)
    if text.casefold() in OPEN_WORDS:
        return Duration(raw=text, open_ended=True)
    extended = EXTENDED.match(text)
    if extended and extended.group(3).casefold() in NUMBER_WORDS:
        end = int(extended.group(2)) + NUMBER_WORDS[extended.group(3).casefold()]
        return Duration(raw=text, start=extended.group(1), end=str(end), open_ended=False)
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
        "duration_raw": duration.raw or None,
        "start_year": duration.start,
        "end_year": duration.end,
        "open_ended": None if duration.open_ended is None else str(duration.open_ended).lower(),
        "duration_min": f"P{duration.min_years}Y" if duration.min_years else None,
        "duration_max": f"P{duration.max_years}Y" if duration.max_years else None,
        "period": "period" if duration.start or duration.end else None,
    }
    return [Record("regional_programme", values, row.source())]


def regional_label_records(
    spellings: Sequence[Spelling], region: Region, source: SourceRef
) -> list[Record]:
    """A `regional_programme_label` record per spelling of crosswalk-regional.csv: the
    preferred one is the skos:prefLabel, every other distinct one a skos:altLabel."""
    crosswalk = load_crosswalk(REGIONAL_PROGRAMMES_FILE)
    preferred = {s.programme_id: s.spelling for s in crosswalk.spellings if s.preferred}
    records = []
    for s in spellings:
        if not s.spelling or (not s.preferred and s.spelling == preferred[s.programme_id]):
            continue
        values = {
            "programme_id": s.programme_id,
            "country": region.country,
            "pref_label": s.spelling if s.preferred else None,
            "alt_label": None if s.preferred else s.spelling,
            "label_language": s.language,
            "english_label": s.english,
        }
        records.append(Record("regional_programme_label", values, source))
    return records


def extract(lines: Sequence[Line], document: str = DOCUMENT) -> list[Record]:
    table = locate_regional_table(lines, document, CAPTION)
    if table.header != HEADER:
        raise table.rows[0].error(None, f"unexpected header {table.header}")
    records: list[Record] = []
    situations: dict[tuple[str, str], _Situation] = {}
    seen: set[str] = set()
    for row, region in regional_rows(table):
        if region.nuts_code not in seen:
            seen.add(region.nuts_code)
            records.append(region_record(region, row))
            records += region_label_records(region, row)
        cell = clean_cell(row.cells[2])
        spellings = [s for s in regional_crosswalk_at(row.start) if s.document == document]
        row_kinds: list[str] = []
        for sentence, kinds in classify(cell.plain):
            for kind in kinds:
                situation = situations.setdefault(
                    (region.nuts_code, kind), _Situation(region, kind, row.start, row.end)
                )
                situation.add(row, sentence)
                counted = COUNT.search(sentence)
                if kind == PROGRAMMES and counted and not counted.group(2):
                    situation.count = int(counted.group(1))
            row_kinds += [k for k in kinds if k not in row_kinds]
        durations = split_durations(row, clean_cell(row.cells[3]).plain, max(len(spellings), 1))
        links = _links_by_spelling(row.cells[2], spellings) if spellings else {}
        if spellings:
            folded = cell.plain.casefold()
            for spelling, raw in zip(spellings, durations, strict=True):
                if spelling.spelling.casefold() not in folded:
                    raise row.error(
                        "Cluster Programme", f"crosswalk spelling {spelling.spelling!r} not in cell"
                    )
                duration = parse_regional_duration(row, raw) if raw else Duration(raw="")
                urls = links.get(spelling.programme_id, [])
                url = urls[0].replace(" ", "%20") if urls else None
                records += programme_record(row, region, spelling, duration, url)
            records += regional_label_records(spellings, region, row.source())
            situations.setdefault(
                (region.nuts_code, PROGRAMMES), _Situation(region, PROGRAMMES, row.start, row.end)
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
    for s in situations.values():
        values = {
            "region": s.territory.nuts_code,
            "situation_kind": s.kind,
            "text": " ".join(s.texts) or None,
            "url": s.url,
            "duration_raw": s.duration_raw,
            "programme_count": None if s.count is None else str(s.count),
        }
        source = SourceRef(document, table.name, s.start, s.end)
        records.append(Record("region_situation", values, source))
    return records
