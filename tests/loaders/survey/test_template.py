"""The survey template: columns exactly the mapping files' plus the source columns, a README
that documents every column and lists closed-list values."""

from __future__ import annotations

import csv
from pathlib import Path

from openpyxl import load_workbook
from typer.testing import CliRunner

from clusterkg.cli import app
from clusterkg.loaders.mapper import mappings
from clusterkg.loaders.survey.spec import SOURCE_COLUMNS
from clusterkg.loaders.survey.template import sheet_title, write_template
from clusterkg.loaders.survey.validate import validate_paths


def test_csv_set_and_workbook_follow_the_mapping_files(tmp_path: Path) -> None:
    write_template(tmp_path)
    book = load_workbook(tmp_path / "survey.xlsx", read_only=True)
    assert book.sheetnames[0] == "README" and book.sheetnames[-1] == "lists"
    for kind, mapping in mappings().items():
        expected = [*mapping.column_names, *SOURCE_COLUMNS]
        with (tmp_path / f"{kind}.csv").open(encoding="utf-8", newline="") as fh:
            assert next(csv.reader(fh)) == expected
        header = [c.value for c in next(book[sheet_title(kind)].iter_rows(max_row=1))]
        assert header == expected


def test_readme_explains_columns_and_allowed_values(tmp_path: Path) -> None:
    write_template(tmp_path)
    readme = (tmp_path / "README.md").read_text(encoding="utf-8")
    assert "## programme_objective" in readme and "internationalisation" in readme
    assert "LVA" in readme and "xsd:gYear" in readme
    rows = list(load_workbook(tmp_path / "survey.xlsx")["README"].values)
    assert rows[0][:5] == ("kind", "column", "required", "datatype", "allowed values")
    objective = next(r for r in rows if r[0] == "programme_objective" and r[1] == "objective")
    assert "sme-competitiveness" in str(objective[4])


def test_empty_template_is_reported_as_no_data(tmp_path: Path) -> None:
    write_template(tmp_path)
    assert validate_paths([tmp_path / "survey.xlsx"]).exit_code == 2


def test_cli_template(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["template", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "survey.xlsx").exists() and (tmp_path / "programme.csv").exists()
