"""`tests/` mirrors the code tree: each module has a test module or a named test elsewhere."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FOLDERS = ("api", "bench", "clusterkg", "graph", "loaders", "queries", "shapes")


def _modules() -> list[str]:
    found = []
    for folder in FOLDERS:
        for path in sorted((ROOT / folder).rglob("*.py")):
            relative = path.relative_to(ROOT)
            if path.name != "__init__.py" and not any(p.is_symlink() for p in path.parents):
                found.append(relative.as_posix())
    return found


def _own(module: str) -> Path:
    folder, _, name = module.rpartition("/")
    return ROOT / "tests" / folder / f"test_{name}"


def test_every_module_has_tests_of_its_own_or_named_ones() -> None:
    listed = set(
        re.findall(r"^\| `([^`]+\.py)` \|", (ROOT / "tests" / "README.md").read_text(), re.M)
    )
    missing = []
    for module in _modules():
        if not _own(module).exists() and module not in listed:
            missing.append(module)
    assert not missing, "add a test module or name the covering tests in tests/README.md"
    stale = [m for m in listed if m in _modules() and m not in missing and _own(m).exists()]
    assert not stale, f"listed in tests/README.md but have their own test module: {stale}"
