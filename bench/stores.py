"""The query library through clusterkg over each remote store, side by side with the same
store's own SPARQL endpoint, in one run (issue 14 item 6, issue 17's Virtuoso comparison).

For each server (Oxigraph server, Virtuoso) it starts a server of its own, publishes the
synthetic release to it (`clusterkg.graph.remote_release.publish`, timed), starts clusterkg
(`python -m clusterkg.api` with `CLUSTERKG_STORE`) over it, then asks every query of the library
and of `bench/queries/` alternately through clusterkg's `/sparql` and directly at the server's
endpoint with the same dataset (`default-graph-uri` / `named-graph-uri` of the served release),
`--repeat` times each after one warm-up: per-query p50/p95 and the ratio clusterkg/store.
Both answers' row counts are recorded and must agree. Then it republishes a second release
(another seed) while two readers poll a triple count — one directly at the server, one through
clusterkg — and records every count each saw, and which reads overlapped the switch (its
first to its last request): a count that is neither the old release's nor the new one's is a
half-done publish; a 503 through clusterkg is a reader that waited for a stepwise switch
(Virtuoso) longer than it may and was told to retry.

    python -m bench.stores --organisations 3000 --repeat 7
    python -m bench.stores --stores virtuoso --organisations 3000 --skip-queries   # probe only

Runs are bounded (one client at a time, `--repeat` per query, a per-request timeout).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx

from bench import synthetic
from bench.run import _bench_queries
from bench.servers import _running, free_port, listens, stop_children_on_sigterm
from clusterkg.graph.release import write_manifest
from clusterkg.graph.remote_release import adopt, publish, served
from clusterkg.graph.stores import RemoteStore, open_store
from clusterkg.graph.stores.virtuoso import TIMEOUT_STATES
from clusterkg.graph.stores.virtuoso_process import running_virtuoso

RESULTS_DIR = Path(__file__).parent / "results"
JSON_RESULTS = "application/sparql-results+json"
FORM = "application/x-www-form-urlencoded"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def peak_rss_mib(pid: int) -> float | None:
    """A process's peak resident memory so far (Linux `VmHWM`), MiB."""
    try:
        status = Path(f"/proc/{pid}/status").read_text(encoding="utf-8")
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return None


@contextmanager
def oxigraph(folder: Path, pids: list[int],
             union_default: bool = False) -> Iterator[tuple[str, dict[str, str]]]:
    """`oxigraph serve` (the PyPI wheel's binary); yields its store URL and no credentials;
    its pid is appended to `pids`. `union_default`: its default graph is the union of all
    graphs, as clusterkg's."""
    binary = Path(sys.executable).parent / "oxigraph"
    port = free_port()
    stop_children_on_sigterm()
    command = [str(binary), "serve", "--location", str(folder), "--bind", f"127.0.0.1:{port}"]
    process = subprocess.Popen(command + ["--union-default-graph"] * union_default,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    pids.append(process.pid)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"oxigraph serve exited with {process.returncode}")
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"{base}/query", params={"query": "ASK {}"}, timeout=1
                             ).is_success and listens(process.pid, port):
                    break
            if time.monotonic() > deadline:
                raise TimeoutError("oxigraph serve did not answer within 60 s")
            time.sleep(0.1)
        yield f"oxigraph+{base}", {}
    finally:
        process.terminate()
        process.wait(timeout=30)


@contextmanager
def virtuoso(folder: Path, memory_mb: int, timeout_s: int,
             pids: list[int]) -> Iterator[tuple[str, dict[str, str]]]:
    """A Virtuoso of the run's own (its own time limit `timeout_s`, as clusterkg's); yields its
    store URL and its credentials; its pid is appended to `pids`."""
    stop_children_on_sigterm()
    with running_virtuoso(folder, timeout_s=timeout_s, max_rows=1_000_000,
                          memory_mb=memory_mb) as server:
        pids.append(server.pid)
        yield server.store_url, {"CLUSTERKG_STORE_USER": server.user,
                                 "CLUSTERKG_STORE_PASSWORD": server.password}


