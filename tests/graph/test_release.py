"""Releases and waves: two waves restating known programmes (one budget changed) leave every
library query with the rows it has without waves, one value per fact; the CLI, `/sparql`,
`/queries` and the JSON-LD API agree; a release is checked before it is served; a killed build
never mixes."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from clusterkg.api.app import create_app
from clusterkg.api.items import to_triples
from clusterkg.cli import app as cli
from clusterkg.graph import publish, waves
from clusterkg.graph.build import BuildSummary
from clusterkg.graph.locking import dist_lock
from clusterkg.graph.release import ReleaseError, load_release, release_of_layout, wave_dataset
from clusterkg.graph.store import OxigraphStore
from clusterkg.loaders.survey.template import rows_from_tables, write_template
from clusterkg.paths import DistLayout
from clusterkg.queries.library import library
from clusterkg.settings import Settings
from tests.graph.wave_support import csv_set, with_budget

CZE_BUDGET = "https://w3id.org/clusterkg/id/programme/CZE-cooperation-clusters/budget"
AMOUNT = "https://w3id.org/clusterkg/ontology#amount"


def copy_dist(built: tuple[OxigraphStore, BuildSummary], to: Path) -> Path:
    shutil.copytree(built[1].out_dir, to, symlinks=True)
    return to


@pytest.fixture(scope="module")
def restated(
    built: tuple[OxigraphStore, BuildSummary], tmp_path_factory: pytest.TempPathFactory
) -> list[tuple[str, bytes]]:
    """The survey template filled with the report's rows for Czechia and Denmark."""
    folder = tmp_path_factory.mktemp("restated")
    write_template(folder, rows=rows_from_tables(built[1].out_dir / "tables", ["CZE", "DNK"]))
    return csv_set(folder)


@pytest.fixture(scope="module")
def two_waves(
    built: tuple[OxigraphStore, BuildSummary],
    restated: list[tuple[str, bytes]],
    tmp_path_factory: pytest.TempPathFactory,
) -> Path:
    """A copy of the build with wave 2018 (the report's values) and wave 2021 (the Czech
    programme's budget changed from 10,000,000 to 12,000,000)."""
    dist = copy_dist(built, tmp_path_factory.mktemp("waves") / "dist")
    waves.load_wave(restated, "2018", dist)
    waves.load_wave(with_budget(restated, "12000000"), "2021", dist)
    return dist


def _rows(result: object) -> list[dict[str, str]]:
    assert isinstance(result, ox.QuerySolutions)
    names = [v.value for v in result.variables]
    return [{n: row[n].value if row[n] is not None else "" for n in names} for row in result]


@pytest.mark.parametrize("name", sorted(library()))
def test_waves_never_multiply_a_library_query(
    name: str, built_store: OxigraphStore, two_waves: Path
) -> None:
    served, release = release_of_layout(two_waves)
    assert release.wave_names == ["2018", "2021"]
    text = library()[name].text
    without = _rows(built_store.query(text))
    with_waves = _rows(served.query(text))
    if name == "wave-disagreements":
        assert without == [] and len(with_waves) == 2  # amount and raw statement
        return
    assert len(with_waves) == len(without), f"{name}: {len(without)} rows became {len(with_waves)}"


def test_the_later_wave_sets_the_one_value(two_waves: Path) -> None:
    served, _ = release_of_layout(two_waves)
    assert not served.union_default  # with waves the default graph is materialised
    budgets = _rows(served.query(library()["national-annual-budgets"].text))
    czech = [r for r in budgets if r["name"] == "Cooperation Clusters"]
    assert czech == [
        {
            "countryName": czech[0]["countryName"],
            "name": "Cooperation Clusters",
            "amountEUR": "12000000",
            "raw": "12,000,000",
        }
    ]
    by_country = _rows(served.query(library()["annual-budgets-by-country"].text))
    national = {r["countryName"]: r for r in by_country if r["level"] == "national"}
    assert national["Czechia"]["totalEUR"] == "12000000"
    assert national["Denmark"]["totalEUR"] == "25000000"
    many = _rows(
        served.query(
            "SELECT ?s ?p (COUNT(?o) AS ?n) WHERE { ?s ?p ?o "
            "FILTER(?p IN (<https://w3id.org/clusterkg/ontology#amount>, "
            "<https://w3id.org/clusterkg/ontology#rawStatement>, "
            "<http://www.w3.org/2004/02/skos/core#prefLabel>)) } "
            "GROUP BY ?s ?p HAVING (COUNT(?o) > 1)"
        )
    )
    assert many == []


