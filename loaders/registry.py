"""The extractors of the bundled documents, and the one function the build calls.

Each entry names the document and table it reads; `run_extractors` applies the corrections of
`data/corrections.yaml` to each document once and runs its extractors in order.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from clusterkg.loaders.claims import prose
from clusterkg.loaders.claims.discrepancies import find_discrepancies
from clusterkg.loaders.records import Record
from clusterkg.loaders.report import (
    abbreviations,
    country_cases,
    initiatives,
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


EXTRACTORS: tuple[Extractor, ...] = (
    Extractor("table2", table2.DOCUMENT, "Table 2", table2.extract),
    Extractor("table3", table3.DOCUMENT, "Table 3", table3.extract),
    Extractor("table4", table4.DOCUMENT, "Table 4", table4.extract),
    Extractor("table5", table5.DOCUMENT, "Table 5", table5.extract),
    Extractor("table6", table6.DOCUMENT, "Table 6", table6.extract),
    Extractor("table7", table7.DOCUMENT, "Table 7", table7.extract),
    Extractor("table8", table8.DOCUMENT, "Table 8", table8.extract),
    Extractor("table9", table9.DOCUMENT, "Table 9", table9.extract),
    Extractor("table10", table10.DOCUMENT, "Table 10", table10.extract),
    Extractor("prose", prose.DOCUMENT, None, prose.extract),
    Extractor("country-cases", country_cases.DOCUMENT, None, country_cases.extract),
    *(
        Extractor(f"initiatives-{document[:3]}", document, None, extract)
        for document, extract in initiatives.EXTRACT.items()
    ),
    Extractor("toolbox", toolbox.DOCUMENT, None, toolbox.extract_toolbox),
    Extractor("abbreviations", abbreviations.DOCUMENT, None, abbreviations.extract),
)


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
