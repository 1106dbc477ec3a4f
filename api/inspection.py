"""What the service must know about a query before running it, read by a SPARQL tokenizer.

The tokenizer follows the SPARQL 1.1 grammar's terminals (§19.8) closely enough to tell
keywords from the text of strings, comments, IRIs, variables and prefixed names, so a
`SERVICE` inside a literal or a comment is not mistaken for federation and a real one is never
missed. It is a regex scan (microseconds), unlike a full parse with rdflib (milliseconds).
SPARQL allows `\\uXXXX` escapes anywhere in the query text (§19.2) while Oxigraph decodes them only
in strings, so a query is scanned both as written and with escapes decoded, and the union of
what either reading finds is reported.
"""

from __future__ import annotations

import re
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


@dataclass(frozen=True)
class Token:
    kind: str
    text: str


@dataclass
class QueryInfo:
    """The query form, declared prefixes, whether FROM sets the dataset, and every SERVICE
    endpoint (`?var` if a variable)."""

    form: str | None = None
    has_from: bool = False
    prefixes: dict[str, str] = field(default_factory=dict)
    services: list[str] = field(default_factory=list)

    @property
    def is_graph_query(self) -> bool:
        return self.form in ("CONSTRUCT", "DESCRIBE")


def decode_codepoints(text: str) -> str:
    """Apply SPARQL's `\\u`/`\\U` codepoint escapes to the whole text (SPARQL 1.1 §19.2)."""

    def _char(match: re.Match[str]) -> str:
        code = int(match.group(1) or match.group(2), 16)
        return chr(code) if code <= 0x10FFFF else match.group(0)

    return _CODEPOINT.sub(_char, text)


def tokenize(text: str) -> list[Token]:
    """Significant tokens (no whitespace, no comments) of a SPARQL text."""
    tokens: list[Token] = []
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "other"
        if kind not in ("ws", "comment"):
            tokens.append(Token(kind, match.group()))
    return tokens


def _scan(text: str) -> QueryInfo:
    info = QueryInfo()
    base: str | None = None
    tokens = tokenize(text)
    for index, token in enumerate(tokens):
        if token.kind != "word":
            continue
        keyword = token.text.upper()
        following = tokens[index + 1 : index + 4]
        if keyword in _FORMS and info.form is None:
            info.form = keyword
        elif keyword == "FROM":
            info.has_from = True
        elif keyword == "BASE" and following and following[0].kind == "iri":
            base = urljoin(base or "", following[0].text[1:-1])
        elif keyword == "PREFIX" and len(following) >= 2 and following[1].kind == "iri":
            name = following[0].text.rstrip(":") if following[0].kind == "pname" else ""
            info.prefixes[name] = urljoin(base or "", following[1].text[1:-1])
        elif keyword == "SERVICE":
            if following and following[0].kind == "word" and following[0].text.upper() == "SILENT":
                following = following[1:]
            info.services.append(_endpoint(following[0] if following else None, info, base))
    return info


def _endpoint(token: Token | None, info: QueryInfo, base: str | None) -> str:
    if token is None:
        return "?"
    if token.kind == "iri":
        return urljoin(base or "", token.text[1:-1])
    if token.kind == "pname":
        prefix, _, local = token.text.partition(":")
        if prefix in info.prefixes:
            return info.prefixes[prefix] + re.sub(r"\\(.)", r"\1", local)
    if token.kind == "var":
        return "?" + token.text[1:]
    return token.text


def inspect_query(text: str) -> QueryInfo:
    """Inspect a query as written and as decoded; SERVICE endpoints of both readings."""
    info = _scan(text)
    decoded = decode_codepoints(text)
    if decoded != text:
        other = _scan(decoded)
        info.form = info.form or other.form
        info.services += [s for s in other.services if s not in info.services]
    return info


def refused_services(info: QueryInfo, allowlist: tuple[str, ...]) -> list[str]:
    """SERVICE endpoints not on the allow-list (variables are never allowed)."""
    return [s for s in info.services if s.startswith("?") or s not in allowlist]
