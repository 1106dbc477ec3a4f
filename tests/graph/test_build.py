"""The build: dumps that parse, named graphs, provenance on every programme, atomic failure."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from fastapi.testclient import TestClient

from clusterkg import iris
from clusterkg.api.app import create_app
from clusterkg.graph import reasoner
from clusterkg.graph.build import DUMP_NAME, BuildError, BuildSummary, build, check
from clusterkg.graph.store import OxigraphStore
from clusterkg.loaders.documents import document_file
from clusterkg.paths import SOURCES_DIR
from clusterkg.settings import Settings

REPORT = document_file("report")


def _select(store: OxigraphStore, query: str) -> list[dict[str, str]]:
    result = store.query(query)
    assert isinstance(result, ox.QuerySolutions)
    names = [v.value for v in result.variables]
    return [{n: row[n].value for n in names if row[n] is not None} for row in result]


def test_dumps_parse(built: tuple[OxigraphStore, BuildSummary]) -> None:
    store, summary = built
    named = sum(1 for q in store.native if isinstance(q.graph_name, ox.NamedNode))
    dataset = rdflib.Dataset()
    dataset.parse(summary.out_dir / DUMP_NAME, format="nquads")
    assert sum(1 for _ in dataset.quads((None, None, None, None))) == named
    trig = rdflib.Dataset().parse(summary.out_dir / "clusterkg.trig", format="trig")
    assert sum(1 for _ in trig.quads((None, None, None, None))) == named
    assert (summary.out_dir / "clusterkg.jsonld").stat().st_size > 0
    # the dumps hold named graphs only, each triple in one graph: without waves the release's
    # default graph (one value per fact) is their union, not a copy (tests/graph/test_release.py)
    assert not list(store.native.quads_for_pattern(None, None, None, ox.DefaultGraph()))
    assert named == len({q.triple for q in store.native}) and store.union_default
    assert 'id="ClusterProgramme"' in (summary.out_dir / "ontology.html").read_text()


def test_named_graphs(built: tuple[OxigraphStore, BuildSummary]) -> None:
    store, summary = built
    graphs = set(store.named_graphs())
    for name in ("ontology", "vocabularies", "inferred", "provenance", "002/table-2"):
        assert iris.graph_iri(name) in graphs
        assert summary.triples_per_graph[name] > 0


def test_every_programme_has_provenance_to_table_and_lines(built_store: OxigraphStore) -> None:
    rows = _select(
        built_store,
        """
        PREFIX ckg: <https://w3id.org/clusterkg/ontology#>
        PREFIX prov: <http://www.w3.org/ns/prov#>
        SELECT ?p WHERE {
          ?p a ckg:ClusterProgramme .
          FILTER NOT EXISTS {
            ?p prov:wasDerivedFrom ?e .
            ?e ckg:sourceDocument ?d ; ckg:lineStart ?a ; ckg:lineEnd ?b .
            ?d ckg:fileName ?f ; ckg:sha256 ?sum .
          }
        }""",
    )
    assert rows == []
    traced = _select(
        built_store,
        """
        PREFIX ckg: <https://w3id.org/clusterkg/ontology#>
        PREFIX prov: <http://www.w3.org/ns/prov#>
        SELECT ?table ?a ?b WHERE {
          <https://w3id.org/clusterkg/id/programme/AUT-clusterplattform>
              prov:wasDerivedFrom ?e .
          ?e ckg:sourceTable ?table ; ckg:lineStart ?a ; ckg:lineEnd ?b .
        }""",
    )
    assert {"table": "Table 2", "a": "373", "b": "373"} in traced


def test_iris_do_not_depend_on_the_run(
    built: tuple[OxigraphStore, BuildSummary], tmp_path: Path
) -> None:
    second, _ = build(tmp_path / "again")
    query = "SELECT DISTINCT ?s WHERE { ?s ?p ?o FILTER(isIRI(?s)) }"
    assert {r["s"] for r in _select(second, query)} == {r["s"] for r in _select(built[0], query)}


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_broken_source_fails_loudly_and_previous_build_keeps_serving(
    built: tuple[OxigraphStore, BuildSummary], tmp_path: Path
) -> None:
    dist = tmp_path / "dist"
    shutil.copytree(built[1].out_dir, dist, symlinks=True)
    before = {p.name: _digest(p) for p in dist.iterdir() if p.is_file()}

    broken = tmp_path / "sources"
    shutil.copytree(SOURCES_DIR, broken)
    report = broken / REPORT
    text = report.read_text(encoding="utf-8")
    assert "Seiten/default.aspx</a>\tSince 2008" in text
    report.write_text(
        text.replace(
            "Seiten/default.aspx</a>\tSince 2008", "Seiten/default.aspx</a>\tSince spring"
        ),
        encoding="utf-8",
    )

    app = create_app(Settings(dataset=dist / DUMP_NAME, query_workers=1))
    with TestClient(app) as client:
        with pytest.raises(BuildError) as failure:
            build(dist, sources_dir=broken)
        message = str(failure.value)
        assert REPORT in message and "line 373" in message and "Duration" in message
        assert "Since spring" in message
        after = {p.name: _digest(p) for p in dist.iterdir() if p.is_file()}
        assert after == before
        assert not list(dist.rglob(".staging-*"))
        answer = client.get(
            "/sparql",
            params={"query": "ASK { ?s a ?o }"},
            headers={"Accept": "application/sparql-results+json"},
        )
        assert answer.status_code == 200 and answer.json()["boolean"] is True


def test_the_build_stops_on_an_inconsistent_graph(
    built: tuple[OxigraphStore, BuildSummary],
) -> None:
    """The seed graph with one national programme also typed regional (the two are disjoint)
    passes the SHACL gate, and HermiT stops the build."""
    store = OxigraphStore()
    store.add_quads(
        q for q in built[0].native if q.graph_name != reasoner.INFERRED_GRAPH
    )
    national = _select(store, f"SELECT ?p ?g WHERE {{ GRAPH ?g {{ ?p a <{iris.ONTOLOGY}"
                              "NationalClusterProgramme> } } ORDER BY ?p LIMIT 1")[0]
    store.add_quads([ox.Quad(ox.NamedNode(national["p"]), ox.NamedNode(reasoner.RDF_TYPE),
                             ox.NamedNode(iris.ONTOLOGY + "RegionalClusterProgramme"),
                             ox.NamedNode(national["g"]))])
    with pytest.raises(BuildError, match="HermiT: the graph is inconsistent"):
        check(store)


def test_every_region_code_matches_its_country(built: tuple[OxigraphStore, BuildSummary]) -> None:
    """Eurostat writes EL for Greece and UK for the United Kingdom; neither is a mismatch."""
    mismatches = [w for w in built[1].warnings if "two-letter code" in w]
    assert mismatches == []
    regions = _select(
        built[0],
        """PREFIX ckg: <https://w3id.org/clusterkg/ontology#>
        SELECT ?code WHERE { ?r a ckg:Region ; ckg:nutsCode ?code ; ckg:country
            <http://publications.europa.eu/resource/authority/country/GBR> }""",
    )
    assert regions and all(r["code"].startswith("UK") for r in regions)
