"""A release written once into an on-disk Oxigraph store, for an engine process to open read-only.

`serve --engine oxigraph` (issue 17) serves a release through an Oxigraph server process of its
own instead of an in-memory store copied into every worker. That server opens a RocksDB folder;
this module writes it: `release_store(dataset)` returns `<release folder>/oxigraph/<version>/`,
writing it first if it is missing. The folder holds the release as the embedded store holds
it (`graph.release.load_release`): the dump's named graphs, and the release rule's default
graph in the store's default graph when the rule made one (else the default graph is the union
of the named graphs, which the engine is asked for per query, as the embedded
store queries it). `release.json` beside the data records the release (`Served`, as a remote
store's control record does) and which default graph applies. A control graph inside the store
was tried first: the engine must then be sent the release's graph list with every query, and
Oxigraph evaluates a default graph made of nine named graphs 3-6x slower than its union
default graph (1M triples: 0.9-1.1 s against 0.15-0.22 s for `national-annual-budgets`).

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
from clusterkg.graph.release import (
    Release,
    ReleaseError,
    WaveRef,
    check_build,
    described_build,
    load_release,
)
from clusterkg.graph.remote_release import Served
from clusterkg.graph.store import RdfFormat
from clusterkg.paths import DistLayout

FOLDER = "oxigraph"
RECORD = "release.json"
COUNTS = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"


def _write(dataset: Path, folder: Path) -> Release:
    """Bulk-load the release of `dataset` into the empty on-disk store `folder`, and record
    it in `folder/release.json`. The dump is checked against its manifest here (checksum,
    count), once: a later start only reads the record."""
    disk = ox.Store(str(folder))
    dump, build_id, sha, quads, distinct = check_build(dataset)
    if not waves.list_waves(DistLayout.of_dataset(dataset).root) and distinct == quads:
        # no wave, no triple in two graphs: the union of the named graphs is the default
        # graph, and the dump goes straight into the disk store, never into memory
        release = Release(build_id, sha, quads, (), dump.parent)
        disk.bulk_load(path=str(dump), format=RdfFormat.from_path(dump).oxigraph)
        if len(disk) != release.dump_quads:
            raise ReleaseError(f"{dataset}: {len(disk)} quads where the manifest states "
                               f"{release.dump_quads}")
        union = True
    else:  # waves or restated triples: the release rule's default graph, materialised
        local, release = load_release(dataset)
        disk.bulk_extend(local.native)
        if len(disk) != len(local):
            raise ReleaseError(f"{dataset}: {len(disk)} quads written of {len(local)}")
        del local
        union = False
    counts = disk.query(COUNTS)
    assert isinstance(counts, ox.QuerySolutions)
    triples = {row["g"].value: int(row["n"].value) for row in counts}
    named = tuple(sorted(triples))
    disk.optimize()
    disk.flush()
    del disk
    record = Served(release, named if union else (), named, triples, 1).as_json()
    (folder / RECORD).write_text(json.dumps({**record, "union_default": union}, indent=2))
    return release


def read_record(folder: Path) -> tuple[Release, bool]:
    """The release an on-disk store holds, and whether its default graph is the union of
    its named graphs (asked for per query: `union-default-graph`)."""
    data = json.loads((folder / RECORD).read_text())
    return Served.from_json(data).release, bool(data["union_default"])


def store_folder(dataset: Path, release: Release) -> Path:
    """Where the on-disk store of `release` (served from `dataset`) lives."""
    return dataset.resolve().parent / FOLDER / release.version


def write_release_store(dataset: Path) -> Path:
    """The on-disk store of the current release of `dataset`, written now if missing (in this
    process: `release_store` runs it in a child)."""
    root = dataset.resolve().parent / FOLDER
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
            if not (final / RECORD).exists():  # not another writer's finished store
                raise
    finally:
        shutil.rmtree(temporary, ignore_errors=True)
    return final


def _release_of(dataset: Path) -> Release:
    """The release `dataset` names as its manifest and wave seals state it, without reading
    the dump (it was checked when its store was written)."""
    dump, build_id, sha, quads = described_build(dataset)
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
    if (folder / RECORD).exists():
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
