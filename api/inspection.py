"""What the service reads from a query's text before a parser sees it: nesting depth, form,
prefixes and FROM, with a SPARQL tokenizer.

Nothing here decides on federation: `SERVICE` is found on the parsed query by
`clusterkg.api.federation`, and the query workers cannot open network sockets at all
(`clusterkg.api.sandbox`). The tokenizer follows the SPARQL 1.1 grammar's terminals (§19.8)
closely enough to tell brackets and keywords from the text of strings, comments and IRIs. Every
function is one regex pass (linear in the text), so a hostile query cannot stall it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import urljoin

_TOKEN = re.compile(
    r"""
      (?P<ws>\s+)
    | (?P<comment>\#[^\n\r]*)
    | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''
                | \"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
                | '(?:[^'\\\n\r]|\\.)*'
                | "(?:[^"\\\n\r]|\\.)*")
    | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
    | (?P<var>[?$][\w\u00B7\u0300-\u036F\u203F-\u2040]+)
    | (?P<pname>(?:[^\W\d_][\w.\-]*)?:(?:[\w:%\\\-]|\.(?=[\w:%\\\-]))*)
    | (?P<word>[^\W\d][\w\-]*)
    | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)
_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_FORMS = frozenset({"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"})
_OPEN = frozenset("{([")
_CLOSE = frozenset("})]")


class QueryTooDeep(ValueError):
    """The query nests brackets deeper than the configured limit (HTTP 400)."""


@dataclass(frozen=True)
class Token:
    """One significant token: its grammar kind, its text and where it ends in the query."""

    kind: str
    text: str
    end: int


@dataclass
class QueryInfo:
    """The query form, declared prefixes and whether FROM sets the dataset."""

    form: str | None = None
    has_from: bool = False
    prefixes: dict[str, str] = field(default_factory=dict)

    @property
    def is_graph_query(self) -> bool:
        return self.form in ("CONSTRUCT", "DESCRIBE")


def decode_codepoints(text: str) -> str:
    """Apply SPARQL's `\\u`/`\\U` codepoint escapes to the whole text (SPARQL 1.1 §19.2)."""

    def _char(match: re.Match[str]) -> str:
        code = int(match.group(1) or match.group(2), 16)
        return chr(code) if code <= 0x10FFFF else match.group(0)

    return _CODEPOINT.sub(_char, text)


def tokens(text: str) -> Iterator[Token]:
    """Significant tokens (no whitespace, no comments) of a SPARQL text, lazily."""
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "other"
        if kind not in ("ws", "comment"):
            yield Token(kind, match.group(), match.end())


def nesting_depth(text: str) -> int:
    """Deepest nesting of `{`, `(` and `[` outside strings, IRIs and comments."""
    return _scan(text)[1]


def check_depth(text: str, limit: int) -> None:
    """Refuse a text nested deeper than `limit`, as written and with codepoint escapes
    decoded (parsers that apply §19.2 first see the decoded brackets)."""
    for reading in dict.fromkeys((text, decode_codepoints(text))):
        _refuse_deeper(nesting_depth(reading), limit)


def inspect_query(text: str) -> QueryInfo:
    """Form, prefixes (resolved against BASE) and FROM of a query, from its tokens."""
    return _scan(text)[0]


CACHED_TEXT = 16 << 10  # texts up to this many characters are examined once per process


def examine(text: str, limit: int) -> QueryInfo:
    """`check_depth(text, limit)` and `inspect_query(text)` in one pass of the tokenizer (the
    query worker's path: every query is read once before the engine sees it). A text up to
    CACHED_TEXT characters is scanned once per process (named queries and apps repeat theirs):
    the returned info is then shared and must not be changed."""
    if len(text) <= CACHED_TEXT:
        return _examined(text, limit)
    return _examine(text, limit)


@lru_cache(maxsize=512)
def _examined(text: str, limit: int) -> QueryInfo:
    return _examine(text, limit)


def _examine(text: str, limit: int) -> QueryInfo:
    info, depth = _scan(text)
    _refuse_deeper(depth, limit)
    if "\\u" in text or "\\U" in text:  # codepoint escapes: the decoded reading too
        decoded = decode_codepoints(text)
        if decoded != text:
            _refuse_deeper(nesting_depth(decoded), limit)
    return info


def _refuse_deeper(depth: int, limit: int) -> None:
    if depth > limit:
        raise QueryTooDeep(
            f"the query nests brackets {depth} deep; the limit is {limit} "
            "(CLUSTERKG_MAX_QUERY_DEPTH)"
        )


def _scan(text: str) -> tuple[QueryInfo, int]:
    """The query's form, prefixes and FROM, and its deepest bracket nesting: one regex pass,
    no object per token."""
    info = QueryInfo()
    base: str | None = None
    depth = deepest = 0
    # the two significant tokens before this one, as (kind, text)
    last: tuple[str, str] = ("", "")
    before: tuple[str, str] = ("", "")
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "other"
        if kind == "ws" or kind == "comment":
            continue
        value = match.group()
        if kind == "other":
            if value in _OPEN:
                depth += 1
                if depth > deepest:
                    deepest = depth
            elif value in _CLOSE and depth:
                depth -= 1
        elif kind == "word":
            keyword = value.upper()
            if keyword in _FORMS and info.form is None:
                info.form = keyword
            elif keyword == "FROM":
                info.has_from = True
        elif kind == "iri":
            if last[0] == "word" and last[1].upper() == "BASE":
                base = urljoin(base or "", value[1:-1])
            if before[0] == "word" and before[1].upper() == "PREFIX":
                name = last[1].rstrip(":") if last[0] == "pname" else ""
                info.prefixes[name] = urljoin(base or "", value[1:-1])
        before, last = last, (kind, value)
    return info, deepest
