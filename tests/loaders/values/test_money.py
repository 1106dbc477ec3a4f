from __future__ import annotations

from decimal import Decimal

import pytest

from clusterkg.loaders.values.money import (
    currency_amounts,
    euros,
    parse_budget,
    parse_regional_budget,
)


def test_plain_amount():
    assert parse_budget(("10,000,000",)).amount == Decimal(10_000_000)  # type: ignore[union-attr]


def test_million_shorthand():
    assert parse_budget(("€19m",)).amount == Decimal(19_000_000)  # type: ignore[union-attr]


def test_stated_total_and_components():
    budget = parse_budget(
        (
            "Cluster organisation funding: €19m from national budget, €19m from regional budgets.",
            "Dedicated calls: €58m from national budget, €58m from regional budgets (total: €144m)",
        )
    )
    assert budget is not None and budget.amount == Decimal(144_000_000)
    assert [c.amount for c in budget.components] == [Decimal("19e6"), Decimal("19e6")] + [
        Decimal("58e6")
    ] * 2
    assert budget.components[1].source == "regional budgets"


def test_empty_is_none():
    assert parse_budget(()) is None


def test_unknown_form_raises():
    with pytest.raises(ValueError):
        parse_budget(("about ten million",))


def test_regional_budget_parser_forms():
    assert parse_regional_budget("€3.000.000").amount == Decimal(3_000_000)
    assert parse_regional_budget("€1.7m").amount == Decimal("1.7") * 1_000_000
    assert parse_regional_budget("€1m (15 months)").period == "15 months"
    assert parse_regional_budget("2018-2021 €5m").period == "2018-2021"
    assert parse_regional_budget("budget included in Regional Development Programme").amount is None
    with pytest.raises(ValueError):
        parse_regional_budget("€2m and €3m")


def test_euro_amounts():
    assert euros("a budget of €130 million (2015-2020)") == 130_000_000
    assert euros("vouchers (up to €60,000)") == 60_000


def test_amounts_in_other_currencies_with_their_scale():
    found = list(
        currency_amounts("up to NIS 1.5 billion and CAD 950 million", {"NIS": "ILS", "CAD": "CAD"})
    )
    assert [(value, code) for _, value, code in found] == [
        (Decimal("1.5") * 10**9, "ILS"),
        (Decimal(950) * 10**6, "CAD"),
    ]
    assert list(currency_amounts("no amount here", {"CAD": "CAD"})) == []
