"""`python -m bench.side_by_side`: the query library on every engine in one run (issue 17).

One synthetic release (`bench.synthetic`, about a million triples at 3,000 organisations) is
served at once by:
- **clusterkg** (`python -m clusterkg.api`, its embedded store and query workers, HTTP);
- **clusterkg-workers**: the same with `CLUSTERKG_INLINE_QUERY_MS=0`, every answer from a
  worker (clusterkg answers a job it has seen answered within that CPU time in the server:
  `api/costs.py`; the warm-up call goes through a worker on both);
- **pyoxigraph** in this process (the store clusterkg serves, `load_release`; every row read;
  no HTTP: the engine's floor);
- **Oxigraph server** (the `oxigraph` wheel's binary), its own `/query` endpoint, over the
  release alone (bulk-loaded by `oxigraph load`, union default graph as clusterkg's): the same
  engine on the same data, so clusterkg's time over it is the façade's (issue 17 item 2);
- **Virtuoso** (Debian's `virtuoso-t`), its own `/sparql` endpoint;
- **rdflib-endpoint** (rdflib's engine), with a time limit long enough that none of its
  answers is cut (`--peer-timeout`), so that its ratio is a figure and not a bound.
Virtuoso gets the release by `clusterkg publish`'s code and is asked with the served
release's graphs as the dataset (`default-graph-uri`), as a researcher at its endpoint would.

Every query of the library and of `bench/queries/` is asked of each engine once to warm up and
to compare the row counts (they must agree), then `--repeat` rounds in which the engines take
turns on the same query; rdflib-endpoint is timed on its one call (no cache to warm, and
answers of minutes). A call cut at its time limit is reported as such, never as a time.
Reported: per-query p50/p95 per engine, one pass (the sum of p50s over the queries every engine
answered) per engine, each engine's pass as a ratio of Virtuoso's (issue 17 item 1), and
clusterkg against the Oxigraph server per query: the ratio and the milliseconds it adds (item 2).
Bounded: one client, `--repeat` rounds, a per-request time limit.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shlex
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

import httpx
import pyoxigraph as ox

from bench import record, synthetic
from bench.run import _bench_queries
from bench.servers import clusterkg_server, peer_server
from bench.stores import _ask, bulk_load, measure, oxigraph, virtuoso
from clusterkg.graph.release import load_release, write_manifest
from clusterkg.graph.remote_release import publish, served
from clusterkg.graph.store import OxigraphStore
from clusterkg.graph.stores import open_store

RESULTS_DIR = Path(__file__).parent / "results"
ENGINES = ("clusterkg", "clusterkg-workers", "pyoxigraph", "oxigraph-server", "virtuoso",
           "rdflib-endpoint")
FACADES = ("clusterkg", "clusterkg-workers")  # the service, and the service without `costs`
REFERENCE = "virtuoso"
ONCE = frozenset({"rdflib-endpoint"})  # timed once: see `bench.stores.measure`

Ask = Callable[[], int]


def _in_process(store: OxigraphStore, query: str) -> Ask:
    def ask() -> int:
        answer = store.query(query)
        if isinstance(answer, ox.QueryBoolean):
            return 1
        return sum(1 for _ in answer)
    return ask


class _Peer:
    """rdflib-endpoint asked one query. rdflib-endpoint evaluates in its event loop and goes on
    with a query its client gave up on, so every later request would wait behind it: after a
    cut answer the peer is polled until idle (up to its time limit again), and if it is still
    busy every later query is refused at once, said so in the table, never timed."""

    busy_since: str | None = None  # the query that left the peer busy, for all instances

    def __init__(self, client: httpx.Client, url: str, name: str, query: str,
                 limit: float) -> None:
        self.ask, self.url, self.name = _ask(client, url, [("query", query)]), url, name
        self.limit = limit

    def __call__(self) -> int:
        if _Peer.busy_since is not None:
            raise RuntimeError(f"not asked: still busy with {_Peer.busy_since} (cut)")
        try:
            return self.ask()
        except httpx.TimeoutException:
            deadline = time.monotonic() + self.limit
            while time.monotonic() < deadline:
                try:
                    httpx.get(self.url, params={"query": "ASK {}"}, timeout=5.0)
                    break
                except httpx.TimeoutException:
                    continue
            else:
                _Peer.busy_since = self.name
            raise


@contextmanager
def published_virtuoso(dump: Path, folder: Path, timeout: float, memory_mb: int,
              say: Callable[[str], None]) -> Iterator[tuple[str, list[tuple[str, str]], float]]:
    """Virtuoso with the release published; yields its query endpoint, the served release as a
    dataset, and the publish time."""
    pids: list[int] = []
    with virtuoso(folder, memory_mb, int(timeout), pids) as (url, credentials):
        os.environ.update(credentials)  # the Virtuoso dialect reads its credentials there
        store = open_store(url, timeout=timeout)
        say("virtuoso: publishing")
        t0 = time.perf_counter()
        publish(dump, store)
        seconds = time.perf_counter() - t0
        now = served(store)
        assert now is not None
        say(f"virtuoso: {sum(now.triples.values()):,} triples published in {seconds:.0f} s")
        dataset = [("default-graph-uri", g) for g in now.default] + [
            ("named-graph-uri", g) for g in now.named]
        yield store.dialect.query_endpoint, dataset, seconds


@contextmanager
def _oxigraph_server(dump: Path, folder: Path,
                     say: Callable[[str], None]) -> Iterator[tuple[str, float]]:
    """Oxigraph server over the release alone, bulk-loaded, its default graph the union of the
    release's graphs (as clusterkg serves it); yields its query endpoint and the load time."""
    say("oxigraph-server: bulk-loading the release")
    seconds = bulk_load(folder, dump)
    say(f"oxigraph-server: loaded in {seconds:.0f} s")
    with oxigraph(folder, [], union_default=True) as (url, _):
        yield open_store(url).dialect.query_endpoint, seconds


