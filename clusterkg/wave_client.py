"""`clusterkg load --service URL`: hand a wave to a running service instead of a dist folder.

The files go, unchanged, as `multipart/form-data` to `POST {URL}/admin/waves/{name}` with the
admin Bearer token; the service validates them, writes the wave into the `dist/` it serves and
swaps in the new release, so readers see the wave at once and never half of it. Standard
library only (urllib), so the command needs nothing the service does not.
"""

from __future__ import annotations

import json
import secrets
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass

TIMEOUT = 300.0


class ServiceError(RuntimeError):
    """The service refused the wave or could not be reached; `status` is the HTTP status (0
    when there was no answer) and `body` its JSON answer if it sent one."""

    def __init__(self, message: str, status: int, body: dict[str, object] | None) -> None:
        super().__init__(message)
        self.status = status
        self.body = body


@dataclass(frozen=True)
class ServiceAnswer:
    status: int
    body: dict[str, object]


def _multipart(files: Sequence[tuple[str, bytes]]) -> tuple[bytes, str]:
    boundary = "clusterkg-" + secrets.token_hex(16)
    parts: list[bytes] = []
    for name, data in files:
        safe = name.replace('"', "_").replace("\r", "_").replace("\n", "_")
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="{safe}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n".encode()
            + data
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def _json(raw: bytes) -> dict[str, object] | None:
    try:
        value = json.loads(raw)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def send_wave(
    service: str, files: Sequence[tuple[str, bytes]], name: str, token: str, replace: bool
) -> ServiceAnswer:
    """POST the wave's files to the service; raises `ServiceError` unless it was loaded."""
    parsed = urllib.parse.urlsplit(service)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise ServiceError(f"--service {service!r}: give the service's http(s) URL", 0, None)
    url = f"{service.rstrip('/')}/admin/waves/{urllib.parse.quote(name, safe='')}"
    if replace:
        url += "?replace=true"
    body, content_type = _multipart(files)
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={"Content-Type": content_type, "Authorization": f"Bearer {token}"},
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            raw = response.read()
            return ServiceAnswer(response.status, _json(raw) or {})
    except urllib.error.HTTPError as error:
        raw = error.read()
        answer = _json(raw)
        detail = answer.get("detail") if answer else raw.decode("utf-8", "replace").strip()
        raise ServiceError(
            f"the service answered {error.code}: {detail}", error.code, answer
        ) from error
    except (urllib.error.URLError, OSError) as error:
        raise ServiceError(f"could not reach {service}: {error}", 0, None) from error
