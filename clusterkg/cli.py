"""The `clusterkg` command: build the graph, query it, serve it."""

from __future__ import annotations

import csv
import io
import json
import os
import secrets
import sys
from pathlib import Path
from typing import Annotated

import pyoxigraph as ox
import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from clusterkg.graph.build import BuildError, BuildSummary, build
from clusterkg.graph.release import ReleaseError, check_build, release_of_layout
from clusterkg.graph.store import OxigraphStore
from clusterkg.paths import CORRECTIONS_FILE, SOURCES_DIR, DistLayout
from clusterkg.queries.library import library
from clusterkg.store_cli import StoreOption, open_remote

app = typer.Typer(
    help="clusterkg: a knowledge graph of European cluster policy.", no_args_is_help=True
)
console = Console(stderr=True)

DistOption = Annotated[Path, typer.Option("--dist", help="Build output folder.")]


def _run_build(dist: Path, sources: Path, corrections: Path) -> tuple[OxigraphStore, BuildSummary]:
    with Progress(
        SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=console
    ) as progress:
        task = progress.add_task("building", total=None)
        try:
            return build(
                dist,
                sources,
                corrections,
                progress=lambda msg: progress.update(task, description=msg),
            )
        except BuildError as exc:
            progress.stop()
            console.print(f"[bold red]build failed[/]: {exc}")
            console.print(f"The previous build in {dist} is unchanged.")
            raise typer.Exit(1) from exc


def _print_summary(summary: BuildSummary) -> None:
    graphs = Table("graph", "triples", title=f"{summary.total} triples in {summary.out_dir}")
    for name, n in summary.triples_per_graph.items():
        graphs.add_row(name, str(n))
    console.print(graphs)
    classes = Table("class", "instances")
    for name, n in summary.instances_per_class.items():
        classes.add_row(name.rsplit("#", 1)[-1].rsplit("/", 1)[-1], str(n))
    console.print(classes)
    if summary.warnings:
        console.print(
            f"[yellow]{len(summary.warnings)} SHACL warnings[/] (recommended, not required): "
            f"listed in {summary.out_dir / 'build.json'}"
        )


@app.command("build")
def build_command(
    dist: DistOption = Path("dist"),
    sources: Annotated[Path, typer.Option(help="Folder of source documents.")] = SOURCES_DIR,
    corrections: Annotated[Path, typer.Option(help="Corrections file.")] = CORRECTIONS_FILE,
) -> None:
    """Build the graph from the bundled sources into DIST (N-Quads, TriG, JSON-LD, CSV)."""
    _, summary = _run_build(dist, sources, corrections)
    _print_summary(summary)


def _open_store(dist: Path) -> OxigraphStore:
    """The current release of `dist`, loaded as the service loads it (one rule everywhere)."""
    dump = DistLayout(dist).dump
    if not dump.exists():
        console.print(f"[red]no build at {dump}[/]: run `clusterkg build` first")
        raise typer.Exit(2)
    try:
        store, _ = release_of_layout(dist)
    except ReleaseError as exc:
        console.print(f"[red]release refused[/]: {exc}")
        raise typer.Exit(2) from exc
    return store


def _render(result: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples, fmt: str) -> str:
    if isinstance(result, ox.QueryBoolean):
        return json.dumps({"boolean": bool(result)}) if fmt == "json" else str(bool(result)).lower()
    if isinstance(result, ox.QueryTriples):
        return "\n".join(f"{t} ." for t in result)
    names = [v.value for v in result.variables]
    rows = [[(row[n].value if row[n] is not None else "") for n in names] for row in result]
    if fmt == "json":
        return json.dumps([dict(zip(names, r, strict=True)) for r in rows], indent=2)
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(names)
        writer.writerows(rows)
        return out.getvalue()
    table = Table(*names)
    for r in rows:
        table.add_row(*r)
    Console().print(table)
    return ""


@app.command("query")
def query_command(
    name: Annotated[str, typer.Argument(help="A named query of the library, or '-' for stdin.")],
    fmt: Annotated[str, typer.Option("--format", help="table, csv or json.")] = "table",
    dist: DistOption = Path("dist"),
    sparql: Annotated[str | None, typer.Option(help="Run this SPARQL text instead.")] = None,
    store_url: StoreOption = None,
) -> None:
    """Run a named query (see `clusterkg queries`) or SPARQL text against the built graph."""
    if sparql is None:
        queries = library()
        if name == "-":
            sparql = sys.stdin.read()
        elif name in queries:
            sparql = queries[name].text
        else:
            console.print(f"[red]no query named {name!r}[/]; `clusterkg queries` lists them")
            raise typer.Exit(2)
    store = open_remote(store_url) if store_url else _open_store(dist)
    try:
        result = store.query(sparql)
    except SyntaxError as exc:
        console.print(f"[red]SPARQL syntax error[/]: {exc}")
        raise typer.Exit(2) from exc
    text = _render(result, fmt)
    if text:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")


