"""HTTP behaviour of the JSON-LD API: representation choice, ETags from the release, caching.

Every representation of an API URL is a function of the served release, so its ETag is the
release version (`holder.release.version`: the build and every wave in it, by checksum) plus a
digest of the URL and media type: a client revalidating with `If-None-Match` gets 304 until a
release with other data is served.
"""

from __future__ import annotations

import hashlib
import json

from fastapi import Request, Response

from clusterkg.api import media
from clusterkg.api.media import MediaFormat, parse_accept

API_CACHE_CONTROL = "public, max-age=300, must-revalidate"
IMMUTABLE_CACHE_CONTROL = "public, max-age=31536000, immutable"


# The representations of the API: `media`'s one table of RDF formats, JSON-LD the default
# (JSON-LD 1.1 §C: application/json is accepted, and answered, as the same document).
OFFERED: tuple[MediaFormat, ...] = media.document_formats("JSON-LD")
JSONLD = OFFERED[0]
JSON = "application/json"
FORMAT_NAMES = (*(m.extension for m in OFFERED), "json")


class NotAcceptable(ValueError):
    """Nothing the client accepts is offered (HTTP 406)."""


def choose(accept: str | None, format_name: str | None) -> tuple[MediaFormat, str]:
    """The representation and the Content-Type to answer with. `format=` wins over Accept;
    an absent Accept or `*/*` gets JSON-LD; `application/json` is answered as such. An alias
    named exactly (`text/plain`, `application/xml`) gets its format's canonical type."""
    if format_name is not None:
        if format_name == "json":
            return JSONLD, JSON
        for fmt in OFFERED:
            if fmt.extension == format_name:
                return fmt, fmt.media_type
        raise NotAcceptable(f"format: expected one of {', '.join(FORMAT_NAMES)}")
    ranges = parse_accept(accept)
    if not ranges:
        return JSONLD, JSONLD.media_type
    best: tuple[float, int, int] = (0.0, -1, 0)
    chosen: tuple[MediaFormat, str] | None = None
    for position, fmt in enumerate(OFFERED):
        for media_type in (fmt.media_type, *fmt.aliases):
            for rng in ranges:
                if rng.q <= 0 or not rng.matches(media_type):
                    continue
                if rng.specificity < 2 and media_type != fmt.media_type:
                    continue  # wildcards choose canonical types, never an alias
                rank = (rng.q, rng.specificity, -position)
                if rank > best:
                    answered = JSON if media_type == JSON else fmt.media_type
                    best, chosen = rank, (fmt, answered)
    if chosen is None:
        offered = ", ".join(m.media_type for m in OFFERED) + f", {JSON}"
        raise NotAcceptable(f"none of the accepted media types is offered; offered: {offered}")
    return chosen


def etag_for(version: str, request: Request, media_type: str) -> str:
    """Strong ETag of one representation of one URL in one release."""
    variant = f"{request.url.path}?{request.url.query}|{media_type}".encode()
    return f'"{version}-{hashlib.sha256(variant).hexdigest()[:12]}"'


def not_modified(request: Request, etag: str) -> bool:
    """Whether `If-None-Match` names this ETag (weak comparison, RFC 9110 §13.1.2) or `*`."""
    header = request.headers.get("if-none-match")
    if not header:
        return False
    tags = [tag.strip().removeprefix("W/") for tag in header.split(",")]
    return "*" in tags or etag.removeprefix("W/") in tags


def cached_response(
    request: Request, body: bytes, media_type: str, etag: str, cache_control: str
) -> Response:
    """200 with the body, or 304 without it when the client already holds this ETag."""
    headers = {"ETag": etag, "Cache-Control": cache_control, "Vary": "Accept"}
    if not_modified(request, etag):
        return Response(status_code=304, headers=headers)
    content_type = media_type if "json" in media_type or "xml" in media_type else (
        f"{media_type}; charset=utf-8"
    )
    return Response(body, media_type=content_type, headers=headers)


def problem(status: int, title: str, detail: str, **extra: str) -> Response:
    """An RFC 9457 problem document."""
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}
    return Response(
        json.dumps(body, ensure_ascii=False).encode(),
        status_code=status,
        media_type="application/problem+json",
    )