def run(organisations: int, repeat: int, timeout: float, peer_timeout: float, memory_mb: int,
        engines: tuple[str, ...], say: Callable[[str], None]) -> dict[str, Any]:
    queries = _bench_queries()
    report: dict[str, Any] = {"organisations": organisations, "repeat": repeat,
                              "peer_timeout": peer_timeout,
                              "engines": list(engines), "publish_s": {}, "queries": {},
                              "oxigraph_server": "bulk load, union default graph"}
    with tempfile.TemporaryDirectory(prefix="bench-side-") as tmp, ExitStack() as servers:
        dump = Path(tmp) / "release" / "synthetic.nq"
        dump.parent.mkdir()
        say(f"generating {organisations} organisations")
        report["triples"] = synthetic.write(dump, organisations, seed=1)
        write_manifest(dump)
        client = servers.enter_context(httpx.Client(timeout=max(timeout, peer_timeout) + 10))
        asks: dict[str, dict[str, Ask]] = {name: {} for name in queries}
        if "clusterkg" in engines:
            url = servers.enter_context(clusterkg_server(dump, timeout=timeout))
            for name, query in queries.items():
                asks[name]["clusterkg"] = _ask(client, url, [("query", query)])
        if "clusterkg-workers" in engines:
            url = servers.enter_context(clusterkg_server(
                dump, timeout=timeout, settings={"CLUSTERKG_INLINE_QUERY_MS": "0"}))
            for name, query in queries.items():
                asks[name]["clusterkg-workers"] = _ask(client, url, [("query", query)])
        if "pyoxigraph" in engines:
            store, _ = load_release(dump)  # the store clusterkg serves, in this process
            for name, query in queries.items():
                asks[name]["pyoxigraph"] = _in_process(store, query)
        if "oxigraph-server" in engines:
            folder = Path(tmp) / "oxigraph-server"
            endpoint, seconds = servers.enter_context(_oxigraph_server(dump, folder, say))
            report["publish_s"]["oxigraph-server"] = seconds
            for name, query in queries.items():
                asks[name]["oxigraph-server"] = _ask(client, endpoint, [("query", query)])
        if "virtuoso" in engines:
            folder = Path(tmp) / "virtuoso"
            folder.mkdir()
            endpoint, dataset, seconds = servers.enter_context(
                published_virtuoso(dump, folder, timeout, memory_mb, say))
            report["publish_s"]["virtuoso"] = seconds
            for name, query in queries.items():
                asks[name]["virtuoso"] = _ask(client, endpoint, [("query", query), *dataset])
        if "rdflib-endpoint" in engines:
            say("rdflib-endpoint: parsing the dump")
            url = servers.enter_context(peer_server(dump))
            peer = httpx.Client(timeout=peer_timeout)
            servers.enter_context(peer)
            for name, query in queries.items():
                asks[name]["rdflib-endpoint"] = _Peer(peer, url, name, query, peer_timeout)
        for name in queries:
            say(f"query {name}")
            report["queries"][name] = measure(asks[name], repeat, once=ONCE)
    return report


