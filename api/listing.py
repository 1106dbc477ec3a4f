"""Collection pages: validate the query string, build the SPARQL from the collection's file,
run it through the `Store` protocol and shape a Hydra page.

Parameters are read from the raw query string (not FastAPI's signature) so an unknown or
repeated parameter is a 400 that names it, and every value reaches the query as an RDF term
serialised by Oxigraph inside a VALUES block, never as pasted text. Members are ordered by the
sort key and then by IRI, so paging never skips or repeats a member.
"""

from __future__ import annotations

import re
import weakref
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import pyoxigraph as ox

from clusterkg import iris
from clusterkg.api.collection_spec import (
    CollectionSpec,
    FilterKind,
    FilterSpec,
    sparql_prologue,
)
from clusterkg.api.compact import Json, compact_node
from clusterkg.graph.store import Store

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
MAX_TEXT = 200
MAX_DECIMAL = Decimal(10) ** 15
CONTROL = ("sort", "limit", "page", "format")
XSD = iris.XSD
_VAR = re.compile(r"[?$]([A-Za-z_][A-Za-z0-9_]*)")

ValueTable = dict[str, tuple[str, ...]]
_values_cache: weakref.WeakKeyDictionary[object, dict[tuple[str, str], ValueTable]] = (
    weakref.WeakKeyDictionary()
)


class ParameterProblem(ValueError):
    """A query parameter the API cannot accept (HTTP 400); names the parameter."""

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(f"{parameter}: {message}")
        self.parameter = parameter
        self.message = message


@dataclass(frozen=True)
class ListQuery:
    """A validated request for one page of a collection."""

    spec: CollectionSpec
    filters: tuple[tuple[FilterSpec, str, tuple[ox.NamedNode | ox.Literal, ...]], ...]
    sort: str
    descending: bool
    limit: int
    page: int

    @property
    def given(self) -> dict[str, str]:
        """The filter values as the client gave them (for the page links)."""
        return {spec.name: raw for spec, raw, _ in self.filters}


