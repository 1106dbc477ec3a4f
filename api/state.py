"""The served store, swappable at run time, and the FastAPI dependencies that hand it out.

`StoreHolder.replace(store)` is how a freshly built store goes live: the new worker pool is
forked first, then one assignment swaps store and pool together, then the old pool retires
(its running queries finish on the old data). If anything fails before the swap, the old
store keeps serving. Call it on the server's event loop (the admin route does; from another
thread use `anyio.from_thread.run_sync`).
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from fastapi import Depends, Request

from clusterkg.api.execution import QueryPool
from clusterkg.graph.store import OxigraphStore, Store
from clusterkg.graph.waves import add_waves
from clusterkg.settings import Settings

log = logging.getLogger(__name__)


class StoreHolder:
    """The live store and its worker pool, replaced atomically as one pair."""

    def __init__(self, store: Store, settings: Settings) -> None:
        self.settings = settings
        self._current: tuple[Store, QueryPool] = (
            store, QueryPool(store, settings.query_workers, settings))
        self._others: dict[int, QueryPool] = {}
        self.reload_lock = asyncio.Lock()

    @staticmethod
    def load(path: Path) -> Store:
        """Load the dump at `path`; a missing dump is an error, never an empty service."""
        if not path.is_file():
            raise FileNotFoundError(f"dataset {path} not found: build it first (clusterkg build)")
        store = OxigraphStore.from_file(path)
        add_waves(store, path.parent)
        return store

    @property
    def store(self) -> Store:
        return self._current[0]

    @property
    def pool(self) -> QueryPool:
        return self._current[1]

    def replace(self, store: Store) -> None:
        """Serve `store` from now on; the previous one keeps serving if this raises."""
        pool = QueryPool(store, self.settings.query_workers, self.settings)
        old = self._current[1]
        self._current = (store, pool)
        old.close()
        log.info("serving a new store of %d quads", len(store))

    def pool_for(self, store: Store) -> QueryPool:
        """The pool of the live store, or one made (once) for a store given by an override."""
        current_store, current_pool = self._current
        if store is current_store:
            return current_pool
        if id(store) not in self._others:
            self._others[id(store)] = QueryPool(
                store, self.settings.query_workers, self.settings)
        return self._others[id(store)]

    def close(self) -> None:
        """Stop every worker (server shutdown)."""
        self._current[1].terminate()
        for pool in self._others.values():
            pool.terminate()
        self._others.clear()


def get_settings(request: Request) -> Settings:
    """The app's settings."""
    settings: Settings = request.app.state.settings
    return settings


def get_holder(request: Request) -> StoreHolder:
    """The app's store holder, opened by the lifespan."""
    holder: StoreHolder = request.app.state.holder
    return holder


def get_store(holder: StoreHolder = Depends(get_holder)) -> Store:
    """The store queries run against; tests swap it with `app.dependency_overrides`."""
    return holder.store


def get_pool(
    store: Store = Depends(get_store), holder: StoreHolder = Depends(get_holder)
) -> QueryPool:
    """The worker pool evaluating queries over the store from `get_store`."""
    return holder.pool_for(store)
