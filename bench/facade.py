"""`python -m bench.facade`: what the service adds to its store, layer by layer, in one run.

Per query, interleaved round by round: the store alone (`store.query` and reading every row),
the answer written (`results.evaluate`, the worker's own work), the worker pool
(`QueryPool.run`: fork, pipe, pickling) and the whole service over HTTP (uvicorn, FastAPI,
middleware, one keep-alive client), plus the cheapest HTTP route of the service as the floor of
uvicorn and the client. It reports p50/p95 per layer, the milliseconds the service adds over the
store at p50 and the ratio HTTP / store. After the pass it sums the proportional set size (PSS,
`/proc/<pid>/smaps_rollup`) of the serving process and its workers, per triple.

    python -m bench.facade --dump dist/clusterkg.nq --rounds 200
    python -m bench.facade --organisations 3000 --rounds 50   # the synthetic graph, ~1M triples
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import shlex
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import pyoxigraph as ox

from bench import synthetic
from bench.memory import pss, unique_bytes
from bench.servers import clusterkg_server
from clusterkg import iris
from clusterkg.api.execution import QueryPool
from clusterkg.api.results import QueryJob, evaluate
from clusterkg.graph.store import OxigraphStore
from clusterkg.queries.library import library
from clusterkg.settings import Settings

RESULTS_DIR = Path(__file__).resolve().parent / "results"
ACCEPT = {"Accept": "application/sparql-results+json"}
SMALL = {
    "ask": "ASK {}",
    "one-type": f"SELECT ?c WHERE {{ ?c a <{iris.ONTOLOGY}Country> }} LIMIT 10",
    "typed-890": "SELECT ?s ?c WHERE { ?s a ?c } ORDER BY ?s ?c LIMIT 890",
}


def _pct(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(int(q * len(ordered)), len(ordered) - 1)] * 1000


def _server_pids(url: str) -> tuple[int, list[int]]:
    """The `clusterkg.api` child of this process serving `url`, and that child's workers."""
    me = Path("/proc/self/task")
    kids = [int(c) for t in me.iterdir() for c in (t / "children").read_text().split()]
    port = url.split(":")[2].split("/")[0].encode()
    server = next(p for p in kids if b"clusterkg.api" in Path(f"/proc/{p}/cmdline").read_bytes()
                  and b"CLUSTERKG_PORT=" + port + b"\0" in Path(f"/proc/{p}/environ").read_bytes())
    workers = [int(c) for t in Path(f"/proc/{server}/task").iterdir()
               for c in (t / "children").read_text().split()]
    return server, workers


def _server_tree_memory(url: str) -> tuple[int, int, int | None]:
    """PSS in bytes of the `clusterkg.api` child of this process serving `url` and of that
    child's workers, and the tree's distinct anonymous page frames (`bench.memory`)."""
    server, workers = _server_pids(url)
    return pss(server), sum(pss(w) for w in workers), unique_bytes([server, *workers])


def _cpu_seconds(url: str) -> float:
    """CPU time so far of the server serving `url` and its workers, every thread
    (`/proc/<pid>/task/<tid>/schedstat`, nanoseconds): a figure the neighbours' load on a
    shared machine moves far less than wall-clock time."""
    server, workers = _server_pids(url)
    total = 0
    for pid in (server, *workers):
        for task in Path(f"/proc/{pid}/task").iterdir():
            with contextlib.suppress(OSError):
                total += int((task / "schedstat").read_text().split()[0])
    return total / 1e9


def measure(dump: Path, queries: dict[str, str], rounds: int,
            baseline: Path | None = None) -> dict[str, Any]:
    """Every layer of every query, `rounds` times, interleaved; with `baseline`, the service
    of that checkout over HTTP too (`http_baseline`)."""
    store = OxigraphStore.from_file(dump)
    layers = ("store", "evaluate", "pool", "http", "http_cpu") + (
        ("http_baseline", "http_baseline_cpu") if baseline else ())
    times: dict[str, dict[str, list[float]]] = {q: {k: [] for k in layers} for q in queries}
    floor: list[float] = []

    def timed(action: Callable[[], object]) -> float:
        started = time.perf_counter()
        action()
        return time.perf_counter() - started

    async def pooled(pool: QueryPool, job: QueryJob) -> None:
        outcome = await pool.run(job, 60)
        assert outcome.status == 200, outcome.body[:200]

    loop = asyncio.new_event_loop()
    pool = loop.run_until_complete(_pool(store))
    try:
        with contextlib.ExitStack() as servers, httpx.Client(timeout=60) as client:
            url = servers.enter_context(clusterkg_server(dump))
            other = servers.enter_context(clusterkg_server(dump, code=baseline)) if baseline \
                else None
            base = url.rsplit("/", 1)[0]
            for _ in range(rounds):
                floor.append(timed(lambda: client.get(base + "/context/v1.jsonld")))
                for name, text in queries.items():
                    job = QueryJob(text, max_rows=100_000)
                    row = times[name]
                    row["store"].append(timed(partial(_read_all, store, text)))
                    row["evaluate"].append(timed(partial(evaluate, store, job)))
                    row["pool"].append(timed(partial(loop.run_until_complete,
                                                     pooled(pool, job))))
                    for layer, served in (("http", url), ("http_baseline", other)):
                        if served is None:
                            continue
                        cpu = _cpu_seconds(served)
                        row[layer].append(timed(partial(_post, client, served, text)))
                        row[layer + "_cpu"].append(_cpu_seconds(served) - cpu)
            server_pss, workers_pss, unique = _server_tree_memory(url)
    finally:
        pool.terminate()
        loop.close()
    rows = []
    for name, row in times.items():
        summary = {k: {"p50_ms": _pct(v, 0.5), "p95_ms": _pct(v, 0.95)} for k, v in row.items()}
        store_p50, http_p50 = summary["store"]["p50_ms"], summary["http"]["p50_ms"]
        rows.append({"query": name, **summary, "added_p50_ms": http_p50 - store_p50,
                     "ratio_http_store": http_p50 / store_p50 if store_p50 else None})
    return {"triples": len(store), "rounds": rounds, "floor_http_p50_ms": _pct(floor, 0.5),
            "server_pss": server_pss, "workers_pss": workers_pss,
            "bytes_per_triple": (server_pss + workers_pss) / max(len(store), 1),
            "unique_bytes": unique, "rows": rows}