def passes(report: dict[str, Any], engines: list[str]) -> tuple[dict[str, float], int]:
    """One pass per engine of `engines`: the sum of its p50s over the queries every one of
    them answered; and how many queries that is."""
    answered = [q for q in report["queries"].values()
                if all(q[e]["p50_ms"] is not None for e in engines)]
    return {e: sum(q[e]["p50_ms"] for q in answered) / 1000 for e in engines}, len(answered)


def _pass_table(report: dict[str, Any], engines: list[str]) -> list[str]:
    totals, answered = passes(report, engines)
    reference = totals.get(REFERENCE)
    lines = [f"Over the {answered} of {len(report['queries'])} queries that "
             f"{', '.join(engines)} all answered within their limits:", "",
             "| engine | pass s | ratio to Virtuoso | data in s |", "|---|---:|---:|---:|"]
    for e in engines:
        ratio = f"{totals[e] / reference:.2f}" if reference else "-"
        publish_s = report["publish_s"].get(e)
        lines.append(f"| {e} | {totals[e]:.2f} | {ratio} | "
                     f"{'-' if publish_s is None else f'{publish_s:.0f}'} |")
    return [*lines, ""]


SMALL_ROWS, SMALL_MS = 100, 5.0  # "small answers" of item 2: few rows, answered at once


def facade(report: dict[str, Any], engine: str = "clusterkg") -> dict[str, Any] | None:
    """`engine` (clusterkg, or clusterkg-workers) against the Oxigraph server over the same
    data (item 2): per query the p50 ratio and the milliseconds added; their geometric mean,
    and the median added for small answers (at most SMALL_ROWS rows, given by the Oxigraph
    server within SMALL_MS). None if the run had not both."""
    if report.get("oxigraph_server") is None or not {engine, "oxigraph-server"} <= set(
            report["engines"]):
        return None
    rows: dict[str, dict[str, float]] = {}
    for name, q in report["queries"].items():
        ours, theirs = q[engine]["p50_ms"], q["oxigraph-server"]["p50_ms"]
        if ours is None or theirs is None or not theirs:
            continue
        rows[name] = {"rows": q["clusterkg"]["rows"], "store_ms": theirs, "clusterkg_ms": ours,
                      "added_ms": ours - theirs, "ratio": ours / theirs}
    if not rows:
        return None
    small = sorted(r["added_ms"] for r in rows.values()
                   if isinstance(r["rows"], int) and r["rows"] <= SMALL_ROWS
                   and r["store_ms"] <= SMALL_MS)
    return {"queries": rows,
            "geometric_mean": math.exp(statistics.fmean(math.log(r["ratio"])
                                                        for r in rows.values())),
            "within_1_1": sum(1 for r in rows.values() if r["ratio"] <= 1.1),
            "small_added_p50_ms": statistics.median(small) if small else None,
            "small": len(small)}


def _facade_table(report: dict[str, Any]) -> list[str]:
    found = {e: facade(report, e) for e in FACADES}
    shown = [e for e in FACADES if found[e] is not None]
    if not shown:
        return []
    lines = ["## The façade over its engine (issue 17 item 2)", "",
             "clusterkg against the Oxigraph server's own endpoint: the same engine over the "
             "same data with the same union default graph, so the difference is what the "
             "service adds (HTTP server, protocol, limits, worker hand-off, writing the answer).",
             ""]
    for engine in shown:
        summary = found[engine]
        assert summary is not None
        small = summary["small_added_p50_ms"]
        lines += [f"- **{engine}**: geometric mean of the ratios "
                  f"{summary['geometric_mean']:.2f}×; {summary['within_1_1']} of "
                  f"{len(summary['queries'])} queries within 1.1×; median added for the "
                  f"{summary['small']} small answers (at most {SMALL_ROWS} rows, within "
                  f"{SMALL_MS:g} ms at the Oxigraph server): "
                  f"{'-' if small is None else f'{small:.2f} ms'}."]
    header = " | ".join(f"{e} p50 ms | added ms | ratio" for e in shown)
    lines += ["", f"| query | rows | Oxigraph server p50 ms | {header} |",
              "|---|---:|---:|" + "---:|---:|---:|" * len(shown)]
    first = found[shown[0]]
    assert first is not None
    for name, r in first["queries"].items():
        cells = []
        for engine in shown:
            row = cast(dict[str, Any], found[engine])["queries"].get(name)
            cells.append("- | - | -" if row is None else
                         f"{row['clusterkg_ms']:.1f} | {row['added_ms']:+.1f} | "
                         f"{row['ratio']:.2f}")
        lines.append(f"| {name} | {r['rows']} | {r['store_ms']:.1f} | " + " | ".join(cells)
                     + " |")
    return [*lines, ""]


