"""`python -m bench.pool_overhead`: what the query worker pool adds to a small query.

The same query is evaluated, round after round, in process (`api.results.evaluate`: the
baseline, measured in the same run, interleaved) and through `api.execution.QueryPool` (two
ad-hoc workers at normal CPU priority: the mechanism's cost alone). Reported: p50 and p95 of
both, of the difference (the pool's hand-off, in ms) and of the ratio pooled/in-process. The
unit tests check what the pool does (`tests/api/test_execution.py`); how long it takes is
measured here, under whatever load the machine has, and never asserted by a test.

Results: `bench/results/pool-overhead-<date>.md` and `.json`, with the command.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shlex
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from bench import record
from clusterkg.api.execution import QueryPool
from clusterkg.api.results import QueryJob, evaluate
from clusterkg.graph.store import OxigraphStore
from clusterkg.settings import Settings

RESULTS_DIR = Path(__file__).resolve().parent / "results"
QUERY = "SELECT ?s WHERE { ?s <urn:p> 7 }"


def store_of(size: int) -> OxigraphStore:
    """`size` triples <urn:s{i}> <urn:p> i in one named graph (the unit tests' shape)."""
    store = OxigraphStore()
    graph = ox.NamedNode("https://w3id.org/clusterkg/graph/synthetic")
    store.add_quads(
        ox.Quad(ox.NamedNode(f"urn:s{i}"), ox.NamedNode("urn:p"), ox.Literal(i), graph)
        for i in range(size)
    )
    return store


def _percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "p50": round(statistics.median(ordered), 4),
        "p95": round(ordered[max(0, int(0.95 * len(ordered)) - 1)], 4),
    }


def measure(rounds: int, size: int) -> dict[str, Any]:
    """Interleaved in-process and pooled evaluations of `QUERY`, in ms."""
    store = store_of(size)
    job = QueryJob(QUERY)
    direct: list[float] = []
    pooled: list[float] = []

    async def run() -> None:
        pool = QueryPool(store, size=2, settings=Settings(query_workers=2, adhoc_nice=0,
                                                          inline_query_ms=0))  # the hand-off
        try:
            await pool.run(job, timeout=5)  # workers warm
            for _ in range(rounds):
                t0 = time.perf_counter()
                evaluate(store, job)
                t1 = time.perf_counter()
                await pool.run(job, timeout=5)
                t2 = time.perf_counter()
                direct.append(1000 * (t1 - t0))
                pooled.append(1000 * (t2 - t1))
        finally:
            pool.terminate()

    asyncio.run(run())
    return {
        "in_process_ms": _percentiles(direct),
        "pooled_ms": _percentiles(pooled),
        "added_ms": _percentiles([p - d for p, d in zip(pooled, direct, strict=True)]),
        "ratio": _percentiles([p / d for p, d in zip(pooled, direct, strict=True) if d > 0]),
    }


def report(results: dict[str, Any], command: str) -> str:
    rows = [
        ("in process (baseline)", results["in_process_ms"]),
        ("through the pool", results["pooled_ms"]),
        ("added by the pool", results["added_ms"]),
    ]
    lines = [
        f"# Query worker pool overhead, {results['date']}",
        "",
        f"Command: `{command}`",
        "",
        f"Machine: {results['machine']}, {os.cpu_count()} cores, 1-minute load average "
        f"{results['load_average'][0]} before and {results['load_average'][1]} after. "
        f"{results['rounds']} interleaved rounds of `{QUERY}` over {results['triples']} "
        "triples; two ad-hoc workers at normal priority.",
        "",
        "| | p50 ms | p95 ms |",
        "|---|---:|---:|",
        *(f"| {name} | {v['p50']:.3f} | {v['p95']:.3f} |" for name, v in rows),
        f"| ratio pooled / in process | {results['ratio']['p50']:.1f}× "
        f"| {results['ratio']['p95']:.1f}× |",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rounds", type=int, default=1000)
    parser.add_argument("--triples", type=int, default=300)
    parser.add_argument("--out", type=Path, default=RESULTS_DIR)
    args = parser.parse_args(argv)
    command = shlex.join(["python", "-m", "bench.pool_overhead", *(argv or sys.argv[1:])])
    results: dict[str, Any] = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d"),
        "machine": record.machine(),
        "rounds": args.rounds,
        "triples": args.triples,
    }
    with record.load_average(results):
        results.update(measure(args.rounds, args.triples))
    record.write(args.out, f"pool-overhead-{results['date']}", results,
                 report(results, command), command)


if __name__ == "__main__":
    main()
