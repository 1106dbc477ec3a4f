"""The access log: uvicorn's own line for every response, buffered and written in batches."""

from __future__ import annotations

import asyncio
import io
import logging
from urllib.parse import quote

import pytest
from starlette.types import Message, Receive, Scope, Send
from uvicorn.config import LOGGING_CONFIG
from uvicorn.logging import AccessFormatter

from clusterkg.api.access_log import AccessLog, line


def _scope(path: str = "/sparql", query: bytes = b"query=ASK+%7B%7D",
           client: tuple[str, int] | None = ("127.0.0.1", 52110)) -> Scope:
    return {"type": "http", "method": "GET", "path": path, "raw_path": quote(path).encode(),
            "query_string": query,
            "http_version": "1.1", "client": client, "headers": []}


def _uvicorns_line(scope: Scope, status: int) -> str:
    """What uvicorn's access logger writes for this response, without colours (its format from
    its default logging configuration, its arguments as its httptools protocol gives them)."""
    from uvicorn.protocols.utils import get_client_addr, get_path_with_query_string

    formatter = AccessFormatter(fmt=LOGGING_CONFIG["formatters"]["access"]["fmt"],
                                use_colors=False)
    record = logging.LogRecord(
        "uvicorn.access", logging.INFO, __file__, 0, '%s - "%s %s HTTP/%s" %d',
        (get_client_addr(scope), scope["method"], get_path_with_query_string(scope),  # type: ignore[arg-type]
         scope["http_version"], status), None)
    return formatter.format(record) + "\n"


@pytest.mark.parametrize(("scope", "status"), [
    (_scope(), 200),
    (_scope(query=b""), 404),
    (_scope(path='/id/programme/AUT-é "x"'), 303),  # its raw path, quotes escaped
    (_scope(client=None), 503),
    (_scope(), 599),  # no reason phrase
])
def test_the_line_is_uvicorns(scope: Scope, status: int) -> None:
    assert line(scope, status) == _uvicorns_line(scope, status)


async def _app(scope: Scope, receive: Receive, send: Send) -> None:
    if scope["path"] == "/boom":
        raise RuntimeError("boom")
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"ok"})


async def _request(app: AccessLog, path: str = "/sparql") -> list[Message]:
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b""}

    async def send(message: Message) -> None:
        sent.append(message)

    await app(_scope(path=path), receive, send)
    return sent


def test_lines_wait_for_the_flush_and_the_answer_is_unchanged() -> None:
    out = io.StringIO()
    logged = AccessLog(_app, stream=out, flush_seconds=0.2)

    async def run() -> tuple[str, str, list[Message]]:
        sent = await _request(logged)
        await _request(logged)
        before = out.getvalue()
        await asyncio.sleep(0.4)
        return before, out.getvalue(), sent

    before, after, sent = asyncio.run(run())
    assert [m["type"] for m in sent] == ["http.response.start", "http.response.body"]
    assert before == ""
    assert after == 2 * line(_scope(), 200)


def test_a_full_buffer_is_written_at_once_and_flush_writes_the_rest() -> None:
    out = io.StringIO()
    one = len(line(_scope(), 200))
    logged = AccessLog(_app, stream=out, flush_seconds=60, buffer_bytes=3 * one)

    async def run() -> list[str]:
        seen = []
        for _ in range(4):
            await _request(logged)
            seen.append(out.getvalue())
        return seen

    seen = asyncio.run(run())
    assert seen[:2] == ["", ""] and seen[2] == seen[3] == 3 * line(_scope(), 200)
    logged.flush()  # what `serve` does when the server stops
    assert out.getvalue() == 4 * line(_scope(), 200)


def test_an_app_that_raises_before_answering_is_logged_as_the_500_uvicorn_sends() -> None:
    out = io.StringIO()
    logged = AccessLog(_app, stream=out)

    async def run() -> None:
        with pytest.raises(RuntimeError):
            await _request(logged, "/boom")
        logged.flush()

    asyncio.run(run())
    assert out.getvalue() == line(_scope(path="/boom"), 500)


def test_the_buffer_is_written_when_the_app_has_shut_down() -> None:
    """uvicorn raises a stopping signal again once the lifespan has shut down, so that is when
    the last lines must be written (`serve`'s own flush would not run)."""
    out = io.StringIO()
    seen: list[str] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            await _app(scope, receive, send)
            return
        seen.append(scope["type"])
        await send({"type": "lifespan.startup.complete"})
        assert out.getvalue() == ""
        await send({"type": "lifespan.shutdown.complete"})

    async def nothing() -> Message:
        return {}

    async def ignore(message: Message) -> None:
        seen.append(message["type"])

    logged = AccessLog(app, stream=out, flush_seconds=60)

    async def run() -> None:
        await _request(logged)
        await logged({"type": "lifespan"}, nothing, ignore)

    asyncio.run(run())
    assert seen == ["lifespan", "lifespan.startup.complete", "lifespan.shutdown.complete"]
    assert out.getvalue() == line(_scope(), 200)


def test_a_broken_standard_output_loses_lines_but_does_not_grow_the_buffer() -> None:
    class Broken(io.StringIO):
        def write(self, text: str) -> int:
            raise BrokenPipeError

    logged = AccessLog(_app, stream=Broken(), flush_seconds=60)

    async def run() -> None:
        await _request(logged)
        logged.flush()
        await _request(logged)

    asyncio.run(run())
    assert logged._lines == [line(_scope(), 200)]  # only the line after the failed write
