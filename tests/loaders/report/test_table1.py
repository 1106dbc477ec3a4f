"""Table 1 (report 002, lines 261-269): the report's summary grid, one finding per bullet."""

from __future__ import annotations

from collections import Counter

import pytest

from clusterkg.loaders.documents import document_file
from clusterkg.loaders.records import Record
from clusterkg.loaders.report import table1

REPORT = document_file("report")


@pytest.fixture(scope="module")
def t1(lines) -> list[Record]:
    return table1.extract(lines, REPORT)


def test_every_bullet_of_the_grid_is_a_finding(t1, lines):
    """Counted by reading lines 264 and 267: 6, 7, 5 main differences and 10, 8, 9 lessons
    learned (Europe national, Europe regional, international examples)."""
    assert lines[263].text.startswith("<b>Main differences</b>")
    assert lines[266].text.startswith("<b>Lessons learned</b>")
    cells = Counter((r.values["aspect"], r.values["level"]) for r in t1)
    assert cells == {
        ("main-differences", "europe-national"): 6,
        ("main-differences", "europe-regional"): 7,
        ("main-differences", "international-national"): 5,
        ("lessons-learned", "europe-national"): 10,
        ("lessons-learned", "europe-regional"): 8,
        ("lessons-learned", "international-national"): 9,
    }
    assert {r.kind for r in t1} == {"finding"}
    assert {(r.source.table, r.source.line_start) for r in t1} == {
        ("Table 1", 264),
        ("Table 1", 267),
    }


def test_findings_keep_their_text_and_get_ids_from_it(t1):
    texts = {r.values["text"] for r in t1}
    assert (
        "Public support to clusters can be limited to the launching, growth and stabilisation "
        "phase (e.g. Japan)"
    ) in texts
    assert not any(t.startswith("•") for t in texts)
    ids = [r.values["finding_id"] for r in t1]
    assert len(ids) == len(set(ids))
    assert all(
        i.startswith(f"{r.values['aspect']}-{r.values['level']}-")
        for i, r in zip(ids, t1, strict=True)
    )


def test_findings_are_in_the_graph_with_their_own_table(built_store):
    rows = list(
        built_store.query(
            """PREFIX ckg: <https://w3id.org/clusterkg/ontology#>
            PREFIX prov: <http://www.w3.org/ns/prov#>
            SELECT (COUNT(DISTINCT ?f) AS ?n) WHERE {
              ?f a ckg:Finding ; ckg:findingAspect ?a ; ckg:policyLevel ?l ;
                 prov:wasDerivedFrom/ckg:sourceTable "Table 1" .
            }"""
        )
    )
    assert int(rows[0]["n"].value) == 45
