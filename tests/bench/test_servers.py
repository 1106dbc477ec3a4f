"""The servers benchmarks start (`bench.servers`): stopped with the benchmark, told apart from
other programs, and of the checkout asked for."""

from __future__ import annotations

import http.server
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import httpx
import pytest

from bench.servers import clusterkg_server, free_port, listens, started

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


def test_a_server_of_another_checkout_runs_that_checkouts_code(tmp_path: Path) -> None:
    """`clusterkg_server(code=…)` (`bench.facade --baseline`) serves the other checkout's
    `clusterkg`, even when started from this checkout's root, where `python -m` would find
    this one first."""
    package = tmp_path / "other" / "clusterkg" / "api"
    package.mkdir(parents=True)
    (package.parent / "__init__.py").write_text("")
    (package / "__init__.py").write_text("")
    (package / "__main__.py").write_text(textwrap.dedent(
        """
        import http.server, os
        class Answer(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(200)
                self.end_headers()
                self.wfile.write(__file__.encode())
        port = int(os.environ["CLUSTERKG_PORT"])
        http.server.HTTPServer(("127.0.0.1", port), Answer).serve_forever()
        """))
    dump = tmp_path / "dump.nq"
    dump.write_text("<urn:s> <urn:p> <urn:o> <urn:g> .\n")
    root = Path(__file__).resolve().parents[2]
    here = os.getcwd()
    os.chdir(root)  # this checkout's root, where its own `clusterkg` folder is
    try:
        with clusterkg_server(dump, code=tmp_path / "other") as url:
            assert httpx.get(url).text == str(package / "__main__.py")
    finally:
        os.chdir(here)
