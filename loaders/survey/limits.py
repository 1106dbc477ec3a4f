"""The limits an uploaded survey file must stay within, and the error that names a breach.

A 1.7 KB workbook can declare seventeen billion cells and a 20 MB CSV can hold a million rows:
the byte size of an upload says little about what reading it costs. So every reader checks
what it is about to build (rows, cells, columns, decompressed bytes, one shared string) against
`IntakeLimits` before building it, and stops with `LimitExceeded`, whose message names the file,
the limit, its value and the setting that changes it. The limits are configured with the
`CLUSTERKG_VALIDATION_*` settings (`clusterkg/settings.py`); a caller that runs a validation
sets them for that run with `using(limits)`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from clusterkg.loaders.survey.read import UnusableInput
from clusterkg.settings import Settings

MIB = 1024 * 1024


class LimitExceeded(UnusableInput):
    """An input over one of the configured limits (answered 413 by the API, exit 2 by the CLI)."""

    check = "limit"

    def __init__(self, file: str, limit: str, message: str) -> None:
        self.limit = limit
        super().__init__(file, f"{message} (limit {limit}: {_setting(limit)})")


class HostileInput(UnusableInput):
    """An input built to attack its reader: a DTD or entity in a workbook, a remote context."""


def _setting(limit: str) -> str:
    return "CLUSTERKG_" + limit.upper()


@dataclass(frozen=True)
class IntakeLimits:
    """What reading and validating one upload may cost; every field is a `Settings` field."""

    upload_max_bytes: int = 20 * MIB
    upload_read_timeout: float = 30.0
    validation_timeout: float = 60.0
    validation_memory_bytes: int = 1024 * MIB
    validation_max_rows: int = 50_000
    validation_max_cells: int = 1_000_000
    validation_max_columns: int = 256
    validation_max_decompressed_bytes: int = 100 * MIB
    validation_max_shared_string_chars: int = 32_767
    validation_max_zip_members: int = 1_000

    @classmethod
    def from_settings(cls, settings: Settings) -> IntakeLimits:
        return cls(
            upload_max_bytes=settings.upload_max_bytes,
            upload_read_timeout=settings.upload_read_timeout,
            validation_timeout=settings.validation_timeout,
            validation_memory_bytes=settings.validation_memory_bytes,
            validation_max_rows=settings.validation_max_rows,
            validation_max_cells=settings.validation_max_cells,
            validation_max_columns=settings.validation_max_columns,
            validation_max_decompressed_bytes=settings.validation_max_decompressed_bytes,
            validation_max_shared_string_chars=settings.validation_max_shared_string_chars,
            validation_max_zip_members=settings.validation_max_zip_members,
        )

    @classmethod
    def from_env(cls) -> IntakeLimits:
        return cls.from_settings(Settings.from_env())


_CURRENT: ContextVar[IntakeLimits | None] = ContextVar("intake_limits", default=None)


def current() -> IntakeLimits:
    """The limits of the running validation (`using`), else those of the environment."""
    limits = _CURRENT.get()
    if limits is None:
        limits = IntakeLimits.from_env()
        _CURRENT.set(limits)
    return limits


@contextmanager
def using(limits: IntakeLimits) -> Iterator[IntakeLimits]:
    token = _CURRENT.set(limits)
    try:
        yield limits
    finally:
        _CURRENT.reset(token)


class Tally:
    """Rows and cells read so far from one file, checked as they are counted."""

    def __init__(self, file: str, limits: IntakeLimits) -> None:
        self.file = file
        self.limits = limits
        self.rows = 0
        self.cells = 0

    def row(self, cells: int, where: str = "") -> None:
        self.rows += 1
        self.cells += cells
        at = f" {where}" if where else ""
        if self.rows > self.limits.validation_max_rows:
            raise LimitExceeded(
                self.file,
                "validation_max_rows",
                f"more than {self.limits.validation_max_rows:,} rows{at}; split the file",
            )
        if cells > self.limits.validation_max_columns:
            raise LimitExceeded(
                self.file,
                "validation_max_columns",
                f"a row of {cells:,} cells{at}, over {self.limits.validation_max_columns:,} "
                "columns",
            )
        if self.cells > self.limits.validation_max_cells:
            raise LimitExceeded(
                self.file,
                "validation_max_cells",
                f"more than {self.limits.validation_max_cells:,} cells{at}; split the file",
            )


def check_csv(name: str, text: str, limits: IntakeLimits | None = None) -> None:
    """Count a CSV file's rows and cells before any record is built from it."""
    tally = Tally(name, limits or current())
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        for cells in reader:
            tally.row(len(cells), f"(line {reader.line_num})")
    except csv.Error:
        return  # the reader proper reports where the CSV is malformed
