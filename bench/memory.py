"""`python -m bench.memory`: the memory of query workers over one store, two ways, one run.

How much memory a serving process tree needs per triple once its workers have answered the
query library, measured from `/proc/<pid>/smaps_rollup` (PSS: a page shared by n processes
counts 1/n in each) and, because this kernel estimates PSS for large folios (a forked child's
untouched inherited pages show as private), from the distinct physical page frames of the
whole tree's anonymous memory (`/proc/<pid>/pagemap`, root only), for the same graph:

- `forked` (what `api/execution.py` does today): the parent loads Oxigraph's in-memory store
  and forks the workers, which inherit it copy-on-write;
- `on-disk`: the parent bulk-loads the dump into an on-disk (RocksDB) store; the parent and
  every worker then open it with `Store.read_only`, so the data lives once, in the kernel's
  page cache. RocksDB reads files with `pread`, so those pages appear in no process's PSS:
  the table adds the store's size on disk, which is what the page cache holds when hot.

Each worker runs the library pass (every named query without parameters and `bench/queries/`)
twice and reports the second pass's time, so the table also shows what each way costs in speed.

Two more modes measure the real service (`bench.scale.serve`: `clusterkg serve` with its
workers, the library through `/sparql` one query at a time, three rounds, PSS of the whole
tree after the first):

- `served-embedded`: `serve` as by default (the in-memory store, forked into each worker);
- `served-engine`: `serve --engine oxigraph` (issue 17): the tree is the server, its workers
  (which hold no store) and the Oxigraph engine process; the release's on-disk store is
  written first (`graph.stores.disk_release`, timed apart), so the time to the first answer
  is that of a start that only opens it. Its files are read through the page cache, which no
  PSS counts: the table states the store's size on disk beside the tree's PSS.

    python -m bench.memory --organisations 3000 --workers 3
    python -m bench.memory --dist DIR --modes served-engine served-embedded --workers 3
"""

from __future__ import annotations

import argparse
import array
import json
import os
import shlex
import signal
import sys
import tempfile
import time
from datetime import UTC, datetime
from multiprocessing.connection import Connection, Pipe
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from bench import synthetic
from clusterkg.paths import DUMP_NAME
from clusterkg.queries.library import library

BENCH_DIR = Path(__file__).resolve().parent
RESULTS_DIR = BENCH_DIR / "results"


def workload() -> dict[str, str]:
    """The library's queries without parameters and the benchmark's own."""
    queries = {name: q.text for name, q in sorted(library().items()) if not q.params}
    queries |= {p.stem: p.read_text() for p in sorted((BENCH_DIR / "queries").glob("*.rq"))}
    return queries


def pss(pid: int) -> int:
    """Proportional set size of a process, in bytes."""
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1]) << 10
    return 0


PAGE = os.sysconf("SC_PAGE_SIZE")
_PRESENT, _PFN = 1 << 63, (1 << 55) - 1