def test_each_wave_stays_its_own_graph_with_provenance(two_waves: Path) -> None:
    served, _ = release_of_layout(two_waves)
    amounts = _rows(
        served.query(
            f"SELECT ?g ?v WHERE {{ GRAPH ?g {{ <{CZE_BUDGET}> <{AMOUNT}> ?v }} }} ORDER BY ?g"
        )
    )
    assert {r["g"]: r["v"] for r in amounts} == {
        "https://w3id.org/clusterkg/graph/002/table-8": "10000000",
        waves.wave_graph_iri("2018"): "10000000",
        waves.wave_graph_iri("2021"): "12000000",
    }
    source = _rows(
        served.query(
            "PREFIX prov: <http://www.w3.org/ns/prov#> "
            "PREFIX ckg: <https://w3id.org/clusterkg/ontology#> "
            "SELECT ?file ?row WHERE { GRAPH ?g { "
            f"<{CZE_BUDGET}> prov:wasDerivedFrom ?e . ?e ckg:lineStart ?row ; "
            "ckg:sourceDocument ?f . ?f ckg:fileName ?file } "
            f"FILTER(?g = <{waves.wave_graph_iri('2021')}>) }}"
        )
    )
    assert source == [{"file": "programme_budget.csv", "row": "2"}]


@pytest.fixture(scope="module")
def waved_client(two_waves: Path) -> Iterator[TestClient]:
    settings = Settings(dataset=DistLayout(two_waves).dump, query_workers=1, max_rows=100_000)
    with TestClient(create_app(settings)) as client:
        yield client


def _endpoint_rows(answer: dict[str, object]) -> list[dict[str, str]]:
    head = answer["head"]
    results = answer["results"]
    assert isinstance(head, dict) and isinstance(results, dict)
    names = head["vars"]
    return [{n: b[n]["value"] if n in b else "" for n in names} for b in results["bindings"]]


@pytest.mark.parametrize("name", sorted(library()))
def test_cli_endpoint_and_named_route_agree(
    name: str, two_waves: Path, waved_client: TestClient
) -> None:
    cli_run = CliRunner().invoke(cli, ["query", name, "--dist", str(two_waves), "--format", "json"])
    assert cli_run.exit_code == 0, cli_run.output
    from_cli = json.loads(cli_run.stdout)
    accept = {"Accept": "application/sparql-results+json"}
    sparql = waved_client.post("/sparql", data={"query": library()[name].text}, headers=accept)
    named = waved_client.get(f"/queries/{name}", headers=accept)
    assert sparql.status_code == 200 and named.status_code == 200, sparql.text + named.text
    assert _endpoint_rows(sparql.json()) == from_cli
    assert _endpoint_rows(named.json()) == from_cli


# ---------------------------------------------------------------- the JSON-LD API agrees

PROGRAMME = "https://w3id.org/clusterkg/id/programme/"
# Library queries over programmes, and the `/api/programmes` filters selecting their members.
API_QUERIES = {
    "national-programmes-by-country": {"level": "national"},
    "national-annual-budgets": {"level": "national", "budgetMin": "0"},
    "non-european-programmes": {"level": "non-european"},
}


@pytest.fixture(scope="module")
def build_client(built: tuple[OxigraphStore, BuildSummary]) -> Iterator[TestClient]:
    settings = Settings(dataset=DistLayout(built[1].out_dir).dump, query_workers=1)
    with TestClient(create_app(settings)) as client:
        yield client


def _members(client: TestClient, filters: dict[str, str]) -> list[str]:
    found: list[str] = []
    page = 1
    while True:
        params = {**filters, "limit": "100", "page": str(page)}
        answer = client.get("/api/programmes", params=params)
        assert answer.status_code == 200, answer.text
        body = answer.json()
        found += [member["id"] for member in body["member"]]
        if "next" not in body["view"]:
            return found
        page += 1


