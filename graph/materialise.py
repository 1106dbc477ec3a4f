"""The release rule: what the default graph of a served release holds.

One value per fact, never a multiplication and never a silent mix:

1. The report: every triple of the build's named graphs (tables, prose, ontology,
   vocabularies, inferred, provenance), once — a set, whatever number of graphs state it.
2. Then each wave in name order (`2018` before `2021`: name waves so that they sort by date;
   the later wave wins): for every resource the wave describes and every property the wave
   states of it, the wave's values *replace* the values so far (the report's, or an earlier
   wave's). A programme whose budget a wave restates therefore has one budget, the wave's; its
   properties the wave does not state keep the report's values.
3. What says where a resource comes from accumulates instead of replacing: `prov:wasDerivedFrom`
   (the report's excerpt and each wave's file row), `ckg:surveyWave` (every wave that stated it)
   and `rdf:type` (classes, including the reasoner's classification of the report). The wave's
   own provenance (the wave, its files with checksums, its rows) is added as it is.

Every wave also stays its own named graph (`graph/wave/<name>`) and the report's graphs stay
as they are, so `GRAPH`/`FROM` queries read one wave, or the report, or compare them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import pyoxigraph as ox

from clusterkg import iris
from clusterkg.graph.store import OxigraphStore

RULE = (
    "The default graph is the current release, one value per fact: every triple of the report's "
    "named graphs once, then each survey wave in name order replacing, for every resource it "
    "describes, the values of each property it states (prov:wasDerivedFrom, ckg:surveyWave and "
    "rdf:type accumulate). Each wave stays its own named graph (graph/wave/<name>) for GRAPH "
    "and FROM queries; a wave value's rdf:Statement names its file, sheet, row and column."
)
PROV_DERIVED = "http://www.w3.org/ns/prov#wasDerivedFrom"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
SURVEY_WAVE = iris.ONTOLOGY + "surveyWave"
ACCUMULATING = frozenset({PROV_DERIVED, RDF_TYPE, SURVEY_WAVE})
WAVE_GRAPH_PREFIX = iris.graph_iri("wave/")
DEFAULT = ox.DefaultGraph()

Subject = ox.NamedNode | ox.BlankNode | ox.Triple


def wave_graph(name: str) -> str:
    return f"{WAVE_GRAPH_PREFIX}{name}"


def is_wave_graph(graph: str) -> bool:
    return graph.startswith(WAVE_GRAPH_PREFIX)


def _report_triples(store: ox.Store) -> Iterable[ox.Quad]:
    for quad in store.quads_for_pattern(None, None, None, None):
        graph = quad.graph_name
        if isinstance(graph, ox.NamedNode) and not is_wave_graph(graph.value):
            yield ox.Quad(quad.subject, quad.predicate, quad.object, DEFAULT)


def apply_wave(store: ox.Store, name: str) -> int:
    """Apply one wave to the default graph; returns how many (resource, property) pairs it
    replaced."""
    graph = ox.NamedNode(wave_graph(name))
    stated: dict[tuple[Subject, ox.NamedNode], list[ox.Quad]] = defaultdict(list)
    added: list[ox.Quad] = []
    for quad in store.quads_for_pattern(None, None, None, graph):
        triple = ox.Quad(quad.subject, quad.predicate, quad.object, DEFAULT)
        if quad.predicate.value in ACCUMULATING:
            added.append(triple)
        else:
            stated[(quad.subject, quad.predicate)].append(triple)
    for subject, predicate in stated:
        for old in list(store.quads_for_pattern(subject, predicate, None, DEFAULT)):
            store.remove(old)
    for triples in stated.values():
        added += triples
    store.extend(added)
    return len(stated)


def default_graph(store: OxigraphStore, wave_names: Iterable[str]) -> dict[str, int]:
    """Fill the (empty) default graph of `store` by the release rule; returns, per wave, the
    number of (resource, property) pairs whose values it set."""
    native = store.native
    if any(True for _ in native.quads_for_pattern(None, None, None, DEFAULT)):
        raise ValueError("the default graph of a release is derived: it must start empty")
    native.extend(_report_triples(native))
    return {name: apply_wave(native, name) for name in sorted(wave_names)}
