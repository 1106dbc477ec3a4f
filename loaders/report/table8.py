"""Table 8 of report 002 (annex B), "Objectives and focus of national cluster programmes": per
programme its main objectives, annual budget, sectoral focus and the types of cluster it
addresses.

Objectives and cluster types are answer options run together in one cell (plain, `<p>` or
`<ul><li>`); they are matched against `objectives-national.ttl` and `cluster-types.ttl`, and
italic text, the respondents' own additions, becomes `additional_answer` records. The Greek rows
have no programme name; `data/crosswalk.csv` names them by line.
"""

from __future__ import annotations

from collections.abc import Sequence

from clusterkg.loaders.records import Record
from clusterkg.loaders.report.cells import clean_cell
from clusterkg.loaders.report.document import Line, Row, locate_table
from clusterkg.loaders.report.table_shape import answer_cell, checked_header, national_rows
from clusterkg.loaders.report.vocabulary import load_vocabulary
from clusterkg.loaders.values.money import parse_budget

CAPTION = "Table 8 - Objectives and focus of national cluster programmes"
HEADER = (
    "Country",
    "Cluster Programme",
    "Main objectives (strong/very strong focus)",
    "Annual budget (Euro)",
    "Specific sectoral/technological focus",
    "Type of cluster addressed (high/very high importance)",
)
NO_FOCUS = {"", "-"}


def _budget(row: Row, pid: str, document: str) -> list[Record]:
    cell = clean_cell(row.cells[3])
    try:
        budget = parse_budget(cell.blocks)
    except ValueError as exc:
        raise row.error(HEADER[3], str(exc)) from exc
    if budget is None:
        return []
    source = row.source()
    funding = load_vocabulary("funding-sources")
    values = {
        "programme_id": pid,
        "amount": None if budget.amount is None else str(budget.amount),
        "currency": "EUR",
        "raw": budget.raw,
    }
    records = [Record("programme_budget", values, source)]
    for n, part in enumerate(budget.components, start=1):
        origin = None
        if part.source:
            origin = funding.lookup(part.source) or funding.lookup(part.source.removesuffix("s"))
        values = {
            "programme_id": pid,
            "component": str(n),
            "label": part.label,
            "amount": str(part.amount),
            "currency": "EUR",
            "raw": part.raw,
            "funding_source": origin,
        }
        records.append(Record("budget_component", values, source))
    return records


def extract(lines: Sequence[Line], document: str) -> list[Record]:
    table = checked_header(locate_table(lines, document, CAPTION), HEADER)
    objectives = load_vocabulary("objectives-national")
    types = load_vocabulary("cluster-types")
    records: list[Record] = []
    for row, pid, labels in national_rows(table):
        source = row.source()
        records += labels
        records += answer_cell(
            "programme_objective", "objective", objectives, row, 2, HEADER, [pid], "objectives"
        )
        records += _budget(row, pid, document)
        focus = clean_cell(row.cells[4])
        if focus.plain not in NO_FOCUS:
            values = {"programme_id": pid, "text": focus.plain}
            records.append(Record("programme_sectoral_focus", values, source))
        records += answer_cell(
            "programme_cluster_type", "cluster_type", types, row, 5, HEADER, [pid], "cluster-types"
        )
    return records
