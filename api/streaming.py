"""Answers streamed from a query worker to the client through a bounded buffer.

The round trip with a worker (`execution._round_trip`, on the event loop) hands each message
to a `Channel`; the response takes them out and sends them. A body chunk (up to
`writers.CHUNK`, 1 MiB) needs one of `SLOTS` places, so however large the answer, at most
`SLOTS` chunks wait in the server; when the client reads slower than the worker writes, the
places stay taken, the round trip stops reading the worker's pipe and the worker waits in its
own `send`. That
wait counts against the query's time limit (and its long-query slot): a slow reader holds a
worker at most as long as a slow query would, then the answer is cut.

An answer cut after its first bytes went out (time limit, byte cap, worker death, slow
reader) cannot change its status any more. `AnswerStreamResponse` then closes the connection
without the terminating zero-length chunk of HTTP/1.1 chunked encoding, so every HTTP client
sees an incomplete body (curl: "transfer closed with outstanding read data remaining"; httpx:
`RemoteProtocolError`) instead of a complete-looking, shorter answer; the reason goes to the
server's log.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

from starlette.responses import StreamingResponse
from starlette.types import Send

SLOTS = 4
CHUNK, HEAD, END, ERROR = "chunk", "head", "end", "error"

log = logging.getLogger("clusterkg.api.streaming")


class AnswerAborted(Exception):
    """The answer was cut after its first bytes were sent; the message says why."""


class Channel:
    """Messages from a worker's round trip to the response; body chunks are bounded."""

    def __init__(self, slots: int = SLOTS) -> None:
        self._queue: asyncio.Queue[tuple[str, object]] = asyncio.Queue()
        self._slots = asyncio.Semaphore(slots)
        self._closed = False

    @property
    def closed(self) -> bool:
        """True once the consumer has gone (the producer should stop)."""
        return self._closed

    async def put(self, kind: str, payload: object, timeout: float | None = None) -> bool:
        """Hand over one message. A chunk waits up to `timeout` s for a free place; False if
        none freed in time or the consumer has gone."""
        if kind == CHUNK and not (await self._acquire(timeout)):
            return False
        if self._closed:
            return False
        self._queue.put_nowait((kind, payload))
        return True

    async def _acquire(self, timeout: float | None) -> bool:
        if not self._slots.locked():
            await self._slots.acquire()  # a free place: no wait, no timer
            return True
        try:
            await asyncio.wait_for(self._slots.acquire(), timeout and max(timeout, 0.0))
        except TimeoutError:
            return False
        return True

    async def get(self) -> tuple[str, object]:
        """The next message; taking a chunk frees its place."""
        kind, payload = await self._queue.get()
        if kind == CHUNK:
            self._slots.release()
        return kind, payload

    def close(self) -> None:
        """The consumer has gone: a producer waiting for a place wakes and gives up."""
        self._closed = True
        self._slots.release()


class AnswerStreamResponse(StreamingResponse):
    """A streamed answer that, when cut (`AnswerAborted`), ends without the final chunk."""

    body_iterator: AsyncIterator[bytes]

    async def stream_response(self, send: Send) -> None:
        await send({"type": "http.response.start", "status": self.status_code,
                    "headers": self.raw_headers})
        try:
            async for chunk in self.body_iterator:
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
        except AnswerAborted as error:
            # Returning without the final message makes uvicorn close the connection.
            log.warning("answer cut after its first bytes were sent: %s", error)
            return
        finally:
            aclose = getattr(self.body_iterator, "aclose", None)
            if aclose is not None:
                await aclose()
        await send({"type": "http.response.body", "body": b"", "more_body": False})
