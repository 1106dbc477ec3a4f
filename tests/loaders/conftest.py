from __future__ import annotations

import pytest

from clusterkg.loaders.documents import document_file
from clusterkg.loaders.records import Record
from clusterkg.loaders.registry import run_extractors
from clusterkg.loaders.report.corrections import corrected_lines
from clusterkg.loaders.report.document import Line
from clusterkg.paths import CORRECTIONS_FILE, SOURCES_DIR

DOCUMENT = document_file("report")


@pytest.fixture(scope="session")
def lines() -> list[Line]:
    """The report's lines with the corrections applied."""
    return corrected_lines(SOURCES_DIR, DOCUMENT, CORRECTIONS_FILE)


@pytest.fixture(scope="session")
def records() -> list[Record]:
    """Every record of every registered extractor."""
    return run_extractors(SOURCES_DIR, CORRECTIONS_FILE)
