"""Survey data in, a report a person can act on out.

Tabular files (a CSV set, an XLSX workbook) become tidy `Record`s — document = file name,
table = sheet (or the CSV file's kind), line = spreadsheet row — and meet the same mapping
(`loaders/mappings/`) and the same shapes (`shapes/`) as the build. Turtle and JSON-LD skip the
tables and go straight to the shapes. Every problem is reported where the person can fix it:
file, sheet, row and column, the offending value, what was expected, and the severity. SHACL
results are traced back from focus node and path to the record and column that produced them.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import rdflib

from clusterkg.loaders.mapper import RDF_TYPE, Mapping
from clusterkg.loaders.records import Record
from clusterkg.loaders.survey import formula_guard
from clusterkg.loaders.survey.findings import MAX_BYTES, SEVERITY_ORDER, Finding, SurveyResult
from clusterkg.loaders.survey.read import (
    RDF_FORMATS,
    Sheet,
    UnusableInput,
    check_size,
    read_csv,
    read_rdf,
    read_xlsx,
)
from clusterkg.loaders.survey.rows import duplicates, sheet_records, suggest
from clusterkg.loaders.survey.spec import DEFAULT_CONTEXT, KindSpec, SurveyContext
from clusterkg.loaders.survey.trace import Trace, map_survey, shape_findings
from clusterkg.shapes.validation import Problem, ox_quads, validate_with_context


def _cut_kind(name: str, specs: dict[str, KindSpec]) -> KindSpec | None:
    """The kind of a sheet whose name Excel cut at 31 characters."""
    found = [spec for kind, spec in specs.items() if len(name) == 31 and kind.startswith(name)]
    return found[0] if len(found) == 1 else None


def _read(
    name: str, data: bytes, context: SurveyContext, max_bytes: int
) -> list[Sheet] | rdflib.Graph:
    check_size(name, len(data), max_bytes)
    suffix = Path(name).suffix.lower()
    if suffix == ".csv":
        return [read_csv(name, data)]
    if suffix == ".xlsx":
        return read_xlsx(name, data)
    if suffix in RDF_FORMATS:
        return read_rdf(name, data)
    raise UnusableInput(
        name,
        f"unknown file type {suffix or '(none)'}: "
        "give CSV, XLSX, Turtle (.ttl) or JSON-LD (.jsonld)",
    )


@dataclass
class _Inputs:
    """What the files held: tables to check row by row, and RDF given as such."""

    sheets: list[Sheet] = field(default_factory=list)
    rdf: rdflib.Graph = field(default_factory=rdflib.Graph)
    rdf_subjects: dict[str, str] = field(default_factory=dict)


def _read_all(
    inputs: Sequence[tuple[str, bytes]],
    context: SurveyContext,
    max_bytes: int,
    result: SurveyResult,
) -> _Inputs:
    read_in = _Inputs()
    for name, data in inputs:
        try:
            read = _read(name, data, context, max_bytes)
        except UnusableInput as exc:
            result.unusable = True
            result.findings.append(Finding("Violation", exc.reason, name, check=exc.check))
            continue
        if isinstance(read, rdflib.Graph):
            result.findings += [
                Finding(severity, formula_guard.MESSAGE, name, None, None, None, value,
                        formula_guard.EXPECTED, subject, prop, "input")
                for severity, subject, prop, value in formula_guard.formula_literals(read)
            ]  # fmt: skip
            read_in.rdf += read
            for s, _p, o in read:
                read_in.rdf_subjects.setdefault(str(s), name)
                read_in.rdf_subjects.setdefault(str(o), name)
        else:
            read_in.sheets += read
    return read_in


def _records(sheets: list[Sheet], specs: dict[str, KindSpec], result: SurveyResult) -> list[Record]:
    """The records of every sheet named after a kind; the rest are findings."""
    records: list[Record] = []
    for sheet in sheets:
        for note in sheet.notes:
            result.findings.append(Finding("Info", note, sheet.file, check="input"))
        spec = specs.get(sheet.name) or _cut_kind(sheet.name, specs)
        if spec is None:
            result.findings.append(
                Finding(
                    "Violation",
                    f"no record kind named {sheet.name!r}{suggest(sheet.name, list(specs))}",
                    sheet.file,
                    sheet.name,
                    expected="a sheet or CSV file named after a kind: " + ", ".join(specs),
                )
            )
        elif sheet.rows:
            records += sheet_records(sheet, spec, result.findings)
    result.findings += duplicates(records, specs)
    return records


def _add_shape_findings(
    result: SurveyResult,
    problems: list[Problem],
    trace: Trace,
    read_in: _Inputs,
    mapping_table: dict[str, Mapping],
) -> None:
    """SHACL results traced to their cells, unless a cell check already named that cell."""
    located = {(f.file, f.sheet, f.row, f.column) for f in result.findings}
    seen: set[tuple[object, ...]] = set()
    for finding in shape_findings(problems, trace, read_in.rdf_subjects, mapping_table):
        where = (finding.file, finding.sheet, finding.row, finding.column)
        key = (*where, finding.message, finding.value)
        if (finding.row is not None and where in located) or key in seen:
            continue
        seen.add(key)
        result.findings.append(finding)


@contextmanager
def fewer_collections(young: int = 100_000) -> Iterator[None]:
    """Python's cyclic garbage collector slowed down for the length of a call: its youngest
    generation collected every `young` allocations instead of every 700, each older one after
    50 collections of the next instead of 10. A 100k-triple survey makes millions of objects
    that all live until the report is written, and rescanning them took 40 % of
    `validate_inputs` (`bench/results/validation.md`); cycles are still collected, and the
    thresholds are restored on the way out (a validation runs in a child process of its own
    anyway, `sandbox.py`)."""
    old = gc.get_threshold()
    gc.set_threshold(young, 50, 50)
    try:
        yield
    finally:
        gc.set_threshold(*old)


def validate_inputs(
    inputs: Sequence[tuple[str, bytes]],
    context: SurveyContext = DEFAULT_CONTEXT,
    max_bytes: int = MAX_BYTES,
) -> SurveyResult:
    """Validate survey files given as (file name, content) pairs."""
    with fewer_collections():
        return _validate_inputs(inputs, context, max_bytes)


def _validate_inputs(
    inputs: Sequence[tuple[str, bytes]], context: SurveyContext, max_bytes: int
) -> SurveyResult:
    result = SurveyResult(files=[name for name, _ in inputs])
    if not inputs:
        result.unusable = True
        result.findings.append(Finding("Violation", "no file given", "(none)", check="input"))
        return result
    read_in = _read_all(inputs, context, max_bytes, result)
    if result.unusable:
        return result
    records = _records(read_in.sheets, context.specs(), result)
    if not records and not len(read_in.rdf) and not result.violations:
        result.unusable = True
        result.findings.append(
            Finding(
                "Violation", "the files hold no data rows", ", ".join(result.files), check="input"
            )
        )
        return result
    result.records = records
    mapping_table = context.mappings()
    mapped, trace = map_survey(records, mapping_table)
    mapped.extend(ox_quads(read_in.rdf))
    result.data = mapped
    outcome = validate_with_context(
        mapped, context.extra_vocabulary(), vocabularies_checked=True
    )
    _add_shape_findings(result, outcome.problems, trace, read_in, mapping_table)
    result.findings.sort(
        key=lambda f: (
            SEVERITY_ORDER.get(f.severity, 9),
            f.file,
            f.sheet or "",
            f.row or 0,
            f.column or "",
            f.message,
        )
    )
    return result


def expand_paths(paths: Iterable[Path]) -> list[Path]:
    """Files as given; a folder stands for its CSV set (and any Turtle or JSON-LD files), not
    for a workbook beside it, which would repeat every row."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(
                p
                for p in path.iterdir()
                if p.suffix.lower() in {".csv", *RDF_FORMATS} and p.is_file()
            )
        else:
            found.append(path)
    return found


def validate_paths(
    paths: Iterable[Path], context: SurveyContext = DEFAULT_CONTEXT, max_bytes: int = MAX_BYTES
) -> SurveyResult:
    """Validate files (or folders of files) on disk."""
    inputs: list[tuple[str, bytes]] = []
    missing: list[Finding] = []
    for path in expand_paths(paths):
        if not path.is_file():
            missing.append(Finding("Violation", "no such file", str(path), check="input"))
            continue
        size = path.stat().st_size
        if size > max_bytes:
            missing.append(
                Finding(
                    "Violation",
                    f"the file is {size:,} bytes, over the limit of {max_bytes:,} bytes; split it",
                    path.name,
                    check="input",
                )
            )
            continue
        inputs.append((path.name, path.read_bytes()))
    if missing:
        result = SurveyResult(files=[str(p) for p in paths], findings=missing, unusable=True)
        return result
    return validate_inputs(inputs, context, max_bytes)


__all__ = ["MAX_BYTES", "RDF_TYPE", "Finding", "SurveyResult", "validate_inputs", "validate_paths"]
