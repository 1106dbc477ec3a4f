"""The mapping language, case by case: every folder of `tests/fixtures/loaders/mapping/` holds
records, a mapping and the triples (or the error) the engine must give."""

from __future__ import annotations

import csv
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import graph_diff, to_isomorphic

from clusterkg.loaders.mapper import MappingError, map_record, mappings, parse_mapping
from clusterkg.loaders.records import Record, SourceRef

CASES = Path(__file__).resolve().parents[1] / "fixtures" / "loaders" / "mapping"


def _records(path: Path, kind: str) -> list[Record]:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return [
        Record(kind, {k: v or None for k, v in row.items()}, SourceRef("case.txt", None, n, n))
        for n, row in enumerate(rows, start=2)
    ]


def _mapped(case: Path) -> rdflib.Graph:
    mapping = parse_mapping(case / "mapping.yaml")
    graph = rdflib.Graph()
    for record in _records(case / "records.csv", mapping.kind):
        for quad in map_record(mapping, record, ox.DefaultGraph()):
            graph.parse(data=f"{quad.subject} {quad.predicate} {quad.object} .", format="nt")
    return graph


@pytest.mark.parametrize("case", sorted(p for p in CASES.iterdir() if p.is_dir()), ids=str)
def test_mapping_case(case: Path) -> None:
    error = case / "error.txt"
    if error.exists():
        with pytest.raises(MappingError) as caught:
            _mapped(case)
        assert error.read_text(encoding="utf-8").strip() in str(caught.value)
        return
    expected = rdflib.Graph().parse(case / "expected.ttl", format="turtle")
    actual = _mapped(case)
    _, only_expected, only_actual = graph_diff(to_isomorphic(expected), to_isomorphic(actual))
    assert not only_expected and not only_actual, (
        "only expected:\n"
        + only_expected.serialize(format="nt")
        + "only actual:\n"
        + only_actual.serialize(format="nt")
    )


def test_conditions_replace_the_former_switch_columns() -> None:
    """`period`, `annual` and `total` held a constant word only so that an IRI template would
    resolve or not; the mappings now say `when:` and survey respondents no longer see them."""
    table = mappings()
    former = {
        "programme": {"period"},
        "regional_programme": {"period"},
        "regional_programme_budget": {"annual", "total"},
        "nonfeu_period": {"period"},
        "nonfeu_phase": {"period"},
    }
    for kind, columns in former.items():
        assert not columns & set(table[kind].column_names), kind
    conditioned = [
        (kind, rule.predicate)
        for kind, mapping in table.items()
        for node in mapping.nodes
        for rule in node.triples
        if rule.when is not None
    ]
    assert ("regional_programme_budget", "ckg:annualBudget") in conditioned
    assert ("regional_programme_budget", "ckg:budget") in conditioned
