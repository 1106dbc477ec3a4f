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
from clusterkg.loaders.report.crosswalk import countries_of, programme_of
from clusterkg.loaders.report.document import Line, locate_table
from clusterkg.loaders.report.programmes import label_records
from clusterkg.loaders.report.target_groups import target_group_columns

CAPTION = "Table 3 - Target groups of national cluster programmes"


def extract(lines: Sequence[Line], document: str) -> list[Record]:
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
            text = " ".join(comment.blocks)
            italic = in_italics(comment, text)
            records.append(programme_answer(pid, "target-groups", text, italic, source))
    return records
