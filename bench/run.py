"""`python -m bench.run`: the SPARQL service against its reference peer, on two graphs.

For the graph built from the bundled sources (the seed graph) and for the synthetic graph of
`bench.synthetic` (3,000 organisations, about a million triples) it runs every query of the
named-query library and of `bench/queries/` through HTTP, against clusterkg and against
rdflib-endpoint serving the same dump with rdflib, both on 127.0.0.1, in the same run. Per
query it reports p50/p95 latency (one client, sequential requests), requests per second (two
concurrent clients) and the store's own time in-process (`store.query` and reading every row),
so the service's overhead is the HTTP p95 less the in-process p95. Every loop is bounded in time
and count; a peer request slower than `--peer-timeout` is recorded as a timeout and its rate is
an upper bound. The full build of the synthetic graph is timed too: generate, load into the
store and validate it with `clusterkg.shapes.validation.validate_store`.

Results go to `bench/results/<date>.md` and `.json`, as ratios to the peer measured in the run.
"""

from __future__ import annotations

import argparse
import os
import platform
import shlex
import signal
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from importlib.metadata import version
from multiprocessing import Pipe
from pathlib import Path
from typing import Any

import httpx
import pyoxigraph as ox

from bench import record, synthetic
from bench.servers import clusterkg_server, peer_server
from clusterkg.graph.build import DUMP_NAME, BuildError, assemble, build
from clusterkg.graph.store import OxigraphStore, RdfFormat
from clusterkg.queries.library import library
from clusterkg.shapes.validation import validate_store

BENCH_DIR = Path(__file__).resolve().parent
RESULTS_DIR = BENCH_DIR / "results"
ACCEPT = {"Accept": "application/sparql-results+json"}
TARGET_RATIO = 10.0
TARGET_OVERHEAD_MS = 10.0
TARGET_BUILD_S = 120.0


@dataclass
class Timing:
    """Latencies of one loop, in seconds, and the rate it achieved."""

    latencies: list[float] = field(default_factory=list)
    elapsed: float = 0.0
    errors: int = 0
    timed_out: bool = False
    rows: int | None = None

    @property
    def p50_ms(self) -> float | None:
        return _quantile(self.latencies, 0.50)

    @property
    def p95_ms(self) -> float | None:
        return _quantile(self.latencies, 0.95)

    @property
    def rps(self) -> float | None:
        return len(self.latencies) / self.elapsed if self.latencies and self.elapsed else None

    def summary(self) -> dict[str, Any]:
        return {"requests": len(self.latencies), "p50_ms": self.p50_ms, "p95_ms": self.p95_ms,
                "rps": self.rps, "errors": self.errors, "timed_out": self.timed_out,
                "rows": self.rows}


def _quantile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return 1000 * ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


@dataclass
class Limits:
    """How long each loop may run."""

    seconds: float = 2.0
    max_requests: int = 500
    peer_seconds: float = 4.0
    peer_timeout: float = 10.0
    clients: int = 2
    timeout: float = 10.0


def _bench_queries() -> dict[str, str]:
    queries = {name: q.text for name, q in sorted(library().items())}
    for path in sorted((BENCH_DIR / "queries").glob("*.rq")):
        queries[path.stem] = path.read_text(encoding="utf-8")
    return queries


def _loop(call: Callable[[], int], seconds: float, max_requests: int, timeout: float) -> Timing:
    """Sequential calls until `seconds` or `max_requests`; one call slower than `timeout`
    ends the loop."""
    timing = Timing()
    started = time.perf_counter()
    while len(timing.latencies) + timing.errors < max_requests:
        t0 = time.perf_counter()
        try:
            rows = call()
        except httpx.TimeoutException:
            timing.timed_out = True
            break
        except (httpx.HTTPError, ValueError):
            timing.errors += 1
            rows = None
        else:
            timing.latencies.append(time.perf_counter() - t0)
            timing.rows = rows
        if time.perf_counter() - started > seconds:
            break
    timing.elapsed = time.perf_counter() - started
    return timing


