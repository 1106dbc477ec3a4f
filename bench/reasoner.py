"""`python -m bench.reasoner`: what HermiT costs in the seed build, and what the defined classes
ask of a reasoner.

One run: the whole seed build (`graph.build.build` into a temporary folder), then, on the graph
it built, the reasoning step alone (`graph.reasoner.classify`, the same tbox and abox the build
hands it) — its share of the build is the figure — interleaved with HermiT on the whole input
(`prune=False`, the input before the cut; the baseline of the speed-up). It checks that the
repeated classification equals the build's `inferred` graph, and lists the OWL constructs of
the ontology's defined classes (`owl:equivalentClass`), which decide whether an OWL 2 RL or EL
reasoner could replace HermiT: a qualified cardinality of at least 2 is in neither profile.

Results: `bench/results/reasoner-<date>.md` and `.json`, with the command.
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from bench import record
from clusterkg import iris
from clusterkg.graph import reasoner
from clusterkg.graph.build import ONTOLOGY_GRAPH, build

RESULTS_DIR = Path(__file__).resolve().parent / "results"
CONSTRUCTS = f"""
PREFIX owl: <{iris.OWL}>
PREFIX rdf: <{iris.RDF}>
SELECT ?construct (COUNT(DISTINCT ?defined) AS ?classes) WHERE {{
  GRAPH <{ONTOLOGY_GRAPH}> {{
    ?defined owl:equivalentClass/(owl:intersectionOf|owl:unionOf)?/(rdf:rest*/rdf:first)? ?part .
    ?part ?construct ?x .
    FILTER(?construct IN (owl:hasValue, owl:someValuesFrom, owl:allValuesFrom,
      owl:minQualifiedCardinality, owl:maxQualifiedCardinality, owl:qualifiedCardinality,
      owl:minCardinality, owl:maxCardinality, owl:cardinality, owl:complementOf, owl:unionOf,
      owl:intersectionOf, owl:oneOf))
  }}
}} GROUP BY ?construct ORDER BY ?construct
"""


def measure(repeats: int = 1) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        store, _ = build(Path(tmp) / "dist")
        build_seconds = time.perf_counter() - started
    inferred = reasoner.INFERRED_GRAPH
    ontology = ox.NamedNode(ONTOLOGY_GRAPH)
    tbox = [q.triple for q in store.native.quads_for_pattern(None, None, None, ontology)]
    skip = {ONTOLOGY_GRAPH, inferred.value}
    abox = [
        q.triple
        for q in store.native.quads_for_pattern(None, None, None, None)
        if not (isinstance(q.graph_name, ox.NamedNode) and q.graph_name.value in skip)
    ]
    seconds: dict[bool, list[float]] = {True: [], False: []}
    answers: dict[bool, set[ox.Quad]] = {}
    for _ in range(repeats):  # interleaved: the cut input and the whole input, in turn
        for prune in (True, False):
            started = time.perf_counter()
            answers[prune] = set(reasoner.classify(tbox, abox, prune=prune))
            seconds[prune].append(time.perf_counter() - started)
    classify_seconds, whole_seconds = min(seconds[True]), min(seconds[False])
    again = answers[True]
    built = set(store.native.quads_for_pattern(None, None, None, inferred))
    cut_lines = reasoner._reasoner_input(tbox, abox, prune=True)[0].count("\n")
    whole_lines = reasoner._reasoner_input(tbox, abox, prune=False)[0].count("\n")
    constructs = store.query(CONSTRUCTS)
    assert isinstance(constructs, ox.QuerySolutions)
    return {
        "build_seconds": round(build_seconds, 2),
        "classify_seconds": round(classify_seconds, 2),
        "share": round(classify_seconds / build_seconds, 3),
        "whole_input_seconds": round(whole_seconds, 2),
        "speed_up": round(whole_seconds / classify_seconds, 2),
        "reasoner_lines": {"cut": cut_lines, "whole": whole_lines},
        "cut_equals_whole": answers[True] == answers[False],
        "repeats": repeats,
        "tbox_triples": len(tbox),
        "abox_triples": len(abox),
        "inferred_types": len(built),
        "classification_repeats_the_build": again == built,
        "constructs": {
            row["construct"].value.removeprefix(iris.OWL): int(row["classes"].value)
            for row in constructs
        },
    }


def report(results: dict[str, Any], command: str) -> str:
    constructs = ", ".join(f"`owl:{k}` ({v})" for k, v in results["constructs"].items())
    return "\n".join(
        [
            f"# Reasoning cost in the seed build, {results['date']}",
            "",
            f"Command: `{command}`",
            "",
            f"Machine: {results['machine']}, {os.cpu_count()} cores, 1-minute load average "
            f"{results['load_average'][0]} before and {results['load_average'][1]} after.",
            "",
            "| step | seconds |",
            "|---|---:|",
            f"| whole seed build (baseline, same run) | {results['build_seconds']:.1f} |",
            f"| HermiT classification alone (`graph.reasoner.classify`) "
            f"| {results['classify_seconds']:.1f} |",
            f"| share of the build | {100 * results['share']:.0f} % |",
            f"| HermiT on the whole input (before the cut; baseline, same run) "
            f"| {results['whole_input_seconds']:.1f} |",
            f"| speed-up of the cut | {results['speed_up']:.2f}× |",
            "",
            f"Input: {results['tbox_triples']:,} ontology triples, {results['abox_triples']:,} "
            f"data triples (the reasoner keeps class and object-property assertions). Output: "
            f"{results['inferred_types']} inferred types; the repeated classification equals "
            f"the build's `inferred` graph: {results['classification_repeats_the_build']}; "
            f"the cut input ({results['reasoner_lines']['cut']:,} lines, against "
            f"{results['reasoner_lines']['whole']:,} whole) gives the same answer as the whole "
            f"input: {results['cut_equals_whole']}. Times are the best of "
            f"{results['repeats']} interleaved runs.",
            "",
            f"Constructs of the defined classes (number of classes using each): {constructs}.",
            "",
        ]
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=RESULTS_DIR)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    command = shlex.join(["python", "-m", "bench.reasoner", *(argv or sys.argv[1:])])
    results: dict[str, Any] = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d"),
        "machine": record.machine(),
    }
    with record.load_average(results):
        results.update(measure(args.repeats))
    record.write(args.out, f"reasoner-{results['date']}", results, report(results, command),
                 command)


if __name__ == "__main__":
    main()
