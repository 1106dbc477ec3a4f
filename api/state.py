"""The served store, swappable at run time, and the FastAPI dependencies that hand it out.

`StoreHolder.replace(store, release)` is how a freshly loaded release goes live: the new worker
pool is forked first, then one assignment swaps store, pool and release together; the old pool
retires once the requests that picked it before the swap had their time limit (they answer from
the old release, whole). A reader therefore sees the whole previous release or the whole new
one (a new wave entirely or not at all). If anything fails before the swap, the old release
keeps serving. Over a remote store (`CLUSTERKG_STORE`, issue 14) the release is the one the
store's control record names (`graph.remote_release`), and `follow()` polls that record so
every API process over the store serves a new publish within `CLUSTERKG_STORE_POLL_SECONDS`.
`holder.release.version` names what is served
(for ETags and the catalogue). Call it on the server's event loop (the admin route does; from
another thread use `anyio.from_thread.run_sync`).
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from pathlib import Path

import anyio.to_thread
from fastapi import Depends, Request

from clusterkg.api.engine import EngineService
from clusterkg.api.execution import QueryPool
from clusterkg.graph.release import Release, load_release
from clusterkg.graph.store import Store
from clusterkg.settings import Settings

log = logging.getLogger(__name__)


class StoreHolder:
    """The live store, its worker pool and its release, replaced atomically as one triple."""

    def __init__(self, store: Store, settings: Settings, release: Release,
                 engines: EngineService | None = None) -> None:
        self.settings = settings
        self.engines = engines
        self._current: tuple[Store, QueryPool, Release] = (
            store,
            QueryPool(store, settings.query_workers, settings),
            release,
        )
        self._others: dict[int, QueryPool] = {}
        self._retiring: list[QueryPool] = []
        self.reload_lock = asyncio.Lock()

    @staticmethod
    def load(path: Path) -> tuple[Store, Release]:
        """Load and check the release whose dump is `path` (`graph.release.load_release`): a
        missing, cut or emptied dump or wave is an error, never an empty or partial service."""
        loaded: tuple[Store, Release] = load_release(path)
        return loaded

    @staticmethod
    def open(settings: Settings, engines: EngineService | None = None) -> tuple[Store, Release]:
        """The release the settings name: the remote store's served release if `store` is
        set (`graph.remote_release.open_served`), the dump `dataset`'s release through a query
        engine of this service's own with `engines` (`api.engine`, `--engine oxigraph`), else
        the dump loaded in process."""
        if engines is not None:
            return engines.open(settings.dataset)
        if settings.store:
            from clusterkg.graph.remote_release import open_served
            from clusterkg.graph.stores import open_store

            opened: tuple[Store, Release] = open_served(
                open_store(settings.store, timeout=settings.query_timeout + 5))
            return opened
        return StoreHolder.load(settings.dataset)

    async def follow(self) -> None:
        """Over a remote store: poll the release it serves and serve a newly published one
        (runs until cancelled; a failed poll keeps the current release and retries)."""
        from clusterkg.graph.remote_release import open_served, served
        from clusterkg.graph.stores import open_store
        from clusterkg.graph.stores.dialect import ReleaseSwitching

        assert self.settings.store
        base = open_store(self.settings.store, timeout=self.settings.query_timeout + 5)
        switching = False  # said once per switch, not at every poll while it runs
        try:
            while True:
                await asyncio.sleep(self.settings.store_poll_seconds)
                try:
                    now = await anyio.to_thread.run_sync(served, base)
                except ReleaseSwitching as error:
                    if not switching:
                        log.info("%s is switching releases: %s", base.url, error)
                    switching = True
                    continue
                except Exception as error:  # the store is away: keep serving, say so
                    log.warning("cannot read the release %s serves: %s", base.url, error)
                    continue
                switching = False
                if now is None or now.release.version == self.release.version:
                    continue
                async with self.reload_lock:
                    store, release = await anyio.to_thread.run_sync(open_served, base)
                    self.replace(store, release)
        finally:
            base.close()

    @property
    def store(self) -> Store:
        return self._current[0]

    @property
    def pool(self) -> QueryPool:
        return self._current[1]

    @property
    def release(self) -> Release:
        """What is served: build and waves, with `version`."""
        return self._current[2]

    def replace(self, store: Store, release: Release) -> None:
        """Serve `store` (release `release`) from now on; the previous one keeps serving if this
        raises."""
        pool = QueryPool(store, self.settings.query_workers, self.settings)
        old = self._current[1]
        self._current = (store, pool, release)
        self._retire(old)
        log.info("serving release %s (%d quads)", release.version, len(store))

    def _retire(self, old: QueryPool) -> None:
        """Close the previous pool once the requests that picked it before the swap had their
        time limit (they answer from the previous release, whole); at once outside a loop."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            old.close()
            return
        self._retiring.append(old)

        def close() -> None:
            old.close()
            if old in self._retiring:
                self._retiring.remove(old)

        loop.call_later(self.settings.query_timeout + 1, close)

    def pool_for(self, store: Store) -> QueryPool:
        """The pool of the live store, or one made (once) for a store given by an override."""
        current_store, current_pool, _ = self._current
        if store is current_store:
            return current_pool
        if id(store) not in self._others:
            self._others[id(store)] = QueryPool(
                store, self.settings.query_workers, self.settings)
        return self._others[id(store)]

    def close(self) -> None:
        """Stop every worker and the query engines (server shutdown)."""
        self._current[1].terminate()
        for pool in [*self._others.values(), *self._retiring]:
            pool.terminate()
        self._others.clear()
        if self.engines is not None:
            self.engines.close()


async def get_settings(request: Request) -> Settings:
    """The app's settings."""
    settings: Settings = request.app.state.settings
    return settings


async def get_holder(request: Request) -> StoreHolder:
    """The app's store holder, opened by the lifespan."""
    holder: StoreHolder = request.app.state.holder
    return holder


async def get_release(holder: StoreHolder = Depends(get_holder)) -> Release:
    """The release being served (its `version` names the build and the waves in it)."""
    return holder.release


async def get_store(holder: StoreHolder = Depends(get_holder)) -> Store:
    """The store queries run against; tests swap it with `app.dependency_overrides`."""
    return holder.store


async def current_pool(request: Request) -> QueryPool:
    """`get_pool` without FastAPI's dependency solving, for the `/sparql` route: the pool of the
    live store, or of the store an `app.dependency_overrides[get_store]` gives (tests), so that
    an override reaches every route that queries."""
    holder: StoreHolder = request.app.state.holder
    override = request.app.dependency_overrides.get(get_store)
    if override is None:
        return holder.pool
    store = override()
    if inspect.isawaitable(store):
        store = await store
    return holder.pool_for(store)


async def get_pool(
    store: Store = Depends(get_store), holder: StoreHolder = Depends(get_holder)
) -> QueryPool:
    """The worker pool evaluating queries over the store from `get_store`."""
    return holder.pool_for(store)
