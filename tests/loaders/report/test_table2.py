from __future__ import annotations

from pathlib import Path

import pytest

from clusterkg.loaders.documents import document_file
from clusterkg.loaders.records import ExtractionError, Record
from clusterkg.loaders.report import table2
from clusterkg.loaders.report.document import Line, read_lines

REPORT = document_file("report")

FIXTURES = Path(__file__).parents[2] / "fixtures" / "loaders"


@pytest.fixture(scope="module")
def t2(lines) -> list[Record]:
    return table2.extract(lines, REPORT)


def kind(records: list[Record], name: str) -> list[Record]:
    return [r for r in records if r.kind == name]


def situations(records: list[Record], country: str) -> set[str]:
    return {
        str(r.values["situation_kind"])
        for r in kind(records, "country_situation")
        if r.values["country"] == country
    }


def programme(records: list[Record], pid: str) -> Record:
    (found,) = [r for r in kind(records, "programme") if r.values["programme_id"] == pid]
    return found


def test_29_countries(t2):
    assert len({r.values["country"] for r in kind(t2, "country_situation")}) == 29


def test_20_countries_with_a_dedicated_programme(t2):
    dedicated = {
        r.values["country"]
        for r in kind(t2, "country_situation")
        if r.values["situation_kind"] == "dedicated-programme"
    }
    assert len(dedicated) == 20
    assert "GRC" in dedicated and "ISL" not in dedicated


def test_situations_of_countries_without_programme(t2):
    assert situations(t2, "BEL") == {"regional-competence"}
    assert situations(t2, "BGR") == {"no-programme", "planned-programme", "other-approaches"}
    assert situations(t2, "HRV") == {"no-programme", "past-support", "other-approaches"}
    assert situations(t2, "CYP") == {"no-programme", "planned-programme"}
    assert situations(t2, "FIN") == {"no-programme", "past-support"}
    assert situations(t2, "ISL") == {
        "no-programme",
        "past-support",
        "planned-programme",
        "other-approaches",
    }
    assert situations(t2, "NLD") == {"no-programme", "other-approaches"}


def test_t2_greece_missing_country(t2):
    """Correction t2-greece-missing-country: the Greek text under the German rows is Greece's."""
    greek = programme(t2, "GRC-innovation-clusters")
    assert greek.values["country"] == "GRC"
    assert (greek.source.line_start, greek.source.line_end) == (393, 400)
    assert "past-support" in situations(t2, "GRC")
    german = {
        r.values["programme_id"] for r in kind(t2, "programme") if r.values["country"] == "DEU"
    }
    assert german == {
        "DEU-kmu-netc",
        "DEU-clusters-networks-international",
        "DEU-innovationsforen-mittelstand",
        "DEU-spitzencluster",
    }


def test_greek_row_continued_after_page_break(t2):
    """Line 400 continues the Greek text of line 393 across the page break."""
    other = [
        r
        for r in kind(t2, "country_situation")
        if r.values["country"] == "GRC" and r.values["situation_kind"] == "other-approaches"
    ]
    assert "technology consortia" in str(other[0].values["text"])


def test_france_row_split_across_page_break(t2):
    france = programme(t2, "FRA-poles-de-competitivite")
    assert (france.source.line_start, france.source.line_end) == (385, 388)
    raw = "Since 2005 (3rd phase: 2013-2018) 2019-2022 (4th phase)"
    assert france.values["duration_raw"] == raw
    assert france.values["start_year"] == "2005" and france.values["open_ended"] == "true"
    phases = {
        r.values["phase_number"]: (r.values["start_year"], r.values["end_year"])
        for r in kind(t2, "programme_phase")
        if r.values["programme_id"] == "FRA-poles-de-competitivite"
    }
    assert phases == {"3": ("2013", "2018"), "4": ("2019", "2022")}
    assert "(48 pôles)" in str(france.values["description"])


def test_t2_lithuanian_concept_semicolon(t2):
    titles = {r.values["title"] for r in kind(t2, "policy_document")}
    assert (
        "Lietuvos Klasterių koncepcija (Concept of the Development of the Lithuanian Clusters)"
        in titles
    )


