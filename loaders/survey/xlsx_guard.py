"""Inspect an XLSX workbook as it unzips, before openpyxl builds anything from it.

A workbook is a zip of XML parts, and what openpyxl will cost is written inside them, not in
the upload's size: a 1.7 KB sheet declaring `A1:XFD1048576` makes openpyxl's read-only mode
yield seventeen billion empty cells, one 512 MiB shared string zips to 524 KB, and a DTD can
expand entities a billion times (billion laughs) or name external files (XXE). So every member
is decompressed in chunks, counting the bytes as they come, and every XML part goes through
expat in the same stream: a DTD anywhere is refused (OOXML never needs one), a sheet's declared
dimension, its rows and cells, and each shared or inline string are checked against the limits
as soon as they are seen. Nothing is kept but counters.
"""

from __future__ import annotations

import io
import re
import zipfile
from typing import NoReturn
from xml.parsers import expat

from clusterkg.loaders.survey.limits import HostileInput, IntakeLimits, LimitExceeded, current
from clusterkg.loaders.survey.read import UnusableInput

CHUNK = 64 * 1024
XML_SUFFIXES = (".xml", ".rels", ".vml")
CELL_REF = re.compile(r"^\$?([A-Z]{1,3})\$?(\d{1,7})$")
STRING_PARENTS = {"si", "is"}  # a shared string (sharedStrings.xml) or an inline string


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


def _ref(ref: str) -> tuple[int, int] | None:
    """(row, column) of an A1-style reference, or None when it is not one."""
    match = CELL_REF.match(ref.strip().upper())
    return (int(match[2]), _column_number(match[1])) if match else None


def _local(tag: str) -> str:
    return tag.rsplit(":", 1)[-1].rsplit("}", 1)[-1]


class _PartScanner:
    """Expat handlers for one XML part: refuse DTDs, count what openpyxl would build."""

    def __init__(self, file: str, part: str, limits: IntakeLimits) -> None:
        self.file = file
        self.part = part
        self.limits = limits
        self.rows = 0
        self.cells = 0
        self.string_depth = 0
        self.string_chars = 0
        self.parser = expat.ParserCreate()
        self.parser.StartDoctypeDeclHandler = self._doctype
        self.parser.EntityDeclHandler = self._entity
        self.parser.ExternalEntityRefHandler = self._external
        self.parser.StartElementHandler = self._start
        self.parser.EndElementHandler = self._end
        self.parser.CharacterDataHandler = self._text
        self.parser.buffer_text = True

    def _hostile(self, what: str) -> NoReturn:
        raise HostileInput(
            self.file,
            f"the workbook part {self.part} holds {what}; a workbook never needs one "
            "(this is how XXE and 'billion laughs' attacks are built), so it is not read",
        )

    def _doctype(self, *args: object) -> None:
        self._hostile("a document type declaration (DTD)")

    def _entity(self, *args: object) -> None:
        self._hostile("an entity declaration")

    def _external(self, *args: object) -> int:
        self._hostile("a reference to an external entity")

    def _over(self, limit: str, message: str) -> NoReturn:
        raise LimitExceeded(self.file, limit, f"{self.part}: {message}")

    def _check_extent(self, rows: int, columns: int, what: str) -> None:
        limits = self.limits
        if rows > limits.validation_max_rows:
            self._over(
                "validation_max_rows",
                f"{what} reaches row {rows:,}, over {limits.validation_max_rows:,} rows",
            )
        if columns > limits.validation_max_columns:
            self._over(
                "validation_max_columns",
                f"{what} reaches column {columns:,}, over {limits.validation_max_columns:,}",
            )
        if rows * columns > limits.validation_max_cells:
            self._over(
                "validation_max_cells",
                f"{what} spans {rows:,} × {columns:,} = {rows * columns:,} cells, over "
                f"{limits.validation_max_cells:,}",
            )

    def _start(self, tag: str, attrs: dict[str, str]) -> None:
        name = _local(tag)
        if name == "dimension":
            ref = attrs.get("ref", "")
            corners = [_ref(part) for part in ref.split(":")]
            if corners and all(corners):
                last = corners[-1]
                assert last is not None
                self._check_extent(last[0], last[1], f"the declared dimension {ref}")
        elif name == "row":
            self.rows += 1
            number = attrs.get("r", "")
            row = int(number) if number.isdigit() else self.rows
            self._check_extent(max(row, self.rows), 1, f"row {number or self.rows}")
        elif name == "c":
            self.cells += 1
            if self.cells > self.limits.validation_max_cells:
                self._over(
                    "validation_max_cells",
                    f"more than {self.limits.validation_max_cells:,} cells",
                )
            found = _ref(attrs.get("r", ""))
            if found:
                self._check_extent(found[0], found[1], f"cell {attrs['r']}")
        elif name in STRING_PARENTS:
            self.string_depth += 1
            if self.string_depth == 1:
                self.string_chars = 0

    def _end(self, tag: str) -> None:
        if _local(tag) in STRING_PARENTS and self.string_depth:
            self.string_depth -= 1

    def _text(self, data: str) -> None:
        if not self.string_depth:
            return
        self.string_chars += len(data)
        if self.string_chars > self.limits.validation_max_shared_string_chars:
            self._over(
                "validation_max_shared_string_chars",
                f"a string of more than {self.limits.validation_max_shared_string_chars:,} "
                "characters (Excel's own limit for a cell)",
            )

    def feed(self, chunk: bytes, final: bool = False) -> None:
        try:
            self.parser.Parse(chunk, final)
        except expat.ExpatError as exc:
            raise UnusableInput(
                self.file,
                f"not a readable XLSX workbook: the part {self.part} is not well-formed XML "
                f"({expat.ErrorString(exc.code)} at line {exc.lineno})",
            ) from exc


def inspect_xlsx(name: str, data: bytes, limits: IntakeLimits | None = None) -> None:
    """Raise `LimitExceeded`, `HostileInput` or `UnusableInput` before openpyxl would suffer."""
    limits = limits or current()
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise UnusableInput(name, "not a readable XLSX workbook (not a zip archive)") from exc
    with archive:
        members = archive.infolist()
        if len(members) > limits.validation_max_zip_members:
            raise LimitExceeded(
                name,
                "validation_max_zip_members",
                f"the workbook holds {len(members):,} parts, over "
                f"{limits.validation_max_zip_members:,}",
            )
        total = 0
        for member in members:
            if member.is_dir():
                continue
            scanner = None
            if member.filename.lower().endswith(XML_SUFFIXES):
                scanner = _PartScanner(name, member.filename, limits)
            try:
                with archive.open(member) as stream:
                    while chunk := stream.read(CHUNK):
                        total += len(chunk)
                        if total > limits.validation_max_decompressed_bytes:
                            raise LimitExceeded(
                                name,
                                "validation_max_decompressed_bytes",
                                f"the workbook unzips to more than "
                                f"{limits.validation_max_decompressed_bytes:,} bytes "
                                f"(reached in {member.filename})",
                            )
                        if scanner:
                            scanner.feed(chunk)
                if scanner:
                    scanner.feed(b"", final=True)
            except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError) as exc:
                raise UnusableInput(
                    name,
                    f"not a readable XLSX workbook: the part {member.filename} is damaged "
                    f"({exc.__class__.__name__})",
                ) from exc
            except NotImplementedError as exc:  # an unsupported compression method
                raise UnusableInput(
                    name, f"not a readable XLSX workbook: {member.filename}: {exc}"
                ) from exc
