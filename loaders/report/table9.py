"""Table 9 of report 002 (annex B), "Objectives and focus of regional cluster programmes": per
region its main objectives, the annual budget of each of its programmes, its sectoral focus and
the types of cluster it addresses.

The respondents answered per region, so objectives, focus and cluster types hold for every
programme Table 5 names for the region. Objectives are matched against
`objectives-regional.ttl` (the regional survey's own wording), cluster types against
`cluster-types.ttl` (which holds the regional option "New/emerging clusters" too); italic text
becomes `additional_answer` records. The budget cell is cut into one
statement per programme at the spellings `data/crosswalk-regional.csv` lists for the row
(`budget_statements`), each read by `money.parse_regional_budget`.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from clusterkg.loaders.records import Record, SourceRef
from clusterkg.loaders.report.cells import clean_cell
from clusterkg.loaders.report.crosswalk import Spelling, load_crosswalk
from clusterkg.loaders.report.document import Line, Row
from clusterkg.loaders.report.programmes import regional_crosswalk_at, regional_label_records
from clusterkg.loaders.report.regions import (
    REGIONAL_PROGRAMMES_FILE,
    Region,
    locate_regional_table,
    regional_rows,
)
from clusterkg.loaders.report.table_shape import additional_answers, answer_cell, checked_header
from clusterkg.loaders.report.vocabulary import load_vocabulary, match_items
from clusterkg.loaders.values.money import RegionalBudget, parse_regional_budget

CAPTION = "Table 9 - Objectives and focus of regional cluster programmes"
HEADER = (
    "Country",
    "Region",
    "Main objectives (strong/very strong focus)",
    "Annual budget (Euro)",
    "Specific sectoral/technological focus",
    "Type of cluster addressed (high/very high importance)",
)
NO_FOCUS = {"", "-"}


FUNDING_CUES = {
    "all private funding": "private-sector",
    "from the regional government": "regional-budget",
    "from the regional budget": "regional-budget",
}


def programmes_of_region(region: Region) -> list[str]:
    """The programmes Table 5 names for a region, in table order."""
    crosswalk = load_crosswalk(REGIONAL_PROGRAMMES_FILE)
    found = [
        s.programme_id
        for s in crosswalk.spellings
        if s.table == "Table 5" and s.programme_id.startswith(f"{region.nuts_code}-")
    ]
    return list(dict.fromkeys(found))


def budget_statements(row: Row, text: str, spellings: Sequence[Spelling]) -> list[tuple[str, str]]:
    """(programme id, statement) per spelling: the text after "<spelling>:" up to the next
    spelling. A row whose only spelling is empty (Flanders) gives the whole cell to its one
    programme; text before the first spelling is an `ExtractionError`."""
    if len(spellings) == 1 and not spellings[0].spelling:
        return [(spellings[0].programme_id, text)]
    folded = text.casefold()
    starts: list[tuple[int, int, Spelling]] = []
    at = 0
    for spelling in spellings:
        label = f"{spelling.spelling}:".casefold()
        found = folded.find(label, at)
        if found < 0:
            raise row.error(HEADER[3], f"crosswalk spelling {spelling.spelling!r} not in the cell")
        starts.append((found, found + len(label), spelling))
        at = found + len(label)
    if text[: starts[0][0]].strip(" -"):
        raise row.error(HEADER[3], f"budget text names no programme: {text[: starts[0][0]]!r}")
    ends = [s for s, _, _ in starts[1:]] + [len(text)]
    return [
        (spelling.programme_id, text[colon:end].strip())
        for (_, colon, spelling), end in zip(starts, ends, strict=True)
    ]


def plain_decimal(value: Decimal) -> str:
    """`1700000.0` -> `1700000`: the amount without trailing zeros or exponent."""
    return format(value.normalize(), "f")


def budget_records(pid: str, budget: RegionalBudget, source: SourceRef) -> list[Record]:
    """A `regional_programme_budget` record (annual unless the statement names a period) and a
    `budget_component` per part."""
    values = {
        "programme_id": pid,
        "amount": None if budget.amount is None else plain_decimal(budget.amount),
        "currency": "EUR",
        "qualifier": budget.qualifier,
        "period": budget.period,
        "raw": budget.raw,
    }
    records = [Record("regional_programme_budget", values, source)]
    for n, part in enumerate(budget.components, start=1):
        values = {
            "programme_id": pid,
            "component": str(n),
            "label": part.label,
            "amount": plain_decimal(part.amount),
            "currency": "EUR",
            "raw": part.raw,
        }
        records.append(Record("budget_component", values, source))
    for cue, notation in FUNDING_CUES.items():
        if cue in budget.raw.casefold():
            values = {"programme_id": pid, "funding_source": notation}
            records.append(Record("programme_funding_source", values, source))
    return records




def extract(lines: Sequence[Line], document: str) -> list[Record]:
    table = checked_header(locate_regional_table(lines, document, CAPTION), HEADER)
    objectives = load_vocabulary("objectives-regional")
    types = load_vocabulary("cluster-types")
    records: list[Record] = []
    for row, region in regional_rows(table):
        pids = programmes_of_region(region)
        if not pids:
            raise row.error("Region", f"Table 5 names no programme of {region.label!r}")
        source = row.source()
        spellings = [
            s for s in regional_crosswalk_at(row.start, table.name) if s.document == document
        ]
        records += regional_label_records(spellings, region, source)
        records += answer_cell(
            "regional_programme_objective", "objective", objectives, row, 2, HEADER, pids,
            "objectives",
        )
        budget_text = clean_cell(row.cells[3]).plain
        if budget_text:
            for pid, statement in budget_statements(row, budget_text, spellings):
                try:
                    budget = parse_regional_budget(statement)
                except ValueError as exc:
                    raise row.error(HEADER[3], str(exc)) from exc
                records += budget_records(pid, budget, source)
        elif spellings:
            raise row.error(HEADER[3], "crosswalk names programmes but the cell is empty")
        focus = clean_cell(row.cells[4]).plain
        if focus not in NO_FOCUS:
            records += [
                Record("programme_sectoral_focus", {"programme_id": p, "text": focus}, source)
                for p in pids
            ]
        cell = clean_cell(row.cells[5])
        for notation in match_items(
            cell.main, types, column=HEADER[5], document=document, line=row.start
        ):
            records += [
                Record(
                    "programme_cluster_type", {"programme_id": p, "cluster_type": notation}, source
                )
                for p in pids
            ]
        records += additional_answers(pids, "cluster-types", cell.italics, source)
    return records
