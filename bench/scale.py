"""`python -m bench.scale`: the scale curve, at about 1M, 3M and 10M synthetic triples.

For each size the synthetic generator (`bench.synthetic`) streams an N-Quads dump to a file,
then, one step at a time, each in a process of its own so that no step's memory counts in
another's:

- **load rate** (triples per second) of clusterkg's release load (`graph.release.load_release`:
  the dump's SHA-256 checked against its manifest, bulk load, count checked), against a raw
  pyoxigraph bulk load of the same file and against Debian's `serdi` parsing it (and writing
  N-Quads to /dev/null), the physical reference of reading the bytes;
- **resident bytes per triple** of the serving process tree (`clusterkg serve` on the release,
  with its query workers) after one pass of the query library: the sums of RSS and of PSS over
  the tree (`/proc/<pid>/smaps_rollup`), and the tree's distinct anonymous page frames
  (`bench.memory.unique_bytes`, which this kernel's PSS estimate of large folios needs beside
  it); the goal is at most 400 B/triple;
- **time from `serve` start to the first answer** (an `ASK {}` answered 200);
- **per-query latency** p50/p95 over the library (`bench.memory.workload`) through `/sparql`,
  queries interleaved round by round.

The machine is shared: the results record the load average and the machine's CPU use during
each step, and the least memory available. A watchdog kills the step it is running when the
machine's available memory falls below `--min-free-gib` and the results say so. Results are
rewritten after every size: `results/scale-<date>.md`, `.json` and the plot `.png`.

    python -m bench.scale --organisations 3000 8500 28500
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shlex
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import version
from multiprocessing.connection import Pipe
from pathlib import Path
from typing import Any

import httpx

from bench import synthetic
from bench.memory import unique_bytes, workload
from bench.servers import free_port, stop_children_on_sigterm
from clusterkg.paths import DUMP_NAME, MANIFEST_NAME

RESULTS_DIR = Path(__file__).resolve().parent / "results"
ACCEPT = {"Accept": "application/sparql-results+json"}
GOAL_BYTES_PER_TRIPLE = 400
GOAL_FIRST_ANSWER_S = 30


@dataclass(frozen=True)
class Memory:
    """Resident memory of a set of processes, in bytes: RSS counts a shared page in every
    process, PSS divides it among them."""

    rss: int = 0
    pss: int = 0


def rollup(text: str) -> Memory:
    """RSS and PSS of one `/proc/<pid>/smaps_rollup`."""
    sizes = {}
    for line in text.splitlines():
        key, _, rest = line.partition(":")
        if key in ("Rss", "Pss"):
            number, unit = rest.split()
            assert unit == "kB", line
            sizes[key] = int(number) << 10
    return Memory(sizes.get("Rss", 0), sizes.get("Pss", 0))


def tree_memory(rollups: Iterable[str]) -> Memory:
    """The sums of RSS and PSS over the `smaps_rollup` texts of a process tree."""
    parts = [rollup(text) for text in rollups]
    return Memory(sum(p.rss for p in parts), sum(p.pss for p in parts))


def descendants(pid: int) -> list[int]:
    """`pid` and every process below it (`/proc/<pid>/task/*/children`), parents first."""
    found, queue = [], [pid]
    while queue:
        current = queue.pop(0)
        found.append(current)
        try:
            for task in Path(f"/proc/{current}/task").iterdir():
                queue += [int(c) for c in (task / "children").read_text().split()]
        except FileNotFoundError:  # ended meanwhile
            continue
    return found


def percentile(samples: list[float], q: float) -> float:
    """The nearest-rank `q` quantile (0 < q <= 1) of `samples`."""
    ordered = sorted(samples)
    rank = max(1, -(-len(ordered) * q // 1))  # ceil(n q), at least the first
    return ordered[int(rank) - 1]


def _cpu_ticks() -> tuple[int, int]:
    """Busy and total CPU ticks of the whole machine (`/proc/stat`)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]
    return sum(fields) - idle, sum(fields)


def _available() -> int:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemAvailable:"):
            return int(line.split()[1]) << 10
    return 0


