"""One conformance suite over every kind of store: the named-query library returns its golden
answers (`tests/fixtures/queries/<name>.csv`, rows in the query's order) from the embedded store
and from each remote server holding the same graphs.

Where a server encodes a term its own way the dialect normalises it (`graph/stores/virtuoso.py`);
the expected answers are the same files for every store. One comparison is looser than string
equality, for every store alike: an xsd:decimal quotient (AVG) is compared to 12 significant
digits, since XSD leaves the precision of decimal division to the implementation (Oxigraph keeps
18 fractional digits, truncated; Virtuoso about 22 significant digits, rounded)."""

from __future__ import annotations

import csv
import io
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pyoxigraph as ox
import pytest

from clusterkg.graph.store import Store
from clusterkg.queries.library import library

EXPECTED = Path(__file__).parent.parent / "fixtures" / "queries"
DIGITS = 12


def _cell(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | None) -> str:
    assert not isinstance(term, ox.Triple)
    return "" if term is None else term.value


def _rows(result: ox.QuerySolutions) -> list[list[str]]:
    names = [v.value for v in result.variables]
    return [names] + [[_cell(row[n]) for n in names] for row in result]


def _same(expected: str, actual: str) -> bool:
    if expected == actual:
        return True
    if "." not in expected or "." not in actual:
        return False
    try:
        a, b = Decimal(expected), Decimal(actual)
    except InvalidOperation:
        return False
    scale = max(abs(a), abs(b))
    return abs(a - b) <= scale * Decimal(10) ** -DIGITS


def _diff(expected: list[list[str]], actual: list[list[str]]) -> list[int]:
    """Indexes of the rows that differ (a length difference counts as the rows beyond)."""
    bad = [i for i, (e, a) in enumerate(zip(expected, actual, strict=False))
           if len(e) != len(a) or not all(_same(x, y) for x, y in zip(e, a, strict=True))]
    return bad + list(range(min(len(expected), len(actual)), max(len(expected), len(actual))))


@pytest.mark.parametrize("name", sorted(library()))
def test_library_answers_are_the_same_on_every_store(name: str, any_store: Store) -> None:
    expected = list(csv.reader(io.StringIO(
        (EXPECTED / f"{name}.csv").read_text(encoding="utf-8"))))
    result = any_store.query(library()[name].text)
    assert isinstance(result, ox.QuerySolutions)
    actual = _rows(result)
    bad = _diff(expected, actual)
    shown = "\n".join(
        f"row {i}: expected {expected[i] if i < len(expected) else '-'}\n"
        f"        actual   {actual[i] if i < len(actual) else '-'}" for i in bad[:8])
    assert not bad, f"{len(bad)} rows differ:\n{shown}"


def test_decimal_comparison_is_not_loose_elsewhere() -> None:
    assert _same("1416666.666666666666666666", "1416666.666666666666667")
    assert not _same("1416666.6666", "1416666.6667")
    assert not _same("1", "1.0")  # lexical forms of integers compared as written
    assert _diff([["a"], ["1"]], [["a"]]) == [1]
