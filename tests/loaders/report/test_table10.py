from __future__ import annotations

import pytest

from clusterkg.loaders.documents import document_file
from clusterkg.loaders.records import Record
from clusterkg.loaders.report import table10

REPORT = document_file("report")


@pytest.fixture(scope="module")
def t10(lines) -> list[Record]:
    return table10.extract(lines, REPORT)


def modes(t10, region):
    return {
        r.values["delivery_mode"]
        for r in t10
        if r.kind == "region_delivery_mode" and r.values["region"] == region
    }


def regions_with(t10, mode):
    return {
        r.values["region"]
        for r in t10
        if r.kind == "region_delivery_mode" and r.values["delivery_mode"] == mode
    }


def test_33_regions_answer(t10):
    regions = {r.values["region"] for r in t10}
    assert len(regions) == 33


def test_30_regions_deliver_support_in_regional_programmes(t10):
    """The text (line 909): "affirmative answers in 30 sample regions"; Steiermark and
    Flanders write "a regional programme"."""
    assert len(regions_with(t10, "delivery-regional-programmes")) == 30
    assert {"AT22", "BE2"} <= regions_with(t10, "delivery-regional-programmes")


def test_14_regions_strongly_related_to_national_cluster_policy(t10):
    national = regions_with(t10, "relationship-national-cluster-policy")
    assert len(national) == 14
    assert {"DK01", "DE2", "ITC4", "PT11"} <= national


def test_run_together_options_of_three_questions(t10):
    assert modes(t10, "DK01") == {
        "organisation-regional-development-programme",
        "organisation-structural-funds-programme",
        "organisation-separate-interventions",
        "delivery-national-programmes",
        "delivery-regional-programmes",
        "relationship-national-cluster-policy",
        "relationship-european-cluster-policy",
    }


def test_italic_and_unlisted_answers_are_kept(t10):
    answers = {
        (r.values["region"], r.values["text"]) for r in t10 if r.kind == "region_additional_answer"
    }
    assert ("PL41", "actions financed by regional authorities") in answers
    assert ("UKF23", "Private sector led not-for-profit-organisation") in answers
    assert modes(t10, "PL41") == {"delivery-regional-programmes"}


def test_unlisted_plain_option_is_not_an_italic_addition(t10, lines):
    """Line 2557: Wielkopolskie wrote "... actions financed by regional authorities" without
    italics; line 2568: Northamptonshire's "Private sector led not-for-profit-organisation" is
    italic. Each answer names its question and its typography."""
    assert "<i>" not in lines[2556].text.split("\t")[2]
    answers = {r.values["text"]: r.values for r in t10 if r.kind == "region_additional_answer"}
    plain = answers["actions financed by regional authorities"]
    assert (plain["question"], plain["italic"]) == ("organisation", "false")
    italic = answers["Private sector led not-for-profit-organisation"]
    assert (italic["question"], italic["italic"]) == ("organisation", "true")


def test_table_10_facts_cite_their_own_table_and_line(built_store):
    """Before issue 15 a region's Table 10 answers rested only on its Table 5 line: the region
    is now derived from its Table 10 row (Wielkopolskie, PL41, line 2557), and each additional
    answer is its own resource with its own excerpt."""
    rows = list(
        built_store.query(
            """PREFIX ckg: <https://w3id.org/clusterkg/ontology#>
            PREFIX prov: <http://www.w3.org/ns/prov#>
            SELECT ?table ?start WHERE {
              <https://w3id.org/clusterkg/id/region/PL41> ckg:deliveryMode ?mode ;
                  prov:wasDerivedFrom ?e .
              ?e ckg:sourceTable ?table ; ckg:lineStart ?start .
            }"""
        )
    )
    cited = {(r["table"].value, int(r["start"].value)) for r in rows}
    assert ("Table 10", 2557) in cited
    answers = list(
        built_store.query(
            """PREFIX ckg: <https://w3id.org/clusterkg/ontology#>
            PREFIX prov: <http://www.w3.org/ns/prov#>
            SELECT ?q ?italic ?table ?start WHERE {
              <https://w3id.org/clusterkg/id/region/PL41> ckg:hasAdditionalAnswer ?a .
              ?a ckg:answersQuestion ?q ; ckg:printedInItalics ?italic ;
                 prov:wasDerivedFrom ?e .
              ?e ckg:sourceTable ?table ; ckg:lineStart ?start .
            }"""
        )
    )
    assert [
        (r["q"].value.rsplit("/", 1)[1], r["italic"].value, r["table"].value, int(r["start"].value))
        for r in answers
    ] == [("organisation", "false", "Table 10", 2557)]