@dataclass
class Watch:
    """Samples the machine every second for the step running now; kills it (its process
    group) when available memory falls below the floor."""

    floor: int
    step: str = ""
    pid: int | None = None
    killed: list[str] = field(default_factory=list)
    samples: dict[str, list[tuple[float, int]]] = field(default_factory=dict)
    _stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        while not self._stop.wait(1.0):
            available = _available()
            self.samples.setdefault(self.step, []).append((os.getloadavg()[0], available))
            if available < self.floor and self.pid is not None:
                self.killed.append(self.step)
                with suppress(ProcessLookupError):
                    os.killpg(self.pid, signal.SIGKILL)

    @contextmanager
    def step_of(self, name: str, report: dict[str, Any]) -> Iterator[None]:
        """Time `name`, record the machine's load during it into `report['machine']`."""
        self.step, busy0, started = name, _cpu_ticks(), time.perf_counter()
        try:
            yield
        finally:
            busy1 = _cpu_ticks()
            seen = self.samples.pop(name, []) or [(os.getloadavg()[0], _available())]
            report.setdefault("machine", {})[name] = {
                "seconds": time.perf_counter() - started,
                "load_avg_1m": max(s[0] for s in seen),
                "cpu_busy_cores": (busy1[0] - busy0[0]) / max(1, busy1[1] - busy0[1])
                * (os.cpu_count() or 1),
                "min_available_gib": min(s[1] for s in seen) / (1 << 30),
            }
            self.step = ""

    def stop(self) -> None:
        self._stop.set()


