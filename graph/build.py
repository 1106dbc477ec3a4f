"""`clusterkg build`: sources -> tidy records -> RDF -> SHACL gate -> reasoner -> dumps.

The new dataset is assembled in memory and checked; only then is it written, as a whole new
release folder with a manifest (the dump's quad count and SHA-256), and made current with one
atomic switch (`graph.publish`). A failed or killed build leaves `dist/` serving the previous
release (`BuildError` says which step, file, line and cell).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox

from clusterkg import iris
from clusterkg.graph import hermit, provenance, reasoner
from clusterkg.graph.checks import run_checks
from clusterkg.graph.ontodoc import render_ontology_page
from clusterkg.graph.publish import build_id, publish
from clusterkg.graph.release import ReleaseError, manifest_entry, release_of_layout
from clusterkg.graph.store import OxigraphStore, RdfFormat
from clusterkg.loaders.mapper import MappingError, map_records, mappings
from clusterkg.loaders.records import ExtractionError, Record
from clusterkg.loaders.registry import run_extractors
from clusterkg.paths import (
    CORRECTIONS_FILE,
    DUMP_NAME,
    JSONLD_NAME,
    MANIFEST_NAME,
    ONTOLOGY_FILE,
    ONTOLOGY_PAGE_NAME,
    SOURCES_DIR,
    TABLES_NAME,
    TRIG_NAME,
    VOCABULARIES_DIR,
    DistLayout,
)
from clusterkg.shapes.validation import validate_store

ONTOLOGY_GRAPH = iris.graph_iri("ontology")
VOCABULARIES_GRAPH = iris.graph_iri("vocabularies")
__all__ = ["DUMP_NAME", "BuildError", "BuildSummary", "assemble", "build", "check"]

Progress = Callable[[str], None]


class BuildError(RuntimeError):
    """A build that stopped; its message says which step, file, line and cell."""


@dataclass
class BuildSummary:
    """What a build produced: triples per graph, instances per class, where it wrote."""

    out_dir: Path
    triples_per_graph: dict[str, int] = field(default_factory=dict)
    instances_per_class: dict[str, int] = field(default_factory=dict)
    records: int = 0
    warnings: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.triples_per_graph.values())

    def as_json(self) -> dict[str, object]:
        return {
            "triples": self.total,
            "records": self.records,
            "triples_per_graph": self.triples_per_graph,
            "instances_per_class": self.instances_per_class,
            "warnings": self.warnings,
        }


def _load_turtle(store: OxigraphStore, path: Path, graph: str) -> None:
    store.load(path, RdfFormat.TURTLE, graph=graph)


def once_per_dataset(quads: Iterable[ox.Quad]) -> list[ox.Quad]:
    """Keep each triple in the first graph that states it (extractors run in document order).

    SPARQL's default graph here is the union of the named graphs, and a triple stated in two
    graphs would answer twice; stating it once keeps counts right without DISTINCT, while
    `prov:wasDerivedFrom` still names every table a resource comes from."""
    seen: set[ox.Triple] = set()
    unique = []
    for quad in quads:
        if quad.triple not in seen:
            seen.add(quad.triple)
            unique.append(quad)
    return unique


def assemble(
    sources_dir: Path = SOURCES_DIR,
    corrections_file: Path = CORRECTIONS_FILE,
    progress: Progress | None = None,
) -> tuple[OxigraphStore, list[Record]]:
    """Extract, map and describe the provenance; no validation yet."""
    say = progress or (lambda _m: None)
    started = datetime.now(UTC)
    records = run_extractors(sources_dir, corrections_file, progress)
    say(f"mapping {len(records)} records to RDF")
    store = OxigraphStore()
    quads = once_per_dataset(map_records(records))
    store.add_quads(quads)
    say("adding ontology, vocabularies and provenance")
    _load_turtle(store, ONTOLOGY_FILE, ONTOLOGY_GRAPH)
    for path in sorted(VOCABULARIES_DIR.glob("*.ttl")):
        _load_turtle(store, path, VOCABULARIES_GRAPH)
    derived = iris.PROV + "wasDerivedFrom"
    excerpts = {
        q.object.value
        for q in quads
        if q.predicate.value == derived and isinstance(q.object, ox.NamedNode)
    }
    table_of = {
        iris.excerpt_iri(
            r.source.document, r.source.table, r.source.line_start, r.source.line_end
        ): (r.source.table)
        for r in records
    }
    store.add_quads(provenance.document_quads(sources_dir))
    store.add_quads(provenance.excerpt_quads(excerpts, table_of))
    store.add_quads(provenance.activity_quads({r.source.document for r in records}, started))
    return store, records


def _graph_triples(store: OxigraphStore, graph: str) -> list[ox.Triple]:
    return [q.triple for q in store.native.quads_for_pattern(None, None, None, ox.NamedNode(graph))]


def check(store: OxigraphStore, progress: Progress | None = None) -> list[str]:
    """SHACL gate, reasoner and ontology checks; raises BuildError, returns warnings."""
    say = progress or (lambda _m: None)
    say("validating with SHACL shapes")
    outcome = validate_store(store.native)
    if outcome.violations:
        lines = "\n".join(f"  {p}" for p in outcome.violations[:50])
        more = len(outcome.violations) - 50
        tail = f"\n  ... and {more} more" if more > 0 else ""
        raise BuildError(
            f"SHACL validation found {len(outcome.violations)} violations:\n{lines}{tail}"
        )
    warnings = [str(p) for p in outcome.problems if p.severity != "Violation"]
    say("reasoning with HermiT")
    tbox = _graph_triples(store, ONTOLOGY_GRAPH)
    abox = [
        q.triple
        for q in store.native.quads_for_pattern(None, None, None, None)
        if not (isinstance(q.graph_name, ox.NamedNode) and q.graph_name.value == ONTOLOGY_GRAPH)
    ]
    try:
        store.add_quads(reasoner.classify(tbox, abox))
    except (reasoner.InconsistentOntologyError, hermit.HermitFailed) as exc:
        raise BuildError(str(exc)) from exc
    say("running ontology checks")
    failures = run_checks(store)
    if failures:
        raise BuildError("ontology checks failed:\n" + "\n".join(f"  {f}" for f in failures))
    return warnings


def summarise(store: OxigraphStore, out_dir: Path, records: list[Record]) -> BuildSummary:
    summary = BuildSummary(out_dir=out_dir, records=len(records))
    per_graph = store.query(
        "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"
    )
    assert isinstance(per_graph, ox.QuerySolutions)
    for row in per_graph:
        summary.triples_per_graph[row["g"].value.removeprefix(iris.GRAPH)] = int(row["n"].value)
    per_class = store.query(
        "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c "
        f"FILTER(STRSTARTS(STR(?s), '{iris.ID}')) }} GROUP BY ?c ORDER BY ?c"
    )
    assert isinstance(per_class, ox.QuerySolutions)
    for row in per_class:
        summary.instances_per_class[row["c"].value] = int(row["n"].value)
    return summary


def _export_tables(records: list[Record], directory: Path) -> None:
    """The tidy records as CSV, one file per record kind, columns as in the mapping files."""
    directory.mkdir(parents=True, exist_ok=True)
    by_kind: dict[str, list[Record]] = {}
    for record in records:
        by_kind.setdefault(record.kind, []).append(record)
    table = mappings()
    for kind, rows in sorted(by_kind.items()):
        columns = table[kind].column_names
        with (directory / f"{kind}.csv").open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow([*columns, "source_document", "source_table", "line_start", "line_end"])
            for r in rows:
                s = r.source
                writer.writerow(
                    [r.get(c) or "" for c in columns]
                    + [s.document, s.table or "", s.line_start, s.line_end]
                )


def _write(
    store: OxigraphStore, records: list[Record], staging: Path, summary: BuildSummary
) -> str:
    """Every file of the release into `staging`; returns the release folder's name."""
    dump = staging / DUMP_NAME
    dump.write_bytes(store.serialize(RdfFormat.NQUADS))
    (staging / TRIG_NAME).write_bytes(store.serialize(RdfFormat.TRIG))
    jsonld = store.native.dump(format=ox.RdfFormat.JSON_LD)
    assert jsonld is not None
    (staging / JSONLD_NAME).write_bytes(jsonld)
    (staging / ONTOLOGY_PAGE_NAME).write_text(render_ontology_page(store), encoding="utf-8")
    _export_tables(records, staging / TABLES_NAME)
    release = manifest_entry(build_id(), dump, store)
    manifest = {**summary.as_json(), "release": release}
    (staging / MANIFEST_NAME).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    described = release["dump"]
    assert isinstance(described, dict)
    return f"{release['id']}-{str(described['sha256'])[:8]}"


def build(
    out_dir: Path,
    sources_dir: Path = SOURCES_DIR,
    corrections_file: Path = CORRECTIONS_FILE,
    progress: Progress | None = None,
) -> tuple[OxigraphStore, BuildSummary]:
    """Build the whole dataset into `out_dir`; the returned store is the release as served
    (the new build plus the waves of `out_dir`, loaded by `graph.release.load_release`)."""
    try:
        store, records = assemble(sources_dir, corrections_file, progress)
    except (ExtractionError, MappingError, FileNotFoundError) as exc:
        raise BuildError(f"extraction failed: {exc}") from exc
    warnings = check(store, progress)
    summary = summarise(store, out_dir, records)
    summary.warnings = warnings
    if progress:
        progress("writing the release")
    publish(DistLayout(out_dir), lambda staging: _write(store, records, staging, summary))
    try:
        served, _ = release_of_layout(out_dir)  # the one loader: checks what was just written
    except ReleaseError as exc:
        raise BuildError(f"the release written to {out_dir} does not load: {exc}") from exc
    return served, summary
