"""Table 3 of report 002, "Target groups of national cluster programmes": per programme an X
under each targeted group and an "Other /comments" cell.

The seven group columns are matched against `target-groups.ttl` by their header; a cell other
than "X" or empty is an `ExtractionError`. The comments become `additional_answer` records.
"""

from __future__ import annotations

from collections.abc import Sequence

from clusterkg.loaders.records import Record
from clusterkg.loaders.report.answers import in_italics, programme_answer
from clusterkg.loaders.report.cells import clean_cell
from clusterkg.loaders.report.document import Line, locate_table
from clusterkg.loaders.report.table_shape import marked, national_rows
from clusterkg.loaders.report.target_groups import target_group_columns

CAPTION = "Table 3 - Target groups of national cluster programmes"


def extract(lines: Sequence[Line], document: str) -> list[Record]:
    table = locate_table(lines, document, CAPTION)
    columns = target_group_columns(table, 2, document)
    records: list[Record] = []
    for row, pid, labels in national_rows(table):
        source = row.source()
        records += labels
        for notation in marked(row, table, columns):
            values = {"programme_id": pid, "target_group": notation}
            records.append(Record("programme_target_group", values, source))
        comment = clean_cell(row.cells[-1])
        if comment:
            text = " ".join(comment.blocks)
            italic = in_italics(comment, text)
            records.append(programme_answer(pid, "target-groups", text, italic, source))
    return records
