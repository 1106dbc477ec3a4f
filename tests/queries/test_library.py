"""Every named query runs against the built graph and returns its expected-results file
(`tests/fixtures/queries/<name>.csv`, rows in the query's own order)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pyoxigraph as ox
import pytest

from clusterkg.graph.store import OxigraphStore
from clusterkg.queries.library import library, parse_header

EXPECTED = Path(__file__).parent.parent / "fixtures" / "queries"


def _as_rows(result: ox.QuerySolutions) -> list[list[str]]:
    names = [v.value for v in result.variables]
    rows = [names]
    rows += [[row[n].value if row[n] is not None else "" for n in names] for row in result]
    return rows


@pytest.mark.parametrize("name", sorted(library()))
def test_query_returns_expected_rows(name: str, built_store: OxigraphStore) -> None:
    expected_file = EXPECTED / f"{name}.csv"
    assert expected_file.exists(), f"write the expected results of {name} to {expected_file}"
    result = built_store.query(library()[name].text)
    assert isinstance(result, ox.QuerySolutions)
    actual = _as_rows(result)
    expected = list(csv.reader(io.StringIO(expected_file.read_text(encoding="utf-8"))))
    only_expected = [r for r in expected if r not in actual]
    only_actual = [r for r in actual if r not in expected]
    assert actual == expected, f"only expected: {only_expected}\nonly actual: {only_actual}"


@pytest.mark.parametrize("name", sorted(library()))
def test_query_is_documented(name: str) -> None:
    header = parse_header(library()[name].path)
    assert header.get("summary") and header.get("description") and header.get("tags")


def test_expected_files_have_a_query() -> None:
    orphans = {p.stem for p in EXPECTED.glob("*.csv")} - set(library())
    assert not orphans
