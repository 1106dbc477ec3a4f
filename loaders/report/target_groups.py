"""The target-group columns that Tables 3 (national) and 6 (regional) share: an X under each
targeted group of `target-groups.ttl`, closed by an "Other /comments" column."""

from __future__ import annotations

from clusterkg.loaders.records import ExtractionError
from clusterkg.loaders.report.document import Table
from clusterkg.loaders.report.table_shape import concept_columns

COMMENT_HEADER = "Other /comments"


def target_group_columns(table: Table, first: int, document: str) -> dict[int, str]:
    """Column index -> target-group notation for the X-columns between the label columns and
    the closing comment column."""
    columns = concept_columns(table, first, len(table.header) - 1, "target-groups", "target group")
    if table.header[-1] != COMMENT_HEADER:
        raise ExtractionError(document, table.caption_line, table.header[-1], "no comment column")
    return columns
