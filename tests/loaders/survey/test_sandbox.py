"""Validation runs in a child process bounded in time, memory and reach; limits name themselves."""

from __future__ import annotations

import os
import socket
import threading
import time
import urllib.request

import pytest

from clusterkg.loaders.survey.limits import IntakeLimits, LimitExceeded, check_csv, current, using
from clusterkg.loaders.survey.read import read_csv
from clusterkg.loaders.survey.sandbox import Breach, Done, Run, run_bounded

from ...hostile import million_row_csv
from ...hostile.canary import canary

FAST = IntakeLimits(validation_timeout=2.0, validation_memory_bytes=256 << 20)


def _sleep(seconds: float) -> str:
    time.sleep(seconds)
    return "woke"


def _allocate(mib: int) -> int:
    blocks = [bytearray(1 << 20) for _ in range(mib)]
    return len(blocks)


def _connect(port: int) -> str:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except PermissionError as exc:
        return f"refused: {exc}"
    return "connected"


def _fetch(url: str) -> str:
    try:
        urllib.request.urlopen(url, timeout=1).read()
    except PermissionError as exc:
        return f"refused: {exc}"
    return "fetched"


def _limits_inside() -> int:
    return current().validation_max_rows


def _raise() -> None:
    raise ValueError("a reader's bug")


def test_a_job_returns_its_value() -> None:
    assert run_bounded(_sleep, (0.0,), FAST) == Done("woke")


def test_the_limits_of_the_run_are_current_inside_it() -> None:
    limits = IntakeLimits(validation_max_rows=7)
    assert run_bounded(_limits_inside, (), limits) == Done(7)


def test_time_limit_kills_the_child() -> None:
    started = time.monotonic()
    run = Run(_sleep, (30.0,), IntakeLimits(validation_timeout=0.5))
    outcome = run.wait()
    assert isinstance(outcome, Breach) and outcome.limit == "validation_timeout"
    assert time.monotonic() - started < 5
    assert not run.process.is_alive()


def test_memory_limit_stops_the_child() -> None:
    outcome = run_bounded(_allocate, (2048,), FAST)
    assert isinstance(outcome, Breach) and outcome.limit == "validation_memory_bytes"
    assert "268,435,456 bytes" in outcome.message


def test_no_network_from_inside_the_child() -> None:
    with canary() as listener:
        assert run_bounded(_connect, (listener.port,), FAST).value.startswith("refused")  # type: ignore[union-attr]
        assert run_bounded(_fetch, (listener.url(),), FAST).value.startswith("refused")  # type: ignore[union-attr]
        assert run_bounded(_fetch, ("file:///etc/hostname",), FAST).value.startswith("refused")  # type: ignore[union-attr]
        assert listener.connections == 0
        assert _connect(listener.port) == "connected"  # the canary does count, outside the child
        deadline = time.monotonic() + 5
        while listener.connections == 0 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert listener.connections == 1


def test_an_exception_in_a_reader_is_a_breach_not_a_traceback() -> None:
    outcome = run_bounded(_raise, (), FAST)
    assert outcome == Breach("error", "ValueError: a reader's bug")


def test_a_threaded_caller_gets_a_fork_server_child() -> None:
    """The server is threaded: its children come from the fork server, not a fork of itself."""
    results: list[object] = []
    worker = threading.Thread(target=lambda: results.append(run_bounded(os.getppid, (), FAST)))
    stop = threading.Event()
    idle = threading.Thread(target=stop.wait)
    idle.start()
    try:
        worker.start()
        worker.join(timeout=60)
    finally:
        stop.set()
        idle.join()
    assert isinstance(results[0], Done) and results[0].value != os.getpid()


def test_million_row_csv_stops_at_the_row_limit_quickly() -> None:
    data = million_row_csv()
    assert 18_000_000 < len(data) < 21_000_000
    started = time.monotonic()
    with pytest.raises(LimitExceeded) as over:
        read_csv("programme_objective.csv", data)
    assert time.monotonic() - started < 5
    assert over.value.limit == "validation_max_rows" and "line 50001" in str(over.value)


def test_cells_and_columns_limits_in_csv() -> None:
    with using(IntakeLimits(validation_max_columns=3)), pytest.raises(LimitExceeded) as over:
        check_csv("w.csv", "a,b,c,d\n")
    assert over.value.limit == "validation_max_columns"
    with pytest.raises(LimitExceeded) as over:
        check_csv("w.csv", "a,b\n" * 60, IntakeLimits(validation_max_cells=100))
    assert over.value.limit == "validation_max_cells"
