"""`python -m bench.reasoner`: what HermiT costs in the seed build, where its time goes, and what
the defined classes ask of a reasoner.

One run: the whole seed build (`graph.build.build` into a temporary folder), then, on the graph
it built, interleaved: the build's reasoning step (`graph.reasoner.classify`: the cut input,
HermiT's own command line asked `-c -I` on a client-compiler JVM), the former step
(`classify_with_owlready2` on the cut input: owlready2's quadstore, `-c -O -D -I`, the JVM's
defaults; the baseline of the new cut) and owlready2 on the whole input (`prune=False`, the
input before the first cut). Its share of the build and both speed-ups are the figures; all
answers must equal the build's `inferred` graph.

The split: the former step's parts (owlready2 loading the N-Triples into its SQLite quadstore;
HermiT's Java process; owlready2 writing the file for HermiT and applying the answer; reading
the individuals' types back) and, inside the Java process (HermiT's `-v2` log), JVM start-up
(HermiT's `-V`, which starts the JVM and exits), parsing, preprocessing and each action set
(`-c`, `-c -I`, `-c -O -D -I`) with the JVM's defaults and with `graph.hermit.JVM_OPTIONS`.
It also lists the OWL constructs of the ontology's defined classes (`owl:equivalentClass`),
which decide whether an OWL 2 RL or EL reasoner could replace HermiT: a qualified cardinality of
at least 2 is in neither profile.

Results: `bench/results/reasoner-<date>.md` and `.json`, with the command.
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from unittest import mock

import owlready2
import pyoxigraph as ox

from bench import record
from clusterkg import iris
from clusterkg.graph import hermit, reasoner
from clusterkg.graph.build import ONTOLOGY_GRAPH, build
from clusterkg.shapes.validation import validate_store

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


DEFAULT_JVM = ("-Xmx2000M",)  # what owlready2 passes (its JAVA_MEMORY)
ACTION_SETS = {"classes": ("-c",), "classes + instances": ("-c", "-I"),
               "classes + properties + instances": ("-c", "-O", "-D", "-I")}
_LOGGED = {"parse": "Ontology parsed in", "preprocess": "Reasoner created in",
           "action": "...action completed in"}


def _timed(call: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    value = call()
    return time.perf_counter() - started, value


@contextmanager
def _java_timer(into: list[float]) -> Iterator[None]:
    """Time the Java process owlready2 starts (its `subprocess.check_output`)."""
    real = subprocess.check_output

    def timed(*args: Any, **kwargs: Any) -> Any:
        seconds, out = _timed(lambda: real(*args, **kwargs))
        into.append(seconds)
        return out

    with mock.patch.object(owlready2.reasoning.subprocess, "check_output", timed):
        yield


def owlready2_split(path: Path) -> dict[str, float]:
    """The former step's parts on the N-Triples at `path`, in seconds."""
    java: list[float] = []
    world = owlready2.World()
    load, onto = _timed(lambda: world.get_ontology(path.as_uri()).load(format="ntriples"))

    def sync() -> None:
        with onto, _java_timer(java):
            owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)

    reasoning, _ = _timed(sync)
    back, _ = _timed(lambda: [(i.iri, list(i.INDIRECT_is_a)) for i in world.individuals()])
    world.close()
    return {"quadstore load": load, "HermiT's Java process": java[0],
            "writing the file, applying the answer": reasoning - java[0],
            "reading the types back": back}


def hermit_split(path: Path, actions: Sequence[str], jvm: Sequence[str]) -> dict[str, float]:
    """One HermiT run at `-v2`: wall seconds and the parts HermiT logs."""
    line = hermit.command(path, [*actions, "-v2"], jvm)
    wall, done = _timed(lambda: subprocess.run(line, capture_output=True, check=True))
    log = done.stderr.decode()
    parts = {"wall": wall}
    for name, prefix in _LOGGED.items():
        found = re.search(re.escape(prefix) + r" (\d+) msec", log)
        assert found, f"HermiT's log lacks {prefix!r}: {log[-500:]}"
        parts[name] = int(found.group(1)) / 1000
    return parts


def jvm_start(jvm: Sequence[str]) -> float:
    """Seconds to start the JVM, load HermiT's command line and exit (`-V`)."""
    line = [owlready2.JAVA_EXE, *jvm, "-cp", hermit.CLASSPATH, hermit.MAIN_CLASS, "-V"]
    return _timed(lambda: subprocess.run(line, capture_output=True, check=True))[0]