@contextmanager
def clusterkg_over(store_url: str, dump: Path, timeout: float) -> Iterator[str]:
    """clusterkg serving what `store_url` serves; yields its /sparql URL."""
    port = free_port()
    env = dict(os.environ, CLUSTERKG_DATASET=str(dump), CLUSTERKG_STORE=store_url,
               CLUSTERKG_HOST="127.0.0.1", CLUSTERKG_PORT=str(port),
               CLUSTERKG_QUERY_WORKERS="2", CLUSTERKG_QUERY_TIMEOUT=str(timeout),
               CLUSTERKG_MAX_ROWS="1000000")
    with _running([sys.executable, "-m", "clusterkg.api"], env,
                  f"http://127.0.0.1:{port}/sparql", 300) as url:
        yield url


def _rows(response: httpx.Response) -> int:
    """The answer's row count; an error for anything but a whole answer: an HTTP error, a body
    that is not whole JSON (Oxigraph cuts a body at its timeout), or Virtuoso's partial answer
    at its time limit (`200 OK` with `X-SQL-State`, see `graph/stores/virtuoso.py`)."""
    response.raise_for_status()
    state = response.headers.get("X-SQL-State")
    if state in TIMEOUT_STATES:
        raise ValueError(f"partial answer: X-SQL-State {state}")
    document = response.json()
    if "boolean" in document:
        return 1
    return len(document["results"]["bindings"])


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def measure(asks: dict[str, Callable[[], int]], repeat: int,
            budget: float | None = None, once: frozenset[str] = frozenset()) -> dict[str, Any]:
    """Each call once to warm up, then `repeat` rounds of all of them in turn (interleaved);
    with a `budget` (seconds), fewer rounds (at least one) where the warm-up says that
    `repeat` rounds would take longer: the rounds made are recorded. A key in `once` is asked
    only that first time, which is its one timed sample (an engine with no cache to warm and
    answers of minutes: rdflib-endpoint in `bench.side_by_side`).

    A call that fails in any round records the error instead of figures: a cut or failed answer
    is never timed as if it were whole."""
    times: dict[str, list[float]] = {k: [] for k in asks}
    rows: dict[str, int | str] = {}
    warm = 0.0
    for key, ask in asks.items():
        t0 = time.perf_counter()
        try:
            rows[key] = ask()
        except (httpx.HTTPError, ValueError, KeyError, RuntimeError) as exc:
            rows[key] = (f"error after {time.perf_counter() - t0:.0f} s: "
                         f"{type(exc).__name__}: {str(exc)[:200]}")
        else:
            if key in once:
                times[key].append(time.perf_counter() - t0)
                continue
        warm += time.perf_counter() - t0
    rounds = repeat if budget is None or warm * repeat <= budget else max(1, int(budget / warm))
    for _ in range(rounds):
        for key, ask in asks.items():
            if isinstance(rows[key], str) or key in once:
                continue
            t0 = time.perf_counter()
            try:
                ask()
            except (httpx.HTTPError, ValueError, KeyError) as exc:
                rows[key] = f"error: {type(exc).__name__}: {str(exc)[:200]}"
                times[key] = []
                continue
            times[key].append(time.perf_counter() - t0)
    return {key: {"rows": rows[key],
                  "p50_ms": 1000 * statistics.median(t) if t else None,
                  "p95_ms": 1000 * _quantile(t, 0.95) if t else None, "rounds": len(t)}
            for key, t in times.items()}


def _ask(client: httpx.Client, url: str, form: list[tuple[str, str]]) -> Callable[[], int]:
    body = urlencode(form).encode()
    headers = {"Accept": JSON_RESULTS, "Content-Type": FORM}
    return lambda: _rows(client.post(url, content=body, headers=headers))


