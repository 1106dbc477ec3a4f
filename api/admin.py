"""Administration routes, behind the admin token: serve a new build, load a survey wave.

`POST /admin/reload` loads the current release again (`graph.release.load_release`: the dump
is checked against its manifest, every wave against its seal) and serves it; a refused release
leaves the previous one serving. `POST /admin/waves/{name}` (multipart, field `files`; `?replace=
true` to replace) takes the upload in the way `POST /validate` does (`api/intake.py`: a shared
validation slot or 503, the body streamed and cut at the byte limit, validation in a bounded
child process that cannot reach the network), writes the sealed wave into the served `dist/`,
loads the new release and swaps it in: the service serves the wave without a restart, and a
reader sees all of it or none of it (`StoreHolder.replace`). `clusterkg load --service URL`
calls it.

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

from clusterkg import survey_jobs
from clusterkg.api.intake import Files, Refusal, intake_limits, take_in, validation_slots
from clusterkg.api.state import StoreHolder, get_holder, get_settings
from clusterkg.graph import waves
from clusterkg.graph.release import ReleaseError
from clusterkg.loaders.survey.limits import IntakeLimits
from clusterkg.loaders.survey.sandbox import Breach
from clusterkg.paths import DistLayout
from clusterkg.settings import Settings

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
            store, release = await anyio.to_thread.run_sync(
                StoreHolder.open, settings, holder.engines)
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


def _wave_refusal(status: int, detail: str, **extra: object) -> JSONResponse:
    headers = extra.pop("headers", None)
    return JSONResponse(
        {"loaded": False, "detail": detail, **extra},
        status_code=status,
        headers=headers if isinstance(headers, dict) else None,
    )


@router.post("/waves/{name}")
async def load_wave(
    name: str,
    request: Request,
    replace: bool = False,
    holder: StoreHolder = Depends(get_holder),
    settings: Settings = Depends(get_settings),
    limits: IntakeLimits = Depends(intake_limits),
    slots: int = Depends(validation_slots),
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
    dist = DistLayout.of_dataset(settings.dataset).root
    try:
        waves.check_name(name)
    except waves.WaveError as error:
        return _wave_refusal(422, str(error))
    if waves.wave_path(dist, name).exists() and not replace:
        return _wave_refusal(409, f"wave {name!r} exists: use --replace to replace it")

    def job(inputs: Files) -> tuple[object, ...]:
        return (inputs, name, limits.upload_max_bytes)

    taken = await take_in(request, limits, slots, survey_jobs.prepare_upload, job)
    if isinstance(taken, Refusal):
        return _wave_refusal(taken.status, taken.detail, headers=taken.headers)
    files, outcome = taken
    if isinstance(outcome, Breach):
        report = survey_jobs.stopped(files, outcome, "json")
        status = 413 if report.limit else 422
        detail = f"wave {name!r} not loaded, nothing changed: {outcome.message}"
        return _wave_refusal(status, detail, report=report.body)
    prepared = outcome.value
    if prepared.sealed is None:
        extra = {} if prepared.report is None else {"report": prepared.report}
        return _wave_refusal(413 if prepared.limit else 422, prepared.detail, **extra)
    sealed = prepared.sealed
    async with holder.reload_lock:
        try:
            _, replaced = await anyio.to_thread.run_sync(
                lambda: waves.write_wave(sealed, name, dist, replace=replace)
            )
        except waves.WaveError as error:
            return _wave_refusal(409, str(error))
        try:
            store, release = await anyio.to_thread.run_sync(
                StoreHolder.open, settings, holder.engines)
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
            "wave": name,
            "replaced": replaced,
            "quads": prepared.quads,
            "graph": waves.wave_graph_iri(name),
            "findings": prepared.findings,
            "release": release.as_json(),
        }
    )
