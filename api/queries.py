"""The named-query library over HTTP: `GET /queries` lists it, `GET /queries/{name}` runs one.

A query's `#+ param: ?var description` header lines name the variables a caller may bind with
query-string values (`/queries/programmes-of-country?country=<http://...>`). Each value is read as
one RDF term and placed in a `VALUES` block at the top of the query's WHERE group, written by
Oxigraph's term serialiser: raw input never reaches the query text. A parameter given several
times binds several values; one left out leaves its variable free. The query then runs exactly as
a `/sparql` request: same worker pool, time limit, row cap and content negotiation (Accept or
`format=`).
"""

from __future__ import annotations

import re
from typing import Any

import pyoxigraph as ox
from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse, PlainTextResponse

from clusterkg import iris
from clusterkg.api.execution import CHEAP, QueryPool
from clusterkg.api.inspection import QueryTooDeep, check_depth, inspect_query, tokens
from clusterkg.api.protocol import ProtocolError, answer_query, error_response
from clusterkg.api.state import get_pool, get_release, get_settings
from clusterkg.graph.release import Release, ReleaseError, wave_dataset
from clusterkg.queries.library import NamedQuery, library, parse_header
from clusterkg.settings import Settings

router = APIRouter(tags=["named queries"])

PASS_THROUGH = ("format", "output")  # answer-format overrides, as on /sparql
WAVE = "wave"  # one survey wave alone (README, "Releases and survey waves")
_NUMBER = re.compile(r"[+-]?(?:\d+|\d*\.\d+)")
_PNAME = re.compile(r"([A-Za-z][\w.-]*)?:([\w.-]*)")
_XSD = iris.XSD

Term = ox.NamedNode | ox.Literal


class ParameterError(ValueError):
    """A parameter value that cannot be bound (HTTP 400)."""


def get_library() -> dict[str, NamedQuery]:
    """The named queries served; tests swap the library with `app.dependency_overrides`."""
    return library()


def parameters(query: NamedQuery) -> list[dict[str, str]]:
    """Name and description of each `#+ param:` line of a query."""
    described = []
    for line in parse_header(query.path).get("param", []):
        name, _, description = line.partition(" ")
        if name:
            described.append({"name": name.lstrip("?$"), "description": description.strip()})
    return described


def describe(query: NamedQuery, request: Request) -> dict[str, Any]:
    """The JSON entry of one query: its header, its SPARQL text and the URL that runs it."""
    return {
        "name": query.name,
        "topic": query.topic,
        "summary": query.summary,
        "description": query.description,
        "tags": list(query.tags),
        "params": parameters(query),
        "url": str(request.url_for("run_named_query", name=query.name)),
        "sparql": query.text,
    }


def parse_term(value: str, prefixes: dict[str, str]) -> Term:
    """One RDF term in SPARQL's own notation: `<iri>`, `prefix:local` (a prefix the query
    declares), a literal `"..."`, `"..."@lang` or `"..."^^<datatype>`, a number, `true` or
    `false`; any other text is a plain string literal."""
    text = value.strip()
    try:
        if text.startswith("<") and text.endswith(">"):
            return ox.NamedNode(text[1:-1])
        if text.startswith('"'):
            return _literal(text)
        pname = _PNAME.fullmatch(text)
        if pname and (pname.group(1) or "") in prefixes:
            return ox.NamedNode(prefixes[pname.group(1) or ""] + pname.group(2))
    except (ValueError, SyntaxError) as error:
        raise ParameterError(f"{value!r} is not a valid IRI or literal: {error}") from None
    if _NUMBER.fullmatch(text):
        return ox.Literal(text, datatype=ox.NamedNode(_XSD + ("decimal" if "." in text else
                                                              "integer")))
    if text in ("true", "false"):
        return ox.Literal(text, datatype=ox.NamedNode(_XSD + "boolean"))
    return ox.Literal(value)


def _literal(text: str) -> ox.Literal:
    """A literal in N-Triples syntax, read by Oxigraph's parser as the object of one triple."""
    triples = list(ox.parse(f"<urn:s> <urn:p> {text} .".encode(), format=ox.RdfFormat.N_TRIPLES))
    if len(triples) != 1 or not isinstance(triples[0].object, ox.Literal):
        raise ValueError("expected exactly one literal")
    return triples[0].object


