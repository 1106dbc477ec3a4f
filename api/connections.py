"""Connection-level limits of the HTTP server: slow or idle clients are cut off.

uvicorn bounds idle keep-alive connections (`timeout_keep_alive`) and the number of
connections (`limit_concurrency`, 503 beyond it), but not the time a client takes to send its
request headers: a client trickling one byte a second holds its connection for ever, and each
byte even cancels the keep-alive timer. `HeaderDeadline` is uvicorn's httptools protocol (the
C parser of Node's llhttp; uvicorn's pure-Python h11 parser costs more per request) with a hard
deadline, armed when a connection opens and after each response, and cleared once a request's
headers are complete; a connection still sending headers at the deadline is closed. The event
loop is uvloop's (libuv), as `uvicorn[standard]` would choose.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from clusterkg.settings import Settings


class HeaderDeadline(HttpToolsProtocol):
    """httptools protocol whose clients must send complete request headers within `seconds`."""

    seconds: float = 10.0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._header_timer: asyncio.TimerHandle | None = None

    def _arm(self) -> None:
        self._disarm()
        self._header_timer = self.loop.call_later(self.seconds, self._headers_too_slow)

    def _disarm(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _headers_too_slow(self) -> None:
        self._header_timer = None
        if not self.transport.is_closing():
            self.transport.close()

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def on_headers_complete(self) -> None:
        self._disarm()
        super().on_headers_complete()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        # a pipelined request already read is running now: its headers came in time
        waiting = self.cycle is None or self.cycle.response_complete
        if waiting and not self.transport.is_closing():
            self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """Keyword arguments for `uvicorn.run` that apply the connection limits of `settings`."""
    protocol = type("HeaderDeadline", (HeaderDeadline,), {"seconds": settings.header_timeout})
    return {
        "http": protocol,
        "loop": "uvloop",
        "timeout_keep_alive": settings.keep_alive_timeout,
        "limit_concurrency": settings.max_connections,
        "access_log": False,  # written, cheaper, by `api/access_log.py` (see `app.serve`)
    }
