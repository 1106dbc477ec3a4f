"""Administration routes, behind the admin token: serve a new build, load a survey wave.

`POST /admin/reload` loads the current release again (`graph.release.load_release`: the dump
is checked against its manifest, every wave against its seal) and serves it; a refused release
leaves the previous one serving. `POST /admin/waves/{name}` (multipart, field `files`; `?replace=
true` to replace) validates survey files, writes them as a wave of the served `dist/`, loads the
new release and swaps it in: the service serves the wave without a restart, and a reader sees
all of it or none of it (`StoreHolder.replace`). `clusterkg load --service URL` calls it.

Authorisation is a Bearer token (RFC 6750) equal to `CLUSTERKG_ADMIN_TOKEN`; with no token
configured the routes are refused outright, so a deployment is read-only unless someone chose
otherwise.
"""

from __future__ import annotations

import hmac
import logging

import anyio.to_thread
from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from starlette.datastructures import UploadFile

from clusterkg.api.state import StoreHolder, get_holder, get_settings
from clusterkg.graph import waves
from clusterkg.graph.release import ReleaseError
from clusterkg.loaders.survey.validate import MAX_BYTES
from clusterkg.paths import DistLayout
from clusterkg.settings import Settings

MAX_WAVE_FILES = 100

router = APIRouter(prefix="/admin", tags=["admin"])
log = logging.getLogger(__name__)


def authorised(request: Request, settings: Settings) -> Response | None:
    """None if the request carries the admin token, else the refusal to send."""
    token = settings.admin_token_value()
    if token is None:
        return PlainTextResponse("admin routes are disabled: no admin token is configured\n", 403)
    scheme, _, credential = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(
        credential.strip().encode(), token.encode()  # bytes: a non-ASCII token is a 401, not a 500
    ):
        return PlainTextResponse(
            "a valid admin Bearer token is required\n",
            401,
            headers={"WWW-Authenticate": 'Bearer realm="clusterkg-admin"'},
        )
    return None


@router.post("/reload")
async def reload_dataset(
    request: Request,
    holder: StoreHolder = Depends(get_holder),
    settings: Settings = Depends(get_settings),
) -> Response:
    """Load the dataset file again and serve it; on failure the current data stays live."""
    refusal = authorised(request, settings)
    if refusal is not None:
        return refusal
    async with holder.reload_lock:
        try:
            store, release = await anyio.to_thread.run_sync(StoreHolder.open, settings)
            holder.replace(store, release)
        except Exception as error:
            log.exception("reload of %s failed", settings.dataset)
            return PlainTextResponse(
                f"reload failed, the previous dataset is still served: "
                f"{type(error).__name__}: {error}\n",
                500,
            )
    return JSONResponse(
        {
            "dataset": str(settings.dataset),
            "quads": len(store),
            "graphs": store.named_graphs(),
            "release": release.as_json(),
        }
    )


async def _read_files(request: Request, limit: int) -> list[tuple[str, bytes]] | Response:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit + 64 * 1024:
        return PlainTextResponse(f"the upload is over the limit of {limit:,} bytes\n", 413)
    form = await request.form(max_files=MAX_WAVE_FILES)
    try:
        files: list[tuple[str, bytes]] = []
        for upload in form.getlist("files"):
            if not isinstance(upload, UploadFile):
                continue
            data = await upload.read(limit + 1)
            if len(data) > limit:
                return PlainTextResponse(
                    f"{upload.filename}: over the limit of {limit:,} bytes\n", 413
                )
            files.append((upload.filename or "upload", data))
    finally:
        await form.close()
    if not files:
        return PlainTextResponse(
            "no file: send multipart/form-data with one or more 'files' fields\n", 422
        )
    return files


@router.post("/waves/{name}")
async def load_wave(
    name: str,
    request: Request,
    replace: bool = False,
    holder: StoreHolder = Depends(get_holder),
    settings: Settings = Depends(get_settings),
) -> Response:
    """Validate survey files, write them as wave `name` and serve the release that includes
    it; nothing changes unless all of it passes."""
    refusal = authorised(request, settings)
    if refusal is not None:
        return refusal
    if settings.store:  # issue 14: the release lives in the store; a publish changes it
        return PlainTextResponse(
            "this service serves the release of a remote store: load the wave with "
            "`clusterkg load FILES --wave NAME --store URL`, which publishes it to the store\n",
            409)
    files = await _read_files(request, MAX_BYTES)
    if isinstance(files, Response):
        return files
    dist = DistLayout.of_dataset(settings.dataset).root
    async with holder.reload_lock:
        try:
            loaded = await anyio.to_thread.run_sync(
                lambda: waves.load_wave(files, name, dist, replace=replace)
            )
        except waves.WaveError as error:
            body: dict[str, object] = {"loaded": False, "detail": str(error)}
            if error.result is not None:
                body["report"] = error.result.as_json()
            exists = error.result is None and "exists" in str(error)
            return JSONResponse(body, status_code=409 if exists else 422)
        try:
            store, release = await anyio.to_thread.run_sync(StoreHolder.open, settings)
            holder.replace(store, release)
        except (ReleaseError, OSError) as error:
            log.exception("release with wave %s refused", name)
            return PlainTextResponse(
                f"wave {name} was written but the release does not load, the previous release "
                f"is still served: {error}\n",
                500,
            )
    return JSONResponse(
        {
            "loaded": True,
            "wave": loaded.name,
            "replaced": loaded.replaced,
            "quads": loaded.quads,
            "graph": waves.wave_graph_iri(loaded.name),
            "findings": [str(f) for f in loaded.result.findings],
            "release": release.as_json(),
        }
    )