def _api_graph(client: TestClient, members: list[str]) -> ox.Store:
    """What the API says about `members`: their items, converted back to RDF, in one graph."""
    store = ox.Store()
    for iri in members:
        assert iri.startswith(PROGRAMME), iri
        item = client.get(f"/api/programmes/{iri.removeprefix(PROGRAMME)}")
        assert item.status_code == 200, item.text
        lines = "".join(f"{s} {p} {o} .\n" for s, p, o in to_triples(item.json()))
        store.load(lines.encode(), format=ox.RdfFormat.N_TRIPLES)
    return store


def _sorted(rows: list[dict[str, str]]) -> list[tuple[tuple[str, str], ...]]:
    return sorted(tuple(sorted(row.items())) for row in rows)


def _agree(client: TestClient, name: str, filters: dict[str, str], wave: str | None) -> int:
    """The API's members under `filters` are the query's programmes, and the query asked of
    their items (as the API serves them) answers what the endpoint answers; the row count."""
    accept = {"Accept": "application/sparql-results+json"}
    params = {} if wave is None else {"wave": wave}
    answer = client.get(f"/queries/{name}", params=params, headers=accept)
    assert answer.status_code == 200, answer.text
    expected = _endpoint_rows(answer.json())
    members = _members(client, {**filters, **params})
    assert len(members) == len(set(members))
    if "programme" in answer.json()["head"]["vars"]:
        assert set(members) == {row["programme"] for row in expected}, name
    from_api = _rows(_api_graph(client, members).query(library()[name].text))
    assert _sorted(from_api) == _sorted(expected), f"{name}: the API and /queries differ"
    return len(expected)


@pytest.mark.parametrize("name", sorted(API_QUERIES))
def test_api_agrees_with_the_endpoint_with_and_without_waves(
    name: str, build_client: TestClient, waved_client: TestClient, built_store: OxigraphStore
) -> None:
    without = _agree(build_client, name, API_QUERIES[name], None)
    with_waves = _agree(waved_client, name, API_QUERIES[name], None)
    assert without == with_waves == len(_rows(built_store.query(library()[name].text)))
    if name != "non-european-programmes":  # the waves restate Czech and Danish programmes only
        assert _agree(waved_client, name, API_QUERIES[name], "2021") >= 2


def test_api_lists_the_release_values_of_the_programmes_a_wave_states(
    waved_client: TestClient,
) -> None:
    """`?wave=` on the API selects the programmes a wave states; their items are the release's
    (the later wave's budget), while `/queries/…?wave=` asks the wave's own graphs."""
    name, filters = "national-annual-budgets", API_QUERIES["national-annual-budgets"]
    members = _members(waved_client, {**filters, "wave": "2018"})
    assert f"{PROGRAMME}CZE-cooperation-clusters" in members
    from_api = _rows(_api_graph(waved_client, members).query(library()[name].text))
    accept = {"Accept": "application/sparql-results+json"}
    of_2018 = waved_client.get(f"/queries/{name}", params={"wave": "2018"}, headers=accept)
    of_2021 = waved_client.get(f"/queries/{name}", params={"wave": "2021"}, headers=accept)
    assert _sorted(from_api) == _sorted(_endpoint_rows(of_2021.json()))
    assert _sorted(from_api) != _sorted(_endpoint_rows(of_2018.json()))


def test_version_names_the_build_and_each_wave(two_waves: Path, waved_client: TestClient) -> None:
    _, release = release_of_layout(two_waves)
    build, wave_2018, wave_2021 = release.version.split("+")
    assert build.startswith(release.build) and wave_2018.startswith("2018.")
    assert wave_2021.startswith("2021.")
    holder = waved_client.app.state.holder  # type: ignore[attr-defined]
    assert holder.release.version == release.version


# ---------------------------------------------------------------- checked before served


