"""An installed wheel works outside the checkout: the `clusterkg/<folder>` links are followed
when the wheel is built, so it holds real folders, its data files included, and no warnings."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FOLDERS = ("clusterkg", "ontology", "loaders", "shapes", "graph", "api", "queries", "data")


def test_the_wheel_holds_the_package_and_runs_from_elsewhere(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    for name in FOLDERS:
        shutil.copytree(
            ROOT / name, project / name, symlinks=True, ignore=shutil.ignore_patterns("__pycache__")
        )
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, project / name)
    built = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "-q",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(tmp_path / "wheels"),
            str(project),
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert built.returncode == 0, built.stderr
    assert "BuildBackendWarning" not in built.stderr, built.stderr  # the former 460-line wall
    assert "SetuptoolsDeprecationWarning" not in built.stderr, built.stderr
    (wheel,) = (tmp_path / "wheels").glob("clusterkg-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for expected in (
        "clusterkg/loaders/report/table8.py",
        "clusterkg/loaders/mappings/programme_budget.yaml",
        "clusterkg/data/documents.yaml",
        "clusterkg/shapes/core.ttl",
        "clusterkg/ontology/clusterkg.ttl",
        "clusterkg/api/catalog.yaml",  # the catalogue, the pages' term labels, the query
        "clusterkg/api/term-labels.yaml",  # page's asset manifest: read by the service
        "clusterkg/api/vendor.json",
    ):
        assert expected in names, expected
    installed = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(installed)
    probe = (
        "import sys; sys.path.insert(0, sys.argv[1]);"
        "import clusterkg.loaders.registry as r, clusterkg.paths as p;"
        "print(r.__file__); print(len(r.EXTRACTORS)); print(p.MAPPINGS_DIR)"
    )
    ran = subprocess.run(
        [sys.executable, "-c", probe, str(installed)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
        env={**os.environ, "PYTHONPATH": ""},
    )
    assert ran.returncode == 0, ran.stderr
    module, count, mappings = ran.stdout.split()
    assert module.startswith(str(installed)) and mappings.startswith(str(installed))
    assert int(count) > 10
