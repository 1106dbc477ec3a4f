"""A release: one build plus the survey waves in it, checked before it is served.

A build writes a manifest (`build.json`) beside its dump naming the dump's quad count and
SHA-256; every wave file carries its own count and checksum (`graph.waves`). `load_release` is
the one loader every reader uses (the service at start and on reload, `clusterkg query`, the
build itself): it resolves the release folder once, refuses a dump or a wave that does not
match what was written (a 0-byte dump, a dump cut at a line boundary, an edited wave), loads the
build's named graphs and every wave as its own named graph, and materialises the default graph
by the release rule (`graph.materialise`). A refused release raises `ReleaseError`; whoever
was serving the previous release keeps serving it.

A release's version names its build and each wave with a checksum prefix
(`20261202T163100Z-1a2b3c4d+2018.5e6f7a8b+2021.9c0d1e2f`), so an `ETag` or a catalogue entry
built from it changes whenever any data served changes, and only then.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from clusterkg import iris
from clusterkg.graph import materialise, waves
from clusterkg.graph.store import OxigraphStore, RdfFormat
from clusterkg.paths import DUMP_NAME, MANIFEST_NAME, DistLayout

CHUNK = 1 << 20


class ReleaseError(RuntimeError):
    """A release that must not be served; the message names the file and what differs."""


@dataclass(frozen=True)
class WaveRef:
    """A wave in a release: its name, quad count and the SHA-256 of its data."""

    name: str
    quads: int
    sha256: str


@dataclass(frozen=True)
class Release:
    """What is served: the build (its id, dump checksum and size) and the waves applied to it,
    in the order they are applied (name order: the later wave wins)."""

    build: str
    dump_sha256: str
    dump_quads: int
    waves: tuple[WaveRef, ...] = ()
    folder: Path | None = field(default=None, compare=False)

    @property
    def version(self) -> str:
        """Build id and checksum, then `+name.checksum` per wave: safe in an ETag."""
        parts = [f"{self.build}-{self.dump_sha256[:8]}"]
        parts += [f"{w.name}.{w.sha256[:8]}" for w in self.waves]
        return "+".join(parts)

    @property
    def wave_names(self) -> list[str]:
        return [w.name for w in self.waves]

    def as_json(self) -> dict[str, object]:
        return {
            "version": self.version,
            "build": self.build,
            "dump": {"quads": self.dump_quads, "sha256": self.dump_sha256},
            "waves": [{"name": w.name, "quads": w.quads, "sha256": w.sha256} for w in self.waves],
        }


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


DISTINCT_TRIPLES = "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }"


def distinct_triples(store: OxigraphStore) -> int:
    """Triples of a store being built (union of its graphs), each counted once."""
    if not store.union_default:
        raise ValueError("count the distinct triples of a store before it becomes a release")
    result = store.query(DISTINCT_TRIPLES)
    assert isinstance(result, ox.QuerySolutions)
    row = next(iter(result))
    count = row["n"]
    assert count is not None
    return int(count.value)


def manifest_entry(build_id: str, dump: Path, store: OxigraphStore) -> dict[str, object]:
    """The `release` block a build writes into its manifest for the dump of `store` it wrote:
    quads and SHA-256 of the dump, and how many distinct triples the graphs hold together."""
    return {
        "id": build_id,
        "dump": {
            "file": dump.name,
            "quads": len(store),
            "triples": distinct_triples(store),
            "sha256": file_sha256(dump),
        },
    }


def write_manifest(dump: Path, build_id: str | None = None) -> Path:
    """Write a manifest beside a dump made outside `clusterkg build` (benchmarks, fixtures), so
    that it can be served; the count is that of the dump as Oxigraph reads it."""
    store = OxigraphStore()
    store.load(dump, RdfFormat.from_path(dump))
    entry = manifest_entry(build_id or dump.stem, dump, store)
    target = dump.parent / MANIFEST_NAME
    target.write_text(json.dumps({"release": entry}, indent=2), encoding="utf-8")
    return target


def _read_manifest(folder: Path) -> dict[str, object]:
    path = folder / MANIFEST_NAME
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ReleaseError(
            f"{path} not found: no manifest to check the dump against (run `clusterkg build`)"
        ) from exc
    except (OSError, ValueError) as exc:
        raise ReleaseError(f"{path}: unreadable manifest ({exc})") from exc
    entry = data.get("release") if isinstance(data, dict) else None
    if not isinstance(entry, dict) or not isinstance(entry.get("dump"), dict):
        raise ReleaseError(f"{path}: no 'release' block with the dump's count and checksum")
    return entry


def _described(dataset: Path) -> tuple[Path, dict[str, object], dict[str, object]]:
    """The dump `dataset` names (resolved), its manifest's release entry and that entry's dump
    block; a clear error when there is no dataset or no manifest describing one."""
    if not dataset.exists():
        raise ReleaseError(f"dataset {dataset} not found: build it first (clusterkg build)")
    dump = dataset.resolve()
    entry = _read_manifest(dump.parent)
    described = entry["dump"]
    assert isinstance(described, dict)
    return dump, entry, described


def described_build(dataset: Path) -> tuple[Path, str, str, int]:
    """(dump path, build id, SHA-256, quads) as the manifest states them, without reading the
    dump: for a copy of the release that was checked against the dump when it was written
    (`graph.stores.disk_release`), which then needs only the release's name."""
    dump, entry, described = _described(dataset)
    sha, quads = described.get("sha256"), described.get("quads")
    if described.get("file") != dump.name or not isinstance(sha, str) or not isinstance(
            quads, int):
        raise ReleaseError(f"{dump.parent / MANIFEST_NAME} does not describe {dump.name!r}")
    return dump, str(entry.get("id") or dump.parent.name), sha, quads


