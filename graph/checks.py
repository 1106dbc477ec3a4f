"""Ontology checks in the manner of the OBO Ontology Development Kit: every
`ontology/checks/*-violation.rq` query is run over the dataset and any row it returns fails."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from clusterkg.graph.store import Store
from clusterkg.paths import CHECKS_DIR


def check_queries(directory: Path = CHECKS_DIR) -> list[Path]:
    """The check queries, by file name."""
    return sorted(directory.glob("*-violation.rq"))


def run_checks(store: Store, directory: Path = CHECKS_DIR) -> list[str]:
    """One line per offending row, naming the check; empty when every check passes."""
    failures = []
    for path in check_queries(directory):
        result = store.query(path.read_text(encoding="utf-8"))
        assert isinstance(result, ox.QuerySolutions)
        names = [v.value for v in result.variables]
        for row in result:
            cells = ", ".join(f"{n}={row[n].value}" for n in names if row[n] is not None)
            failures.append(f"{path.stem}: {cells}")
    return failures
