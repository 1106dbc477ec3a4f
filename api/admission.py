"""Admission of queries: how many one client may have in flight, and the busy refusals.

Compared with mature servers: Fuseki bounds only time (`arq:queryTimeout`) and leaves queueing
to Jetty's thread pool; Virtuoso bounds time and estimated cost (`MaxQueryExecutionTime`,
`MaxQueryCostEstimationTime`), result size (`ResultSetMaxRows`), threads (`ServerThreads`) and
concurrent connections per client IP (its HTTP `MaxClientConnections`-style limits). This
service takes Virtuoso's line: a time limit per query, a row and byte cap per answer, a
per-client-address limit on queries in flight (`CLUSTERKG_MAX_QUERIES_PER_CLIENT`, 429 with
`Retry-After`), and per-lane short queues (503 with `Retry-After`), plus a lane reserved for
the cheap, curated named queries so ad-hoc slow queries cannot starve them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


class PoolBusy(Exception):
    """No worker became free in time, or the queue is full (HTTP 503 + Retry-After)."""


class TooManyQueries(Exception):
    """This client already has its allowance of queries in flight (HTTP 429 + Retry-After)."""


class ClientLimit:
    """Counts queries in flight per client address."""

    def __init__(self, per_client: int) -> None:
        self.per_client = per_client
        self.active: dict[str, int] = {}

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
