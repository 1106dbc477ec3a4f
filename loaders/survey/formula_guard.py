"""Values a spreadsheet would run as a formula (CSV injection), caught where data comes in.

OWASP's rule: a cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is read as
a formula by Excel, LibreOffice and Google Sheets when the value is later exported to CSV and
opened. Full-width and small forms (`＝`, `＋`, `－`, `＠`, `﹦` ...) count too: they fold to the
same characters under Unicode compatibility normalisation, which some spreadsheets apply. A
plain number (`-12.5`, `+3`, `1e-3`) is not a formula and is what numeric columns legitimately
hold, so it passes; `-cmd|...` or `-2+HYPERLINK(...)` does not. A sign followed only by signs,
digits and separators (the source's rating symbols `+`, `++`, `+/-`) can call nothing: it is a
warning, kept as text (CSV answers neutralise it). Survey values that match are reported with
file, row and column (tables) or file, subject and property (Turtle, JSON-LD).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

import rdflib

PREFIXES = frozenset("=+-@\t\r")
SIGNS = frozenset("+-")
PLAIN_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
# Signs, digits and separators only ("+", "++", "+/-", "-1/2"): a spreadsheet may take it for a
# sum, but it can call no function, reach no cell or other program, so it is a warning.
INERT = re.compile(r"^[+\-0-9/.,\s]*$")
MESSAGE = (
    "the value starts with a formula character (=, +, -, @, tab or carriage return, or a "
    "full-width form of one); spreadsheets would run it as a formula when it is exported"
)
SIGN_MESSAGE = (
    "the value starts with a sign but is not a number; it is kept as text and neutralised when "
    "exported to CSV"
)
EXPECTED = "text that does not start with =, +, -, @ (a plain number may start with a sign)"


def formula_risk(value: str) -> str | None:
    """`Violation` for what a spreadsheet would run as a formula (as typed or once trimmed),
    `Warning` for a sign followed by signs, digits and separators only, else None."""
    if not value:
        return None
    if value[0] in "\t\r":
        return "Violation"
    stripped = value.strip()
    if not stripped:
        return None
    folded = unicodedata.normalize("NFKC", stripped)
    if folded[0] not in PREFIXES or PLAIN_NUMBER.match(folded):
        return None
    if folded[0] in SIGNS and INERT.match(folded):
        return "Warning"
    return "Violation"


def looks_like_formula(value: str) -> bool:
    """True when a spreadsheet would run `value` as a formula that can do harm."""
    return formula_risk(value) == "Violation"


def formula_literals(graph: rdflib.Graph) -> Iterator[tuple[str, str, str, str]]:
    """(severity, subject, property, value) of every literal in `graph` a spreadsheet would
    take for a formula."""
    for s, p, o in graph:
        if isinstance(o, rdflib.Literal):
            severity = formula_risk(str(o))
            if severity:
                yield severity, str(s), str(p), str(o)
