from __future__ import annotations

from collections import Counter

import pytest

from clusterkg.loaders.documents import document_file
from clusterkg.loaders.records import ExtractionError, Record
from clusterkg.loaders.report import table5
from clusterkg.loaders.report.crosswalk import load_crosswalk
from clusterkg.loaders.report.document import Line, Row
from clusterkg.loaders.report.regions import REGIONAL_PROGRAMMES_FILE

REPORT = document_file("report")


@pytest.fixture(scope="module")
def t5(lines) -> list[Record]:
    return table5.extract(lines, REPORT)


def of(t5, kind, **match):
    return [r for r in t5 if r.kind == kind and all(r.values.get(k) == v for k, v in match.items())]


def kinds(t5, region):
    return {r.values["situation_kind"] for r in of(t5, "region_situation", region=region)}


def test_49_regions_of_16_countries(t5):
    regions = of(t5, "region")
    assert len(regions) == 49
    assert len({r.values["country"] for r in regions}) == 16


def test_38_regions_with_a_regional_policy_or_strategy(t5):
    with_policy = {
        r.values["region"] for r in of(t5, "region_situation", situation_kind="regional-policy")
    }
    without = {
        r.values["region"] for r in of(t5, "region_situation", situation_kind="no-regional-policy")
    }
    assert len(with_policy) == 38
    assert len(without) == 11
    assert not with_policy & without


def test_55_named_programmes_in_27_regions_of_12_countries(t5):
    programmes = of(t5, "regional_programme")
    assert len({r.values["programme_id"] for r in programmes}) == 55
    assert len({r.values["region"] for r in programmes}) == 27
    assert len({r.values["country"] for r in programmes}) == 12


def test_every_crosswalk_programme_is_a_record(t5):
    listed = set(load_crosswalk(REGIONAL_PROGRAMMES_FILE).programme_ids())
    assert {r.values["programme_id"] for r in of(t5, "regional_programme")} == listed


def test_programme_ids_start_with_their_region(t5):
    for r in of(t5, "regional_programme"):
        assert r.values["programme_id"].startswith(f"{r.values['region']}-")


def test_eight_regions_with_four_or_more_programmes(t5):
    """The text (line 905): "eight regions support clusters through four or more programmes"."""
    four_or_more = [
        r
        for r in of(t5, "region_situation", situation_kind="regional-programmes")
        if "4 or more" in (r.values["text"] or "")
    ]
    assert len(four_or_more) == 8


def test_longest_cue_wins_no_plans_is_not_plans():
    assert table5.situation_kinds(
        "No strategy or policy to support clusters in the past and no plans to develop strategy "
        "or policy in the near future."
    ) == ["no-regional-past-support", "no-regional-plans"]


def test_t5_pohjois_pohjanmaa_shifted_cells(t5):
    """Correction t5-pohjois-pohjanmaa-shifted-cells (line 830): the region name sat in the
    Country column; it is a Finnish region with a regional policy."""
    (region,) = of(t5, "region", nuts_code="FI1D9")
    assert region.values["country"] == "FIN"
    assert region.source.line_start == 830
    assert kinds(t5, "FI1D9") == {"regional-policy"}


def test_t5_agenda_voor_twente_shifted_cells(t5):
    """Correction t5-agenda-voor-twente-shifted-cells (line 869): Oost-Nederland's third
    programme, with its link and its duration in the Duration column."""
    (programme,) = of(t5, "regional_programme", programme_id="NL2-agenda-voor-twente")
    assert programme.values["region"] == "NL2"
    assert programme.values["url"] == "https://www.agendavoortwente.nl/"
    assert (programme.values["start_year"], programme.values["end_year"]) == ("2018", "2022")


def test_t5_catalysing_growth_row_belongs_to_derby(t5):
    """Corrections t5-catalysing-growth-row-belongs-to-derby and
    t5-northamptonshire-label-on-its-own-row (lines 898-899)."""
    (catalysing,) = of(t5, "regional_programme", programme_id="UKF1-catalysing-growth")
    assert catalysing.values["region"] == "UKF1"
    northamptonshire = of(t5, "regional_programme", region="UKF23")
    assert [r.values["programme_id"] for r in northamptonshire] == [
        "UKF23-silverstone-technology-cluster"
    ]
    assert kinds(t5, "UKF23") == {"regional-policy", "regional-programmes"}


