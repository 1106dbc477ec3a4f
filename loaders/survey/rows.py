"""Survey tables into tidy records: the header and every cell checked against the record kind's
columns, each problem a finding at its row and column."""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Sequence

from clusterkg.loaders.records import Record, SourceRef
from clusterkg.loaders.survey import formula_guard
from clusterkg.loaders.survey.findings import Finding
from clusterkg.loaders.survey.read import (
    Cell,
    Sheet,
)
from clusterkg.loaders.survey.spec import DATE_COLUMN, LEXICAL, SOURCE_COLUMNS, KindSpec


def suggest(name: str, names: Sequence[str]) -> str:
    close = difflib.get_close_matches(name, names, n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


class _SheetFindings:
    """Violations of one sheet, each naming its file and sheet."""

    def __init__(self, sheet: Sheet, findings: list[Finding]) -> None:
        self.sheet, self.findings = sheet, findings

    def __call__(self, message: str, **kw: object) -> None:
        self.findings.append(
            Finding("Violation", message, self.sheet.file, self.sheet.name, **kw)  # type: ignore[arg-type]
        )

    def warn(self, message: str, *, row: int, column: str, value: str) -> None:
        """A warning (not a violation) located like the violations."""
        self.findings.append(
            Finding("Warning", message, self.sheet.file, self.sheet.name, row, column, value)
        )


def _header(spec: KindSpec, header: Sequence[str], finding: _SheetFindings) -> dict[int, str]:
    """Index -> column name of the usable header cells; every unusable one is a finding."""
    names = spec.names
    seen: set[str] = set()
    usable: dict[int, str] = {}
    for index, name in enumerate(header):
        if not name:
            finding(f"column {index + 1} of the header has no name", row=1)
        elif name in seen:
            finding(f"the column {name!r} appears twice in the header", row=1, column=name)
        elif name not in names and name not in SOURCE_COLUMNS:
            finding(
                f"unknown column {name!r} for {spec.kind}{suggest(name, names)}",
                row=1,
                column=name,
                expected="the columns " + ", ".join(names),
            )
        else:
            usable[index] = name
        seen.add(name)
    for column in spec.columns:
        if column.required and column.name not in seen:
            finding(
                f"the required column {column.name!r} is missing from the header",
                row=1,
                column=column.name,
                expected=column.description,
            )
    return usable


def _row_values(
    number: int, cells: Sequence[Cell], width: int, usable: dict[int, str], finding: _SheetFindings
) -> tuple[dict[str, str | None], bool]:
    """The row's values by column, and whether a cell broke the row."""
    values: dict[str, str | None] = {}
    broken = False
    for index, cell in enumerate(cells):
        if index >= width:
            if cell.value:
                finding(
                    f"cell {index + 1} is beyond the header's {width} columns",
                    row=number,
                    value=cell.value,
                )
                broken = True
            continue
        column_name = usable.get(index)
        if column_name is None:
            continue
        if cell.formula:
            finding(
                formula_guard.MESSAGE + "; formulas are never evaluated",
                row=number,
                column=column_name,
                value=cell.value,
                expected=formula_guard.EXPECTED,
            )
            broken = True
            continue
        if formula_guard.formula_risk(cell.value) == "Warning":
            finding.warn(formula_guard.SIGN_MESSAGE, row=number, column=column_name,
                         value=cell.value)  # fmt: skip
        values[column_name] = cell.value or None
    answered = values.get(DATE_COLUMN)  # provenance column: a date (releases and waves)
    if answered and not LEXICAL["xsd:date"][0].match(answered):
        finding(
            "the value does not fit the column",
            row=number,
            column=DATE_COLUMN,
            value=answered,
            expected=LEXICAL["xsd:date"][1],
        )
        broken = True
    return values, broken


def _checked(
    spec: KindSpec,
    number: int,
    values: dict[str, str | None],
    header: set[str],
    finding: _SheetFindings,
) -> bool:
    """Check each value against its column; False when a required cell is empty."""
    complete = True
    for column in spec.columns:
        value = values.get(column.name)
        if value is None:
            if column.required and column.name in header:
                finding(
                    f"the required cell {column.name!r} is empty",
                    row=number,
                    column=column.name,
                    expected=column.expected(),
                )
                complete = False
            continue
        expected = column.check(value)
        if expected:
            what = "is not in the list" if column.allowed is not None else "does not fit the column"
            finding(
                f"the value {what}", row=number, column=column.name, value=value, expected=expected
            )
    return complete


def sheet_records(sheet: Sheet, spec: KindSpec, findings: list[Finding]) -> list[Record]:
    """Check a sheet's header and cells against its kind; the records of its rows."""
    finding = _SheetFindings(sheet, findings)
    usable = _header(spec, sheet.header, finding)
    header = set(sheet.header)
    header_broken = any(c.required and c.name not in header for c in spec.columns)
    records = []
    for number, cells in sheet.rows:
        values, broken = _row_values(number, cells, len(sheet.header), usable, finding)
        complete = _checked(spec, number, values, header, finding)
        if complete and not broken and not header_broken:
            ref = SourceRef(sheet.file, sheet.name, number, number)
            records.append(Record(spec.kind, values, ref))
    return records


def duplicates(records: list[Record], specs: dict[str, KindSpec]) -> Iterator[Finding]:
    first: dict[tuple[str, tuple[str | None, ...]], Record] = {}
    for record in records:
        key_columns = specs[record.kind].key or tuple(specs[record.kind].names)
        key = (record.kind, tuple(record.get(c) for c in key_columns))
        if key in first:
            earlier = first[key].source
            shown = ", ".join(f"{c}={record.get(c)!r}" for c in key_columns)
            yield Finding(
                "Violation",
                f"the same {record.kind} again ({shown}): {earlier.document}, "
                f"{earlier.table}, row {earlier.line_start} already gives it",
                record.source.document,
                record.source.table,
                record.source.line_start,
                key_columns[0],
                record.get(key_columns[0]),
                "one row per " + ", ".join(key_columns),
            )
        else:
            first[key] = record
