"""The built graph against an independent reading of the report's tables.

`tests/fixtures/reading/*.csv` hold facts written by reading the source text by hand, not by
running the loader (see that folder's README). Every fact read must be in the graph; for the tables
read in full the graph has no other fact of that property, for the sampled ones none for the
subjects read."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest

from clusterkg import iris
from clusterkg.graph.store import OxigraphStore

READING = Path(__file__).parent.parent / "fixtures" / "reading"
Fact = tuple[str, str, str]

PREFIXES = f"""PREFIX ckg: <{iris.ONTOLOGY}>
PREFIX dct: <{iris.DCTERMS}>
PREFIX skos: <{iris.SKOS}>
"""
EUR = f"<{iris.PO_CURRENCY}EUR>"


def _ratings(survey: str) -> str:
    return f"""SELECT ?s ?v WHERE {{
      ?r a ckg:MeasureRating ; ckg:reportedIn <{iris.resource_iri("survey", survey)}> ;
         ckg:ratedBy ?s ; ckg:ratedMeasure/skos:notation ?m ; ckg:ratingValue/skos:notation ?n .
      BIND (CONCAT(?m, "=", ?n) AS ?v)
    }}"""


def _audience(table: str, via_region: bool) -> str:
    subject = "?p ckg:region ?s ." if via_region else "BIND (?p AS ?s)"
    return f"""SELECT ?s ?v WHERE {{
      GRAPH <{iris.source_graph_iri("002_685b5d5a3136ccf2.txt", table)}> {{ ?p dct:audience ?g }}
      ?g skos:notation ?v .
      {subject}
    }}"""


def _budgets(kind: str) -> str:
    """Annual budgets in EUR of programmes of `kind`: the stated amount, else the parts' sum."""
    return f"""SELECT ?s ?v WHERE {{
      {{ ?b ckg:amount ?v . }}
      UNION
      {{
        SELECT ?b (SUM(?part) AS ?v)
        WHERE {{ ?b ckg:hasComponent/ckg:amount ?part . FILTER NOT EXISTS {{ ?b ckg:amount ?a }} }}
        GROUP BY ?b
      }}
      ?s a ckg:{kind} ; ckg:annualBudget ?b .
      ?b ckg:currency {EUR} .
    }}"""


def _concepts(table: str, prop: str, via_region: bool = False) -> str:
    """The notations of the concepts a table's graph gives its subjects through `prop` (with
    `via_region`, given to a regional programme and read as its region's)."""
    subject = "?p ckg:region ?s ." if via_region else "BIND (?p AS ?s)"
    return f"""SELECT ?s ?v WHERE {{
      GRAPH <{iris.source_graph_iri("002_685b5d5a3136ccf2.txt", table)}> {{ ?p {prop} ?c }}
      ?c skos:notation ?v .
      {subject}
    }}"""


SITUATIONS = f"""SELECT ?s ?v WHERE {{
  ?s ckg:hasPolicySituation ?situation .
  ?situation ckg:reportedIn <{iris.resource_iri("survey", "national-2018")}> ;
             ckg:situationKind/skos:notation ?v .
}}"""

POLICY = f"""SELECT ?s ("yes" AS ?v) WHERE {{
  ?s a ckg:Region ;
     ckg:hasPolicySituation/ckg:situationKind <{iris.VOCAB}policy-situations/regional-policy> .
}}"""

PROGRAMME_COUNTS = """SELECT ?s ?v WHERE {
  ?s a ckg:Region ; ckg:hasPolicySituation/ckg:programmeCount ?v .
}"""


@dataclass(frozen=True)
class Reading:
    """One fixture file: the property it reads, the query giving the graph's facts of that
    property as (?s, ?v), and whether the table was read in full."""

    file: str
    prop: str
    query: str
    full: bool


