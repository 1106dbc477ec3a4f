"""`POST /validate`: upload survey files (multipart/form-data, field `files`), get the report.

The same validation as `clusterkg validate`: 200 with the report when the files could be read
(`status` valid or invalid), 422 with the report when they could not (wrong encoding,
truncated, malformed), 413 over the size limit (checked on Content-Length before the body is
read, and again per file). Nothing is stored.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from starlette.datastructures import UploadFile

from clusterkg.loaders.survey.validate import MAX_BYTES, validate_inputs

router = APIRouter(tags=["survey"])
MAX_FILES = 50


def upload_limit() -> int:
    """Largest upload in bytes; tests and deployments override it with `dependency_overrides`."""
    return MAX_BYTES


def _too_large(limit: int) -> JSONResponse:
    return JSONResponse(
        {
            "status": "unusable",
            "detail": f"the upload is over the limit of {limit:,} bytes; split it",
        },
        status_code=413,
    )


@router.post("/validate")
async def validate_upload(request: Request, limit: int = Depends(upload_limit)) -> JSONResponse:
    """Validate uploaded survey files (CSV set, XLSX workbook, Turtle, JSON-LD)."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit + 64 * 1024:
        return _too_large(limit)
    form = await request.form(max_files=MAX_FILES)
    try:
        uploads = [f for f in form.getlist("files") if isinstance(f, UploadFile)]
        inputs: list[tuple[str, bytes]] = []
        for upload in uploads:
            if upload.size is not None and upload.size > limit:
                return _too_large(limit)
            data = await upload.read(limit + 1)
            if len(data) > limit:
                return _too_large(limit)
            inputs.append((upload.filename or "upload", data))
    finally:
        await form.close()
    if not inputs:
        return JSONResponse(
            {
                "status": "unusable",
                "detail": "no file: send multipart/form-data with one or more 'files' fields",
            },
            status_code=422,
        )
    result = await run_in_threadpool(validate_inputs, inputs, max_bytes=limit)
    return JSONResponse(result.as_json(), status_code=422 if result.unusable else 200)
