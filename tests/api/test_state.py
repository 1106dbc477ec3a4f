"""The served store's holder: following a remote store's release; the pool a route gets."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest
from fastapi import FastAPI
from starlette.requests import Request

from bench.pool_overhead import store_of
from clusterkg.api.state import StoreHolder, current_pool, get_store
from clusterkg.graph import remote_release, stores
from clusterkg.graph.release import Release
from clusterkg.graph.stores.dialect import ReleaseSwitching
from clusterkg.settings import Settings


class _Base:
    url = "oxigraph+http://127.0.0.1:9"

    def close(self) -> None:
        pass


def test_a_switch_is_said_once_per_switch_not_at_every_poll(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A Virtuoso switch lasts a minute or more at 1M triples; polled every second it must not
    fill the log. Two switches, with a successful poll between them, are said twice; a store
    that is away is still a warning."""
    answers: list[BaseException | None] = [
        ReleaseSwitching("switching"), ReleaseSwitching("switching"), ReleaseSwitching("switching"),
        None,
        ReleaseSwitching("switching"), ReleaseSwitching("switching"),
        RuntimeError("connection refused"),
    ]
    polls = 0

    def served(_base: Any) -> None:
        nonlocal polls
        polls += 1
        answer = answers[polls - 1] if polls <= len(answers) else None
        if answer is not None:
            raise answer

    monkeypatch.setattr(remote_release, "served", served)
    monkeypatch.setattr(stores, "open_store", lambda url, timeout: _Base())
    settings = Settings(query_workers=1, store=_Base.url, store_poll_seconds=0.001)
    holder = StoreHolder(store_of(10), settings, Release("b", "0" * 64, 10))

    async def scenario() -> None:
        task = asyncio.create_task(holder.follow())
        while polls < len(answers) + 2:
            await asyncio.sleep(0.005)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    try:
        with caplog.at_level(logging.INFO, logger="clusterkg.api.state"):
            asyncio.run(scenario())
    finally:
        holder.close()
    said = [r for r in caplog.records if "switching releases" in r.getMessage()]
    away = [r for r in caplog.records if "cannot read the release" in r.getMessage()]
    assert len(said) == 2 and all(r.levelno == logging.INFO for r in said)
    assert len(away) == 1 and away[0].levelno == logging.WARNING


def test_the_sparql_route_finds_the_pool_as_the_dependency_would() -> None:
    """`current_pool` (the `/sparql` route's, without FastAPI's dependency solving): the live
    store's pool, or the pool of the store a `get_store` override gives, sync or async."""
    settings = Settings(query_workers=1)
    live, other = store_of(10), store_of(20)
    holder = StoreHolder(live, settings, Release("b", "0" * 64, 10))

    async def async_other() -> Any:
        return other

    app = FastAPI()
    app.state.holder = holder
    request = Request({"type": "http", "app": app, "headers": []})
    try:
        assert asyncio.run(current_pool(request)) is holder.pool
        for override in (lambda: other, async_other):
            app.dependency_overrides[get_store] = override
            pool = asyncio.run(current_pool(request))
            assert pool is holder.pool_for(other) and pool is not holder.pool
    finally:
        holder.close()
