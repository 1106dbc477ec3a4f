"""Tidy records: the one format between extraction and mapping.

Every extractor turns a document table into `Record`s; new survey data (CSV, XLSX) enters as the
same records. A record is a flat row of string cells of one `kind` (the name of a mapping file in
`loaders/mappings/`), plus where it came from.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class SourceRef:
    """Where a record came from: a document, a table (or None for prose) and a line range
    (1-based, inclusive, as an editor shows them)."""

    document: str
    table: str | None
    line_start: int
    line_end: int

    def __str__(self) -> str:
        where = f"{self.table}, " if self.table else ""
        lines = (
            f"line {self.line_start}"
            if self.line_start == self.line_end
            else f"lines {self.line_start}-{self.line_end}"
        )
        return f"{self.document} ({where}{lines})"


@dataclass(frozen=True)
class Record:
    """One tidy row. Empty cells are absent or None, never invented."""

    kind: str
    values: Mapping[str, str | None]
    source: SourceRef
    graph: str = field(default="")

    def get(self, column: str) -> str | None:
        value = self.values.get(column)
        return value if value not in (None, "") else None


class ExtractionError(ValueError):
    """A cell the extractor cannot interpret: names the file, line and column."""

    def __init__(self, document: str, line: int, column: str | None, message: str) -> None:
        self.document, self.line, self.column = document, line, column
        where = f"{document}, line {line}" + (f", column {column!r}" if column else "")
        super().__init__(f"{where}: {message}")