def _http_call(client: httpx.Client, url: str, query: str) -> Callable[[], int]:
    def call() -> int:
        response = client.get(url, params={"query": query}, headers=ACCEPT)
        response.raise_for_status()
        return len(response.json().get("results", {}).get("bindings", []))

    return call


def _throughput(url: str, query: str, clients: int, seconds: float, timeout: float) -> Timing:
    """Requests per second with `clients` concurrent clients, each looping for `seconds`."""
    parts: list[Timing] = []

    def worker() -> None:
        with httpx.Client(timeout=timeout) as client:
            parts.append(_loop(_http_call(client, url, query), seconds, 10_000, timeout))

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    total = Timing(elapsed=time.perf_counter() - started)
    for part in parts:
        total.latencies += part.latencies
        total.errors += part.errors
        total.timed_out |= part.timed_out
    return total


def measure_http(url: str, query: str, seconds: float, max_requests: int, timeout: float,
                 clients: int) -> dict[str, Any]:
    """Latency (sequential) and throughput (concurrent) of one query at one service."""
    with httpx.Client(timeout=timeout) as client:
        call = _http_call(client, url, query)
        try:
            for _ in range(2):  # warm-up: connection, caches, and each of the two query workers
                call()
        except httpx.TimeoutException:
            return {"latency": Timing(timed_out=True).summary(),
                    "throughput": Timing(timed_out=True).summary()}
        except httpx.HTTPError:
            pass
        latency = _loop(call, seconds, max_requests, timeout)
    p50 = latency.p50_ms
    slow = latency.timed_out or p50 is None or p50 > 1000 * seconds / 4
    throughput = latency if slow else _throughput(url, query, clients, seconds, timeout)
    return {"latency": latency.summary(), "throughput": throughput.summary()}


def measure_store(store: OxigraphStore, query: str, seconds: float,
                  max_requests: int) -> dict[str, Any]:
    """The store's own time: evaluate and read every solution, in this process."""

    def call() -> int:
        result = store.query(query)
        return 1 if isinstance(result, ox.QueryBoolean) else len(list(result))

    call()
    return _loop(call, seconds, max_requests, float("inf")).summary()


def measure_store_all(store: OxigraphStore, queries: dict[str, str], limits: Limits,
                      timeout: float) -> dict[str, dict[str, Any]]:
    """`measure_store` for every query in a forked child (the store is shared copy-on-write),
    so a query slower than `timeout` can be stopped: Oxigraph cannot cancel one in-thread."""
    results: dict[str, dict[str, Any]] = {}
    pending = list(queries.items())
    while pending:
        receiver, sender = Pipe(duplex=False)
        pid = os.fork()
        if pid == 0:  # pragma: no cover - child
            receiver.close()
            for name, query in pending:
                sender.send((name, measure_store(store, query, limits.seconds,
                                                 limits.max_requests)))
            os._exit(0)
        sender.close()
        while pending:
            name = pending[0][0]
            if not receiver.poll(timeout + 2 * limits.seconds):
                os.kill(pid, signal.SIGKILL)
                results[name] = Timing(timed_out=True).summary()
                pending.pop(0)
                break
            got, summary = receiver.recv()
            results[got] = summary
            pending.pop(0)
        os.waitpid(pid, 0)
        receiver.close()
    return results


def build_synthetic(out: Path, organisations: int, seed: int) -> dict[str, Any]:
    """Generate, load, validate and dump the synthetic graph; seconds per step."""
    steps: dict[str, Any] = {}
    t0 = time.perf_counter()
    generated = out.with_suffix(".generated.nq")
    synthetic.write(generated, organisations, seed)  # streamed: never all quads in memory
    steps["generate_s"] = time.perf_counter() - t0
    t1 = time.perf_counter()
    store = OxigraphStore.from_file(generated)
    generated.unlink()
    steps["load_s"] = time.perf_counter() - t1
    t3 = time.perf_counter()
    outcome = validate_store(store.native)  # read natively: no rdflib graph in between
    steps["validate_s"] = time.perf_counter() - t3
    steps["full_build_s"] = time.perf_counter() - t0
    steps["conforms"] = outcome.conforms
    steps["violations"] = len(outcome.violations)
    steps["triples"] = len(store)
    t4 = time.perf_counter()
    out.write_bytes(store.serialize(RdfFormat.NQUADS))
    steps["dump_s"] = time.perf_counter() - t4
    return steps


