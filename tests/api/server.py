"""A real uvicorn server of the app in a subprocess, on 127.0.0.1 and a free port."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from bench.servers import free_port


def children(pid: int) -> list[int]:
    """Child process ids of `pid` (Linux /proc)."""
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in path.read_text().split()] if path.exists() else []


@contextmanager
def running_server(dataset: Path, **settings: str) -> Iterator[tuple[str, int]]:
    """Start `python -m clusterkg.api` configured by CLUSTERKG_* variables; yield its /sparql
    URL and process id."""
    port = free_port()
    env = dict(os.environ, CLUSTERKG_DATASET=str(dataset), CLUSTERKG_HOST="127.0.0.1",
               CLUSTERKG_PORT=str(port))
    env.update({f"CLUSTERKG_{key.upper()}": value for key, value in settings.items()})
    process = subprocess.Popen(
        [sys.executable, "-m", "clusterkg.api"], env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}/sparql"
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"server exited: {process.stderr.read().decode()}")  # type: ignore[union-attr]
            try:
                if httpx.get(url, params={"query": "ASK {}"}, timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError("server did not start within 30 s")
            time.sleep(0.05)
        yield url, process.pid
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
