"""Taking in an upload of survey files: the one path of `POST /validate` and `POST /admin/waves`.

Strangers' bytes meet the server in three steps, each bounded:
1. a validation slot (`validation_workers` of them, shared by both routes): when all are busy
   the answer is a quick 503 with `Retry-After`, never a queue that holds connections;
2. the body, read as it streams within `upload_read_timeout`, parsed by the multipart parser in
   memory and cut at `upload_max_bytes` (a chunked 2 GB upload stops at the limit: nothing of
   it reaches the disk);
3. the job that reads the files, run in a child process bounded in time, memory and reach
   (`loaders.survey.sandbox`), killed when the client goes away; the event loop and the
   request threads only wait for it.
A route gets back either the job's outcome (`Done` or the sandbox's `Breach`) or a `Refusal`
(the status and the sentence to answer with) and renders it its own way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

import anyio
import anyio.to_thread
from anyio import CapacityLimiter
from fastapi import Request
from python_multipart.multipart import MultipartParser, parse_options_header

from clusterkg.loaders.survey.limits import IntakeLimits
from clusterkg.loaders.survey.sandbox import Breach, Done, Run
from clusterkg.settings import Settings

T = TypeVar("T")
Files = list[tuple[str, bytes]]
MAX_FILES = 100  # a survey template's CSV set is one file per record kind
OVERHEAD = 64 * 1024  # multipart boundaries and part headers beside the files themselves
RETRY_AFTER = "5"


def intake_limits(request: Request) -> IntakeLimits:
    """The app's limits (from its settings); tests and deployments may override this."""
    settings = getattr(request.app.state, "settings", None)
    return IntakeLimits.from_settings(settings if settings else Settings.from_env())


def validation_slots(request: Request) -> int:
    """How many uploads may be read and validated at once (`validation_workers`)."""
    settings = getattr(request.app.state, "settings", None)
    return (settings if settings else Settings.from_env()).validation_workers


@dataclass(frozen=True)
class Refusal:
    """An upload turned away before its job ran: the HTTP status, why, and extra headers."""

    status: int
    detail: str
    headers: dict[str, str] = field(default_factory=dict)


class TooLarge(Exception):
    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class BadUpload(Exception):
    pass


@dataclass
class _Part:
    headers: dict[str, bytes] = field(default_factory=dict)
    data: bytearray = field(default_factory=bytearray)


class _Collector:
    """python-multipart callbacks keeping the `files` parts in memory, each under the limit."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.parts: list[_Part] = []
        self.part = _Part()
        self.field = b""
        self.value = b""

    def callbacks(self) -> dict[str, object]:
        return {
            "on_part_begin": self._begin,
            "on_header_field": self._header_field,
            "on_header_value": self._header_value,
            "on_header_end": self._header_end,
            "on_part_data": self._data,
            "on_part_end": self._end,
        }

    def _begin(self) -> None:
        self.part = _Part()
        if len(self.parts) >= MAX_FILES:
            raise TooLarge(f"more than {MAX_FILES} parts in one upload")

    def _header_field(self, data: bytes, start: int, end: int) -> None:
        self.field += data[start:end]

    def _header_value(self, data: bytes, start: int, end: int) -> None:
        self.value += data[start:end]

    def _header_end(self) -> None:
        self.part.headers[self.field.decode("latin-1").lower()] = self.value
        self.field, self.value = b"", b""

    def _data(self, data: bytes, start: int, end: int) -> None:
        self.part.data += data[start:end]
        if len(self.part.data) > self.limit:
            name = self.filename(self.part) or "a part"
            raise TooLarge(f"{name}: the file is over the limit of {self.limit:,} bytes; split it")

    def _end(self) -> None:
        self.parts.append(self.part)

    @staticmethod
    def filename(part: _Part) -> str | None:
        _, options = parse_options_header(part.headers.get("content-disposition", b""))
        raw = options.get(b"filename")
        return raw.decode("utf-8", "replace") if raw is not None else None

    def files(self) -> Files:
        found = []
        for part in self.parts:
            _, options = parse_options_header(part.headers.get("content-disposition", b""))
            if options.get(b"name") == b"files" and b"filename" in options:
                found.append((self.filename(part) or "upload", bytes(part.data)))
        return found


async def read_upload(request: Request, limit: int) -> Files:
    """The uploaded files, read as the body streams and cut as soon as it passes the limit."""
    content_type, options = parse_options_header(request.headers.get("content-type", ""))
    if content_type != b"multipart/form-data" or b"boundary" not in options:
        raise BadUpload("send multipart/form-data with one or more 'files' fields")
    collector = _Collector(limit)
    parser = MultipartParser(options[b"boundary"], collector.callbacks())  # type: ignore[arg-type]
    received = 0
    body_limit = limit + OVERHEAD
    async for chunk in request.stream():
        received += len(chunk)
        try:
            parser.write(chunk)  # a part over the limit stops here, naming its file
        except TooLarge:
            raise
        except Exception as exc:  # python-multipart's MultipartParseError and kin
            raise BadUpload(f"the multipart body is malformed: {exc}") from exc
        if received > body_limit:
            raise TooLarge(f"the upload is over the limit of {limit:,} bytes; split it")
    parser.finalize()
    return collector.files()


def _gate(request: Request) -> dict[str, int]:
    state = request.app.state
    if not hasattr(state, "validation_gate"):
        state.validation_gate = {"running": 0}
    gate: dict[str, int] = state.validation_gate
    return gate


async def take_in(
    request: Request,
    limits: IntakeLimits,
    slots: int,
    job: Callable[..., T],
    args: Callable[[Files], tuple[object, ...]],
) -> tuple[list[str], Done[T] | Breach] | Refusal:
    """Read the upload and run `job(*args(files))` in the sandbox: the names of the files and
    the job's outcome, or the refusal to answer with (413, 408, 422, 503)."""
    limit = limits.upload_max_bytes
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit + OVERHEAD:
        return Refusal(413, f"the upload is over the limit of {limit:,} bytes; split it")
    gate = _gate(request)
    if gate["running"] >= slots:
        return Refusal(
            503,
            f"all {slots} validation slots are busy; try again in a few seconds",
            {"Retry-After": RETRY_AFTER},
        )
    gate["running"] += 1
    try:
        try:
            with anyio.fail_after(limits.upload_read_timeout):
                inputs = await read_upload(request, limit)
        except TimeoutError:
            return Refusal(
                408,
                f"the upload was not received within {limits.upload_read_timeout:g} s "
                "(limit upload_read_timeout: CLUSTERKG_UPLOAD_READ_TIMEOUT)",
            )
        except TooLarge as exc:
            return Refusal(413, exc.detail)
        except BadUpload as exc:
            return Refusal(422, f"no file: {exc}")
        if not inputs:
            return Refusal(422, "no file: send multipart/form-data with one or more 'files' fields")
        files = [name for name, _ in inputs]
        arguments = args(inputs)
        del inputs
        run = await anyio.to_thread.run_sync(
            Run, job, arguments, limits, limiter=CapacityLimiter(1)
        )
        del arguments
        return files, await run.wait_async(request.is_disconnected)
    finally:
        gate["running"] -= 1
