"""Helpers the national and regional programme tables share."""

from __future__ import annotations

from dataclasses import replace

from clusterkg.loaders.records import SourceRef
from clusterkg.loaders.report.crosswalk import Spelling, load_crosswalk
from clusterkg.loaders.report.programmes import (
    duration_values,
    label_records,
    links_by_spelling,
)
from clusterkg.loaders.values.durations import Duration, parse_duration


def _spelling(text: str, pid: str, preferred: bool = True) -> Spelling:
    return Spelling("doc.txt", "Table 2", 10, text, pid, preferred)


def test_each_link_goes_to_the_spelling_written_before_it() -> None:
    raw = (
        'Go-cluster <a href="https://a.example/">here</a> and KMU-NetC '
        '<a href="https://b.example/">there</a>'
    )
    spellings = [_spelling("Go-cluster", "DEU-go"), _spelling("KMU-NetC", "DEU-kmu")]
    assert links_by_spelling(raw, spellings) == {
        "DEU-go": ["https://a.example/"],
        "DEU-kmu": ["https://b.example/"],
    }
    before_any = '<a href="https://c.example/">c</a> then Go-cluster'
    assert links_by_spelling(before_any, spellings) == {None: ["https://c.example/"]}


def test_duration_columns_state_what_the_duration_gives() -> None:
    values = duration_values(parse_duration("2014-2020"))
    assert (values["start_year"], values["end_year"], values["duration_raw"]) == (
        "2014",
        "2020",
        "2014-2020",
    )
    empty = duration_values(Duration(raw=""))
    assert set(empty.values()) == {None}


def test_labels_keep_the_preferred_spelling_and_distinct_other_ones() -> None:
    crosswalk = load_crosswalk()
    preferred = next(s for s in crosswalk.spellings if s.preferred)
    pid = preferred.programme_id
    other = replace(preferred, spelling=preferred.spelling.upper(), preferred=False)
    same = replace(preferred, preferred=False)
    source = SourceRef(preferred.document, preferred.table, preferred.line, preferred.line)
    records = label_records([preferred, other, same], "DEU", source)
    assert [(r.get("programme_id"), r.get("pref_label"), r.get("alt_label")) for r in records] == [
        (pid, preferred.spelling, None),
        (pid, None, preferred.spelling.upper()),
    ]
