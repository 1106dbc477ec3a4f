"""A standard client (SPARQLWrapper) against a real uvicorn server of the app."""

from __future__ import annotations

import os
import urllib.error
from collections.abc import Iterator

import httpx
import pytest
import rdflib
from SPARQLWrapper import CSV, JSON, JSONLD, POST, RDFXML, TSV, TURTLE, XML, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

from .conftest import DATASET
from .server import children, running_server

ORGANISATIONS = """PREFIX ckg: <https://w3id.org/clusterkg/ontology#>
SELECT ?c WHERE { ?c a ckg:ClusterOrganisation } ORDER BY ?c"""
CONSTRUCT = """PREFIX ckg: <https://w3id.org/clusterkg/ontology#>
CONSTRUCT WHERE { ?c a ckg:ClusterOrganisation ; ckg:members ?n }"""


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    with running_server(DATASET, query_timeout="5", max_rows="1000") as (url, _):
        yield url


def _client(endpoint: str, query: str, fmt: str, method: str = "GET") -> SPARQLWrapper:
    client = SPARQLWrapper(endpoint, returnFormat=fmt)
    client.setQuery(query)
    client.setMethod(method)
    return client


@pytest.mark.parametrize("method", ["GET", POST])
def test_select_json(endpoint: str, method: str) -> None:
    result = _client(endpoint, ORGANISATIONS, JSON, method).queryAndConvert()
    assert isinstance(result, dict)
    values = [row["c"]["value"] for row in result["results"]["bindings"]]
    assert values == [
        "https://w3id.org/clusterkg/resource/cluster-one",
        "https://w3id.org/clusterkg/resource/cluster-three",
        "https://w3id.org/clusterkg/resource/cluster-two",
    ]


@pytest.mark.parametrize("fmt", [XML, CSV, TSV])
def test_select_other_formats(endpoint: str, fmt: str) -> None:
    response = _client(endpoint, ORGANISATIONS, fmt).query()
    assert "cluster-two" in response.response.read().decode()


def test_ask(endpoint: str) -> None:
    result = _client(endpoint, "ASK { ?s ?p ?o }", JSON).queryAndConvert()
    assert result == {"head": {}, "boolean": True}


@pytest.mark.parametrize("fmt", [TURTLE, RDFXML, JSONLD, XML])
def test_construct(endpoint: str, fmt: str) -> None:
    graph = _client(endpoint, CONSTRUCT, fmt).queryAndConvert()
    if isinstance(graph, bytes):  # SPARQLWrapper leaves Turtle to the caller
        graph = rdflib.Graph().parse(data=graph, format="turtle")
    assert isinstance(graph, rdflib.Graph)
    assert len(graph) == 6


def test_syntax_error(endpoint: str) -> None:
    with pytest.raises(QueryBadFormed):
        _client(endpoint, "SELECT * WHERE { ?s ?p }", JSON).query()


def test_server_forks_and_stops_its_workers() -> None:
    with running_server(DATASET, query_workers="3") as (url, pid):
        assert httpx.get(url, params={"query": "ASK {}"}).status_code == 200
        workers = children(pid)
        assert len(workers) == 3 + 1  # the general lane and the named-query lane
    for worker in workers:
        with pytest.raises(ProcessLookupError):
            os.kill(worker, 0)


def test_update_refused(endpoint: str) -> None:
    client = SPARQLWrapper(endpoint)
    client.setMethod(POST)
    client.setQuery("INSERT DATA { <urn:a> <urn:b> <urn:c> }")
    with pytest.raises(urllib.error.HTTPError) as refused:
        client.query()
    assert refused.value.code == 403
