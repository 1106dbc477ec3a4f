"""The named-query library: one `.rq` file per query under `queries/<topic>/`, each starting
with `#+ key: value` header lines (the grlc convention): summary, description, tags, and
`param` lines naming the `?variables` a caller may bind."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from clusterkg.paths import QUERIES_DIR


@dataclass(frozen=True)
class NamedQuery:
    """A query of the library, with the documentation of its header."""

    name: str
    topic: str
    path: Path
    summary: str
    description: str = ""
    tags: tuple[str, ...] = ()
    params: tuple[str, ...] = field(default=())

    @property
    def text(self) -> str:
        return self.path.read_text(encoding="utf-8")


def parse_header(path: Path) -> dict[str, list[str]]:
    """The `#+ key: value` lines at the top of a query file."""
    header: dict[str, list[str]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#+"):
            if line.strip() and not line.startswith("#"):
                break
            continue
        key, _, value = line[2:].partition(":")
        header.setdefault(key.strip(), []).append(value.strip())
    return header


@cache
def library(directory: Path = QUERIES_DIR) -> dict[str, NamedQuery]:
    """Every named query, by name (the file name without `.rq`; names are unique)."""
    found: dict[str, NamedQuery] = {}
    for path in sorted(directory.rglob("*.rq")):
        header = parse_header(path)
        if "summary" not in header:
            raise ValueError(f"{path}: a named query needs a '#+ summary:' header line")
        name = path.stem
        if name in found:
            raise ValueError(f"{path}: a query named {name!r} exists already")
        found[name] = NamedQuery(
            name=name,
            topic=path.parent.name,
            path=path,
            summary=" ".join(header["summary"]),
            description=" ".join(header.get("description", [])),
            tags=tuple(
                t.strip() for v in header.get("tags", []) for t in v.split(",") if t.strip()
            ),
            params=tuple(p.split()[0].lstrip("?") for p in header.get("param", []) if p),
        )
    return found
