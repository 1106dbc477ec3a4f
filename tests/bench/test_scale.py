"""The scale benchmark's pure helpers: memory of a process tree from `smaps_rollup` texts,
the process tree itself, the nearest-rank percentile. No timing is asserted."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from bench.scale import Memory, descendants, percentile, rollup, tree_memory

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "bench"
KIB = 1024


def test_rollup_reads_rss_and_pss_in_bytes() -> None:
    parent = rollup((FIXTURES / "parent.smaps_rollup").read_text())
    assert parent == Memory(rss=74280 * KIB, pss=51761 * KIB)


def test_tree_memory_sums_every_process() -> None:
    texts = [(FIXTURES / f"{name}.smaps_rollup").read_text() for name in ("parent", "worker")]
    tree = tree_memory(texts)
    assert tree == Memory(rss=(74280 + 70608) * KIB, pss=(51761 + 51166) * KIB)
    assert tree.pss < tree.rss  # the pages the two share count once in PSS, twice in RSS


def test_a_process_that_ended_counts_nothing() -> None:
    # a zombie's smaps_rollup is empty
    assert tree_memory(["", (FIXTURES / "worker.smaps_rollup").read_text()]) == Memory(
        rss=70608 * KIB, pss=51166 * KIB)


def test_percentile_is_nearest_rank() -> None:
    samples = [float(n) for n in range(20, 0, -1)]  # unordered on purpose
    assert percentile(samples, 0.5) == 10.0
    assert percentile(samples, 0.95) == 19.0
    assert percentile(samples, 1.0) == 20.0
    assert percentile([7.0], 0.95) == 7.0
    with pytest.raises(IndexError):
        percentile([], 0.5)


def test_descendants_finds_children_and_grandchildren() -> None:
    shell = subprocess.Popen(["sh", "-c", "sleep 30 & sleep 30 & wait"])
    found = [shell.pid]
    try:
        def sleeping(pids: list[int]) -> bool:  # the children have run `sleep` (a child
            return all(Path(f"/proc/{pid}/cmdline").read_bytes().startswith(b"sleep")
                       for pid in pids)  # is a copy of `sh` between its fork and its exec)

        deadline = time.monotonic() + 10
        found = descendants(shell.pid)
        while (len(found) < 3 or not sleeping(found[1:])) and time.monotonic() < deadline:
            time.sleep(0.05)
            found = descendants(shell.pid)
        assert found[0] == shell.pid
        assert len(found) == 3
        assert sleeping(found[1:])
    finally:
        for pid in found[1:]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        shell.kill()
        shell.wait()


def test_loads_alternate_their_order_and_the_raw_load_comes_first() -> None:
    from bench.scale import LOADS, load_order

    assert load_order(1) == [(name, 0) for name in LOADS]
    order = load_order(3)
    assert [name for name, _ in order].index("pyoxigraph") < [n for n, _ in order].index("release")
    assert [name for name, r in order if r == 1] == list(reversed(LOADS))
    assert sorted(order) == sorted((name, r) for name in LOADS for r in range(3))
