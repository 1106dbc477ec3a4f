"""A benchmark stopped with SIGTERM stops the servers it started (`bench.servers`)."""

from __future__ import annotations

import http.server
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time

import pytest

from bench.servers import free_port, listens, started

BENCH = textwrap.dedent(
    """
    import sys, time
    from bench.servers import started
    port = sys.argv[1]
    command = [sys.executable, "-m", "http.server", port, "--bind", "127.0.0.1"]
    with started(command, f"http://127.0.0.1:{port}/", name="http.server") as child:
        print(child.pid, flush=True)
        time.sleep(120)
    """
)


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().split()[2] != "Z"
    except FileNotFoundError:
        return False


def test_sigterm_stops_the_started_server() -> None:
    bench = subprocess.Popen(
        [sys.executable, "-c", BENCH, str(free_port())], stdout=subprocess.PIPE, text=True
    )
    try:
        assert bench.stdout is not None
        child = int(bench.stdout.readline())
        assert _alive(child)
        bench.send_signal(signal.SIGTERM)
        assert bench.wait(timeout=30) == 128 + signal.SIGTERM
        deadline = time.monotonic() + 10
        while _alive(child) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not _alive(child), "the benchmark left its server running"
    finally:
        bench.kill()
        bench.wait()
        if "child" in locals() and _alive(child):
            os.kill(child, signal.SIGKILL)


def test_an_answer_from_another_program_on_the_port_does_not_count() -> None:
    """A free port picked before the server started can be taken by another program: its
    answers must not pass for the server's (the server, unable to bind, exits)."""
    other = http.server.ThreadingHTTPServer(("127.0.0.1", 0), http.server.SimpleHTTPRequestHandler)
    port = other.server_address[1]
    threading.Thread(target=other.serve_forever, daemon=True).start()
    try:
        assert listens(os.getpid(), port)  # the other program here is this test
        command = [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"]
        with pytest.raises(RuntimeError, match="exited"), started(
                command, f"http://127.0.0.1:{port}/", name="http.server", wait=20):
            pass
    finally:
        other.shutdown()
        other.server_close()