@app.command("queries")
def queries_command() -> None:
    """List the named queries of the library."""
    table = Table("name", "topic", "summary")
    for q in library().values():
        table.add_row(q.name, q.topic, q.summary)
    Console().print(table)


@app.command("info")
def info_command(
    dist: DistOption = Path("dist"),
    discrepancies: Annotated[
        bool, typer.Option("--discrepancies", help="List figures the prose states against tables.")
    ] = False,
) -> None:
    """What the last build holds (triples per graph, instances per class), or its discrepancies."""
    if discrepancies:
        result = _open_store(dist).query(library()["discrepancies"].text)
        assert isinstance(result, ox.QuerySolutions)
        table = Table(title="Source discrepancies (data/claims/)")
        for column in ("id", "claim", "claimed", "tables say", "source"):
            table.add_column(column, overflow="fold")
        for row in result:
            cell = {v.value: (row[v].value if row[v] is not None else "") for v in result.variables}
            where = f"{cell['document']} line {cell['lineStart']}" if cell["document"] else ""
            ident = cell["discrepancy"].rpartition("/")[2]
            table.add_row(ident, cell["claim"], cell["claimedValue"], cell["tableValue"], where)
        Console().print(table)
        return
    report = dist / "build.json"
    if not report.exists():
        console.print(f"[red]no build at {dist}[/]: run `clusterkg build` first")
        raise typer.Exit(2)
    data = json.loads(report.read_text(encoding="utf-8"))
    summary = BuildSummary(
        out_dir=dist,
        triples_per_graph=data["triples_per_graph"],
        instances_per_class=data["instances_per_class"],
        records=data["records"],
        warnings=data["warnings"],
    )
    _print_summary(summary)


@app.command("serve")
def serve_command(
    dist: DistOption = Path("dist"),
    host: Annotated[str, typer.Option()] = "127.0.0.1",
    port: Annotated[int, typer.Option()] = 8000,
    store_url: StoreOption = None,
    engine: Annotated[str | None, typer.Option(
        "--engine", envvar="CLUSTERKG_ENGINE",
        help="embedded (default: the release in memory, in every worker) or oxigraph (an "
        "Oxigraph server process this service starts over the release's on-disk store)",
    )] = None,
) -> None:
    """Serve the built graph over HTTP (SPARQL endpoint, pages); with --store, the release a
    remote store serves (several processes may serve one store); with --engine oxigraph,
    through a query engine process of its own."""
    from clusterkg.api.app import serve
    from clusterkg.settings import Settings

    overrides: dict[str, object] = {"engine": engine} if engine else {}
    settings = Settings.from_env(None, dataset=DistLayout(dist).dump, host=host, port=port,
                                 store=store_url, **overrides)
    if store_url:
        open_remote(store_url)  # says in one line why not, before the service starts
        serve(settings)
        return
    try:  # the service checks it again as it loads; this says why in one line, not a traceback
        check_build(settings.dataset)
    except ReleaseError as exc:
        console.print(f"[red]not serving[/]: {exc}")
        raise typer.Exit(2) from exc
    serve(settings)  # with the connection limits of issue 9 (api/connections.py)


@app.command("run")
def run_command(
    dist: DistOption = Path("dist"),
    host: Annotated[str, typer.Option()] = "127.0.0.1",
    port: Annotated[int, typer.Option()] = 8000,
) -> None:
    """The main job: build the graph from the bundled sources, then serve it.

    Without CLUSTERKG_ADMIN_TOKEN a token is generated for this run and printed, so that
    `clusterkg load --service` and `/admin/reload` work out of the box."""
    _, summary = _run_build(dist, SOURCES_DIR, CORRECTIONS_FILE)
    _print_summary(summary)
    if not os.environ.get("CLUSTERKG_ADMIN_TOKEN"):
        os.environ["CLUSTERKG_ADMIN_TOKEN"] = secrets.token_urlsafe(24)
        console.print(
            "admin token of this run (load a wave into the running service with "
            "`clusterkg load FILES --wave NAME --service http://HOST:PORT`):\n"
            f"  export CLUSTERKG_ADMIN_TOKEN={os.environ['CLUSTERKG_ADMIN_TOKEN']}"
        )
    serve_command(dist, host, port, None)


# Survey commands (template, validate, load, diff, waves): clusterkg/survey_cli.py.
from clusterkg.survey_cli import register as _register_survey  # noqa: E402

_register_survey(app)

# Release commands (release; load --service): clusterkg/release_cli.py.
from clusterkg.release_cli import register as _register_release  # noqa: E402

_register_release(app)

# Remote-store commands (publish; --store): clusterkg/store_cli.py.
from clusterkg.store_cli import register as _register_store  # noqa: E402

_register_store(app)


if __name__ == "__main__":
    app()