def check_build(dataset: Path) -> tuple[Path, str, str, int, int | None]:
    """Resolve the release folder of `dataset` and check its dump against the manifest.

    Returns (dump path, build id, sha256, quads, distinct triples if stated); the dump's quad
    count is checked when it is loaded (`load_release`)."""
    dump, entry, described = _described(dataset)
    if described.get("file") != dump.name:
        raise ReleaseError(
            f"{dump.parent / MANIFEST_NAME} describes {described.get('file')!r}, not {dump.name!r}"
        )
    actual = file_sha256(dump)
    if actual != described.get("sha256"):
        size = dump.stat().st_size
        raise ReleaseError(
            f"{dump}: SHA-256 {actual[:16]}… ({size} bytes) differs from the manifest's "
            f"{str(described.get('sha256'))[:16]}…: the dump is not the one the build wrote "
            "(cut, emptied or edited); refusing to serve it"
        )
    quads = described.get("quads")
    if not isinstance(quads, int):
        raise ReleaseError(f"{dump.parent / MANIFEST_NAME}: the dump's quad count is missing")
    triples = described.get("triples")
    build_id = str(entry.get("id") or dump.parent.name)
    return dump, build_id, actual, quads, triples if isinstance(triples, int) else None


def load_release(dataset: Path) -> tuple[OxigraphStore, Release]:
    """The one loader of a release: verified dump + verified waves, default graph materialised.

    `dataset` is the dump's path as configured (`dist/clusterkg.nq`); waves are read from the
    `waves/` folder of that same `dist/`."""
    dump, build_id, sha, quads, triples = check_build(dataset)
    store = OxigraphStore()
    try:
        store.load(dump, RdfFormat.from_path(dump))
    except (SyntaxError, ValueError, OSError) as exc:
        raise ReleaseError(f"{dump}: unreadable dump ({exc})") from exc
    if len(store) != quads:
        raise ReleaseError(
            f"{dump}: {len(store)} quads where the manifest states {quads}; refusing to serve it"
        )
    layout = DistLayout.of_dataset(dataset)
    refs = []
    for name in waves.list_waves(layout.root):
        path = layout.wave(name)
        try:
            data, count, wave_sha = waves.read_sealed(path)
        except waves.WaveError as exc:
            raise ReleaseError(str(exc)) from exc
        before = len(store)
        store.load(data, RdfFormat.NQUADS)
        if len(store) - before != count:
            raise ReleaseError(f"{path}: {len(store) - before} quads where it states {count}")
        refs.append(WaveRef(name, count, wave_sha))
    release = Release(build_id, sha, quads, tuple(refs), dump.parent)
    if not refs and triples == quads:
        # No wave, and no triple in two graphs (the build states each once): the union of the
        # graphs already is the rule's default graph, as a set; copying it would only double
        # memory and load time (a million triples: about twice the seconds and the bytes).
        return store, release
    materialise.default_graph(store, [r.name for r in refs])
    return store.as_release(), release


REFERENCE_GRAPHS = ("ontology", "vocabularies")


def wave_dataset(release: Release, name: str) -> list[str]:
    """The default graphs that ask about one wave alone (`?wave=` on the named queries and the
    JSON-LD API): the wave's graph plus the ontology and vocabularies it refers to (labels of
    countries, concepts). Pass them as `Store.query(default_graphs=...)`, or as FROM clauses."""
    if name not in release.wave_names:
        known = ", ".join(release.wave_names) or "none"
        raise ReleaseError(f"no wave named {name!r} in release {release.version} (waves: {known})")
    return [materialise.wave_graph(name), *(iris.graph_iri(g) for g in REFERENCE_GRAPHS)]


def release_of_layout(dist: Path) -> tuple[OxigraphStore, Release]:
    """`load_release` for a build output folder."""
    return load_release(DistLayout(dist).dump)


__all__ = [
    "DUMP_NAME",
    "Release",
    "ReleaseError",
    "WaveRef",
    "check_build",
    "described_build",
    "load_release",
    "manifest_entry",
    "release_of_layout",
    "wave_dataset",
    "write_manifest",
]
