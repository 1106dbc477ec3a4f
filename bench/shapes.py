"""`python -m bench.shapes`: slow query shapes against their rewrites, same answers, same run.

Each file of `bench/shapes/` is the straightforward form of a query that Oxigraph or Virtuoso
plans badly; its `#+ rewritten-as:` header names the query that replaced it (in the library or
in `bench/queries/`). On the synthetic graph (and the seed graph if a dump is given) both forms
run interleaved in process (pyoxigraph), `--repeat` times each; the answers must be identical
(every term, in order) and the report gives the medians and the ratio straightforward /
rewritten. With `--virtuoso` the synthetic release is also published to a Virtuoso of the run's
own and both forms are asked at its endpoint the same way; a call cut at `--timeout` (Virtuoso
stops the query then too) is reported as a bound, and that form is not asked again. What the
rewrites teach is written down in `queries/README.md`.

    python -m bench.shapes --organisations 3000 --repeat 15 [--dump dist/clusterkg.nq]
        [--virtuoso --timeout 60]
"""

from __future__ import annotations

import argparse
import json
import shlex
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pyoxigraph as ox

from bench import record, synthetic
from bench.side_by_side import published_virtuoso
from clusterkg.graph.release import write_manifest
from clusterkg.graph.store import OxigraphStore
from clusterkg.graph.stores.virtuoso import TIMEOUT_STATES
from clusterkg.queries.library import parse_header

ROOT = Path(__file__).resolve().parent.parent
SHAPES_DIR = ROOT / "bench" / "shapes"
RESULTS_DIR = ROOT / "bench" / "results"


@dataclass(frozen=True)
class Rewrite:
    """A straightforward query and the rewrite that replaced it."""

    name: str
    straightforward: Path
    rewritten: Path


def rewrites(directory: Path = SHAPES_DIR) -> list[Rewrite]:
    """Every pair of `bench/shapes/`, the rewrite found by its `#+ rewritten-as:` header."""
    found = []
    for path in sorted(directory.glob("*.rq")):
        target = parse_header(path).get("rewritten-as")
        if not target:
            raise ValueError(f"{path}: no '#+ rewritten-as:' header")
        found.append(Rewrite(path.stem, path, ROOT / target[0]))
    return found


def answer(store: OxigraphStore, text: str) -> list[tuple[Any, ...]] | bool:
    """Every row of a query's answer, as terms (the variables' order), or an ASK's boolean."""
    result = store.query(text)
    if isinstance(result, ox.QueryBoolean):
        return bool(result)
    assert isinstance(result, ox.QuerySolutions)
    names = [v.value for v in result.variables]
    return [tuple(row[n] for n in names) for row in result]


def compare(store: OxigraphStore, pair: Rewrite, repeat: int) -> dict[str, Any]:
    """Interleaved timings of both forms and whether their answers are identical."""
    before, after = pair.straightforward.read_text(), pair.rewritten.read_text()
    same = answer(store, before) == answer(store, after)
    times: dict[str, list[float]] = {"straightforward": [], "rewritten": []}
    for _ in range(repeat):
        for key, text in (("straightforward", before), ("rewritten", after)):
            started = time.perf_counter()
            answer(store, text)
            times[key].append(time.perf_counter() - started)
    medians = {k: statistics.median(v) * 1000 for k, v in times.items()}
    return {"query": pair.name, "identical": same, "rows": len(a) if isinstance(
        a := answer(store, after), list) else 1,
        "straightforward_ms": medians["straightforward"], "rewritten_ms": medians["rewritten"],
        "ratio": medians["straightforward"] / medians["rewritten"]}


def endpoint_answer(client: httpx.Client, url: str, dataset: list[tuple[str, str]],
                    text: str) -> list[tuple[Any, ...]] | bool:
    """A query's answer at a SPARQL endpoint, asked over `dataset`, as comparable rows (each
    term as its JSON object, the variables' order); an error for anything but a whole answer."""
    response = client.post(url, content=urlencode([("query", text), *dataset]).encode(),
                           headers={"Accept": "application/sparql-results+json",
                                    "Content-Type": "application/x-www-form-urlencoded"})
    response.raise_for_status()
    if response.headers.get("X-SQL-State") in TIMEOUT_STATES:
        raise TimeoutError(f"partial answer: X-SQL-State {response.headers['X-SQL-State']}")
    document = response.json()
    if "boolean" in document:
        return bool(document["boolean"])
    names = document["head"]["vars"]
    return [tuple(tuple(sorted(b[n].items())) if n in b else None for n in names)
            for b in document["results"]["bindings"]]


