"""Survey commands: `template`, `validate`, `load`, `diff`, `waves`. `register(app)` adds them
to the `clusterkg` command."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from clusterkg import survey_jobs
from clusterkg.graph import waves
from clusterkg.loaders.survey.limits import IntakeLimits
from clusterkg.loaders.survey.report import RENDERERS
from clusterkg.loaders.survey.sandbox import Breach, run_bounded
from clusterkg.loaders.survey.template import rows_from_tables, write_template
from clusterkg.loaders.survey.validate import MAX_BYTES, expand_paths

console = Console(stderr=True)
DistOption = Annotated[
    Path, typer.Option("--dist", help="Build output folder (waves live in DIST/waves).")
]
MaxBytes = Annotated[int, typer.Option("--max-bytes", help="Largest file accepted, in bytes.")]


def template_command(
    out: Annotated[Path, typer.Option("--out", help="Folder to write the template into.")],
    fill_from: Annotated[
        Path | None,
        typer.Option(
            "--fill-from", help="A build's tables folder (dist/tables) to fill the template from."
        ),
    ] = None,
    country: Annotated[
        list[str] | None,
        typer.Option(
            "--country", help="With --fill-from: keep the rows of this country (alpha-3); repeat."
        ),
    ] = None,
) -> None:
    """Write the survey template: one CSV per record kind, README.md and survey.xlsx."""
    rows = rows_from_tables(fill_from, country or []) if fill_from else None
    for path in write_template(out, rows=rows):
        print(path)


def validate_command(
    files: Annotated[
        list[Path],
        typer.Argument(
            help="CSV files (or a folder of them), an XLSX workbook, Turtle or JSON-LD."
        ),
    ],
    fmt: Annotated[
        str, typer.Option("--format", help="text, json or turtle (a sh:ValidationReport).")
    ] = "text",
    max_bytes: MaxBytes = MAX_BYTES,
) -> None:
    """Validate survey files against the mappings and the shapes. Exit 0 valid, 1 violations,
    2 unusable input."""
    if fmt not in RENDERERS:
        console.print(f"[red]unknown format {fmt!r}[/]: use text, json or turtle")
        raise typer.Exit(2)
    limits = IntakeLimits.from_env()
    outcome = run_bounded(survey_jobs.validate_on_disk, (files, fmt, max_bytes), limits)
    if isinstance(outcome, Breach):
        report = survey_jobs.stopped([str(f) for f in files], outcome, fmt)
    else:
        report = outcome.value
    print(report.rendered)
    raise typer.Exit(report.exit_code)


def load_command(
    files: Annotated[list[Path], typer.Argument(help="The wave's files (as for validate).")],
    wave: Annotated[str, typer.Option("--wave", help="Name of the wave, e.g. 2025-spring.")],
    replace: Annotated[
        bool, typer.Option("--replace", help="Replace an existing wave of that name.")
    ] = False,
    dist: DistOption = Path("dist"),
    max_bytes: MaxBytes = MAX_BYTES,
    service: Annotated[
        str | None,
        typer.Option(
            "--service",
            help="URL of a running service to load the wave into (admin token from "
            "CLUSTERKG_ADMIN_TOKEN); it serves the wave at once, without a restart.",
        ),
    ] = None,
    store: Annotated[
        str | None,
        typer.Option("--store", help="Remote store URL: after loading, publish the release "
                     "with the wave to it (`clusterkg publish`)."),
    ] = None,
) -> None:
    """Validate, then load survey files as a wave (its own named graph, with provenance): all or
    nothing."""
    paths = expand_paths(files)
    for path in paths:
        if not path.is_file():
            console.print(f"[red]no such file[/]: {path}")
            raise typer.Exit(2)
    if service is not None:  # releases and waves (h3): the running service loads it
        from clusterkg.release_cli import load_into_service

        inputs = [(path.name, path.read_bytes()) for path in paths]
        raise typer.Exit(load_into_service(service, inputs, wave, replace))
    limits = IntakeLimits.from_env()
    job = (paths, wave, dist, replace, max_bytes)
    outcome = run_bounded(survey_jobs.load_files, job, limits)
    if isinstance(outcome, Breach):
        survey_jobs.sweep_wave_temp(dist)
        report = survey_jobs.stopped([p.name for p in paths], outcome, "text")
        console.print(f"[bold red]not loaded, nothing changed[/]: {outcome.message}")
        print(report.rendered)
        raise typer.Exit(2)
    for line in outcome.value.err:
        console.print(line, markup=False, highlight=False)
    for line in outcome.value.out:
        print(line)
    if store is not None and outcome.value.exit_code == 0:  # issue 14: publish the new release
        from clusterkg.store_cli import publish_to

        raise typer.Exit(publish_to(store, dist))
    raise typer.Exit(outcome.value.exit_code)


def diff_command(
    wave_a: Annotated[str, typer.Argument(help="The earlier wave.")],
    wave_b: Annotated[str, typer.Argument(help="The later wave.")],
    fmt: Annotated[str, typer.Option("--format", help="text or json.")] = "text",
    dist: DistOption = Path("dist"),
) -> None:
    """Programmes added, removed and changed (value by value) between two waves; with `report`
    as the first wave, every value of the second that disagrees with the report, with both
    sources."""
    if wave_a == waves.REPORT:  # releases and waves (h3)
        from clusterkg.release_cli import diff_with_report

        raise typer.Exit(diff_with_report(dist, wave_b, fmt))
    try:
        result = waves.diff(dist, wave_a, wave_b)
    except waves.WaveError as exc:
        console.print(f"[red]{exc}[/]")
        raise typer.Exit(2) from exc
    if fmt == "json":
        print(json.dumps(result.as_json(), indent=2, ensure_ascii=False))
        return
    for programme in result.added:
        print(f"+ {programme}")
    for programme in result.removed:
        print(f"- {programme}")
    for programme, changes in result.changed.items():
        print(f"~ {programme}")
        for prop, before, after in changes:
            print(f"    {prop}: {', '.join(before) or '(none)'} -> {', '.join(after) or '(none)'}")
    if not (result.added or result.removed or result.changed):
        print("no programme differs")


def waves_command(dist: DistOption = Path("dist")) -> None:
    """List the loaded waves."""
    for name in waves.list_waves(dist):
        print(name)


def register(app: typer.Typer) -> None:
    app.command("template")(template_command)
    app.command("validate")(validate_command)
    app.command("load")(load_command)
    app.command("diff")(diff_command)
    app.command("waves")(waves_command)
