from __future__ import annotations


def discrepancies(records):
    return {r.values["discrepancy_id"]: r for r in records if r.kind == "discrepancy"}


def test_hungary_budget_claim_differs_from_its_components(records):
    hungary = discrepancies(records)["hungary-budget"]
    assert hungary.values["claimed_value"] == "EUR 69 million"
    assert hungary.values["table_value"] == "€3,000,000 + €65,000,000 = €68,000,000"
    assert hungary.values["concerns"] == "id:programme/HUN-cluster-development"
    assert hungary.source.line_start == 573


def test_30_programmes_claimed_for_28_rows_of_table3(records):
    claim = discrepancies(records)["table3-programme-count"]
    assert claim.values["table_value"].startswith("28 programmes")


def test_claims_the_tables_bear_out_give_no_record(records):
    found = discrepancies(records)
    for claim in ("france-budget", "uk-budget", "table8-programme-count", "table4-country-count"):
        assert claim not in found
    assert not [c for c in found if c.startswith("target-group-")]
    assert "cooperation-objective-count" not in found
