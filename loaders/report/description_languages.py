"""The reviewed language of each table cell that becomes a programme's `dcterms:description`.

Table 2's cells are mostly English prose, but some are only a programme's name in its own
language (Austria's "Nationale Clusterplattform", Sweden's "Vinnväxt"). Which language a cell is
written in is decided by a reviewer, in `data/description-languages.csv` (table, line, programme,
language, and the words the cell begins with), never guessed at build time: like a correction,
each row carries the text it expects, so a cell without a row, a row whose text is no longer
there, or a row no cell used stops the build.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

from clusterkg.loaders.records import ExtractionError, Record
from clusterkg.loaders.report.cells import squash
from clusterkg.loaders.report.crosswalk import LANGUAGE_TAG
from clusterkg.paths import DATA_DIR

DESCRIPTION_LANGUAGES_FILE = DATA_DIR / "description-languages.csv"
COLUMN = "description_language"
# The record kinds whose description is reviewed, with the column naming the resource: a guidance
# document Table 2 lists among the programmes (data/programme-statuses.yaml) keeps its row.
ID_COLUMNS = {"programme": "programme_id", "policy_document": "document_id"}


@dataclass(frozen=True)
class DescriptionLanguage:
    """One reviewed cell: the description of `programme_id` read at `line` of `table`."""

    table: str
    line: int
    programme_id: str
    language: str
    begins: str


@cache
def load_description_languages(
    path: Path = DESCRIPTION_LANGUAGES_FILE,
) -> dict[tuple[str, int, str], DescriptionLanguage]:
    """`description-languages.csv` by (table, line, programme id); a language that is not a
    BCP 47 tag is an error naming the row."""
    found: dict[tuple[str, int, str], DescriptionLanguage] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for number, r in enumerate(csv.DictReader(handle), start=2):
            language = r["language"].strip()
            if not LANGUAGE_TAG.match(language):
                raise ValueError(f"{path.name}, row {number}, column language: {language!r} is "
                                 "not a BCP 47 language tag such as en, de or pt-BR")
            entry = DescriptionLanguage(
                r["table"], int(r["line"]), r["programme_id"], language, squash(r["begins"])
            )
            found[(entry.table, entry.line, entry.programme_id)] = entry
    return found


def tag_descriptions(
    records: Iterable[Record], table: str, path: Path = DESCRIPTION_LANGUAGES_FILE
) -> list[Record]:
    """The records, each `programme` or `policy_document` record with a description given its
    reviewed language in the column `description_language`; every row of `table` in the file
    must be used."""
    reviewed = {k: v for k, v in load_description_languages(path).items() if k[0] == table}
    out: list[Record] = []
    for record in records:
        text = record.values.get("description")
        id_column = ID_COLUMNS.get(record.kind)
        if id_column is not None and text:
            source = record.source
            pid = str(record.values[id_column])
            entry = reviewed.pop((table, source.line_start, pid), None)
            if entry is None:
                raise ExtractionError(
                    source.document, source.line_start, "description",
                    f"no language for the description of {pid} in {path.name} "
                    f"(add: {table},{source.line_start},{pid},<language>,<first words>)",
                )
            if not squash(text).startswith(entry.begins):
                raise ExtractionError(
                    source.document, source.line_start, "description",
                    f"{path.name} expects the description of {pid} to begin "
                    f"{entry.begins!r}, the cell reads {squash(text)[:80]!r}",
                )
            record = replace(record, values={**record.values, COLUMN: entry.language})
        out.append(record)
    if reviewed:
        unused = ", ".join(f"line {line} {pid}" for _, line, pid in sorted(reviewed))
        raise ValueError(f"{path.name}: rows of {table} that no description used: {unused}")
    return out
