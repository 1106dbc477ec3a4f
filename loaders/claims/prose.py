"""Facts the report's prose states about programmes of its tables: who implements a programme,
where its funding comes from, which programme it follows.

The facts are data (`data/crosswalk-prose.yaml`), reviewed by hand; each quotes the text it
rests on, which must still be on its line, and names programmes by their crosswalk ids.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from clusterkg.loaders.records import ExtractionError, Record, SourceRef
from clusterkg.loaders.report.crosswalk import load_crosswalk
from clusterkg.loaders.report.document import Line
from clusterkg.paths import DATA_DIR

PROSE_FILE = DATA_DIR / "crosswalk-prose.yaml"


@cache
def load_prose(path: Path = PROSE_FILE) -> dict[str, list[dict[str, Any]]]:
    data: dict[str, list[dict[str, Any]]] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return data


def check_quote(entry: dict[str, Any], lines: Sequence[Line], document: str) -> SourceRef:
    """The source of an entry whose quote is on its line; an `ExtractionError` otherwise."""
    line = int(entry["line"])
    text = next((x.text for x in lines if x.start <= line <= x.end), None)
    if text is None or entry["quote"] not in text:
        raise ExtractionError(
            document, line, entry.get("table"), f"{entry['id']}: quoted text not on this line"
        )
    return SourceRef(document, entry.get("table"), line, line)


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def extract(lines: Sequence[Line], document: str) -> list[Record]:
    known = set(load_crosswalk().programme_ids())
    records: list[Record] = []
    for fact in load_prose()["facts"]:
        if fact["document"] != document:
            continue
        source = check_quote(fact, lines, document)
        for pid in fact["programmes"]:
            if pid not in known:
                raise ExtractionError(document, source.line_start, None, f"unknown {pid!r}")
            for org in _as_list(fact.get("implemented_by")):
                values = {
                    "programme_id": pid,
                    "organisation_id": org["id"],
                    "organisation_name": org["name"],
                    "organisation_description": org.get("description"),
                }
                records.append(Record("programme_implementer", values, source))
            for notation in _as_list(fact.get("funding_source")):
                values = {"programme_id": pid, "funding_source": notation}
                records.append(Record("programme_funding_source", values, source))
            if fact.get("predecessor"):
                values = {"programme_id": pid, "predecessor_id": fact["predecessor"]}
                records.append(Record("programme_predecessor", values, source))
    return records