READINGS = [
    Reading("table2-situations.csv", "policySituation", SITUATIONS, full=True),
    Reading("table3.csv", "targetGroup", _audience("Table 3", via_region=False), full=True),
    Reading("table4.csv", "rating", _ratings("national-2018"), full=False),
    Reading("table5-policy.csv", "policyInPlace", POLICY, full=True),
    Reading("table5-programme-counts.csv", "programmeCount", PROGRAMME_COUNTS, full=True),
    Reading("table6.csv", "targetGroup", _audience("Table 6", via_region=True), full=True),
    Reading("table7.csv", "rating", _ratings("regional-2018"), full=False),
    Reading("table8-budgets.csv", "annualBudgetEUR", _budgets("NationalClusterProgramme"), True),
    Reading("table8-objectives.csv", "objective", _concepts("Table 8", "ckg:objective"), True),
    Reading(
        "table8-cluster-types.csv",
        "clusterType",
        _concepts("Table 8", "ckg:addressesClusterType"),
        full=True,
    ),
    Reading(
        "table9-cluster-types.csv",
        "clusterType",
        _concepts("Table 9", "ckg:addressesClusterType", via_region=True),
        full=True,
    ),
    Reading(
        "table9-objectives.csv",
        "objective",
        _concepts("Table 9", "ckg:objective", via_region=True),
        full=True,
    ),
    Reading("table9-budgets.csv", "annualBudgetEUR", _budgets("RegionalClusterProgramme"), True),
    Reading("table10.csv", "deliveryMode", _concepts("Table 10", "ckg:deliveryMode"), full=True),
]


def _key(iri: str) -> str:
    """A subject as the fixtures name it: `programme/…`, `region/NUTS`, `country/ISO3`."""
    if iri.startswith(iris.PO_COUNTRY):
        return "country/" + iri[len(iris.PO_COUNTRY) :]
    assert iri.startswith(iris.ID), iri
    return iri[len(iris.ID) :]


def _value(text: str) -> str:
    try:
        return str(Decimal(text).normalize().to_integral_value())
    except ArithmeticError:
        return text


def _read(reading: Reading) -> tuple[set[Fact], dict[Fact, str]]:
    with (READING / reading.file).open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert rows and all(r["property"] == reading.prop for r in rows), reading.file
    facts = {
        (r["subject"], r["property"], _value(r["value"])): r["line"] for r in rows if r["value"]
    }
    return set(facts), facts


def _subjects(reading: Reading) -> set[str]:
    """Every subject read, also those read as having no value (an empty `value` cell)."""
    with (READING / reading.file).open(encoding="utf-8", newline="") as f:
        return {r["subject"] for r in csv.DictReader(f)}


def _graph(store: OxigraphStore, reading: Reading) -> set[Fact]:
    result = store.query(PREFIXES + reading.query)
    assert isinstance(result, ox.QuerySolutions)
    found = set()
    for row in result:
        s, v = row["s"], row["v"]
        assert s is not None and v is not None
        found.add((_key(s.value), reading.prop, _value(v.value)))
    return found


@pytest.mark.parametrize("reading", READINGS, ids=lambda r: r.file)
def test_graph_holds_every_fact_read(reading: Reading, built_store: OxigraphStore) -> None:
    expected, lines = _read(reading)
    actual = _graph(built_store, reading)
    missing = sorted(expected - actual)
    assert not missing, "read in the source, not in the graph:\n" + "\n".join(
        f"line {lines[f]}: {f}" for f in missing
    )


@pytest.mark.parametrize("reading", READINGS, ids=lambda r: r.file)
def test_graph_has_no_fact_beyond_the_reading(reading: Reading, built_store: OxigraphStore) -> None:
    expected, _ = _read(reading)
    actual = _graph(built_store, reading)
    if not reading.full:
        subjects = _subjects(reading)
        actual = {f for f in actual if f[0] in subjects}
    # Only values the reading knows where issue 15 adds values the reading leaves out: a new
    # cluster type ("New/emerging clusters"), a count for "4 or more cluster supporting programmes".
    known = {v for _, _, v in expected}
    if reading.prop in {"clusterType", "programmeCount"}:
        actual = {f for f in actual if f[2] in known}
    extra = sorted(actual - expected)
    assert not extra, "in the graph, not in the reading:\n" + "\n".join(map(str, extra))
