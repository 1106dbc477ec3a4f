"""Table 7 of report 002, "Measures to support the development of cluster programmes in the
sample regions": per region a rating of 18 measures, "+" (high/very high), "0" (medium), "-"
(no/little importance), and an "Other" column of free text.

Measure headers match `measures-regional.ttl` (the 16 national measures and two the regional
survey added), symbols `ratings.ttl`; an empty cell is no rating. The "Other" text becomes a
`region_additional_answer` record.
"""

from __future__ import annotations

from collections.abc import Sequence

from clusterkg.loaders.records import ExtractionError, Record
from clusterkg.loaders.report.answers import in_italics, region_answer
from clusterkg.loaders.report.cells import clean_cell
from clusterkg.loaders.report.document import Line
from clusterkg.loaders.report.regions import locate_regional_table, regional_rows
from clusterkg.loaders.report.table_shape import concept_columns
from clusterkg.loaders.report.vocabulary import load_vocabulary

CAPTION = (
    "Table 7 - Measures to support the development of cluster programmes in the sample regions"
)
OTHER_HEADER = "Other"


def extract(lines: Sequence[Line], document: str) -> list[Record]:
    table = locate_regional_table(lines, document, CAPTION)
    last = len(table.header) - 1
    columns = concept_columns(table, 2, last, "measures-regional", "measure")
    ratings = load_vocabulary("ratings")
    if table.header[-1] != OTHER_HEADER:
        raise ExtractionError(document, table.caption_line, table.header[-1], "no Other column")
    records: list[Record] = []
    for row, region in regional_rows(table):
        for index, measure in columns.items():
            symbol = clean_cell(row.cells[index]).plain
            if not symbol:
                continue
            rating = ratings.hidden.get(symbol)
            if rating is None:
                raise row.error(table.header[index], f"unknown rating symbol {symbol!r}")
            values = {
                "region": region.nuts_code,
                "measure": measure,
                "rating": rating,
                "symbol": symbol,
            }
            records.append(Record("regional_measure_rating", values, row.source()))
        other_cell = clean_cell(row.cells[-1])
        other = " ".join(other_cell.blocks)
        if other:
            italic = in_italics(other_cell, other)
            records.append(region_answer(region.nuts_code, "measures", other, italic, row.source()))
    return records
