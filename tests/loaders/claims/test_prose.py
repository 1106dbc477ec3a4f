from __future__ import annotations

import pytest

from clusterkg.loaders.claims import prose
from clusterkg.loaders.documents import document_file
from clusterkg.loaders.records import ExtractionError
from clusterkg.loaders.report.document import Line

REPORT = document_file("report")


def test_implementing_bodies_funding_and_predecessor(lines):
    records = prose.extract(lines, REPORT)
    implementers = {
        (r.values["programme_id"], r.values["organisation_name"])
        for r in records
        if r.kind == "programme_implementer"
    }
    assert ("EST-supporting-cluster-development", "Enterprise Estonia") in implementers
    assert ("MNE-economy-competitiveness", "United Nations Development Programme") in implementers
    earnings = {
        r.values["programme_id"]
        for r in records
        if r.kind == "programme_funding_source"
        and r.values["funding_source"] == "previous-earnings"
    }
    assert len(earnings) == 8
    (predecessor,) = [r for r in records if r.kind == "programme_predecessor"]
    assert predecessor.values == {
        "programme_id": "DEU-clusters-networks-international",
        "predecessor_id": "DEU-spitzencluster",
    }
    assert predecessor.source.table is None and predecessor.source.line_start == 368


def test_missing_quote_stops_the_build(lines):
    changed = [Line(x.start, x.end, x.text.replace("Enterprise Estonia", "EAS")) for x in lines]
    with pytest.raises(ExtractionError) as info:
        prose.extract(changed, REPORT)
    assert info.value.line == 583
