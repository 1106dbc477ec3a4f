"""Values a spreadsheet would run as a formula (CSV injection), caught where data comes in.

OWASP's rule: a cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is read as
a formula by Excel, LibreOffice and Google Sheets when the value is later exported to CSV and
opened. Full-width and small forms (`＝`, `＋`, `－`, `＠`, `﹦` ...) count too: they fold to the
same characters under Unicode compatibility normalisation, which some spreadsheets apply. A
plain number (`-12.5`, `+3`, `1e-3`) is not a formula and is what numeric columns legitimately
hold, so it passes; `-1+2` or `-cmd|...` does not. Survey values that match are reported with
file, row and column (tables) or file, subject and property (Turtle, JSON-LD).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

import rdflib

PREFIXES = frozenset("=+-@\t\r")
PLAIN_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
MESSAGE = (
    "the value starts with a formula character (=, +, -, @, tab or carriage return, or a "
    "full-width form of one); spreadsheets would run it as a formula when it is exported"
)
EXPECTED = "text that does not start with =, +, -, @ (a plain number may start with a sign)"


def looks_like_formula(value: str) -> bool:
    """True when a spreadsheet would take `value` (as typed or after trimming) for a formula."""
    if not value:
        return False
    if value[0] in "\t\r":
        return True
    stripped = value.strip()
    if not stripped:
        return False
    first = unicodedata.normalize("NFKC", stripped[0])[:1]
    if first not in PREFIXES:
        return False
    return PLAIN_NUMBER.match(stripped) is None


def formula_literals(graph: rdflib.Graph) -> Iterator[tuple[str, str, str]]:
    """(subject, property, value) of every literal in `graph` that looks like a formula."""
    for s, p, o in graph:
        if isinstance(o, rdflib.Literal) and looks_like_formula(str(o)):
            yield str(s), str(p), str(o)
