"""A release written once into an on-disk Oxigraph store, for an engine process to open read-only.

`serve --engine oxigraph` (issue 17) serves a release through an Oxigraph server process of its
own instead of an in-memory store copied into every worker. That server opens a RocksDB folder;
this module writes it: `release_store(dataset)` returns `<release folder>/oxigraph/<version>/`,
writing it first if it is missing. The folder holds exactly what `clusterkg publish` leaves on
a remote server (`graph.remote_release`): the release's named graphs, the materialised default
graph as `graph/release/default` when the release rule made one, and the control record naming
the release, so the remote-store code reads it unchanged (`open_served`).

Written once and atomically: the store is bulk-loaded into a temporary folder beside the final
one, counted against the release, and renamed into place; a half-written store is never
opened (a crash leaves only a `.tmp-*` folder, removed by the next writer), and two processes
writing the same release at once both end up opening the one that was renamed first. A later
start only opens it. The write runs in a child process (`python -m
clusterkg.graph.stores.disk_release DATASET`), so the serving process never holds the release
in memory.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox

from clusterkg.graph import waves
from clusterkg.graph.release import Release, ReleaseError, WaveRef, check_build, load_release
from clusterkg.graph.remote_release import DEFAULT_GRAPH, Served, control_update
from clusterkg.graph.store import RdfFormat
from clusterkg.paths import DistLayout

FOLDER = "oxigraph"
COUNTS = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"


def _quick_release(dataset: Path) -> Release | None:
    """The release of `dataset` if its dump alone is it (no wave, no triple stated in two
    graphs: the union of the named graphs is the default graph): then the dump file is loaded
    straight into the disk store, never into memory. None otherwise."""
    dump, build_id, sha, quads, triples = check_build(dataset)
    if waves.list_waves(DistLayout.of_dataset(dataset).root) or triples != quads:
        return None
    return Release(build_id, sha, quads, (), dump.parent)


def _write(dataset: Path, folder: Path) -> Release:
    """Bulk-load the release of `dataset` into the empty on-disk store `folder`."""
    disk = ox.Store(str(folder))
    release = _quick_release(dataset)
    if release is not None:
        dump = check_build(dataset)[0]
        disk.bulk_load(path=str(dump), format=RdfFormat.from_path(dump).oxigraph)
        if len(disk) != release.dump_quads:
            raise ReleaseError(f"{dataset}: {len(disk)} quads where the manifest states "
                               f"{release.dump_quads}")
    else:  # waves or restated triples: the release rule's default graph, materialised
        local, release = load_release(dataset)
        default = ox.NamedNode(DEFAULT_GRAPH)
        disk.bulk_extend(
            ox.Quad(q.subject, q.predicate, q.object, default)
            if isinstance(q.graph_name, ox.DefaultGraph) else q
            for q in local.native)
        del local
    counts = disk.query(COUNTS)
    assert isinstance(counts, ox.QuerySolutions)
    triples = {row["g"].value: int(row["n"].value) for row in counts}
    named = tuple(sorted(g for g in triples if g != DEFAULT_GRAPH))
    served = Served(release, (DEFAULT_GRAPH,) if DEFAULT_GRAPH in triples else named,
                    named, triples, 1)
    disk.update(control_update(served, replace=False))
    disk.optimize()
    disk.flush()
    del disk
    return release


def store_folder(dataset: Path, release: Release) -> Path:
    """Where the on-disk store of `release` (served from `dataset`) lives."""
    return check_build(dataset)[0].parent / FOLDER / release.version


def write_release_store(dataset: Path) -> Path:
    """The on-disk store of the current release of `dataset`, written now if missing (in this
    process: `release_store` runs it in a child)."""
    root = check_build(dataset)[0].parent / FOLDER
    root.mkdir(exist_ok=True)
    for stale in root.glob(".tmp-*"):
        if not stale.name.endswith(f"-{os.getpid()}"):
            shutil.rmtree(stale, ignore_errors=True)
    temporary = root / f".tmp-{os.getpid()}"
    shutil.rmtree(temporary, ignore_errors=True)
    try:
        release = _write(dataset, temporary)
        final = root / release.version
        try:
            temporary.rename(final)
        except OSError:
            if not (final / "CURRENT").exists():  # not another writer's finished store
                raise
    finally:
        shutil.rmtree(temporary, ignore_errors=True)
    return final


def _release_of(dataset: Path) -> Release:
    """The release `dataset` names, without loading it (checksums only)."""
    dump, build_id, sha, quads, _ = check_build(dataset)
    layout = DistLayout.of_dataset(dataset)
    refs = []
    for name in waves.list_waves(layout.root):
        try:
            _, count, wave_sha = waves.read_sealed(layout.wave(name))
        except waves.WaveError as exc:
            raise ReleaseError(str(exc)) from exc
        refs.append(WaveRef(name, count, wave_sha))
    return Release(build_id, sha, quads, tuple(refs), dump.parent)


def release_store(dataset: Path) -> Path:
    """The on-disk store of the current release of `dataset`: opened if it exists, else
    written by a child process first (`ReleaseError` with its reason if that fails)."""
    folder = store_folder(dataset, _release_of(dataset))
    if (folder / "CURRENT").exists():
        return folder
    done = subprocess.run(
        [sys.executable, "-m", "clusterkg.graph.stores.disk_release", str(dataset)],
        capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise ReleaseError(f"writing the on-disk store of {dataset} failed: "
                           f"{done.stderr.strip()[-2000:]}")
    written = Path(json.loads(done.stdout)["store"])
    if written != folder:
        raise ReleaseError(f"the release of {dataset} changed while its store was written "
                           f"({written.name}, expected {folder.name}); start again")
    return folder


if __name__ == "__main__":
    print(json.dumps({"store": str(write_release_store(Path(sys.argv[1])))}))
