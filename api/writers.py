"""Streaming writers of query answers, each bounded by a byte cap.

Answers are written piece by piece into an `AnswerSink`, which hands out chunks as they fill
and stops the query with `AnswerTooLarge` once the configured cap is passed, so neither the
worker nor the server ever holds more than the cap. SELECT answers are written here (Oxigraph
cannot serialise a result set cut at the row cap); JSON has no size limit on a literal.

CSV and TSV cells that a spreadsheet would run as a formula are neutralised by the OWASP rule
(a leading `'` before `=`, `+`, `-`, `@`, tab, CR and their full-width forms); numbers are left
as they are.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterable
from json.encoder import encode_basestring
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

from clusterkg import iris

CHUNK = 1 << 20
BATCH = 1 << 16  # characters of rows collected before one write to the sink
_FORMULA_START = tuple("=+-@\t\r\uff1d\uff0b\uff0d\uff20")
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_XSD_STRING = iris.XSD + "string"
RESULTS_NS = "http://www.w3.org/2005/sparql-results#"
_quote: Callable[[str], str] = encode_basestring  # json's own (C) string encoder


class AnswerTooLarge(Exception):
    """The answer passed the byte cap."""


class AnswerSink:
    """A binary file-like object that emits full chunks and enforces the byte cap."""

    def __init__(self, limit: int, emit: Callable[[bytes], None], chunk: int = CHUNK,
                 head: Callable[[str, bool], None] | None = None) -> None:
        self.limit = limit
        self.size = 0
        self._emit = emit
        self._chunk = chunk
        self._buffer = bytearray()
        self._head = head
        self._started: tuple[str, bool] | None = None

    def start(self, content_type: str, truncated: bool = False) -> None:
        """Declare the answer's content type (and row-cap cut) before writing it: `head`
        hears of it just before the first chunk, so an answer that fits in one chunk never
        sends it (it travels with the outcome)."""
        self._started = (content_type, truncated)

    def write(self, data: bytes | bytearray | memoryview | str) -> int:
        raw = data.encode() if isinstance(data, str) else bytes(data)
        self.size += len(raw)
        if self.size > self.limit:
            raise AnswerTooLarge(
                f"the answer is larger than the limit of {self.limit} bytes "
                "(CLUSTERKG_MAX_ANSWER_BYTES): add a LIMIT or select fewer or shorter values"
            )
        self._buffer += raw
        if len(self._buffer) >= self._chunk:
            self.flush()
        return len(raw)

    def flush(self) -> None:
        if self._buffer:
            if self._head is not None and self._started is not None:
                self._head(*self._started)
                self._head = None
            self._emit(bytes(self._buffer))
            self._buffer.clear()

    def rest(self) -> bytes:
        """What is buffered and not emitted yet (the whole of a small answer), cleared."""
        data = bytes(self._buffer)
        self._buffer.clear()
        return data


class _Batch:
    """Pieces of text collected and written to the sink about `BATCH` characters at a time."""

    def __init__(self, sink: AnswerSink) -> None:
        self.sink = sink
        self.pieces: list[str] = []
        self.size = 0

    def add(self, text: str) -> None:
        self.pieces.append(text)
        self.size += len(text)
        if self.size >= BATCH:
            self.flush()

    def flush(self) -> None:
        if self.pieces:
            self.sink.write("".join(self.pieces))
            self.pieces, self.size = [], 0


def neutralise(value: str) -> str:
    """A spreadsheet-safe cell: formula-like text gets a leading apostrophe (OWASP)."""
    if value.startswith(_FORMULA_START) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def term_json(term: Any) -> dict[str, Any]:
    """An RDF term in the SPARQL 1.1 JSON results encoding (§3.2.2)."""
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out: dict[str, Any] = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != _XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    if isinstance(term, ox.Triple):
        return {"type": "triple", "value": {
            "subject": term_json(term.subject),
            "predicate": term_json(term.predicate),
            "object": term_json(term.object),
        }}
    raise TypeError(f"not an RDF term: {term!r}")


def _json_term(term: Any) -> str:
    """`term_json(term)` as compact JSON text, written directly (the C string encoder only)."""
    if isinstance(term, ox.NamedNode):
        return '{"type":"uri","value":' + _quote(term.value) + "}"
    if isinstance(term, ox.Literal):
        text = '{"type":"literal","value":' + _quote(term.value)
        if term.language:
            return text + ',"xml:lang":' + _quote(term.language) + "}"
        datatype = term.datatype.value
        return text + ("}" if datatype == _XSD_STRING else ',"datatype":' + _quote(datatype) + "}")
    if isinstance(term, ox.BlankNode):
        return '{"type":"bnode","value":' + _quote(term.value) + "}"
    return json.dumps(term_json(term), ensure_ascii=False, separators=(",", ":"))


def write_json(sink: AnswerSink, variables: list[str], rows: Iterable[ox.QuerySolution]) -> None:
    """SPARQL 1.1 JSON results, byte for byte what `json.dumps(..., ensure_ascii=False,
    separators=(",", ":"))` writes for the whole document, built row by row without a dict
    or an encoder per row and handed to the sink in batches."""
    head = json.dumps({"vars": variables}, ensure_ascii=False, separators=(",", ":"))
    sink.write('{"head":' + head + ',"results":{"bindings":[')
    keys = [_quote(name) + ":" for name in variables]
    batch = _Batch(sink)
    for index, row in enumerate(rows):
        batch.add(("{" if not index else ",{") + ",".join(
            key + _json_term(term) for key, term in zip(keys, row, strict=True)
            if term is not None) + "}")
    batch.flush()
    sink.write("]}}")


def _xml_term(term: Any) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, ox.Literal):
        if term.language:
            attribute = f" xml:lang={quoteattr(term.language)}"
        elif term.datatype.value != _XSD_STRING:
            attribute = f" datatype={quoteattr(term.datatype.value)}"
        else:
            attribute = ""
        return f"<literal{attribute}>{escape(term.value)}</literal>"
    if isinstance(term, ox.Triple):
        parts = (("subject", term.subject), ("predicate", term.predicate),
                 ("object", term.object))
        return "<triple>" + "".join(f"<{n}>{_xml_term(t)}</{n}>" for n, t in parts) + "</triple>"
    raise TypeError(f"not an RDF term: {term!r}")


def write_xml(sink: AnswerSink, variables: list[str], rows: Iterable[ox.QuerySolution]) -> None:
    """SPARQL Query Results XML Format, one result at a time."""
    sink.write(f'<?xml version="1.0"?>\n<sparql xmlns="{RESULTS_NS}"><head>')
    sink.write("".join(f"<variable name={quoteattr(v)}/>" for v in variables))
    sink.write("</head><results>")
    opens = [f"<binding name={quoteattr(name)}>" for name in variables]
    batch = _Batch(sink)
    for row in rows:
        batch.add("<result>" + "".join(
            f"{opening}{_xml_term(term)}</binding>"
            for opening, term in zip(opens, row, strict=True) if term is not None
        ) + "</result>")
    batch.flush()
    sink.write("</results></sparql>\n")


def _csv_value(term: Any) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return "_:" + term.value
    text = term.value if isinstance(term, ox.NamedNode | ox.Literal) else str(term)
    return neutralise(text)


def write_csv(sink: AnswerSink, variables: list[str], rows: Iterable[ox.QuerySolution]) -> None:
    """SPARQL CSV (CSV/TSV results §2): plain values, RFC 4180 quoting, CRLF."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(variables)
    for row in rows:
        writer.writerow([_csv_value(term) for term in row])
        if out.tell() >= CHUNK:
            sink.write(out.getvalue())
            out.seek(0)
            out.truncate()
    sink.write(out.getvalue())


def _tsv_value(term: Any) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.Literal) and term.value.startswith(_FORMULA_START):
        safe = neutralise(term.value)
        if safe != term.value:
            term = ox.Literal(safe, language=term.language) if term.language else ox.Literal(
                safe, datatype=term.datatype)
    return str(term)


def write_tsv(sink: AnswerSink, variables: list[str], rows: Iterable[ox.QuerySolution]) -> None:
    """SPARQL TSV (CSV/TSV results §3): terms in N-Triples syntax, `?var` header."""
    sink.write("\t".join("?" + name for name in variables) + "\n")
    batch = _Batch(sink)
    for row in rows:
        batch.add("\t".join(_tsv_value(term) for term in row) + "\n")
    batch.flush()


WRITERS: dict[str, Callable[[AnswerSink, list[str], Iterable[ox.QuerySolution]], None]] = {
    "SPARQL_Results_JSON": write_json,
    "SPARQL_Results_XML": write_xml,
    "SPARQL_Results_CSV": write_csv,
    "SPARQL_Results_TSV": write_tsv,
}
