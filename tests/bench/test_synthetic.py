"""The synthetic-data generator, small: deterministic for a seed, in the ontology's terms,
conforming to the shapes, and answering the library's queries."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox

from bench import synthetic
from clusterkg import iris
from clusterkg.graph.store import OxigraphStore
from clusterkg.paths import ONTOLOGY_FILE
from clusterkg.queries.library import library
from clusterkg.shapes.validation import validate_store

CKG = iris.ONTOLOGY


def _store(quads: Iterable[ox.Quad]) -> OxigraphStore:
    store = OxigraphStore()
    store.add_quads(quads)
    return store


def test_same_seed_same_bytes(tmp_path: Path) -> None:
    first, second, other = tmp_path / "a.nq", tmp_path / "b.nq", tmp_path / "c.nq"
    synthetic.write(first, organisations=50, seed=3)
    synthetic.write(second, organisations=50, seed=3)
    synthetic.write(other, organisations=50, seed=4)
    assert first.read_bytes() == second.read_bytes()
    assert first.read_bytes() != other.read_bytes()


def test_counts_scale_with_the_organisations() -> None:
    store = _store(synthetic.generate(organisations=50, seed=1))
    rows = store.query(
        "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c "
        "FILTER(STRSTARTS(STR(?s), 'https://w3id.org/clusterkg/id/')) } GROUP BY ?c"
    )
    assert isinstance(rows, ox.QuerySolutions)
    counts = {row["c"].value.removeprefix(CKG): int(row["n"].value) for row in rows}
    measures = len(synthetic.Vocabularies.read().concepts["measures-national"])
    assert counts["ClusterOrganisation"] == 50
    assert counts["Cluster"] == 50
    assert counts["ClusterProgramme"] == 50 // synthetic.ORGANISATIONS_PER_PROGRAMME
    assert counts["MeasureRating"] == 50 * measures * len(synthetic.WAVES)


def test_only_ontology_terms() -> None:
    ontology = ox.Store()
    ontology.load(path=str(ONTOLOGY_FILE), format=ox.RdfFormat.TURTLE)
    defined = {q.subject.value for q in ontology if isinstance(q.subject, ox.NamedNode)}
    used = set()
    for quad in synthetic.Generator(50, 1, synthetic.Vocabularies.read()).quads():
        used.add(quad.predicate.value)
        if quad.predicate.value.endswith("#type") and isinstance(quad.object, ox.NamedNode):
            used.add(quad.object.value)
    assert {term for term in used if term.startswith(CKG)} <= defined


def test_conforms_to_the_shapes() -> None:
    store = _store(synthetic.generate(organisations=50, seed=1))
    outcome = validate_store(store.native)
    assert not outcome.violations, "\n".join(str(p) for p in outcome.violations[:20])


def test_library_queries_run() -> None:
    store = _store(synthetic.generate(organisations=50, seed=1))
    for name, query in library().items():
        result = store.query(query.text)
        assert result is not None, name
    result = store.query(library()["countries-surveyed"].text)
    assert isinstance(result, ox.QuerySolutions)
    surveyed = list(result)
    assert int(surveyed[0][0].value) > 0


def test_the_generator_streams(tmp_path: Path) -> None:
    """`generate` yields quads one at a time and `write` counts what it streamed."""
    quads = synthetic.generate(organisations=5, seed=1)
    assert not isinstance(quads, list | tuple)
    first = next(iter(quads))
    assert isinstance(first, ox.Quad)
    path = tmp_path / "s.nq"
    count = synthetic.write(path, organisations=5, seed=1)
    assert count == sum(1 for _ in ox.parse(path=str(path), format=ox.RdfFormat.N_QUADS))
