"""The bundled source documents as `data/documents.yaml` describes them.

File names are data: each entry gives the file, a short `key` that code and tests use to name the
document, and the extractors that read it. No loader repeats a file name.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from clusterkg.loaders.records import ExtractionError
from clusterkg.paths import DATA_DIR

DOCUMENTS_FILE = DATA_DIR / "documents.yaml"


@dataclass(frozen=True)
class Document:
    file: str
    key: str
    title: str
    description: str
    extractors: tuple[str, ...]


@cache
def load_documents(path: Path = DOCUMENTS_FILE) -> tuple[Document, ...]:
    """Every entry of the file, checked for its fields and for unique keys and extractors."""
    entries = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    documents: list[Document] = []
    for number, entry in enumerate(entries, start=1):
        try:
            document = Document(
                file=str(entry["file"]),
                key=str(entry["key"]),
                title=str(entry["title"]),
                description=str(entry["description"]),
                extractors=tuple(str(e) for e in entry.get("extractors", ())),
            )
        except (KeyError, TypeError) as exc:
            raise ExtractionError(str(path), number, None, f"document entry lacks {exc}") from exc
        documents.append(document)
    for field in ("key", "file"):
        values = [getattr(d, field) for d in documents]
        if len(set(values)) != len(values):
            raise ExtractionError(str(path), 0, field, f"a document {field} appears twice")
    named = [e for d in documents for e in d.extractors]
    if len(set(named)) != len(named):
        raise ExtractionError(str(path), 0, "extractors", "an extractor is listed twice")
    return tuple(documents)


def document_file(key: str, path: Path = DOCUMENTS_FILE) -> str:
    """The file name of the document with this key (`report` -> `002_….txt`)."""
    for document in load_documents(path):
        if document.key == key:
            return document.file
    raise KeyError(f"no document with key {key!r} in {path}")


def document_of(extractor: str, path: Path = DOCUMENTS_FILE) -> str:
    """The file name of the document an extractor reads."""
    for document in load_documents(path):
        if extractor in document.extractors:
            return document.file
    raise KeyError(f"no document of {path} lists the extractor {extractor!r}")
