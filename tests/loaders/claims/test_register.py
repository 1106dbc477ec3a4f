"""The discrepancy register: every claim of `data/claims/` evaluated against the tables."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from clusterkg.loaders.claims.quotes import QuoteError
from clusterkg.loaders.claims.register import (
    evaluate_claims,
    find_discrepancies,
    load_claims,
)
from clusterkg.loaders.documents import document_file, load_documents
from clusterkg.loaders.report.corrections import corrected_lines
from clusterkg.loaders.report.document import Line
from clusterkg.paths import CORRECTIONS_FILE, SOURCES_DIR

from .register_golden import GOLDEN, as_rows, dump

FIXTURES = Path(__file__).parents[2] / "fixtures" / "loaders" / "claims"
REPORT = document_file("report")


@pytest.fixture(scope="module")
def all_lines() -> dict[str, list[Line]]:
    return {
        d.file: corrected_lines(SOURCES_DIR, d.file, CORRECTIONS_FILE) for d in load_documents()
    }


@pytest.fixture(scope="module")
def outcomes(records, all_lines):
    return evaluate_claims(records, all_lines)


def discrepancies(records):
    return {r.values["discrepancy_id"]: r for r in records if r.kind == "discrepancy"}


def test_every_claim_is_evaluated_as_the_reviewed_register_says(outcomes):
    """Golden: `tests/fixtures/loaders/claims/outcomes.yaml` (regenerate with
    `python -m tests.loaders.claims.register_golden` after a reviewed change)."""
    assert {o.claim.id for o in outcomes} == {c.id for c in load_claims()}
    expected = yaml.safe_load(GOLDEN.read_text(encoding="utf-8"))
    assert as_rows(outcomes) == expected, dump(outcomes)


def test_the_build_records_exactly_the_claims_that_disagree(records, outcomes):
    found = discrepancies(records)
    assert set(found) == {o.claim.id for o in outcomes if not o.agrees}
    for o in outcomes:
        if not o.agrees:
            record = found[o.claim.id]
            assert record.values["claimed_value"] == o.claim.stated
            assert record.values["table_value"].startswith(o.tally.text)
            assert record.source.line_start == o.claim.line
            assert record.values["concerns"]


def test_hungary_budget_claim_differs_from_its_components(records):
    hungary = discrepancies(records)["hungary-budget"]
    assert hungary.values["claimed_value"] == "EUR 69 million"
    assert hungary.values["table_value"] == "€3,000,000 + €65,000,000 = €68,000,000"
    assert hungary.values["concerns"] == "id:programme/HUN-cluster-development"
    assert hungary.source.line_start == 573


def test_ten_regions_with_one_programme_or_strategy_are_nine_and_flanders(records):
    """Line 940 names ten regions whose cluster support is "delivered with one dedicated
    programme or strategy"; counting Table 10's organisation answers as for Lappi's five
    (additions included), nine answer once and Flanders three times (line 2529)."""
    claim = discrepancies(records)["002-L940-regions-one-programme"]
    assert claim.values["table_value"].startswith("9 regions of Table 10 with one answer")
    assert claim.values["table_value"].endswith("(named in the text only: Flanders)")
    assert claim.source.line_start == 940


def test_30_programmes_claimed_for_28_rows_of_table3(records):
    claim = discrepancies(records)["table3-programme-count"]
    assert claim.values["table_value"] == "28 programmes in the rows of Table 3"
    assert claim.values["concerns"].endswith("/002_685b5d5a3136ccf2/table-3/L613-642")
    assert claim.source.table == "Table 3"


def test_regions_emerging_industries_only(records):
    """Line 994 counts eight regions focusing on emerging industries without emerging
    technologies; Table 9 gives nine. The twelve regions with both agree."""
    found = discrepancies(records)
    assert "regions-emerging-industries-and-technologies" not in found
    claim = found["regions-emerging-industries-only"]
    assert claim.values["table_value"].startswith("9 regions in Table 9: Derby, Derbyshire")
    assert claim.values["concerns"] == "vocab:cluster-types/emerging-industries"


def test_a_changed_stated_value_gives_a_discrepancy(records, all_lines):
    """The fixture claims fifteen programmes targeting research institutions where the
    report (line 599) says fourteen; with the line changed to match, the tables' 14 differ."""
    lines = dict(all_lines)
    lines[REPORT] = [
        Line(x.start, x.end, x.text.replace("(fourteen programmes)", "(fifteen programmes)"))
        for x in all_lines[REPORT]
    ]
    (found,) = find_discrepancies(records, lines, FIXTURES / "changed")
    assert found.values["discrepancy_id"] == "target-group-research-institution"
    assert found.values["claimed_value"] == "fifteen programmes"
    assert found.values["table_value"] == "14 programmes in the table"
    with pytest.raises(QuoteError, match="quote not on this line"):
        find_discrepancies(records, all_lines, FIXTURES / "changed")


def test_a_value_not_written_in_its_quote_stops_the_build(records, all_lines):
    with pytest.raises(QuoteError, match="not written in"):
        find_discrepancies(records, all_lines, FIXTURES / "unwritten")


def test_claim_ids_are_unique_and_documents_known():
    claims = load_claims()
    assert len({c.id for c in claims}) == len(claims)
    files = {d.file for d in load_documents()}
    assert {c.document for c in claims} <= files


def test_named_items_are_compared_not_only_counted(records, all_lines):
    (found,) = find_discrepancies(records, all_lines, FIXTURES / "items")
    assert found.values["table_value"] == (
        "3 regions of Table 9 with social-economy: Hamburg, Lappi, Skåne län"
        " (named in the text only: Limburg; in the tables only: Skåne län)"
    )
