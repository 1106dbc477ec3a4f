"""The FastAPI application: `create_app(settings)` builds it, `serve(settings)` runs it.

The lifespan opens the store once (the dump named by the settings), forks the query workers
and keeps both on `app.state.holder`; shutdown stops the workers. Routers, one per concern,
get the store through `clusterkg.api.state` dependencies.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio.to_thread
import uvicorn
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from clusterkg import __version__
from clusterkg.api import admin, pages, queries, service_page, sparql, validate, workbench
from clusterkg.api.state import StoreHolder
from clusterkg.graph.release import Release
from clusterkg.graph.store import Store
from clusterkg.settings import Settings


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Open the store once for the app's lifetime; its workers stop with the app."""
    settings: Settings = app.state.settings
    store, release = await anyio.to_thread.run_sync(_open, settings)
    holder = StoreHolder(store, settings, release)
    app.state.holder = holder
    try:
        yield
    finally:
        holder.close()


def _open(settings: Settings) -> tuple[Store, Release]:
    return StoreHolder.load(settings.dataset)


def create_app(settings: Settings | None = None) -> FastAPI:
    """The app for `settings` (default: from `CLUSTERKG_*` environment variables)."""
    settings = settings or Settings.from_env()
    app = FastAPI(
        title="clusterkg SPARQL service",
        version=__version__,
        description="A knowledge graph of European cluster policy, served as SPARQL 1.1.",
        lifespan=lifespan,
        # FastAPI's /docs and /redoc pages load their scripts from a CDN: nothing is fetched from
        # the network at run time here, so only the OpenAPI document itself is served.
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.add_middleware(
        CORSMiddleware,
        allow_origins=list(settings.cors_origins),
        allow_methods=["GET", "POST", "OPTIONS"],
        allow_headers=["Accept", "Content-Type", "Authorization"],
        expose_headers=[sparql.MAX_ROWS_HEADER],
        max_age=86400,
    )
    app.add_middleware(service_page.ServiceDescriptionPage)  # HTML view for browsers (issue 16)
    app.include_router(sparql.router)
    app.include_router(admin.router)
    app.include_router(queries.router)
    app.include_router(workbench.router)  # query page assets and completions (issue 16)
    app.include_router(pages.router)
    app.include_router(validate.router)
    return app


def serve(settings: Settings | None = None) -> None:
    """Run the service with uvicorn on the configured host and port (blocks until stopped)."""
    settings = settings or Settings.from_env()
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, workers=1)
