"""A release in a remote store: publish it, verify it, and read which release a server serves.

`publish(dataset, store)` pushes the current release of a `dist/` (the build's graphs, every
wave graph, and the materialised default graph when the release rule needed one) to a remote
SPARQL server:

1. each graph is uploaded (Graph Store Protocol `PUT`) under a *versioned staging name*,
   `…/graph/staging/<version>/<graph>`, which no reader's dataset names;
2. the staged graphs are counted on the server and compared with the release (triples per
   graph); a difference stops the publish, the staging graphs are dropped;
3. one SPARQL Update request switches: `MOVE` of every staged graph onto its served name,
   `DROP` of the previous release's graphs that the new one lacks, and the new served-release
   record in the control graph (`…/graph/control`: the release's JSON, its default and named
   graph lists). On a server that applies one update request atomically (Oxigraph server:
   `Dialect.atomic_update`), every reader — through clusterkg or querying the server directly —
   sees the previous release or the new one, never a mix;
4. the served graphs are counted again against the release.

A publish that fails or is killed before step 3 leaves the previous release served and whole
(its leftovers are staging graphs, which the next publish drops); publishing the release already
served only verifies it (idempotent). API processes over the store read the control record
(`served`) at start and poll it, so all of them follow a publish.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from clusterkg import iris
from clusterkg.graph.release import Release, WaveRef, load_release
from clusterkg.graph.store import OxigraphStore, RdfFormat
from clusterkg.graph.stores.remote import RemoteDataset, RemoteStore

CONTROL = iris.graph_iri("control")
STAGING = iris.graph_iri("staging/")
DEFAULT_GRAPH = iris.graph_iri("release/default")
RDF_VALUE = iris.RDF + "value"
RDF_JSON = iris.RDF + "JSON"
VERSION = iris.OWL + "versionInfo"


class PublishError(RuntimeError):
    """The publish stopped; the server still serves the release it served before."""


@dataclass(frozen=True)
class Served:
    """What a server serves: the release and the graphs that make its dataset."""

    release: Release
    default: tuple[str, ...]
    named: tuple[str, ...]
    triples: dict[str, int]
    switch: int = 0  # how many switches the store has made: a new number per publish

    @property
    def tag(self) -> str:
        """Names this publish: the release and its switch number, so that publishing A, then
        B, then A again never looks unchanged to a reader that last saw the first A."""
        return f"{self.release.version}#{self.switch}"

    @property
    def dataset(self) -> RemoteDataset:
        return RemoteDataset(self.default, self.named, self.tag)

    def as_json(self) -> dict[str, object]:
        return {"release": self.release.as_json(), "default": list(self.default),
                "named": list(self.named), "triples": self.triples, "switch": self.switch}

    @classmethod
    def from_json(cls, data: dict[str, object]) -> Served:
        rel = data["release"]
        assert isinstance(rel, dict)
        dump = rel["dump"]
        assert isinstance(dump, dict)
        waves = tuple(WaveRef(str(w["name"]), int(w["quads"]), str(w["sha256"]))
                      for w in rel["waves"])
        release = Release(str(rel["build"]), str(dump["sha256"]), int(dump["quads"]), waves)
        default, named, triples = data["default"], data["named"], data["triples"]
        assert isinstance(default, list) and isinstance(named, list)
        assert isinstance(triples, dict)
        switch = data.get("switch", 0)
        assert isinstance(switch, int)
        return cls(release, tuple(default), tuple(named),
                   {str(k): int(v) for k, v in triples.items()}, switch)


def staging_name(version: str, graph: str) -> str:
    """Where `graph` of release `version` is uploaded before the switch."""
    suffix = graph[len(iris.GRAPH):] if graph.startswith(iris.GRAPH) else graph
    return f"{STAGING}{version}/{suffix}"


def served(store: RemoteStore) -> Served | None:
    """The release `store` serves (None before the first publish)."""
    result = store.query(
        f"SELECT ?v WHERE {{ GRAPH <{CONTROL}> {{ <{CONTROL}> <{RDF_VALUE}> ?v }} }}",
        query_dataset=True)
    assert isinstance(result, ox.QuerySolutions)
    values = [row["v"].value for row in result if row["v"] is not None]
    if not values:
        return None
    if len(values) > 1:
        raise PublishError(f"{store.url}: {len(values)} served-release records in {CONTROL}")
    return Served.from_json(json.loads(values[0]))


class ControlRecord:
    """The `Follower` of a release store: the control graph's record says what is served."""

    def serves(self, store: RemoteStore, version: str) -> bool:
        """`version` is the tag of a publish (`Served.tag`)."""
        result = store.query(
            f"ASK {{ GRAPH <{CONTROL}> {{ <{CONTROL}> <{VERSION}> {ox.Literal(version)} }} }}",
            query_dataset=True)
        return bool(result)

    def current(self, store: RemoteStore) -> RemoteDataset:
        now = served(store)
        if now is None:
            raise PublishError(f"{store.url} no longer serves a release")
        return now.dataset


