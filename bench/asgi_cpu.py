"""`python bench/asgi_cpu.py`: the server's own CPU time per SPARQL request, without a network.

Wall-clock latencies on a shared two-core machine move by milliseconds with the neighbours'
load; the CPU time the serving process spends per request does not. This drives the app
through ASGI in one process (its lifespan, its worker pool, every middleware) on uvloop, as
`serve` runs it, and divides the process's CPU time by the requests (workers' CPU not
included: that is the query's own cost). Rounds of every case take turns; each figure is the
median of the rounds. Beside the CPU time it counts the Python function calls per request
(cProfile, a separate pass): a figure no neighbour moves.

The cases: a small query by GET (`sparql`, the figure earlier results name), `ASK {}` by GET
and by POST of a form, a static route (`floor`: routing and the middleware without the
protocol), the worker pool's round trip alone (`pool`) and, where the version has it, the
service's pool answering a job known to be tiny in the server (`in_server`). The `/sparql`
cases repeat one job, so they take the in-server path (`api/costs.py`) after the warm-up.
With `--layers`, each case is also entered at each middleware of the ASGI stack in turn
(keyed by its class) down to FastAPI's exception layer, so the difference between a row and
the next is what that layer costs.

It imports only `clusterkg`, so run by path with `PYTHONPATH=<another checkout>` it measures
that version with the same method:

    python bench/asgi_cpu.py --dump dist/clusterkg.nq --requests 2000
    python bench/asgi_cpu.py --dump dist/clusterkg.nq --requests 500 --rounds 3 --layers
    PYTHONPATH=/tmp/base python bench/asgi_cpu.py --dump dist/clusterkg.nq --requests 2000
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import statistics
import time
from collections.abc import Awaitable, Callable
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import uvloop
from starlette.types import ASGIApp, Message, Scope

import clusterkg
from clusterkg import iris
from clusterkg.api.app import create_app
from clusterkg.api.execution import QueryPool
from clusterkg.api.results import QueryJob
from clusterkg.settings import Settings

QUERY = f"SELECT ?c WHERE {{ ?c a <{iris.ONTOLOGY}Country> }} LIMIT 10"
ASK = "ASK {}"
HEADERS = [(b"host", b"127.0.0.1"), (b"accept", b"application/sparql-results+json"),
           (b"user-agent", b"python-httpx/0.28"), (b"accept-encoding", b"gzip, deflate"),
           (b"connection", b"keep-alive")]
FORM = [(b"content-type", b"application/x-www-form-urlencoded")]


def _scope(method: str, path: str, query: str = "", extra: list[tuple[bytes, bytes]] | None
           = None) -> Scope:
    return {"type": "http", "asgi": {"version": "3.0", "spec_version": "2.4"},
            "http_version": "1.1", "method": method, "scheme": "http", "path": path,
            "raw_path": path.encode(), "query_string": query.encode(), "root_path": "",
            "client": ("127.0.0.1", 1234), "server": ("127.0.0.1", 80),
            "headers": HEADERS + (extra or [])}


CASES: dict[str, tuple[Scope, bytes]] = {
    "sparql": (_scope("GET", "/sparql", urlencode({"query": QUERY})), b""),
    "ask_get": (_scope("GET", "/sparql", urlencode({"query": ASK})), b""),
    "ask_post": (_scope("POST", "/sparql", extra=FORM), urlencode({"query": ASK}).encode()),
    "floor": (_scope("GET", "/context/v1.jsonld"), b""),
}


def layers(app: Any) -> list[tuple[str, ASGIApp]]:
    """The app, then each middleware of its built stack, then its router: where a request can
    enter (the layers below the app need `scope["app"]`, which the app sets)."""
    found: list[tuple[str, ASGIApp]] = [("app", app)]
    node = app.middleware_stack
    while node is not None and node is not app.router:
        found.append((type(node).__name__, node))
        node = getattr(node, "app", None)
        if type(node).__name__ == "AsyncExitStackMiddleware":  # FastAPI's, needs its own scope
            break
    return found


async def _cpu_per_request(run: Callable[[], Awaitable[object]], requests: int) -> float:
    cpu = time.process_time()
    for _ in range(requests):
        await run()
    return (time.process_time() - cpu) / requests * 1000


async def _calls_per_request(run: Callable[[], Awaitable[object]], requests: int) -> float:
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(requests):
        await run()
    profile.disable()
    return float(pstats.Stats(profile).total_calls) / requests  # type: ignore[attr-defined]


async def measure(dump: Path, requests: int, rounds: int = 5,
                  per_layer: bool = False) -> dict[str, Any]:
    """Server CPU ms, wall ms and Python calls per request, per case (and with `per_layer`,
    per layer), and for the worker pool's round trip alone."""
    app = create_app(Settings(dataset=dump, query_workers=2))
    result: dict[str, Any] = {"clusterkg": str(Path(clusterkg.__file__).parent),
                              "requests": requests, "rounds": rounds}
    statuses: list[int] = []
    body = [b""]

    async def receive() -> Message:
        return {"type": "http.request", "body": body[0], "more_body": False}

    async def send(message: Message) -> None:
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    async with app.router.lifespan_context(app):
        await app(dict(CASES["floor"][0]), receive, send)  # builds the middleware stack
        stack = layers(app) if per_layer else [("app", app)]
        # the round trip alone (hand-off, worker, answer back): a pool whose every answer comes
        # from a worker; the service's own pool answers a job known to be tiny in the server
        # (`api/costs.py`: the `in_server` case; absent from versions before it)
        known = "inline_query_ms" in Settings.model_fields
        workers_only = Settings.model_validate(
            {"query_workers": 2, **({"inline_query_ms": 0} if known else {})})
        pool = QueryPool(app.state.holder.store, 2, workers_only)
        served = app.state.holder.pool
        job = QueryJob(ASK)

        async def pooled() -> None:
            assert (await pool.run(job, 10)).status == 200

        async def in_server() -> None:
            assert (await served.run(job, 10)).status == 200

        def request(layer: ASGIApp, scope: Scope, payload: bytes) -> Awaitable[None]:
            body[0] = payload
            return layer({**scope, "app": app}, receive, send)

        runs: dict[str, Callable[[], Awaitable[object]]] = {"pool": pooled}
        if known:
            runs["in_server"] = in_server
        for case, (scope, payload) in CASES.items():
            for name, layer in stack:
                runs[f"{case}/{name}"] = partial(request, layer, scope, payload)
        for warm in runs.values():
            for _ in range(50):
                await warm()
        cpu: dict[str, list[float]] = {key: [] for key in runs}
        wall: dict[str, list[float]] = {key: [] for key in runs}
        for _ in range(rounds):
            for key, run in runs.items():
                statuses.clear()
                started = time.perf_counter()
                cpu[key].append(await _cpu_per_request(run, requests))
                wall[key].append((time.perf_counter() - started) / requests * 1000)
                assert set(statuses) <= {200}, (key, statuses[:5])
        for key, run in runs.items():
            case, _, layer_name = key.partition("/")
            figures = {"cpu_ms": statistics.median(cpu[key]),
                       "wall_ms": statistics.median(wall[key]),
                       "calls": await _calls_per_request(run, min(requests, 200))}
            if layer_name in ("", "app"):
                result[case] = figures
            else:
                result[case].setdefault("layers", {})[layer_name] = figures
        pool.terminate()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dump", type=Path, default=Path("dist/clusterkg.nq"))
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--layers", action="store_true",
                        help="also enter the stack below each middleware (many more runs)")
    args = parser.parse_args()
    print(json.dumps(uvloop.run(measure(args.dump, args.requests, args.rounds, args.layers))))


if __name__ == "__main__":
    main()
