"""No outbound request from a query unless allow-listed (issue 9, finding 1).

A real server (uvicorn, forked workers) with an empty allow-list; a canary listener counts the
connections that reach it. Every spelling of SERVICE the audit used to get past the old text
scan, on GET, form POST and direct POST, must reach it zero times and answer 400 or 403; a
closed port must not be told from an open one (no 502 "connection refused").
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

from clusterkg.api.sandbox import deny_network

from ..hostile.canary import Canary, canary
from .conftest import DATASET
from .server import children, running_server


def spellings(port: int) -> list[str]:
    c = f"PREFIX c: <http://127.0.0.1:{port}/> "
    url = f"http://127.0.0.1:{port}/sparql"
    return [
        f"SELECT * {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
        f"SELECT * {{ SERVICE SILENT <{url}> {{ ?s ?p ?o }} }}",
        f"select * {{ service silent <{url}> {{ ?s ?p ?o }} }}",
        c + "SELECT * { SERVICEc:glued { ?a ?b ?c } }",
        c + "SELECT * { SERVICE SILENTc:glued { ?a ?b ?c } }",
        c + "SELECT * { SERVICE c:x\\#y { ?a ?b ?c } # the rest looked like a comment\n }",
        c + "SELECT * { SERVICE SILENT c:a\\#b { ?a ?b ?c } }",
        f"SELECT * {{ \\u0053ERVICE <{url}> {{ ?s ?p ?o }} }}",
        f"SELECT * {{ SERVICE \\u003C{url}\\u003E {{ ?s ?p ?o }} }}",
        f'SELECT * {{ ?s ?p "\\u0022 }} SERVICE <{url}> {{ ?s ?p "" }}',
        f"SELECT * {{ BIND(<{url}> AS ?e) SERVICE ?e {{ ?s ?p ?o }} }}",
        f"SELECT * {{ VALUES ?e {{ <{url}> }} SERVICE SILENT ?e {{ ?s ?p ?o }} }}",
        f"ASK {{ FILTER EXISTS {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }}",
        f"BASE <http://127.0.0.1:{port}/> SELECT * {{ SERVICE <sparql> {{ ?s ?p ?o }} }}",
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
    ]


def _send(client: httpx.Client, url: str, method: str, query: str) -> httpx.Response:
    if method == "GET":
        return client.get(url, params={"query": query})
    if method == "form":
        return client.post(url, data={"query": query})
    return client.post(url, content=query.encode(),
                       headers={"Content-Type": "application/sparql-query"})


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[str, int]]:
    with running_server(DATASET) as started:
        yield started


@pytest.mark.parametrize("method", ["GET", "form", "direct"])
def test_no_spelling_of_service_reaches_the_canary(
    server: tuple[str, int], method: str
) -> None:
    url, _ = server
    with canary() as listener, httpx.Client(timeout=30) as client:
        for query in spellings(listener.port):
            response = _send(client, url, method, query)
            assert response.status_code in (400, 403), (query, response.text)
        assert listener.connections == 0


def test_closed_port_is_not_told_apart(server: tuple[str, int]) -> None:
    url, _ = server
    probe = socket.create_server(("127.0.0.1", 0))
    closed = probe.getsockname()[1]
    probe.close()
    with canary() as listener:
        answers = {
            port: httpx.get(url, params={"query": f"SELECT * {{ SERVICE <http://127.0.0.1:{port}/>"
                                                  " { ?s ?p ?o } }"}, timeout=30)
            for port in (listener.port, closed)
        }
        assert listener.connections == 0
    assert {a.status_code for a in answers.values()} == {403}
    assert "refused" not in answers[closed].text.lower()


def test_query_workers_run_under_seccomp(server: tuple[str, int]) -> None:
    _, pid = server
    workers = children(pid)
    assert workers
    for worker in workers:
        status = Path(f"/proc/{worker}/status").read_text()
        assert "Seccomp:\t2" in status, status  # mode 2: a filter is installed


def test_sandbox_stops_the_engine_itself() -> None:
    """Defence in depth: even a SERVICE call that reached Oxigraph cannot open a socket."""
    with canary() as listener:
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - child
            code = 1
            try:
                deny_network()
                store = ox.Store()
                try:
                    url = f"http://127.0.0.1:{listener.port}/"
                    result = store.query(f"SELECT * {{ SERVICE <{url}> {{ ?s ?p ?o }} }}")
                    assert isinstance(result, ox.QuerySolutions)
                    list(result)
                except OSError as error:
                    os.write(write_end, str(error).encode())
                    code = 0
            finally:
                os._exit(code)
        os.close(write_end)
        _, status = os.waitpid(pid, 0)
        message = os.read(read_end, 1000).decode()
        os.close(read_end)
        assert os.WEXITSTATUS(status) == 0
        assert "Permission denied" in message
        assert listener.connections == 0


def test_allow_listed_service_is_called(tmp_path: Path) -> None:
    """The one worker without the filter calls an allow-listed endpoint (the canary counts)."""
    with canary() as listener:
        endpoint = f"http://127.0.0.1:{listener.port}/sparql"
        with running_server(DATASET, service_allowlist=endpoint) as (url, _):
            query = f"SELECT * {{ SERVICE SILENT <{endpoint}> {{ ?s ?p ?o }} }}"
            assert httpx.get(url, params={"query": query}, timeout=30).status_code == 200
            other = f"SELECT * {{ SERVICE SILENT <{endpoint}x> {{ ?s ?p ?o }} }}"
            assert httpx.get(url, params={"query": other}, timeout=30).status_code == 403
        assert listener.connections >= 1


__all__ = ["Canary"]
