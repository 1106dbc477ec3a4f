"""The counting rules of the claims, on small hand-made records."""

from __future__ import annotations

from decimal import Decimal

import pytest

from clusterkg.loaders.claims.rules import RuleError, Tables, evaluate
from clusterkg.loaders.records import Record, SourceRef


def rec(kind: str, table: str | None, line: int, **values: str | None) -> Record:
    return Record(kind, values, SourceRef("002_x.txt", table, line, line))


RECORDS = [
    rec("region", "Table 5", 1, nuts_code="R1", label="Alpha"),
    rec("region", "Table 5", 2, nuts_code="R2", label="Beta"),
    rec("regional_programme", "Table 5", 1, programme_id="R1-p", region="R1"),
    rec("regional_programme", "Table 5", 2, programme_id="R2-p", region="R2"),
    rec("regional_programme", "Table 5", 2, programme_id="R2-q", region="R2"),
    rec("programme_cluster_type", "Table 9", 10, programme_id="R1-p", cluster_type="a"),
    rec("programme_cluster_type", "Table 9", 10, programme_id="R1-p", cluster_type="b"),
    rec("programme_cluster_type", "Table 9", 11, programme_id="R2-p", cluster_type="a"),
    rec("programme_cluster_type", "Table 9", 12, programme_id="R2-q", cluster_type="a"),
    rec("programme_budget", "Table 8", 20, programme_id="DEU-x", amount="1000000"),
    rec("programme_budget", "Table 8", 21, programme_id="DEU-y", amount=None),
    rec("budget_component", "Table 8", 21, programme_id="DEU-y", amount="500000"),
    rec("budget_component", "Table 8", 21, programme_id="DEU-y", amount="250000"),
]
TABLES = Tables(RECORDS)


def test_count_distinct_regions_through_their_programmes() -> None:
    rule = {"count": {"of": "programme_cluster_type", "distinct": "region", "says": "{n}: {list}"}}
    tally = evaluate(TABLES, rule, 1)
    assert (tally.value, tally.text) == (Decimal(2), "2: Alpha, Beta")
    assert tally.concerns == "https://w3id.org/clusterkg/source/002_x/table-9/L10-12"


def test_count_keys_holding_all_and_none_of_some_values() -> None:
    both: dict[str, object] = {"of": "programme_cluster_type", "distinct": "region"}
    both["all"] = {"cluster_type": ["a", "b"]}
    assert evaluate(TABLES, {"count": both}, 1).value == 1
    only = {**both, "all": {"cluster_type": "a"}, "none": {"cluster_type": "b"}}
    tally = evaluate(TABLES, {"count": {**only, "says": "{list}"}}, 1)
    assert (tally.value, tally.text) == (Decimal(1), "Beta")


def test_count_with_where_and_of_records_without_distinct() -> None:
    rule = {"count": {"of": "programme_cluster_type", "where": {"cluster_type": "a"}}}
    assert evaluate(TABLES, rule, 1).value == 3
    rule = {"count": {"table": "Table 9", "distinct": "programme_id"}}
    assert evaluate(TABLES, rule, 1).text == "3 programmes in Table 9"


def test_count_keys_with_exactly_n_records() -> None:
    """`per_key`: Beta's programmes have one cluster type each (two records), Alpha's one
    programme two: one record per key is nobody, two records per key is both."""
    rule: dict[str, object] = {"of": "programme_cluster_type", "distinct": "region"}
    one = evaluate(TABLES, {"count": {**rule, "per_key": 1, "says": "{n}: {list}"}}, 1)
    assert (one.value, one.text) == (Decimal(0), "0: ")
    two = evaluate(TABLES, {"count": {**rule, "per_key": 2, "says": "{list}"}}, 1)
    assert (two.value, two.text) == (Decimal(2), "Alpha, Beta")
    by_programme = {"of": "programme_cluster_type", "distinct": "programme_id", "per_key": 1}
    assert evaluate(TABLES, {"count": {**by_programme, "says": "{list}"}}, 1).text == "R2-p, R2-q"


def test_answers_count_a_single_symbol_for_each_answer_of_its_country() -> None:
    """Table 4's rule: country A sent two answers (its split cell "+/0" on measure m2), so its
    single "+" on m1 is two high assessments; B's one answer counts once."""
    ratings = [
        rec("measure_rating", "Table 4", 30, country="A", measure="m1", rating="high"),
        rec("measure_rating", "Table 4", 30, country="A", measure="m2", rating="high"),
        rec("measure_rating", "Table 4", 30, country="A", measure="m2", rating="medium"),
        rec("measure_rating", "Table 4", 31, country="B", measure="m1", rating="high"),
        rec("measure_rating", "Table 4", 31, country="B", measure="m2", rating="low"),
    ]
    tables = Tables(ratings)
    spec: dict[str, object] = {"of": "measure_rating", "key": "country", "cell": "measure"}
    m1 = evaluate(tables, {"answers": {**spec, "where": {"measure": "m1"},
                                       "value": {"rating": "high"}}}, 1)
    assert (m1.value, m1.text) == (Decimal(3), "3 answers of 2 keys")
    m2 = evaluate(tables, {"answers": {**spec, "where": {"measure": "m2"},
                                       "value": {"rating": "high"}}}, 1)
    assert m2.value == 1
    every = evaluate(tables, {"answers": {**spec, "where": {"measure": "m1"}}}, 1)
    assert every.value == 3


def test_sum_adds_counts() -> None:
    rule = {
        "sum": [
            {"count": {"of": "region", "says": "{n} regions"}},
            {"count": {"of": "regional_programme", "says": "{n} programmes"}},
        ]
    }
    tally = evaluate(TABLES, rule, 1)
    assert (tally.value, tally.text) == (Decimal(5), "2 regions + 3 programmes = 5")


def test_budget_is_the_amount_else_the_components() -> None:
    stated = evaluate(TABLES, {"budget": {"programme": "DEU-x"}}, 1)
    assert (stated.value, stated.text) == (Decimal(1000000), "€1,000,000")
    parts = evaluate(TABLES, {"budget": {"programme": "DEU-y"}}, 1)
    assert parts.text == "€500,000 + €250,000 = €750,000"
    country = evaluate(TABLES, {"budget": {"country": "DEU"}}, 1)
    assert country.value == Decimal(1750000) and country.concerns == "country:DEU"
    assert evaluate(TABLES, {"budget": {"programme": "none"}}, 1).value is None


def test_listed_counts_the_items() -> None:
    tally = evaluate(TABLES, {"listed": ["Lappi", "Hamburg"]}, 994)
    assert (tally.value, tally.text) == (Decimal(2), "2 listed on line 994: Lappi, Hamburg")


@pytest.mark.parametrize(
    "rule",
    [
        {"count": {"of": "nothing-of-this-kind"}},
        {"count": {"distinct": "region"}},
        {"count": {"of": "region", "per_key": 1}},
        {"answers": {"of": "region", "key": "nuts_code", "cell": "label", "where": {"x": "y"}}},
        {"average": {}},
        {"count": {"of": "region"}, "sum": []},
        {"budget": {}},
    ],
)
def test_a_rule_that_cannot_be_evaluated_is_refused(rule) -> None:
    with pytest.raises(RuleError):
        evaluate(TABLES, rule, 1)
