"""`python -m bench.engine_cancel`: does Oxigraph server's `--timeout-s` stop a query, or only
cut its answer?

For `serve --engine oxigraph` (issue 17) the time limit of a query is enforced by the engine
process itself. This measures what that limit does, case by case, on a synthetic store of about
a million triples written on disk: an `oxigraph serve-read-only --timeout-s LIMIT` of its own
per case, one query that would run for hours (a cross product of the whole store with itself),
and the server's CPU (`/proc/<pid>/stat`) sampled every 0.5 s until it is idle for 1.5 s. A
query is *cancelled* when the CPU drops; the answer says only that the body was cut.

Cases: an aggregate (no output until the end), the same with a FILTER, a three-way product;
rows streamed to a client that reads them; rows streamed to a client that stops reading; an
ORDER BY (a sort that must see every row); and, with no server limit, a client that
disconnects after 2 s.

    python -m bench.engine_cancel --organisations 3000 --limit 2
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pyoxigraph as ox

from bench import synthetic
from bench.servers import free_port, started
from clusterkg.graph.stores.engine import oxigraph_binary

RESULTS_DIR = Path(__file__).resolve().parent / "results"
TICK = os.sysconf("SC_CLK_TCK")
TWO = "GRAPH ?g { ?a ?b ?c } GRAPH ?h { ?d ?e ?f }"
THREE = TWO + " GRAPH ?i { ?x ?y ?z }"
#: name: (query, what the client does, whether the server has the time limit)
CASES: dict[str, tuple[str, str, bool]] = {
    "aggregate": (f"SELECT (COUNT(*) AS ?n) WHERE {{ {TWO} }}", "read", True),
    "aggregate, FILTER": (
        f"SELECT (COUNT(*) AS ?n) WHERE {{ {TWO} FILTER(STR(?c) = STR(?f)) }}", "read", True),
    "aggregate, three-way": (f"SELECT (COUNT(*) AS ?n) WHERE {{ {THREE} }}", "read", True),
    "rows, client reads": (f"SELECT * WHERE {{ {TWO} }}", "read", True),
    "rows, client stops reading": (f"SELECT * WHERE {{ {TWO} }}", "stall", True),
    "ORDER BY": (f"SELECT * WHERE {{ {TWO} }} ORDER BY ?c ?f LIMIT 1", "read", True),
    "aggregate, no limit, client leaves at 2 s": (
        f"SELECT (COUNT(*) AS ?n) WHERE {{ {TWO} }}", "leave", False),
}


def _cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def _client(url: str, query: str, how: str, stop: threading.Event,
            out: dict[str, Any]) -> None:
    started_at = time.monotonic()
    data = {"query": query}
    headers = {"Accept": "application/sparql-results+json"}
    try:
        if how == "leave":
            with httpx.Client(timeout=2) as client:
                client.post(url, data=data, headers=headers)
        else:
            with httpx.Client(timeout=600) as client, \
                    client.stream("POST", url, data=data, headers=headers) as response:
                if how == "read":
                    size, tail = 0, b""
                    for chunk in response.iter_bytes():
                        size, tail = size + len(chunk), (tail + chunk)[-60:]
                    out.update(bytes=size, ends=tail.decode(errors="replace")[-40:])
                else:
                    stop.wait()
    except httpx.HTTPError as exc:
        out["client_error"] = type(exc).__name__
    out["client_s"] = round(time.monotonic() - started_at, 1)


def run_case(name: str, store: Path, limit: float, watch_s: float) -> dict[str, Any]:
    """One case on a server of its own; when its CPU went idle, and what the client got."""
    query, how, limited = CASES[name]
    port = free_port()
    command = [oxigraph_binary(), "serve-read-only", "--location", str(store),
               "--bind", f"127.0.0.1:{port}"]
    if limited:
        command += ["--timeout-s", f"{limit:g}"]
    base = f"http://127.0.0.1:{port}"
    with started(command, f"{base}/query", name="oxigraph",
                 params={"query": "ASK {}"}) as process:
        out: dict[str, Any] = {}
        stop = threading.Event()
        client = threading.Thread(target=_client, args=(f"{base}/query", query, how, stop, out))
        begun, before = time.monotonic(), _cpu(process.pid)
        client.start()
        samples: list[float] = []
        idle_at = None
        while time.monotonic() - begun < watch_s:
            time.sleep(0.5)
            now = _cpu(process.pid)
            samples.append(round((now - before) / 0.5, 2))
            before = now
            if len(samples) >= 4 and max(samples[-3:]) < 0.05 and max(samples) > 0.1:
                idle_at = round(time.monotonic() - begun - 1.5, 1)
                break
        stop.set()
        client.join(10)
    return {"case": name, "server_limit_s": limit if limited else None,
            "idle_after_s": idle_at, "watched_s": watch_s,
            "cpu_cores_first_samples": samples[:8], **out}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--organisations", type=int, default=3000)
    parser.add_argument("--limit", type=float, default=2.0, help="the server's --timeout-s")
    parser.add_argument("--watch", type=float, default=100.0,
                        help="seconds to wait for the CPU to drop, per case")
    parser.add_argument("--cases", nargs="+", choices=list(CASES), default=list(CASES))
    parser.add_argument("--tag", default="", help="suffix of the results' name")
    args = parser.parse_args(argv)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        dump, store = Path(tmp) / "synthetic.nq", Path(tmp) / "store"
        synthetic.write(dump, args.organisations, seed=1)
        disk = ox.Store(str(store))
        disk.bulk_load(path=str(dump), format=ox.RdfFormat.N_QUADS)
        triples = len(disk)
        del disk
        for name in args.cases:
            rows.append(run_case(name, store, args.limit, args.watch))
            print(json.dumps(rows[-1]), file=sys.stderr, flush=True)
    command = "python -m bench.engine_cancel " + shlex.join(
        sys.argv[1:] if argv is None else argv)
    stamp = datetime.now(UTC).strftime("%Y-%m-%d")
    RESULTS_DIR.mkdir(exist_ok=True)
    stem = RESULTS_DIR / f"engine-cancel-{stamp}{'-' + args.tag if args.tag else ''}"
    stem.with_suffix(".json").write_text(json.dumps(
        {"command": command, "triples": triples, "version": subprocess.run(
            [oxigraph_binary(), "--version"], capture_output=True, text=True).stdout.strip(),
         "load_avg": os.getloadavg()[0], "rows": rows}, indent=2) + "\n")
    lines = [f"# Oxigraph server's time limit: is the query stopped? ({stamp})", "",
             f"Command: `{command}`; {triples:,} triples on disk, `serve-read-only "
             f"--timeout-s {args.limit:g}`, one server per case; load average "
             f"{os.getloadavg()[0]:.1f} at the end (2 shared cores).", "",
             "| case | server limit s | CPU idle after s | client | bytes | answer ends |",
             "|---|---:|---:|---|---:|---|"]
    def idle(row: dict[str, Any]) -> str:
        found = row["idle_after_s"]
        return f"> {row['watched_s']:g}" if found is None else f"{found}"

    lines += [f"| {r['case']} | {r['server_limit_s'] or '–'} | {idle(r)}"
              f" | {r.get('client_error', '')} {r.get('client_s', '')} s | "
              f"{r.get('bytes', '–')} | {r.get('ends', '–')} |" for r in rows]
    stem.with_suffix(".md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
