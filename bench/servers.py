"""The two SPARQL services the benchmark compares, each run as a real uvicorn server on
127.0.0.1: clusterkg (`python -m clusterkg.api`) and the reference peer, rdflib-endpoint serving
the same dump with rdflib (`python -m bench.servers DUMP PORT`)."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from clusterkg.graph.release import write_manifest
from clusterkg.paths import MANIFEST_NAME


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def stop_children_on_sigterm() -> None:
    """Make SIGTERM unwind the benchmark (as Ctrl-C does) so that the context managers that
    started servers stop them: by default SIGTERM ends Python at once and leaves its servers
    running. Called by whatever starts a child; only the main thread can install it."""
    if threading.current_thread() is not threading.main_thread():
        return
    if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
        signal.signal(signal.SIGTERM, _exit_on_sigterm)


def _exit_on_sigterm(signum: int, frame: object) -> None:
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # a second SIGTERM ends it at once
    raise SystemExit(128 + signum)


def _descendants(pid: int) -> list[int]:
    """`pid` and every process below it (from each task's `children` list)."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        with contextlib.suppress(OSError):
            for task in Path(f"/proc/{current}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
    return found


def listens(pid: int, port: int) -> bool:
    """Whether `pid` or a process below it holds the socket listening on `port`: a probe that
    answers proves only that something listens there, and a free port picked before the
    server started may have been taken by another program meanwhile."""
    inodes: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError):
            for line in Path(table).read_text().splitlines()[1:]:
                fields = line.split()
                if fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:
                    inodes.add(fields[9])  # 0A: LISTEN
    sockets = {f"socket:[{inode}]" for inode in inodes}
    for process in _descendants(pid):
        with contextlib.suppress(OSError):
            for fd in Path(f"/proc/{process}/fd").iterdir():
                with contextlib.suppress(OSError):
                    if os.readlink(fd) in sockets:
                        return True
    return False


def _sparql_ready(response: httpx.Response) -> bool:
    return response.status_code == 200


@contextmanager
def started(
    command: list[str],
    probe: str,
    *,
    name: str,
    env: dict[str, str] | None = None,
    wait: float = 30.0,
    params: dict[str, str] | None = None,
    ready: Callable[[httpx.Response], bool] = _sparql_ready,
    exited: Callable[[str], str] = lambda stderr: stderr,
) -> Iterator[subprocess.Popen[bytes]]:
    """Run `command` and yield its process once `GET probe` answers as `ready` wants (a 200 by
    default); stop it (terminate, then kill) on exit. A process that exits first is a
    `RuntimeError` quoting its standard error (through `exited`, which may add a log); no answer
    within `wait` seconds a `TimeoutError`. Only an answer from a socket this process (or a
    child of it) listens on counts."""
    stop_children_on_sigterm()
    port = urlsplit(probe).port
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + wait
        while True:
            if process.poll() is not None:
                stderr = process.stderr.read().decode() if process.stderr else ""
                raise RuntimeError(f"{name} exited: {exited(stderr)[-2000:]}")
            try:
                if ready(httpx.get(probe, params=params, timeout=2)) and (
                        port is None or listens(process.pid, port)):
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"{name} did not answer within {wait:g} s")
            time.sleep(0.1)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def _running(command: list[str], env: dict[str, str], url: str, wait: float) -> Iterator[str]:
    with started(command, url, name=command[2], env=env, wait=wait, params={"query": "ASK {}"}):
        yield url


@contextmanager
def clusterkg_server(dump: Path, workers: int = 2, timeout: float = 60.0,
                     code: Path | None = None,
                     settings: dict[str, str] | None = None) -> Iterator[str]:
    """clusterkg serving `dump`; yields its /sparql URL. `code`: run the `clusterkg` of that
    checkout instead (to compare two versions in one run); `settings`: more `CLUSTERKG_*`
    variables."""
    if not (dump.parent / MANIFEST_NAME).exists():  # a dump written here, not by a build:
        write_manifest(dump)  # describe it, since the service serves only a described dump
    port = free_port()
    env = dict(
        os.environ,
        CLUSTERKG_DATASET=str(dump),
        CLUSTERKG_HOST="127.0.0.1",
        CLUSTERKG_PORT=str(port),
        CLUSTERKG_QUERY_WORKERS=str(workers),
        CLUSTERKG_QUERY_TIMEOUT=str(timeout),
        **(settings or {}),
    )
    command = [sys.executable, "-m", "clusterkg.api"]
    if code is not None:
        env["PYTHONPATH"] = str(code)  # ahead of this checkout's editable install
        # and not behind the working directory, which `-m` would put first (run from this
        # checkout, the "other version" would be this one)
        command.insert(1, "-P")
    with _running(command, env, f"http://127.0.0.1:{port}/sparql", 120) as url:
        yield url


@contextmanager
def peer_server(dump: Path) -> Iterator[str]:
    """rdflib-endpoint serving `dump` (union default graph); yields its SPARQL URL."""
    port = free_port()
    command = [sys.executable, "-m", "bench.servers", str(dump), str(port)]
    with _running(command, dict(os.environ), f"http://127.0.0.1:{port}/", 900) as url:
        yield url


def _serve_peer(dump: Path, port: int) -> None:
    import rdflib
    import uvicorn
    from rdflib_endpoint import SparqlEndpoint

    dataset = rdflib.Dataset(default_union=True)
    dataset.parse(dump, format="nquads")
    app = SparqlEndpoint(graph=dataset, path="/", cors_enabled=False)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


if __name__ == "__main__":
    _serve_peer(Path(sys.argv[1]), int(sys.argv[2]))


@contextmanager
def oxigraph_server(timeout_s: float | None = None) -> Iterator[str]:
    """`oxigraph serve` (the `oxigraph` wheel's binary) on a free 127.0.0.1 port over a
    temporary folder, removed afterwards; yields its base URL (`http://127.0.0.1:PORT`)."""
    import shutil
    import tempfile

    beside = Path(sys.executable).parent / "oxigraph"
    binary = str(beside) if beside.exists() else shutil.which("oxigraph")
    if not binary:
        raise RuntimeError("no `oxigraph` binary: `make setup` installs the oxigraph wheel")
    folder = Path(tempfile.mkdtemp(prefix="clusterkg-oxigraph-"))
    port = free_port()
    command = [binary, "serve", "--location", str(folder), "--bind", f"127.0.0.1:{port}"]
    if timeout_s is not None:
        command += ["--timeout-s", f"{timeout_s:g}"]
    base = f"http://127.0.0.1:{port}"
    try:
        with _running(command, dict(os.environ), f"{base}/query", 30.0):
            yield base
    finally:
        shutil.rmtree(folder, ignore_errors=True)
