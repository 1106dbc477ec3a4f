"""Survey waves: validated survey data kept as one named graph per wave beside the build.

A wave is loaded all or nothing: its files are validated first (`loaders.survey`), and only a
wave without violations is written, atomically, to `dist/waves/<name>.nq`, in the graph
`https://w3id.org/clusterkg/graph/wave/<name>` with its provenance (a `ckg:SurveyWave` activity
that used each file, with name and SHA-256, and when). A wave name that exists is refused unless
`replace` is set. A wave file is sealed: its first line (an N-Quads comment) states its quad
count and the SHA-256 of the rest, so a release never takes in a cut or edited wave
(`graph.release` checks it). Writers hold the dist folder's lock, and leftovers of a killed load
(`.<name>.nq.*` temporary files) are removed by the next one.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

import pyoxigraph as ox

from clusterkg import iris
from clusterkg.graph import materialise, provenance
from clusterkg.graph.cells import cells
from clusterkg.graph.locking import dist_lock
from clusterkg.graph.store import OxigraphStore, RdfFormat
from clusterkg.loaders.mapper import mappings
from clusterkg.loaders.survey.spec import DEFAULT_CONTEXT, SurveyContext
from clusterkg.loaders.survey.validate import MAX_BYTES, SurveyResult, validate_inputs
from clusterkg.paths import DistLayout

REPORT = "report"
SEAL = re.compile(rb"^# clusterkg-wave quads=(?P<quads>\d+) sha256=(?P<sha>[0-9a-f]{64})\n")
NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
CKG = iris.ONTOLOGY
PROV = iris.PROV
RDF_TYPE = iris.RDF + "type"
RDFS_LABEL = iris.RDFS + "label"
XSD = iris.XSD
PROGRAMME_CLASSES = {
    CKG + n
    for n in (
        "ClusterProgramme",
        "NationalClusterProgramme",
        "RegionalClusterProgramme",
        "NonEuropeanClusterProgramme",
    )
}
NOT_COMPARED = {PROV + "wasDerivedFrom", CKG + "surveyWave"}


class WaveError(RuntimeError):
    """A wave that was not loaded; the message says why. `result` holds the validation report."""

    def __init__(self, message: str, result: SurveyResult | None = None) -> None:
        super().__init__(message)
        self.result = result


def waves_dir(dist: Path) -> Path:
    return DistLayout(dist).waves


def wave_graph_iri(name: str) -> str:
    return str(materialise.wave_graph(name))


def wave_iri(name: str) -> str:
    return iris.resource_iri("wave", name)


def wave_path(dist: Path, name: str) -> Path:
    return DistLayout(dist).wave(name)


def check_name(name: str) -> None:
    if not NAME.match(name):
        raise WaveError(
            f"wave name {name!r}: use lower-case letters, digits and hyphens (e.g. 2025-spring)"
        )
    if name == REPORT:
        raise WaveError(f"wave name {name!r} is reserved: it names the report in `diff`")


def list_waves(dist: Path) -> list[str]:
    directory = waves_dir(dist)
    return sorted(p.stem for p in directory.glob("*.nq")) if directory.is_dir() else []


def _n(value: str) -> ox.NamedNode:
    return ox.NamedNode(value)


T = TypeVar("T")


def wave_quads(
    name: str, result: SurveyResult, files: Sequence[tuple[str, bytes]], loaded: datetime
) -> list[ox.Quad]:
    """The wave's data and provenance, all in the wave's named graph.

    Excerpt IRIs of survey rows name the file; they are moved under the wave so that two waves
    with files of the same name never share a resource."""
    graph = _n(wave_graph_iri(name))
    wave = _n(wave_iri(name))
    file_iri = {f: f"{wave_iri(name)}/file/{iris.slug(f)}" for f, _ in files}
    rewrites = {iris.document_iri(f) + "/": file_iri[f] + "/" for f, _ in files}

    def move(term: T) -> T:
        if isinstance(term, ox.NamedNode):
            for old, new in rewrites.items():
                if term.value.startswith(old):
                    return ox.NamedNode(new + term.value[len(old) :])  # type: ignore[return-value]
        return term

    quads = []
    excerpts: set[str] = set()
    subjects: set[str] = set()
    for quad in result.data.quads_for_pattern(None, None, None, ox.DefaultGraph()):
        p = quad.predicate
        s2, o2 = move(quad.subject), move(quad.object)
        if p.value == PROV + "wasDerivedFrom":
            excerpts.add(o2.value)  # type: ignore[union-attr]
        if p.value == RDF_TYPE and isinstance(s2, ox.NamedNode) and s2.value.startswith(iris.ID):
            subjects.add(s2.value)
        quads.append(ox.Quad(s2, p, o2, graph))
    stated = {q.triple for q in quads}
    table = mappings()
    for record in result.records:
        src = record.source
        excerpt = move(
            ox.NamedNode(iris.excerpt_iri(src.document, src.table, src.line_start, src.line_end))
        ).value
        if excerpt not in excerpts:
            continue
        excerpts.discard(excerpt)
        row, where = _n(excerpt), f"{src.document}, {src.table}, row {src.line_start}"
        doc, lines = _n(file_iri[src.document]), (src.line_start, src.line_end)
        quads += provenance.describe_excerpt(row, doc, where, lines, src.table, graph)
        quads += provenance.describe_answer(row, record.values, graph)
        used: dict[str, int] = {}
        for column, triple in cells(table[record.kind], record) if record.kind in table else ():
            if triple not in stated:
                continue
            used[column] = used.get(column, 0) + 1
            suffix = "" if used[column] == 1 else f"-{used[column]}"
            cell = _n(f"{excerpt}/{iris.slug(column)}{suffix}")
            label = f"{where}, column {column}"
            quads += provenance.describe_excerpt(cell, doc, label, lines, src.table, graph, column)
            quads += provenance.describe_cell(cell, row, triple, column, graph)
    sha = {f: hashlib.sha256(data).hexdigest() for f, data in files}
    used_files = {f: (_n(file_iri[f]), sha[f]) for f, _ in files}
    quads += provenance.wave_activity_quads(wave, name, used_files, loaded, graph)
    quads += [ox.Quad(_n(s), _n(CKG + "surveyWave"), wave, graph) for s in sorted(subjects)]
    return quads


def seal(data: bytes, quads: int) -> bytes:
    """The wave file: a comment line with the count and checksum of `data`, then `data`."""
    digest = hashlib.sha256(data).hexdigest()
    return f"# clusterkg-wave quads={quads} sha256={digest}\n".encode() + data


def read_sealed(path: Path) -> tuple[bytes, int, str]:
    """A wave file's data, quad count and checksum; `WaveError` unless the seal matches."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise WaveError(f"wave file {path}: unreadable ({exc})") from exc
    match = SEAL.match(raw)
    if match is None:
        raise WaveError(
            f"wave file {path}: no seal line (quads and SHA-256); it was not written by "
            "`clusterkg load` — load the wave again with --replace"
        )
    data = raw[match.end() :]
    digest = hashlib.sha256(data).hexdigest()
    if digest != match["sha"].decode():
        raise WaveError(
            f"wave file {path}: SHA-256 of its data {digest[:16]}… differs from its seal "
            f"{match['sha'].decode()[:16]}…: the file was cut or edited; refusing it"
        )
    return data, int(match["quads"]), digest


