"""Reading a converted source document and cutting a table out of it.

The conversion wrote each table row as one tab-separated line, repeated the header row after
every page break and left footnotes and blank lines between rows. This module turns that into
`Row`s: one per table row, with the line range it came from, page-break headers skipped and rows
continued across a page break joined back together.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from clusterkg.loaders.records import ExtractionError, SourceRef

ITALIC_AT_END = re.compile(r"(?s)(.*)</i>((?:\s*</(?:li|ul|ol|p)>)*)$")


@dataclass(frozen=True)
class Line:
    """One line of a document; `end` > `start` once corrections have joined lines."""

    start: int
    end: int
    text: str

    @property
    def cells(self) -> list[str]:
        return self.text.split("\t")


@dataclass(frozen=True)
class Row:
    """One table row: its cells (raw HTML fragments) and the lines it spans."""

    document: str
    table: str
    start: int
    end: int
    cells: tuple[str, ...]
    after_page_break: bool = False

    def source(self) -> SourceRef:
        return SourceRef(self.document, self.table, self.start, self.end)

    def error(self, column: str | None, message: str) -> ExtractionError:
        return ExtractionError(self.document, self.start, column, message)


@dataclass(frozen=True)
class Table:
    """The rows of one captioned table and its header."""

    document: str
    name: str
    caption_line: int
    header: tuple[str, ...]
    rows: tuple[Row, ...]


def read_lines(path: Path) -> list[Line]:
    """The document's lines, numbered from 1 as an editor shows them."""
    text = path.read_text(encoding="utf-8")
    return [Line(n, n, t) for n, t in enumerate(text.split("\n"), start=1)]


def join_cells(first: Sequence[str], second: Sequence[str]) -> tuple[str, ...]:
    """Cell-wise join of a row and its continuation. An italic run cut by the page break
    (`<i>a</i>` + `<i>b</i>`, also when list or paragraph tags close after the first part)
    becomes one italic run again."""
    joined = []
    for a, b in zip(first, second, strict=True):
        a, b = a.strip(), b.strip()
        cut = ITALIC_AT_END.match(a)
        if cut and b.startswith("<i>"):
            joined.append(f"{cut.group(1)} {b[3:]}{cut.group(2)}")
        else:
            joined.append(f"{a} {b}".strip())
    return tuple(joined)


def _header_key(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def locate_table(lines: Sequence[Line], document: str, caption: str) -> Table:
    """The table whose caption line starts with `caption` (`Table 2 - `).

    The header is the first tab-separated line after the caption; the table ends at its
    `Source:` note. Lines without a tab inside the table (footnotes, blank lines) are skipped.
    """
    starts = [i for i, line in enumerate(lines) if line.text.startswith(caption)]
    if len(starts) != 1:
        raise ExtractionError(document, 1, None, f"caption {caption!r} found {len(starts)} times")
    name = caption.split(" - ")[0].strip()
    index = starts[0]
    caption_line = lines[index].start
    header: tuple[str, ...] | None = None
    rows: list[Row] = []
    after_break = False
    for line in lines[index + 1 :]:
        stripped = line.text.strip().lstrip("*")
        if header is not None and stripped.startswith("Source:"):
            return Table(document, name, caption_line, header, _join_continuations(rows))
        if "\t" not in line.text:
            continue
        cells = tuple(line.cells)
        if header is None:
            header = tuple(_header_key(c) for c in cells)
            continue
        if tuple(_header_key(c) for c in cells) == header:
            after_break = True
            continue
        if len(cells) != len(header):
            raise ExtractionError(
                document, line.start, None, f"{len(cells)} cells, header has {len(header)}"
            )
        rows.append(Row(document, name, line.start, line.end, cells, after_break))
        after_break = False
    raise ExtractionError(document, caption_line, None, f"{name}: no 'Source:' note ends it")


def _join_continuations(rows: list[Row]) -> tuple[Row, ...]:
    """A row directly after a repeated page-break header whose first cell is empty continues
    the row before the page break (the PDF split one table row over two pages)."""
    joined: list[Row] = []
    for row in rows:
        if row.after_page_break and not row.cells[0].strip() and joined:
            previous = joined[-1]
            joined[-1] = replace(previous, end=row.end, cells=join_cells(previous.cells, row.cells))
        else:
            joined.append(row)
    return tuple(joined)
