"""The survey template: a documented CSV set and an XLSX workbook, one table per record kind.

Columns are exactly the mapping files' columns plus the optional source columns; the README
(a file beside the CSVs, the first sheet of the workbook) explains every column and lists the
allowed values of closed lists from the vocabularies. `rows_from_tables` takes rows of a build's
`dist/tables/*.csv` for some countries, so a filled template can be produced from the sources.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from pathlib import Path

from clusterkg.loaders.survey.spec import (
    DEFAULT_CONTEXT,
    SOURCE_COLUMNS,
    SOURCE_DESCRIPTIONS,
    KindSpec,
    SurveyContext,
)

WORKBOOK_NAME = "survey.xlsx"
Rows = Mapping[str, list[dict[str, str]]]


def sheet_title(kind: str) -> str:
    """Excel caps sheet names at 31 characters; `validate` maps a cut name back to its kind."""
    return kind[:31]


def _allowed_text(spec: KindSpec, name: str) -> str:
    column = spec.column(name)
    if column is None or column.allowed is None:
        return ""
    return ", ".join(column.allowed)


def readme_rows(specs: Mapping[str, KindSpec]) -> list[list[str]]:
    """kind, column, required, datatype, allowed values, description, example."""
    rows = [["kind", "column", "required", "datatype", "allowed values", "description", "example"]]
    for kind, spec in specs.items():
        rows.append([kind, "", "", "", "", spec.description, ""])
        for c in spec.columns:
            rows.append(
                [
                    kind,
                    c.name,
                    "yes" if c.required else "no",
                    c.datatype or "text",
                    _allowed_text(spec, c.name),
                    c.description,
                    c.example or "",
                ]
            )
        for name in SOURCE_COLUMNS:
            rows.append([kind, name, "no", "text", "", SOURCE_DESCRIPTIONS[name], ""])
    return rows


def readme_markdown(specs: Mapping[str, KindSpec]) -> str:
    lines = [
        "# clusterkg survey template",
        "",
        "One CSV file per record kind (or one sheet per kind in `survey.xlsx`). Keep the",
        "header row as it is; one record per row; leave a cell empty when the answer is",
        "unknown. Files must be UTF-8 (a byte order mark is accepted). Cells are values,",
        "never formulas.",
        "",
        "Check a filled set with `clusterkg validate FILE…`; load it with",
        "`clusterkg load FILE… --wave NAME`.",
        "",
    ]
    for kind, spec in specs.items():
        lines += [
            f"## {kind}",
            "",
            spec.description,
            "",
            "| column | required | datatype | allowed values | description | example |",
            "| --- | --- | --- | --- | --- | --- |",
        ]
        for c in spec.columns:
            allowed = _allowed_text(spec, c.name).replace("|", "\\|")
            lines.append(
                f"| {c.name} | {'yes' if c.required else 'no'} | {c.datatype or 'text'} "
                f"| {allowed} "
                f"| {c.description.replace('|', '/')} | {c.example or ''} |"
            )
        for name in SOURCE_COLUMNS:
            lines.append(f"| {name} | no | text |  | {SOURCE_DESCRIPTIONS[name]} |  |")
        lines.append("")
    return "\n".join(lines)


def _header(spec: KindSpec) -> list[str]:
    return [*spec.names, *SOURCE_COLUMNS]


def write_csv_set(out: Path, specs: Mapping[str, KindSpec], rows: Rows | None = None) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for kind, spec in specs.items():
        path = out / f"{kind}.csv"
        with path.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            header = _header(spec)
            writer.writerow(header)
            for row in (rows or {}).get(kind, []):
                writer.writerow([row.get(name, "") for name in header])
        written.append(path)
    readme = out / "README.md"
    readme.write_text(readme_markdown(specs), encoding="utf-8")
    return [*written, readme]


def workbook_bytes(specs: Mapping[str, KindSpec], rows: Rows | None = None) -> bytes:
    """The XLSX workbook: README, one sheet per kind (drop-down lists on closed columns), lists."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    readme = book.active
    assert readme is not None
    readme.title = "README"
    for line in readme_rows(specs):
        readme.append(line)
    for cell in readme[1]:
        cell.font = Font(bold=True)
    lists = book.create_sheet("lists")
    list_ranges: dict[tuple[str, str], str] = {}
    column_index = 0
    for kind, spec in specs.items():
        for c in spec.columns:
            if c.allowed is None:
                continue
            column_index += 1
            letter = get_column_letter(column_index)
            lists.cell(1, column_index, f"{kind}.{c.name}").font = Font(bold=True)
            for i, value in enumerate(c.allowed, start=2):
                lists.cell(i, column_index, value)
            list_ranges[(kind, c.name)] = f"lists!${letter}$2:${letter}${len(c.allowed) + 1}"
    for kind, spec in specs.items():
        sheet = book.create_sheet(sheet_title(kind))
        header = _header(spec)
        sheet.append(header)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in (rows or {}).get(kind, []):
            sheet.append([row.get(name, "") or None for name in header])
        for index, name in enumerate(header, start=1):
            if (kind, name) in list_ranges:
                check = DataValidation(
                    type="list", formula1=list_ranges[(kind, name)], allow_blank=True
                )
                sheet.add_data_validation(check)
                letter = get_column_letter(index)
                check.add(f"{letter}2:{letter}1000")
    book.move_sheet("lists", offset=len(book.sheetnames))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def write_template(
    out: Path, context: SurveyContext = DEFAULT_CONTEXT, rows: Rows | None = None
) -> list[Path]:
    """Write the CSV set, README.md and survey.xlsx into `out`; returns the files written."""
    specs = context.specs()
    written = write_csv_set(out, specs, rows)
    workbook = out / WORKBOOK_NAME
    workbook.write_bytes(workbook_bytes(specs, rows))
    return [*written, workbook]


def rows_from_tables(tables: Path, countries: Iterable[str]) -> dict[str, list[dict[str, str]]]:
    """Rows of a build's `tables/*.csv` that belong to `countries`: rows whose `country` is one
    of them, then rows that name (in an `*_id` column) an identifier those rows carry."""
    wanted = set(countries)
    all_rows: dict[str, list[dict[str, str]]] = {}
    for path in sorted(tables.glob("*.csv")):
        with path.open(newline="", encoding="utf-8") as fh:
            all_rows[path.stem] = list(csv.DictReader(fh))
    kept: dict[str, list[dict[str, str]]] = {kind: [] for kind in all_rows}
    ids: set[str] = set()
    for kind, rows in all_rows.items():
        for row in rows:
            if row.get("country") in wanted:
                kept[kind].append(row)
                ids |= {v for k, v in row.items() if k.endswith("_id") and v}
    for kind, rows in all_rows.items():
        for row in rows:
            if row.get("country") in wanted or "country" in row:
                continue
            if any(k.endswith("_id") and v in ids for k, v in row.items()):
                kept[kind].append(row)
    return {kind: rows for kind, rows in kept.items() if rows}
