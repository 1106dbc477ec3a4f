"""Evaluate one query against a store and serialise its answer, capped at a number of rows.

This is the work a query worker does; it is plain (no processes, no HTTP) so it can be tested
and timed directly. Oxigraph cannot serialise a cut-down result set, so solutions are collected
up to the cap and written here as SPARQL JSON, CSV or TSV; XML is converted from the JSON by
Oxigraph's serialiser.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

import pyoxigraph as ox

from clusterkg.api.media import ResultKind, by_name
from clusterkg.graph.store import OxigraphStore, QueryResult, Store


@dataclass(frozen=True)
class QueryJob:
    """A query with its protocol dataset and the formats negotiated for each result kind."""

    query: str
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    solutions_format: str | None = "SPARQL_Results_JSON"
    graph_format: str | None = "Turtle"
    query_dataset: bool = False
    max_rows: int = 100_000
    prefixes: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class QueryOutcome:
    """What goes back over HTTP: status, content type, body; `truncated` if capped."""

    status: int
    content_type: str
    body: bytes
    truncated: bool = False
    rows: int = 0


def _text(status: int, message: str) -> QueryOutcome:
    return QueryOutcome(status, "text/plain; charset=utf-8", message.encode())


def run_query(store: Store, job: QueryJob) -> QueryResult:
    """Evaluate with SPARQL Protocol dataset semantics (§2.1.4): graphs named by the request
    make the dataset, else the query's FROM clauses do, else the default graph is the union
    of all graphs."""
    protocol_dataset = bool(job.default_graphs or job.named_graphs)
    if isinstance(store, OxigraphStore) and job.query_dataset and not protocol_dataset:
        return store.native.query(job.query)
    if not protocol_dataset:
        return store.query(job.query)
    if isinstance(store, OxigraphStore):
        return store.native.query(
            job.query,
            default_graph=[ox.NamedNode(g) for g in job.default_graphs],
            named_graphs=[ox.NamedNode(g) for g in job.named_graphs],
        )
    return store.query(
        job.query,
        default_graphs=list(job.default_graphs) or None,
        named_graphs=list(job.named_graphs) or None,
    )


def term_json(term: Any) -> dict[str, Any]:
    """An RDF term in the SPARQL 1.1 JSON results encoding (§3.2.2)."""
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out: dict[str, Any] = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
            out["datatype"] = term.datatype.value
        return out
    if isinstance(term, ox.Triple):
        return {
            "type": "triple",
            "value": {
                "subject": term_json(term.subject),
                "predicate": term_json(term.predicate),
                "object": term_json(term.object),
            },
        }
    raise TypeError(f"not an RDF term: {term!r}")


def solutions_json(variables: list[str], rows: Iterable[ox.QuerySolution]) -> bytes:
    """SPARQL JSON for the given solutions (each distinct term is encoded once)."""
    cache: dict[Any, dict[str, Any]] = {}
    bindings = []
    for row in rows:
        binding = {}
        for name, term in zip(variables, row, strict=True):
            if term is not None:
                encoded = cache.get(term)
                if encoded is None:
                    encoded = cache[term] = term_json(term)
                binding[name] = encoded
        bindings.append(binding)
    document = {"head": {"vars": variables}, "results": {"bindings": bindings}}
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


def _csv_value(term: Any) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return "_:" + term.value
    return term.value if isinstance(term, ox.NamedNode | ox.Literal) else str(term)


def solutions_csv(variables: list[str], rows: Iterable[ox.QuerySolution]) -> bytes:
    """SPARQL CSV (CSV/TSV results §2): plain values, RFC 4180 quoting, CRLF."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(variables)
    writer.writerows([_csv_value(term) for term in row] for row in rows)
    return out.getvalue().encode()


def solutions_tsv(variables: list[str], rows: Iterable[ox.QuerySolution]) -> bytes:
    """SPARQL TSV (CSV/TSV results §3): terms in N-Triples syntax, `?var` header."""
    lines = ["\t".join("?" + name for name in variables)]
    lines += ["\t".join("" if term is None else str(term) for term in row) for row in rows]
    return ("\n".join(lines) + "\n").encode()


def _capped(items: Iterator[Any], cap: int) -> tuple[list[Any], bool]:
    kept = list(islice(items, cap + 1))
    return kept[:cap], len(kept) > cap


def serialise(result: QueryResult, job: QueryJob) -> QueryOutcome:
    """The HTTP answer for an evaluated query, in the format negotiated for its kind."""
    if isinstance(result, ox.QueryTriples):
        if job.graph_format is None:
            return _text(406, "no acceptable format for a graph result")
        fmt = by_name(job.graph_format)
        triples, truncated = _capped(iter(result), job.max_rows)
        rdf = ox.serialize(triples, format=fmt.rdf, prefixes=job.prefixes or None)
        return QueryOutcome(200, fmt.content_type, rdf or b"", truncated, len(triples))
    if job.solutions_format is None:
        return _text(406, "no acceptable format for a SELECT/ASK result")
    fmt = by_name(job.solutions_format)
    if isinstance(result, ox.QueryBoolean):
        return QueryOutcome(200, fmt.content_type, result.serialize(format=fmt.results) or b"")
    variables = [v.value for v in result.variables]
    rows, truncated = _capped(iter(result), job.max_rows)
    if fmt.name == "SPARQL_Results_CSV":
        body = solutions_csv(variables, rows)
    elif fmt.name == "SPARQL_Results_TSV":
        body = solutions_tsv(variables, rows)
    else:  # via TSV: fast to write here, and Oxigraph's reader and writers are native code
        tsv = solutions_tsv(variables, rows)
        parsed = ox.parse_query_results(tsv, format=ox.QueryResultsFormat.TSV)
        body = parsed.serialize(format=fmt.results) or b""
    return QueryOutcome(200, fmt.content_type, body, truncated, len(rows))


def evaluate(store: Store, job: QueryJob) -> QueryOutcome:
    """Run and serialise; errors become HTTP outcomes with the engine's own message."""
    try:
        return serialise(run_query(store, job), job)
    except SyntaxError as error:
        return _text(400, f"SPARQL syntax error: {error}")
    except OSError as error:
        return _text(502, f"federated query failed: {error}")
    except Exception as error:
        return _text(500, f"query evaluation failed: {type(error).__name__}: {error}")


def result_kind(job_form: str | None) -> ResultKind:
    """The result kind a query form produces (SELECT and ASK unless told otherwise)."""
    return ResultKind.GRAPH if job_form in ("CONSTRUCT", "DESCRIBE") else ResultKind.SOLUTIONS
