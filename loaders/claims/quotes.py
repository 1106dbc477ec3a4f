"""Reviewed facts that sit in prose, each resting on an exact quote of one source line.

Where a fact has no structure a parser could rely on (a figure inside a sentence, a funding
programme named in passing), a reviewer writes it into a YAML file with the line number and the
words it rests on. `verify` checks that those words occur on that line of the document as the
loader reads it: a new conversion or a typo in the YAML stops the build instead of publishing a
fact the source no longer states.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from clusterkg.loaders.records import ExtractionError, SourceRef
from clusterkg.loaders.report.cells import squash
from clusterkg.loaders.report.document import Line

NUMBER_WORDS = (
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
    "twenty",
)


class QuoteError(ExtractionError):
    """A reviewed fact whose quote is not on the line it names: the build must stop."""


@cache
def load_facts(path: Path) -> dict[str, Any]:
    """A curated facts file as a mapping of sections (lists of fact entries); read once, so
    callers must not change what it returns."""
    doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(doc, dict):
        raise QuoteError(path.name, 1, None, "a facts file must be a mapping of sections")
    return doc


def line_text(lines: Sequence[Line], document: str, number: int) -> str:
    """The text of line `number` (1-based) as the loader reads it."""
    for line in lines:
        if line.start <= number <= line.end:
            return line.text
    raise QuoteError(document, number, None, "no such line")


def verify(lines: Sequence[Line], document: str, fact: Mapping[str, Any]) -> SourceRef:
    """Check that `fact["quote"]` occurs on `fact["line"]` (spacing ignored) and return the
    excerpt it rests on: the fact's `table`, or the prose. The one quote checker of every
    curated file (facts, claims, prose statements)."""
    try:
        number, quote = int(fact["line"]), str(fact["quote"])
    except (KeyError, TypeError, ValueError) as exc:
        raise QuoteError(document, 0, None, f"fact without line and quote: {fact!r}") from exc
    table = fact.get("table")
    if squash(quote) not in squash(line_text(lines, document, number)):
        named = f"{fact['id']}: " if "id" in fact else ""
        raise QuoteError(document, number, table, f"{named}quote not on this line: {quote!r}")
    return SourceRef(document, table, number, number)


def written_forms(value: int) -> set[str]:
    """How a count may be written in the prose (`3200` -> `3200`, `3,200`; `5` -> `five`)."""
    words = {NUMBER_WORDS[value]} if 0 <= value < len(NUMBER_WORDS) else set()
    return {str(value), f"{value:,}"} | words


def check_count(document: str, fact: Mapping[str, Any], value: int) -> None:
    """A curated count must be written in its own quote, so the YAML cannot drift from it."""
    quote = squash(str(fact["quote"]))
    forms = written_forms(value)
    if not any(re.search(rf"(?<![\w,]){re.escape(f)}(?![\w,])", quote, re.I) for f in forms):
        raise QuoteError(document, int(fact["line"]), None, f"{value} is not written in {quote!r}")
