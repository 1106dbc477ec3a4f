"""The public server the graph is published on, read from `data/publication.yaml`.

One setting names it, so the w3id rewrite rules (`api/w3id.py`), the catalogue
(`api/catalog.py`) and anything else that must name the public server agree by construction.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from clusterkg.paths import DATA_DIR

PUBLICATION_FILE = DATA_DIR / "publication.yaml"


def https_base(server: str) -> str:
    """`server` without a trailing slash, if it is an https base URL (no query or fragment)."""
    parts = urlsplit(server)
    if parts.scheme != "https" or not parts.netloc or parts.query or parts.fragment:
        raise ValueError(f"server must be an https base URL such as https://host/path, "
                         f"got {server!r}")
    return server.rstrip("/")


@dataclass(frozen=True)
class Publication:
    """Where the graph is served: `server` is an https base URL without a trailing slash."""

    server: str

    def url(self, path: str) -> str:
        """The public URL of a server path (`sparql`, `api/`)."""
        return f"{self.server}/{path.lstrip('/')}"


@cache
def publication(path: Path = PUBLICATION_FILE) -> Publication:
    """The publication settings; an invalid server stops with the file's name."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    try:
        return Publication(https_base(str(data["server"])))
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"{path.name}: {exc}") from exc