def _cell(m: dict[str, Any]) -> str:
    if m["p50_ms"] is None:
        return str(m["rows"])[:60]
    return f"{m['p50_ms']:.1f} ({m['p95_ms']:.1f})"


def markdown(report: dict[str, Any]) -> str:
    engines = report["engines"]
    lines = [f"# The query library on every engine, one run ({report['date']})", "",
             f"Command: `{report['command']}`", "",
             f"Machine: {report['machine']}; 1-minute load average {report['load_average'][0]} "
             f"before and {report['load_average'][1]} after. Synthetic release of "
             f"{report['triples']:,} triples ({report['organisations']} organisations, seed 1); "
             f"{report['repeat']} rounds per query after a warm-up, engines taking turns "
             f"(rdflib-endpoint: one timed call per query, limit {report['peer_timeout']:.0f} s).",
             "",
             "## One pass (sum of p50s)", ""]
    servers = [e for e in engines if e not in ONCE]
    lines += _pass_table(report, servers)
    if len(servers) < len(engines):
        lines += _pass_table(report, engines)
    if report.get("oxigraph_server"):
        lines += ["Data in: Virtuoso by `clusterkg publish`; the Oxigraph server by its bulk "
                  "loader (`oxigraph load`, the release alone).", ""]
    lines += _facade_table(report)
    lines += ["## Per query: p50 ms (p95 ms)", "",
              "| query | rows | " + " | ".join(engines) + " |",
              "|---|---:|" + "---:|" * len(engines)]
    for name, q in report["queries"].items():
        counts = {str(q[e]["rows"]) for e in engines}
        rows = counts.pop() if len(counts) == 1 else " / ".join(str(q[e]["rows"]) for e in engines)
        lines.append(f"| {name} | {rows} | " + " | ".join(_cell(q[e]) for e in engines) + " |")
    disagree = [n for n, q in report["queries"].items()
                if len({str(q[e]["rows"]) for e in engines}) > 1]
    lines += ["", "Row counts disagree on: " + (", ".join(disagree) if disagree else "none") + ".",
              ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--organisations", type=int, default=3000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=300.0,
                        help="time limit per request (clusterkg, Oxigraph server, Virtuoso)")
    parser.add_argument("--peer-timeout", type=float, default=1800.0,
                        help="time limit per request to rdflib-endpoint (none may be cut)")
    parser.add_argument("--memory-mb", type=int, default=2048, help="Virtuoso's page buffers")
    parser.add_argument("--engines", default=",".join(ENGINES))
    parser.add_argument("--out", type=Path, default=RESULTS_DIR)
    parser.add_argument("--render", type=Path, metavar="JSON",
                        help="only write the Markdown report of an earlier run's JSON again")
    args = parser.parse_args(argv)
    if args.render:
        earlier = json.loads(args.render.read_text(encoding="utf-8"))
        args.render.with_suffix(".md").write_text(markdown(earlier), encoding="utf-8")
        return
    command = shlex.join(["python", "-m", "bench.side_by_side", *(argv or sys.argv[1:])])

    def say(message: str) -> None:
        print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)

    engines = tuple(e for e in args.engines.split(",") if e)
    unknown = set(engines) - set(ENGINES)
    if unknown:
        parser.error(f"unknown engines: {', '.join(sorted(unknown))}; known: {', '.join(ENGINES)}")
    report: dict[str, Any] = {"date": datetime.now(UTC).strftime("%Y-%m-%d"),
                              "machine": record.machine(), "command": command}
    with record.load_average(report):
        report.update(run(args.organisations, args.repeat, args.timeout, args.peer_timeout,
                          args.memory_mb, engines, say))
    record.write(args.out, f"side-by-side-{report['date']}-{report['triples']}", report,
                 markdown(report), command)


if __name__ == "__main__":
    main()
