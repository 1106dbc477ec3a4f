"""The README's example commands, run as written, so they cannot drift from the CLI.

Each shell block of the README is one scenario, run in order in a folder holding a copy of the
session's build as `dist/`. A `< file` feeds the file to the command, a `| grep WORD` keeps the
lines holding WORD (and expects one). Where a block makes a template for people to fill, its
folders are filled the way respondents would: with the rows the build extracted for some
countries.
"""

from __future__ import annotations

import re
import shlex
import shutil
from contextlib import ExitStack
from pathlib import Path

import pytest
from typer.testing import CliRunner

from clusterkg.cli import app
from clusterkg.graph.build import BuildSummary
from clusterkg.graph.store import OxigraphStore
from clusterkg.loaders.survey.template import rows_from_tables, write_template
from tests.stores.oxigraph import oxigraph_server

README = Path(__file__).resolve().parents[2] / "README.md"
PROMPT = ".venv/bin/clusterkg "
# The README's Oxigraph server: each block that names it gets a server of its own instead.
README_STORE = "oxigraph+http://127.0.0.1:7878"
MY_QUERY = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
# The filled templates of the README's survey example: the build's rows of these countries.
FILLED = {"survey": ["LVA", "SWE"], "survey-2024": ["LVA"]}


def readme_blocks() -> list[list[str]]:
    """The `.venv/bin/clusterkg` lines of each shell block of the README, comments removed."""
    blocks = re.findall(r"```sh\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    found = []
    for block in blocks:
        lines = [line.split("  #")[0].strip() for line in block.splitlines()]
        commands = [line.removeprefix(PROMPT) for line in lines if line.startswith(PROMPT)]
        if commands:
            found.append(commands)
    return found


def _run(runner: CliRunner, command: str) -> str:
    words = shlex.split(command)
    stdin, keep = None, None
    if "|" in words:
        at = words.index("|")
        assert words[at + 1] == "grep", command
        words, keep = words[:at], words[at + 2]
    if "<" in words:
        at = words.index("<")
        stdin = Path(words[at + 1]).read_text(encoding="utf-8")
        words = words[:at] + words[at + 2 :]
    result = runner.invoke(app, words, input=stdin)
    assert result.exit_code == 0, f"clusterkg {command}\n{result.output}"
    output = result.output
    if keep is not None:
        output = "".join(line for line in output.splitlines(True) if keep in line)
        assert output, f"clusterkg {command}: no line holds {keep!r}"
    if words[0] == "template" and "--fill-from" not in words:
        for folder, countries in FILLED.items():
            write_template(Path(folder), rows=rows_from_tables(Path("dist/tables"), countries))
    return output


def test_the_readme_shows_every_documented_command() -> None:
    names = {shlex.split(c)[0] for block in readme_blocks() for c in block}
    assert {"queries", "query", "info", "template", "validate", "load", "waves", "diff"} <= names


@pytest.mark.parametrize("number", range(len(readme_blocks())))
def test_readme_commands_run_as_written(
    number: int,
    built: tuple[OxigraphStore, BuildSummary],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    shutil.copytree(built[1].out_dir, tmp_path / "dist", symlinks=True)
    (tmp_path / "my.rq").write_text(MY_QUERY, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    outputs: dict[str, str] = {}
    with ExitStack() as stack:
        store = README_STORE
        if any(README_STORE in command for command in readme_blocks()[number]):
            store = f"oxigraph+{stack.enter_context(oxigraph_server())}"  # its `oxigraph serve`
        for command in readme_blocks()[number]:
            outputs[command] = _run(runner, command.replace(README_STORE, store))
    if "query countries-surveyed" in outputs:
        surveyed = outputs["query countries-surveyed"]
        assert re.search(r"\b29\b.*\b20\b", surveyed, re.S), surveyed
    if "waves" in outputs:
        assert outputs["waves"].split() == ["2021", "2024"]
        changes = outputs["diff 2021 2024"]
        assert "SWE-" in changes and "LVA-" not in changes, changes
