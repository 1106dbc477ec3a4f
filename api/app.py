"""The FastAPI application: `create_app(settings)` builds it, `serve(settings)` runs it.

The lifespan opens the store once (the dump named by the settings), forks the query workers
and keeps both on `app.state.holder`; shutdown stops the workers. Routers, one per concern,
get the store through `clusterkg.api.state` dependencies.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio.to_thread
import uvicorn
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from clusterkg import __version__
from clusterkg.api import (
    admin,
    dumps,
    jsonld_api,
    openapi_docs,
    pages,
    queries,
    resolver,
    service_page,
    sparql,
    validate,
    workbench,
)
from clusterkg.api.access_log import AccessLog
from clusterkg.api.connections import uvicorn_options
from clusterkg.api.engine import EngineService
from clusterkg.api.guard import BodyDeadline, SecurityHeaders
from clusterkg.api.state import StoreHolder
from clusterkg.settings import Settings


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Open the store once for the app's lifetime; its workers stop with the app."""
    settings: Settings = app.state.settings
    engines = EngineService(settings) if settings.engine == "oxigraph" else None
    try:
        store, release = await anyio.to_thread.run_sync(StoreHolder.open, settings, engines)
    except BaseException:
        if engines is not None:
            engines.close()
        raise
    holder = StoreHolder(store, settings, release, engines)
    app.state.holder = holder
    follower = asyncio.create_task(holder.follow()) if settings.store else None
    watcher = asyncio.create_task(engines.watch(holder)) if engines is not None else None
    try:
        yield
    finally:
        for task in (follower, watcher):
            if task is not None:
                task.cancel()
        holder.close()


def create_app(settings: Settings | None = None) -> FastAPI:
    """The app for `settings` (default: from `CLUSTERKG_*` environment variables)."""
    settings = settings or Settings.from_env()
    app = FastAPI(
        title="clusterkg SPARQL service",
        version=__version__,
        description="A knowledge graph of European cluster policy, served as SPARQL 1.1.",
        lifespan=lifespan,
        # FastAPI's own /docs and /redoc pages load their scripts from a CDN, so they stay off;
        # `openapi_docs.install` serves /docs from the package's own assets instead.
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.add_middleware(
        CORSMiddleware,
        allow_origins=list(settings.cors_origins),
        allow_methods=["GET", "POST", "OPTIONS"],
        allow_headers=["Accept", "Content-Type", "Authorization", "If-None-Match"],
        expose_headers=[sparql.MAX_ROWS_HEADER, "ETag"],
        max_age=86400,
    )
    # Query path hardening (issue 9): security headers on HTML, a deadline on request bodies.
    app.add_middleware(SecurityHeaders)
    app.add_middleware(BodyDeadline, seconds=settings.body_timeout)
    app.add_middleware(service_page.ServiceDescriptionPage)  # HTML view for browsers (issue 16)
    app.router.routes.append(sparql.route)  # a plain ASGI route: see `api/sparql.py`
    app.include_router(admin.router)
    app.include_router(queries.router)
    # Linked data (issue 11): IRIs resolve with content negotiation; ahead of `pages` so that
    # /ontology negotiates (its HTML is the same ontology page).
    app.include_router(resolver.router)
    app.include_router(dumps.router)
    app.include_router(workbench.router)  # query page assets and completions (issue 16)
    app.include_router(pages.router)
    app.include_router(validate.router)
    app.include_router(jsonld_api.router)  # JSON-LD API for apps (h5, issue 12)
    openapi_docs.install(app)  # its OpenAPI paths and the offline /docs page (h5, issue 12)
    return app


def serve(settings: Settings | None = None) -> None:
    """Run the service with uvicorn on the configured host and port (blocks until stopped),
    its access log written by `AccessLog` (uvicorn's own is off: `uvicorn_options`)."""
    settings = settings or Settings.from_env()
    logged = AccessLog(create_app(settings))
    try:
        uvicorn.run(logged, host=settings.host, port=settings.port, workers=1,
                    **uvicorn_options(settings))
    finally:
        logged.flush()
