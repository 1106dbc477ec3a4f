"""`POST /validate`: upload survey files (multipart/form-data, field `files`), get the report.

The same validation as `clusterkg validate`: 200 with the report when the files could be read
(`status` valid or invalid), 422 when they could not (wrong encoding, truncated, malformed, a
DTD in a workbook, a JSON-LD context to fetch), 413 when a file or the body is over a limit
(bytes, rows, cells, columns, decompressed bytes, one string, time, memory: the finding names
the file and the setting), 503 with `Retry-After` when every validation slot is busy, 408 when
the body does not arrive within `upload_read_timeout` (a slow client holds a slot that long at
most).

Nothing of an upload reaches the disk: the body is read as it streams, parsed by the multipart
parser in memory and cut at the byte limit (a chunked 2 GB upload stops at the limit, not after
being spooled). The validation itself runs in a child process bounded in time and memory, which
is killed when the client goes away (`clusterkg.loaders.survey.sandbox`); the request threads
and the event loop only wait for it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import anyio
import anyio.to_thread
from anyio import CapacityLimiter
from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from python_multipart.multipart import MultipartParser, parse_options_header

from clusterkg import survey_jobs
from clusterkg.loaders.survey.limits import IntakeLimits
from clusterkg.loaders.survey.sandbox import Breach, Run
from clusterkg.settings import Settings

router = APIRouter(tags=["survey"])
MAX_FILES = 50
OVERHEAD = 64 * 1024  # multipart boundaries and part headers beside the files themselves
RETRY_AFTER = "5"


def intake_limits(request: Request) -> IntakeLimits:
    """The app's limits (from its settings); tests and deployments may override this."""
    settings = getattr(request.app.state, "settings", None)
    return IntakeLimits.from_settings(settings if settings else Settings.from_env())


def validation_slots(request: Request) -> int:
    settings = getattr(request.app.state, "settings", None)
    return (settings if settings else Settings.from_env()).validation_workers


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

    def files(self) -> list[tuple[str, bytes]]:
        found = []
        for part in self.parts:
            _, options = parse_options_header(part.headers.get("content-disposition", b""))
            if options.get(b"name") == b"files" and b"filename" in options:
                found.append((self.filename(part) or "upload", bytes(part.data)))
        return found


async def read_upload(request: Request, limit: int) -> list[tuple[str, bytes]]:
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


def _answer(report: survey_jobs.Report) -> JSONResponse:
    status = 200 if report.exit_code < 2 else (413 if report.limit else 422)
    return JSONResponse(report.body, status_code=status)


def _refusal(status: int, detail: str, **headers: str) -> JSONResponse:
    return JSONResponse({"status": "unusable", "detail": detail}, status, headers=headers)


def _gate(request: Request) -> dict[str, int]:
    state = request.app.state
    if not hasattr(state, "validation_gate"):
        state.validation_gate = {"running": 0}
    gate: dict[str, int] = state.validation_gate
    return gate


@router.post("/validate")
async def validate_upload(
    request: Request,
    limits: IntakeLimits = Depends(intake_limits),
    slots: int = Depends(validation_slots),
) -> JSONResponse:
    """Validate uploaded survey files (CSV set, XLSX workbook, Turtle, JSON-LD)."""
    limit = limits.upload_max_bytes
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit + OVERHEAD:
        return _too_large(f"the upload is over the limit of {limit:,} bytes; split it")
    gate = _gate(request)
    if gate["running"] >= slots:
        return _refusal(
            503,
            f"all {slots} validation slots are busy; try again in a few seconds",
            **{"Retry-After": RETRY_AFTER},
        )
    gate["running"] += 1
    try:
        try:
            with anyio.fail_after(limits.upload_read_timeout):
                inputs = await read_upload(request, limit)
        except TimeoutError:
            return _refusal(
                408,
                f"the upload was not received within {limits.upload_read_timeout:g} s "
                "(limit upload_read_timeout: CLUSTERKG_UPLOAD_READ_TIMEOUT)",
            )
        except TooLarge as exc:
            return _too_large(exc.detail)
        except BadUpload as exc:
            return _refusal(422, f"no file: {exc}")
        if not inputs:
            return _refusal(
                422, "no file: send multipart/form-data with one or more 'files' fields"
            )
        files = [name for name, _ in inputs]
        job = (inputs, "json", limit)
        del inputs
        run = await anyio.to_thread.run_sync(
            Run, survey_jobs.validate_files, job, limits, limiter=CapacityLimiter(1)
        )
        del job
        outcome = await run.wait_async(request.is_disconnected)
        if isinstance(outcome, Breach):
            return _answer(survey_jobs.stopped(files, outcome, "json"))
        return _answer(outcome.value)
    finally:
        gate["running"] -= 1


def _too_large(detail: str) -> JSONResponse:
    return _refusal(413, detail)
