"""The target-group columns that Tables 3 (national) and 6 (regional) share: an X under each
targeted group of `target-groups.ttl`, closed by an "Other /comments" column."""

from __future__ import annotations

from clusterkg.loaders.records import ExtractionError
from clusterkg.loaders.report.document import Table
from clusterkg.loaders.report.vocabulary import load_vocabulary

COMMENT_HEADER = "Other /comments"


def target_group_columns(table: Table, first: int, document: str) -> dict[int, str]:
    """Column index -> target-group notation for the X-columns between the label columns and
    the closing comment column."""
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