def in_child(watch: Watch, action: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """Run `action` in a forked process (a group of its own, so the watchdog can kill it);
    its result, with the child's peak RSS."""
    receive, send = Pipe(duplex=False)
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        code = 0
        try:
            os.setpgid(0, 0)
            result = action()
            result.setdefault("peak_rss",
                              resource.getrusage(resource.RUSAGE_SELF).ru_maxrss << 10)
            send.send(result)
        except BaseException as exc:
            send.send({"error": repr(exc)})
            code = 1
        finally:
            os._exit(code)
    watch.pid = pid
    send.close()
    try:
        got: dict[str, Any] = receive.recv()
    except EOFError:
        got = {"error": "killed (the machine ran short of memory)"}
    finally:
        os.waitpid(pid, 0)
        watch.pid = None
    return got


def generate(dump: Path, organisations: int) -> dict[str, Any]:
    started = time.perf_counter()
    quads = synthetic.write(dump, organisations, seed=1)
    return {"quads": quads, "seconds": time.perf_counter() - started,
            "bytes": dump.stat().st_size}


def serdi_parse(dump: Path) -> dict[str, Any]:
    """Debian's serdi reading the dump (and writing N-Quads to /dev/null); `peak_rss` is
    serdi's own."""
    started = time.perf_counter()
    subprocess.run(["serdi", "-q", "-b", "-i", "nquads", "-o", "nquads", str(dump)],
                   stdout=subprocess.DEVNULL, check=True)
    seconds = time.perf_counter() - started
    return {"seconds": seconds,
            "peak_rss": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss << 10}


def raw_load(dump: Path) -> dict[str, Any]:
    """pyoxigraph's bulk load of the dump, timed; then (untimed) the manifest a build would
    write beside it, so that `clusterkg serve` serves it."""
    import pyoxigraph as ox

    from clusterkg.graph.release import manifest_entry
    from clusterkg.graph.store import OxigraphStore

    started = time.perf_counter()
    store = ox.Store()
    store.bulk_load(path=str(dump), format=ox.RdfFormat.N_QUADS)
    seconds = time.perf_counter() - started
    entry = manifest_entry(f"synthetic-{dump.stat().st_size}", dump, OxigraphStore(store))
    (dump.parent / MANIFEST_NAME).write_text(json.dumps({"release": entry}, indent=2))
    described = entry["dump"]
    assert isinstance(described, dict)
    return {"seconds": seconds, "quads": len(store), "triples": described["triples"]}


def release_load(dump: Path) -> dict[str, Any]:
    """clusterkg's release load: what `serve` does before it forks its workers."""
    from clusterkg.graph.release import load_release

    started = time.perf_counter()
    store, _ = load_release(dump)
    return {"seconds": time.perf_counter() - started, "quads": len(store)}


def _post(client: httpx.Client, url: str, query: str) -> int:
    response = client.post(url, data={"query": query}, headers=ACCEPT)
    response.read()
    return response.status_code


def serve(dist: Path, watch: Watch, queries: dict[str, str], seconds: float,
          timeout: float, engine: str = "embedded", workers: int | None = None,
          rounds_at_least: int = 3) -> dict[str, Any]:
    """`clusterkg serve` on the release in `dist`: time to the first answer, the tree's memory
    after one library pass, then rounds of the library (at least `rounds_at_least`, then until
    `seconds`). `engine`: `serve --engine` (with `oxigraph` the tree includes the engine
    process; its on-disk store is in the page cache, in no process's PSS)."""
    port = free_port()
    env = dict(os.environ, CLUSTERKG_QUERY_TIMEOUT=str(timeout))
    if workers is not None:
        env["CLUSTERKG_QUERY_WORKERS"] = str(workers)
    command = [str(Path(sys.executable).parent / "clusterkg"), "serve", "--dist", str(dist),
               "--host", "127.0.0.1", "--port", str(port), "--engine", engine]
    url = f"http://127.0.0.1:{port}/sparql"
    started = time.perf_counter()
    stop_children_on_sigterm()
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, start_new_session=True)
    watch.pid = process.pid
    result: dict[str, Any] = {"workers": None}
    try:
        with httpx.Client(timeout=timeout + 10) as client:
            while True:
                if process.poll() is not None:
                    err = process.stderr.read().decode() if process.stderr else ""
                    raise RuntimeError(f"clusterkg serve exited: {err[-2000:]}")
                try:
                    if _post(client, url, "ASK {}") == 200:
                        break
                except httpx.TransportError:
                    pass
                time.sleep(0.1)
            result["first_answer_s"] = time.perf_counter() - started
            statuses = {name: _post(client, url, text) for name, text in queries.items()}
            result["first_pass_statuses"] = statuses
            tree = descendants(process.pid)
            result["workers"] = len(tree) - 1
            texts = {p: Path(f"/proc/{p}/smaps_rollup").read_text() for p in tree}
            memory = tree_memory(texts.values())
            result |= {"rss": memory.rss, "pss": memory.pss, "unique": unique_bytes(tree),
                       "pss_by_process": [
                           [Path(f"/proc/{p}/cmdline").read_bytes().split(b"\0")[0]
                            .decode().rsplit("/", 1)[-1], rollup(text).pss]
                           for p, text in texts.items()]}
            times: dict[str, list[float]] = {name: [] for name in queries}
            failures: dict[str, int] = {}
            rounds, begun = 0, time.perf_counter()
            while rounds < rounds_at_least or time.perf_counter() - begun < seconds:
                for name, text in queries.items():
                    t0 = time.perf_counter()
                    status = _post(client, url, text)
                    if status == 200:
                        times[name].append(time.perf_counter() - t0)
                    else:
                        failures[name] = status
                rounds += 1
            result["rounds"] = rounds
            result["failures"] = failures
            result["latency"] = {
                name: {"p50_ms": percentile(v, 0.5) * 1000, "p95_ms": percentile(v, 0.95) * 1000}
                for name, v in times.items() if v}
    finally:
        watch.pid = None
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    return result


LOADS = ("serdi", "pyoxigraph", "release")


def load_order(repeats: int) -> list[tuple[str, int]]:
    """The loads of one size, each `repeats` times, the order reversed every other round so
    that neither comes always first on a machine whose load drifts; the raw load comes first
    of all (it writes the manifest the release load checks)."""
    order = []
    for round_ in range(repeats):
        names = LOADS if round_ % 2 == 0 else LOADS[::-1]
        order += [(name, round_) for name in names]
    return order