@dataclass(frozen=True)
class Page:
    """One page of members and the collection's total under the same filters."""

    query: ListQuery
    total: int
    members: list[dict[str, Json]]

    @property
    def last_page(self) -> int:
        return max(1, -(-self.total // self.query.limit))


def term_values(spec: CollectionSpec, store: Store) -> dict[str, ValueTable]:
    """Allowed codes of each term filter, code -> IRIs, from the store (cached per store)."""
    per_store = _values_cache.setdefault(store, {})
    out: dict[str, ValueTable] = {}
    for name, fspec in spec.filters.items():
        if fspec.kind is not FilterKind.TERM:
            continue
        key = (spec.name, name)
        if key not in per_store:
            table: dict[str, set[str]] = {}
            solutions = store.query(sparql_prologue() + fspec.values)
            assert isinstance(solutions, ox.QuerySolutions)
            for row in solutions:
                value, term = row["value"], row["term"]
                if isinstance(value, ox.Literal) and isinstance(term, ox.NamedNode):
                    table.setdefault(value.value, set()).add(term.value)
            per_store[key] = {code: tuple(sorted(iris)) for code, iris in sorted(table.items())}
        out[name] = per_store[key]
    return out


def _allowed(values: list[str] | tuple[str, ...], limit: int = 60) -> str:
    if not values:
        return "none in the served graph"
    shown = ", ".join(values[:limit])
    return shown + (f", ... ({len(values)} in all)" if len(values) > limit else "")


def _integer(name: str, raw: str, low: int, high: int) -> int:
    if not re.fullmatch(r"[0-9]{1,9}", raw):
        raise ParameterProblem(name, f"expected an integer from {low} to {high}, got {raw!r}")
    value = int(raw)
    if not low <= value <= high:
        raise ParameterProblem(name, f"expected an integer from {low} to {high}, got {value}")
    return value


def _filter_terms(
    fspec: FilterSpec, raw: str, values: dict[str, ValueTable]
) -> tuple[ox.NamedNode | ox.Literal, ...]:
    name = fspec.name
    if fspec.kind is FilterKind.TERM:
        table = values[name]
        if raw not in table:
            raise ParameterProblem(
                name, f"unknown value {raw!r}; allowed: {_allowed(list(table))}"
            )
        return tuple(ox.NamedNode(iri) for iri in table[raw])
    if fspec.kind is FilterKind.ENUM:
        if raw not in fspec.options:
            allowed = _allowed(list(fspec.options))
            raise ParameterProblem(name, f"unknown value {raw!r}; allowed: {allowed}")
        return ()
    if fspec.kind is FilterKind.INTEGER:
        low = int(fspec.minimum if fspec.minimum is not None else 0)
        high = int(fspec.maximum if fspec.maximum is not None else 10**9)
        year = _integer(name, raw, low, high)
        return (ox.Literal(str(year), datatype=ox.NamedNode(XSD + "integer")),)
    if fspec.kind is FilterKind.DECIMAL:
        try:
            number = Decimal(raw) if len(raw) <= 40 else Decimal("NaN")
        except InvalidOperation:
            number = Decimal("NaN")
        floor = Decimal(str(fspec.minimum if fspec.minimum is not None else 0)).normalize()
        if not number.is_finite() or not floor <= number <= MAX_DECIMAL:
            raise ParameterProblem(
                name, f"expected a decimal number from {floor} to {MAX_DECIMAL:.0f}, got {raw!r}"
            )
        lexical = format(number.quantize(Decimal("0.000001")).normalize(), "f")
        return (ox.Literal(lexical, datatype=ox.NamedNode(XSD + "decimal")),)
    text = raw.strip()
    if not text or len(text) > MAX_TEXT or any(ord(c) < 32 for c in text):
        raise ParameterProblem(name, f"expected 1 to {MAX_TEXT} printable characters")
    return (ox.Literal(text.lower()),)


def parse(
    spec: CollectionSpec, params: list[tuple[str, str]], store: Store
) -> ListQuery:
    """Validate a query string (as (name, value) pairs) against the collection's file."""
    allowed = [*spec.filters, *CONTROL]
    seen: dict[str, str] = {}
    for name, raw in params:
        if name not in allowed:
            raise ParameterProblem(name, f"unknown parameter; allowed: {', '.join(allowed)}")
        if name in seen:
            raise ParameterProblem(name, "given more than once; give one value")
        seen[name] = raw
    limit = _integer("limit", seen["limit"], 1, MAX_LIMIT) if "limit" in seen else DEFAULT_LIMIT
    page = _integer("page", seen["page"], 1, 10**6) if "page" in seen else 1
    sort_raw = seen.get("sort", spec.default_sort)
    descending = sort_raw.startswith("-")
    sort = sort_raw.removeprefix("-")
    if sort not in spec.sort:
        keys = ", ".join(f"{k}, -{k}" for k in spec.sort)
        raise ParameterProblem("sort", f"unknown sort field {sort_raw!r}; allowed: {keys}")
    values = term_values(spec, store)
    filters = tuple(
        (fspec, seen[name], _filter_terms(fspec, seen[name], values))
        for name, fspec in spec.filters.items()
        if name in seen
    )
    return ListQuery(spec, filters, sort, descending, limit, page)


def _scoped(pattern: str, scope: str) -> str:
    """Rename a fragment's variables (except ?item and ?key) so fragments cannot collide."""

    def rename(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in ("item", "key"):
            return f"?{name}"
        if name == "value":
            return f"?value_{scope}"
        return f"?{name}_{scope}"

    return _VAR.sub(rename, pattern)


def where_clause(query: ListQuery) -> str:
    """The group pattern selecting the members under the query's filters."""
    classes = " ".join(f"<{c}>" for c in query.spec.classes)
    lines = [f"VALUES ?class_ {{ {classes} }} ?item a ?class_ ."]
    for fspec, raw, bound in query.filters:
        if fspec.kind is FilterKind.ENUM:
            lines.append(_scoped(fspec.options[raw], fspec.name))
            continue
        lines.append(f"VALUES ?value_{fspec.name} {{ {' '.join(str(t) for t in bound)} }}")
        lines.append(_scoped(fspec.pattern, fspec.name))
    return "\n".join(lines)


def page_sparql(query: ListQuery) -> str:
    """SELECT of the page's members in order (sort key, then IRI)."""
    order = "DESC(?sortKey)" if query.descending else "ASC(?sortKey)"
    sort_pattern = _scoped(query.spec.sort[query.sort], "sort")
    offset = (query.page - 1) * query.limit
    return (
        f"{sparql_prologue()}SELECT ?item (MIN(?key) AS ?sortKey) WHERE {{\n"
        f"{where_clause(query)}\n{sort_pattern}\n}}\n"
        f"GROUP BY ?item ORDER BY {order} ?item LIMIT {query.limit} OFFSET {offset}"
    )


def count_sparql(query: ListQuery) -> str:
    """COUNT of the members under the query's filters."""
    return (
        f"{sparql_prologue()}SELECT (COUNT(DISTINCT ?item) AS ?n) WHERE {{\n"
        f"{where_clause(query)}\n}}"
    )


def summaries(spec: CollectionSpec, iris: list[str], store: Store) -> list[dict[str, Json]]:
    """The members' summary statements (the collection's `summary` properties), compacted."""
    if not iris:
        return []
    items = " ".join(f"<{iri}>" for iri in iris)
    # One UNION branch per property: Oxigraph joins two VALUES blocks as a cross product
    # first (about 20 times slower for a page of 100).
    branches = " UNION ".join(f"{{ ?item <{p}> ?o BIND(<{p}> AS ?p) }}" for p in spec.summary)
    solutions = store.query(f"SELECT ?item ?p ?o WHERE {{ VALUES ?item {{ {items} }} {branches} }}")
    assert isinstance(solutions, ox.QuerySolutions)
    statements: dict[str, list[tuple[str, ox.NamedNode | ox.BlankNode | ox.Literal]]] = {
        iri: [] for iri in iris
    }
    seen: set[tuple[str, str, str]] = set()
    for row in solutions:
        item, predicate, value = row["item"], row["p"], row["o"]
        assert isinstance(item, ox.NamedNode) and isinstance(predicate, ox.NamedNode)
        assert isinstance(value, ox.NamedNode | ox.BlankNode | ox.Literal)
        key = (item.value, predicate.value, str(value))
        if key not in seen:  # the union of named graphs may repeat a statement
            seen.add(key)
            statements[item.value].append((predicate.value, value))
    return [compact_node(iri, statements[iri]) for iri in iris]


def run(query: ListQuery, store: Store) -> Page:
    """Evaluate a validated query: the total and the page's members, summarised."""
    counted = store.query(count_sparql(query))
    assert isinstance(counted, ox.QuerySolutions)
    total_term = next(iter(counted))["n"]
    total = int(total_term.value) if isinstance(total_term, ox.Literal) else 0
    last = max(1, -(-total // query.limit))
    if query.page > last:
        raise ParameterProblem("page", f"expected a page from 1 to {last} ({total} members)")
    solutions = store.query(page_sparql(query))
    assert isinstance(solutions, ox.QuerySolutions)
    iris = [row["item"].value for row in solutions if isinstance(row["item"], ox.NamedNode)]
    return Page(query, total, summaries(query.spec, iris, store))
