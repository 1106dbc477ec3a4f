"""`serve --engine oxigraph`: the service starts, owns and watches a local query engine.

Instead of loading the release into memory and forking workers that each end up with a copy
of it (issue 17: about 1,200 B/triple with three workers), the service serves the release from
an Oxigraph server process of its own (`graph.stores.engine`) over the release's on-disk store
(`graph.stores.disk_release`: written once, then only opened). The workers stay (they keep
clusterkg's limits in front: time limit, row cap, read-only endpoint, parsed `SERVICE`
refusal, answer streaming) but hold no store: they ask the engine over loopback HTTP through
the remote-store code. The engine is started with `--timeout-s` at the query time limit.

`EngineService` keeps one engine per served release: `open(dataset)` writes the store if it
is missing, starts an engine and binds a store to it; the engine of the previous release is
stopped once the requests that picked it had their time limit. `watch(holder)` runs beside
the server:

- an engine that died is restarted on the same port (requests in flight get 503 with
  `Retry-After`, `StoreUnavailable`);
- the backstop for what Oxigraph's own time limit does late (`bench/results/engine-cancel-*`):
  an engine that keeps using CPU for `OVERRUN_SECONDS` while no query of this service is in
  flight is computing queries nobody waits for (their worker was stopped at its time limit, or
  their client left), and is restarted.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import anyio.to_thread

from clusterkg.graph.release import Release
from clusterkg.graph.stores.disk_release import read_record, release_store
from clusterkg.graph.stores.engine import Engine
from clusterkg.graph.stores.remote import RemoteStore
from clusterkg.settings import Settings

if TYPE_CHECKING:
    from clusterkg.api.state import StoreHolder

log = logging.getLogger(__name__)

TICK = 0.5  # seconds between two looks at the engine
OVERRUN_SECONDS = 3.0  # CPU with no query in flight for this long: restart
BUSY_CPU = 0.1  # cores an engine uses while computing (an idle one uses none; a loaded
# machine may give a computing one half a core or less)


@dataclass
class _Retiring:
    engine: Engine
    at: float = field(default_factory=time.monotonic)


class EngineService:
    """The engines of the served release (and of releases being retired)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.engine: Engine | None = None
        self._retiring: list[_Retiring] = []
        self.overrun_restarts = 0

    def open(self, dataset: Path) -> tuple[RemoteStore, Release]:
        """Serve the current release of `dataset`: its on-disk store (written if missing), a
        started engine, and a store bound to the release's graphs. The engine serving before
        keeps serving until `watch` retires it."""
        location = release_store(dataset)
        release, union = read_record(location)
        engine = Engine(location, self.settings.query_timeout, union).start()
        if self.engine is not None:
            self._retiring.append(_Retiring(self.engine))
        self.engine = engine
        return engine.store(self.settings.query_timeout + 5), release

    async def watch(self, holder: StoreHolder) -> None:
        """Restart a dead or overrunning engine, stop retired ones (runs until cancelled)."""
        idle_since: float | None = None
        last_cpu: tuple[float, float] | None = None
        while True:
            await asyncio.sleep(TICK)
            now = time.monotonic()
            for old in [r for r in self._retiring
                        if now - r.at > self.settings.query_timeout + 1]:
                self._retiring.remove(old)
                old.engine.stop()
            engine = self.engine
            if engine is None:
                continue
            if not engine.alive():
                log.warning("the query engine on %s died; restarting it", engine.base)
                await self._restart(engine)
                idle_since, last_cpu = None, None
                continue
            cpu = engine.cpu_seconds()
            busy = last_cpu is not None and (cpu - last_cpu[1]) / (now - last_cpu[0]) > BUSY_CPU
            last_cpu = (now, cpu)
            if holder.pool.busy or not busy:
                idle_since = None
                continue
            idle_since = idle_since or now
            if now - idle_since >= OVERRUN_SECONDS:
                log.warning("the query engine has computed for %.0f s with no query in flight "
                            "(queries past their time limit); restarting it",
                            now - idle_since)
                self.overrun_restarts += 1
                await self._restart(engine)
                idle_since, last_cpu = None, None

    async def _restart(self, engine: Engine) -> None:
        try:
            await anyio.to_thread.run_sync(engine.restart)
        except Exception:
            log.exception("restarting the query engine failed; trying again")

    def close(self) -> None:
        """Stop every engine (server shutdown)."""
        for old in self._retiring:
            old.engine.stop()
        self._retiring.clear()
        if self.engine is not None:
            self.engine.stop()
