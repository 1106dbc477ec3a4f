"""`clusterkg validate` on survey files: the rows the build extracted for Latvia and Sweden
validate clean; each kind of bad input is reported with file, row and column, or as unusable."""

from __future__ import annotations

import csv
import gc
import io
import json
from pathlib import Path

import pyoxigraph as ox
import pyshacl
import pytest
import rdflib
from openpyxl import load_workbook
from typer.testing import CliRunner

from clusterkg.cli import app
from clusterkg.loaders.survey.report import as_turtle
from clusterkg.loaders.survey.spec import DEFAULT_CONTEXT, SurveyContext
from clusterkg.loaders.survey.validate import (
    Finding,
    SurveyResult,
    fewer_collections,
    validate_inputs,
)
from clusterkg.paths import MAPPINGS_DIR, VOCABULARIES_DIR
from clusterkg.shapes.validation import (
    ValidationOutcome,
    _data_shapes,
    problems_of,
    validate,
    validate_with_context,
    with_context,
)
from tests.shapes.test_shapes import _key

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "survey"


def csv_set(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*.csv"))}


def edit(files: dict[str, bytes], name: str, row: int, column: str, value: str) -> dict[str, bytes]:
    """A copy of the CSV set with one cell of `name` (spreadsheet row `row`) changed."""
    rows = list(csv.reader(io.StringIO(files[name].decode("utf-8"))))
    rows[row - 1][rows[0].index(column)] = value
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return {**files, name: out.getvalue().encode("utf-8")}


def run(
    files: dict[str, bytes], context: SurveyContext = DEFAULT_CONTEXT, **kw: int
) -> SurveyResult:
    return validate_inputs(sorted(files.items()), context, **kw)


def only(result: SurveyResult, file: str, row: int | None, column: str | None) -> Finding:
    hits = [f for f in result.violations if (f.file, f.row, f.column) == (file, row, column)]
    assert hits, "\n".join(map(str, result.findings))
    return hits[0]


def test_filled_csv_set_is_valid(filled: Path) -> None:
    result = run(csv_set(filled))
    assert result.exit_code == 0, "\n".join(map(str, result.violations))
    assert len(result.records) > 10
    assert {r.source.document for r in result.records} >= {"programme.csv", "programme_label.csv"}


def test_filled_workbook_is_valid(filled: Path) -> None:
    result = run({"survey.xlsx": (filled / "survey.xlsx").read_bytes()})
    assert result.exit_code == 0, "\n".join(map(str, result.violations))
    record = next(r for r in result.records if r.kind == "programme")
    assert (record.source.document, record.source.table, record.source.line_start) == (
        "survey.xlsx",
        "programme",
        2,
    )


def test_latin1_is_unusable_with_the_line(filled: Path) -> None:
    files = csv_set(filled)
    text = files["programme_label.csv"].decode("utf-8")
    assert "Vinnväxt" in text
    result = run({**files, "programme_label.csv": text.encode("latin-1")})
    assert result.exit_code == 2
    message = result.findings[0].message
    assert (
        "not UTF-8" in message
        and "line 3" in message
        and result.findings[0].file == "programme_label.csv"
    )


def test_bom_is_accepted_and_noted(filled: Path) -> None:
    files = csv_set(filled)
    result = run({**files, "programme.csv": b"\xef\xbb\xbf" + files["programme.csv"]})
    assert result.exit_code == 0
    assert any(f.severity == "Info" and "BOM" in f.message for f in result.findings)


def test_missing_required_column(filled: Path) -> None:
    files = csv_set(filled)
    rows = list(csv.reader(io.StringIO(files["programme.csv"].decode())))
    at = rows[0].index("country")
    text = "\n".join(",".join(f'"{c}"' for i, c in enumerate(r) if i != at) for r in rows)
    result = run({**files, "programme.csv": text.encode()})
    assert (
        "required column 'country' is missing"
        in only(result, "programme.csv", 1, "country").message
    )


def test_misspelt_column_suggests_the_name(filled: Path) -> None:
    files = csv_set(filled)
    data = files["programme.csv"].replace(b",country,", b",contry,", 1)
    result = run({**files, "programme.csv": data})
    assert "did you mean 'country'" in only(result, "programme.csv", 1, "contry").message
    assert result.exit_code == 1


def test_extra_column(filled: Path) -> None:
    files = csv_set(filled)
    lines = files["programme.csv"].decode().splitlines()
    data = "\n".join([lines[0] + ",notes"] + [line + ",x" for line in lines[1:]]).encode()
    result = run({**files, "programme.csv": data})
    assert "unknown column 'notes'" in only(result, "programme.csv", 1, "notes").message


def test_empty_file(filled: Path) -> None:
    result = run({**csv_set(filled), "programme.csv": b""})
    assert result.exit_code == 2
    assert result.findings[0].message == "the file is empty"


def test_unknown_country(filled: Path) -> None:
    result = run(edit(csv_set(filled), "programme.csv", 2, "country", "XYZ"))
    finding = only(result, "programme.csv", 2, "country")
    assert finding.value == "XYZ" and "one of the" in (finding.expected or "")


def test_unknown_nuts_code_is_traced_to_its_cell() -> None:
    context = SurveyContext(
        (MAPPINGS_DIR, FIXTURES / "mappings"), (VOCABULARIES_DIR, FIXTURES / "vocabularies")
    )
    good = b"nuts_code,version,country,label\nLV006,2021,LVA,Riga\n"
    assert run({"region.csv": good}, context).exit_code == 0
    result = run({"region.csv": good + b"LV999,2021,LVA,Nowhere\n"}, context)
    finding = only(result, "region.csv", 3, "nuts_code")
    assert finding.value == "LV999" and "NUTS list" in finding.message and finding.check == "shacl"


def test_objective_outside_the_list(filled: Path) -> None:
    result = run(
        edit(csv_set(filled), "programme_objective.csv", 2, "objective", "world-domination")
    )
    finding = only(result, "programme_objective.csv", 2, "objective")
    assert "not in the list" in finding.message and "internationalisation" in (
        finding.expected or ""
    )


def test_budget_not_a_number(filled: Path) -> None:
    result = run(edit(csv_set(filled), "programme_budget.csv", 2, "amount", "1.5 million"))
    finding = only(result, "programme_budget.csv", 2, "amount")
    assert finding.value == "1.5 million" and "number" in (finding.expected or "")


def test_negative_budget(filled: Path) -> None:
    result = run(edit(csv_set(filled), "programme_budget.csv", 2, "amount", "-5"))
    finding = only(result, "programme_budget.csv", 2, "amount")
    assert finding.check == "shacl" and "non-negative" in finding.message and finding.value == "-5"


def test_end_year_before_start_year(filled: Path) -> None:
    files = edit(csv_set(filled), "programme.csv", 2, "start_year", "2016")
    result = run(edit(files, "programme.csv", 2, "end_year", "2010"))
    finding = only(result, "programme.csv", 2, "end_year")
    assert "before the start year" in finding.message and finding.value == "2010"


def test_same_programme_twice(filled: Path) -> None:
    files = csv_set(filled)
    lines = files["programme.csv"].decode().splitlines()
    data = "\n".join([*lines, lines[1]]).encode()
    result = run({**files, "programme.csv": data})
    finding = only(result, "programme.csv", len(lines) + 1, "programme_id")
    assert "the same programme again" in finding.message and "row 2" in finding.message


def test_formulas_in_a_workbook_are_reported_as_text(filled: Path) -> None:
    book = load_workbook(filled / "survey.xlsx")
    book["programme"]["D2"] = "=cmd|' /C calc'!A0"
    book["programme"]["E3"] = '=HYPERLINK("http://x")'
    buffer = io.BytesIO()
    book.save(buffer)
    result = run({"survey.xlsx": buffer.getvalue()})
    header = [str(c.value) for c in book["programme"][1]]
    first = only(result, "survey.xlsx", 2, header[3])
    assert first.value == "=cmd|' /C calc'!A0" and "never evaluated" in first.message
    assert only(result, "survey.xlsx", 3, header[4]).value == '=HYPERLINK("http://x")'


def test_truncated_workbook(filled: Path) -> None:
    data = (filled / "survey.xlsx").read_bytes()
    result = run({"survey.xlsx": data[: len(data) // 2]})
    assert result.exit_code == 2 and "truncated" in result.findings[0].message


def test_malformed_turtle() -> None:
    result = run({"wave.ttl": b"@prefix ex: <http://example.org/> .\nex:a ex:b ."})
    assert result.exit_code == 2 and "malformed TURTLE" in result.findings[0].message


def test_valid_turtle_and_jsonld_are_validated() -> None:
    turtle = Path(__file__).resolve().parents[2] / "fixtures" / "shapes" / "valid" / "programme.ttl"
    assert run({"p.ttl": turtle.read_bytes()}).exit_code == 0
    bad = turtle.read_bytes().replace(b"country:LVA", b"country:XYZ")
    result = run({"p.ttl": bad})
    assert result.exit_code == 1 and result.violations[0].file == "p.ttl"
    doc = {
        "@context": {"ckg": "https://w3id.org/clusterkg/ontology#"},
        "@id": "https://w3id.org/clusterkg/id/programme/Y",
        "@type": "ckg:ClusterProgramme",
    }
    result = run({"p.jsonld": json.dumps(doc).encode()})
    assert result.exit_code == 1
    remote = run({"p.jsonld": json.dumps({**doc, "@context": "https://example.org/c"}).encode()})
    assert remote.exit_code == 2 and "remote @context" in remote.findings[0].message


def test_file_over_the_size_limit(filled: Path) -> None:
    result = run(csv_set(filled), max_bytes=100)
    assert result.exit_code == 2 and "over the limit" in result.findings[0].message


def test_turtle_report_is_a_shacl_report(filled: Path) -> None:
    from rdflib.namespace import SH

    result = run(edit(csv_set(filled), "programme.csv", 2, "country", "XYZ"))
    graph = rdflib.Graph().parse(data=as_turtle(result), format="turtle")
    report = next(graph.subjects(rdflib.RDF.type, SH.ValidationReport))
    assert graph.value(report, SH.conforms) == rdflib.Literal(False)
    assert len(list(graph.objects(report, SH.result))) == len(result.findings)


def test_cli_validate_exit_codes_and_json(filled: Path) -> None:
    runner = CliRunner()
    ok = runner.invoke(app, ["validate", str(filled / "survey.xlsx"), "--format", "json"])
    assert ok.exit_code == 0, ok.output
    assert json.loads(ok.stdout)["status"] == "valid"
    bad = filled.parent / "bad"
    bad.mkdir(exist_ok=True)
    (bad / "programme.csv").write_bytes(b"")
    assert runner.invoke(app, ["validate", str(bad / "programme.csv")]).exit_code == 2


def _rdflib_path(
    data: ox.Store,
    extra: rdflib.Graph | None = None,
    shapes: rdflib.Graph | None = None,
    *,
    vocabularies_checked: bool = False,
) -> ValidationOutcome:
    """Survey validation as it was before issue 17's store path: the data copied into an rdflib
    graph with the ontology and vocabularies, pyshacl-turbo reading that graph."""
    return validate(
        with_context(_graph(data), extra), shapes, vocabularies_checked=vocabularies_checked
    )


def _graph(data: ox.Store) -> rdflib.Graph:
    """The store's triples in rdflib, blank nodes keeping their labels."""
    graph = rdflib.Graph()
    for quad in data:
        graph.add(tuple(_rdflib(t) for t in (quad.subject, quad.predicate, quad.object)))  # type: ignore[arg-type]
    return graph


def _rdflib(term: object) -> rdflib.term.Node:
    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return rdflib.BNode(term.value)
    assert isinstance(term, ox.Literal)
    if term.language:
        return rdflib.Literal(term.value, lang=term.language)
    return rdflib.Literal(term.value, datatype=rdflib.URIRef(term.datatype.value))


def _variants(filled: Path) -> dict[str, tuple[dict[str, bytes], SurveyContext]]:
    files = csv_set(filled)
    nuts = SurveyContext(
        (MAPPINGS_DIR, FIXTURES / "mappings"), (VOCABULARIES_DIR, FIXTURES / "vocabularies")
    )
    turtle = Path(__file__).resolve().parents[2] / "fixtures" / "shapes" / "valid" / "programme.ttl"
    dates = edit(files, "programme.csv", 2, "start_year", "2016")
    return {
        "filled": (files, DEFAULT_CONTEXT),
        "unknown-country": (edit(files, "programme.csv", 2, "country", "XYZ"), DEFAULT_CONTEXT),
        "objective": (
            edit(files, "programme_objective.csv", 2, "objective", "world-domination"),
            DEFAULT_CONTEXT,
        ),
        "not-a-number": (
            edit(files, "programme_budget.csv", 2, "amount", "1.5 million"), DEFAULT_CONTEXT
        ),
        "negative": (edit(files, "programme_budget.csv", 2, "amount", "-5"), DEFAULT_CONTEXT),
        "end-before-start": (
            edit(dates, "programme.csv", 2, "end_year", "2010"), DEFAULT_CONTEXT
        ),
        "nuts": ({"region.csv": b"nuts_code,version,country,label\nLV999,2021,LVA,X\n"}, nuts),
        "turtle": (
            {"p.ttl": turtle.read_bytes().replace(b"country:LVA", b"country:XYZ")},
            DEFAULT_CONTEXT,
        ),
    }


def test_the_store_path_gives_the_report_of_the_rdflib_path_and_pyshacl(
    filled: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 17: survey validation runs on a pyoxigraph store (`validate_with_context`). On the
    filled survey and each bad variant of it the user's report (every finding: file, sheet,
    row, column, value, message, severity) is the one the rdflib path gives, and the SHACL
    results are pySHACL's."""
    from clusterkg.loaders.survey import validate as module

    for name, (files, context) in _variants(filled).items():
        fast = run(files, context)
        with monkeypatch.context() as patch:
            patch.setattr(module, "validate_with_context", _rdflib_path)
            slow = run(files, context)
        assert fast.as_json() == slow.as_json(), name
        assert fast.findings, name
        extra = context.extra_vocabulary()
        outcome = validate_with_context(fast.data, extra, vocabularies_checked=True)
        union = with_context(_graph(fast.data), extra)
        _, report, _ = pyshacl.validate(
            union, shacl_graph=_data_shapes(), inference="none", advanced=True,
            allow_warnings=True,
        )  # fmt: skip
        assert isinstance(report, rdflib.Graph)
        assert {_key(p) for p in outcome.problems} == {_key(p) for p in problems_of(report)}, name



def test_the_collector_is_slowed_for_the_call_only() -> None:
    """`fewer_collections` raises the collector's thresholds inside and restores them after,
    also when the call fails."""
    before = gc.get_threshold()
    with fewer_collections():
        assert gc.get_threshold() == (100_000, 50, 50)
    assert gc.get_threshold() == before
    with pytest.raises(ValueError), fewer_collections():
        raise ValueError
    assert gc.get_threshold() == before