def build_seed(out_dir: Path) -> tuple[Path, dict[str, Any]]:
    """The graph of the bundled sources; an unvalidated assembly if the build stops."""
    t0 = time.perf_counter()
    try:
        store, _ = build(out_dir)
        note = "clusterkg build"
    except BuildError as error:
        store, _ = assemble()
        note = f"build stopped ({str(error).splitlines()[0]}); the assembled graph is used"
        out_dir.mkdir(parents=True, exist_ok=True)
        (out_dir / DUMP_NAME).write_bytes(store.serialize(RdfFormat.NQUADS))
    return out_dir / DUMP_NAME, {"build_s": time.perf_counter() - t0, "triples": len(store),
                                 "note": note}


def run_dataset(dump: Path, queries: dict[str, str], limits: Limits,
                with_peer: bool, say: Callable[[str], None]) -> dict[str, Any]:
    """Every query on one dump: in-process, clusterkg over HTTP, the peer over HTTP."""
    results: dict[str, Any] = {name: {} for name in queries}
    store = OxigraphStore.from_file(dump)
    for name, summary in measure_store_all(store, queries, limits, limits.timeout).items():
        results[name]["store"] = summary
    del store
    with clusterkg_server(dump, workers=limits.clients, timeout=limits.timeout) as url:
        for name, query in queries.items():
            say(f"  clusterkg  {name}")
            results[name]["clusterkg"] = measure_http(
                url, query, limits.seconds, limits.max_requests, limits.timeout + 5,
                limits.clients)
    if with_peer:
        say("  starting rdflib-endpoint (rdflib parses the dump)")
        t0 = time.perf_counter()
        with peer_server(dump) as url:
            say(f"  peer ready after {time.perf_counter() - t0:.0f} s")
            for name, query in queries.items():
                say(f"  peer       {name}")
                results[name]["peer"] = peer = measure_http(
                    url, query, limits.peer_seconds, limits.max_requests, limits.peer_timeout,
                    limits.clients)
                if peer["latency"]["timed_out"] or peer["throughput"]["timed_out"]:
                    peer["busy_after_timeout_s"] = _wait_idle(url, 300.0)
    return results


def _wait_idle(url: str, limit: float) -> float:
    """Seconds until the service answers `ASK {}` again. rdflib-endpoint evaluates in its
    event loop, so a query the client gave up on still blocks every later request; without
    this wait, one timeout would make the next queries time out too."""
    started = time.perf_counter()
    while time.perf_counter() - started < limit:
        try:
            if httpx.get(url, params={"query": "ASK {}"}, timeout=5).status_code == 200:
                break
        except httpx.HTTPError:
            pass
    return time.perf_counter() - started


