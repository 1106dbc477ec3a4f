"""The Virtuoso dialect against a real Virtuoso (`graph/stores/virtuoso.py`,
`graph/stores/virtuoso_process.py`): a server of this module's own with a 1 s time limit and a
100-row cap, so that each way Virtuoso hands out a partial answer can be provoked."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

from clusterkg.graph.stores import (
    IncompleteAnswer,
    RemoteDataset,
    RemoteStore,
    StoreError,
    StoreTimeout,
    open_store,
)
from clusterkg.graph.stores.virtuoso import Virtuoso, boolean_variables, without_dataset_clauses
from clusterkg.graph.stores.virtuoso_process import VirtuosoProcess, running_virtuoso

CAP = 100
SYSTEM = "http://www.openlinksw.com/schemas/virtrdf#"  # Virtuoso's own mappings, ~2,500 triples
OURS = "https://example.org/graph/quirks"
DATA = Path(__file__).parent.parent / "fixtures" / "stores" / "quirks.ttl"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VirtuosoProcess]:
    with running_virtuoso(tmp_path_factory.mktemp("virtuoso-quirks"), timeout_s=1,
                          max_rows=CAP) as running:
        yield running


@pytest.fixture(scope="module")
def store(server: VirtuosoProcess) -> RemoteStore:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CLUSTERKG_STORE_USER", server.user)
        patch.setenv("CLUSTERKG_STORE_PASSWORD", server.password)
        remote = open_store(server.store_url)
        ttl = ox.parse(DATA.read_bytes(), format=ox.RdfFormat.TURTLE)
        remote.put_graph(OURS, ox.serialize(ttl, format=ox.RdfFormat.N_TRIPLES) or b"")
    return remote


def test_the_store_url_names_the_dialect_and_the_row_cap(server: VirtuosoProcess) -> None:
    dialect = open_store(server.store_url).dialect
    assert isinstance(dialect, Virtuoso)
    assert dialect.row_cap == CAP and not dialect.atomic_update
    assert dialect.query_endpoint == f"{server.base}/sparql"
    assert dialect.update_endpoint == f"{server.base}/sparql-auth"
    assert open_store(f"virtuoso+{server.base}?maxrows=0").dialect.row_cap is None


def test_a_query_stopped_at_the_time_limit_is_an_error(store: RemoteStore) -> None:
    with pytest.raises(StoreTimeout, match="S1T"):
        store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{SYSTEM}> {{ ?a ?b ?c . "
                    "?d ?e ?f . ?g ?h ?i } }", query_dataset=True)


def test_a_timeout_reported_only_in_a_header_is_an_error(server: VirtuosoProcess) -> None:
    # what Virtuoso sends when a query passes its limit with a result started ("anytime query"):
    # 200 OK, the rows so far (none, for a COUNT), and the state in a header
    answer = httpx.Response(200, headers={"X-SQL-State": "S1TAT", "X-SQL-Message": "RC...: "
                                          "Returning incomplete results"}, content=b"{}")
    with pytest.raises(StoreTimeout, match="S1TAT"):
        open_store(server.store_url).dialect.check(answer)


def test_a_select_cut_at_the_row_cap_is_an_error(store: RemoteStore) -> None:
    with pytest.raises(IncompleteAnswer, match="row cap"):
        store.query(f"SELECT * WHERE {{ GRAPH <{SYSTEM}> {{ ?s ?p ?o }} }}", query_dataset=True)


def test_a_construct_cut_silently_at_the_row_cap_is_an_error(store: RemoteStore) -> None:
    with pytest.raises(IncompleteAnswer, match="row cap"):
        store.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{SYSTEM}> {{ ?s ?p ?o }} }}",
                    query_dataset=True)


def test_an_answer_under_the_cap_is_whole(store: RemoteStore) -> None:
    result = store.bound(RemoteDataset(default=(OURS,))).query(
        "CONSTRUCT WHERE { ?s ?p ?o }")
    assert isinstance(result, ox.QueryTriples)
    assert len(list(result)) == len(list(ox.parse(DATA.read_bytes(),
                                                   format=ox.RdfFormat.TURTLE)))


def test_system_graphs_never_enter_a_count(store: RemoteStore) -> None:
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    whole = store.query(count, query_dataset=True)  # Virtuoso's own choice: every graph
    ours = store.bound(RemoteDataset(default=(OURS,), named=(OURS,))).query(count)
    assert isinstance(whole, ox.QuerySolutions) and isinstance(ours, ox.QuerySolutions)
    assert int(next(ours)["n"].value) == 7
    assert int(next(whole)["n"].value) > 2000


def test_stored_and_computed_booleans_come_back_as_booleans(store: RemoteStore) -> None:
    query = """
        PREFIX ex: <https://example.org/>
        SELECT ?flag (BOUND(?missing) AS ?bound) (?n = 3 AS ?three) ?named ?n
        WHERE { ex:a ex:flag ?flag ; ex:count ?n .
                BIND (EXISTS { ex:a ex:name ?x } AS ?named) OPTIONAL { ex:a ex:none ?missing } }"""
    result = store.bound(RemoteDataset(default=(OURS,))).query(query)
    assert isinstance(result, ox.QuerySolutions)
    embedded = ox.Store()
    embedded.load(DATA.read_bytes(), format=ox.RdfFormat.TURTLE)
    expected = embedded.query(query)
    assert isinstance(expected, ox.QuerySolutions)
    row, want = next(result), next(expected)
    assert [row[v] for v in ("flag", "bound", "three", "named", "n")] == [
        want[v] for v in ("flag", "bound", "three", "named", "n")]
    boolean = ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean")
    assert row["bound"] == ox.Literal("false", datatype=boolean)
    assert row["n"] == ox.Literal(3)  # an integer stays an integer


def test_literals_come_back_in_their_canonical_form(store: RemoteStore) -> None:
    result = store.bound(RemoteDataset(default=(OURS,))).query(
        "SELECT ?o WHERE { <https://example.org/a> <https://example.org/name> ?o }")
    assert isinstance(result, ox.QuerySolutions)
    assert {row["o"] for row in result} == {ox.Literal("Alpha", language="en-gb")}


def test_updates_need_the_credentials(server: VirtuosoProcess,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CLUSTERKG_STORE_USER", raising=False)
    monkeypatch.delenv("CLUSTERKG_STORE_PASSWORD", raising=False)
    anonymous = open_store(server.store_url)
    with pytest.raises(StoreError, match="401"):
        anonymous.update(f"INSERT DATA {{ GRAPH <{OURS}> {{ <urn:x> <urn:y> <urn:z> }} }}")


def test_boolean_variables_are_read_from_the_query() -> None:
    assert boolean_variables("""SELECT ?a (?x = 1 AS ?b) (COUNT(*) AS ?n) (true AS ?t)
        WHERE { ?a ?p ?x BIND (EXISTS { ?a ?q ?r } AS ?e) BIND (STR(?x) AS ?s) }
        GROUP BY ?a ?x""") == {"b", "t", "e"}
    assert boolean_variables("not sparql") == frozenset()


def test_the_request_s_graphs_take_precedence_over_from(store: RemoteStore) -> None:
    # Protocol §2.1.4; Virtuoso itself would read both graphs
    result = store.query(f"SELECT (COUNT(*) AS ?n) FROM <{SYSTEM}> WHERE {{ ?s ?p ?o }}",
                         default_graphs=[OURS])
    assert isinstance(result, ox.QuerySolutions)
    assert int(next(result)["n"].value) == 7


def test_dataset_clauses_are_removed_only_where_they_are_clauses() -> None:
    query = ('PREFIX g: <http://g/> CONSTRUCT { ?s <http://from> "FROM <x>" } '
             'FROM NAMED g:a FROM <http://b> # FROM <c>\n'
             'WHERE { ?s ?p ?o FILTER (?o < 3 && ?p > 2) }')
    assert without_dataset_clauses(query) == (
        'PREFIX g: <http://g/> CONSTRUCT { ?s <http://from> "FROM <x>" }     # FROM <c>\n'
        'WHERE { ?s ?p ?o FILTER (?o < 3 && ?p > 2) }')
    assert without_dataset_clauses("ASK from <a> {}") == "ASK   {}"


def test_a_malformed_query_is_reported_with_its_position(store: RemoteStore) -> None:
    with pytest.raises(SyntaxError, match="1:"):
        store.query("SELECT ?s WHERE { ?s ?p }", default_graphs=[OURS])
