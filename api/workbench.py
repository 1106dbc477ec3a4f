"""What the query page needs besides the SPARQL endpoint: its browser libraries and the terms
its editor completes.

- `/vendor/<name>`: the YASGUI, Vega-Lite and world-atlas files that `make setup` installs from
  npm (`npm ci` against `package-lock.json`) into `node_modules/`. Only the files named in
  `api/vendor.json` are served, so the page loads nothing from another host and nothing else of
  `node_modules` is reachable.
- `/workbench/prefixes.json`: the prefixes the ontology, the vocabularies and the mappings
  declare, for YASQE's prefix completion (instead of prefix.cc).
- `/workbench/terms.json`: the classes and properties this graph uses, for YASQE's class and
  property completion (instead of the public LOV service).
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Annotated

import pyoxigraph as ox
from fastapi import APIRouter, Depends
from fastapi.responses import FileResponse, JSONResponse, PlainTextResponse, Response

from clusterkg.api.state import get_store
from clusterkg.graph.store import Store
from clusterkg.iris import PREFIXES
from clusterkg.paths import API_DIR, ONTOLOGY_DIR

router = APIRouter(tags=["pages"], include_in_schema=False)

NODE_MODULES: Path = API_DIR.resolve().parent / "node_modules"
MANIFEST: Path = API_DIR / "vendor.json"
SETUP_HINT = "`make setup` installs the query page's libraries (npm ci into node_modules/)"
_PREFIX_LINE = re.compile(r"^\s*@?prefix\s+([A-Za-z][\w.-]*)?:\s*<([^>]+)>", re.IGNORECASE)
_CACHE = {"Cache-Control": "public, max-age=3600", "X-Content-Type-Options": "nosniff"}

TYPES = 'SELECT DISTINCT ?term ("class" AS ?kind) WHERE { ?s a ?term }'
PROPERTIES = "SELECT DISTINCT ?term WHERE { ?s ?term ?o } ORDER BY ?term"
DECLARED = """
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT DISTINCT ?kind ?term WHERE {
  VALUES (?type ?kind) { (owl:Class "class") (rdfs:Class "class") (owl:ObjectProperty "property")
                         (owl:DatatypeProperty "property") (rdf:Property "property") }
  ?term a ?type FILTER (isIRI(?term))
}
"""


@cache
def manifest() -> dict[str, str]:
    """Served name -> path under node_modules, from `api/vendor.json`."""
    entries: dict[str, str] = json.loads(MANIFEST.read_text(encoding="utf-8"))
    return {name: path for name, path in entries.items() if not name.startswith("_")}


@cache
def declared_prefixes() -> dict[str, str]:
    """Every prefix the ontology's Turtle files declare, with the mappings' prefixes."""
    found: dict[str, str] = {}
    for path in sorted(ONTOLOGY_DIR.rglob("*.ttl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            match = _PREFIX_LINE.match(line)
            if match and match.group(1):
                found.setdefault(match.group(1), match.group(2))
    found.update(PREFIXES)
    return dict(sorted(found.items()))


def graph_terms(store: Store) -> dict[str, list[str]]:
    """Classes (used as a type, or declared) and properties (used, or declared) of the graph."""
    classes: set[str] = set()
    properties: set[str] = set()
    for sparql in (TYPES, DECLARED):
        result = store.query(sparql)
        assert isinstance(result, ox.QuerySolutions)
        for row in result:
            term, kind = row["term"], row["kind"]
            if isinstance(term, ox.NamedNode) and isinstance(kind, ox.Literal):
                (classes if kind.value == "class" else properties).add(term.value)
    used = store.query(PROPERTIES)
    assert isinstance(used, ox.QuerySolutions)
    properties.update(row["term"].value for row in used if isinstance(row["term"], ox.NamedNode))
    return {"classes": sorted(classes), "properties": sorted(properties)}


_terms_cache: list[tuple[Store, dict[str, list[str]]]] = []


@router.get("/vendor/{name}")
def vendor_asset(name: str) -> Response:
    """One of the query page's npm-installed browser files (only those of the manifest)."""
    relative = manifest().get(name)
    if relative is None:
        return PlainTextResponse(f"no vendor file {name!r}; served are {sorted(manifest())}\n",
                                 404)
    path = NODE_MODULES / relative
    if not path.is_file():
        return PlainTextResponse(f"{path} is missing: {SETUP_HINT}\n", 503)
    media_type = {".js": "text/javascript", ".css": "text/css", ".json": "application/json"}[
        path.suffix
    ]
    return FileResponse(path, media_type=media_type + "; charset=utf-8", headers=_CACHE)


@router.get("/workbench/prefixes.json")
def prefixes() -> JSONResponse:
    """Prefix -> namespace, as YASQE's prefix completion reads it."""
    return JSONResponse(declared_prefixes(), headers=_CACHE)


@router.get("/workbench/terms.json")
def terms(store: Annotated[Store, Depends(get_store)]) -> JSONResponse:
    """The classes and properties of the graph served, computed once per loaded store."""
    if not _terms_cache or _terms_cache[0][0] is not store:
        _terms_cache[:] = [(store, graph_terms(store))]  # a reload replaced the store
    return JSONResponse(_terms_cache[0][1], headers={"Cache-Control": "no-cache"})
