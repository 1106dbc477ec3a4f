"""Pages for people: the query page at `/`, the ontology page, and their static assets.

The query page is one hand-written HTML file with a small script and style sheet from
`api/static/`; it loads nothing from other hosts (its Content-Security-Policy says so), so it
works offline. The library's queries are embedded in the page as its examples. The ontology
page is the `ontology.html` the build writes next to the dataset dump.
"""

from __future__ import annotations

import json
import mimetypes
from string import Template

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, HTMLResponse, PlainTextResponse, Response

from clusterkg import __version__
from clusterkg.api.queries import describe, get_library
from clusterkg.api.state import get_settings
from clusterkg.paths import API_DIR, STATIC_DIR
from clusterkg.queries.library import NamedQuery
from clusterkg.settings import Settings

router = APIRouter(tags=["pages"], include_in_schema=False)

TEMPLATES_DIR = API_DIR / "templates"
# 'unsafe-inline' styles (not scripts): YASGUI and Vega set style attributes and sheets at run
# time (issue 16); scripts stay limited to this server's own files.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; "
        "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def _json_for_html(value: object) -> str:
    """JSON safe inside a `<script type="application/json">` element."""
    text = json.dumps(value, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


@router.get("/", response_class=HTMLResponse)
def query_page(
    request: Request,
    queries: dict[str, NamedQuery] = Depends(get_library),
    settings: Settings = Depends(get_settings),
) -> HTMLResponse:
    """The query page: an editor, the library's queries as examples, results as a table."""
    template = Template((TEMPLATES_DIR / "query.html").read_text(encoding="utf-8"))
    examples = [describe(q, request) for q in queries.values()]
    html = template.substitute(
        examples=_json_for_html(examples),
        version=__version__,
        max_rows=settings.max_rows,
    )
    return HTMLResponse(html, headers=SECURITY_HEADERS)


@router.get("/ontology", response_class=HTMLResponse)
def ontology_page(settings: Settings = Depends(get_settings)) -> Response:
    """The ontology's documentation page, written by the build beside the dataset."""
    page = settings.dataset.parent / "ontology.html"
    if not page.is_file():
        return PlainTextResponse(
            f"no ontology page at {page}: `clusterkg build` writes ontology.html next to the "
            "dataset dump; build the graph, or point CLUSTERKG_DATASET at a build folder's "
            "clusterkg.nq\n",
            404,
        )
    return FileResponse(page, media_type="text/html; charset=utf-8")


@router.get("/static/{path:path}")
def static_asset(path: str) -> Response:
    """A file of `api/static/` (nothing outside it)."""
    root = STATIC_DIR.resolve()
    target = (root / path).resolve()
    if not target.is_relative_to(root) or not target.is_file():
        return PlainTextResponse(f"no static file {path!r}\n", 404)
    media_type = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
    if media_type.startswith("text/") or media_type.endswith("javascript"):
        media_type += "; charset=utf-8"
    return FileResponse(
        target,
        media_type=media_type,
        headers={"Cache-Control": "public, max-age=300", "X-Content-Type-Options": "nosniff"},
    )
