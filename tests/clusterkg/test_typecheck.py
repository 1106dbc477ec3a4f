"""The type-checker set-up: mypy must see the real module behind every cross-folder import.

The import names (`clusterkg.loaders…`) differ from the folders (`loaders/`); the
`clusterkg/<folder>` links make them the same paths. If the links or the mypy configuration
break, imports turn into `Any` and wrong calls pass silently. This test writes deliberately wrong
calls across top-level folders into a temporary copy of the project and runs mypy exactly as
`make typecheck` does.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FOLDERS = ("clusterkg", "ontology", "loaders", "shapes", "graph", "api", "queries", "data", "bench")

WRONG_LOADER = '''"""A loader calling into graph/ with the wrong argument type."""

from clusterkg.iris import excerpt_iri


def wrong() -> str:
    return excerpt_iri(42, None, 1, 2)
'''

WRONG_API = '''"""An API module using a name loaders/ does not define and a wrong return type."""

from clusterkg.graph.store import OxigraphStore
from clusterkg.loaders import records


def wrong() -> None:
    records.no_such_function()


def size(store: OxigraphStore) -> str:
    return len(store)
'''


def _copy(tmp: Path) -> Path:
    """The project's code and configuration, links kept as links."""
    project = tmp / "project"
    project.mkdir()
    for name in FOLDERS:
        shutil.copytree(
            ROOT / name,
            project / name,
            symlinks=True,
            ignore=shutil.ignore_patterns("__pycache__", "sources"),
        )
    shutil.copytree(
        ROOT / "tests", project / "tests", ignore=shutil.ignore_patterns("__pycache__", "fixtures")
    )
    shutil.copy(ROOT / "pyproject.toml", project / "pyproject.toml")
    return project


def _mypy(project: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MYPY_CACHE_DIR": str(project / ".mypy_cache")}
    return subprocess.run(
        [sys.executable, "-m", "mypy"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )


def test_folders_are_linked_into_the_package() -> None:
    for name in FOLDERS[1:-1]:
        link = ROOT / "clusterkg" / name
        assert link.is_symlink(), f"clusterkg/{name} should link to ../{name}"
        assert link.resolve() == (ROOT / name).resolve()


def test_wrong_calls_across_folders_fail_the_type_check(tmp_path: Path) -> None:
    project = _copy(tmp_path)
    (project / "loaders" / "wrong_call.py").write_text(WRONG_LOADER, encoding="utf-8")
    (project / "api" / "wrong_call.py").write_text(WRONG_API, encoding="utf-8")
    result = _mypy(project)
    assert result.returncode == 1, result.stdout + result.stderr
    errors = [line for line in result.stdout.splitlines() if ": error:" in line]
    assert all(re.match(r"clusterkg/(loaders|api)/wrong_call\.py:", e) for e in errors), errors
    text = "\n".join(errors)
    assert 'Argument 1 to "excerpt_iri" has incompatible type "int"; expected "str"' in text
    assert 'Module has no attribute "no_such_function"' in text
    assert 'Incompatible return value type (got "int", expected "str")' in text
    assert len(errors) == 3, text