def remove_leftovers(dist: Path) -> list[Path]:
    """Temporary files of loads that were killed before their rename (call under the lock)."""
    directory = waves_dir(dist)
    found = sorted(directory.glob(".*.nq.*")) if directory.is_dir() else []
    for path in found:
        path.unlink(missing_ok=True)
    return found


def _write_atomically(target: Path, data: bytes, replace: bool) -> None:
    """Write beside the target, then rename (replace) or hard-link (never overwrite)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if replace:
            os.replace(tmp, target)
        else:
            try:
                os.link(tmp, target)
            except FileExistsError as exc:
                raise WaveError(
                    f"wave {target.stem!r} exists: use --replace to replace it"
                ) from exc
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


@dataclass
class LoadedWave:
    name: str
    path: Path
    quads: int
    result: SurveyResult
    replaced: bool = False
    files: list[str] = field(default_factory=list)


def prepare_wave(
    files: Sequence[tuple[str, bytes]],
    name: str,
    *,
    context: SurveyContext = DEFAULT_CONTEXT,
    max_bytes: int = MAX_BYTES,
) -> tuple[bytes, int, SurveyResult]:
    """Validate `files` and, when there is no violation, the sealed wave file's bytes and its
    quad count (with the validation result); `WaveError` otherwise. Writes nothing."""
    check_name(name)
    result = validate_inputs(files, context, max_bytes)
    if not result.conforms:
        what = "unusable input" if result.unusable else f"{len(result.violations)} violations"
        raise WaveError(f"wave {name!r} not loaded, nothing changed: {what}", result)
    quads = wave_quads(name, result, files, datetime.now(UTC))
    store = ox.Store()
    store.extend(quads)
    data = store.dump(format=ox.RdfFormat.N_QUADS)
    assert data is not None
    return seal(data, len(store)), len(store), result


def write_wave(sealed: bytes, name: str, dist: Path, *, replace: bool = False) -> tuple[Path, bool]:
    """Write a sealed wave file (from `prepare_wave`) as wave `name` of `dist`, atomically and
    under the dist lock: its path, and whether it replaced a wave of that name."""
    check_name(name)
    target = wave_path(dist, name)
    dist.mkdir(parents=True, exist_ok=True)
    with dist_lock(DistLayout(dist)):
        remove_leftovers(dist)
        existed = target.exists()
        if existed and not replace:
            raise WaveError(f"wave {name!r} exists ({target}): use --replace to replace it")
        _write_atomically(target, sealed, replace)
    return target, existed


def load_wave(
    files: Sequence[tuple[str, bytes]],
    name: str,
    dist: Path,
    *,
    replace: bool = False,
    context: SurveyContext = DEFAULT_CONTEXT,
    max_bytes: int = MAX_BYTES,
) -> LoadedWave:
    """Validate `files` and, when there is no violation, write them as wave `name`."""
    check_name(name)
    target = wave_path(dist, name)
    if target.exists() and not replace:
        raise WaveError(f"wave {name!r} exists ({target}): use --replace to replace it")
    sealed, quads, result = prepare_wave(files, name, context=context, max_bytes=max_bytes)
    path, existed = write_wave(sealed, name, dist, replace=replace)
    return LoadedWave(name, path, quads, result, existed, [f for f, _ in files])


def add_waves(store: OxigraphStore, dist: Path) -> list[str]:
    """Load every wave of `dist/waves/` into `store` as its named graph, each checked against
    its seal (the served release does this through `graph.release.load_release`)."""
    names = list_waves(dist)
    for name in names:
        data, _, _ = read_sealed(wave_path(dist, name))
        store.load(data, RdfFormat.NQUADS)
    return names


# ---------------------------------------------------------------- diff


Values = dict[str, set[str]]


def _describe(
    store: ox.Store, graph: ox.NamedNode, subject: ox.NamedNode, prefix: str, into: Values
) -> None:
    for quad in store.quads_for_pattern(subject, None, None, graph):
        p = quad.predicate.value
        obj = quad.object
        if isinstance(obj, ox.Triple):
            continue
        if p in NOT_COMPARED or (p == RDF_TYPE and obj.value not in PROGRAMME_CLASSES):
            continue
        key = f"{prefix}{_short(p)}"
        if (
            isinstance(obj, ox.NamedNode)
            and obj.value.startswith(subject.value + "/")
            and not prefix
        ):
            _describe(store, graph, obj, key + "/", into)
        else:
            into.setdefault(key, set()).add(_short(obj.value))


def _short(value: str) -> str:
    for prefix, base in (
        ("ckg:", CKG),
        ("id:", iris.ID),
        ("vocab:", iris.VOCAB),
        ("country:", iris.PO_COUNTRY),
        ("currency:", iris.PO_CURRENCY),
    ):
        if value.startswith(base):
            return prefix + value[len(base) :]
    for sep in ("#", "/"):
        if value.startswith("http") and sep in value:
            head, _, tail = value.rpartition(sep)
            known = {
                "http://www.w3.org/2004/02/skos/core": "skos:",
                "http://purl.org/dc/terms": "dcterms:",
                "http://www.w3.org/ns/dcat": "dcat:",
                "https://schema.org": "schema:",
                "http://www.w3.org/1999/02/22-rdf-syntax-ns": "rdf:",
                "http://www.w3.org/2000/01/rdf-schema": "rdfs:",
            }
            if head in known:
                return known[head] + tail
    return value


def programmes(dist: Path, name: str) -> dict[str, Values]:
    """Programme IRI -> property path -> values, as wave `name` states them."""
    path = wave_path(dist, name)
    if not path.exists():
        raise WaveError(
            f"no wave named {name!r} in {waves_dir(dist)} "
            f"(waves: {', '.join(list_waves(dist)) or 'none'})"
        )
    store = ox.Store()
    store.bulk_load(input=read_sealed(path)[0], format=ox.RdfFormat.N_QUADS)
    graph = ox.NamedNode(wave_graph_iri(name))
    found: dict[str, Values] = {}
    for cls in sorted(PROGRAMME_CLASSES):
        for quad in store.quads_for_pattern(None, _n(RDF_TYPE), _n(cls), graph):
            subject = quad.subject
            if isinstance(subject, ox.NamedNode) and subject.value not in found:
                values: Values = defaultdict(set)
                _describe(store, graph, subject, "", values)
                found[subject.value] = dict(values)
    return found


@dataclass
class WaveDiff:
    added: list[str]
    removed: list[str]
    changed: dict[str, list[tuple[str, list[str], list[str]]]]

    def as_json(self) -> dict[str, object]:
        return {
            "added": self.added,
            "removed": self.removed,
            "changed": {
                programme: [{"property": p, "before": b, "after": a} for p, b, a in changes]
                for programme, changes in self.changed.items()
            },
        }


def diff(dist: Path, wave_a: str, wave_b: str) -> WaveDiff:
    """Programmes added, removed and changed (value by value) from wave A to wave B."""
    a, b = programmes(dist, wave_a), programmes(dist, wave_b)
    changed: dict[str, list[tuple[str, list[str], list[str]]]] = {}
    for programme in sorted(set(a) & set(b)):
        rows = []
        for prop in sorted(set(a[programme]) | set(b[programme])):
            before, after = a[programme].get(prop, set()), b[programme].get(prop, set())
            if before != after:
                rows.append((prop, sorted(before - after), sorted(after - before)))
        if rows:
            changed[_short(programme)] = rows
    return WaveDiff(
        added=[_short(p) for p in sorted(set(b) - set(a))],
        removed=[_short(p) for p in sorted(set(a) - set(b))],
        changed=changed,
    )