def compare_at(ask: Callable[[str], list[tuple[Any, ...]] | bool], pair: Rewrite,
               repeat: int) -> dict[str, Any]:
    """`compare` at an endpoint: a call that fails (its time limit) leaves that form's median
    as a bound (`None` with the seconds it ran), and the form is not asked again."""
    texts = {"straightforward": pair.straightforward.read_text(),
             "rewritten": pair.rewritten.read_text()}
    times: dict[str, list[float]] = {k: [] for k in texts}
    answers: dict[str, Any] = {}
    cut: dict[str, float] = {}
    for _ in range(repeat + 1):  # the first round warms up and gives the answers
        for key, text in texts.items():
            if key in cut:
                continue
            started = time.perf_counter()
            try:
                result = ask(text)
            except (httpx.HTTPError, TimeoutError):
                cut[key] = time.perf_counter() - started
                continue
            if key in answers:
                times[key].append(time.perf_counter() - started)
            answers.setdefault(key, result)
    medians = {k: statistics.median(v) * 1000 if v and k not in cut else None
               for k, v in times.items()}
    rows = answers.get("rewritten")
    return {"query": pair.name,
            "identical": (answers["straightforward"] == answers["rewritten"]
                          if len(answers) == 2 else None),
            "rows": len(rows) if isinstance(rows, list) else 1,
            "straightforward_ms": medians["straightforward"],
            "rewritten_ms": medians["rewritten"],
            "cut_s": {k: round(v, 1) for k, v in cut.items()},
            "ratio": (medians["straightforward"] / medians["rewritten"]
                      if medians["straightforward"] and medians["rewritten"] else None)}


def _ms(row: dict[str, Any], key: str) -> str:
    value = row[f"{key}_ms"]
    if value is None and key in row.get("cut_s", {}):
        return f"> {row['cut_s'][key] * 1000:.0f} (cut)"
    return "-" if value is None else f"{value:.1f}"


def _ratio(row: dict[str, Any]) -> str:
    if row["ratio"] is not None:
        return f"{row['ratio']:.2f}×"
    if "straightforward" in row.get("cut_s", {}) and row["rewritten_ms"]:
        return f"> {row['cut_s']['straightforward'] * 1000 / row['rewritten_ms']:.0f}×"
    return "-"


def _identical(row: dict[str, Any]) -> str:
    return {True: "yes", False: "**NO**", None: "not compared (cut)"}[row["identical"]]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--organisations", type=int, default=3000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--dump", type=Path, help="also compare on this dump (the seed graph)")
    parser.add_argument("--virtuoso", action="store_true",
                        help="also at Virtuoso's own endpoint, the synthetic release published")
    parser.add_argument("--timeout", type=int, default=60,
                        help="time limit per call at Virtuoso (its own limit too), seconds")
    parser.add_argument("--memory-mb", type=int, default=2048, help="Virtuoso's page buffers")
    args = parser.parse_args(argv)
    graphs: dict[str, OxigraphStore] = {}
    rows = []
    report: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp, record.load_average(report), ExitStack() as stack:
        path = Path(tmp) / "release" / "synthetic.nq"
        path.parent.mkdir()
        synthetic.write(path, args.organisations, seed=1)
        graphs["synthetic"] = OxigraphStore.from_file(path)
        if args.dump:
            graphs["seed"] = OxigraphStore.from_file(args.dump)
        for graph, store in graphs.items():
            for pair in rewrites():
                row = {"engine": "pyoxigraph", "graph": graph, "triples": len(store),
                       **compare(store, pair, args.repeat)}
                print(json.dumps(row), file=sys.stderr)
                rows.append(row)
        if args.virtuoso:
            triples = len(graphs["synthetic"])
            graphs.clear()  # the in-process store's memory back before Virtuoso loads
            write_manifest(path)
            folder = Path(tmp) / "virtuoso"
            folder.mkdir()
            url, dataset, _ = stack.enter_context(published_virtuoso(
                path, folder, args.timeout, args.memory_mb,
                lambda m: print(m, file=sys.stderr)))
            client = stack.enter_context(httpx.Client(timeout=args.timeout + 10))
            for pair in rewrites():
                row = {"engine": "virtuoso", "graph": "synthetic", "triples": triples,
                       **compare_at(lambda t: endpoint_answer(client, url, dataset, t), pair,
                                    args.repeat)}
                print(json.dumps(row), file=sys.stderr)
                rows.append(row)
    command = "python -m bench.shapes " + shlex.join(argv if argv is not None else sys.argv[1:])
    day = datetime.now(UTC).strftime("%Y-%m-%d")
    stamp = f"{day}-virtuoso" if args.virtuoso else day
    RESULTS_DIR.mkdir(exist_ok=True)
    (RESULTS_DIR / f"shapes-{stamp}.json").write_text(
        json.dumps({"command": command, "machine": record.machine(),
                    "load_average": report["load_average"], "rows": rows}, indent=2) + "\n")
    lines = [f"# Query shapes: straightforward against rewritten ({day})", "",
             f"Command: `{command}` (medians of interleaved runs; pyoxigraph "
             f"{ox.__version__} in process, Virtuoso at its own endpoint).", "",
             f"Machine: {record.machine()}; 1-minute load average {report['load_average'][0]} "
             f"before and {report['load_average'][1]} after.", "",
             "| engine | graph | triples | query | rows | identical | straightforward ms | "
             "rewritten ms | ratio |", "|---|---|---:|---|---:|---|---:|---:|---:|"]
    lines += [f"| {r['engine']} | {r['graph']} | {r['triples']:,} | {r['query']} | {r['rows']} | "
              f"{_identical(r)} | {_ms(r, 'straightforward')} | {_ms(r, 'rewritten')} | "
              f"{_ratio(r)} |" for r in rows]
    (RESULTS_DIR / f"shapes-{stamp}.md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
