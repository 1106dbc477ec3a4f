"""Hostile uploads against a trivial query: does `POST /validate` slow `/sparql` down?

The issue 9 audit found that five 1.7 KB workbooks declaring `A1:XFD1048576` took a trivial
`ASK` from 5 ms to 1.26 s and forty-one made every route time out. This measures, from outside
the server (a real uvicorn on 127.0.0.1), the latency of `ASK {}` alone (the baseline, same run)
and while N uploads of each audit case are in flight, and reports the ratio of the medians and
of the 90th percentiles, with the status codes the uploads got.

    .venv/bin/python -m bench.uploads   # writes bench/results/uploads.md
"""

from __future__ import annotations

import importlib
import os
import platform
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Case:
    label: str
    name: str
    make: Callable[[], bytes]
    uploads: int


@dataclass(frozen=True)
class Row:
    label: str
    uploads: int
    statuses: dict[int, int]
    p50: float
    p90: float
    base_p50: float
    base_p90: float
    upload_seconds: float
    peak_mib: float | None = None  # growth of the server's memory (PSS of it and its children)

    @property
    def ratio50(self) -> float:
        return self.p50 / self.base_p50

    @property
    def ratio90(self) -> float:
        return self.p90 / self.base_p90


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _tree(pid: int) -> set[int]:
    found = {pid}
    todo = [pid]
    while todo:
        for task in Path(f"/proc/{todo.pop()}/task").glob("*"):
            try:
                kids = [int(c) for c in (task / "children").read_text().split()]
            except OSError:
                continue
            for kid in kids:
                if kid not in found:
                    found.add(kid)
                    todo.append(kid)
    return found


