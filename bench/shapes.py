"""`python -m bench.shapes`: slow query shapes against their rewrites, same answers, same run.

Each file of `bench/shapes/` is the straightforward form of a query that Oxigraph plans badly;
its `#+ rewritten-as:` header names the query that replaced it (in the library or in
`bench/queries/`). On the synthetic graph (and the seed graph if a dump is given) both forms
run interleaved, `--repeat` times each; the answers must be identical (every term, in order)
and the report gives the medians and the ratio straightforward / rewritten. What the rewrites
teach is written down in `queries/README.md`.

    python -m bench.shapes --organisations 3000 --repeat 15 [--dump dist/clusterkg.nq]
"""

from __future__ import annotations

import argparse
import json
import shlex
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from bench import synthetic
from clusterkg.graph.store import OxigraphStore
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


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--organisations", type=int, default=3000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--dump", type=Path, help="also compare on this dump (the seed graph)")
    args = parser.parse_args(argv)
    graphs: dict[str, OxigraphStore] = {}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "synthetic.nq"
        synthetic.write(path, args.organisations, seed=1)
        graphs["synthetic"] = OxigraphStore.from_file(path)
    if args.dump:
        graphs["seed"] = OxigraphStore.from_file(args.dump)
    rows = []
    for graph, store in graphs.items():
        for pair in rewrites():
            row = {"graph": graph, "triples": len(store), **compare(store, pair, args.repeat)}
            print(json.dumps(row), file=sys.stderr)
            rows.append(row)
    command = "python -m bench.shapes " + shlex.join(argv if argv is not None else sys.argv[1:])
    stamp = datetime.now(UTC).strftime("%Y-%m-%d")
    RESULTS_DIR.mkdir(exist_ok=True)
    (RESULTS_DIR / f"shapes-{stamp}.json").write_text(
        json.dumps({"command": command, "rows": rows}, indent=2) + "\n")
    lines = [f"# Query shapes: straightforward against rewritten ({stamp})", "",
             f"Command: `{command}` (medians of interleaved runs, in-process pyoxigraph "
             f"{ox.__version__}).", "",
             "| graph | triples | query | rows | identical | straightforward ms | "
             "rewritten ms | ratio |", "|---|---:|---|---:|---|---:|---:|---:|"]
    lines += [f"| {r['graph']} | {r['triples']:,} | {r['query']} | {r['rows']} | "
              f"{'yes' if r['identical'] else '**NO**'} | {r['straightforward_ms']:.1f} | "
              f"{r['rewritten_ms']:.1f} | {r['ratio']:.2f}× |" for r in rows]
    (RESULTS_DIR / f"shapes-{stamp}.md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
