"""Which jobs count as known-tiny on a release (`api/costs.py`)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from clusterkg.api.app import create_app
from clusterkg.api.costs import LONGEST, Costs, repeatable
from clusterkg.api.results import TEXT, QueryJob, QueryOutcome
from clusterkg.settings import Settings

OK = QueryOutcome(200, "application/sparql-results+json", (b"{}",))
QUERY = "SELECT ?s WHERE { ?s <urn:p> 7 }"
ACCEPT = {"Accept": "application/sparql-results+json"}


@pytest.mark.parametrize("text", [
    "SELECT ?s WHERE { ?s ?p ?o FILTER(RAND() < 0.5) }",
    "select ?s where { ?s ?p ?o filter(rand () < 0.5) }",
    "SELECT (NOW() AS ?t) {}",
    "SELECT (UUID() AS ?u) {}",
    "SELECT (struuid() AS ?u) {}",
    "SELECT ?s WHERE { ?s ?p ?o FILTER(\\u0052AND() < 0.5) }",
    "SELECT ?s WHERE { ?s ?p ?o FILTER(RAND#comment\n() < 0.5) }",
])
def test_texts_whose_work_may_vary_are_not_repeatable(text: str) -> None:
    assert not repeatable(text)


def test_ordinary_texts_are_repeatable() -> None:
    assert repeatable(QUERY)
    assert repeatable("SELECT ?brand WHERE { ?x <urn:random> ?brand }")  # words inside names


def test_a_job_answered_within_the_limit_is_known_cheap() -> None:
    costs = Costs(0.002)
    job = QueryJob(QUERY)
    assert not costs.known_cheap(job)
    costs.record(job, OK, 0.001)
    assert costs.known_cheap(job)
    costs.remeasured(job, OK, 0.0015)
    assert costs.known_cheap(job)
    costs.remeasured(job, OK, 0.003)  # a run past the limit sends it back to the workers
    assert not costs.known_cheap(job)
    costs.record(job, OK, 0.001)
    costs.remeasured(job, QueryOutcome(503, TEXT, (b"memory",)), 0.001)  # so does an error
    assert not costs.known_cheap(job)


@pytest.mark.parametrize("job, outcome, whole", [
    (QueryJob(QUERY), QueryOutcome(400, TEXT, (b"syntax",)), True),
    (QueryJob(QUERY), QueryOutcome(0, TEXT, reroute=True), True),
    (QueryJob(QUERY, federated=True), OK, True),
    (QueryJob(QUERY), OK, False),
    (QueryJob("SELECT (RAND() AS ?r) {}"), OK, True),
    (QueryJob(QUERY + " " * LONGEST), OK, True),
])
def test_errors_reroutes_federation_streams_and_varying_texts_never_qualify(
    job: QueryJob, outcome: QueryOutcome, whole: bool
) -> None:
    costs = Costs(1.0)
    costs.record(job, outcome, 0.0001, whole=whole)
    assert not costs.known_cheap(job)


def test_the_key_is_the_whole_job() -> None:
    costs = Costs(1.0)
    costs.record(QueryJob(QUERY), OK, 0.0001)
    assert costs.known_cheap(QueryJob(QUERY))
    for other in (QueryJob(QUERY + " "), QueryJob(QUERY, default_graphs=("urn:g",)),
                  QueryJob(QUERY, solutions_format="SPARQL_Results_XML"),
                  QueryJob(QUERY, max_rows=5), QueryJob(QUERY, base_iri="http://x/")):
        assert not costs.known_cheap(other)


def test_memory_is_bounded_least_recently_used_first() -> None:
    costs = Costs(1.0, kept=2)
    first, second, third = (QueryJob(f"{QUERY} LIMIT {n}") for n in (1, 2, 3))
    costs.record(first, OK, 0.0001)
    costs.record(second, OK, 0.0001)
    assert costs.known_cheap(first)  # used: now the most recent
    costs.record(third, OK, 0.0001)
    assert len(costs) == 2
    assert costs.known_cheap(first) and costs.known_cheap(third)
    assert not costs.known_cheap(second)


def test_the_endpoint_answers_a_known_tiny_query_the_same_from_the_server(
        settings: Settings) -> None:
    """Over HTTP: the first answer comes from a worker, the next ones from the server, with
    the same status, headers and body (the row cap's header included)."""
    capped = settings.model_copy(update={"max_rows": 2, "inline_query_ms": 50})
    query = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o"
    with TestClient(create_app(capped)) as client:
        pool = client.app.state.holder.pool  # type: ignore[attr-defined]
        answers = [client.get("/sparql", params={"query": query}, headers=ACCEPT)
                   for _ in range(3)]
        assert pool.inlined == 2
    first = answers[0]
    assert first.status_code == 200 and first.headers["X-SPARQL-MaxRows"] == "2"
    assert len(first.json()["results"]["bindings"]) == 2
    for later in answers[1:]:
        assert later.content == first.content
        assert {k: v for k, v in later.headers.items() if k != "date"} == {
            k: v for k, v in first.headers.items() if k != "date"}