def _ratios(results: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for name, r in results.items():
        ours = r["clusterkg"]["throughput"]["rps"]
        peer = r.get("peer", {}).get("throughput", {})
        peer_rps = peer.get("rps")
        if peer.get("timed_out") and not peer_rps:
            peer_rps = None
        store_p95 = r["store"]["p95_ms"]
        http_p95 = r["clusterkg"]["latency"]["p95_ms"]
        yield name, {
            "ratio": ours / peer_rps if ours and peer_rps else None,
            "peer_timed_out": bool(peer.get("timed_out")),
            "overhead_p95_ms": http_p95 - store_p95 if http_p95 is not None and store_p95
            is not None else None,
        }


def _fmt(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value:,.{digits}f}"


def markdown(report: dict[str, Any]) -> str:
    lines = [
        f"# Benchmark {report['date']}", "",
        f"Command: `{report['command']}`", "",
        f"Machine: {report['machine']}. Versions: {report['versions']}.", "",
        "clusterkg and its reference peer (rdflib-endpoint, rdflib's engine) serve the same dump "
        "on 127.0.0.1 in the same run. Latency: one client, sequential requests; throughput: "
        f"{report['limits']['clients']} concurrent clients. *store* is `store.query` plus reading "
        "every row in-process; overhead = HTTP p95 − store p95. A peer answer slower than "
        f"{report['limits']['peer_timeout']:g} s counts as a timeout (ratio then shown as ≥).",
        "",
    ]
    build_info = report["synthetic_build"]
    lines += [
        "## Synthetic graph build", "",
        f"{build_info['triples']:,} triples; generate {build_info['generate_s']:.1f} s, load "
        f"{build_info['load_s']:.1f} s, "
        f"validate {build_info['validate_s']:.1f} s: **full build {build_info['full_build_s']:.1f}"
        f" s** (target < {TARGET_BUILD_S:.0f} s); conforms: {build_info['conforms']}.", "",
    ]
    for key in ("seed", "synthetic"):
        data = report["datasets"].get(key)
        if not data:
            continue
        lines += [f"## {key} graph ({data['triples']:,} triples)", ""]
        if data.get("note"):
            lines += [f"Source: {data['note']}.", ""]
        lines += [
            "| query | rows | store p50/p95 ms | clusterkg p50/p95 ms | clusterkg req/s | "
            "peer p50/p95 ms | peer req/s | throughput × peer | overhead p95 ms |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        ratios = dict(_ratios(data["queries"]))
        for name, r in data["queries"].items():
            ours, peer = r["clusterkg"], r.get("peer")
            ratio = ratios[name]
            if ratio["ratio"] is not None:
                times = f"{ratio['ratio']:,.1f}×"
            elif ratio["peer_timed_out"] and ours["throughput"]["rps"]:
                times = f"≥ {ours['throughput']['rps'] * report['limits']['peer_timeout']:,.0f}×"
            else:
                times = "—"
            peer_lat = peer["latency"] if peer else {}
            peer_cell = ("timeout" if peer and peer["latency"]["timed_out"] and not
                         peer_lat.get("p50_ms") else
                         f"{_fmt(peer_lat.get('p50_ms'))} / {_fmt(peer_lat.get('p95_ms'))}")
            if ours["latency"]["timed_out"] or not ours["latency"]["requests"]:
                times = "clusterkg timeout"
            rows = ours["latency"]["rows"]
            peer_rows = peer_lat.get("rows") if peer else None
            rows_cell = str(rows) + ("" if peer_rows in (None, rows) else f" (peer {peer_rows})")
            lines.append(
                f"| {name} | {rows_cell} | {_fmt(r['store']['p50_ms'], 2)} / "
                f"{_fmt(r['store']['p95_ms'], 2)} | {_fmt(ours['latency']['p50_ms'], 2)} / "
                f"{_fmt(ours['latency']['p95_ms'], 2)} | {_fmt(ours['throughput']['rps'])} | "
                f"{peer_cell} | {_fmt(peer['throughput']['rps'], 2) if peer else '—'} | {times} | "
                f"{_fmt(ratio['overhead_p95_ms'], 2)} |"
            )
        lines += [""]
        summary = data["summary"]
        lines += [
            f"Throughput against the peer: geometric mean {_fmt(summary['ratio_geomean'])}×, "
            f"lowest {_fmt(summary['ratio_min'])}× (target ≥ {TARGET_RATIO:g}× at 1M triples). "
            f"Largest API overhead p95: {_fmt(summary['overhead_max_ms'], 2)} ms (target ≤ "
            f"{TARGET_OVERHEAD_MS:g} ms).", "",
        ]
        if summary.get("library_ratio") is not None:
            bound = "≥ " if summary["peer_is_lower_bound"] else ""
            lines += [
                f"Library throughput (one sequential pass over every query, sum of p50): "
                f"clusterkg {_fmt(summary['library_ms'], 1)} ms, peer {bound}"
                f"{_fmt(summary['peer_library_ms'], 1)} ms: {bound}"
                f"{_fmt(summary['library_ratio'])}× (target ≥ {TARGET_RATIO:g}× at 1M triples).",
                "",
            ]
    return "\n".join(lines)


def library_pass(queries: dict[str, Any], timeout_s: float) -> dict[str, Any]:
    """One sequential pass over the whole library: the sum of p50 latencies on each side. A
    query that timed out counts as the time limit, so a side with timeouts is a lower bound."""
    sums = {"clusterkg": 0.0, "peer": 0.0}
    bounded = {"clusterkg": False, "peer": False}
    for result in queries.values():
        for side in sums:
            latency = (result.get(side) or {}).get("latency")
            if latency is None:
                return {}
            p50 = latency.get("p50_ms")
            if p50 is None:
                sums[side] += timeout_s * 1000
                bounded[side] = True
            else:
                sums[side] += p50
    return {
        "library_ms": sums["clusterkg"],
        "peer_library_ms": sums["peer"],
        "peer_is_lower_bound": bounded["peer"],
        "clusterkg_is_lower_bound": bounded["clusterkg"],
        "library_ratio": sums["peer"] / sums["clusterkg"] if sums["clusterkg"] else None,
    }


def summarise(queries: dict[str, Any], timeout_s: float = 10.0) -> dict[str, Any]:
    ratios = dict(_ratios(queries))
    known = [r["ratio"] for r in ratios.values() if r["ratio"]]
    overheads = [r["overhead_p95_ms"] for r in ratios.values() if r["overhead_p95_ms"] is not None]
    return {
        "ratio_geomean": statistics.geometric_mean(known) if known else None,
        "ratio_min": min(known) if known else None,
        "peer_timeouts": sorted(n for n, r in ratios.items() if r["peer_timed_out"]),
        "overhead_max_ms": max(overheads) if overheads else None,
        **library_pass(queries, timeout_s),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--organisations", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--seconds", type=float, default=0.75, help="clusterkg loop per query")
    parser.add_argument("--peer-seconds", type=float, default=1.5, help="peer loop per query")
    parser.add_argument("--peer-timeout", type=float, default=10.0)
    parser.add_argument("--timeout", type=float, default=10.0,
                        help="clusterkg query time limit, in-process and over HTTP")
    parser.add_argument("--no-peer", action="store_true", help="skip rdflib-endpoint")
    parser.add_argument("--out", type=Path, default=RESULTS_DIR)
    args = parser.parse_args(argv)
    limits = Limits(args.seconds, 500, args.peer_seconds, args.peer_timeout, 2, args.timeout)

    def say(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    started = time.perf_counter()
    queries = _bench_queries()
    report: dict[str, Any] = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "command": "python -m bench.run " + shlex.join(sys.argv[1:] if argv is None else argv),
        "machine": f"{platform.machine()}, {_cpus()} CPUs, Python {platform.python_version()}",
        "versions": ", ".join(f"{p} {version(p)}" for p in
                              ("pyoxigraph", "rdflib", "rdflib-endpoint", "fastapi", "uvicorn")),
        "limits": asdict(limits),
        "datasets": {},
    }
    with tempfile.TemporaryDirectory(prefix="clusterkg-bench-") as tmp:
        say("building the seed graph")
        seed_dump, seed_info = build_seed(Path(tmp) / "seed")
        say(f"building the synthetic graph ({args.organisations} organisations)")
        synthetic_dump = Path(tmp) / "synthetic.nq"
        report["synthetic_build"] = build_synthetic(
            synthetic_dump, args.organisations, args.seed)
        for key, dump, info in (
            ("seed", seed_dump, seed_info),
            ("synthetic", synthetic_dump, {"triples": report["synthetic_build"]["triples"]}),
        ):
            say(f"{key} graph")
            results = run_dataset(dump, queries, limits, not args.no_peer, say)
            summary = summarise(results, limits.peer_timeout)
            report["datasets"][key] = {**info, "queries": results, "summary": summary}
    report["total_s"] = time.perf_counter() - started
    text = markdown(report) + f"Whole run: {report['total_s']:.0f} s.\n"
    record.write(args.out, datetime.now(UTC).strftime("%Y-%m-%d"), report, text)


def _cpus() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 0


if __name__ == "__main__":
    main()
