"""Additional answers: free text a respondent wrote beside a closed question of the surveys.

Every table that keeps such text (Tables 3, 6, 7, 8, 9, 10) makes its records here, so each
answer names the question it answers (a notation of `survey-questions.ttl`), says whether the
report prints it in italics (the report's mark of a respondent's own addition) or as plain text,
and gets an identifier from its content: the question and a digest of the text, never its
position.
"""

from __future__ import annotations

import hashlib

from clusterkg.loaders.records import Record, SourceRef
from clusterkg.loaders.report.cells import Cell, squash


def answer_key(question: str, text: str) -> str:
    """`objectives-1a2b3c4d`: the question and the first 8 hex digits of the text's SHA-256."""
    digest = hashlib.sha256(squash(text).encode("utf-8")).hexdigest()[:8]
    return f"{question}-{digest}"


def in_italics(cell: Cell, text: str) -> bool:
    """Whether `text` is one of the cell's italic runs, or all of them joined (a whole cell
    printed in italics)."""
    wanted = squash(text)
    return wanted in cell.italics or (
        bool(cell.italics) and wanted == squash(" ".join(cell.italics))
    )


def answer(
    kind: str, owner: dict[str, str], question: str, text: str, italic: bool, source: SourceRef
) -> Record:
    """An `additional_answer` (owner `programme_id`) or `region_additional_answer` (owner
    `region`) record."""
    values = {
        **owner,
        "question": question,
        "text": text,
        "italic": str(italic).lower(),
        "answer_key": answer_key(question, text),
    }
    return Record(kind, values, source)


def programme_answer(pid: str, question: str, text: str, italic: bool, source: SourceRef) -> Record:
    """An additional answer about a programme."""
    return answer("additional_answer", {"programme_id": pid}, question, text, italic, source)


def region_answer(region: str, question: str, text: str, italic: bool, source: SourceRef) -> Record:
    """An additional answer about a region."""
    return answer("region_additional_answer", {"region": region}, question, text, italic, source)
