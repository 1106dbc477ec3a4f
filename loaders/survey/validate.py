"""Survey data in, a report a person can act on out.

Tabular files (a CSV set, an XLSX workbook) become tidy `Record`s — document = file name,
table = sheet (or the CSV file's kind), line = spreadsheet row — and meet the same mapping
(`loaders/mappings/`) and the same shapes (`shapes/`) as the build. Turtle and JSON-LD skip the
tables and go straight to the shapes. Every problem is reported where the person can fix it:
file, sheet, row and column, the offending value, what was expected, and the severity. SHACL
results are traced back from focus node and path to the record and column that produced them.
"""

from __future__ import annotations

import difflib
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import pyoxigraph as ox
import rdflib

from clusterkg import iris
from clusterkg.loaders.mapper import PLACEHOLDER, RDF_TYPE, Mapping, expand, map_record
from clusterkg.loaders.records import Record, SourceRef
from clusterkg.loaders.survey.read import (
    RDF_FORMATS,
    Sheet,
    UnusableInput,
    check_size,
    read_csv,
    read_rdf,
    read_xlsx,
)
from clusterkg.loaders.survey.spec import (
    DATE_COLUMN,
    DEFAULT_CONTEXT,
    LEXICAL,
    SOURCE_COLUMNS,
    KindSpec,
    SurveyContext,
)
from clusterkg.shapes.validation import Problem, validate, with_context

MAX_BYTES = 20 * 1024 * 1024
SEVERITY_ORDER = {"Violation": 0, "Warning": 1, "Info": 2}


@dataclass(frozen=True)
class Finding:
    """One problem, located where a person fixes it."""

    severity: str
    message: str
    file: str
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    value: str | None = None
    expected: str | None = None
    focus: str | None = None
    path: str | None = None
    check: str = "table"

    def where(self) -> str:
        parts = [self.file]
        if self.sheet:
            parts.append(f"sheet {self.sheet}")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column {self.column}")
        return ", ".join(parts)

    def __str__(self) -> str:
        value = f" (value {self.value!r})" if self.value is not None else ""
        expected = f"; expected {self.expected}" if self.expected else ""
        subject = f" [{self.focus}]" if self.focus and self.row is None else ""
        return f"{self.severity}: {self.where()}{subject}: {self.message}{value}{expected}"

    def as_json(self) -> dict[str, object]:
        return asdict(self)


@dataclass
class SurveyResult:
    """The outcome of validating a set of survey files."""

    files: list[str]
    findings: list[Finding] = field(default_factory=list)
    records: list[Record] = field(default_factory=list)
    data: rdflib.Graph = field(default_factory=rdflib.Graph)
    unusable: bool = False

    @property
    def violations(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "Violation"]

    @property
    def conforms(self) -> bool:
        return not self.unusable and not self.violations

    @property
    def exit_code(self) -> int:
        """0 valid, 1 violations, 2 unusable input."""
        return 2 if self.unusable else (1 if self.violations else 0)

    @property
    def status(self) -> str:
        return ("unusable", "invalid", "valid")[[2, 1, 0].index(self.exit_code)]

    def as_json(self) -> dict[str, object]:
        return {
            "status": self.status,
            "conforms": self.conforms,
            "files": self.files,
            "records": len(self.records),
            "triples": len(self.data),
            "violations": len(self.violations),
            "warnings": sum(1 for f in self.findings if f.severity == "Warning"),
            "findings": [f.as_json() for f in self.findings],
        }


# ---------------------------------------------------------------- tables -> records