def probe_publish(store: RemoteStore, direct_url: str, through: str, dump: Path,
                  graphs: tuple[str, ...]) -> dict[str, Any]:
    """Republish `dump` while a direct reader and a clusterkg reader poll the triple count.

    Every read is kept with its start and end time; the switch's window (from just before its
    first request to the end of its last: `publish(progress=…, during_switch=…)`) says which
    reads overlapped it. A 503
    through clusterkg (a reader that waited for a switch in vain) is counted apart from other
    errors: it is the retryable answer, not a wrong one."""
    seen: dict[str, list[tuple[float, float, int | str]]] = {"direct": [], "clusterkg": []}
    stop = threading.Event()
    direct_form = [("query", COUNT)] + [("default-graph-uri", g) for g in graphs]

    def reader(kind: str, ask: Callable[[], Any]) -> None:
        while not stop.is_set():
            t0 = time.perf_counter()
            try:
                value: int | str = ask()
            except httpx.HTTPStatusError as exc:
                value = f"HTTP {exc.response.status_code}"
            except (httpx.HTTPError, ValueError, KeyError) as exc:
                value = f"error: {type(exc).__name__}"
            seen[kind].append((t0, time.perf_counter(), value))
            time.sleep(0.05)

    def count(client: httpx.Client, url: str, form: list[tuple[str, str]]) -> Callable[[], int]:
        def ask() -> int:
            response = client.post(url, content=urlencode(form).encode(),
                                   headers={"Accept": JSON_RESULTS, "Content-Type": FORM})
            response.raise_for_status()
            return int(response.json()["results"]["bindings"][0]["n"]["value"])
        return ask

    steps: list[tuple[float, str]] = []

    def begins(message: str) -> None:  # publish says "switching …" just before the switch
        if message.startswith("switching"):
            steps.append((time.perf_counter(), "begin"))

    with httpx.Client(timeout=300) as a, httpx.Client(timeout=300) as b:
        threads = [threading.Thread(target=reader, args=("direct", count(a, direct_url,
                                                                          direct_form))),
                   threading.Thread(target=reader, args=("clusterkg", count(
                       b, through, [("query", COUNT)])))]
        for thread in threads:
            thread.start()
        time.sleep(1)
        t0 = time.perf_counter()
        try:
            publish(dump, store, progress=begins,
                    during_switch=lambda step: steps.append((time.perf_counter(), step)))
            outcome = "published"
        except (OSError, RuntimeError) as exc:  # recorded: what a failed switch leaves
            outcome = f"failed: {type(exc).__name__}: {str(exc)[:300]}"
        seconds = time.perf_counter() - t0
        time.sleep(3)  # clusterkg follows within its poll interval
        stop.set()
        for thread in threads:
            thread.join()
    window = (steps[0][0] - t0 if steps else None, steps[-1][0] - t0 if steps else None)
    began, ended = (steps[0][0], steps[-1][0]) if steps else (t0, t0 + seconds)
    during = {k: [v for s, e, v in vs if s < ended and e > began] for k, vs in seen.items()}
    return {"publish_s": seconds, "outcome": outcome,
            "switch_steps": sum(1 for _, step in steps if step != "begin"), "switch_s": window,
            "counts_seen": {k: sorted({str(v) for _, _, v in vs}) for k, vs in seen.items()},
            "reads": {k: len(vs) for k, vs in seen.items()},
            "during_switch": {k: sorted({str(v) for v in vs}) for k, vs in during.items()},
            "reads_during_switch": {k: len(vs) for k, vs in during.items()},
            "answers_503": {k: sum(1 for _, _, v in vs if v == "HTTP 503")
                            for k, vs in seen.items()}}


def bulk_load(folder: Path, dump: Path) -> float:
    """`oxigraph load` of `dump` into a stopped server's folder (its bulk loader, no
    transaction); returns its seconds."""
    t0 = time.perf_counter()
    subprocess.run([str(Path(sys.executable).parent / "oxigraph"), "load", "--location",
                    str(folder), "--file", str(dump)], check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    return time.perf_counter() - t0


def run_store(kind: str, dump: Path, second: Path | None, queries: dict[str, str], repeat: int,
              timeout: float, memory_mb: int, say: Callable[[str], None],
              bulk: bool = False, budget: float | None = None) -> dict[str, Any]:
    """Publish (or, `bulk`, bulk-load and adopt: Oxigraph only), serve, measure and probe one
    kind of server."""
    report: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix=f"bench-{kind}-") as tmp:
        if bulk:
            say(f"{kind}: bulk-loading {dump.name} (oxigraph load, server stopped)")
            report["bulk_load_s"] = bulk_load(Path(tmp), dump)
            say(f"{kind}: bulk-loaded in {report['bulk_load_s']:.1f} s")
        pids: list[int] = []
        starter = (oxigraph(Path(tmp), pids) if kind == "oxigraph"
                   else virtuoso(Path(tmp), memory_mb, round(timeout), pids))
        with starter as (url, credentials):
            os.environ.update(credentials)
            store = open_store(url, timeout=timeout)
            t0 = time.perf_counter()
            if bulk:
                adopt(dump, store)
                report["adopt_s"] = time.perf_counter() - t0
                say(f"{kind}: adopted (verified, recorded) in {report['adopt_s']:.1f} s")
            else:
                say(f"{kind}: publishing {dump.name}")
                steps: list[tuple[float, str]] = []

                def step(message: str) -> None:  # each phase of the publish, timed
                    steps.append((round(time.perf_counter() - t0, 1), message))
                    say(f"{kind}: {message}")
                publish(dump, store, progress=step)
                report["publish_s"] = time.perf_counter() - t0
                report["publish_steps"] = steps
            report["server_peak_rss_mib_after_publish"] = peak_rss_mib(pids[0])
            now = served(store)
            assert now is not None
            report["triples"] = sum(now.triples.values())
            say(f"{kind}: serving {report['triples']} triples")
            dialect = store.dialect
            dataset = [("default-graph-uri", g) for g in now.default] + [
                ("named-graph-uri", g) for g in now.named]
            with clusterkg_over(url, dump, timeout) as through, \
                    httpx.Client(timeout=timeout + 10) as client:
                report["queries"] = {}
                for name, query in queries.items():
                    say(f"{kind}: {name}")
                    report["queries"][name] = measure({
                        "clusterkg": _ask(client, through, [("query", query)]),
                        "store": _ask(client, dialect.query_endpoint,
                                      [("query", query), *dataset])}, repeat, budget)
                report["server_peak_rss_mib_after_queries"] = peak_rss_mib(pids[0])
                if second is not None:
                    say(f"{kind}: republishing during reads")
                    report["probe"] = probe_publish(store, dialect.query_endpoint, through,
                                                    second, now.default)
            for key in credentials:
                os.environ.pop(key, None)
    return report


