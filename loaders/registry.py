"""The extractors of the bundled documents, and the one function the build calls.

Each entry names the table it reads and `data/documents.yaml` the document; `run_extractors`
applies the corrections of `data/corrections.yaml` to each document once and runs its
extractors in order.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from clusterkg.loaders.claims import prose
from clusterkg.loaders.claims.register import find_discrepancies
from clusterkg.loaders.documents import document_of, load_documents
from clusterkg.loaders.records import Record
from clusterkg.loaders.report import (
    abbreviations,
    country_cases,
    initiatives,
    table1,
    table2,
    table3,
    table4,
    table5,
    table6,
    table7,
    table8,
    table9,
    table10,
    toolbox,
)
from clusterkg.loaders.report.corrections import corrected_lines
from clusterkg.loaders.report.document import Line

Extract = Callable[[Sequence[Line], str], list[Record]]


@dataclass(frozen=True)
class Extractor:
    name: str
    document: str
    table: str | None
    extract: Extract


# The extractors in the order the build runs them (a triple stated by several tables lands in
# the graph of the first); `data/documents.yaml` says which document each one reads.
FUNCTIONS: dict[str, tuple[Extract, str | None]] = {
    "table1": (table1.extract, "Table 1"),
    "table2": (table2.extract, "Table 2"),
    "table3": (table3.extract, "Table 3"),
    "table4": (table4.extract, "Table 4"),
    "table5": (table5.extract, "Table 5"),
    "table6": (table6.extract, "Table 6"),
    "table7": (table7.extract, "Table 7"),
    "table8": (table8.extract, "Table 8"),
    "table9": (table9.extract, "Table 9"),
    "table10": (table10.extract, "Table 10"),
    "prose": (prose.extract, None),
    "country-cases": (country_cases.extract, None),
    "inno-industry": (initiatives.extract_inno_industry, None),
    "escp-4i": (initiatives.extract_escp_4i, None),
    "emerging-industries": (initiatives.extract_emerging_industries, None),
    "toolbox-project": (initiatives.extract_toolbox_project, None),
    "toolbox": (toolbox.extract_toolbox, None),
    "abbreviations": (abbreviations.extract, None),
}


def _extractors() -> tuple[Extractor, ...]:
    listed = {e for d in load_documents() for e in d.extractors}
    unknown = listed - set(FUNCTIONS)
    if unknown:
        raise KeyError(f"data/documents.yaml lists extractors without code: {sorted(unknown)}")
    return tuple(
        Extractor(name, document_of(name), table, extract)
        for name, (extract, table) in FUNCTIONS.items()
    )


EXTRACTORS: tuple[Extractor, ...] = _extractors()


def run_extractors(
    sources_dir: Path,
    corrections_file: Path,
    progress: Callable[[str], None] | None = None,
) -> list[Record]:
    """All records of all registered extractors, then the discrepancies found among them.

    Raises `ExtractionError` (file, line, column) for a table it cannot read, and its subclass
    `CorrectionError` when a correction's expected text is not in the source."""
    lines: dict[str, list[Line]] = {}
    records: list[Record] = []
    for extractor in EXTRACTORS:
        if extractor.document not in lines:
            lines[extractor.document] = corrected_lines(
                sources_dir, extractor.document, corrections_file
            )
        found = extractor.extract(lines[extractor.document], extractor.document)
        if progress:
            where = extractor.table or "prose"
            progress(f"{extractor.document} {where}: {len(found)} records")
        records += found
    found = find_discrepancies(records, lines)
    if progress:
        progress(f"discrepancies: {len(found)} records")
    return records + found
