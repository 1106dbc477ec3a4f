"""Reading survey files into sheets of text cells: CSV (UTF-8), XLSX workbooks, RDF.

Nothing here interprets a cell: a formula is kept as its text (never evaluated) and flagged, a
number is written the way a person would type it. A file that cannot be read at all raises
`UnusableInput`, whose message says what to do.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import rdflib

BOM = b"\xef\xbb\xbf"
TABULAR = {".csv", ".xlsx"}
RDF_FORMATS = {
    ".ttl": "turtle",
    ".jsonld": "json-ld",
    ".json": "json-ld",
    ".nt": "nt",
    ".trig": "trig",
}
SKIPPED_SHEETS = {"readme", "lists"}


class UnusableInput(ValueError):
    """A file that cannot be read at all (wrong encoding, truncated, empty, too large)."""

    def __init__(self, file: str, message: str) -> None:
        self.file = file
        super().__init__(f"{file}: {message}")
        self.reason = message


@dataclass(frozen=True)
class Cell:
    value: str
    formula: bool = False


@dataclass
class Sheet:
    """One table: a CSV file or a worksheet. `rows` are (row number, cells) as a spreadsheet
    numbers them: the header is row 1."""

    file: str
    name: str
    header: list[str]
    rows: list[tuple[int, list[Cell]]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def check_size(name: str, size: int, limit: int) -> None:
    if size > limit:
        raise UnusableInput(
            name, f"the file is {size:,} bytes, over the limit of {limit:,} bytes; split it"
        )
    if size == 0:
        raise UnusableInput(name, "the file is empty")


def _decode(name: str, data: bytes) -> tuple[str, list[str]]:
    notes = []
    if data.startswith(BOM):
        data = data[len(BOM) :]
        notes.append("a UTF-8 byte order mark (BOM) starts the file; it was accepted and ignored")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise UnusableInput(
            name,
            f"the file is not UTF-8: byte 0x{data[exc.start]:02x} "
            f"at line {line}, character {column} "
            "(it looks like Latin-1 or Windows-1252); save it as 'CSV UTF-8' and try again",
        ) from exc
    if "\x00" in text:
        raise UnusableInput(name, "the file holds NUL bytes: it is not a CSV text file")
    if not text.strip():
        raise UnusableInput(name, "the file holds no text")
    return text, notes


def read_csv(name: str, data: bytes) -> Sheet:
    """A CSV file whose stem is the record kind."""
    text, notes = _decode(name, data)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
        sheet = Sheet(name, Path(name).stem, [h.strip() for h in header], notes=notes)
        line = reader.line_num
        for cells in reader:
            start = line + 1
            line = reader.line_num
            if any(c.strip() for c in cells):
                sheet.rows.append(
                    (start, [Cell(c.strip(), c.lstrip().startswith("=")) for c in cells])
                )
    except csv.Error as exc:
        raise UnusableInput(
            name, f"not a readable CSV file at line {reader.line_num}: {exc}"
        ) from exc
    return sheet


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def read_xlsx(name: str, data: bytes) -> list[Sheet]:
    """Every worksheet of a workbook but README and lists; formulas are read as text."""
    from openpyxl import load_workbook

    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise UnusableInput(
            name, "not a readable XLSX workbook (the file is truncated or not a workbook)"
        )
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
        sheets = []
        for ws in book.worksheets:
            if ws.title.strip().lower() in SKIPPED_SHEETS:
                continue
            rows = ws.iter_rows()
            first = next(rows, None)
            header = [_text(c.value) for c in first] if first else []
            while header and not header[-1]:
                header.pop()
            sheet = Sheet(name, ws.title.strip(), header)
            for number, row in enumerate(rows, start=2):
                cells = [
                    Cell(
                        _text(c.value),
                        getattr(c, "data_type", "") == "f" or _text(c.value).startswith("="),
                    )
                    for c in row
                ]
                if any(c.value for c in cells):
                    sheet.rows.append((number, cells))
            sheets.append(sheet)
        book.close()
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError, EOFError) as exc:
        raise UnusableInput(
            name, f"not a readable XLSX workbook (truncated or damaged: {exc.__class__.__name__})"
        ) from exc
    if not sheets:
        raise UnusableInput(name, "the workbook has no sheet of records")
    return sheets


def _remote_contexts(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "@context":
                values = value if isinstance(value, list) else [value]
                yield from (v for v in values if isinstance(v, str))
            yield from _remote_contexts(value)
    elif isinstance(node, list):
        for item in node:
            yield from _remote_contexts(item)


def read_rdf(name: str, data: bytes) -> rdflib.Graph:
    """Turtle, N-Triples, TriG or JSON-LD (with inline contexts only: nothing is fetched)."""
    fmt = RDF_FORMATS[Path(name).suffix.lower()]
    text, _ = _decode(name, data)
    if fmt == "json-ld":
        try:
            remote = list(_remote_contexts(json.loads(text)))
        except json.JSONDecodeError as exc:
            raise UnusableInput(
                name, f"malformed JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
            ) from exc
        if remote:
            raise UnusableInput(
                name,
                f"the JSON-LD names a remote @context ({remote[0]}); inline it, nothing is fetched",
            )
    graph = rdflib.Dataset() if fmt == "trig" else rdflib.Graph()
    try:
        graph.parse(data=text, format=fmt)
    except Exception as exc:  # rdflib raises many kinds of parser errors
        detail = " ".join(str(exc).split())[:300]
        raise UnusableInput(name, f"malformed {fmt.upper()}: {detail}") from exc
    if isinstance(graph, rdflib.Dataset):
        union = rdflib.Graph()
        for s, p, o, _g in graph.quads((None, None, None, None)):
            union.add((s, p, o))
        graph = union
    if len(graph) == 0:
        raise UnusableInput(name, "the file holds no triples")
    return graph
