"""Evaluate one query against a store and write its answer, capped in rows and bytes.

This is the work a query worker does; it is plain (no processes, no HTTP) so it can be tested
and timed directly. In order: the nesting-depth pre-pass (before any parser), the SERVICE
decision on the parsed query (`federation`), evaluation through the `Store` protocol with
relative IRIs resolved against the service's declared base, and the answer written in chunks
by `writers` (SELECT/ASK) or Oxigraph's serialisers (CONSTRUCT/DESCRIBE).
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from itertools import islice
from typing import IO, Any, cast

import pyoxigraph as ox

from clusterkg.api.federation import federation
from clusterkg.api.inspection import QueryTooDeep, examine
from clusterkg.api.media import ResultKind, by_name
from clusterkg.api.sandbox import network_denied
from clusterkg.api.writers import WRITERS, AnswerSink, AnswerTooLarge
from clusterkg.graph.store import QueryResult, Store
from clusterkg.graph.stores.dialect import (
    ReleaseSwitching,
    StoreError,
    StoreTimeout,
    StoreUnavailable,
)

TEXT = "text/plain; charset=utf-8"


@dataclass(frozen=True)
class QueryJob:
    """A query with its protocol dataset, the formats negotiated for each result kind and
    the limits it runs under."""

    query: str
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    solutions_format: str | None = "SPARQL_Results_JSON"
    graph_format: str | None = "Turtle"
    max_rows: int = 100_000
    base_iri: str | None = None
    service_allowlist: tuple[str, ...] = ()
    max_depth: int = 256
    max_answer_bytes: int = 64 << 20
    federated: bool = False  # True only in the worker that may open sockets


@dataclass(frozen=True)
class QueryOutcome:
    """What goes back over HTTP: status, content type, body chunks; `truncated` if capped;
    `reroute` asks the pool to run the job in the federation worker; `stream`, set by the
    pool only, yields the whole body of an answer too large for one chunk (then no `chunks`);
    `seconds`, the CPU time the answer took where it was evaluated."""

    status: int
    content_type: str
    chunks: tuple[bytes, ...] = ()
    truncated: bool = False
    rows: int = 0
    reroute: bool = False
    stream: AsyncIterator[bytes] | None = dataclasses.field(default=None, compare=False)
    seconds: float = dataclasses.field(default=0.0, compare=False)  # CPU to answer (`costs`)

    @property
    def body(self) -> bytes:
        return b"".join(self.chunks)


def _text(status: int, message: str) -> QueryOutcome:
    return QueryOutcome(status, TEXT, (message.encode(),))


def run_query(store: Store, job: QueryJob, query_dataset: bool = False) -> QueryResult:
    """Evaluate with SPARQL Protocol dataset semantics (§2.1.4): graphs named by the request
    make the dataset, else the query's FROM clauses do, else the default graph is the union
    of all graphs."""
    if job.default_graphs or job.named_graphs:
        return store.query(
            job.query,
            default_graphs=list(job.default_graphs),
            named_graphs=list(job.named_graphs),
            base_iri=job.base_iri,
        )
    return store.query(job.query, base_iri=job.base_iri, query_dataset=query_dataset)


def _capped(items: Iterator[Any], cap: int) -> tuple[list[Any], bool]:
    kept = list(islice(items, cap + 1))
    return kept[:cap], len(kept) > cap


def serialise(result: QueryResult, job: QueryJob, sink: AnswerSink,
              prefixes: dict[str, str] | None = None) -> QueryOutcome:
    """Write the answer into `sink` in the format negotiated for its kind; the returned
    outcome carries status and headers (its chunks went through the sink)."""
    if isinstance(result, ox.QueryTriples):
        if job.graph_format is None:
            return _text(406, "no acceptable format for a CONSTRUCT/DESCRIBE result")
        fmt = by_name(job.graph_format)
        triples, truncated = _capped(iter(result), job.max_rows)
        sink.start(fmt.content_type, truncated)
        ox.serialize(triples, cast(IO[bytes], sink), format=fmt.rdf,
                     prefixes=prefixes or None)
        return QueryOutcome(200, fmt.content_type, (), truncated, len(triples))
    if job.solutions_format is None:
        return _text(406, "no acceptable format for a SELECT/ASK result")
    fmt = by_name(job.solutions_format)
    if isinstance(result, ox.QueryBoolean):
        sink.start(fmt.content_type)
        sink.write(result.serialize(format=fmt.results) or b"")
        return QueryOutcome(200, fmt.content_type)
    variables = [v.value for v in result.variables]
    rows, truncated = _capped(iter(result), job.max_rows)
    sink.start(fmt.content_type, truncated)
    WRITERS[fmt.name](sink, variables, rows)
    return QueryOutcome(200, fmt.content_type, (), truncated, len(rows))


def _refusal(job: QueryJob) -> QueryOutcome | None:
    """403 for a SERVICE off the allow-list; a reroute for an allowed one (None: run here)."""
    found = federation(job.query, job.base_iri)
    if not found.parsed:
        return _text(400, "the query may name a SERVICE but the SPARQL parser that checks "
                     f"federation cannot read it: {found.error}")
    refused = found.refused(job.service_allowlist)
    if refused:
        return _text(403, "federated SERVICE is not allowed for: " + ", ".join(refused)
                     + " (only endpoints on the service allow-list may be called)")
    if found.endpoints and not job.federated:
        return QueryOutcome(0, TEXT, reroute=True)
    return None


def answer(store: Store, job: QueryJob, emit: Callable[[bytes], None],
           head: Callable[[str, bool], None] | None = None,
           service_known: bool = False) -> QueryOutcome:
    """Check, run and write one query; body chunks go to `emit` (after one call of `head`
    with the content type and row-cap cut, if given), errors become outcomes.
    `service_known`: this very job was already answered here, so it names no SERVICE (the
    federation parse is skipped)."""
    sink = AnswerSink(job.max_answer_bytes, emit, head=head)
    try:
        info = examine(job.query, job.max_depth)  # depth first: the federation parse recurses
        refusal = None if service_known else _refusal(job)
        if refusal is not None:
            return refusal
        result = run_query(store, job, query_dataset=info.has_from)
        outcome = serialise(result, job, sink, info.prefixes)
        if outcome.status != 200:
            return outcome
        rest = sink.rest()  # the last piece travels with the outcome: one message if small
        return dataclasses.replace(outcome, chunks=(rest,) if rest else ())
    except QueryTooDeep as error:
        return _text(400, str(error))
    except SyntaxError as error:
        return _text(400, f"SPARQL syntax error: {error}")
    except AnswerTooLarge as error:
        return _text(413, str(error))
    except MemoryError:
        return _text(503, "the query ran out of its worker's memory (CLUSTERKG_QUERY_MEMORY_MB)")
    except ReleaseSwitching as error:  # a publish is switching the remote store: ask again
        return _text(503, f"the store is between two releases, ask again: {error}")
    except StoreUnavailable as error:  # the service's own query engine is restarting
        return _text(503, str(error))
    except StoreTimeout as error:  # a remote store's own limit (issue 14): as ours, a 503
        return _text(503, f"the store stopped the query at its time limit: {error}")
    except StoreError as error:  # a remote store gave no whole answer: never a short result
        return _text(502, f"the store gave no whole answer: {error}")
    except OSError as error:
        if network_denied(error):
            return _text(403, "federated SERVICE is not allowed: query workers cannot open "
                         "network connections (only allow-listed endpoints may be called)")
        return _text(502, f"federated query failed: {error}")
    except RuntimeError as error:
        if "not supported" in str(error):
            return _text(400, f"unsupported in this service: {error}")
        return _text(500, f"query evaluation failed: {error}")
    except Exception as error:
        return _text(500, f"query evaluation failed: {type(error).__name__}: {error}")


def evaluate(store: Store, job: QueryJob, service_known: bool = False) -> QueryOutcome:
    """`answer` with the body collected into the outcome (tests, in-process use)."""
    chunks: list[bytes] = []
    outcome = answer(store, job, chunks.append, service_known=service_known)
    if outcome.status != 200:
        return outcome
    return dataclasses.replace(outcome, chunks=(*chunks, *outcome.chunks))


def result_kind(job_form: str | None) -> ResultKind:
    """The result kind a query form produces (SELECT and ASK unless told otherwise)."""
    return ResultKind.GRAPH if job_form in ("CONSTRUCT", "DESCRIBE") else ResultKind.SOLUTIONS



