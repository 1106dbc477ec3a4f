from __future__ import annotations

from clusterkg.loaders.records import SourceRef
from clusterkg.loaders.report.answers import answer_key, in_italics, programme_answer, region_answer
from clusterkg.loaders.report.cells import clean_cell

SOURCE = SourceRef("002_685b5d5a3136ccf2.txt", "Table 8", 2422, 2422)


def test_key_comes_from_question_and_text_not_position():
    key = answer_key("cluster-types", "Clusters with at least 25 members")
    assert key.startswith("cluster-types-") and len(key) == len("cluster-types-") + 8
    assert key == answer_key("cluster-types", "Clusters  with at least 25 members ")
    assert key != answer_key("objectives", "Clusters with at least 25 members")
    assert key != answer_key("cluster-types", "Clusters with at least 26 members")


def test_italics_are_told_from_plain_text():
    cell = clean_cell("Any clusters <i>Clusters with at least 25 members</i>")
    assert in_italics(cell, "Clusters with at least 25 members")
    assert not in_italics(cell, "Any clusters")
    whole = clean_cell("<i>Innovation networks may be</i> <i>hosted by cluster organisations.</i>")
    assert in_italics(whole, "Innovation networks may be hosted by cluster organisations.")
    assert not in_italics(clean_cell("NGOs"), "NGOs")


def test_records_name_question_typography_and_owner():
    record = programme_answer("LVA-cluster-programme", "cluster-types", "Export", True, SOURCE)
    assert record.kind == "additional_answer"
    assert record.values["programme_id"] == "LVA-cluster-programme"
    assert (record.values["question"], record.values["italic"]) == ("cluster-types", "true")
    region = region_answer("PL41", "organisation", "actions", False, SOURCE)
    assert region.kind == "region_additional_answer" and region.values["region"] == "PL41"
    assert region.values["italic"] == "false"
