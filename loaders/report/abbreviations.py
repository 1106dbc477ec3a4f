"""The "List of abbreviations" of report 002: each abbreviation that names an entity of the
graph (a programme, an organisation, an EU initiative or funding programme) becomes that
entity's skos:altLabel and skos:notation.

The altLabel is tagged with the language of the name abbreviated, which the reviewed file states
(`language`); the list itself backs it: it gives a non-English original name in italics before
the English one, so a non-English `language` without an italic name on its line, or `en` with
one, stops the build.

Which abbreviation names which entity is reviewed data (`data/abbreviations.yaml`); the list
itself is only read to check that each abbreviation is on the line the file gives, so the build
stops if the source changes under it. No entity is created for an abbreviation.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from clusterkg.loaders.records import ExtractionError, Record, SourceRef
from clusterkg.loaders.report.document import Line
from clusterkg.paths import DATA_DIR

ABBREVIATIONS_FILE = DATA_DIR / "abbreviations.yaml"
HEADING = "## List of abbreviations"
ORIGINAL_NAME = "<i>"  # the list's mark of a name in the original (non-English) language


@cache
def load_abbreviations(path: Path = ABBREVIATIONS_FILE) -> list[dict[str, Any]]:
    """The reviewed entries of `data/abbreviations.yaml`."""
    return list(yaml.safe_load(path.read_text(encoding="utf-8"))["abbreviations"])


def abbreviation_list(
    lines: Sequence[Line], document: str
) -> dict[int, tuple[str, str]]:
    """Line number -> (abbreviation, expansion) of the list, from its heading to the next
    heading."""
    starts = [i for i, line in enumerate(lines) if line.text.strip() == HEADING]
    if len(starts) != 1:
        raise ExtractionError(document, 1, None, f"{HEADING!r} found {len(starts)} times")
    found: dict[int, tuple[str, str]] = {}
    for line in lines[starts[0] + 1 :]:
        if line.text.startswith("#"):
            break
        if "\t" in line.text:
            abbreviation, expansion = line.text.split("\t", 1)
            found[line.start] = (abbreviation.strip(), expansion.strip())
    return found


def extract(
    lines: Sequence[Line], document: str, reviewed: Path = ABBREVIATIONS_FILE
) -> list[Record]:
    """One `abbreviation` record per entry of `reviewed`, checked against its line of the
    list."""
    listed = abbreviation_list(lines, document)
    records = []
    for entry in load_abbreviations(reviewed):
        line = int(entry["line"])
        abbreviation, expansion = listed.get(line, ("", ""))
        if abbreviation != entry["abbreviation"]:
            raise ExtractionError(
                document, line, None, f"abbreviation {entry['abbreviation']!r} not on this line"
            )
        language = str(entry["language"])
        if (language != "en") != (ORIGINAL_NAME in expansion):
            raise ExtractionError(
                document, line, None,
                f"abbreviation {abbreviation!r} is stated as {language!r}, but the list "
                + ("gives an original name in italics: state its language" if language == "en"
                   else "gives an English name only"),
            )
        values = {
            "entity": entry["entity"], "abbreviation": abbreviation, "language": language,
        }
        records.append(Record("abbreviation", values, SourceRef(document, None, line, line)))
    return records
