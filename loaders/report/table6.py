"""Table 6 of report 002, "Target groups of cluster support in the sample regions": per region
the programmes it names (run together in one cell, joined by semicolons or commas), an X under
each group that can apply for funding and an "Other /comments" cell.

The programmes of a row are the spellings `data/crosswalk-regional.csv` lists for its line, so
a comma inside a name ("Economic development, innovation and internationalisation regional
strategy") never splits it (`programmes_in_cell`). The marks hold for every programme of the
row. Group columns match `target-groups.ttl` by their header; a mark other than "X" is an
`ExtractionError`. Comments (answers to the target-group question) and text of the programme
cell that is no programme name (answers to the programme question) become `additional_answer`
records.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from clusterkg.loaders.records import Record
from clusterkg.loaders.report.answers import in_italics, programme_answer
from clusterkg.loaders.report.cells import clean_cell, squash
from clusterkg.loaders.report.crosswalk import Spelling
from clusterkg.loaders.report.document import Line, Row
from clusterkg.loaders.report.programmes import regional_crosswalk_at, regional_label_records
from clusterkg.loaders.report.regions import locate_regional_table, regional_rows
from clusterkg.loaders.report.table_shape import marked
from clusterkg.loaders.report.target_groups import target_group_columns

CAPTION = "Table 6 - Target groups of cluster support in the sample regions"
SEPARATORS = re.compile(r"^[\s;,]+|[\s;,]+$")


def programmes_in_cell(
    row: Row, text: str, spellings: Sequence[Spelling], column: str
) -> tuple[list[Spelling], str]:
    """The row's crosswalk spellings, each found in `text`, and what is left of the text once
    the names and the semicolons or commas between them are taken out."""
    if not spellings:
        raise row.error(column, "crosswalk-regional.csv has no programme for this row")
    rest = squash(text)
    for spelling in sorted(spellings, key=lambda s: len(s.spelling), reverse=True):
        at = rest.casefold().find(spelling.spelling.casefold())
        if at < 0:
            raise row.error(column, f"crosswalk spelling {spelling.spelling!r} not in the cell")
        rest = f"{rest[:at]};{rest[at + len(spelling.spelling) :]}"
    leftover = squash(re.sub(r"(?:\s*[;,]\s*)+", "; ", rest))
    return list(spellings), SEPARATORS.sub("", leftover)


def extract(lines: Sequence[Line], document: str) -> list[Record]:
    table = locate_regional_table(lines, document, CAPTION)
    columns = target_group_columns(table, 3, document)
    records: list[Record] = []
    for row, region in regional_rows(table):
        source = row.source()
        crosswalk = [
            s for s in regional_crosswalk_at(row.start, table.name) if s.document == document
        ]
        cell = clean_cell(row.cells[2])
        spellings, leftover = programmes_in_cell(row, cell.plain, crosswalk, table.header[2])
        records += regional_label_records(spellings, region, source)
        pids = [s.programme_id for s in spellings]
        for notation in marked(row, table, columns):
            records += [
                Record(
                    "regional_programme_target_group",
                    {"programme_id": p, "target_group": notation},
                    source,
                )
                for p in pids
            ]
        answers: list[tuple[list[str], str, str, bool]] = []
        if leftover:
            if len(pids) != 1:
                raise row.error(table.header[2], f"text {leftover!r} names no single programme")
            answers.append((pids, "programmes", leftover, in_italics(cell, leftover)))
        comment_cell = clean_cell(row.cells[-1])
        comment = " ".join(comment_cell.blocks)
        if comment:
            named = [
                s.programme_id
                for s in spellings
                if comment.casefold().startswith(s.spelling.casefold())
            ]
            italic = in_italics(comment_cell, comment)
            answers.append((named or pids, "target-groups", comment, italic))
        for owners, question, text, italic in answers:
            records += [programme_answer(p, question, text, italic, source) for p in owners]
    return records
