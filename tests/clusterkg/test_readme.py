"""The README's example commands, run as written, so they cannot drift from the CLI.

They run in order in a folder holding a copy of the session's build as `dist/`; after
`template`, the folders the README loads are filled the way respondents would, with the rows the
build extracted for some countries."""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from clusterkg.cli import app
from clusterkg.graph.build import BuildSummary
from clusterkg.graph.store import OxigraphStore
from clusterkg.loaders.survey.template import rows_from_tables, write_template

README = Path(__file__).resolve().parents[2] / "README.md"
PROMPT = ".venv/bin/clusterkg "
MY_QUERY = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
# The filled templates of the README's two waves: the build's rows of these countries.
FILLED = {"survey": ["LVA", "SWE"], "survey-2024": ["LVA"]}


def readme_commands() -> list[str]:
    """The `.venv/bin/clusterkg` lines of the README's shell blocks, comments removed."""
    blocks = re.findall(r"```sh\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    lines = [line.split("  #")[0].strip() for block in blocks for line in block.splitlines()]
    return [line.removeprefix(PROMPT) for line in lines if line.startswith(PROMPT)]


def test_the_readme_shows_every_documented_command() -> None:
    names = {shlex.split(c)[0] for c in readme_commands()}
    assert {"queries", "query", "info", "template", "validate", "load", "waves", "diff"} <= names


def test_readme_commands_run_as_written(
    built: tuple[OxigraphStore, BuildSummary], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copytree(built[1].out_dir, tmp_path / "dist")
    (tmp_path / "my.rq").write_text(MY_QUERY, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    outputs: dict[str, str] = {}
    for command in readme_commands():
        words = shlex.split(command)
        stdin = None
        if "<" in words:
            at = words.index("<")
            stdin = Path(words[at + 1]).read_text(encoding="utf-8")
            words = words[:at] + words[at + 2 :]
        result = runner.invoke(app, words, input=stdin)
        assert result.exit_code == 0, f"clusterkg {command}\n{result.output}"
        outputs.setdefault(words[0], result.output)
        if words[0] == "template":  # respondents fill it for each wave the README loads
            for folder, countries in FILLED.items():
                write_template(Path(folder), rows=rows_from_tables(Path("dist/tables"), countries))
    assert re.search(r"\b29\b.*\b20\b", outputs["query"], re.S), outputs["query"]
    assert outputs["waves"].split() == ["2021", "2024"]
    assert "SWE-" in outputs["diff"] and "LVA-" not in outputs["diff"], outputs["diff"]
