"""Benchmark of the SHACL gate on survey data (pyshacl-turbo, plain rdflib graph, no inference).

Targets: a 100,000-triple survey validates in under 10 s, a single programme record in under
100 ms. Each figure is also given as a ratio to a baseline measured in the same run on the
same data: parsing its N-Triples into an rdflib graph. The survey is synthetic: programmes
built as the mapping files build them (programme, label, period, budget, objectives, target
groups, funding sources), so it meets the same shapes as real survey data.

    .venv/bin/python -m bench.validation [--triples 100000] [--organisations 3000]
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
import pyshacl
import rdflib

from bench import synthetic
from clusterkg.loaders.mapper import mappings
from clusterkg.loaders.records import Record, SourceRef
from clusterkg.loaders.survey.trace import map_survey
from clusterkg.loaders.survey.validate import validate_inputs
from clusterkg.shapes.validation import (
    Problem,
    _data_shapes,
    validate,
    validate_store,
    with_context,
)

COUNTRIES = ["LVA", "SWE", "DEU", "FRA", "AUT", "BEL", "DNK", "EST", "FIN", "POL"]
OBJECTIVES = ["internationalisation", "innovation-capacity", "cooperation-structures"]


def records_for(i: int) -> list[Record]:
    """The records of one synthetic programme, as a filled survey template gives them."""
    pid = f"{COUNTRIES[i % len(COUNTRIES)]}-bench-{i}"
    country = COUNTRIES[i % len(COUNTRIES)]
    src = SourceRef("bench.csv", "programme", i + 2, i + 2)
    rows: list[tuple[str, dict[str, str | None]]] = [
        (
            "programme",
            {
                "programme_id": pid,
                "country": country,
                "level": "National",
                "description": f"Programme {i}",
                "description_language": "en",
                "url": f"https://example.org/{i}",
                "duration_raw": "2016-2020",
                "start_year": "2016",
                "end_year": "2020",
                "open_ended": "false",
                "period": "period",
            },
        ),
        (
            "programme_label",
            {
                "programme_id": pid,
                "country": country,
                "level": "National",
                "pref_label": f"Programme {i}",
            },
        ),
        (
            "programme_budget",
            {
                "programme_id": pid,
                "amount": str(1000 * i),
                "currency": "EUR",
                "raw": f"EUR {1000 * i}",
            },
        ),
        ("programme_target_group", {"programme_id": pid, "target_group": "sme"}),
        ("programme_funding_source", {"programme_id": pid, "funding_source": "national-budget"}),
    ]
    rows += [("programme_objective", {"programme_id": pid, "objective": o}) for o in OBJECTIVES]
    table = mappings()
    return [Record(kind, values, src) for kind, values in rows if kind in table]


def survey(triples: int) -> rdflib.Graph:
    table = mappings()
    per_programme = len(map_survey(records_for(0), table)[0])
    count = max(1, triples // per_programme)
    records = [r for i in range(count) for r in records_for(i)]
    graph, _ = map_survey(records, table)
    return graph


def reference(data: rdflib.Graph) -> None:
    """The same validation with pySHACL, the engine the gate used before pyshacl-turbo."""
    pyshacl.validate(
        data, shacl_graph=_data_shapes(), inference="none", advanced=True, allow_warnings=True,
        inplace=True,
    )  # fmt: skip


def synthetic_gate(organisations: int) -> dict[str, float | int | bool]:
    """The build's gate on the synthetic graph (`bench.synthetic`), both ways in one run: as
    the build did before (the N-Quads parsed into an rdflib dataset, its union copied into a
    graph, then validated) and as it does now (`validate_store`: the engine reads the pyoxigraph
    store natively). Seconds of each step; whether both report the same problems."""
    with tempfile.TemporaryDirectory() as tmp:
        dump = Path(tmp) / "synthetic.nq"
        synthetic.write(dump, organisations, seed=1)
        started = time.perf_counter()
        store = ox.Store()
        store.bulk_load(path=str(dump), format=ox.RdfFormat.N_QUADS)
        load = time.perf_counter() - started
        started = time.perf_counter()
        now = validate_store(store)
        native = time.perf_counter() - started
        started = time.perf_counter()
        dataset = rdflib.Dataset()
        dataset.parse(dump, format="nquads")
        union = rdflib.Graph()
        for s, p, o, _ in dataset.quads((None, None, None, None)):
            union.add((s, p, o))
        del dataset
        convert = time.perf_counter() - started
        started = time.perf_counter()
        before = validate(union)
        via_rdflib = time.perf_counter() - started

    def key(problems: list[Problem]) -> list[tuple[str | None, ...]]:
        return sorted((p.severity, p.focus, p.path, p.value, p.message) for p in problems)

    return {"triples": len(store), "load_s": load, "native_validate_s": native,
            "rdflib_convert_s": convert, "rdflib_validate_s": via_rdflib,
            "same_report": key(now.problems) == key(before.problems),
            "conforms": now.conforms}


def timed(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, default=100_000)
    parser.add_argument("--out", type=Path, default=Path("bench/results/validation.md"))
    parser.add_argument("--organisations", type=int, default=3000,
                        help="size of the synthetic graph for the build's gate (3000: ~1M triples)")
    args = parser.parse_args(argv)
    gate = synthetic_gate(args.organisations)

    large = survey(args.triples)
    large_nt = large.serialize(format="nt")
    one = survey(1)
    one_nt = one.serialize(format="nt")

    parse_large = timed(lambda: rdflib.Graph().parse(data=large_nt, format="nt"), 3)
    union_large = with_context(large)
    validate_large = timed(lambda: validate(union_large, vocabularies_checked=True), 1)
    reference_large = timed(lambda: reference(union_large), 1)
    conforms = validate(union_large, vocabularies_checked=True).conforms
    parse_one = timed(lambda: rdflib.Graph().parse(data=one_nt, format="nt"), 20)
    validate_one = timed(lambda: validate(with_context(one), vocabularies_checked=True), 20)
    csv_one = (
        b"programme_id,country,level,start_year,end_year,period\n"
        b"LVA-bench,LVA,National,2016,2020,period\n"
    )
    label_one = b"programme_id,country,level,pref_label\nLVA-bench,LVA,National,Bench\n"
    end_to_end = timed(
        lambda: validate_inputs([("programme.csv", csv_one), ("programme_label.csv", label_one)]),
        20,
    )

    rows = [
        (
            "survey",
            f"{len(large):,} triples (+{len(union_large) - len(large):,} ontology and "
            "vocabulary triples)",
            parse_large,
            validate_large,
            10.0,
        ),
        ("one programme record", f"{len(one):,} triples (+ context)", parse_one, validate_one, 0.1),
    ]
    lines = [
        "# SHACL validation benchmark",
        "",
        "Produced by `.venv/bin/python -m bench.validation"
        + (f" --triples {args.triples}" if args.triples != 100_000 else "")
        + (f" --organisations {args.organisations}" if args.organisations != 3000 else "")
        + "` on "
        f"{platform.machine()}, Python {platform.python_version()}, "
        f"{sys.platform}; pyshacl-turbo on a plain rdflib graph, `inference='none'`, "
        "shapes of `shapes/`.",
        "Baseline: parsing the same data as N-Triples into an rdflib graph, in the same run.",
        "Median of 3 parses and 1 validation (survey), of 20 runs each (one record).",
        "",
        "| data | size | parse (baseline) | validate | ratio | target | met |",
        "| --- | --- | ---: | ---: | ---: | ---: | --- |",
    ]
    for name, size, parse, check, target in rows:
        lines.append(
            f"| {name} | {size} | {parse * 1000:,.0f} ms | {check * 1000:,.0f} ms "
            f"| {check / parse:,.1f}× | {target * 1000:,.0f} ms "
            f"| {'yes' if check < target else 'NO'} |"
        )
    lines += [
        "",
        f"pySHACL on the same survey graph in the same run (the engine before pyshacl-turbo, "
        f"without the rdflib parse cache the gate used to install): {reference_large:,.1f} s; "
        f"pyshacl-turbo {validate_large:,.1f} s, {reference_large / validate_large:,.1f}× faster.",
        "",
        f"The survey conforms: {conforms}. End to end for one programme from CSV (read, table "
        f"checks, mapping, SHACL, trace back to cells): {end_to_end * 1000:,.0f} ms.",
        "",
    ]
    before = gate["load_s"] + gate["rdflib_convert_s"] + gate["rdflib_validate_s"]
    after = gate["load_s"] + gate["native_validate_s"]
    lines += [
        f"## The build's gate on the synthetic graph ({gate['triples']:,} triples, "
        f"{args.organisations} organisations)",
        "",
        "| step | before (rdflib graph) | now (`validate_store`) |",
        "| --- | ---: | ---: |",
        f"| load into pyoxigraph | {gate['load_s']:,.1f} s | {gate['load_s']:,.1f} s |",
        f"| parse into rdflib, copy the union | {gate['rdflib_convert_s']:,.1f} s | — |",
        f"| validate | {gate['rdflib_validate_s']:,.1f} s | {gate['native_validate_s']:,.1f} s |",
        f"| **load + validate** | **{before:,.1f} s** | **{after:,.1f} s** "
        f"({before / after:,.1f}× faster; target ≤ 20 s) |",
        "",
        f"Same problems reported both ways: {gate['same_report']}; conforms: {gate['conforms']}.",
        "",
    ]
    text = "\n".join(lines)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print(text)
    return 0 if validate_large < 10 and validate_one < 0.1 else 1


if __name__ == "__main__":
    raise SystemExit(main())
