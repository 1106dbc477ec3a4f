"""Where the package's declarative files live, whether run from a checkout or from site-packages.

Every module locates ontology, shapes, queries, mappings and sources through this one module,
never through the working directory.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def _package_dir(package: str) -> Path:
    return Path(str(files(package)))


ONTOLOGY_DIR: Path = _package_dir("clusterkg.ontology")
VOCABULARIES_DIR: Path = ONTOLOGY_DIR / "vocabularies"
CHECKS_DIR: Path = ONTOLOGY_DIR / "checks"
SHAPES_DIR: Path = _package_dir("clusterkg.shapes")
QUERIES_DIR: Path = _package_dir("clusterkg.queries")
MAPPINGS_DIR: Path = _package_dir("clusterkg.loaders") / "mappings"
DATA_DIR: Path = _package_dir("clusterkg.data")
SOURCES_DIR: Path = DATA_DIR / "sources"
CORRECTIONS_FILE: Path = DATA_DIR / "corrections.yaml"
API_DIR: Path = _package_dir("clusterkg.api")
STATIC_DIR: Path = API_DIR / "static"

ONTOLOGY_FILE: Path = ONTOLOGY_DIR / "clusterkg.ttl"
ALIGNMENTS_FILE: Path = ONTOLOGY_DIR / "alignments.ttl"


def default_dist_dir() -> Path:
    """The build output folder: `./dist` of the current directory unless configured."""
    return Path.cwd() / "dist"


# ---------------------------------------------------------------- the dist/ layout
# One home for the layout of a build output folder (issue 10 item 4). A build writes a whole
# release folder under `releases/`, then switches the `current` link to it in one rename; the
# published names at the top of `dist/` are links through `current`, so they always show one
# release, never a mix. Survey waves live beside the releases, one verified file each.

DUMP_NAME = "clusterkg.nq"
TRIG_NAME = "clusterkg.trig"
JSONLD_NAME = "clusterkg.jsonld"
ONTOLOGY_PAGE_NAME = "ontology.html"
TABLES_NAME = "tables"
MANIFEST_NAME = "build.json"
PUBLISHED_NAMES = (
    DUMP_NAME,
    TRIG_NAME,
    JSONLD_NAME,
    ONTOLOGY_PAGE_NAME,
    TABLES_NAME,
    MANIFEST_NAME,
)
STAGING_PREFIX = ".staging-"


class DistLayout:
    """Where each part of a build output folder lives; the only code that spells these paths."""

    def __init__(self, root: Path) -> None:
        self.root = root

    @property
    def releases(self) -> Path:
        return self.root / "releases"

    @property
    def current(self) -> Path:
        """The link naming the release being served."""
        return self.root / "current"

    @property
    def previous(self) -> Path:
        """The link naming the release served before `current` (kept for a rollback)."""
        return self.root / "previous"

    @property
    def waves(self) -> Path:
        return self.root / "waves"

    @property
    def dump(self) -> Path:
        """`dist/clusterkg.nq`: the current release's N-Quads dump (through `current`)."""
        return self.root / DUMP_NAME

    @property
    def manifest(self) -> Path:
        return self.root / MANIFEST_NAME

    @property
    def tables(self) -> Path:
        return self.root / TABLES_NAME

    @property
    def ontology_page(self) -> Path:
        return self.root / ONTOLOGY_PAGE_NAME

    @property
    def lock(self) -> Path:
        """Held by a build or a wave load while it writes, so two never interleave."""
        return self.root / ".lock"

    def release(self, name: str) -> Path:
        return self.releases / name

    def wave(self, name: str) -> Path:
        return self.waves / f"{name}.nq"

    @classmethod
    def of_dataset(cls, dataset: Path) -> DistLayout:
        """The layout a served dataset path belongs to (`dist/clusterkg.nq` -> `dist/`)."""
        return cls(dataset.parent)