def markdown(report: dict[str, Any]) -> str:
    """The side-by-side tables."""
    lines = [f"# Stores: clusterkg over each server, and the server's own endpoint "
             f"({report['date']})", "", f"Command: `{report['command']}`", "",
             f"Machine: {report['machine']}; synthetic release of {report['triples']} triples "
             f"(bench/synthetic.py, {report['organisations']} organisations, seed 1); "
             + (f"{report['repeat']} interleaved rounds per query after one warm-up."
                if any(r["queries"] for r in report["stores"].values())
                else "the query library was not run (`--skip-queries`)."), ""]
    for kind, result in report["stores"].items():
        lines += [f"## {kind}", ""]
        if "publish_s" in result:
            lines += [f"Publish (upload, verify, switch, verify): {result['publish_s']:.1f} s "
                      f"for {result['triples']} triples.", ""]
        else:
            lines += [f"Not published: bulk-loaded by `oxigraph load` into the stopped "
                      f"server's folder in {result['bulk_load_s']:.1f} s, then adopted "
                      f"(`remote_release.adopt`: counted per graph, recorded) in "
                      f"{result['adopt_s']:.1f} s; {result['triples']} triples (`--bulk`).", ""]
        if result.get("server_peak_rss_mib_after_publish"):
            how = "publish" if "publish_s" in result else "adoption"
            after = result.get("server_peak_rss_mib_after_queries") or 0
            lines += [f"The server's peak resident memory (`VmHWM`): "
                      f"{result['server_peak_rss_mib_after_publish']:,.0f} MiB after the "
                      f"{how}, {after:,.0f} MiB after the query library.", ""]
        if result.get("publish_steps"):
            lines += ["Its phases (seconds from its start): " + "; ".join(
                f"{at:.1f} s {message}" for at, message in result["publish_steps"])
                + f"; done at {result['publish_s']:.1f} s.", ""]
        if result["queries"]:
            lines += ["| query | rows | rounds | clusterkg p50 ms | p95 | store p50 ms | p95 | "
                      "ratio p50 |", "|---|---:|---:|---:|---:|---:|---:|---:|"]
        ratios = []
        for name, q in result["queries"].items():
            c, s = q["clusterkg"], q["store"]
            same = c["rows"] == s["rows"]
            rows = str(c["rows"]) if same else f"{c['rows']} vs {s['rows']}"
            ratio = (c["p50_ms"] / s["p50_ms"]) if c["p50_ms"] and s["p50_ms"] else None
            if ratio:
                ratios.append(ratio)

            def ms(v: float | None) -> str:
                return "-" if v is None else f"{v:.1f}"
            rounds = c.get("rounds", report["repeat"])
            lines.append(f"| {name} | {rows} | {rounds} | {ms(c['p50_ms'])} | {ms(c['p95_ms'])} | "
                         f"{ms(s['p50_ms'])} | {ms(s['p95_ms'])} | "
                         f"{'-' if ratio is None else f'{ratio:.2f}'} |")
        if ratios:
            geo = statistics.geometric_mean(ratios)
            total_c = sum(q["clusterkg"]["p50_ms"] or 0 for q in result["queries"].values())
            total_s = sum(q["store"]["p50_ms"] or 0 for q in result["queries"].values())
            lines += ["", f"Geometric mean of the p50 ratios: {geo:.2f}; one pass (sum of "
                          f"p50s): clusterkg {total_c / 1000:.2f} s, the store "
                          f"{total_s / 1000:.2f} s."]
        probe = result.get("probe")
        if probe is None:
            lines += ["", "No republish during reads in this run (`--skip-probe`).", ""]
            continue
        start, end = probe.get("switch_s", (None, None))
        window = ("" if start is None or end is None else
                  f"; its switch ({probe['switch_steps']} requests) ran from {start:.1f} s to "
                  f"{end:.1f} s")
        lines += ["", f"Republish of another release during reads: {probe['outcome']} after "
                      f"{probe['publish_s']:.1f} s{window}.", "",
                  "| reader | reads | answers seen | reads overlapping the switch | "
                  "answers seen by those | 503 (retry) |", "|---|---:|---|---:|---|---:|"]
        for kind in ("direct", "clusterkg"):
            lines.append(
                f"| {kind} | {probe['reads'][kind]} | {', '.join(probe['counts_seen'][kind])} "
                f"| {probe.get('reads_during_switch', {}).get(kind, '-')} | "
                f"{', '.join(probe.get('during_switch', {}).get(kind, []))} | "
                f"{probe.get('answers_503', {}).get(kind, '-')} |")
        lines.append("")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--organisations", type=int, default=3000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--timeout", type=float, default=120.0)
    parser.add_argument("--memory-mb", type=int, default=2048, help="Virtuoso's page buffers")
    parser.add_argument("--stores", default="oxigraph,virtuoso")
    parser.add_argument("--skip-queries", action="store_true",
                        help="publish and probe only (no query-library table)")
    parser.add_argument("--budget", type=float, default=None,
                        help="seconds per query (both sides): fewer rounds, at least one, for "
                        "a query whose warm-up says --repeat rounds would take longer")
    parser.add_argument("--bulk", action="store_true",
                        help="Oxigraph: bulk-load the release into the stopped server and adopt "
                        "it instead of publishing (a release too large for one update "
                        "transaction); no probe")
    parser.add_argument("--skip-probe", action="store_true",
                        help="no republish during reads (and no second release generated)")
    parser.add_argument("--out", type=Path, default=RESULTS_DIR)
    args = parser.parse_args(argv)

    def say(message: str) -> None:
        print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)

    queries = {} if args.skip_queries else _bench_queries()
    with tempfile.TemporaryDirectory(prefix="bench-stores-") as tmp:
        dump, second = Path(tmp) / "a" / "synthetic.nq", Path(tmp) / "b" / "synthetic.nq"
        probe = not (args.skip_probe or args.bulk)
        for path, seed in ((dump, 1), (second, 2)) if probe else ((dump, 1),):
            path.parent.mkdir()
            say(f"generating {path} (seed {seed})")
            synthetic.write(path, args.organisations, seed)
            write_manifest(path)
        report: dict[str, Any] = {
            "date": datetime.now(UTC).strftime("%Y-%m-%d"),
            "command": "python -m bench.stores " + " ".join(argv or sys.argv[1:]),
            "machine": f"{platform.machine()}, {os.cpu_count()} CPUs (shared)",
            "organisations": args.organisations, "repeat": args.repeat, "stores": {}}
        for kind in args.stores.split(","):
            report["stores"][kind] = run_store(kind, dump, second if probe else None,
                                               queries, args.repeat,
                                               args.timeout, args.memory_mb, say,
                                               bulk=args.bulk and kind == "oxigraph",
                                               budget=args.budget)
        report["triples"] = next(iter(report["stores"].values()))["triples"]
    args.out.mkdir(parents=True, exist_ok=True)
    stem = args.out / f"stores-{report['date']}"
    stem.with_suffix(".json").write_text(json.dumps(report, indent=1), encoding="utf-8")
    stem.with_suffix(".md").write_text(markdown(report), encoding="utf-8")
    say(f"wrote {stem}.md")


if __name__ == "__main__":
    main()