def _read_all(store: OxigraphStore, text: str) -> object:
    result = store.query(text)
    return bool(result) if isinstance(result, ox.QueryBoolean) else list(result)


def _post(client: httpx.Client, url: str, text: str) -> None:
    client.post(url, data={"query": text}, headers=ACCEPT).raise_for_status()


async def _pool(store: OxigraphStore) -> QueryPool:
    # every answer from a worker: this layer is the hand-off (the service skips it for a job
    # already known to be tiny, `api/costs.py`; the HTTP layer shows that)
    return QueryPool(store, 2, Settings(query_workers=2, query_timeout=60, inline_query_ms=0))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dump", type=Path, help="a built dump (default: synthetic)")
    parser.add_argument("--organisations", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=100)
    parser.add_argument("--library", action="store_true", help="also every library query")
    parser.add_argument("--baseline", type=Path,
                        help="a checkout of another version, served side by side over HTTP")
    parser.add_argument("--name", help="results file stem (default facade-<date>-<graph>)")
    args = parser.parse_args(argv)
    queries = dict(SMALL)
    if args.library:
        queries |= {name: q.text for name, q in sorted(library().items()) if not q.params}
    with tempfile.TemporaryDirectory() as tmp:
        dump = args.dump
        if dump is None:
            dump = Path(tmp) / "synthetic.nq"
            synthetic.write(dump, args.organisations, seed=1)
        result = measure(dump, queries, args.rounds, args.baseline)
    command = "python -m bench.facade " + shlex.join(argv if argv is not None else sys.argv[1:])
    result["command"] = command
    stamp = datetime.now(UTC).strftime("%Y-%m-%d")
    label = "seed" if args.dump else f"synthetic-{result['triples']}"
    RESULTS_DIR.mkdir(exist_ok=True)
    stem = args.name or f"facade-{stamp}-{label}"
    (RESULTS_DIR / f"{stem}.json").write_text(json.dumps(result, indent=2) + "\n")
    lines = [f"# What the service adds to its store ({stamp}, {label})", "",
             f"Command: `{command}`; {result['triples']:,} triples, {args.rounds} interleaved "
             f"rounds; floor (cheapest HTTP route) p50 {result['floor_http_p50_ms']:.2f} ms.", "",
             "Server CPU: the serving process's and its workers' CPU time per request (all "
             "threads), which the machine's other load moves far less than wall time.", "",
             "| query | store p50 | evaluate p50 | pool p50 | HTTP p50 | HTTP p95 | added p50 "
             "| HTTP / store | server CPU p50 | baseline HTTP p50 | baseline server CPU p50 |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in result["rows"]:
        ratio = f"{r['ratio_http_store']:.2f}×" if r["ratio_http_store"] else "–"
        baseline_cells = (f"{r['http_baseline']['p50_ms']:.2f} | "
                          f"{r['http_baseline_cpu']['p50_ms']:.2f}" if "http_baseline" in r
                          else "– | –")
        lines.append(f"| {r['query']} | {r['store']['p50_ms']:.2f} | {r['evaluate']['p50_ms']:.2f}"
                     f" | {r['pool']['p50_ms']:.2f} | {r['http']['p50_ms']:.2f} | "
                     f"{r['http']['p95_ms']:.2f} | {r['added_p50_ms']:.2f} | {ratio} | "
                     f"{r['http_cpu']['p50_ms']:.2f} | {baseline_cells} |")
    lines += ["", f"Memory after the pass: server PSS {result['server_pss'] / 2**20:.0f} MiB, "
              f"workers PSS {result['workers_pss'] / 2**20:.0f} MiB, "
              f"{result['bytes_per_triple']:.0f} B/triple (server and its workers); distinct "
              "anonymous page frames of the tree "
              + (f"{result['unique_bytes'] / 2**20:.0f} MiB, "
                 f"{result['unique_bytes'] / result['triples']:.0f} B/triple."
                 if result["unique_bytes"] else "not readable (needs root).")]
    (RESULTS_DIR / f"{stem}.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
