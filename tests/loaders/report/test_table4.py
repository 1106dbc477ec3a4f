from __future__ import annotations

import pytest

from clusterkg.loaders.documents import document_file
from clusterkg.loaders.records import Record
from clusterkg.loaders.report import table4

REPORT = document_file("report")


@pytest.fixture(scope="module")
def t4(lines) -> list[Record]:
    return table4.extract(lines, REPORT)


def rating(t4, country, measure):
    return [
        (r.values["rating"], r.values["symbol"], r.values["position"])
        for r in t4
        if r.values["country"] == country and r.values["measure"] == measure
    ]


def test_18_countries_rate_16_measures(t4):
    assert len({r.values["country"] for r in t4}) == 18
    assert len({r.values["measure"] for r in t4}) == 16


def test_two_ratings_in_one_cell_are_two_records(t4):
    assert rating(t4, "CZE", "information-start-up-support") == [
        ("medium", "0/+", "1"),
        ("high", "0/+", "2"),
    ]


def test_empty_cell_is_no_rating(t4):
    assert rating(t4, "SWE", "market-access") == []


def test_single_ratings(t4):
    assert rating(t4, "AUT", "training-cluster-management") == [("medium", "0", "1")]
    assert rating(t4, "GBR", "funding-rdi") == [("high", "+", "1")]
    assert rating(t4, "SVK", "matchmaking-beyond-europe") == [("low", "-", "1")]
