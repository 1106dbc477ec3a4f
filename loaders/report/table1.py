"""Table 1 of report 002, "Main differences among and lessons learned from the cluster programmes
analysed": the report's summary, a grid of two aspects (main differences, lessons learned) by
three levels (Europe national, Europe regional, international examples), each cell a bullet list.

Every bullet becomes a `finding` record with its aspect (`finding-aspects.ttl`, matched on the
row label) and level (`policy-levels.ttl`, matched on the column header); its identifier comes
from its aspect, level and a digest of its text, never its position in the list.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from clusterkg.loaders.records import ExtractionError, Record
from clusterkg.loaders.report.cells import clean_cell
from clusterkg.loaders.report.document import Line, locate_table
from clusterkg.loaders.report.vocabulary import load_vocabulary

CAPTION = (
    "Table 1 - Main differences among and lessons learned from the cluster programmes analysed"
)


def finding_id(aspect: str, level: str, text: str) -> str:
    """`lessons-learned-europe-regional-1a2b3c4d`: aspect, level and the text's SHA-256 (8 hex)."""
    return f"{aspect}-{level}-{hashlib.sha256(text.encode('utf-8')).hexdigest()[:8]}"


def extract(lines: Sequence[Line], document: str) -> list[Record]:
    table = locate_table(lines, document, CAPTION)
    aspects = load_vocabulary("finding-aspects")
    levels = load_vocabulary("policy-levels")
    columns: dict[int, str] = {}
    for index, header in enumerate(table.header[1:], start=1):
        level = levels.lookup(header)
        if level is None:
            raise ExtractionError(document, table.caption_line, header, "unknown level")
        columns[index] = level
    records: list[Record] = []
    for row in table.rows:
        label = clean_cell(row.cells[0]).plain
        aspect = aspects.lookup(label)
        if aspect is None:
            raise row.error(None, f"unknown aspect {label!r}")
        for index, level in columns.items():
            for text in clean_cell(row.cells[index]).blocks:
                values = {
                    "finding_id": finding_id(aspect, level, text),
                    "aspect": aspect,
                    "level": level,
                    "text": text,
                }
                records.append(Record("finding", values, row.source()))
    return records
