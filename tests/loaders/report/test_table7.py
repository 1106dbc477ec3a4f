from __future__ import annotations

from collections import Counter

import pytest

from clusterkg.loaders.documents import document_file
from clusterkg.loaders.records import Record
from clusterkg.loaders.report import table7
from clusterkg.loaders.report.vocabulary import load_vocabulary

REPORT = document_file("report")


@pytest.fixture(scope="module")
def t7(lines) -> list[Record]:
    return table7.extract(lines, REPORT)


def test_36_regions_rate_18_measures(t7):
    ratings = [r for r in t7 if r.kind == "regional_measure_rating"]
    assert len({r.values["region"] for r in ratings}) == 36
    assert len({r.values["measure"] for r in ratings}) == 18
    assert len(load_vocabulary("measures-regional").notations) == 18


def test_empty_cells_are_no_ratings(t7):
    per_region = Counter(r.values["region"] for r in t7 if r.kind == "regional_measure_rating")
    assert per_region["BE2"] == 18
    assert per_region["BE3"] == 16
    assert per_region["DE6"] == 5


def test_the_two_measures_the_regional_survey_added(t7):
    bayern = {
        r.values["measure"]: r.values["rating"]
        for r in t7
        if r.kind == "regional_measure_rating" and r.values["region"] == "DE2"
    }
    assert bayern["standardised-data"] == "medium"
    assert bayern["small-clusters-methods"] == "low"


def test_other_column_is_an_additional_answer_of_the_region(t7):
    answers = {
        r.values["region"]: r.values["text"] for r in t7 if r.kind == "region_additional_answer"
    }
    assert answers["DE6"] == "Better overhead funding for collaborative R&D projects"
    assert set(answers) == {"DE6", "ES22"}


def test_other_answers_cite_table_7(t7, built_store):
    """The "Other" answers of Table 7 (line 1181, Hamburg) rest on their own
    Table 7 row, not on the region's Table 5 line, and name the question they answer."""
    (answer,) = [
        r for r in t7 if r.kind == "region_additional_answer" and r.values["region"] == "DE6"
    ]
    assert (answer.source.table, answer.source.line_start) == ("Table 7", 1181)
    assert answer.values["question"] == "measures"
    rows = list(
        built_store.query(
            """PREFIX ckg: <https://w3id.org/clusterkg/ontology#>
            PREFIX prov: <http://www.w3.org/ns/prov#>
            SELECT ?table ?start WHERE {
              <https://w3id.org/clusterkg/id/region/DE6> ckg:hasAdditionalAnswer ?a .
              ?a ckg:answersQuestion <https://w3id.org/clusterkg/vocab/survey-questions/measures> ;
                 prov:wasDerivedFrom ?e .
              ?e ckg:sourceTable ?table ; ckg:lineStart ?start .
            }"""
        )
    )
    assert [(r["table"].value, int(r["start"].value)) for r in rows] == [("Table 7", 1181)]
