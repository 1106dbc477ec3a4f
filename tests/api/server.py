"""A real uvicorn server of the app in a subprocess, on 127.0.0.1 and a free port."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bench.servers import free_port, started


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
    url = f"http://127.0.0.1:{port}/sparql"
    command = [sys.executable, "-m", "clusterkg.api"]
    with started(command, url, name="server", env=env, params={"query": "ASK {}"}) as process:
        yield url, process.pid