def _combined(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """One load's runs as one entry: the median time, every time, the highest peak RSS."""
    seconds = sorted(r["seconds"] for r in runs)
    return {**runs[0], "seconds": seconds[(len(seconds) - 1) // 2],
            "runs_s": [r["seconds"] for r in runs],
            "peak_rss": max(r.get("peak_rss", 0) for r in runs)}


def measure_size(organisations: int, workdir: Path, watch: Watch, queries: dict[str, str],
                 seconds: float, timeout: float, repeats: int = 1,
                 serving: bool = True) -> dict[str, Any]:
    """Every measurement of one size; the dump is removed afterwards."""
    dist = workdir / f"synthetic-{organisations}"
    dist.mkdir()
    dump = dist / DUMP_NAME
    row: dict[str, Any] = {"organisations": organisations}
    actions: dict[str, Callable[[], dict[str, Any]]] = {
        "serdi": lambda: serdi_parse(dump), "pyoxigraph": lambda: raw_load(dump),
        "release": lambda: release_load(dump)}
    try:
        with watch.step_of("generate", row):
            row["generate"] = in_child(watch, lambda: generate(dump, organisations))
        if "error" in row["generate"]:
            return row
        runs: dict[str, list[dict[str, Any]]] = {name: [] for name in LOADS}
        for name, round_ in load_order(repeats):
            with watch.step_of(name if repeats == 1 else f"{name} {round_ + 1}", row):
                result = in_child(watch, actions[name])
            if "error" in result:
                row[name] = result
                return row
            runs[name].append(result)
        row |= {name: _combined(found) for name, found in runs.items()}
        row["triples"] = row["pyoxigraph"]["quads"]
        for name in LOADS:
            row[name]["triples_per_s"] = row["triples"] / row[name]["seconds"]
        if not serving:
            return row
        with watch.step_of("serve", row):
            try:
                row["serve"] = serve(dist, watch, queries, seconds, timeout)
            except (RuntimeError, httpx.HTTPError) as exc:
                row["serve"] = {"error": repr(exc)}
        if "rss" in row["serve"]:
            for key in ("rss", "pss", "unique"):
                value = row["serve"][key]
                row["serve"][f"{key}_per_triple"] = value / row["triples"] if value else None
    finally:
        for path in dist.iterdir():
            path.unlink()
        dist.rmdir()
    return row


def _versions() -> str:
    serdi = subprocess.run(["serdi", "-v"], capture_output=True, text=True).stdout.split("\n")[0]
    return ", ".join([f"pyoxigraph {version('pyoxigraph')}", serdi.strip()])


def markdown(report: dict[str, Any]) -> str:
    """The results as a page: the curve's table, per-query latency, the machine's load."""
    rows = report["sizes"]
    done = [r for r in rows if "latency" in r.get("serve", {})]
    lines = [f"# The scale curve ({report['date']})", "",
             f"Command: `{report['command']}`", "",
             f"Machine: {report['machine']}; {report['versions']}. "
             f"Plot: `{report['plot']}`.", "",
             "| triples | dump MiB | generate s | serdi triples/s | pyoxigraph triples/s | "
             "clusterkg release triples/s | release s / pyoxigraph s | "
             "load peak RSS B/triple (pyoxigraph, release) | workers | "
             "B/triple PSS | B/triple RSS | B/triple distinct frames | first answer s | "
             "library pass s (sum of p50) |",
             "|" + "---:|" * 14]
    for r in rows:
        s = r.get("serve", {})
        cells = [f"{r.get('triples', 0):,}", f"{r['generate'].get('bytes', 0) / (1 << 20):.0f}",
                 f"{r['generate'].get('seconds', 0):.0f}"]
        cells += [f"{r[k]['triples_per_s']:,.0f}" if "triples_per_s" in r.get(k, {}) else "–"
                  for k in LOADS]
        cells.append(f"{r['release']['seconds'] / r['pyoxigraph']['seconds']:.2f}"
                     if "triples_per_s" in r.get("release", {}) else "–")
        cells.append(", ".join(f"{r[k]['peak_rss'] / r['triples']:.0f}"
                               for k in ("pyoxigraph", "release") if "peak_rss" in r.get(k, {}))
                     or "–")
        cells.append(str(s.get("workers", "–")))
        cells += [f"{s[k]:.0f}" if s.get(k) else "–"
                  for k in ("pss_per_triple", "rss_per_triple", "unique_per_triple")]
        cells.append(f"{s['first_answer_s']:.1f}" if "first_answer_s" in s else "–")
        cells.append(f"{sum(q['p50_ms'] for q in s['latency'].values()) / 1000:.2f}"
                     if "latency" in s else "–")
        lines.append("| " + " | ".join(cells) + " |")
    errors = [(r["organisations"], k, v["error"]) for r in rows for k, v in r.items()
              if isinstance(v, dict) and "error" in v]
    lines += [""] + [f"- {n} organisations, {k}: {e}" for n, k, e in errors]
    lines += ["Load rates: the median of each load's runs; peak RSS of the pyoxigraph step "
              "includes the distinct-triple count its manifest needs (untimed)."]
    timed = [r for r in rows if len(r.get("release", {}).get("runs_s", [])) > 1]
    if timed:
        lines += ["", "## Each load's runs (s, in the order run)", "",
                  "| triples | serdi | pyoxigraph | clusterkg release |", "|---:|---|---|---|"]
        lines += [f"| {r['triples']:,} | " + " | ".join(
            ", ".join(f"{t:.1f}" for t in r[k]["runs_s"]) for k in LOADS) + " |"
            for r in timed]
    if done:
        lines += ["", "## Per-query latency through `/sparql` (ms, p50 / p95)", "",
                  "| query | " + " | ".join(f"{r['triples']:,}" for r in done) + " |",
                  "|---|" + "---:|" * len(done)]
        for name in done[0]["serve"]["latency"]:
            cells = []
            for r in done:
                q = r["serve"]["latency"].get(name)
                cells.append(f"{q['p50_ms']:.1f} / {q['p95_ms']:.1f}" if q else "failed")
            lines.append(f"| {name} | " + " | ".join(cells) + " |")
        lines += ["", "Rounds per size: " + ", ".join(
            f"{r['triples']:,}: {r['serve']['rounds']}" for r in done) + "."]
    lines += ["", "## The machine during each step", "",
              "Shared with three other workers: load average (1 min, highest seen), CPU cores "
              "busy on the whole machine (of "
              f"{os.cpu_count()}), least memory available.", "",
              "| triples | step | s | load avg | cores busy | min available GiB |",
              "|---:|---|---:|---:|---:|---:|"]
    for r in rows:
        for step, m in r.get("machine", {}).items():
            lines.append(f"| {r.get('triples', r['organisations'])} | {step} | "
                         f"{m['seconds']:.1f} | {m['load_avg_1m']:.2f} | "
                         f"{m['cpu_busy_cores']:.2f} | {m['min_available_gib']:.1f} |")
    if report.get("killed"):
        lines += ["", f"Killed for lack of memory: {', '.join(report['killed'])}."]
    return "\n".join(lines) + "\n"


def _at(*path: str) -> Callable[[dict[str, Any]], Any]:
    """A reader of `row[path[0]][path[1]]...`, None where a key is missing."""

    def read(row: dict[str, Any]) -> Any:
        value: Any = row
        for key in path:
            value = value.get(key) if isinstance(value, dict) else None
        return value

    return read


def plot(report: dict[str, Any], path: Path) -> None:
    """The curves against triples: load rates, bytes per triple, start-up, latency."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = [r for r in report["sizes"] if "triples" in r]
    served = [r for r in rows if "latency" in r.get("serve", {})]
    fig, axes = plt.subplots(2, 2, figsize=(11, 8))
    load, memory, start, latency = axes.flat

    def series(axis: Any, data: list[dict[str, Any]], value: Callable[[dict[str, Any]], Any],
               label: str, marker: str = "o") -> None:
        points = [(r["triples"], value(r)) for r in data if value(r) is not None]
        if points:
            axis.plot(*zip(*points, strict=True), marker=marker, label=label)

    for key, label in (("serdi", "serdi (parse)"), ("pyoxigraph", "pyoxigraph bulk load"),
                       ("release", "clusterkg release load")):
        series(load, rows, _at(key, "triples_per_s"), label)
    load.set_title("Load rate")
    load.set_ylabel("triples / s")
    for key, label in (("pss", "PSS, tree"), ("rss", "RSS, tree"),
                       ("unique", "distinct page frames, tree")):
        series(memory, served, _at("serve", f"{key}_per_triple"), label)
    memory.axhline(GOAL_BYTES_PER_TRIPLE, color="grey", linestyle="--", label="goal")
    memory.set_title("Serving process tree after one library pass")
    memory.set_ylabel("bytes / triple")
    series(start, served, lambda r: r["serve"]["first_answer_s"], "serve → first answer")
    series(start, rows, lambda r: r["release"].get("seconds"), "release load alone", "s")
    start.axhline(GOAL_FIRST_ANSWER_S, color="grey", linestyle="--", label="goal")
    start.set_title("Start-up")
    start.set_ylabel("s")
    series(latency, served, lambda r: sum(q["p50_ms"] for q in r["serve"]["latency"].values()),
           "library pass (sum of p50)")
    series(latency, served, lambda r: max(q["p95_ms"] for q in r["serve"]["latency"].values()),
           "slowest query p95", "s")
    series(latency, served, lambda r: percentile(
        [q["p50_ms"] for q in r["serve"]["latency"].values()], 0.5), "median query p50", "^")
    latency.set_yscale("log")
    latency.set_title("Query latency through /sparql")
    latency.set_ylabel("ms")
    for axis in axes.flat:
        axis.set_xscale("log")
        axis.set_xlabel("triples")
        axis.grid(True, which="both", alpha=0.3)
        axis.legend(fontsize="small")
    for axis in (load, memory, start):
        axis.set_ylim(bottom=0)
    fig.suptitle(f"clusterkg scale curve, {report['date']}")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--organisations", type=int, nargs="+", default=[3000, 8500, 28500],
                        help="sizes (3,000 organisations make about a million triples)")
    parser.add_argument("--seconds", type=float, default=60.0,
                        help="latency rounds per size after the first three")
    parser.add_argument("--timeout", type=float, default=300.0, help="the query time limit")
    parser.add_argument("--min-free-gib", type=float, default=3.0)
    parser.add_argument("--out", type=Path, default=RESULTS_DIR)
    parser.add_argument("--workdir", type=Path, default=None, help="where the dumps go")
    parser.add_argument("--load-repeats", type=int, default=1,
                        help="times each load runs (median reported), order alternating")
    parser.add_argument("--no-serve", action="store_true", help="measure the loads only")
    parser.add_argument("--tag", default="", help="suffix of the results' name")
    parser.add_argument("--render", type=Path, default=None,
                        help="only rewrite the page and plot of a results .json")
    args = parser.parse_args(argv)
    if args.render:
        measured = json.loads(args.render.read_text())
        args.render.with_suffix(".md").write_text(markdown(measured))
        plot(measured, args.render.with_suffix(".png"))
        return
    stamp = datetime.now(UTC).strftime("%Y-%m-%d")
    stem = args.out / f"scale-{stamp}{'-' + args.tag if args.tag else ''}"
    report: dict[str, Any] = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "command": "python -m bench.scale " + shlex.join(sys.argv[1:] if argv is None else argv),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, "
                   f"{os.sysconf('SC_PHYS_PAGES') * os.sysconf('SC_PAGE_SIZE') / (1 << 30):.0f} "
                   f"GiB, Linux {platform.release()}, Python {platform.python_version()}",
        "versions": _versions(), "plot": stem.with_suffix(".png").name,
        "sizes": [], "killed": [],
    }
    queries = workload()
    watch = Watch(int(args.min_free_gib * (1 << 30)))
    threading.Thread(target=watch.run, daemon=True).start()
    args.out.mkdir(parents=True, exist_ok=True)
    try:
        with tempfile.TemporaryDirectory(prefix="clusterkg-scale-", dir=args.workdir) as tmp:
            for organisations in args.organisations:
                print(f"{organisations} organisations", file=sys.stderr, flush=True)
                row = measure_size(organisations, Path(tmp), watch, queries, args.seconds,
                                   args.timeout, args.load_repeats, not args.no_serve)
                report["sizes"].append(row)
                report["killed"] = watch.killed
                stem.with_suffix(".json").write_text(json.dumps(report, indent=2) + "\n")
                stem.with_suffix(".md").write_text(markdown(report))
                plot(report, stem.with_suffix(".png"))
                print(json.dumps(row), file=sys.stderr, flush=True)
    finally:
        watch.stop()
    print(markdown(report))


if __name__ == "__main__":
    main()
