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
