"""`clusterkg validate` and `clusterkg load` on hostile input: exit 2 with a message naming the
file and what was refused, no traceback, nothing fetched, nothing left behind."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from ..hostile import (
    billion_laughs_xlsx,
    context_positions,
    huge_dimension_xlsx,
    jsonld_bytes,
    xxe_xlsx,
)
from ..hostile.canary import Canary

CLUSTERKG = Path(sys.executable).with_name("clusterkg")


def cli(*args: str | Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(CLUSTERKG), *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **env},
    )


@pytest.mark.parametrize("make", [xxe_xlsx, billion_laughs_xlsx, huge_dimension_xlsx])
def test_hostile_workbook_exits_2_without_a_traceback(tmp_path: Path, make: object) -> None:
    path = tmp_path / "survey.xlsx"
    path.write_bytes(make())  # type: ignore[operator]
    done = cli("validate", path)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    problem = [line for line in done.stdout.splitlines() if "Violation" in line]
    assert len(problem) == 1 and "survey.xlsx" in problem[0]


def test_remote_contexts_are_refused_by_validate_and_load(tmp_path: Path, listener: Canary) -> None:
    dist = tmp_path / "dist"
    paths = []
    for position, document in context_positions(listener.url()).items():
        paths.append(tmp_path / f"{position}.jsonld")
        paths[-1].write_bytes(jsonld_bytes(document))
    validate = cli("validate", *paths)
    assert validate.returncode == 2
    refused = [line for line in validate.stdout.splitlines() if f"<{listener.url()}>" in line]
    assert sorted(line.split(":")[1].strip() for line in refused) == sorted(p.name for p in paths)
    load = cli("load", tmp_path / "import.jsonld", "--wave", "w1", "--dist", dist)
    assert load.returncode == 2, load.stdout + load.stderr
    assert "not loaded" in load.stderr and f"<{listener.url()}>" in load.stdout
    assert "Traceback" not in load.stderr
    assert listener.connections == 0
    assert not (dist / "waves").exists() or list((dist / "waves").iterdir()) == []


def test_a_validation_over_its_time_limit_exits_2_naming_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "programme_objective.csv"
    rows = "".join(f"LVA-p{i},innovation\n" for i in range(20_000))
    path.write_text(f"programme_id,objective\n{rows}")
    done = cli("validate", path, CLUSTERKG_VALIDATION_TIMEOUT="0.5")
    assert done.returncode == 2 and "CLUSTERKG_VALIDATION_TIMEOUT" in done.stdout
    load = cli(
        "load", path, "--wave", "slow", "--dist", tmp_path / "dist",
        CLUSTERKG_VALIDATION_TIMEOUT="0.5",
    )  # fmt: skip
    assert load.returncode == 2 and "CLUSTERKG_VALIDATION_TIMEOUT" in load.stdout
    waves = tmp_path / "dist" / "waves"
    assert not waves.exists() or list(waves.iterdir()) == []


def test_a_stopped_load_leaves_no_temp_file(tmp_path: Path) -> None:
    from clusterkg import survey_jobs
    from clusterkg.graph import waves

    target = waves.wave_path(tmp_path, "w1")
    target.parent.mkdir(parents=True)
    leftover = target.parent / f".{target.name}.abc123"
    leftover.write_bytes(b"<a> <b> <c> .\n")  # what a SIGKILL in `_write_atomically` leaves
    other = target.parent / "w2.nq"
    other.write_bytes(b"")
    survey_jobs.sweep_wave_temp(tmp_path)
    assert sorted(p.name for p in target.parent.iterdir()) == ["w2.nq"]


def test_a_validation_over_its_memory_limit_exits_2_naming_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "programme_objective.csv"
    rows = "".join(f"LVA-p{i},innovation\n" for i in range(40_000))
    path.write_text(f"programme_id,objective\n{rows}")
    done = cli("validate", path, CLUSTERKG_VALIDATION_MEMORY_BYTES=str(64 << 20))
    assert done.returncode == 2, done.stdout + done.stderr
    assert "CLUSTERKG_VALIDATION_MEMORY_BYTES" in done.stdout
    assert "Traceback" not in done.stderr