def open_served(store: RemoteStore) -> tuple[RemoteStore, Release]:
    """The store bound to the release it serves, and that release (for `serve --store`)."""
    current = served(store)
    if current is None:
        raise PublishError(f"{store.url} serves no release: run `clusterkg publish --store URL`")
    return store.bound(current.dataset, ControlRecord()), current.release


def _graphs(local: OxigraphStore) -> dict[str, bytes]:
    """Each graph of the release as N-Triples: named graphs, then the materialised default."""
    graphs = {g: local.serialize(RdfFormat.NTRIPLES, g) for g in local.named_graphs()}
    if not local.union_default:
        default = local.native.quads_for_pattern(None, None, None, ox.DefaultGraph())
        graphs[DEFAULT_GRAPH] = ox.serialize((q.triple for q in default),
                                             format=ox.RdfFormat.N_TRIPLES) or b""
    return graphs


def _count(data: bytes) -> int:
    return sum(1 for line in data.splitlines() if line.strip() and not line.startswith(b"#"))


def _staging_graphs(store: RemoteStore) -> list[str]:
    result = store.query(
        f'SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ }} FILTER(STRSTARTS(STR(?g), "{STAGING}")) }}',
        query_dataset=True)
    assert isinstance(result, ox.QuerySolutions)
    return [row["g"].value for row in result]


def drop_staging(store: RemoteStore) -> list[str]:
    """Drop the staging graphs of unfinished publishes; returns their names."""
    graphs = _staging_graphs(store)
    if graphs:
        store.update(" ;\n".join(f"DROP SILENT GRAPH <{g}>" for g in graphs))
    return graphs


def _verify(store: RemoteStore, expected: dict[str, int], names: Callable[[str], str],
            stage: str) -> None:
    actual = store.triples_per_graph([names(g) for g in expected])
    wrong = [f"{g}: {actual[names(g)]} triples, the release has {n}"
             for g, n in expected.items() if actual[names(g)] != n]
    if wrong:
        raise PublishError(f"{store.url}: {stage} graphs differ from the release: "
                           + "; ".join(wrong[:5]))


def _switch(served_now: Served | None, new: Served, version: str) -> str:
    old = set() if served_now is None else {*served_now.default, *served_now.named}
    moves = [f"MOVE <{staging_name(version, g)}> TO <{g}>" for g in new.triples]
    drops = [f"DROP SILENT GRAPH <{g}>" for g in sorted(old - set(new.triples))]
    record = json.dumps(new.as_json(), sort_keys=True)
    literal = ox.Literal(record, datatype=ox.NamedNode(RDF_JSON))
    control = [f"DROP SILENT GRAPH <{CONTROL}>",
               f"INSERT DATA {{ GRAPH <{CONTROL}> {{ <{CONTROL}> <{RDF_VALUE}> {literal} ; "
               f"<{VERSION}> {ox.Literal(new.tag)} }} }}"]
    return " ;\n".join([*moves, *drops, *control])


def publish(
    dataset: Path,
    store: RemoteStore,
    *,
    before_switch: Callable[[], None] = lambda: None,
    progress: Callable[[str], None] = lambda _: None,
) -> tuple[Served, bool]:
    """Publish the current release of the dump `dataset` to `store`; returns what is served
    and whether anything changed (False: that release was served already, and verified).
    `before_switch` runs once the staged graphs are verified (tests stop a publish there)."""
    local, release = load_release(dataset)
    graphs = _graphs(local)
    triples = {g: _count(data) for g, data in graphs.items()}
    named = tuple(sorted(g for g in graphs if g != DEFAULT_GRAPH))
    default = (DEFAULT_GRAPH,) if DEFAULT_GRAPH in graphs else named
    now = served(store)
    new = Served(release, default, named, triples, 1 + (now.switch if now else 0))
    if now is not None and now.release.version == release.version:
        _verify(store, triples, lambda g: g, "served")
        return now, False
    dropped = drop_staging(store)
    if dropped:
        progress(f"dropped {len(dropped)} staging graphs of an unfinished publish")
    version = release.version
    try:
        for i, (graph, data) in enumerate(graphs.items(), 1):
            progress(f"uploading {i}/{len(graphs)}: {graph} ({triples[graph]} triples)")
            store.put_graph(staging_name(version, graph), data)
        _verify(store, triples, lambda g: staging_name(version, g), "staged")
        before_switch()
    except BaseException:
        drop_staging(store)
        raise
    progress(f"switching {len(graphs)} graphs to release {version}")
    store.update(_switch(now, new, version))
    _verify(store, triples, lambda g: g, "served")
    return new, True