def test_guidance_document_is_not_a_programme(t2):
    """Line 408: "Lietuvos Klasterių koncepcija (...) is a guidance document." It is a
    policy document of Lithuania, neither a programme nor a programme's label."""
    (document,) = kind(t2, "policy_document")
    assert document.values["document_id"] == "LTU-cluster-concept"
    assert document.values["country"] == "LTU"
    assert (
        document.values["english_title"] == "Concept of the Development of the Lithuanian Clusters"
    )
    assert str(document.values["url"]).startswith("https://ukmin.lrv.lt/")
    assert (document.source.table, document.source.line_start) == ("Table 2", 408)
    ids = {r.values["programme_id"] for r in t2 if r.kind in ("programme", "programme_label")}
    assert "LTU-cluster-concept" not in ids
    assert situations(t2, "LTU") == {"dedicated-programme"}


@pytest.mark.parametrize(
    ("pid", "line", "quote"),
    [
        ("DEU-spitzencluster", 389, "the past prominent Leading Edge Cluster Competition"),
        ("GRC-innovation-clusters", 393, "ran during 2011-2015"),
        ("HUN-pole-programme", 401, "Pole Programme (2007-2010) Hungarian Cluster Development"),
    ],
)
def test_past_programmes_of_table_2(t2, lines, pid, line, quote):
    """The rows Table 2 states as past keep their programme, with the status `past`."""
    assert quote in lines[line - 1].text
    assert programme(t2, pid).values["status"] == "past"


def test_the_current_programmes_are_the_reports_30_minus_the_greek_table_8_ones(t2):
    """Line 231: "30 national cluster programmes in 20 countries". Table 2 names 28 current ones;
    the two other Greek programmes of the 30 are named only in Tables 3 and 8."""
    current = [r for r in kind(t2, "programme") if r.values["status"] == "current"]
    assert len(current) == 28
    assert len({r.values["country"] for r in current}) == 19


@pytest.mark.parametrize(
    ("pid", "raw", "start", "end", "open_ended"),
    [
        ("AUT-clusterplattform", "Since 2008", "2008", None, "true"),
        ("CZE-cooperation-clusters", "2014-2020", "2014", "2020", "false"),
        ("SWE-vinnvaxt", "Continuous since 2003", "2003", None, "true"),
        ("ESP-aei", "Annually", None, None, None),
        ("HUN-pole-programme", "2007-2010", "2007", "2010", "false"),
        ("HUN-cluster-development", "2010-", "2010", None, "true"),
    ],
)
def test_durations(t2, pid, raw, start, end, open_ended):
    p = programme(t2, pid)
    assert (p.values["duration_raw"], p.values["start_year"], p.values["end_year"]) == (
        raw,
        start,
        end,
    )
    assert p.values["open_ended"] == open_ended


def test_length_range_of_slovenia(t2):
    p = programme(t2, "SVN-srip")
    assert (p.values["duration_min"], p.values["duration_max"]) == ("P1Y", "P7Y")


def test_duration_of_no_single_programme_stays_on_the_situation(t2):
    hungary = [r for r in kind(t2, "country_situation") if r.values["country"] == "HUN"]
    assert hungary[0].values["duration_raw"] == "Continuously since 2007"


def test_links_go_to_the_programme_named_before_them(t2):
    assert programme(t2, "HUN-pole-programme").values["url"] is None
    assert programme(t2, "HUN-cluster-development").values["url"] == (
        "http://www.klaszterfejlesztes.hu"
    )
    extra = [r.values["url"] for r in kind(t2, "programme_url")]
    assert "http://klaster.lt/en/" in extra


def test_every_programme_has_a_source_line_range(t2):
    for r in kind(t2, "programme"):
        assert 370 < r.source.line_start <= r.source.line_end < 427
        assert r.source.table == "Table 2"


def test_broken_cell_names_file_line_and_column():
    """A fixture copy of Table 2 (padded to the source's line numbers) with a mangled cell."""
    fixture = read_lines(FIXTURES / "table2-broken.txt")
    lines = [Line(n, n, "") for n in range(1, 370)] + [
        Line(line.start + 369, line.end + 369, line.text) for line in fixture
    ]
    with pytest.raises(ExtractionError) as info:
        table2.extract(lines, REPORT)
    error = info.value
    assert (error.document, error.line, error.column) == (REPORT, 378, "Duration")
    assert "2014-2O20" in str(error)
