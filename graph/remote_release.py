"""A release in a remote store: publish it, verify it, and read which release a server serves.

`publish(dataset, store)` pushes the current release of a `dist/` (the build's graphs, every
wave graph, and the materialised default graph when the release rule needed one) to a remote
SPARQL server:

1. each graph is uploaded (Graph Store Protocol `PUT`) under a *versioned staging name*,
   `…/graph/staging/<version>/<graph>`, which no reader's dataset names;
2. the staged graphs are counted on the server and compared with the release (triples per
   graph); a difference stops the publish, the staging graphs are dropped;
3. the switch: `MOVE` of every staged graph onto its served name, `DROP` of the previous
   release's graphs that the new one lacks, and the new served-release record in the control
   graph (`…/graph/control`: the release's JSON, its graph lists, and `owl:versionInfo` naming
   the publish, `Served.tag`). How depends on the server:
   - one SPARQL Update request where the server applies a request atomically (Oxigraph server:
     `Dialect.atomic_update`): every reader — through clusterkg or querying the server
     directly — sees the previous release or the new one, never a mix;
   - elsewhere (Virtuoso commits each `MOVE` as it goes) in steps: (A) one small update replaces
     the control record by a *switching* record naming both releases (`Switching`), (B) one
     request per `MOVE` and per `DROP` (bounded transactions, each retried on the server's
     lock timeout), the served graphs counted against the release, (C) the new record. A reader
     through clusterkg checks after every query that `owl:versionInfo` still names the publish
     it read: from (A) on it does not, so the reader waits for (C) (`ControlRecord`, bounded)
     and asks the new release, or fails with `ReleaseSwitching` — never a mixed answer. A reader
     querying the server directly sees the graphs change one by one during (B);
4. the served graphs are counted again against the release.

A publish that fails or is killed before step 3 leaves the previous release served and whole
(its leftovers are staging graphs, which the next publish drops); publishing the release already
served only verifies it (idempotent). A publish that fails or is killed during a stepwise switch
leaves the switching record: `served`, `open_served` and readers say that the switch was
interrupted, and the next publish repairs it (uploads its release again and switches). API
processes over the store read the control record (`served`) at start and poll it, so all of them
follow a publish.

One publish at a time: `publish` holds the store's publish lock (`publish_lock`) from its
first request to its last. `adopt(dataset, store)` records a release that the server's own
bulk loader put under the served names (a release too large for the one-request switch, which
Oxigraph server holds in memory whole: about 3 KB per triple moved).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox

from clusterkg import iris
from clusterkg.graph import publish_lock
from clusterkg.graph.release import Release, WaveRef, load_release
from clusterkg.graph.store import OxigraphStore, RdfFormat
from clusterkg.graph.stores.dialect import ReleaseSwitching, StoreTimeout
from clusterkg.graph.stores.remote import RemoteDataset, RemoteStore

CONTROL = publish_lock.CONTROL
STAGING = iris.graph_iri("staging/")
DEFAULT_GRAPH = iris.graph_iri("release/default")
RDF_VALUE = iris.RDF + "value"
RDF_JSON = iris.RDF + "JSON"
VERSION = iris.OWL + "versionInfo"
SWITCH_WAIT = 10.0  # seconds a reader waits for a stepwise switch to end (at most)
POLL = 0.2
TRIES = 3  # attempts of one switch step that the server stopped at its lock timeout


class PublishError(RuntimeError):
    """The publish stopped; the server still serves the release it served before."""


class SwitchFailed(PublishError):
    """A stepwise switch stopped half way: the server serves no whole release until the next
    publish repairs it (the switching record says so to every reader through clusterkg)."""


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


@dataclass(frozen=True)
class Switching:
    """The control record during a stepwise switch, and after one that was interrupted:
    the release served before (None: the first publish) and the one being switched to."""

    previous: Served | None
    next: Served
    since: str  # UTC, ISO 8601: when the switch began
    also: tuple[str, ...] = ()  # graphs an earlier interrupted switch may have left served

    @property
    def tag(self) -> str:
        """The record's `owl:versionInfo`: never a publish's tag, so `serves()` fails."""
        before = self.previous.tag if self.previous else "-"
        return f"switching {before} -> {self.next.tag}"

    def graphs(self) -> set[str]:
        """Every graph either release serves (what a repair must replace or drop)."""
        before = set() if self.previous is None else {*self.previous.default,
                                                       *self.previous.named}
        return before | set(self.next.triples) | set(self.also)

    def message(self, store: RemoteStore) -> str:
        before = self.previous.release.version if self.previous else "none"
        return (f"a publish to {store.url} is switching from release {before} to "
                f"{self.next.release.version} (since {self.since}); if no publish is running, "
                "it was interrupted during its switch: run `clusterkg publish --store URL` again")

    def as_json(self) -> dict[str, object]:
        return {"switching": {"previous": self.previous.as_json() if self.previous else None,
                              "next": self.next.as_json(), "since": self.since,
                              "also": list(self.also)}}

    @classmethod
    def from_json(cls, data: dict[str, object]) -> Switching:
        previous, new, since, also = (data["previous"], data["next"], data["since"],
                                      data.get("also", []))
        assert isinstance(new, dict) and (previous is None or isinstance(previous, dict))
        assert isinstance(also, list)
        return cls(None if previous is None else Served.from_json(previous),
                   Served.from_json(new), str(since), tuple(str(g) for g in also))


def staging_name(version: str, graph: str) -> str:
    """Where `graph` of release `version` is uploaded before the switch."""
    suffix = graph[len(iris.GRAPH):] if graph.startswith(iris.GRAPH) else graph
    return f"{STAGING}{version}/{suffix}"


def control_record(store: RemoteStore) -> Served | Switching | None:
    """The control graph's record as it is: a served release, a switch under way (or
    interrupted), or None before the first publish."""
    result = store.query(
        f"SELECT ?v WHERE {{ GRAPH <{CONTROL}> {{ <{CONTROL}> <{RDF_VALUE}> ?v }} }}",
        query_dataset=True)
    assert isinstance(result, ox.QuerySolutions)
    values = [row["v"].value for row in result if row["v"] is not None]
    del result  # pyoxigraph's answers must be dropped on the thread that made them
    if not values:
        return None
    if len(values) > 1:
        raise PublishError(f"{store.url}: {len(values)} served-release records in {CONTROL}")
    data = json.loads(values[0])
    if "switching" in data:
        return Switching.from_json(data["switching"])
    return Served.from_json(data)


def served(store: RemoteStore) -> Served | None:
    """The release `store` serves (None before the first publish); `ReleaseSwitching` while a
    publish switches, or after one was interrupted during its switch."""
    record = control_record(store)
    if isinstance(record, Switching):
        raise ReleaseSwitching(record.message(store))
    return record


def wait_served(store: RemoteStore, wait: float | None = None) -> Served | None:
    """`served`, waiting up to `wait` seconds for a switch under way to end; `ReleaseSwitching`
    if it does not. The default is `SWITCH_WAIT`, at most a quarter of the store's time limit
    (an API process gives its store the query time limit + 5 s: a reader gives up waiting,
    with a retryable error, well before its worker's time limit)."""
    bound = min(SWITCH_WAIT, store.timeout / 4) if wait is None else wait
    deadline = time.monotonic() + bound
    while True:
        try:
            return served(store)
        except ReleaseSwitching:
            if time.monotonic() >= deadline:
                raise
        time.sleep(POLL)


class ControlRecord:
    """The `Follower` of a release store: the control graph's record says what is served.
    `wait`: seconds a reader waits for a switch under way (None: `wait_served`'s default)."""

    def __init__(self, wait: float | None = None) -> None:
        self.wait = wait

    def serves(self, store: RemoteStore, version: str) -> bool:
        """`version` is the tag of a publish (`Served.tag`)."""
        result = store.query(
            f"ASK {{ GRAPH <{CONTROL}> {{ <{CONTROL}> <{VERSION}> {ox.Literal(version)} }} }}",
            query_dataset=True)
        return bool(result)

    def current(self, store: RemoteStore) -> RemoteDataset:
        now = wait_served(store, self.wait)
        if now is None:
            raise PublishError(f"{store.url} no longer serves a release")
        return now.dataset


def open_served(store: RemoteStore, *, wait: float | None = None) -> tuple[RemoteStore, Release]:
    """The store bound to the release it serves, and that release (for `serve --store`);
    waits up to `wait` s for a switch under way (`wait_served`)."""
    current = wait_served(store, wait)
    if current is None:
        raise PublishError(f"{store.url} serves no release: run `clusterkg publish --store URL`")
    return store.bound(current.dataset, ControlRecord(wait)), current.release


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


def _record_update(record: dict[str, object], tag: str, *, replace: bool) -> str:
    """One update operation that writes the control record: `replace` one that exists (one
    operation, so that no reader finds the control graph empty between a delete and an insert),
    else insert the first. (Virtuoso finds no solution for `OPTIONAL` over an empty graph, so
    one operation cannot do both.)"""
    literal = ox.Literal(json.dumps(record, sort_keys=True), datatype=ox.NamedNode(RDF_JSON))
    triples = f"<{CONTROL}> <{RDF_VALUE}> {literal} ; <{VERSION}> {ox.Literal(tag)}"
    if not replace:
        return f"INSERT DATA {{ GRAPH <{CONTROL}> {{ {triples} }} }}"
    return (f"DELETE {{ GRAPH <{CONTROL}> {{ <{CONTROL}> ?p ?o }} }} "
            f"INSERT {{ GRAPH <{CONTROL}> {{ {triples} }} }} "
            f"WHERE {{ GRAPH <{CONTROL}> {{ <{CONTROL}> ?p ?o }} }}")


def _switch(old: set[str], new: Served, version: str, *, replace: bool) -> str:
    """The one-request switch (servers with `atomic_update`)."""
    moves = [f"MOVE <{staging_name(version, g)}> TO <{g}>" for g in new.triples]
    drops = [f"DROP SILENT GRAPH <{g}>" for g in sorted(old - set(new.triples))]
    return " ;\n".join([*moves, *drops,
                         _record_update(new.as_json(), new.tag, replace=replace)])


def _check_record(store: RemoteStore, new: Served) -> None:
    """The control record names the new release, as written (read back)."""
    if control_record(store) != new:
        raise PublishError(f"{store.url}: the control record does not name release "
                           f"{new.release.version} after the switch")


def _step(store: RemoteStore, sparql: str, done: Callable[[], bool] = lambda: False) -> None:
    """One request of a stepwise switch; retried (up to `TRIES`) when the server stopped it at
    its lock timeout (Virtuoso's SR171 under concurrent readers) and `done()` says it did not
    take effect after all."""
    for attempt in range(1, TRIES + 1):
        try:
            store.update(sparql)
            return
        except StoreTimeout:
            if done():
                return
            if attempt == TRIES:
                raise
            time.sleep(attempt)


def _switching(store: RemoteStore) -> bool:
    """Whether the control record is a switching record (True when it cannot be read)."""
    try:
        return isinstance(control_record(store), Switching)
    except Exception:
        return True


def _switch_in_steps(store: RemoteStore, old: set[str], switching: Switching, version: str,
                     during: Callable[[str], None], *, replace: bool) -> None:
    """The stepwise switch (A: switching record; B: MOVEs and DROPs, verified; C: the new
    record). A failure after A is a `SwitchFailed`, and the switching record stays."""
    new = switching.next
    steps = 0
    try:
        _step(store, _record_update(switching.as_json(), switching.tag, replace=replace))
        during("marked")
        for graph, n in new.triples.items():
            source = staging_name(version, graph)

            def moved(source: str = source, graph: str = graph, n: int = n) -> bool:
                return store.triples_per_graph([source, graph]) == {source: 0, graph: n}

            _step(store, f"MOVE <{source}> TO <{graph}>", moved)
            steps += 1
            during(f"moved {graph}")
        for graph in sorted(old - set(new.triples)):
            _step(store, f"DROP SILENT GRAPH <{graph}>")
            steps += 1
            during(f"dropped {graph}")
        _verify(store, new.triples, lambda g: g, "served")
        _step(store, _record_update(new.as_json(), new.tag, replace=True))
        _check_record(store, new)
    except Exception as exc:
        if steps == 0 and not _switching(store):
            raise  # the switching record was never written: the previous release is served
        raise SwitchFailed(
            f"{store.url}: the switch to release {version} stopped after {steps} of "
            f"{len(new.triples) + len(old - set(new.triples))} steps ({exc}); the store serves "
            "no whole release until `clusterkg publish --store URL` runs again") from exc
    during("recorded")


def publish(
    dataset: Path,
    store: RemoteStore,
    *,
    before_switch: Callable[[], None] = lambda: None,
    during_switch: Callable[[str], None] = lambda _: None,
    progress: Callable[[str], None] = lambda _: None,
    lock_ttl: float = publish_lock.TTL,
) -> tuple[Served, bool]:
    """Publish the current release of the dump `dataset` to `store`; returns what is served
    and whether anything changed (False: that release was served already, and verified).
    `before_switch` runs once the staged graphs are verified, `during_switch` after each request
    of the switch with its step's name (tests stop or slow a publish there). The store's
    publish lock is held throughout (`publish_lock`: `StoreLocked` if another publish holds
    it; `lock_ttl`, how long it outlives a killed publisher)."""
    local, release = load_release(dataset)
    with publish_lock.held(store, publish_lock.who(release.version), lock_ttl) as lock:
        return _publish(local, release, store, lock, before_switch, during_switch, progress)


def _publish(
    local: OxigraphStore,
    release: Release,
    store: RemoteStore,
    lock: publish_lock.PublishLock,
    before_switch: Callable[[], None],
    during_switch: Callable[[str], None],
    progress: Callable[[str], None],
) -> tuple[Served, bool]:
    """`publish`, under the store's lock."""
    graphs = _graphs(local)
    triples = {g: _count(data) for g, data in graphs.items()}
    named = tuple(sorted(g for g in graphs if g != DEFAULT_GRAPH))
    default = (DEFAULT_GRAPH,) if DEFAULT_GRAPH in graphs else named
    record = control_record(store)
    interrupted = record if isinstance(record, Switching) else None
    now = interrupted.previous if interrupted else record
    assert not isinstance(now, Switching)
    switches = max(now.switch if now else 0, interrupted.next.switch if interrupted else 0)
    new = Served(release, default, named, triples, 1 + switches)
    if interrupted is not None:
        progress(f"{interrupted.message(store)}: repairing")
    elif now is not None and now.release.version == release.version:
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
    lock.check()  # still ours: else another publish took it, and its staging is not ours
    old = interrupted.graphs() if interrupted else (
        set() if now is None else {*now.default, *now.named})
    if store.dialect.atomic_update:
        progress(f"switching {len(graphs)} graphs to release {version} in one request")
        store.update(_switch(old, new, version, replace=record is not None))
        during_switch("switched")
        _check_record(store, new)
    else:
        progress(f"switching {len(graphs)} graphs to release {version} step by step")
        since = datetime.now(UTC).isoformat(timespec="seconds")
        switching = Switching(now, new, since, tuple(sorted(old)) if interrupted else ())
        _switch_in_steps(store, old, switching, version, during_switch,
                         replace=record is not None)
    _verify(store, triples, lambda g: g, "served")
    return new, True


def adopt(dataset: Path, store: RemoteStore, *,
          lock_ttl: float = publish_lock.TTL) -> Served:
    """Record as served the release of the dump `dataset` that the server's own bulk loader
    put into `store` under the served graph names (for example `oxigraph load --file DUMP`
    into the server's folder while it was stopped): for a release too large for the
    one-request switch, which a server applying an update atomically holds in memory whole.

    Refused (`PublishError`) unless the store serves nothing yet, the release has no
    materialised default graph (its dump's graph names are then the served names), and the
    store's graphs hold exactly the release's triples per graph; then the control record is
    written and read back, under the publish lock."""
    local, release = load_release(dataset)
    if not local.union_default:
        raise PublishError(f"{dataset}: the release materialises a default graph; publish it")
    result = local.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    assert isinstance(result, ox.QuerySolutions)
    triples = {row["g"].value: int(row["n"].value) for row in result}
    del result, local
    named = tuple(sorted(triples))
    new = Served(release, named, named, triples, 1)
    with publish_lock.held(store, publish_lock.who(release.version), lock_ttl):
        if control_record(store) is not None:
            raise PublishError(f"{store.url} already has a served-release record: publish to it")
        _verify(store, triples, lambda g: g, "loaded")
        store.update(_record_update(new.as_json(), new.tag, replace=False))
        _check_record(store, new)
    return new
