"""Table 4 of report 002, "Measures to support the development of cluster programmes": per
country a rating of 16 measures, "+" (high/very high), "0" (medium), "-" (no/little
importance); "0/+" holds two respondents' different ratings and becomes two records. An empty
cell is no rating. Measure headers match `measures-national.ttl`, symbols `ratings.ttl`.
"""

from __future__ import annotations

from collections.abc import Sequence

from clusterkg.loaders.records import Record
from clusterkg.loaders.report.cells import clean_cell
from clusterkg.loaders.report.crosswalk import countries_of
from clusterkg.loaders.report.document import Line, locate_table
from clusterkg.loaders.report.table_shape import concept_columns
from clusterkg.loaders.report.vocabulary import load_vocabulary

CAPTION = "Table 4 - Measures to support the development of cluster programmes"


def extract(lines: Sequence[Line], document: str) -> list[Record]:
    table = locate_table(lines, document, CAPTION)
    columns = concept_columns(table, 1, len(table.header), "measures-national", "measure")
    ratings = load_vocabulary("ratings")
    records: list[Record] = []
    for row, country in countries_of(table.rows):
        for index, measure in columns.items():
            symbol = clean_cell(row.cells[index]).plain
            if not symbol:
                continue
            for position, part in enumerate(symbol.split("/"), start=1):
                rating = ratings.hidden.get(part.strip())
                if rating is None:
                    raise row.error(table.header[index], f"unknown rating symbol {symbol!r}")
                values = {
                    "country": country,
                    "measure": measure,
                    "rating": rating,
                    "symbol": symbol,
                    "position": str(position),
                }
                records.append(Record("measure_rating", values, row.source()))
    return records
