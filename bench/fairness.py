"""`python -m bench.fairness`: a cheap named query under load, with and without slow clients.

A real clusterkg server on 127.0.0.1 serves the synthetic graph of `bench.synthetic`, or the
dump given by `--dump` (e.g. the build's `dist/clusterkg.nq`). Four cheap clients (source
addresses 127.0.0.4-7, all of them loopback) repeat the named query `countries-surveyed` for
`--seconds`; then the same again while two slow clients (127.0.0.2 and 127.0.0.3, two
connections each) repeat a query that runs until the 30 s time limit. A third pair of phases
does the same with a cheap ad-hoc `/sparql` query instead of the named one. Per phase:
requests per second, p50/p99 latency, errors by status. Bounded: every phase stops after
`--seconds`, every request has a timeout. Results go to `bench/results/fairness-<date>.md`
and `.json` (`-build` added with `--dump`), with the command.
"""

from __future__ import annotations

import argparse
import shlex
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import httpx

from bench import record, synthetic
from bench.servers import clusterkg_server

RESULTS_DIR = Path(__file__).resolve().parent / "results"
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
CHEAP_SPARQL = "ASK { ?s a ?type }"
CHEAP_ADDRESSES = ("127.0.0.4", "127.0.0.5", "127.0.0.6", "127.0.0.7")
SLOW_ADDRESSES = ("127.0.0.2", "127.0.0.3")


@dataclass
class Phase:
    """What the cheap clients saw in one phase."""

    name: str
    seconds: float
    requests: int = 0
    ok: int = 0
    rate: float = 0.0
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    errors: dict[str, int] = field(default_factory=dict)
    slow_statuses: dict[str, int] = field(default_factory=dict)


def _client(address: str) -> httpx.Client:
    return httpx.Client(transport=httpx.HTTPTransport(local_address=address), timeout=60)


def _loop(address: str, request: tuple[str, dict[str, str]], stop: threading.Event,
          latencies: list[float], statuses: Counter[str]) -> None:
    url, params = request
    with _client(address) as client:
        while not stop.is_set():
            started = time.perf_counter()
            try:
                status = str(client.get(url, params=params).status_code)
            except httpx.HTTPError as error:
                status = type(error).__name__
            latencies.append(time.perf_counter() - started)
            statuses[status] += 1


def _phase(name: str, request: tuple[str, dict[str, str]], base: str, seconds: float,
           slow: bool) -> Phase:
    stop, slow_stop = threading.Event(), threading.Event()
    latencies: list[float] = []
    statuses: Counter[str] = Counter()
    slow_statuses: Counter[str] = Counter()
    slow_threads = [
        threading.Thread(target=_loop, args=(address, (base + "sparql", {"query": SLOW}),
                                             slow_stop, [], slow_statuses))
        for address in SLOW_ADDRESSES for _ in range(2)
    ] if slow else []
    for thread in slow_threads:
        thread.start()
    if slow:
        time.sleep(1.0)  # the slow queries hold their workers before the measurement starts
    threads = [threading.Thread(target=_loop, args=(a, request, stop, latencies, statuses))
               for a in CHEAP_ADDRESSES]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    slow_stop.set()
    ordered = sorted(latencies)
    result = Phase(name, round(elapsed, 1), len(ordered), statuses.get("200", 0))
    result.rate = round(result.ok / elapsed, 1)
    if ordered:
        result.p50_ms = round(statistics.median(ordered) * 1000, 1)
        result.p99_ms = round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000, 1)
    result.errors = {k: v for k, v in statuses.items() if k != "200"}
    for thread in slow_threads:
        thread.join(timeout=60)
    result.slow_statuses = dict(slow_statuses)
    return result


def run(seconds: float, organisations: int, dump: Path | None = None) -> list[Phase]:
    with tempfile.TemporaryDirectory() as folder:
        if dump is None:
            dump = Path(folder) / "synthetic.nq"
            synthetic.write(dump, organisations=organisations, seed=1)
        with clusterkg_server(dump, workers=2, timeout=30.0) as url:
            base = url.removesuffix("sparql")
            named = (base + "queries/countries-surveyed", {"format": "json"})
            adhoc = (base + "sparql", {"query": CHEAP_SPARQL})
            return [
                _phase("named query, alone", named, base, seconds, slow=False),
                _phase("named query, with two slow clients", named, base, seconds, slow=True),
                _phase("ad-hoc /sparql query, alone", adhoc, base, seconds, slow=False),
                _phase("ad-hoc /sparql query, with two slow clients", adhoc, base, seconds,
                       slow=True),
            ]


def report(phases: list[Phase], command: str) -> str:
    lines = [
        f"# Fairness under slow queries ({datetime.now(UTC):%Y-%m-%d})", "",
        f"Command: `{command}`", "",
        "Four cheap clients (127.0.0.4-7) repeat a request; in the loaded phases two slow "
        "clients (127.0.0.2-3, two connections each) repeat a query that runs to the 30 s "
        "limit. Server: 2 general workers, 1 named-query worker, defaults otherwise.", "",
        "| phase | req/s | p50 ms | p99 ms | errors | slow clients got |",
        "|---|---:|---:|---:|---|---|",
    ]
    for p in phases:
        lines.append(f"| {p.name} | {p.rate} | {p.p50_ms} | {p.p99_ms} | "
                     f"{p.errors or 0} | {p.slow_statuses or '-'} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--organisations", type=int, default=500)
    parser.add_argument("--dump", type=Path, help="serve this dump instead of synthetic data")
    args = parser.parse_args(argv)
    phases = run(args.seconds, args.organisations, args.dump)
    command = "python -m bench.fairness " + shlex.join(argv if argv is not None else sys.argv[1:])
    stamp = f"{datetime.now(UTC):%Y-%m-%d}" + ("-build" if args.dump else "")
    record.write(RESULTS_DIR, f"fairness-{stamp}", {"phases": [asdict(p) for p in phases]},
                 report(phases, command), command)


if __name__ == "__main__":
    main()
