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
