"""A real Oxigraph server (`oxigraph serve`, from the `oxigraph` wheel) for the tests: a free
127.0.0.1 port, a temporary data folder, stopped (and its folder removed) afterwards."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from bench.servers import free_port


def binary() -> str:
    """The `oxigraph` executable installed beside this Python (the dev extra installs it)."""
    beside = Path(sys.executable).parent / "oxigraph"
    found = str(beside) if beside.exists() else shutil.which("oxigraph")
    if not found:
        raise RuntimeError("no `oxigraph` binary: `make setup` installs the oxigraph wheel")
    return found


@contextmanager
def oxigraph_server(timeout_s: float | None = None) -> Iterator[str]:
    """Start `oxigraph serve`; yield its base URL (`http://127.0.0.1:PORT`)."""
    folder = Path(tempfile.mkdtemp(prefix="clusterkg-oxigraph-"))
    port = free_port()
    command = [binary(), "serve", "--location", str(folder), "--bind", f"127.0.0.1:{port}"]
    if timeout_s is not None:
        command += ["--timeout-s", f"{timeout_s:g}"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"oxigraph exited: {process.stderr.read().decode()}")  # type: ignore[union-attr]
            try:
                if httpx.get(f"{base}/query", params={"query": "ASK {}"}, timeout=1).is_success:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError("oxigraph serve did not start within 30 s")
            time.sleep(0.05)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(folder, ignore_errors=True)
