"""Publishing a release to Oxigraph server, and what readers see meanwhile (issue 14).

Two synthetic releases (`bench.synthetic`, seeds 1 and 2, same size) are published one after
the other to a fresh `oxigraph serve`. Measured: each publish's seconds (the release loaded and
written per graph, uploaded, verified, switched), the verification-only republish, and what two
kinds of readers see during the second publish:

- a reader through clusterkg (`RemoteStore` bound to the served release, as an API process is):
  the triples of the default graph and of the named graphs, counted in one query;
- a reader querying the server directly: the triples in the served graphs and in the staging
  graphs, counted in one query.

Then the query library through clusterkg (one API process over the store) beside the same
queries sent to the server's own endpoint with the same dataset: per-query median and the ratio.

    python -m bench.publish --organisations 3000   # about a million triples per release
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pyoxigraph as ox

from bench import synthetic
from bench.servers import oxigraph_server
from clusterkg.graph.release import write_manifest
from clusterkg.graph.remote_release import CONTROL, STAGING, Served, open_served, publish
from clusterkg.graph.stores import RemoteStore, open_store
from clusterkg.queries.library import library

RESULTS = Path(__file__).parent / "results"
THROUGH = ("SELECT ?n ?m WHERE { { SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o } } "
           "{ SELECT (COUNT(*) AS ?m) WHERE { GRAPH ?g { ?s ?p ?o } } } }")
DIRECT = ("SELECT ?served ?staged WHERE { "
          "{ SELECT (COUNT(*) AS ?served) WHERE { GRAPH ?g { ?s ?p ?o } "
          f'FILTER(!STRSTARTS(STR(?g), "{STAGING}") && ?g != <{CONTROL}>) }} }} '
          "{ SELECT (COUNT(*) AS ?staged) WHERE { GRAPH ?g { ?s ?p ?o } "
          f'FILTER(STRSTARTS(STR(?g), "{STAGING}")) }} }} }}')


def _pair(result: Any, a: str, b: str) -> tuple[int, int]:
    row = next(iter(result))
    return int(row[a].value), int(row[b].value)


def _watch(read: Callable[[], tuple[int, int]], stop: threading.Event,
           seen: Counter[tuple[int, int]], errors: list[str]) -> None:
    while not stop.is_set():
        try:
            seen[read()] += 1
        except Exception as error:  # a reader's failure is a finding, not a crash
            errors.append(f"{type(error).__name__}: {error}")


def during_publish(dump: Path, url: str) -> dict[str, Any]:
    """Publish `dump` while a clusterkg reader and a direct reader count what they see."""
    reader, _ = open_served(open_store(url))
    direct = open_store(url)
    stop = threading.Event()
    through_seen: Counter[tuple[int, int]] = Counter()
    direct_seen: Counter[tuple[int, int]] = Counter()
    errors: list[str] = []
    threads = [
        threading.Thread(target=_watch, args=(lambda: _pair(reader.query(THROUGH), "n", "m"),
                                              stop, through_seen, errors)),
        threading.Thread(target=_watch, args=(
            lambda: _pair(direct.query(DIRECT, query_dataset=True), "served", "staged"),
            stop, direct_seen, errors)),
    ]
    for thread in threads:
        thread.start()
    started = time.perf_counter()
    served, _ = publish(dump, open_store(url))
    seconds = time.perf_counter() - started
    time.sleep(0.5)
    stop.set()
    for thread in threads:
        thread.join()
    return {
        "seconds": seconds,
        "triples": sum(served.triples.values()),
        "through_clusterkg": {f"{n} / {m}": c for (n, m), c in sorted(through_seen.items())},
        "direct_served_counts": sorted({s for s, _ in direct_seen}),
        "direct_staged_counts": sorted({g for _, g in direct_seen}),
        "direct_reads": sum(direct_seen.values()),
        "errors": errors[:10],
    }


def library_ratios(store: RemoteStore, base: str, served: Served, repeat: int,
                   timeout: float) -> dict[str, Any]:
    """Each library query: through clusterkg's remote store vs the server's endpoint alone."""
    form_graphs = [("default-graph-uri", g) for g in served.default] + [
        ("named-graph-uri", g) for g in served.named]
    out: dict[str, Any] = {}
    with httpx.Client(timeout=timeout) as client:
        for name, query in sorted(library().items()):
            ours: list[float] = []
            theirs: list[float] = []
            for _ in range(repeat):
                t0 = time.perf_counter()
                rows = store.query(query.text)
                count = sum(1 for _ in rows) if isinstance(rows, ox.QuerySolutions) else 0
                ours.append(time.perf_counter() - t0)
                t1 = time.perf_counter()
                answer = client.post(
                    f"{base}/query", content=urlencode([("query", query.text), *form_graphs]),
                    headers={"Accept": "application/sparql-results+json",
                             "Content-Type": "application/x-www-form-urlencoded"})
                answer.json()
                theirs.append(time.perf_counter() - t1)
            p50_ours, p50_theirs = statistics.median(ours), statistics.median(theirs)
            out[name] = {"rows": count, "clusterkg_p50_ms": p50_ours * 1000,
                         "server_p50_ms": p50_theirs * 1000,
                         "ratio": p50_ours / p50_theirs if p50_theirs else None}
    return out


def markdown(report: dict[str, Any]) -> str:
    lines = [f"# Publishing to Oxigraph server ({report['date']})", "",
             f"Command: `{report['command']}`", "",
             f"Releases: synthetic, {report['organisations']} organisations "
             f"({report['first']['triples']:,} triples per release).", "",
             "| step | seconds |", "| --- | --- |",
             f"| first publish (empty server) | {report['first']['seconds']:.1f} |",
             f"| republish of the served release (verify only) | {report['again_s']:.1f} |",
             f"| publish of a second release over the first | {report['second']['seconds']:.1f} |",
             "", "During the second publish:", "",
             f"- through clusterkg (default / named triples per answer): "
             f"{report['second']['through_clusterkg']}",
             f"- directly, served graphs' triples seen: {report['second']['direct_served_counts']}"
             f" over {report['second']['direct_reads']} reads; staging graphs' triples seen: "
             f"{report['second']['direct_staged_counts'][:12]}"
             f"{' …' if len(report['second']['direct_staged_counts']) > 12 else ''}",
             f"- reader errors: {report['second']['errors'] or 'none'}", "",
             "Library: clusterkg's remote store vs the server's own endpoint, same dataset",
             "", "| query | rows | clusterkg p50 ms | server p50 ms | ratio |",
             "| --- | --- | --- | --- | --- |"]
    for name, row in report["library"].items():
        ratio = f"{row['ratio']:.2f}" if row["ratio"] else "—"
        lines.append(f"| {name} | {row['rows']} | {row['clusterkg_p50_ms']:.1f} | "
                     f"{row['server_p50_ms']:.1f} | {ratio} |")
    return "\n".join(lines) + "\n"


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--organisations", type=int, default=3000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--timeout", type=float, default=120.0)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    command = "python -m bench.publish " + " ".join(sys.argv[1:] if argv is None else argv)
    report: dict[str, Any] = {"date": datetime.now(UTC).strftime("%Y-%m-%d"),
                              "command": command.strip(), "organisations": args.organisations}
    with tempfile.TemporaryDirectory() as tmp:
        dumps = []
        for seed in (1, 2):
            dump = Path(tmp) / f"r{seed}" / "clusterkg.nq"
            dump.parent.mkdir()
            say(f"generating release {seed}")
            synthetic.write(dump, args.organisations, seed)
            write_manifest(dump)
            dumps.append(dump)
        with oxigraph_server() as base:
            url = f"oxigraph+{base}"
            say("first publish")
            t0 = time.perf_counter()
            first, _ = publish(dumps[0], open_store(url, timeout=args.timeout))
            report["first"] = {"seconds": time.perf_counter() - t0,
                               "triples": sum(first.triples.values())}
            t1 = time.perf_counter()
            publish(dumps[0], open_store(url, timeout=args.timeout))
            report["again_s"] = time.perf_counter() - t1
            say("second publish, with readers")
            report["second"] = during_publish(dumps[1], url)
            say("library")
            store, _ = open_served(open_store(url, timeout=args.timeout))
            current = store.dataset
            served = Served(first.release, current.default or (), current.named or (), {})
            report["library"] = library_ratios(store, base, served, args.repeat, args.timeout)
    args.out.mkdir(parents=True, exist_ok=True)
    stem = f"publish-{report['date']}"
    (args.out / f"{stem}.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    (args.out / f"{stem}.md").write_text(markdown(report), encoding="utf-8")
    say(f"written {args.out / stem}.md")


if __name__ == "__main__":
    main()
