"""A benchmark's record: the JSON results and the Markdown report side by side."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bench import record


def test_write_names_the_command_in_the_json_and_prints_the_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    record.write(tmp_path / "out", "x-2026-12-03", {"p50_ms": 1.5}, "# X\n", "python -m bench.x")
    data = json.loads((tmp_path / "out" / "x-2026-12-03.json").read_text())
    assert data == {"p50_ms": 1.5, "command": "python -m bench.x"}
    assert (tmp_path / "out" / "x-2026-12-03.md").read_text() == "# X\n"
    assert capsys.readouterr().out == "# X\n\n"


def test_write_without_command_keeps_the_results_as_they_are(tmp_path: Path) -> None:
    record.write(tmp_path, "y", {"command": "given by the results"}, "y\n")
    assert json.loads((tmp_path / "y.json").read_text()) == {"command": "given by the results"}


def test_load_average_is_recorded_before_and_after_the_block() -> None:
    results: dict[str, Any] = {}
    with record.load_average(results):
        assert "load_average" not in results
    before, after = results["load_average"]
    assert before >= 0 and after >= 0
