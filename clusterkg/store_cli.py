"""Remote-store commands (issue 14): `clusterkg publish --store URL` and the `--store` option
that `serve`, `query` and `load` share.

`--store` (or `CLUSTERKG_STORE`) names a remote SPARQL server by one URL
(`oxigraph+http://127.0.0.1:7878`, `virtuoso+http://…`, `sparql+http://…?update=…&gsp=…`);
without it every command uses the embedded store, as before.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from clusterkg.graph.publish_lock import TTL, LockLost, StoreLocked
from clusterkg.graph.release import ReleaseError
from clusterkg.graph.remote_release import PublishError, SwitchFailed, open_served, publish
from clusterkg.graph.store import Store
from clusterkg.graph.stores import StoreError, open_store
from clusterkg.paths import DistLayout

console = Console(stderr=True)

StoreOption = Annotated[
    str | None,
    typer.Option(
        "--store", envvar="CLUSTERKG_STORE",
        help="Remote store URL (oxigraph+http://HOST:PORT, virtuoso+http://…, "
        "sparql+http://…?update=…&gsp=…); default: the embedded store.",
    ),
]


def open_remote(url: str) -> Store:
    """The release a remote store serves, for `clusterkg query --store` (exit 2 if none)."""
    try:
        store, _ = open_served(open_store(url))
    except (ValueError, StoreError, PublishError) as exc:
        console.print(f"[red]store refused[/]: {exc}")
        raise typer.Exit(2) from exc
    return store


def publish_to(url: str, dist: Path, lock_ttl: float = TTL) -> int:
    """Publish the current release of `dist` to the store at `url`; the exit code (2: not
    published, 3: another publish holds the store's lock — retry later)."""
    try:
        store = open_store(url)
        served, changed = publish(DistLayout(dist).dump, store, lock_ttl=lock_ttl,
                                  progress=lambda msg: console.print(msg, highlight=False))
    except StoreLocked as exc:
        console.print(f"[bold red]not published[/]: {exc}")
        if not isinstance(exc, LockLost):
            console.print("Nothing was written to the store.")
        return 3
    except (ValueError, StoreError, PublishError, ReleaseError) as exc:
        console.print(f"[bold red]not published[/]: {exc}")
        if not isinstance(exc, SwitchFailed):  # a stepwise switch that stopped says so itself
            console.print("The release the store served before is still served.")
        return 2
    print(json.dumps({"store": str(store.url), "published": changed,
                      "version": served.release.version,
                      "graphs": len(served.triples),
                      "triples": sum(served.triples.values())}, indent=2))
    return 0


def publish_command(
    store: Annotated[str, typer.Option("--store", envvar="CLUSTERKG_STORE",
                                       help="Remote store URL to publish to.")],
    dist: Annotated[Path, typer.Option("--dist", help="Build output folder.")] = Path("dist"),
    lock_ttl: Annotated[float, typer.Option(
        "--lock-ttl", min=10.0,
        help="Seconds the store's publish lock outlives a killed publisher (renewed every "
        "quarter of it while this publish runs; longer than its longest request).")] = TTL,
) -> None:
    """Push the current release of DIST (build + waves) to a remote store, verify it (triples per
    graph), then switch what the store serves (in one update where the store applies one
    atomically, else step by step behind a switching record); idempotent. One publish at a
    time per store: a second one exits with 3 and says who holds the store since when."""
    raise typer.Exit(publish_to(store, dist, lock_ttl))


def register(app: typer.Typer) -> None:
    app.command("publish")(publish_command)
