"""Table 3 of report 002, "Target groups of national cluster programmes": per programme an X
under each targeted group and an "Other /comments" cell.

The seven group columns are matched against `target-groups.ttl` by their header; a cell other
than "X" or empty is an `ExtractionError`. The comments become `additional_answer` records.
"""

from __future__ import annotations

from collections.abc import Sequence

from clusterkg.loaders.records import ExtractionError, Record
from clusterkg.loaders.report.cells import clean_cell
from clusterkg.loaders.report.crosswalk import countries_of, programme_of
from clusterkg.loaders.report.document import Line, Table, locate_table
from clusterkg.loaders.report.table2 import label_records
from clusterkg.loaders.report.vocabulary import load_vocabulary

DOCUMENT = "002_685b5d5a3136ccf2.txt"
CAPTION = "Table 3 - Target groups of national cluster programmes"
COMMENT_HEADER = "Other /comments"


def target_group_columns(table: Table, first: int, document: str) -> dict[int, str]:
    """Column index -> target-group notation for the X-columns between the label columns and
    the closing comment column (Tables 3 and 6 share this layout)."""
    groups = load_vocabulary("target-groups")
    columns: dict[int, str] = {}
    for index, header in enumerate(table.header[first:-1], start=first):
        notation = groups.lookup(header)
        if notation is None:
            raise ExtractionError(document, table.caption_line, header, "unknown target group")
        columns[index] = notation
    if table.header[-1] != COMMENT_HEADER:
        raise ExtractionError(document, table.caption_line, table.header[-1], "no comment column")
    return columns


def extract(lines: Sequence[Line], document: str = DOCUMENT) -> list[Record]:
    table = locate_table(lines, document, CAPTION)
    columns = target_group_columns(table, 2, document)
    records: list[Record] = []
    for row, country in countries_of(table.rows):
        spelling = programme_of(row, document)
        pid = spelling.programme_id
        source = row.source()
        records += label_records([spelling], country, source)
        for index, notation in columns.items():
            mark = clean_cell(row.cells[index]).plain
            if mark == "X":
                values = {"programme_id": pid, "target_group": notation}
                records.append(Record("programme_target_group", values, source))
            elif mark:
                raise row.error(table.header[index], f"expected 'X' or nothing, got {mark!r}")
        comment = clean_cell(row.cells[-1])
        if comment:
            values = {
                "programme_id": pid,
                "question": "target-groups",
                "text": " ".join(comment.blocks),
            }
            records.append(Record("additional_answer", values, source))
    return records
