"""An Oxigraph server process that clusterkg starts and owns: the engine of `serve --engine`.

`Engine(location, timeout_s)` runs `oxigraph serve-read-only --location <on-disk store>
--bind 127.0.0.1:<free port> --timeout-s <the query time limit>` (the `oxigraph` wheel's
binary) and waits until it answers. Its `store()` is a `RemoteStore` over it with the
`LocalOxigraph` dialect: a connection refused or lost there means the engine died or is being
restarted, which is a `StoreUnavailable` (503 with `Retry-After`), not a failed upstream.

Why a process: Oxigraph can cancel a query only inside its own server (`--timeout-s`), and one
process holding the store once replaces a copy per forked worker. What `--timeout-s` does was
measured (`python -m bench.engine_cancel`, `bench/results/engine-cancel-*.md`): the query is
really stopped (the server's CPU returns to idle), but only when its evaluation next checks,
which for a query that produces or sorts many rows can be tens of seconds after the limit; a
client that disconnects does not stop it. `restart()` is the backstop the service uses
(`api/engine.py`).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from clusterkg.graph.stores.dialect import StoreUnavailable, StoreUrl
from clusterkg.graph.stores.oxigraph_server import OxigraphServer
from clusterkg.graph.stores.remote import RemoteStore

START_WAIT = 60.0
TICK = os.sysconf("SC_CLK_TCK")


class LocalOxigraph(OxigraphServer):
    """Oxigraph server run by this service: a lost connection is the engine restarting. With
    `union_default`, a query that leaves its dataset to the server reads the union of the named
    graphs (Oxigraph's `union-default-graph` request parameter; the `--union-default-graph`
    flag would also override a query's own FROM)."""

    union_default = False

    def server_dataset(self) -> list[tuple[str, str]]:
        return [("union-default-graph", "")] if self.union_default else []

    def unavailable(self, error: Exception) -> StoreUnavailable | None:
        return StoreUnavailable(f"the query engine is not answering ({error}); it is being "
                                "restarted, ask again")


def oxigraph_binary() -> str:
    """The `oxigraph` command (beside this Python, else on PATH)."""
    beside = Path(sys.executable).parent / "oxigraph"
    found = str(beside) if beside.exists() else shutil.which("oxigraph")
    if not found:
        raise RuntimeError("no `oxigraph` binary: install the `oxigraph` wheel (make setup)")
    return found


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class Engine:
    """One `oxigraph serve-read-only` process over `location`; started by `start()`."""

    def __init__(self, location: Path, timeout_s: float, union_default: bool = False) -> None:
        self.location = location
        self.timeout_s = timeout_s
        self.union_default = union_default
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.restarts = 0

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Engine:
        """Start the process and wait until it answers (`RuntimeError` if it exits first)."""
        command = [oxigraph_binary(), "serve-read-only", "--location", str(self.location),
                   "--bind", f"127.0.0.1:{self.port}", "--timeout-s", f"{self.timeout_s:g}"]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.PIPE, start_new_session=True)
        deadline = time.monotonic() + START_WAIT
        while True:
            if self.process.poll() is not None:
                stderr = self.process.stderr.read().decode() if self.process.stderr else ""
                raise RuntimeError(f"the query engine exited: {stderr[-2000:]}")
            try:
                if httpx.get(f"{self.base}/query", params={"query": "ASK {}"},
                             timeout=2).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"the query engine did not answer within {START_WAIT:g} s")
            time.sleep(0.05)

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def cpu_seconds(self) -> float:
        """CPU time the process has used (user + system), 0 if it is gone."""
        if self.process is None:
            return 0.0
        try:
            fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        return (int(fields[11]) + int(fields[12])) / TICK

    def stop(self) -> None:
        """Stop the process (SIGTERM, then SIGKILL); its queries end with it."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def restart(self) -> None:
        """A fresh process on the same port (the workers' stores keep their URL)."""
        self.stop()
        self.restarts += 1
        self.start()

    def store(self, timeout: float) -> RemoteStore:
        """A store reading the engine's dataset as it is (no graph list sent, no release
        check per query: the store is read-only, its release never changes under it)."""
        dialect = LocalOxigraph(StoreUrl("oxigraph", self.base))
        dialect.union_default = self.union_default
        return RemoteStore(dialect, timeout=timeout)
