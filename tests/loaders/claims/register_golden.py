"""The register's expected outcomes as a YAML text: `python -m tests.loaders.claims.register_golden`
writes `tests/fixtures/loaders/claims/outcomes.yaml` after a reviewed change of the claims."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import yaml

from clusterkg.loaders.claims.register import Outcome

GOLDEN = Path(__file__).parents[2] / "fixtures" / "loaders" / "claims" / "outcomes.yaml"


def as_rows(outcomes: Sequence[Outcome]) -> list[dict[str, object]]:
    """One row per claim: what it states, what the tables give, whether they agree."""
    return [
        {
            "id": o.claim.id,
            "line": o.claim.line,
            "stated": o.claim.stated,
            "tables": None if o.tally.value is None else str(o.tally.value),
            "says": o.tally.text,
            "agrees": o.agrees,
        }
        for o in outcomes
    ]


def dump(outcomes: Sequence[Outcome]) -> str:
    return yaml.safe_dump(as_rows(outcomes), allow_unicode=True, sort_keys=False, width=100)


if __name__ == "__main__":
    from clusterkg.loaders.claims.register import evaluate_claims
    from clusterkg.loaders.documents import load_documents
    from clusterkg.loaders.registry import run_extractors
    from clusterkg.loaders.report.corrections import corrected_lines
    from clusterkg.paths import CORRECTIONS_FILE, SOURCES_DIR

    records = run_extractors(SOURCES_DIR, CORRECTIONS_FILE)
    lines = {
        d.file: corrected_lines(SOURCES_DIR, d.file, CORRECTIONS_FILE) for d in load_documents()
    }
    GOLDEN.write_text(dump(evaluate_claims(records, lines)), encoding="utf-8")
