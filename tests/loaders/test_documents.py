"""`data/documents.yaml` is the one place that names the source files."""

from __future__ import annotations

from pathlib import Path

import pytest

from clusterkg.loaders.documents import document_file, document_of, load_documents
from clusterkg.loaders.records import ExtractionError
from clusterkg.loaders.registry import EXTRACTORS, FUNCTIONS
from clusterkg.paths import SOURCES_DIR


def test_every_document_exists_and_every_extractor_reads_one() -> None:
    documents = load_documents()
    assert {d.key for d in documents} == {
        "inno-industry",
        "escp-4i",
        "report",
        "emerging-industries",
        "toolbox",
    }
    for d in documents:
        assert (SOURCES_DIR / d.file).is_file(), d.file
    assert sorted(e for d in documents for e in d.extractors) == sorted(FUNCTIONS)
    assert [e.name for e in EXTRACTORS] == list(FUNCTIONS)
    assert document_of("table8") == document_file("report")


def test_a_duplicate_key_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "documents.yaml"
    entry = "- {file: %s, key: report, title: t, description: d}\n"
    path.write_text(entry % "a.txt" + entry % "b.txt", encoding="utf-8")
    with pytest.raises(ExtractionError, match="key appears twice"):
        load_documents(path)


def test_an_unknown_key_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(KeyError, match="no document with key 'nope'"):
        document_file("nope")
