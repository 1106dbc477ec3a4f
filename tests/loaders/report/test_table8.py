from __future__ import annotations

from collections import Counter
from decimal import Decimal

import pytest

from clusterkg.loaders.documents import document_file
from clusterkg.loaders.records import ExtractionError, Record
from clusterkg.loaders.report import table8
from clusterkg.loaders.report.document import Line

REPORT = document_file("report")


@pytest.fixture(scope="module")
def t8(lines) -> list[Record]:
    return table8.extract(lines, REPORT)


def of(t8, kind, pid, column):
    return [r.values[column] for r in t8 if r.kind == kind and r.values["programme_id"] == pid]


def test_30_national_programmes_in_20_countries(t8):
    programmes = {r.values["programme_id"] for r in t8}
    assert len(programmes) == 30
    assert len({p.split("-")[0] for p in programmes}) == 20


def test_26_programmes_pursue_strengthening_of_cooperation_structures(t8):
    objectives = Counter(r.values["objective"] for r in t8 if r.kind == "programme_objective")
    assert objectives["cooperation-structures"] == 26


def test_france_has_the_largest_annual_budget(t8):
    budgets = {
        r.values["programme_id"]: Decimal(str(r.values["amount"]))
        for r in t8
        if r.kind == "programme_budget" and r.values["amount"]
    }
    assert max(budgets, key=lambda p: budgets[p]) == "FRA-poles-de-competitivite"
    assert budgets["FRA-poles-de-competitivite"] == Decimal(144_000_000)


def test_split_budget_becomes_components_without_invented_total(t8):
    (hungary,) = [
        r for r in t8 if r.kind == "programme_budget" and r.values["programme_id"].startswith("HUN")
    ]
    assert hungary.values["amount"] is None
    assert of(t8, "budget_component", "HUN-cluster-development", "amount") == [
        "3000000",
        "65000000",
    ]


def test_empty_budget_stays_empty(t8):
    assert of(t8, "programme_budget", "AUT-clusterplattform", "amount") == []


def test_run_together_objectives_and_world_class_as_one_item(t8):
    assert of(t8, "programme_cluster_type", "AUT-clusterplattform", "cluster_type") == [
        "emerging-technologies",
        "emerging-industries",
        "mature-industries",
        "restructuring-industries",
        "social-economy",
        "world-class",
    ]
    assert len(of(t8, "programme_objective", "CZE-cooperation-clusters", "objective")) == 8


def test_italic_additions_are_additional_answers(t8):
    answers = of(t8, "additional_answer", "LVA-cluster-programme", "text")
    assert answers == ["SME's export promotion", "Clusters with at least 25 members"]


def test_programme_name_split_across_page_break(t8):
    """Lines 2410 and 2413: the German programme name, objectives and an italic cluster type
    continue after the page break."""
    pid = "DEU-clusters-networks-international"
    assert "visibility" in of(t8, "programme_objective", pid, "objective")
    assert (
        "Clusters and comparable networks with explicit management organizations and governance "
        "mechanisms" in of(t8, "additional_answer", pid, "text")
    )


def test_greek_rows_without_programme_name(t8):
    assert of(t8, "programme_sectoral_focus", "GRC-creative-industries", "text") == [
        "Creative Industries,"
    ]
    assert len(of(t8, "programme_objective", "GRC-space-creative-micro-nano", "objective")) == 6


def test_t8_innovationsforen_typo(t8):
    assert of(t8, "programme_budget", "DEU-innovationsforen-mittelstand", "raw") == ["4,000,000"]


def test_t8_montenegro_hyphenated_label(t8):
    assert {r.values["programme_id"] for r in t8 if 2428 <= r.source.line_start <= 2432} == {
        "MNE-cluster-development",
        "MNE-economy-competitiveness",
    }


def test_t8_stray_zero_after_world_class(t8):
    assert "world-class" in of(t8, "programme_cluster_type", "ROU-poc-action-1-1-1", "cluster_type")


def test_t8_hungary_internationalisation_rewording(t8):
    pid = "HUN-cluster-development"
    assert "internationalisation" in of(t8, "programme_objective", pid, "objective")
    assert "of cluster management and cluster members" in of(t8, "additional_answer", pid, "text")


def test_unmatched_objective_text_names_file_line_and_column(lines):
    broken = [
        Line(x.start, x.end, x.text.replace("Fostering innovation capacity", "Fostering joy", 1))
        if x.start == 2398
        else x
        for x in lines
    ]
    with pytest.raises(ExtractionError) as info:
        table8.extract(broken, REPORT)
    error = info.value
    assert (error.line, error.column) == (2398, "Main objectives (strong/very strong focus)")
    assert "Fostering joy" in str(error)
