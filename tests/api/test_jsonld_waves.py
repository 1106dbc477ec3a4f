"""The JSON-LD API over a release with a survey wave: `wave=`, the ETag and the round trip.

A copy of the build gets wave 2021 (the report's rows for Czechia and Denmark restated through
the survey template, the Czech programme's annual budget changed); the API serving that
release lists under `wave=2021` exactly the programmes SPARQL finds stated by the wave, its
ETags differ from the build's, and a restated programme's item converts back to exactly the
release's statements about it (the wave's budget, not the report's).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from clusterkg.api.items import to_triples
from clusterkg.graph import waves
from clusterkg.graph.build import BuildSummary
from clusterkg.graph.release import load_release
from clusterkg.graph.store import OxigraphStore
from clusterkg.loaders.survey.template import rows_from_tables, write_template
from tests.api.jsonld_support import Triple, api_client, diff, select_iris
from tests.graph.wave_support import csv_set, with_budget

CZE = "https://w3id.org/clusterkg/id/programme/CZE-cooperation-clusters"
WAVE_2021 = "https://w3id.org/clusterkg/id/wave/2021"


@pytest.fixture(scope="module")
def wave_dist(
    built: tuple[OxigraphStore, BuildSummary], tmp_path_factory: pytest.TempPathFactory
) -> Path:
    dist = tmp_path_factory.mktemp("jsonld-wave") / "dist"
    shutil.copytree(built[1].out_dir, dist, symlinks=True)
    survey = tmp_path_factory.mktemp("jsonld-wave-survey")
    write_template(survey, rows=rows_from_tables(built[1].out_dir / "tables", ["CZE", "DNK"]))
    waves.load_wave(with_budget(csv_set(survey), "12000000"), "2021", dist)
    return dist


@pytest.fixture(scope="module")
def release_store(wave_dist: Path) -> OxigraphStore:
    store, release = load_release(wave_dist / "clusterkg.nq")
    assert release.wave_names == ["2021"]
    assert isinstance(store, OxigraphStore)
    return store


@pytest.fixture(scope="module")
def client(wave_dist: Path) -> Iterator[TestClient]:
    with api_client(wave_dist / "clusterkg.nq") as test_client:
        yield test_client


def _default_graph(store: OxigraphStore) -> set[Triple]:
    return {
        (str(q.subject), str(q.predicate), str(q.object))
        for q in store.native.quads_for_pattern(None, None, None, ox.DefaultGraph())
    }


def test_wave_filter_matches_sparql(client: TestClient, release_store: OxigraphStore) -> None:
    expected = select_iris(
        release_store,
        "PREFIX ckg: <https://w3id.org/clusterkg/ontology#> SELECT DISTINCT ?item WHERE {"
        f" ?item a ckg:ClusterProgramme ; ckg:surveyWave <{WAVE_2021}> }}",
    )
    assert CZE in expected
    body = client.get("/api/programmes", params={"wave": "2021", "limit": "100"}).json()
    assert body["totalItems"] == len(expected)
    assert sorted(m["id"] for m in body["member"]) == sorted(expected)
    refused = client.get("/api/programmes", params={"wave": "1999"})
    assert refused.status_code == 400 and "allowed: 2021" in refused.json()["detail"]


def test_etag_names_the_release_with_its_wave(
    client: TestClient, built: tuple[OxigraphStore, BuildSummary]
) -> None:
    with api_client(built[1].out_dir / "clusterkg.nq") as build_client:
        without = build_client.get("/api/programmes").headers["etag"]
    with_wave = client.get("/api/programmes").headers["etag"]
    assert without != with_wave and "2021" in with_wave


def test_restated_programme_round_trips_with_the_wave_value(
    client: TestClient, release_store: OxigraphStore
) -> None:
    graph = _default_graph(release_store)
    document = client.get("/api/programmes/CZE-cooperation-clusters").json()
    assert document["annualBudget"]["amount"] == "12000000"
    back = to_triples(document)
    assert back <= graph, diff(set(), back - graph)
    about = {t for t in back if t[0] == f"<{CZE}>"}
    expected = {t for t in graph if t[0] == f"<{CZE}>"}
    assert about == expected, diff(expected, about)


def test_named_query_of_one_wave_answers_from_that_wave_alone(
    client: TestClient, release_store: OxigraphStore, wave_dist: Path
) -> None:
    """`/queries/{name}?wave=` asks the query of the wave's graphs (README, releases and waves):
    the answer equals the same SPARQL over those default graphs, and differs from the release's."""
    from clusterkg.graph.release import wave_dataset
    from clusterkg.queries.library import library

    text = library()["national-annual-budgets"].text
    graphs = wave_dataset(load_release(wave_dist / "clusterkg.nq")[1], "2021")
    expected = release_store.query(text, default_graphs=graphs)
    assert isinstance(expected, ox.QuerySolutions)
    wanted = sorted(tuple(str(row[v]) for v in expected.variables) for row in expected)
    answer = client.get("/queries/national-annual-budgets", params={"wave": "2021"},
                        headers={"Accept": "application/sparql-results+json"})  # fmt: skip
    assert answer.status_code == 200, answer.text
    body = answer.json()
    rows = body["results"]["bindings"]
    got = sorted(
        tuple(_term(row.get(v.value)) for v in expected.variables) for row in rows
    )
    assert got == wanted and len(rows) >= 1
    whole = client.get("/queries/national-annual-budgets",
                       headers={"Accept": "application/sparql-results+json"})  # fmt: skip
    assert len(whole.json()["results"]["bindings"]) > len(rows)


def _term(binding: dict[str, str] | None) -> str:
    if binding is None:
        return "None"
    if binding["type"] == "uri":
        return f"<{binding['value']}>"
    term = ox.Literal(binding["value"], datatype=ox.NamedNode(binding["datatype"])) if (
        "datatype" in binding) else ox.Literal(binding["value"], language=binding.get("xml:lang"))
    return str(term)


def test_named_query_refuses_an_unknown_wave(client: TestClient) -> None:
    answer = client.get("/queries/national-annual-budgets", params={"wave": "1999"})
    assert answer.status_code == 400
    assert "1999" in answer.text and "2021" in answer.text
