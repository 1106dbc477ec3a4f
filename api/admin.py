"""Administration routes, behind the admin token: swap in a freshly built dataset.

`POST /admin/reload` re-reads the dataset file and serves it. Authorisation is a Bearer
token (RFC 6750) equal to `CLUSTERKG_ADMIN_TOKEN`; with no token configured the route is
refused outright, so a deployment is read-only unless someone chose otherwise.
"""

from __future__ import annotations

import hmac
import logging

import anyio.to_thread
from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response

from clusterkg.api.state import StoreHolder, get_holder, get_settings
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
            store = await anyio.to_thread.run_sync(StoreHolder.load, settings.dataset)
            holder.replace(store)
        except Exception as error:
            log.exception("reload of %s failed", settings.dataset)
            return PlainTextResponse(
                f"reload failed, the previous dataset is still served: "
                f"{type(error).__name__}: {error}\n",
                500,
            )
    return JSONResponse(
        {"dataset": str(settings.dataset), "quads": len(store), "graphs": store.named_graphs()}
    )
