"""CSV injection at intake: formula prefixes are reported with file/row/column (OWASP's rule)."""

from __future__ import annotations

from pathlib import Path

import pytest

from clusterkg.loaders.survey.formula_guard import formula_risk
from clusterkg.loaders.survey.validate import validate_inputs

SHAPES = Path(__file__).resolve().parents[2] / "fixtures" / "shapes" / "valid"


@pytest.mark.parametrize(
    ("value", "risk"),
    [
        ("=1+2", "Violation"),
        ("＝1+2", "Violation"),  # full-width equals sign
        ("﹦1", "Violation"),  # small equals sign
        ('+HYPERLINK("http://x")', "Violation"),
        ("＋cmd|' /C calc'!A0", "Violation"),
        ("-2+3+cmd|' /C calc'!A0", "Violation"),
        ("@SUM(1+1)", "Violation"),
        ("＠SUM(1)", "Violation"),
        ("\t=1", "Violation"),
        ("\rx", "Violation"),
        ("  =1", "Violation"),  # a spreadsheet trims before it parses
        ("-12.5", None),  # a negative number is a number
        ("+3", None),
        ("1e-3", None),
        ("+", "Warning"),  # the source's rating symbols: signs only, nothing to call
        ("++", "Warning"),
        ("+/-", "Warning"),
        ("0/+", None),
        ("Vinnväxt", None),
        ("", None),
    ],
)
def test_owasp_prefixes(value: str, risk: str | None) -> None:
    assert formula_risk(value) == risk


def _findings(name: str, data: bytes) -> list[tuple[str, str, int | None, str | None, str]]:
    result = validate_inputs([(name, data)])
    return [
        (f.severity, f.file, f.row, f.column, f.value or "")
        for f in result.findings
        if "formula character" in f.message or "starts with a sign" in f.message
    ]


@pytest.mark.parametrize("prefix", ["=", "+", "-", "@", "＝", "＋", "－", "＠"])
def test_csv_cells_with_a_formula_prefix_are_violations_at_row_and_column(prefix: str) -> None:
    csv = f'programme_id,objective\nLVA-x,{prefix}HYPERLINK("http://evil")\n'.encode()
    assert _findings("programme_objective.csv", csv) == [
        (
            "Violation",
            "programme_objective.csv",
            2,
            "objective",
            f'{prefix}HYPERLINK("http://evil")',
        )
    ]


def test_tab_and_carriage_return_prefixes_in_csv() -> None:
    csv = b'programme_id,objective\nLVA-x,"\tinnovation"\nLVA-y,"\rinnovation"\n'
    found = _findings("programme_objective.csv", csv)
    assert [(row, column) for _s, _f, row, column, _v in found] == [
        (2, "objective"),
        (3, "objective"),
    ]


def test_negative_numbers_in_numeric_columns_pass() -> None:
    csv = b"programme_id,amount,currency,raw\nLVA-x,-1500.5,EUR,-1500.5\n"
    assert _findings("programme_budget.csv", csv) == []


def test_turtle_and_json_ld_literals_are_reported_with_subject_and_property() -> None:
    turtle = (
        (SHAPES / "programme.ttl")
        .read_text()
        .replace('skos:prefLabel "', 'skos:prefLabel "=HYPERLINK(\\"http://evil\\")', 1)
    )
    result = validate_inputs([("p.ttl", turtle.encode())])
    found = [f for f in result.findings if "formula character" in f.message]
    assert len(found) == 1 and found[0].severity == "Violation" and found[0].file == "p.ttl"
    assert found[0].path == "http://www.w3.org/2004/02/skos/core#prefLabel" and found[0].focus
    doc = (
        b'{"@context": {"@vocab": "https://schema.org/"}, '
        b'"@id": "https://w3id.org/clusterkg/id/programme/x", "name": "\xef\xbc\x9dcmd"}'
    )
    result = validate_inputs([("p.jsonld", doc)])
    found = [f for f in result.findings if "formula character" in f.message]
    assert [(f.file, f.path, f.value) for f in found] == [
        ("p.jsonld", "https://schema.org/name", "＝cmd")
    ]