def where_group_start(sparql: str) -> int:
    """Offset just after the `{` that opens the query's WHERE group (tokens in strings, IRIs
    and comments are skipped by the SPARQL tokenizer of `inspection`)."""
    form = inspect_query(sparql).form
    depth, after_where, first_brace = 0, False, -1
    for item in tokens(sparql):
        kind, token = item.kind, item.text
        if kind == "word" and depth == 0:
            after_where = token.upper() == "WHERE"
            continue
        if token in ("{", "("):
            if depth == 0 and token == "{":
                if after_where and (form != "CONSTRUCT" or first_brace >= 0):
                    return item.end
                if after_where:
                    raise ValueError("the short form CONSTRUCT WHERE cannot take VALUES")
                first_brace = item.end if first_brace < 0 else first_brace
            depth += 1
        elif token in ("}", ")"):
            depth -= 1
        after_where = False
    if first_brace >= 0 and form in ("SELECT", "ASK", "DESCRIBE"):
        return first_brace
    raise ValueError("cannot find the WHERE group of the query")


def bind(sparql: str, values: dict[str, list[Term]]) -> str:
    """The query with one `VALUES ?var { term ... }` block per bound variable at the top of
    its WHERE group, so the values restrict the pattern before any grouping."""
    if not values:
        return sparql
    blocks = " ".join(
        f"VALUES ?{name} {{ {' '.join(str(term) for term in terms)} }}"
        for name, terms in values.items()
    )
    at = where_group_start(sparql)
    return f"{sparql[:at]} {blocks}\n{sparql[at:]}"


def bound_values(
    query: NamedQuery, pairs: list[tuple[str, str]], max_depth: int = 128
) -> dict[str, list[Term]]:
    """The query-string values per declared parameter; unknown names are refused, and so is
    a value nested deeper than `max_depth` (checked before any parser reads it)."""
    declared = [p["name"] for p in parameters(query)]
    prefixes = inspect_query(query.text).prefixes
    values: dict[str, list[Term]] = {}
    for key, value in pairs:
        if key in PASS_THROUGH:
            continue
        if key not in declared:
            takes = ", ".join(declared) if declared else "no parameters"
            raise ParameterError(f"unknown parameter {key!r}: {query.name} takes {takes}")
        try:
            check_depth(value, max_depth)
        except QueryTooDeep as error:
            raise ParameterError(f"parameter {key!r}: {error}") from None
        values.setdefault(key, []).append(parse_term(value, prefixes))
    return values


@router.get("/queries")
def list_queries(
    request: Request, queries: dict[str, NamedQuery] = Depends(get_library)
) -> JSONResponse:
    """The named-query library: name, topic, summary, description, tags and parameters."""
    return JSONResponse([describe(q, request) for q in queries.values()])


@router.get("/queries/{name}", name="run_named_query")
async def run_named_query(
    name: str,
    request: Request,
    queries: dict[str, NamedQuery] = Depends(get_library),
    pool: QueryPool = Depends(get_pool),
    settings: Settings = Depends(get_settings),
    release: Release = Depends(get_release),
) -> Response:
    """Run a named query with its parameters bound; the answer is negotiated as on /sparql.
    `wave=NAME` asks the query of that survey wave alone instead of the current release."""
    query = queries.get(name)
    if query is None:
        return PlainTextResponse(f"no named query {name!r}: GET /queries lists them\n", 404)
    pairs = [(k, v) for k, v in request.query_params.multi_items() if k != WAVE]
    dataset: list[tuple[str, str]] = []
    asked = request.query_params.getlist(WAVE)
    if len(asked) > 1:
        return PlainTextResponse("parameter 'wave': give one wave at most\n", 400)
    if asked:
        try:
            dataset = [("default-graph-uri", g) for g in wave_dataset(release, asked[0])]
        except ReleaseError as error:
            return PlainTextResponse(f"parameter 'wave': {error}\n", 400)
    try:
        sparql = bind(query.text, bound_values(query, pairs, settings.max_query_depth))
    except ParameterError as error:
        return PlainTextResponse(f"{error}\n", 400)
    except ValueError as error:  # the library's query cannot take VALUES: a library defect
        return PlainTextResponse(f"{name} cannot be parametrised: {error}\n", 500)
    forced = [(key, value) for key, value in pairs if key in PASS_THROUGH]
    try:
        return await answer_query(
            request, [("query", sparql), *dataset, *forced], pool, settings, CHEAP
        )
    except ProtocolError as error:
        return error_response(error)
