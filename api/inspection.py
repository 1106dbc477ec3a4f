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
    depth = deepest = 0
    for token in tokens(text):
        if token.kind != "other":
            continue
        if token.text in _OPEN:
            depth += 1
            deepest = max(deepest, depth)
        elif token.text in _CLOSE and depth:
            depth -= 1
    return deepest


def check_depth(text: str, limit: int) -> None:
    """Refuse a text nested deeper than `limit`, as written and with codepoint escapes
    decoded (parsers that apply §19.2 first see the decoded brackets)."""
    for reading in dict.fromkeys((text, decode_codepoints(text))):
        depth = nesting_depth(reading)
        if depth > limit:
            raise QueryTooDeep(
                f"the query nests brackets {depth} deep; the limit is {limit} "
                "(CLUSTERKG_MAX_QUERY_DEPTH)"
            )


def inspect_query(text: str) -> QueryInfo:
    """Form, prefixes (resolved against BASE) and FROM of a query, from its tokens."""
    info = QueryInfo()
    base: str | None = None
    recent: list[Token] = []  # the last three tokens, newest last
    for token in tokens(text):
        _take(info, recent, token)
        if recent and recent[-1].kind == "word" and recent[-1].text.upper() == "BASE" and (
            token.kind == "iri"
        ):
            base = urljoin(base or "", token.text[1:-1])
        if len(recent) >= 2 and token.kind == "iri" and recent[-2].kind == "word" and (
            recent[-2].text.upper() == "PREFIX"
        ):
            name = recent[-1].text.rstrip(":") if recent[-1].kind == "pname" else ""
            info.prefixes[name] = urljoin(base or "", token.text[1:-1])
        recent = [*recent[-2:], token]
    return info


def _take(info: QueryInfo, recent: list[Token], token: Token) -> None:
    if token.kind != "word":
        return
    keyword = token.text.upper()
    if keyword in _FORMS and info.form is None:
        info.form = keyword
    elif keyword == "FROM":
        info.has_from = True
