from __future__ import annotations

from collections import Counter

import pytest

from clusterkg.loaders.documents import document_file
from clusterkg.loaders.records import ExtractionError, Record
from clusterkg.loaders.report import table3
from clusterkg.loaders.report.document import Line

REPORT = document_file("report")


@pytest.fixture(scope="module")
def t3(lines) -> list[Record]:
    return table3.extract(lines, REPORT)


def test_target_group_counts_are_the_tables(t3):
    counts = Counter(r.values["target_group"] for r in t3 if r.kind == "programme_target_group")
    assert counts == {
        "cluster-organisation": 23,
        "research-institution": 14,
        "sme": 13,
        "business-association": 12,
        "large-firm": 12,
        "academic-institution": 11,
        "start-up": 10,
    }


def test_28_programme_rows(t3):
    assert len({r.values["programme_id"] for r in t3}) == 28


def test_labels_without_bold_after_page_break(t3):
    lithuania = {r.values["programme_id"] for r in t3 if r.source.line_start in (629, 630)}
    assert lithuania == {"LTU-inolink", "LTU-lidp"}


def test_other_comments_are_kept_with_list_items_joined(t3):
    comments = {
        r.values["programme_id"]: r.values["text"] for r in t3 if r.kind == "additional_answer"
    }
    assert comments["GBR-strength-in-places"] == "Consortia of the mentioned actors"
    assert comments["HUN-cluster-development"].startswith("Beneficiaries of calls for proposals:")
    assert "R&D&I projects" in comments["HUN-cluster-development"]


def test_greek_programmes_get_their_table3_names(t3):
    labels = {
        r.values["programme_id"]: r.values["pref_label"]
        for r in t3
        if r.kind == "programme_label" and r.values["pref_label"]
    }
    assert labels["GRC-creative-industries"] == "Support for creative industries"


def test_cell_other_than_x_is_an_error(lines):
    broken = [
        Line(x.start, x.end, x.text.replace("Cooperation Clusters\tX", "Cooperation Clusters\tY"))
        for x in lines
    ]
    with pytest.raises(ExtractionError) as info:
        table3.extract(broken, REPORT)
    assert (info.value.line, info.value.column) == (613, "Cluster organisation")
