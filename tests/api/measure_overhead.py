"""Measure what HTTP adds to a query; prints p50/p95 in milliseconds (the worker pool's own
hand-off: `python -m bench.pool_overhead`).

Run from the repository root: `.venv/bin/python -m tests.api.measure_overhead`.
"""

from __future__ import annotations

import statistics
import time

import httpx

from clusterkg.api.results import QueryJob, evaluate
from clusterkg.graph.store import OxigraphStore

from .conftest import DATASET
from .server import running_server

QUERY = "SELECT ?c WHERE { ?c a <https://w3id.org/clusterkg/ontology#ClusterOrganisation> }"


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[int(0.95 * len(ordered)) - 1]


def http_overhead_ms(rounds: int = 500) -> tuple[float, float, float, float]:
    """p50/p95 of a full HTTP round trip to uvicorn, and of evaluating in process, in ms."""
    store = OxigraphStore.from_file(DATASET)
    direct = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        evaluate(store, QueryJob(QUERY))
        direct.append(1000 * (time.perf_counter() - t0))
    over_http = []
    with running_server(DATASET) as (url, _), httpx.Client() as client:
        for _ in range(rounds):
            t0 = time.perf_counter()
            client.get(url, params={"query": QUERY}).raise_for_status()
            over_http.append(1000 * (time.perf_counter() - t0))
    return (*_percentiles(over_http), *_percentiles(direct))


if __name__ == "__main__":
    h50, h95, d50, d95 = http_overhead_ms()
    print(f"HTTP round trip (uvicorn): p50 {h50:.3f} ms  p95 {h95:.3f} ms")
    print(f"in-process evaluation:     p50 {d50:.3f} ms  p95 {d95:.3f} ms")