def test_t5_northamptonshire_label_on_its_own_row(t5):
    (situation,) = of(t5, "region_situation", region="UKF23", situation_kind="regional-programmes")
    assert situation.source.line_start == 899
    assert situation.values["programme_count"] == "1"


def test_t5_programme_named_inside_a_status_sentence(t5):
    """Hovedstaden's first programme, Food Network, is named in the status sentence."""
    (food,) = of(t5, "regional_programme", programme_id="DK01-food-network")
    assert food.values["url"] == "http://www.foodnetwork.dk/"
    assert len(of(t5, "regional_programme", region="DK01")) == 3


def test_t5_two_programmes_in_one_cell_get_one_duration_each(t5):
    """Wallonie (line 819): two programmes in one cell, "Since 2000 Since 2006"."""
    starts = {
        r.values["programme_id"]: r.values["start_year"]
        for r in of(t5, "regional_programme", region="BE3")
    }
    assert starts == {
        "BE3-wallonia-business-clusters": "2000",
        "BE3-wallonia-poles-de-competitivite": "2006",
    }


def test_t5_programmes_joined_by_a_comma(t5):
    """Piemonte (line 861): "Regional Innovation Cluster, <link>" is one of three programmes."""
    assert len(of(t5, "regional_programme", region="ITC1")) == 3


def test_durations_are_kept_raw_and_structured(t5):
    (lappi,) = of(t5, "regional_programme", programme_id="FI1D7-arctic-smartness")
    assert lappi.values["duration_raw"] == "2012-2020 plus two years"
    assert (lappi.values["start_year"], lappi.values["end_year"]) == ("2012", "2020")
    assert lappi.values["extension"] == "P2Y"
    (hamburg,) = of(t5, "regional_programme", programme_id="DE6-clusterpolitik")
    assert (hamburg.values["open_ended"], hamburg.values["start_year"]) == ("true", None)


def test_duration_of_no_programme_stays_with_the_situation(t5):
    (saarland,) = of(t5, "region_situation", region="DEC", situation_kind="regional-policy")
    assert saarland.values["duration_raw"] == "Since 2001"
    assert kinds(t5, "DEC") == {
        "regional-policy",
        "no-regional-programme",
        "regional-past-support",
        "regional-planned",
    }


def test_too_few_durations_for_the_programmes_is_an_error():
    row = Row("x", "Table 5", 819, 819, ("", "Wallonie", "", "Since 2000"))
    with pytest.raises(ExtractionError):
        table5.split_durations(row, "Since 2000 Since 2006 Since 2010", 2)


def test_row_with_neither_programme_nor_situation_is_an_error(lines):
    broken = [
        line if line.start != 835 else Line(835, 835, "\tVarsinais-Suomi\tSomething else.\t")
        for line in lines
    ]
    with pytest.raises(ExtractionError) as info:
        table5.extract(broken, REPORT)
    assert info.value.line == 835


def test_situation_counts(t5):
    counted = Counter(r.values["situation_kind"] for r in of(t5, "region_situation"))
    assert counted["regional-programmes"] == 31


def test_four_or_more_programmes_is_a_lower_bound(t5, lines):
    """"4 or more cluster supporting programmes" (e.g. line 855, Brandenburg; line 851, Berlin:
    "4 or more cluster programmes") is a count of at least 4, never an exact count."""
    assert "4 or more cluster supporting programmes" in lines[854].text
    at_least_four = {
        r.values["region"]
        for r in of(t5, "region_situation", situation_kind="regional-programmes")
        if r.values["programme_count_min"] == "4"
    }
    assert len(at_least_four) == 8
    assert {"DE4", "DE3"} <= at_least_four
    for r in of(t5, "region_situation", situation_kind="regional-programmes"):
        if r.values["region"] in at_least_four:
            assert r.values["programme_count"] is None


def test_plus_two_years_is_an_extension_not_a_later_end(t5, lines):
    """Line 827 (Lappi): "2012-2020 plus two years" ends in 2020 with a stated extension of two
    years; it used to be stored as ending in 2022, which the source does not say."""
    assert lines[826].text.rstrip().endswith("2012-2020 plus two years")
    for programme in of(t5, "regional_programme", region="FI1D7"):
        if programme.values["duration_raw"] == "2012-2020 plus two years":
            assert programme.values["end_year"] == "2020"
            assert programme.values["extension"] == "P2Y"
