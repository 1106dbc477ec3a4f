"""Release commands: `clusterkg release` (what a dist folder serves) and the `--service` path
of `clusterkg load` (hand a wave to a running service)."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import pyoxigraph as ox
import typer
from rich.console import Console

from clusterkg.graph.release import ReleaseError, release_of_layout
from clusterkg.queries.library import library
from clusterkg.wave_client import ServiceError, send_wave

console = Console(stderr=True)
TOKEN_VARIABLE = "CLUSTERKG_ADMIN_TOKEN"


def load_into_service(
    service: str, files: Sequence[tuple[str, bytes]], wave: str, replace: bool
) -> int:
    """Send the wave to the service; prints what it answered and returns the exit code (0
    loaded, 1 refused, 2 unusable request or no answer)."""
    token = os.environ.get(TOKEN_VARIABLE, "")
    if not token:
        console.print(
            f"[red]no admin token[/]: set {TOKEN_VARIABLE} to the token the service was started "
            "with (`make run` prints it)"
        )
        return 2
    try:
        answer = send_wave(service, files, wave, token, replace)
    except ServiceError as exc:
        console.print(f"[bold red]not loaded[/]: {exc}")
        if exc.body and isinstance(exc.body.get("report"), dict):
            print(json.dumps(exc.body["report"], indent=2, ensure_ascii=False))
        return 1 if exc.status in (409, 422) else 2
    release = answer.body.get("release")
    version = release.get("version") if isinstance(release, dict) else "?"
    verb = "replaced" if answer.body.get("replaced") else "loaded"
    console.print(
        f"{verb} wave {wave} into {service}: {answer.body.get('quads')} quads in "
        f"{answer.body.get('graph')}; now serving release {version}"
    )
    findings = answer.body.get("findings")
    for finding in findings if isinstance(findings, list) else []:
        console.print(f"[yellow]{finding}[/]")
    return 0


def disagreements(dist: Path, wave: str | None = None) -> list[dict[str, str]]:
    """Rows of the `wave-disagreements` named query over the release of `dist` (one wave's
    or all)."""
    store, release = release_of_layout(dist)
    if wave is not None and wave not in release.wave_names:
        raise ReleaseError(
            f"no wave named {wave!r} in {dist} (waves: {', '.join(release.wave_names) or 'none'})"
        )
    result = store.query(library()["wave-disagreements"].text)
    assert isinstance(result, ox.QuerySolutions)
    names = [v.value for v in result.variables]
    rows = [{n: row[n].value if row[n] is not None else "" for n in names} for row in result]
    return [r for r in rows if wave is None or r["wave"] == wave]


def diff_with_report(dist: Path, wave: str, fmt: str) -> int:
    """`clusterkg diff report WAVE`: print the disagreements; exit code 0 (2 if no release)."""
    try:
        rows = disagreements(dist, wave)
    except ReleaseError as exc:
        console.print(f"[red]{exc}[/]")
        return 2
    if fmt == "json":
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return 0
    for row in rows:
        print(f"~ {row['resource']} {row['property']}")
        print(f"    report: {row['reportValue']}  ({row['reportSource']})")
        print(f"    {wave}: {row['waveValue']}  ({row['waveSource']})")
    if not rows:
        print(f"wave {wave} agrees with the report on every value it restates")
    return 0


def release_command(
    dist: Annotated[Path, typer.Option("--dist", help="Build output folder.")] = Path("dist"),
) -> None:
    """The release DIST serves: its version (build + waves), checked as the service checks it."""
    try:
        store, release = release_of_layout(dist)
    except ReleaseError as exc:
        console.print(f"[red]release refused[/]: {exc}")
        raise typer.Exit(2) from exc
    print(json.dumps({**release.as_json(), "quads_served": len(store)}, indent=2))


def register(app: typer.Typer) -> None:
    app.command("release")(release_command)
