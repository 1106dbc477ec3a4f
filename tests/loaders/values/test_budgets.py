from __future__ import annotations

from decimal import Decimal

import pytest

from clusterkg.loaders.values.budgets import parse_budget


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