def _best(runs: list[dict[str, float]]) -> dict[str, float]:
    """Per part, the median over repeats (parts of one run need not be the best together)."""
    return {k: round(statistics.median(r[k] for r in runs), 2) for k in runs[0]}


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
    ways: dict[str, Callable[[], set[ox.Quad]]] = {
        "build": lambda: set(reasoner.classify(tbox, abox, prune=True)),
        "former": lambda: set(reasoner.classify_with_owlready2(tbox, abox, prune=True)),
        "whole": lambda: set(reasoner.classify_with_owlready2(tbox, abox, prune=False)),
    }
    # the SHACL gate, for scale: all that running HermiT beside it could hide
    ways_and_gate = {**ways, "gate": lambda: validate_store(store.native)}
    seconds: dict[str, list[float]] = {k: [] for k in ways_and_gate}
    answers: dict[str, set[ox.Quad]] = {}
    former_parts: list[dict[str, float]] = []
    hermit_parts: dict[str, list[dict[str, float]]] = {}
    starts: dict[str, list[float]] = {"defaults": [], "build's options": []}
    jvms = {"defaults": DEFAULT_JVM, "build's options": hermit.JVM_OPTIONS}
    cut = reasoner._reasoner_input(tbox, abox, prune=True)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "input.nt"
        path.write_text(cut.text, encoding="utf-8")
        for _ in range(repeats):  # interleaved: each way and each part in turn
            for name, way in ways_and_gate.items():
                took, answer = _timed(way)
                seconds[name].append(took)
                if name in ways:
                    answers[name] = answer
            former_parts.append(owlready2_split(path))
            for jvm_name, jvm in jvms.items():
                starts[jvm_name].append(jvm_start(jvm))
                for set_name, actions in ACTION_SETS.items():
                    hermit_parts.setdefault(f"{set_name}, {jvm_name}", []).append(
                        hermit_split(path, actions, jvm))
    best = {k: min(v) for k, v in seconds.items()}
    built = set(store.native.quads_for_pattern(None, None, None, inferred))
    whole_lines = reasoner._reasoner_input(tbox, abox, prune=False).text.count("\n")
    constructs = store.query(CONSTRUCTS)
    assert isinstance(constructs, ox.QuerySolutions)
    return {
        "build_seconds": round(build_seconds, 2),
        "classify_seconds": round(best["build"], 2),
        "share": round(best["build"] / build_seconds, 3),
        "former_seconds": round(best["former"], 2),
        "whole_input_seconds": round(best["whole"], 2),
        "speed_up": round(best["former"] / best["build"], 2),
        "speed_up_on_whole": round(best["whole"] / best["build"], 2),
        "gate_seconds": round(best["gate"], 2),
        "seconds": {k: [round(x, 2) for x in v] for k, v in seconds.items()},
        "split_former": _best(former_parts),
        "split_hermit": {k: _best(v) for k, v in hermit_parts.items()},
        "jvm_start": {k: round(statistics.median(v), 2) for k, v in starts.items()},
        "jvm_options": list(hermit.JVM_OPTIONS),
        "reasoner_lines": {"cut": cut.text.count("\n"), "whole": whole_lines},
        "answers_equal": {k: v == built for k, v in answers.items()},
        "repeats": repeats,
        "tbox_triples": len(tbox),
        "abox_triples": len(abox),
        "inferred_types": len(built),
        "constructs": {
            row["construct"].value.removeprefix(iris.OWL): int(row["classes"].value)
            for row in constructs
        },
    }


def report(results: dict[str, Any], command: str) -> str:
    constructs = ", ".join(f"`owl:{k}` ({v})" for k, v in results["constructs"].items())
    equal = results["answers_equal"]
    former = results["split_former"]
    split_rows = [f"| {part} | {value:.2f} |" for part, value in former.items()]
    hermit_rows = [
        f"| {name} | {p['wall']:.2f} | {p['parse']:.2f} | {p['preprocess']:.2f} "
        f"| {p['action']:.2f} | {p['wall'] - p['parse'] - p['preprocess'] - p['action']:.2f} |"
        for name, p in results["split_hermit"].items()
    ]
    default_start, build_start = results["jvm_start"]["defaults"], results["jvm_start"][
        "build's options"]
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
            f"| whole seed build (same run) | {results['build_seconds']:.1f} |",
            f"| the build's reasoning step (`graph.reasoner.classify`: cut input, HermiT's "
            f"command line `-c -I`, JVM `{' '.join(results['jvm_options'])}`) "
            f"| {results['classify_seconds']:.1f} |",
            f"| share of the build | {100 * results['share']:.0f} % |",
            f"| the former step (owlready2 on the cut input; baseline, same run) "
            f"| {results['former_seconds']:.1f} |",
            f"| **speed-up on the former step** | **{results['speed_up']:.2f}×** |",
            f"| owlready2 on the whole input (before the first cut; same run) "
            f"| {results['whole_input_seconds']:.1f} |",
            f"| speed-up on the whole input | {results['speed_up_on_whole']:.2f}× |",
            f"| the SHACL gate (`validate_store`), for scale | {results['gate_seconds']:.1f} |",
            "",
            f"Times are the best of {results['repeats']} interleaved runs (all runs: "
            f"{results['seconds']}). Input: {results['tbox_triples']:,} ontology triples, "
            f"{results['abox_triples']:,} data triples; the cut input has "
            f"{results['reasoner_lines']['cut']:,} lines, the whole "
            f"{results['reasoner_lines']['whole']:,}. Output: {results['inferred_types']} "
            f"inferred types. Each way's answer equals the build's `inferred` graph: "
            f"the build's {equal['build']}, the former {equal['former']}, the whole input "
            f"{equal['whole']}.",
            "",
            "## Where the former step's time went (cut input, median of the repeats)",
            "",
            "| part | seconds |",
            "|---|---:|",
            *split_rows,
            "",
            "## Inside HermiT's Java process (cut input, HermiT's `-v2` log, median)",
            "",
            f"JVM start-up alone (HermiT's `-V`): {default_start:.2f} s with the defaults, "
            f"{build_start:.2f} s with the build's options.",
            "",
            "| actions, JVM | wall | parsing | preprocessing | actions | start-up, writing |",
            "|---|---:|---:|---:|---:|---:|",
            *hermit_rows,
            "",
            f"Constructs of the defined classes (number of classes using each): {constructs}.",
            "",
        ]
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=RESULTS_DIR)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--name", help="results file stem (default reasoner-<date>)")
    args = parser.parse_args(argv)
    command = shlex.join(["python", "-m", "bench.reasoner", *(argv or sys.argv[1:])])
    results: dict[str, Any] = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d"),
        "machine": record.machine(),
    }
    with record.load_average(results):
        results.update(measure(args.repeats))
    stem = args.name or f"reasoner-{results['date']}"
    record.write(args.out, stem, results, report(results, command), command)


if __name__ == "__main__":
    main()