def tree_pss(pid: int) -> int:
    """Proportional set size of `pid` and its descendants, in bytes (Linux): shared
    copy-on-write pages count once."""
    total = 0
    for member in _tree(pid):
        try:
            for line in Path(f"/proc/{member}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1]) * 1024
                    break
        except OSError:
            continue
    return total


class PeakMemory:
    """Samples `tree_pss(pid)` every 20 ms in a thread; `peak` is the highest seen."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.base = tree_pss(pid)
        self.peak = self.base
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, tree_pss(self.pid))

    def stop(self) -> float:
        """Growth over the start, in MiB."""
        self._stop.set()
        self._thread.join(timeout=2)
        return (self.peak - self.base) / (1 << 20)


def ask_latencies(sparql_url: str, count: int, client: httpx.Client) -> list[float]:
    """Seconds for `count` sequential `ASK {}` requests."""
    times = []
    for _ in range(count):
        started = time.perf_counter()
        response = client.get(sparql_url, params={"query": "ASK {}"})
        times.append(time.perf_counter() - started)
        response.raise_for_status()
    return times


def flood(
    base_url: str, name: str, data: bytes, count: int, statuses: Counter[int], done: threading.Event
) -> list[threading.Thread]:
    """Start `count` concurrent uploads of (name, data); their status codes land in `statuses`."""
    lock = threading.Lock()
    remaining = [count]

    def upload() -> None:
        try:
            response = httpx.post(
                f"{base_url}/validate", files={"files": (name, data)}, timeout=120
            )
            code = response.status_code
        except httpx.HTTPError:
            code = 0
        with lock:
            statuses[code] += 1
            remaining[0] -= 1
            if remaining[0] == 0:
                done.set()

    threads = [threading.Thread(target=upload, daemon=True) for _ in range(count)]
    for thread in threads:
        thread.start()
    return threads


def measure(
    sparql_url: str, cases: list[Case], asks: int = 40, pid: int | None = None
) -> list[Row]:
    """Baseline ASK latencies, then the same while each case's uploads are in flight (and,
    given the server's `pid`, the peak growth of its memory)."""
    base_url = sparql_url.rsplit("/", 1)[0]
    rows = []
    with httpx.Client(timeout=30) as client:
        ask_latencies(sparql_url, 5, client)  # warm the connection and the workers
        for case in cases:
            base = ask_latencies(sparql_url, asks, client)
            data = case.make()
            statuses: Counter[int] = Counter()
            done = threading.Event()
            memory = PeakMemory(pid) if pid is not None else None
            started = time.perf_counter()
            threads = flood(base_url, case.name, data, case.uploads, statuses, done)
            during: list[float] = []
            while not done.is_set() or len(during) < asks:
                during += ask_latencies(sparql_url, 1, client)
                if len(during) >= 10 * asks:
                    break
            done.wait(timeout=120)
            elapsed = time.perf_counter() - started
            for thread in threads:
                thread.join(timeout=5)
            rows.append(
                Row(
                    case.label,
                    case.uploads,
                    dict(sorted(statuses.items())),
                    statistics.median(during),
                    _quantile(during, 0.9),
                    statistics.median(base),
                    _quantile(base, 0.9),
                    elapsed,
                    memory.stop() if memory else None,
                )
            )
    return rows


def audit_cases() -> list[Case]:
    """The audit's uploads, at the sizes it reported (generated by tests/hostile)."""
    sys.path.insert(0, str(ROOT))
    # The generators live with the tests (tests/hostile); imported by name, so that
    # type-checking bench/ never needs the tests folder.
    hostile = importlib.import_module("tests.hostile")
    return [
        Case("1.9 KB XLSX declaring A1:XFD1048576", "survey.xlsx", hostile.huge_dimension_xlsx, 5),
        Case("1.9 KB XLSX declaring A1:XFD1048576", "survey.xlsx", hostile.huge_dimension_xlsx, 41),
        Case("19 MB CSV of 1M rows", "programme_objective.csv", hostile.million_row_csv, 5),
        Case(
            "524 KB XLSX, one 512 MiB shared string", "s.xlsx", hostile.huge_shared_string_xlsx, 5
        ),
    ]


def table(rows: list[Row]) -> str:
    lines = [
        "| uploads at once | case | statuses | ASK p50 alone → during | ratio | "
        "ASK p90 alone → during | ratio | uploads done in | server memory peak |",
        "| ---: | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        statuses = ", ".join(f"{code}×{n}" for code, n in row.statuses.items())
        lines.append(
            f"| {row.uploads} | {row.label} | {statuses} | {row.base_p50 * 1000:.1f} → "
            f"{row.p50 * 1000:.1f} ms | {row.ratio50:.1f}× | {row.base_p90 * 1000:.1f} → "
            f"{row.p90 * 1000:.1f} ms | {row.ratio90:.1f}× | {row.upload_seconds:.2f} s | "
            + (f"+{row.peak_mib:.0f} MiB |" if row.peak_mib is not None else "– |")
        )
    return "\n".join(lines)


@contextmanager
def server(dump: Path) -> Iterator[tuple[str, int]]:
    """clusterkg serving `dump` on 127.0.0.1 with default settings: its /sparql URL and pid."""
    from bench.servers import free_port, stop_children_on_sigterm

    port = free_port()
    env = dict(os.environ, CLUSTERKG_DATASET=str(dump), CLUSTERKG_PORT=str(port))
    env["CLUSTERKG_HOST"] = "127.0.0.1"
    stop_children_on_sigterm()
    process = subprocess.Popen([sys.executable, "-m", "clusterkg.api"], env=env)
    url = f"http://127.0.0.1:{port}/sparql"
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and process.poll() is None:
            try:
                if httpx.get(url, params={"query": "ASK {}"}, timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        else:
            raise RuntimeError("the server did not start")
        yield url, process.pid
    finally:
        process.terminate()
        process.wait(timeout=20)


def main() -> None:
    dump = ROOT / "tests" / "fixtures" / "api" / "clusterkg-sample.trig"
    with server(dump) as (url, pid):
        rows = measure(url, audit_cases(), pid=pid)
    load = os.getloadavg()[0]
    text = (
        "# Hostile uploads against a trivial query\n\n"
        f"Produced by `.venv/bin/python -m bench.uploads` on {platform.machine()}, Python "
        f"{platform.python_version()}, {sys.platform}, {os.cpu_count()} cores, load average "
        f"{load:.1f} at the end; default settings (2 validation slots, 60 s, 1 GiB, 50,000 rows).\n"
        "Latency of `GET /sparql?query=ASK {}` measured by a client on 127.0.0.1, alone (baseline, "
        "same run, just before) and while the uploads are in flight (at least 40 requests).\n"
        "Status 413: refused at a limit; 503: every validation slot busy (`Retry-After`). Memory: "
        "peak growth of the proportional set size of the server and its children (sampled "
        "every 20 ms from outside).\n\n"
        f"{table(rows)}\n\n"
        "The audit before the fix: five of the first case took the ASK from 5 ms to 1.26 s; "
        "forty-one made every route time out.\n"
    )
    out = ROOT / "bench" / "results" / "uploads.md"
    out.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
