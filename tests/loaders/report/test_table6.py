from __future__ import annotations

import pytest

from clusterkg.loaders.documents import document_file
from clusterkg.loaders.records import ExtractionError, Record
from clusterkg.loaders.report import table6
from clusterkg.loaders.report.crosswalk import Spelling
from clusterkg.loaders.report.document import Row

REPORT = document_file("report")


@pytest.fixture(scope="module")
def t6(lines) -> list[Record]:
    return table6.extract(lines, REPORT)


def groups(t6, pid):
    return {
        r.values["target_group"]
        for r in t6
        if r.kind == "regional_programme_target_group" and r.values["programme_id"] == pid
    }


def test_27_regions_and_their_programmes(t6):
    pids = {r.values["programme_id"] for r in t6 if r.kind == "regional_programme_target_group"}
    pids |= {r.values["programme_id"] for r in t6 if r.kind == "additional_answer"}
    assert len({p.split("-")[0] for p in pids}) == 27
    assert len(pids) == 55


def test_24_regions_target_cluster_organisations(t6):
    regions = {
        r.values["programme_id"].split("-")[0]
        for r in t6
        if r.kind == "regional_programme_target_group"
        and r.values["target_group"] == "cluster-organisation"
    }
    assert len(regions) == 24
    assert "DE6" not in regions


def test_t6_programmes_joined_by_semicolons_and_commas(t6):
    """Navarra (line 1131) joins its two programmes with a comma, Grand Est (line 1112) has a
    comma inside a name: both give one record per crosswalk programme."""
    assert groups(t6, "ES22-cluster-support-grants") == {"cluster-organisation"}
    assert groups(t6, "ES22-development-agency-services") == {"cluster-organisation"}
    assert groups(t6, "FRF-economic-development-strategy") == {
        "cluster-organisation",
        "business-association",
        "research-institution",
        "academic-institution",
    }


def test_comment_goes_to_the_programme_it_names(t6):
    answers = {
        r.values["programme_id"]
        for r in t6
        if r.kind == "additional_answer" and r.values["text"].startswith("Wallonia Pôles")
    }
    assert answers == {"BE3-wallonia-poles-de-competitivite"}


def test_text_that_names_no_programme_is_kept_as_an_answer(t6):
    (flanders,) = [
        r
        for r in t6
        if r.kind == "additional_answer"
        and r.values["programme_id"] == "BE2-flanders-cluster-programme"
    ]
    assert (
        flanders.values["text"] == "support to spearheadclusters and innovative business networks"
    )


def test_programme_cell_text_answers_the_programme_question_in_plain_type(t6, lines):
    """Line 1107: "Flanders cluster program; support to spearheadclusters and innovative business
    networks" is plain text of the programme column, not an italic addition about target groups;
    the Wallonia comment (line 1108) answers the target-group question."""
    assert "<i>" not in lines[1106].text
    (flanders,) = [
        r
        for r in t6
        if r.kind == "additional_answer"
        and r.values["programme_id"] == "BE2-flanders-cluster-programme"
    ]
    assert (flanders.values["question"], flanders.values["italic"]) == ("programmes", "false")
    (wallonia,) = [
        r
        for r in t6
        if r.kind == "additional_answer" and r.values["text"].startswith("Wallonia Pôles")
    ]
    assert wallonia.values["question"] == "target-groups"


def test_spelling_missing_from_the_cell_is_an_error():
    row = Row("x", "Table 6", 1131, 1131, ("", "Navarra", "Cluster grants"))
    spelling = Spelling("x", "Table 6", 1131, "Cluster support grants", "ES22-x", True)
    with pytest.raises(ExtractionError):
        table6.programmes_in_cell(row, "Cluster grants", [spelling], "Cluster Programme")
