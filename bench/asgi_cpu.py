"""`python bench/asgi_cpu.py`: the server's own CPU time per SPARQL request, without a network.

Wall-clock latencies on a shared two-core machine move by milliseconds with the neighbours'
load; the CPU time the serving process spends per request does not. This drives the app
through ASGI in one process (its lifespan, its worker pool, every middleware) and divides the
process's CPU time by the requests (workers' CPU not included: that is the query's own cost).
It imports only `clusterkg`, so run by path with `PYTHONPATH=<another checkout>` it measures
that version with the same method:

    python bench/asgi_cpu.py --dump dist/clusterkg.nq --requests 2000
    PYTHONPATH=/tmp/base python bench/asgi_cpu.py --dump dist/clusterkg.nq --requests 2000
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from starlette.types import Message

import clusterkg
from clusterkg import iris
from clusterkg.api.app import create_app
from clusterkg.api.results import QueryJob
from clusterkg.settings import Settings

QUERY = f"SELECT ?c WHERE {{ ?c a <{iris.ONTOLOGY}Country> }} LIMIT 10"


async def measure(dump: Path, requests: int) -> dict[str, Any]:
    """CPU and wall milliseconds per request: a small SPARQL answer, a static route (the
    floor of FastAPI and the middleware) and the worker pool's round trip alone."""
    app = create_app(Settings(dataset=dump, query_workers=2))
    result: dict[str, Any] = {"clusterkg": str(Path(clusterkg.__file__).parent)}
    statuses: list[int] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    async with app.router.lifespan_context(app):
        for name, path, query in (("sparql", "/sparql", urlencode({"query": QUERY})),
                                  ("floor", "/context/v1.jsonld", "")):
            scope = {"type": "http", "asgi": {"version": "3.0", "spec_version": "2.4"},
                     "http_version": "1.1", "method": "GET", "scheme": "http", "path": path,
                     "raw_path": path.encode(), "query_string": query.encode(),
                     "root_path": "", "client": ("127.0.0.1", 1234),
                     "server": ("127.0.0.1", 80),
                     "headers": [(b"host", b"127.0.0.1"),
                                 (b"accept", b"application/sparql-results+json")]}
            statuses.clear()
            for _ in range(50):
                await app(dict(scope), receive, send)
            wall, cpu = time.perf_counter(), time.process_time()
            for _ in range(requests):
                await app(dict(scope), receive, send)
            result[name] = {"cpu_ms": (time.process_time() - cpu) / requests * 1000,
                            "wall_ms": (time.perf_counter() - wall) / requests * 1000}
            assert set(statuses) == {200}, statuses
        pool = app.state.holder.pool  # the round trip alone: hand-off, worker, answer back
        job = QueryJob(QUERY)
        for _ in range(50):
            await pool.run(job, 10)
        wall, cpu = time.perf_counter(), time.process_time()
        for _ in range(requests):
            assert (await pool.run(job, 10)).status == 200
        result["pool"] = {"cpu_ms": (time.process_time() - cpu) / requests * 1000,
                          "wall_ms": (time.perf_counter() - wall) / requests * 1000}
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dump", type=Path, default=Path("dist/clusterkg.nq"))
    parser.add_argument("--requests", type=int, default=2000)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(measure(args.dump, args.requests))))


if __name__ == "__main__":
    main()
