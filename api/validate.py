"""`POST /validate`: upload survey files (multipart/form-data, field `files`), get the report.

The same validation as `clusterkg validate`: 200 with the report when the files could be read
(`status` valid or invalid), 422 when they could not (wrong encoding, truncated, malformed, a
DTD in a workbook, a JSON-LD context to fetch), 413 when a file or the body is over a limit
(bytes, rows, cells, columns, decompressed bytes, one string, time, memory: the finding names
the file and the setting), 503 with `Retry-After` when every validation slot is busy, 408 when
the body does not arrive within `upload_read_timeout` (a slow client holds a slot that long at
most).

Nothing of an upload reaches the disk and the validation runs in a bounded child process killed
when the client goes away: `api/intake.py` takes the upload in, the same way for
`POST /admin/waves/{name}`.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from clusterkg import survey_jobs
from clusterkg.api.intake import Files, Refusal, intake_limits, take_in, validation_slots
from clusterkg.loaders.survey.limits import IntakeLimits
from clusterkg.loaders.survey.sandbox import Breach

router = APIRouter(tags=["survey"])
__all__ = ["intake_limits", "router", "validation_slots"]


def _answer(report: survey_jobs.Report) -> JSONResponse:
    status = 200 if report.exit_code < 2 else (413 if report.limit else 422)
    return JSONResponse(report.body, status_code=status)


@router.post("/validate")
async def validate_upload(
    request: Request,
    limits: IntakeLimits = Depends(intake_limits),
    slots: int = Depends(validation_slots),
) -> JSONResponse:
    """Validate uploaded survey files (CSV set, XLSX workbook, Turtle, JSON-LD)."""

    def job(inputs: Files) -> tuple[object, ...]:
        return (inputs, "json", limits.upload_max_bytes)

    taken = await take_in(request, limits, slots, survey_jobs.validate_files, job)
    if isinstance(taken, Refusal):
        return JSONResponse(
            {"status": "unusable", "detail": taken.detail}, taken.status, headers=taken.headers
        )
    files, outcome = taken
    if isinstance(outcome, Breach):
        return _answer(survey_jobs.stopped(files, outcome, "json"))
    return _answer(outcome.value)
