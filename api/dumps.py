"""The dumps of the release at `/dumps/…`, the download URLs the catalogue gives.

Only files the catalogue lists are served. Each answer carries `Content-Length` and an
`ETag` made from the file's SHA-256 (the checksum the catalogue states), honours
`If-None-Match`, and is gzip-compressed when the client accepts it (the compressed bytes are
made once per file version and kept in memory; the dumps are a few megabytes).
"""

from __future__ import annotations

import gzip
from functools import lru_cache

from fastapi import APIRouter, Depends, Request
from fastapi.responses import PlainTextResponse, Response

from clusterkg.api.catalog import Dump, dumps
from clusterkg.api.state import get_settings
from clusterkg.settings import Settings

router = APIRouter(tags=["dumps"])


@lru_cache(maxsize=64)
def _gzipped(path: str, sha256: str) -> bytes:
    """The gzip form of one file version (keyed by its checksum)."""
    with open(path, "rb") as fh:
        return gzip.compress(fh.read(), compresslevel=6, mtime=0)


def _accepts_gzip(header: str | None) -> bool:
    for element in (header or "").split(","):
        coding, *params = (part.strip().lower() for part in element.split(";"))
        if coding in ("gzip", "x-gzip", "*"):
            return not any(p.replace(" ", "") in ("q=0", "q=0.0", "q=0.00", "q=0.000")
                           for p in params)
    return False


def _find(settings: Settings, name: str) -> Dump | None:
    for dump in dumps(settings.dataset.parent):
        if dump.name == name:
            return dump
    return None


@router.api_route("/dumps/{name:path}", methods=["GET", "HEAD"], include_in_schema=False)
def download(request: Request, name: str, settings: Settings = Depends(get_settings)) -> Response:
    """One dump of the catalogue, by the name its download URL gives."""
    dump = _find(settings, name)
    if dump is None:
        listed = ", ".join(d.name for d in dumps(settings.dataset.parent))
        return PlainTextResponse(f"no dump {name!r}; the catalogue lists: {listed}\n", 404)
    etag = f'"sha256-{dump.sha256}"'
    headers = {
        "ETag": etag,
        "Vary": "Accept-Encoding",
        "Cache-Control": "public, max-age=300",
        "Content-Disposition": f'attachment; filename="{dump.path.name}"',
        "X-Content-Type-Options": "nosniff",
    }
    if etag in [tag.strip() for tag in request.headers.get("if-none-match", "").split(",")]:
        return Response(status_code=304, headers=headers)
    text = dump.media_type.startswith("text/")
    media_type = dump.media_type + ("; charset=utf-8" if text else "")
    if _accepts_gzip(request.headers.get("accept-encoding")):
        body = _gzipped(str(dump.path), dump.sha256)
        headers["Content-Encoding"] = "gzip"
    else:
        body = dump.path.read_bytes()
    headers["Content-Length"] = str(len(body))
    if request.method == "HEAD":
        return Response(status_code=200, headers=headers, media_type=media_type)
    return Response(body, headers=headers, media_type=media_type)
