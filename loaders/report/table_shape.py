"""The shape the report's annex tables share, written once for every table module.

Tables 3, 4, 6, 7, 8 and 9 repeat one layout: a caption and a fixed header, label columns
(country, programme or region) and then answer columns. An answer column is either one
vocabulary concept per column (a header naming the concept, cells marked "X" or rated), or one
question per column whose cell runs several answer options together, with the respondents'
own italic additions beside them. No table module imports another; they all import this one.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from clusterkg.loaders.records import ExtractionError, Record, SourceRef
from clusterkg.loaders.report.answers import programme_answer
from clusterkg.loaders.report.cells import Cell, clean_cell
from clusterkg.loaders.report.crosswalk import countries_of, programme_of
from clusterkg.loaders.report.document import Row, Table
from clusterkg.loaders.report.programmes import label_records
from clusterkg.loaders.report.vocabulary import Vocabulary, item_records, load_vocabulary


def checked_header(table: Table, header: Sequence[str]) -> Table:
    """The table, if its header is the expected one; else an `ExtractionError` at its first row."""
    if table.header != tuple(header):
        raise table.rows[0].error(None, f"unexpected header {table.header}")
    return table


def concept_columns(table: Table, first: int, last: int, scheme: str, what: str) -> dict[int, str]:
    """Column index -> notation for the headers `first`..`last - 1`, each the label of a
    concept of `scheme`; an unknown header is an `ExtractionError` naming it as `what`."""
    vocabulary = load_vocabulary(scheme)
    columns: dict[int, str] = {}
    for index, header in enumerate(table.header[first:last], start=first):
        notation = vocabulary.lookup(header)
        if notation is None:
            raise ExtractionError(table.document, table.caption_line, header, f"unknown {what}")
        columns[index] = notation
    return columns


def marked(row: Row, table: Table, columns: dict[int, str]) -> list[str]:
    """The notations of the columns the row marks with "X"; any other text is an error."""
    found = []
    for index, notation in columns.items():
        mark = clean_cell(row.cells[index]).plain
        if mark == "X":
            found.append(notation)
        elif mark:
            raise row.error(table.header[index], f"expected 'X' or nothing, got {mark!r}")
    return found


def national_rows(table: Table) -> Iterator[tuple[Row, str, list[Record]]]:
    """Each row of a national table with its programme id and the `programme_label` records
    of its spelling."""
    for row, country in countries_of(table.rows):
        spelling = programme_of(row, table.document)
        yield row, spelling.programme_id, label_records([spelling], country, row.source())


def additional_answers(
    pids: Sequence[str], question: str, texts: Sequence[str], source: SourceRef
) -> list[Record]:
    """An `additional_answer` record per text and programme: what respondents wrote in their
    own words (italic) beside the answer options."""
    return [programme_answer(p, question, t, True, source) for t in texts for p in pids]


def answer_cell(
    kind: str,
    name: str,
    vocabulary: Vocabulary,
    row: Row,
    column: int,
    header: Sequence[str],
    pids: Sequence[str],
    question: str,
) -> list[Record]:
    """A cell of run-together answer options: a `kind` record per option and programme (the
    notation in column `name`), and its italic additions as `additional_answer` records."""
    cell: Cell = clean_cell(row.cells[column])
    records = item_records(kind, name, cell.main, vocabulary, row, header[column], pids)
    return records + additional_answers(pids, question, cell.italics, row.source())
