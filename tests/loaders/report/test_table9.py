from __future__ import annotations

import pytest

from clusterkg.loaders.documents import document_file
from clusterkg.loaders.records import Record
from clusterkg.loaders.report import table9
from clusterkg.loaders.report.regions import locate_regional_table, regional_rows

REPORT = document_file("report")


@pytest.fixture(scope="module")
def t9(lines) -> list[Record]:
    return table9.extract(lines, REPORT)


def of(t9, kind, pid, column):
    return [r.values[column] for r in t9 if r.kind == kind and r.values.get("programme_id") == pid]


def budget(t9, pid):
    (found,) = [
        r for r in t9 if r.kind == "regional_programme_budget" and r.values["programme_id"] == pid
    ]
    return found.values


def test_27_regions_and_55_programmes(t9):
    pids = {r.values["programme_id"] for r in t9 if r.get("programme_id")}
    assert len(pids) == 55
    assert len({p.split("-")[0] for p in pids}) == 27


def test_industrial_modernisation_is_a_regional_objective(t9):
    assert "industrial-modernisation" in of(
        t9, "regional_programme_objective", "DE2-cluster-offensive-bayern", "objective"
    )


def test_excellence_of_cluster_management_is_not_of_cluster_members(t9):
    objectives = of(
        t9, "regional_programme_objective", "BE2-flanders-cluster-programme", "objective"
    )
    assert "excellence-cluster-management" in objectives
    assert "excellence" not in objectives


def test_t9_lombardia_country_from_region(lines, t9):
    """Lombardia's row (line 2493) has no country label and sits under the German rows; Italy
    is written on the Piemonte row below. The region's country comes from data/regions.csv."""
    table = locate_regional_table(lines, REPORT, table9.CAPTION)
    countries = {row.start: region.country for row, region in regional_rows(table)}
    assert (countries[2492], countries[2493], countries[2494]) == ("DEU", "ITA", "ITA")
    assert of(t9, "regional_programme_objective", "ITC4-call-9-ctl", "objective")


def test_t9_derby_region_name_split_across_rows(t9):
    """Correction t9-derby-region-name-split-across-rows joins line 2519 into 2516: the third
    programme's budget and the rest of the objectives belong to Derby, Derbyshire, Nottingham
    and Nottinghamshire."""
    assert budget(t9, "UKF1-catalysing-growth")["amount"] == "1060000"
    objectives = of(t9, "regional_programme_objective", "UKF1-instils", "objective")
    assert objectives[0] == "industrial-modernisation"
    assert "regional-innovation-ecosystem" in objectives
    sources = {r.source.line_start for r in t9 if (r.get("programme_id") or "").startswith("UKF1")}
    assert sources == {2516}


def test_budgets_of_the_regional_forms(t9):
    assert budget(t9, "DK01-welfare-tech")["amount"] == "1700000"
    around = budget(t9, "FRF-economic-development-strategy")
    assert (around["amount"], around["qualifier"], around["period"]) == ("5000000", "around", None)
    approx = budget(t9, "DE3-innobb")
    assert (approx["amount"], approx["qualifier"]) == ("4000000", "approx.")
    seven = budget(t9, "DE1-efre-clip")
    assert (seven["amount"], seven["period"]) == ("2000000", "7 years")
    valencia = budget(t9, "ES52-peiv")
    assert valencia["amount"] == "2400000"
    assert of(t9, "budget_component", "ES52-peiv", "amount") == ["160000"]


def test_dot_thousands_parts_without_an_invented_total(t9):
    flanders = budget(t9, "BE2-flanders-cluster-programme")
    assert flanders["amount"] is None
    assert of(t9, "budget_component", "BE2-flanders-cluster-programme", "amount") == [
        "3000000",
        "3000000",
    ]


def test_non_amounts_keep_their_raw_statement(t9):
    private = budget(t9, "UKF23-silverstone-technology-cluster")
    assert (private["amount"], private["raw"]) == (None, "all private funding")
    assert of(
        t9, "programme_funding_source", "UKF23-silverstone-technology-cluster", "funding_source"
    ) == ["private-sector"]
    included = budget(t9, "FI1D7-rural-development-programme")
    assert included["amount"] is None
    assert included["raw"] == "budget included in Regional Development Programme"


def test_new_emerging_clusters_is_a_cluster_type(t9, lines):
    """ "New/emerging clusters", an answer option of the regional survey (Table 9, e.g. line 2468,
    Lappi), is the cluster type `new-emerging`, not free text: 17 programmes of 7 regions."""
    assert "New/emerging clusters" in lines[2467].text
    assert "new-emerging" in of(
        t9, "programme_cluster_type", "FI1D7-arctic-smartness", "cluster_type"
    )
    assert "New/emerging clusters" not in {
        r.values["text"] for r in t9 if r.kind == "additional_answer"
    }
    typed = [
        r
        for r in t9
        if r.kind == "programme_cluster_type" and r.values["cluster_type"] == "new-emerging"
    ]
    assert len({r.values["programme_id"] for r in typed}) == 17
    assert len({r.source.line_start for r in typed}) == 7


def test_period_budget_in_the_annual_column_is_a_period_budget(t9, lines):
    """Line 2472 (Satakunta): "Satakunta Regional Programme: 2018-2021 €5m" sits in the annual
    budget column but states the budget of a period: a period budget (ckg:budget with
    ckg:budgetPeriod), never an annual one; the pilot programme's "€2.5m" stays annual."""
    assert "Satakunta Regional Programme: 2018-2021 €5m" in lines[2471].text
    satakunta = budget(t9, "FI196-satakunta-regional-programme")
    assert (satakunta["amount"], satakunta["period"]) == ("5000000", "2018-2021")
    pilot = budget(t9, "FI196-industrial-pilot-programme")
    assert (pilot["amount"], pilot["period"]) == ("2500000", None)
