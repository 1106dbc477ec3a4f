"""Table 2 of report 002, "Overview on current cluster policies in Europe": 29 countries,
their national cluster programmes (name, link, duration) and, for countries without one, the
sentences that state their policy situation. The language of each programme's description
(the paragraph naming it) is reviewed data (`data/description-languages.csv`).

A row is a programme row when `data/crosswalk.csv` lists spellings for its line; the spellings
must occur in the cell. Every sentence carrying a cue phrase of `policy-situations.ttl` states a
situation of the country; rows that are neither are an `ExtractionError`.

The caption makes a programme current unless `data/programme-statuses.yaml` quotes the row saying
otherwise: a past programme keeps its record with the status `past`, a guidance document becomes
a `policy_document` record instead of a programme.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from clusterkg.loaders.claims.quotes import load_facts, verify
from clusterkg.loaders.records import Record, SourceRef
from clusterkg.loaders.report.cells import clean_cell, squash
from clusterkg.loaders.report.crosswalk import Spelling, country_code, load_crosswalk
from clusterkg.loaders.report.description_languages import tag_descriptions
from clusterkg.loaders.report.document import Line, Row, locate_table
from clusterkg.loaders.report.programmes import (
    Situation,
    duration_values,
    label_records,
    links_by_spelling,
)
from clusterkg.loaders.report.vocabulary import load_vocabulary
from clusterkg.loaders.values.durations import Duration, parse_duration
from clusterkg.paths import DATA_DIR

CAPTION = "Table 2 - Overview on current cluster policies in Europe"
HEADER = ("Country", "Cluster Programme", "Duration")
DEDICATED = "dedicated-programme"
SENTENCE_END = re.compile(r"(?<=[.;])\s+(?=[A-Z'\"])")
OWN_PERIOD = re.compile(r"^\s*\((\d{4}\s*-\s*(?:\d{4})?)\)")
STATUSES_FILE = DATA_DIR / "programme-statuses.yaml"
CURRENT = "current"
GUIDANCE_DOCUMENT = "guidance-document"


def load_statuses(lines: Sequence[Line], document: str) -> dict[str, str]:
    """Programme id -> status of the rows `programme-statuses.yaml` names, each quote checked
    against its line."""
    statuses: dict[str, str] = {}
    for entry in load_facts(STATUSES_FILE).get("statuses", []):
        verify(lines, document, entry)
        statuses[str(entry["programme_id"])] = str(entry["status"])
    return statuses


def classify(text: str) -> list[tuple[str, list[str]]]:
    """Sentences of `text` with the situation kinds their cue phrases state; a sentence without
    a cue continues the one before it."""
    cues = load_vocabulary("policy-situations").hidden
    found: list[tuple[str, list[str]]] = []
    for sentence in SENTENCE_END.split(squash(text)):
        folded = sentence.casefold()
        hits = sorted((folded.find(cue), kind) for cue, kind in cues.items() if cue in folded)
        kinds = list(dict.fromkeys(kind for _, kind in hits))
        if kinds:
            found.append((sentence, kinds))
        elif found:
            found[-1] = (f"{found[-1][0]} {sentence}", found[-1][1])
        else:
            found.append((sentence, []))
    return found


def _duration(row: Row, raw: str) -> Duration:
    try:
        return parse_duration(raw)
    except ValueError as exc:
        raise row.error("Duration", str(exc)) from exc


def document_record(row: Row, country: str, spelling: Spelling, description: str) -> Record:
    """A guidance document the row names: its title, link and text, not a programme."""
    urls = links_by_spelling(row.cells[1], [spelling]).get(spelling.programme_id, [])
    values = {
        "document_id": spelling.programme_id,
        "country": country,
        "title": spelling.spelling,
        "title_language": spelling.language,
        "english_title": spelling.english,
        "description": description,
        "url": urls[0] if urls else None,
    }
    return Record("policy_document", values, row.source())


def programme_records(
    row: Row, country: str, spellings: Sequence[Spelling], statuses: Mapping[str, str]
) -> tuple[list[Record], str | None]:
    """Records of the programmes (and guidance documents) named in a row; returns them and the
    duration cell when it belongs to no single programme."""
    cell = clean_cell(row.cells[1])
    duration_cell = clean_cell(row.cells[2]).plain or None
    links = links_by_spelling(row.cells[1], spellings)
    records: list[Record] = []
    for spelling in spellings:
        folded = cell.plain.casefold()
        at = folded.find(spelling.spelling.casefold())
        if at < 0:
            raise row.error(
                "Cluster Programme",
                f"crosswalk spelling {spelling.spelling!r} not in the cell",
            )
        own = OWN_PERIOD.match(cell.plain[at + len(spelling.spelling) :])
        raw = own.group(1) if own else (duration_cell if len(spellings) == 1 else None)
        duration = _duration(row, raw) if raw else Duration(raw="")
        block = next(
            (b for b in cell.blocks if spelling.spelling.casefold() in b.casefold()), cell.plain
        )
        urls = links.get(spelling.programme_id, [])
        pid = spelling.programme_id
        status = statuses.get(pid, CURRENT)
        if status == GUIDANCE_DOCUMENT:
            records.append(document_record(row, country, spelling, block))
            continue
        values = {
            "programme_id": pid,
            "country": country,
            "level": "National",
            "description": block,
            "url": urls[0] if urls else None,
            **duration_values(duration),
            "situation_kind": DEDICATED,
            "status": status,
        }
        source = row.source()
        records.append(Record("programme", values, source))
        records += [
            Record("programme_url", {"programme_id": pid, "url": u}, source) for u in urls[1:]
        ]
        for phase in duration.phases:
            records.append(
                Record(
                    "programme_phase",
                    {
                        "programme_id": pid,
                        "phase_number": str(phase.number),
                        "label": f"Phase {phase.number} ({phase.start}-{phase.end})",
                        "start_year": phase.start,
                        "end_year": phase.end,
                    },
                    source,
                )
            )
    leftover = duration_cell if len(spellings) != 1 else None
    return records, leftover


def extract(lines: Sequence[Line], document: str) -> list[Record]:
    table = locate_table(lines, document, CAPTION)
    if table.header != HEADER:
        raise table.rows[0].error(None, f"unexpected header {table.header}")
    crosswalk = load_crosswalk()
    statuses = load_statuses(lines, document)
    situations: dict[tuple[str, str], Situation[str]] = {}
    records: list[Record] = []
    country: str | None = None
    for row in table.rows:
        label = clean_cell(row.cells[0]).plain
        if label:
            country = country_code(label)
            if country is None:
                raise row.error("Country", f"unknown country label {label!r}")
        elif country is None:
            raise row.error("Country", "first row has no country")
        spellings = [s for s in crosswalk.at(table.name, row.start) if s.document == document]
        cell = clean_cell(row.cells[1])
        stated = [(text, kinds) for text, kinds in classify(cell.plain) if kinds]
        row_kinds: list[str] = []
        for text, kinds in stated:
            for kind in kinds:
                situation = situations.setdefault(
                    (country, kind), Situation(country, kind, row.start, row.end)
                )
                situation.add(row, text)
                row_kinds.append(kind)
        leftover_duration: str | None = clean_cell(row.cells[2]).plain or None
        if spellings:
            found, leftover_duration = programme_records(row, country, spellings, statuses)
            records += found
            programmes = [s for s in spellings if statuses.get(s.programme_id) != GUIDANCE_DOCUMENT]
            records += label_records(programmes, country, row.source())
            situations.setdefault(
                (country, DEDICATED), Situation(country, DEDICATED, row.start, row.end)
            ).add(row, None)
            row_kinds.insert(0, DEDICATED)
            links = links_by_spelling(row.cells[1], spellings).get(None, [])
        else:
            links = list(cell.urls)
            if not stated:
                raise row.error(
                    "Cluster Programme",
                    "neither a programme listed in the crosswalk nor a policy situation: "
                    f"{cell.plain[:80]!r}",
                )
        first = situations[(country, row_kinds[0])]
        if links and first.url is None:
            first.url = links[0]
        if leftover_duration:
            _duration(row, leftover_duration)
            first.duration_raw = leftover_duration
    for s in situations.values():
        records.append(
            Record(
                "country_situation",
                {
                    "country": s.territory,
                    "situation_kind": s.kind,
                    "text": " ".join(s.texts) or None,
                    "url": s.url,
                    "duration_raw": s.duration_raw,
                },
                SourceRef(document, table.name, s.start, s.end),
            )
        )
    return tag_descriptions(records, table.name)