def test_empty_cut_or_edited_dump_is_refused(
    built: tuple[OxigraphStore, BuildSummary], tmp_path: Path
) -> None:
    dist = copy_dist(built, tmp_path / "dist")
    dump = DistLayout(dist).dump.resolve()
    good = dump.read_bytes()
    lines = good.splitlines(keepends=True)
    dump.chmod(0o644)
    for broken in (b"", b"".join(lines[: len(lines) // 2]), good.replace(b"Czech", b"Czeck", 1)):
        dump.write_bytes(broken)
        with pytest.raises(ReleaseError, match="differs from the manifest"):
            load_release(DistLayout(dist).dump)
    result = CliRunner().invoke(cli, ["query", "countries-surveyed", "--dist", str(dist)])
    assert result.exit_code == 2 and "release refused" in result.output


def test_cut_wave_is_refused(two_waves: Path, tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    shutil.copytree(two_waves, dist, symlinks=True)
    wave = DistLayout(dist).wave("2021")
    wave.write_bytes(wave.read_bytes()[:-200])
    with pytest.raises(ReleaseError, match="cut or edited"):
        release_of_layout(dist)


def test_build_killed_before_the_switch_leaves_the_previous_release(
    built: tuple[OxigraphStore, BuildSummary], tmp_path: Path
) -> None:
    dist = copy_dist(built, tmp_path / "dist")
    layout = DistLayout(dist)
    before = publish.current_release(layout)
    published = {n: (dist / n).resolve() for n in ("clusterkg.nq", "build.json", "tables")}

    def half_written(staging: Path) -> str:
        (staging / "clusterkg.nq").write_bytes(b"")
        raise KeyboardInterrupt  # killed while writing

    with pytest.raises(KeyboardInterrupt):
        publish.publish(layout, half_written)

    def complete(staging: Path) -> str:
        (staging / "clusterkg.nq").write_bytes(b"")
        return "never-current"

    def killed() -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        publish.publish(layout, complete, before_switch=killed)
    assert publish.current_release(layout) == before
    assert {n: (dist / n).resolve() for n in published} == published
    load_release(layout.dump)  # still the whole previous release
    assert (layout.releases / "never-current").exists()  # a leftover, until the next writer
    with dist_lock(layout):  # the killed writer's lock was released with it
        pass
    removed = publish.remove_leftovers(layout)
    assert layout.releases / "never-current" in removed
    assert not list(layout.releases.glob(".staging-*"))


def test_a_served_value_names_its_wave_file_row_and_column(two_waves: Path) -> None:
    served, _ = release_of_layout(two_waves)
    rows = _rows(
        served.query(
            "PREFIX ckg: <https://w3id.org/clusterkg/ontology#> "
            "PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> "
            "PREFIX prov: <http://www.w3.org/ns/prov#> "
            "SELECT ?value ?wave ?file ?sheet ?row ?column WHERE { "
            f"<{CZE_BUDGET}> ckg:amount ?value . "
            f"?cell rdf:subject <{CZE_BUDGET}> ; rdf:predicate ckg:amount ; rdf:object ?value ; "
            "ckg:sourceColumn ?column ; ckg:lineStart ?row ; ckg:sourceTable ?sheet ; "
            "ckg:sourceDocument ?f . ?f ckg:fileName ?file . ?wave prov:used ?f }"
        )
    )
    assert rows == [
        {
            "value": "12000000",
            "wave": "https://w3id.org/clusterkg/id/wave/2021",
            "file": "programme_budget.csv",
            "sheet": "programme_budget",
            "row": "2",
            "column": "amount",
        }
    ]


def test_diff_against_the_report_lists_both_values_and_sources(two_waves: Path) -> None:
    run = CliRunner().invoke(
        cli, ["diff", "report", "2021", "--dist", str(two_waves), "--format", "json"]
    )
    assert run.exit_code == 0, run.output
    amount = [r for r in json.loads(run.stdout) if r["property"] == AMOUNT]
    assert amount == [
        {
            "wave": "2021",
            "resource": CZE_BUDGET,
            "property": AMOUNT,
            "reportValue": "10000000",
            "waveValue": "12000000",
            "reportSource": "Cluster programmes in Europe and beyond, Table 8, line 2399",
            "waveSource": "programme_budget.csv, programme_budget, row 2, column amount",
        }
    ]
    agreeing = CliRunner().invoke(cli, ["diff", "report", "2018", "--dist", str(two_waves)])
    assert agreeing.exit_code == 0 and "agrees with the report" in agreeing.stdout
    with pytest.raises(waves.WaveError, match="reserved"):
        waves.check_name("report")


def test_one_wave_alone(two_waves: Path) -> None:
    served, release = release_of_layout(two_waves)
    graphs = wave_dataset(release, "2021")
    budgets = _rows(served.query(library()["national-annual-budgets"].text, default_graphs=graphs))
    assert {(r["name"], r["amountEUR"]) for r in budgets} == {
        ("Cooperation Clusters", "12000000"),
        ("Innovation Networks", "25000000"),
    }
    with pytest.raises(ReleaseError, match="no wave named '2030'"):
        wave_dataset(release, "2030")
