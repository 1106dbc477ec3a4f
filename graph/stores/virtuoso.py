"""Virtuoso Open Source 7.2 (Debian's `virtuoso-opensource-7`): what it does its own way.

`--store virtuoso+http://127.0.0.1:8890[?maxrows=N]`, the administrator's credentials in
`CLUSTERKG_STORE_USER` / `CLUSTERKG_STORE_PASSWORD`. What was measured against 7.2.5 (Debian
bookworm) and what this dialect does about it:

- **Endpoints.** Queries go to the public `/sparql`; updates to `/sparql-auth` (HTTP digest,
  realm `SPARQL`: the public endpoint refuses updates); the Graph Store Protocol is
  `/sparql-graph-crud-auth` (digest), which takes the spec's `graph=` as well as its own
  `graph-uri=`. Bulk load (`ld_dir` + `rdf_loader_run()` through `isql-vt`) needs the file on the
  server's disk inside `DirsAllowed`; the GSP is used here because it works over HTTP alone
  (300,000 triples in 23 s on this machine; see `bench/results/stores-*.md`).
- **Timeouts are 200 OK.** At `MaxQueryExecutionTime` (an "anytime query") Virtuoso returns what it
  has so far with `200 OK` and `X-SQL-State: S1TAT`: a `COUNT(*)` answers with zero rows. If the
  answer had already started, the status is 500 and the body stops mid-row with the error text.
  A query stopped before any answer fails with 500 and `S1T00 Error SR171: Transaction timed
  out`. Each is a `StoreTimeout` here, never a short result.
- **Row cap.** `ResultSetMaxRows` (10,000 in Debian's ini) cuts a SELECT and marks it with
  `X-SPARQL-MaxRows`, but cuts a CONSTRUCT without any mark. Any answer carrying the header, and
  any answer with as many rows or triples as the cap (`?maxrows=`, default 10,000; 0: no cap),
  is an `IncompleteAnswer`.
- **System graphs.** A fresh database holds `virtrdf#` (about 2,500 triples of Virtuoso's own
  mappings), `http://www.w3.org/ns/ldp#` and `http://localuriqaserver/sparql`; the query
  without `default-graph-uri` sees them all. `RemoteStore` names the release's graphs with every
  query, so they never enter an answer.
- **Booleans.** A stored `true` comes back in SPARQL JSON as `"1"^^xsd:boolean` (XML says
  `true`); every *computed* boolean (`BIND(EXISTS {…} AS ?x)`, `(?a = ?b AS ?x)`, `BOUND`, even
  the constant `true` in a projection) comes back as `xsd:integer` 0 or 1. `normalise` rewrites
  both to `xsd:boolean` `true`/`false` — the second only for the variables the query binds to a
  boolean-valued expression (found on rdflib's algebra of the query).
- **Result formats.** Offered both a solutions and a graph format, Virtuoso answers CONSTRUCT
  and DESCRIBE as a SPARQL JSON table of `?s ?p ?o` and SELECT in N-Triples as an `rs:ResultSet`
  graph; `accept` asks for exactly one, by the query's form.
- **Literals are stored by value.** `"03"^^xsd:integer` becomes `3`, `"1.50"^^xsd:decimal` `1.5`
  (as in Oxigraph), `"12"^^xsd:gYear` `0012`, language tags are lower-cased (as in Oxigraph); a
  stored `true` and `1.0e0` on the same subject and predicate are one object (one triple is
  lost). `"s"^^xsd:string` and `"s"` stay two terms in Virtuoso, one in RDF 1.1 (and Oxigraph).
- **Decimal division** keeps about 22 significant digits, rounded (`1416666.666666666666667`);
  Oxigraph keeps 18 fractional digits, truncated. XSD lets an implementation choose (at least 16
  digits); this cannot be normalised after the fact, so the conformance suite compares decimal
  answers to 12 significant digits (`tests/stores/test_conformance.py`).
- **ORDER BY between language-tagged literals** of different tags is left undefined by SPARQL
  1.1 (§15.1: `<` is not defined on them); Virtuoso orders by tag first. The library's queries
  order names by `STR(?name)`, which every store orders the same.
- **Protocol graphs and FROM are merged.** Given `default-graph-uri` and a query with `FROM`,
  Virtuoso reads both (the Protocol, §2.1.4, says the request's graphs take precedence);
  `query_text` removes the query's own FROM / FROM NAMED clauses when the request names graphs.
- **Syntax errors** are reported by Virtuoso's compiler without a column (`SP030 … line 1:
  syntax error at '}'`); `rejected` gives the embedded parser's message (line and column).
- **SERVICE** needs grants the public `SPARQL` user lacks (`SQ070: Must have select privileges
  on view DB.DBA.SPARQL_SINV_2`), so Virtuoso refuses federation unless its administrator allows
  it; once allowed, `SERVICE SILENT` to an unreachable endpoint is still an error (`HC001`),
  where SPARQL 1.1 Federation asks for an empty solution.
- **`INSERT DATA` refuses blank nodes** (SP031, "not allowed in a constant clause"); the GSP
  accepts them (and relabels them).
- **One update is one transaction with a log limit.** The switch of a ~1M-triple release as one
  request (all its MOVEs) failed with `SR325: Transaction aborted because it's log after image
  size went above the limit` under the default `TransactionAfterImageLimit` (50 MB); clusterkg's
  own `virtuoso.ini` raises it to 1.5 GB, and the switch is now one request per graph, so only
  the largest graph's MOVE must fit (a server configured elsewhere needs a limit above that).
- **MOVE is not atomic for readers, and waits for them.** One update request with ten `MOVE`s
  of 30,000 triples each took 52 s; a reader polling the server's own endpoint saw 0, then 3 of
  10, then 10 graphs moved (each MOVE commits as it goes; `atomic_update = False`). Readers
  and the switch contend for locks: a switch that ran while a reader polled every 50 ms failed
  once with `S1T00 Error SR171: Transaction timed out`. At 1M triples readers *through
  clusterkg* saw a half-moved count with the one-request switch
  (`bench/results/stores-virtuoso-1m-2026-12-03.md`). So `publish` switches Virtuoso step by
  step behind a switching record (`graph/remote_release.py`): readers through clusterkg wait or
  get a retryable error during the switch, never a mix; direct readers still see the graphs
  change one by one; each step is retried when Virtuoso stops it at its lock timeout.
- **`OPTIONAL` over an empty graph has no solution** in an update's `WHERE` (SPARQL gives one
  empty solution): `DELETE {…} INSERT {…} WHERE { OPTIONAL {…} }` inserts nothing when nothing
  matched. The control record is therefore inserted with `INSERT DATA` the first time and
  replaced by one `DELETE/INSERT … WHERE` afterwards.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache

import httpx
import pyoxigraph as ox

from clusterkg import iris
from clusterkg.graph.stores.dialect import (
    Dialect,
    IncompleteAnswer,
    StoreTimeout,
    StoreUrl,
    register,
)

XSD = iris.XSD
BOOLEAN = f"{XSD}boolean"
INTEGER = f"{XSD}integer"
#: rdflib algebra expressions whose SPARQL value is always an xsd:boolean
BOOLEAN_EXPRESSIONS = frozenset({
    "RelationalExpression", "ConditionalAndExpression", "ConditionalOrExpression", "UnaryNot",
    "Builtin_BOUND", "Builtin_EXISTS", "Builtin_NOTEXISTS", "Builtin_isIRI", "Builtin_isURI",
    "Builtin_isBLANK", "Builtin_isLITERAL", "Builtin_isNUMERIC", "Builtin_REGEX",
    "Builtin_CONTAINS", "Builtin_STRSTARTS", "Builtin_STRENDS", "Builtin_LANGMATCHES",
    "Builtin_sameTerm",
})
#: how Virtuoso names a query stopped at its time limit (header or error text)
TIMEOUT_STATES = ("S1TAT", "S1T00", "SR171")
DEFAULT_MAX_ROWS = 10_000  # Debian's virtuoso.ini: [SPARQL] ResultSetMaxRows


TOKENS = re.compile(r"""
    (?P<comment>\#[^\n]*)
  | (?P<string>"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
  | (?P<iri><[^<>"{}|^`\\\s]*>)
  | (?P<word>[A-Za-z_][\w.-]*:[\w.:%-]*|[A-Za-z_][\w-]*|:[\w.:%-]*)
  | (?P<open>[{(])
  | (?P<close>[})])
  | (?P<space>\s+)
  | (?P<other>.)
""", re.X | re.S)
LONG_STRING = re.compile(r'"""(?:[^"\\]|\\.|"(?!""))*"""' + r"|'''(?:[^'\\]|\\.|'(?!''))*'''",
                         re.S)


def without_dataset_clauses(sparql: str) -> str:
    """`sparql` without its FROM / FROM NAMED clauses (only those of the query itself, at
    brace and parenthesis depth 0; strings, IRIs and comments are read as such)."""
    masked = LONG_STRING.sub(lambda m: '"' + "x" * (len(m.group()) - 2) + '"', sparql)
    tokens = [(m.lastgroup or "", m.group(), m.start()) for m in TOKENS.finditer(masked)]
    significant = [t for t in tokens if t[0] not in ("space", "comment")]
    cut: list[tuple[int, int]] = []
    depth, i = 0, 0
    while i < len(significant):
        kind, text, start = significant[i]
        depth += {"open": 1, "close": -1}.get(kind, 0)
        if kind == "word" and depth == 0 and text.upper() == "FROM":
            j = i + 1
            if j < len(significant) and significant[j][1].upper() == "NAMED":
                j += 1
            if j < len(significant) and significant[j][0] in ("iri", "word"):
                cut.append((start, significant[j][2] + len(significant[j][1])))
                i = j
        i += 1
    for start, end in reversed(cut):
        sparql = sparql[:start] + " " + sparql[end:]
    return sparql


@lru_cache(maxsize=512)
def _algebra(sparql: str) -> object | None:
    from rdflib.plugins.sparql import prepareQuery

    try:
        return prepareQuery(sparql).algebra
    except Exception:  # not ours to judge: the server answers a query rdflib cannot parse
        return None


def returns_graph(sparql: str) -> bool:
    """Whether `sparql` is a CONSTRUCT or DESCRIBE (its answer is triples)."""
    from rdflib.plugins.sparql.parserutils import CompValue

    algebra = _algebra(sparql)
    return isinstance(algebra, CompValue) and algebra.name in ("ConstructQuery", "DescribeQuery")


@lru_cache(maxsize=512)
def boolean_variables(sparql: str) -> frozenset[str]:
    """Variables `sparql` binds to a boolean-valued expression (`BIND`, a projection)."""
    from rdflib import Literal
    from rdflib.plugins.sparql.parserutils import CompValue

    algebra = _algebra(sparql)
    if algebra is None:
        return frozenset()

    def is_boolean(expr: object) -> bool:
        if isinstance(expr, CompValue):
            return expr.name in BOOLEAN_EXPRESSIONS
        return isinstance(expr, Literal) and str(expr.datatype) == BOOLEAN

    found: set[str] = set()
    seen: set[int] = set()

    def walk(node: object) -> None:
        if id(node) in seen:
            return
        seen.add(id(node))
        if isinstance(node, CompValue):
            if node.name == "Extend" and is_boolean(node.get("expr")):
                found.add(str(node["var"]))
            for value in node.values():
                walk(value)
        elif isinstance(node, list | tuple):
            for value in node:
                walk(value)

    walk(algebra)
    return frozenset(found)


class Virtuoso(Dialect):
    """`--store virtuoso+http://127.0.0.1:8890[?maxrows=N]`."""

    name = "virtuoso"
    atomic_update = False
    graph_param = "graph"
    default_param = "default"
    graph_results = "application/n-triples"
    solution_results = "application/sparql-results+json"

    def __init__(self, url: StoreUrl) -> None:
        super().__init__(url)
        given = int(url.params.get("maxrows", DEFAULT_MAX_ROWS))
        self.row_cap = given or None

    @property
    def query_endpoint(self) -> str:
        return self._endpoint("query", "sparql")

    @property
    def update_endpoint(self) -> str:
        return self._endpoint("update", "sparql-auth")

    @property
    def gsp_endpoint(self) -> str:
        return self._endpoint("gsp", "sparql-graph-crud-auth")

    def query_text(self, sparql: str, protocol_dataset: bool) -> str:
        # Virtuoso merges a request's default-graph-uri with the query's FROM
        if protocol_dataset and re.search(r"(?i)\bFROM\b", sparql):
            return without_dataset_clauses(sparql)
        return sparql

    def rejected(self, sparql: str, message: str) -> str:
        # Virtuoso's compiler says "line 1: syntax error at '}'"; the embedded store's parser
        # (the same as Oxigraph server's) gives the position every other store gives
        try:
            ox.Store().query(sparql)
        except SyntaxError as exc:
            return str(exc)
        except Exception:  # valid for Oxigraph, not for Virtuoso: Virtuoso's words
            return message
        return message

    def accept(self, sparql: str) -> str:
        # offered both, Virtuoso answers a CONSTRUCT as a table of ?s ?p ?o solutions
        return self.graph_results if returns_graph(sparql) else self.solution_results

    def check(self, response: httpx.Response) -> None:
        state = response.headers.get("X-SQL-State")
        if state in TIMEOUT_STATES:
            raise StoreTimeout(
                f"{self.url}: the server stopped the query at its time limit and answered "
                f"{response.status_code} with what it had (X-SQL-State: {state})")
        if state:
            raise IncompleteAnswer(f"{self.url}: partial answer (X-SQL-State: {state}: "
                                   f"{response.headers.get('X-SQL-Message', '')})")
        if "X-SPARQL-MaxRows" in response.headers:
            raise IncompleteAnswer(
                f"{self.url}: the answer was cut at the server's row cap "
                f"(ResultSetMaxRows = {response.headers['X-SPARQL-MaxRows']})")

    def timeout_error(self, status: int, body: str) -> bool:
        return super().timeout_error(status, body) or any(s in body for s in TIMEOUT_STATES)

    def check_body(self, body: bytes) -> None:
        tail = body[-4096:]
        if any(s.encode() in tail for s in TIMEOUT_STATES):
            raise StoreTimeout(f"{self.url}: the server stopped the query at its time limit "
                               f"and cut the answer after {len(body)} bytes")

    def normalise(self, sparql: str, media: str, body: bytes) -> bytes:
        if media == "application/n-triples":
            triples = body.count(b"\n")
            if self.row_cap is not None and triples >= self.row_cap:
                raise IncompleteAnswer(f"{self.url}: {triples} triples, the server's row cap: "
                                       "it cuts graph answers there without saying so")
            return body
        if media != "application/sparql-results+json":
            return body
        computed = boolean_variables(sparql)
        if not computed and BOOLEAN.encode() not in body:
            return body
        try:
            answer = json.loads(body)
            rows = answer["results"]["bindings"]
        except (ValueError, KeyError, TypeError):
            return body  # not whole: the parse that follows reports it
        for row in rows:
            for var, term in row.items():
                datatype = term.get("datatype")
                if datatype == BOOLEAN or (
                        var in computed and datatype == INTEGER and term["value"] in ("0", "1")):
                    term.update(type="literal", datatype=BOOLEAN,
                                value={"1": "true", "0": "false"}.get(term["value"],
                                                                      term["value"]))
        return json.dumps(answer).encode()


register(Virtuoso.name, Virtuoso)