def _suggest(name: str, names: Sequence[str]) -> str:
    close = difflib.get_close_matches(name, names, n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def _sheet_records(sheet: Sheet, spec: KindSpec, findings: list[Finding]) -> list[Record]:
    """Check a sheet's header and cells against its kind; the records of its rows."""

    def finding(message: str, **kw: object) -> None:
        findings.append(Finding("Violation", message, sheet.file, sheet.name, **kw))  # type: ignore[arg-type]

    names = spec.names
    header = sheet.header
    seen: set[str] = set()
    usable: dict[int, str] = {}
    for index, name in enumerate(header):
        if not name:
            finding(f"column {index + 1} of the header has no name", row=1)
        elif name in seen:
            finding(f"the column {name!r} appears twice in the header", row=1, column=name)
        elif name not in names and name not in SOURCE_COLUMNS:
            finding(
                f"unknown column {name!r} for {spec.kind}{_suggest(name, names)}",
                row=1,
                column=name,
                expected="the columns " + ", ".join(names),
            )
        else:
            usable[index] = name
        seen.add(name)
    header_broken = False
    for column in spec.columns:
        if column.required and column.name not in seen:
            header_broken = True
            finding(
                f"the required column {column.name!r} is missing from the header",
                row=1,
                column=column.name,
                expected=column.description,
            )
    records = []
    for number, cells in sheet.rows:
        values: dict[str, str | None] = {}
        broken = False
        for index, cell in enumerate(cells):
            if index >= len(header):
                if cell.value:
                    finding(
                        f"cell {index + 1} is beyond the header's {len(header)} columns",
                        row=number,
                        value=cell.value,
                    )
                    broken = True
                continue
            column_name = usable.get(index)
            if column_name is None:
                continue
            if cell.formula:
                finding(
                    "the cell holds a formula or starts with '='; formulas are never evaluated",
                    row=number,
                    column=column_name,
                    value=cell.value,
                    expected="a typed value",
                )
                broken = True
                continue
            values[column_name] = cell.value or None
        answered = values.get(DATE_COLUMN)  # provenance column: a date (releases and waves)
        if answered and not LEXICAL["xsd:date"][0].match(answered):
            finding("the value does not fit the column", row=number, column=DATE_COLUMN,
                    value=answered, expected=LEXICAL["xsd:date"][1])
            broken = True
        for column in spec.columns:
            value = values.get(column.name)
            if value is None:
                if column.required and column.name in seen:
                    finding(
                        f"the required cell {column.name!r} is empty",
                        row=number,
                        column=column.name,
                        expected=column.expected(),
                    )
                    broken = True
                continue
            expected = column.check(value)
            if expected:
                what = (
                    "is not in the list"
                    if column.allowed is not None
                    else "does not fit the column"
                )
                finding(
                    f"the value {what}",
                    row=number,
                    column=column.name,
                    value=value,
                    expected=expected,
                )
        if not broken and not header_broken:
            ref = SourceRef(sheet.file, sheet.name, number, number)
            records.append(Record(spec.kind, values, ref))
    return records


def _duplicates(records: list[Record], specs: dict[str, KindSpec]) -> Iterator[Finding]:
    first: dict[tuple[str, tuple[str | None, ...]], Record] = {}
    for record in records:
        key_columns = specs[record.kind].key or tuple(specs[record.kind].names)
        key = (record.kind, tuple(record.get(c) for c in key_columns))
        if key in first:
            earlier = first[key].source
            shown = ", ".join(f"{c}={record.get(c)!r}" for c in key_columns)
            yield Finding(
                "Violation",
                f"the same {record.kind} again ({shown}): {earlier.document}, "
                f"{earlier.table}, row {earlier.line_start} already gives it",
                record.source.document,
                record.source.table,
                record.source.line_start,
                key_columns[0],
                record.get(key_columns[0]),
                "one row per " + ", ".join(key_columns),
            )
        else:
            first[key] = record


# ---------------------------------------------------------------- records -> RDF, traced


def _fill(template: str, record: Record) -> str | None:
    missing = False

    def sub(match: object) -> str:
        nonlocal missing
        groups = match.groups()  # type: ignore[attr-defined]
        value = record.get(groups[0])
        if value is None:
            missing = True
            return ""
        return iris.slug(value) if groups[1] else str(value)

    filled = PLACEHOLDER.sub(sub, template)
    return None if missing else expand(filled)


@dataclass(frozen=True)
class _Source:
    record: Record
    column: str | None
    obj: str | None


class Trace:
    """Which record and column produced a subject, a (subject, predicate) or an object."""

    def __init__(self) -> None:
        self.by_sp: dict[tuple[str, str], list[_Source]] = defaultdict(list)
        self.by_s: dict[str, list[_Source]] = defaultdict(list)
        self.by_o: dict[str, list[_Source]] = defaultdict(list)

    def add(self, mapping: Mapping, record: Record) -> None:
        for node in mapping.nodes:
            subject = _fill(node.subject, record)
            if subject is None:
                continue
            self.by_s[subject].append(_Source(record, None, "typed" if node.types else None))
            for rule in node.triples:
                columns = (
                    [rule.column]
                    if rule.column
                    else [m[0] for m in PLACEHOLDER.findall(rule.template or "")]
                )
                column = columns[-1] if columns else None
                obj: str | None = None
                if rule.template:
                    obj = _fill(rule.template, record)
                elif rule.column:
                    cell = record.get(rule.column)
                    obj = expand(rule.iri.replace("{value}", cell)) if rule.iri and cell else cell
                source = _Source(record, column, obj)
                self.by_sp[(subject, expand(rule.predicate))].append(source)
                if obj is not None:
                    self.by_o[obj].append(source)

    def locate(self, problem: Problem) -> list[_Source]:
        if problem.path:
            found = self.by_sp.get((problem.focus, problem.path), [])
            if problem.value is not None:
                exact = [s for s in found if s.obj == problem.value]
                found = exact or found
            if found:
                return found[:1] if problem.value is None else found
        if problem.focus in self.by_o and problem.focus not in self.by_s:
            return self.by_o[problem.focus]
        subjects = sorted(self.by_s.get(problem.focus, []), key=lambda s: s.obj != "typed")
        return subjects[:1]


def _rdflib(
    term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.DefaultGraph | ox.Triple,
) -> rdflib.term.Node:
    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return rdflib.BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return rdflib.Literal(term.value, lang=term.language)
        if term.datatype.value == str(rdflib.XSD.string):
            return rdflib.Literal(term.value)
        return rdflib.Literal(term.value, datatype=rdflib.URIRef(term.datatype.value))
    raise TypeError(f"unexpected term {term!r}")


def map_survey(
    records: Iterable[Record], mappings: dict[str, Mapping]
) -> tuple[rdflib.Graph, Trace]:
    """The triples of the records (by the build's mapping engine) and where each came from."""
    graph = rdflib.Graph()
    trace = Trace()
    default = ox.DefaultGraph()
    for record in records:
        mapping = mappings[record.kind]
        trace.add(mapping, record)
        for quad in map_record(mapping, record, default):
            graph.add((_rdflib(quad.subject), _rdflib(quad.predicate), _rdflib(quad.object)))
    return graph, trace


def suppliers(mappings: dict[str, Mapping]) -> dict[str, list[str]]:
    """predicate IRI -> the `kind.column`s that can state it."""
    found: dict[str, list[str]] = defaultdict(list)
    for kind, mapping in sorted(mappings.items()):
        for node in mapping.nodes:
            for rule in node.triples:
                cols = (
                    [rule.column]
                    if rule.column
                    else [m[0] for m in PLACEHOLDER.findall(rule.template or "")]
                )
                if cols:
                    found[expand(rule.predicate)].append(f"{kind}.{cols[-1]}")
    return found


def _shacl_findings(
    problems: list[Problem],
    trace: Trace,
    rdf_subjects: dict[str, str],
    mappings: dict[str, Mapping],
) -> Iterator[Finding]:
    supply = suppliers(mappings)
    for problem in problems:
        if problem.value == problem.focus:
            problem = replace(problem, value=None)
        sources = trace.locate(problem)
        if not sources:
            yield Finding(
                problem.severity,
                problem.message,
                rdf_subjects.get(problem.focus, "(data)"),
                value=problem.value,
                focus=problem.focus,
                path=problem.path,
                check="shacl",
            )
            continue
        for source in sources:
            src = source.record.source
            cell = source.record.get(source.column) if source.column else None
            hint = None
            if source.column is None and problem.path in supply:
                hint = "a value in " + " or ".join(supply[problem.path][:3])
            yield Finding(
                problem.severity,
                problem.message,
                src.document,
                src.table,
                src.line_start,
                source.column,
                cell if cell is not None else problem.value,
                hint,
                problem.focus,
                problem.path,
                "shacl",
            )


# ---------------------------------------------------------------- the whole run


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


def validate_inputs(
    inputs: Sequence[tuple[str, bytes]],
    context: SurveyContext = DEFAULT_CONTEXT,
    max_bytes: int = MAX_BYTES,
) -> SurveyResult:
    """Validate survey files given as (file name, content) pairs."""
    result = SurveyResult(files=[name for name, _ in inputs])
    if not inputs:
        result.unusable = True
        result.findings.append(Finding("Violation", "no file given", "(none)", check="input"))
        return result
    specs = context.specs()
    mapping_table = context.mappings()
    sheets: list[Sheet] = []
    rdf_graph = rdflib.Graph()
    rdf_subjects: dict[str, str] = {}
    for name, data in inputs:
        try:
            read = _read(name, data, context, max_bytes)
        except UnusableInput as exc:
            result.unusable = True
            result.findings.append(Finding("Violation", exc.reason, name, check="input"))
            continue
        if isinstance(read, rdflib.Graph):
            rdf_graph += read
            for s, _p, o in read:
                rdf_subjects.setdefault(str(s), name)
                rdf_subjects.setdefault(str(o), name)
        else:
            sheets += read
    if result.unusable:
        return result
    records: list[Record] = []
    for sheet in sheets:
        for note in sheet.notes:
            result.findings.append(Finding("Info", note, sheet.file, check="input"))
        spec = specs.get(sheet.name) or _cut_kind(sheet.name, specs)
        if spec is None:
            result.findings.append(
                Finding(
                    "Violation",
                    f"no record kind named {sheet.name!r}{_suggest(sheet.name, list(specs))}",
                    sheet.file,
                    sheet.name,
                    expected="a sheet or CSV file named after a kind: " + ", ".join(specs),
                )
            )
            continue
        if not sheet.rows:
            continue
        records += _sheet_records(sheet, spec, result.findings)
    result.findings += _duplicates(records, specs)
    if not records and not len(rdf_graph) and not result.violations:
        result.unusable = True
        result.findings.append(
            Finding(
                "Violation", "the files hold no data rows", ", ".join(result.files), check="input"
            )
        )
        return result
    result.records = records
    mapped, trace = map_survey(records, mapping_table)
    mapped += rdf_graph
    result.data = mapped
    outcome = validate(with_context(mapped, context.extra_vocabulary()), vocabularies_checked=True)
    located = {(f.file, f.sheet, f.row, f.column) for f in result.findings}
    seen: set[tuple[object, ...]] = set()
    for finding in _shacl_findings(outcome.problems, trace, rdf_subjects, mapping_table):
        where = (finding.file, finding.sheet, finding.row, finding.column)
        key = (*where, finding.message, finding.value)
        if (finding.row is not None and where in located) or key in seen:
            continue
        seen.add(key)
        result.findings.append(finding)
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
