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

    python -m bench.memory --organisations 3000 --workers 3
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


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--organisations", type=int, default=3000)
    parser.add_argument("--workers", type=int, default=3)
    args = parser.parse_args(argv)
    queries = workload()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        dump = Path(tmp) / "synthetic.nq"
        synthetic.write(dump, args.organisations, seed=1)
        for mode in ("forked", "on-disk"):
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
             f"{len(queries)} queries per pass; PSS after two passes in every worker.", "",
             "| store | load s | pass s (median worker) | parent PSS MiB | workers PSS MiB | "
             "on disk MiB | B/triple (PSS) | B/triple (PSS + on disk) | "
             "B/triple (distinct page frames) |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    lines += [f"| {r['mode']} | {r['load_s']:.1f} | {r['pass_s']:.2f} | "
              f"{r['parent_pss'] / mib:.0f} | "
              f"{' + '.join(f'{w / mib:.0f}' for w in r['workers_pss'])} | "
              f"{r['store_on_disk'] / mib:.0f} | {r['bytes_per_triple']:.0f} | "
              f"{r['bytes_per_triple_with_page_cache']:.0f} | "
              + (f"{r['unique_bytes_per_triple']:.0f} |" if r["unique_bytes_per_triple"]
                 else "– |") for r in rows]
    (RESULTS_DIR / f"{name}.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
