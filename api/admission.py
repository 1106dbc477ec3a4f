"""Admission of queries: how many one client may have in flight, and the busy refusals.

Compared with mature servers: Fuseki bounds only time (`arq:queryTimeout`) and leaves
queueing to its Jetty thread pool; Virtuoso bounds time and estimated cost
(`MaxQueryExecutionTime`, `MaxQueryCostEstimationTime` in `[SPARQL]`, with "anytime" partial
answers at the limit), rows (`ResultSetMaxRows`), worker threads and connections
(`ServerThreads`, `MaxClientConnections`), all server-wide. This service takes Virtuoso's
bounds (time limit, row and byte caps, a connection cap; no partial answers, no cost
estimate since Oxigraph exposes none) and adds what neither has, because server-wide bounds
alone let two clients fill every worker: a per-client-address limit on queries in flight
(`CLUSTERKG_MAX_QUERIES_PER_CLIENT`, 429 with `Retry-After`), per-lane short queues (503 with
`Retry-After`), a lane reserved for the curated named queries, and long-query slots.

Slow clients are recognised by what their queries do, not by what they say: a client with an
ad-hoc query running past the long-query threshold may not start another ad-hoc query until
it finishes, and one whose query was stopped because every long-query slot was taken waits
`CLUSTERKG_SLOW_CLIENT_COOLDOWN` seconds (429 with `Retry-After`).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager


class PoolBusy(Exception):
    """No worker became free in time, or the queue is full (HTTP 503 + Retry-After)."""


class TooManyQueries(Exception):
    """This client already has its allowance of queries in flight (HTTP 429 + Retry-After)."""


class ClientLimit:
    """Counts queries in flight per client address."""

    def __init__(self, per_client: int, cooldown: float = 10.0) -> None:
        self.per_client = per_client
        self.cooldown = cooldown
        self.active: dict[str, int] = {}
        self.long: dict[str, int] = {}
        self.until: dict[str, float] = {}
        self._lock = threading.Lock()

    def check_adhoc(self, client: str | None) -> None:
        """Refuse an ad-hoc query of a client that has a long query running, or had one
        stopped within the cool-down: slow clients get one long query at a time."""
        if client is None:
            return
        with self._lock:
            if self.long.get(client):
                raise TooManyQueries("this client already has a long query running; send the "
                                     "next when it has finished")
            wait = self.until.get(client, 0.0) - time.monotonic()
        if wait > 0:
            raise TooManyQueries(f"this client's last query ran long and was stopped; "
                                 f"retry in {wait:.0f} s (CLUSTERKG_SLOW_CLIENT_COOLDOWN)")

    def long_started(self, client: str | None) -> None:
        if client is not None:
            with self._lock:
                self.long[client] = self.long.get(client, 0) + 1

    def long_ended(self, client: str | None, stopped: bool) -> None:
        """A long query of `client` is over; `stopped` (by a limit) starts its cool-down."""
        if client is None:
            return
        with self._lock:
            left = self.long.get(client, 1) - 1
            if left > 0:
                self.long[client] = left
            else:
                self.long.pop(client, None)
            if stopped:
                self.until[client] = time.monotonic() + self.cooldown
                if len(self.until) > 10_000:  # forget expired entries
                    now = time.monotonic()
                    self.until = {c: t for c, t in self.until.items() if t > now}

    @contextmanager
    def hold(self, client: str | None) -> Iterator[None]:
        """Count one query of `client` while the block runs (None: not counted)."""
        if client is None:
            yield
            return
        count = self.active.get(client, 0)
        if count >= self.per_client:
            raise TooManyQueries(
                f"this client already has {count} queries running or queued; the limit is "
                f"{self.per_client} (CLUSTERKG_MAX_QUERIES_PER_CLIENT)"
            )
        self.active[client] = count + 1
        try:
            yield
        finally:
            left = self.active[client] - 1
            if left:
                self.active[client] = left
            else:
                del self.active[client]
