"""Every figure the report states, checked against the named query that reproduces it from the
tables (`queries/figures.csv`, described in `queries/FIGURES.md`).

A row quotes the source line; a `reproduced` figure is what its query returns, a `differs` figure
is not (the query returns the table's value and the note names the discrepancy), and
`not-in-tables` or `pending` figures have no query and say why."""

from __future__ import annotations

import csv
import re
from collections.abc import Callable
from decimal import Decimal
from functools import cache

import pyoxigraph as ox
import pytest

from clusterkg.graph.store import OxigraphStore
from clusterkg.paths import QUERIES_DIR, SOURCES_DIR
from clusterkg.queries.library import library, parse_header

FIGURES = QUERIES_DIR / "figures.csv"
STATUSES = {"reproduced", "differs", "not-in-tables", "pending"}
Row = dict[str, str]


def _figures() -> list[Row]:
    with FIGURES.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@cache
def _lines(document: str) -> list[str]:
    return (SOURCES_DIR / document).read_text(encoding="utf-8").splitlines()


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


_ANSWERS: dict[str, list[Row]] = {}


def _answer(store: OxigraphStore, name: str) -> list[Row]:
    if name not in _ANSWERS:
        result = store.query(library()[name].text)
        assert isinstance(result, ox.QuerySolutions)
        names = [v.value for v in result.variables]
        _ANSWERS[name] = [
            {n: row[n].value if row[n] is not None else "" for n in names} for row in result
        ]
    return _ANSWERS[name]


_OPS: dict[str, Callable[[Decimal, Decimal], bool]] = {
    ">=": lambda a, b: a >= b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    "<": lambda a, b: a < b,
}


def _matches(row: Row, where: str) -> bool:
    for condition in filter(None, where.split(";")):
        found = re.fullmatch(r"(\w+)(>=|<=|>|<|=)(.*)", condition.strip())
        assert found, f"unreadable condition {condition!r}"
        column, op, value = found.groups()
        if op == "=":
            if row[column] != value:
                return False
        elif not _OPS[op](Decimal(row[column]), Decimal(value)):
            return False
    return True


def _table_value(rows: list[Row], figure: Row) -> str:
    """What the query's answer says about the figure, by the row's `agg` rule."""
    chosen = [r for r in rows if _matches(r, figure["where"])]
    agg, column = figure["agg"], figure["column"]
    if agg == "rows":
        return str(len(chosen))
    if agg == "value":
        assert len(chosen) == 1, f"{figure['id']}: {len(chosen)} rows match {figure['where']!r}"
        return chosen[0][column]
    if agg == "sum":
        return str(sum(Decimal(r[c]) for r in chosen for c in column.split("+")))
    if agg == "rank":
        assert len(chosen) == 1
        return str(rows.index(chosen[0]) + 1)
    if agg.startswith("top"):
        return "; ".join(sorted(r[column] for r in chosen[: int(agg[3:])]))
    raise AssertionError(f"{figure['id']}: unknown agg {agg!r}")


def _agrees(stated: str, value: str) -> bool:
    """A figure the prose states (a number, a range "15-20" or a "; " list) against the table's."""
    low, dash, high = stated.partition("-")
    if dash and low.isdigit() and high.isdigit():
        return int(low) <= Decimal(value) <= int(high)
    return stated == value


def test_figures_file_is_well_formed() -> None:
    figures = _figures()
    ids = [f["id"] for f in figures]
    assert len(ids) == len(set(ids)), "figure ids are unique"
    for f in figures:
        assert f["status"] in STATUSES, f["id"]
        if f["status"] in {"not-in-tables", "pending"}:
            assert not f["query"] and f["note"], f"{f['id']}: no query, and a note saying why"
        else:
            assert f["query"] in library(), f"{f['id']}: no query named {f['query']!r}"
        if f["status"] == "differs":
            assert f["note"], f"{f['id']}: a figure the tables contradict names its discrepancy"


@pytest.mark.parametrize("figure", _figures(), ids=lambda f: f["id"])
def test_figure_quote_is_on_its_line(figure: Row) -> None:
    line = _lines(figure["document"])[int(figure["line"]) - 1]
    assert _squash(figure["quote"]) in _squash(line), f"{figure['id']}: quote not on its line"


@pytest.mark.parametrize("figure", [f for f in _figures() if f["query"]], ids=lambda f: f["id"])
def test_figure_from_its_query(figure: Row, built_store: OxigraphStore) -> None:
    value = _table_value(_answer(built_store, figure["query"]), figure)
    assert value == figure["table_value"], f"{figure['id']}: the query gives {value}"
    agrees = _agrees(figure["stated"], value)
    if figure["status"] == "reproduced":
        assert agrees, f"{figure['id']}: the text states {figure['stated']}, the tables {value}"
    else:
        assert not agrees, f"{figure['id']}: now reproduced; mark it so and drop the discrepancy"


def test_differing_figures_name_their_discrepancy(built_store: OxigraphStore) -> None:
    """A `differs` row's note starts "register <id>", the id of a discrepancy of the build
    (`clusterkg info --discrepancies`) on the figure's line."""
    found = {
        r["discrepancy"].rsplit("/", 1)[1]: r for r in _answer(built_store, "discrepancies")
    }
    for figure in (f for f in _figures() if f["status"] == "differs"):
        named = re.match(r"register ([\w-]+)", figure["note"])
        assert named, f"{figure['id']}: the note names no register record"
        record = found.get(named.group(1))
        assert record, f"{figure['id']}: {named.group(1)} is no discrepancy of the build"
        assert record["lineStart"] == figure["line"], f"{figure['id']}: another line"


def test_every_figure_query_is_in_the_figures_file() -> None:
    used = {f["query"] for f in _figures()}
    tagged = {name for name, q in library().items() if "figure" in q.tags}
    assert tagged <= used, f"queries tagged figure without a figure: {sorted(tagged - used)}"


def test_figure_queries_quote_their_lines() -> None:
    """A query's `#+ source:` lines quote its document and line, as the figures file does."""
    for name in {f["query"] for f in _figures() if f["query"]}:
        for source in parse_header(library()[name].path).get("source", []):
            found = re.match(r'(\S+\.txt) line (\d+): "(.*)"$', source)
            assert found, f"{name}: unreadable source line {source!r}"
            document, number, quote = found.groups()
            line = _squash(_lines(document)[int(number) - 1])
            for part in re.split(r"\.\.\.", quote):
                part = _squash(part).strip(" .,;()")
                assert part in line, f"{name}: {part!r} not on line {number}"