def frames(pid: int) -> set[int]:
    """Physical frames of a process's resident anonymous memory (`/proc/<pid>/pagemap`,
    needs root): heap, the store, Python's objects; not files mapped from disk."""
    found: set[int] = set()
    with open(f"/proc/{pid}/pagemap", "rb") as pagemap:
        for line in Path(f"/proc/{pid}/maps").read_text().splitlines():
            fields = line.split(maxsplit=5)
            name = fields[5].strip() if len(fields) > 5 else ""
            if name and not name.startswith(("[heap", "[anon")):
                continue  # files (code, libraries) are the page cache's, shared system-wide
            start, end = (int(x, 16) for x in fields[0].split("-"))
            pagemap.seek(start // PAGE * 8)
            entries = array.array("Q", pagemap.read((end - start) // PAGE * 8))
            found.update(e & _PFN for e in entries if e & _PRESENT)
    found.discard(0)  # PFNs read as 0 without CAP_SYS_ADMIN: counted by nobody then
    return found


def unique_bytes(pids: list[int]) -> int | None:
    """Memory a process tree really holds: its distinct resident page frames. PSS cannot say
    it on kernels that estimate the sharing of large folios (6.18 here reports a forked
    child's untouched inherited pages as private). None without the rights to read PFNs."""
    union: set[int] = set()
    for pid in pids:
        union |= frames(pid)
    return len(union) * PAGE if union else None


def _pass(store: ox.Store, queries: dict[str, str]) -> float:
    started = time.perf_counter()
    for text in queries.values():
        result = store.query(text, use_default_graph_as_union=True)
        if not isinstance(result, ox.QueryBoolean):
            for _ in result:
                pass
    return time.perf_counter() - started


def _worker(open_store: Any, queries: dict[str, str], conn: Connection) -> None:
    store = open_store()
    _pass(store, queries)
    conn.send(_pass(store, queries))
    conn.recv()  # stay alive, holding what the pass touched, until measured


def measure(mode: str, dump: Path, workdir: Path, workers: int,
            queries: dict[str, str]) -> dict[str, Any]:
    """Load the dump one way, fork `workers` that each run the pass, measure the tree."""
    started = time.perf_counter()
    if mode == "forked":
        store = ox.Store()
        store.bulk_load(path=str(dump), format=ox.RdfFormat.N_QUADS)

        def opener() -> ox.Store:
            return store
        on_disk = 0
    else:
        path = workdir / "store"
        loading = ox.Store(str(path))
        loading.bulk_load(path=str(dump), format=ox.RdfFormat.N_QUADS)
        loading.optimize()
        del loading
        store = ox.Store.read_only(str(path))

        def opener() -> ox.Store:
            return ox.Store.read_only(str(path))
        on_disk = sum(f.stat().st_size for f in path.rglob("*") if f.is_file())
    load_s = time.perf_counter() - started
    triples = len(store)
    children: list[tuple[int, Connection]] = []
    try:
        for _ in range(workers):
            parent_end, child_end = Pipe()
            pid = os.fork()
            if pid == 0:  # pragma: no cover - the child
                code = 0
                try:
                    _worker(opener, queries, child_end)
                except BaseException:
                    code = 1
                finally:
                    os._exit(code)
            children.append((pid, parent_end))
        passes = [conn.recv() for _, conn in children]
        parent, worker_pss = pss(os.getpid()), [pss(pid) for pid, _ in children]
        unique = unique_bytes([os.getpid(), *(pid for pid, _ in children)])
    finally:
        for pid, conn in children:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            conn.close()
    tree = parent + sum(worker_pss)
    return {"mode": mode, "triples": triples, "workers": workers, "load_s": load_s,
            "pass_s": sorted(passes)[len(passes) // 2], "parent_pss": parent,
            "workers_pss": worker_pss, "store_on_disk": on_disk,
            "bytes_per_triple": tree / triples, "unique_bytes": unique,
            "unique_bytes_per_triple": None if unique is None else unique / triples,
            "bytes_per_triple_with_page_cache": (tree + on_disk) / triples}


def _run(mode: str, dump: Path, workers: int, queries: dict[str, str]) -> dict[str, Any]:
    """One mode in a fresh process, so neither mode's memory is counted in the other."""
    parent_end, child_end = Pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        code = 0
        try:
            with tempfile.TemporaryDirectory() as tmp:
                child_end.send(measure(mode, dump, Path(tmp), workers, queries))
        except BaseException:
            code = 1
        finally:
            os._exit(code)
    row: dict[str, Any] = parent_end.recv()
    os.waitpid(pid, 0)
    return row


MODES = ("forked", "on-disk", "served-embedded", "served-engine")


def served(mode: str, dist: Path, workers: int, queries: dict[str, str],
           timeout: float) -> dict[str, Any]:
    """The service on the release of `dist` (`served-embedded` or `served-engine`)."""
    import threading

    from bench import scale
    from clusterkg.graph.release import check_build
    from clusterkg.graph.stores.disk_release import release_store

    dump = dist / DUMP_NAME
    triples = check_build(dump)[4] or check_build(dump)[3]
    row: dict[str, Any] = {"mode": mode, "triples": triples, "workers": workers,
                           "load_s": None, "store_on_disk": 0}
    engine = "oxigraph" if mode == "served-engine" else "embedded"
    if engine == "oxigraph":
        started = time.perf_counter()
        folder = release_store(dump)
        row["store_write_s"] = time.perf_counter() - started
        row["store_on_disk"] = sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())
    watch = scale.Watch(2 << 30)
    threading.Thread(target=watch.run, daemon=True).start()
    try:
        with watch.step_of("serve", row):
            result = scale.serve(dist, watch, queries, 0.0, timeout, engine, workers)
    finally:
        watch.stop()
    tree = result["pss"]
    pass_s = sum(v["p50_ms"] for v in result["latency"].values()) / 1000
    row |= {"first_answer_s": result["first_answer_s"], "pass_s": pass_s,
            "failures": result["failures"], "latency": result["latency"],
            "parent_pss": result["pss_by_process"][0][1],
            "workers_pss": [p for _, p in result["pss_by_process"][1:]],
            "pss_by_process": result["pss_by_process"],
            "bytes_per_triple": tree / triples, "unique_bytes": result["unique"],
            "unique_bytes_per_triple": None if result["unique"] is None
            else result["unique"] / triples,
            "bytes_per_triple_with_page_cache": (tree + row["store_on_disk"]) / triples}
    return row


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--organisations", type=int, default=3000)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--modes", nargs="+", choices=MODES, default=list(MODES))
    parser.add_argument("--dist", type=Path, default=None,
                        help="a folder with a described dump (clusterkg.nq + build.json) to "
                        "measure instead of generating one")
    parser.add_argument("--timeout", type=float, default=300.0,
                        help="the served modes' query time limit")
    args = parser.parse_args(argv)
    queries = workload()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        dist = args.dist or Path(tmp)
        dump = dist / DUMP_NAME
        if args.dist is None:
            synthetic.write(dump, args.organisations, seed=1)
            if any(m.startswith("served") for m in args.modes):
                from clusterkg.graph.release import write_manifest
                write_manifest(dump)
        for mode in args.modes:
            if mode.startswith("served"):
                rows.append(served(mode, dist, args.workers, queries, args.timeout))
            else:
                rows.append(_run(mode, dump, args.workers, queries))
            print(json.dumps(rows[-1]), file=sys.stderr)
    command = "python -m bench.memory " + shlex.join(argv if argv is not None else sys.argv[1:])
    stamp = datetime.now(UTC).strftime("%Y-%m-%d")
    RESULTS_DIR.mkdir(exist_ok=True)
    name = f"memory-{stamp}-{rows[0]['triples']}"
    (RESULTS_DIR / f"{name}.json").write_text(
        json.dumps({"command": command, "queries": len(queries), "rows": rows}, indent=2) + "\n")
    mib = 1 << 20
    lines = [f"# Query workers' memory over one store ({stamp})", "",
             f"Command: `{command}`; {rows[0]['triples']:,} triples, {args.workers} workers, "
             f"{len(queries)} queries per pass; PSS after two passes in every worker "
             "(served modes: after the first pass through `/sparql`; pass = the sum of each "
             "query's median over three rounds; load = time from `serve` to its first "
             "answer).", "",
             "| store | load s | pass s (median worker) | parent PSS MiB | workers PSS MiB | "
             "on disk MiB | B/triple (PSS) | B/triple (PSS + on disk) | "
             "B/triple (distinct page frames) |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    lines += [f"| {r['mode']} | {r['load_s'] or r['first_answer_s']:.1f} | {r['pass_s']:.2f} | "
              f"{r['parent_pss'] / mib:.0f} | "
              f"{' + '.join(f'{w / mib:.0f}' for w in r['workers_pss'])} | "
              f"{r['store_on_disk'] / mib:.0f} | {r['bytes_per_triple']:.0f} | "
              f"{r['bytes_per_triple_with_page_cache']:.0f} | "
              + (f"{r['unique_bytes_per_triple']:.0f} |" if r["unique_bytes_per_triple"]
                 else "– |") for r in rows]
    lines += [f"\n`{r['mode']}`: PSS by process (MiB): " + ", ".join(
        f"{n} {p / mib:.0f}" for n, p in r["pss_by_process"])
        + (f"; on-disk store written in {r['store_write_s']:.1f} s"
           if "store_write_s" in r else "")
        + (f"; failed queries: {r['failures']}" if r.get("failures") else "")
        for r in rows if "pss_by_process" in r]
    loads = [os.getloadavg()[0]]
    lines += [f"\nLoad average (1 min) at the end: {loads[0]:.1f}."]
    (RESULTS_DIR / f"{name}.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
