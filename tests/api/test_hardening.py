"""The audit's medium and low findings on the query path, one regression test each (issue 9).

Through the app with its real worker pool (TestClient, the hand-written sample dataset).
"""

from __future__ import annotations

import csv
import io
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from clusterkg.api.app import create_app
from clusterkg.settings import Settings

from .conftest import ADMIN_TOKEN

DEEP = "SELECT * " + "{" * 10_000 + " ?s ?p ?o " + "}" * 10_000
FORMULAS = ["=1+1", "+cmd", "-2+3", "@SUM(A1)", "\tx", "\rx", "\uff1dHYPERLINK()", "\uff0bx",
            "\uff0dx", "\uff20x"]


@pytest.fixture(scope="module")
def small_answers(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings.model_copy(update={"max_answer_bytes": 4096}))) as c:
        yield c


@pytest.mark.parametrize("method", ["GET", "form", "direct"])
def test_depth_ten_thousand_is_a_clean_400(client: TestClient, method: str) -> None:
    if method == "GET":
        response = client.get("/sparql", params={"query": DEEP})
    elif method == "form":
        response = client.post("/sparql", data={"query": DEEP})
    else:
        response = client.post("/sparql", content=DEEP,
                               headers={"Content-Type": "application/sparql-query"})
    assert response.status_code == 400, response.text
    assert "10000 deep; the limit is 128" in response.text
    assert client.get("/sparql", params={"query": "ASK {}"}).status_code == 200  # worker alive


def test_depth_of_a_named_query_parameter(client: TestClient) -> None:
    value = "<" + "(" * 10_000 + ">"
    response = client.get("/queries/services-of-a-field", params={"field": '"' + "[" * 10_000})
    assert response.status_code == 400 and "10000 deep" in response.text
    assert client.get("/queries/services-of-a-field", params={"field": value}).status_code == 400


def _csv_rows(client: TestClient, fmt: str) -> list[str]:
    values = " ".join('"' + v.replace("\t", "\\t").replace("\r", "\\r") + '"' for v in FORMULAS)
    query = f"SELECT ?v WHERE {{ VALUES ?v {{ {values} -5 2.5 }} }}"
    response = client.get("/sparql", params={"query": query, "format": fmt})
    assert response.status_code == 200
    if fmt == "csv":
        return [row[0] for row in csv.reader(io.StringIO(response.text))][1:]
    lines: list[str] = response.text.split("\n")[1:-1]
    return lines


def test_csv_neutralises_formula_prefixes(client: TestClient) -> None:
    cells = _csv_rows(client, "csv")
    assert cells[: len(FORMULAS)] == ["'" + v for v in FORMULAS]
    assert cells[len(FORMULAS):] == ["-5", "2.5"]  # numbers are left alone


def test_tsv_neutralises_formula_prefixes(client: TestClient) -> None:
    cells = _csv_rows(client, "tsv")
    assert cells[0] == "\"'=1+1\""
    assert all(cell.startswith("\"'") for cell in cells[: len(FORMULAS)]), cells
    assert [cell.split("^^")[0] for cell in cells[len(FORMULAS):]] == ['"-5"', '"2.5"']


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("ASK {}".encode("utf-16"), "application/sparql-query; charset=UTF-16"),
        ("ASK {}".encode("utf-16"), "application/sparql-query"),
        ("ASK {}".encode("utf-16-le"), "application/sparql-query"),
        ("query=ASK%20%7B%7D".encode("utf-16"), "application/x-www-form-urlencoded"),
        (b"ASK { ?s ?p '\xff' }", "application/sparql-query"),
        (b"query=ASK%20%7B%20%3Fs%20%3Fp%20%27%FF%27%20%7D", "application/x-www-form-urlencoded"),
        ("ASK {}".encode("latin-1"), "application/sparql-query; charset=ISO-8859-1"),
    ],
)
def test_non_utf8_bodies_are_refused(client: TestClient, body: bytes, content_type: str) -> None:
    response = client.post("/sparql", content=body, headers={"Content-Type": content_type})
    assert response.status_code in (400, 415), response.text


def test_security_headers_on_every_html_page(settings: Settings, tmp_path: Path) -> None:
    dataset = tmp_path / settings.dataset.name
    shutil.copy(settings.dataset, dataset)
    shutil.copy(settings.dataset.parent / "build.json", tmp_path)  # the release's manifest
    (tmp_path / "ontology.html").write_text("<!doctype html><style>p{}</style><p>o", "utf-8")
    with TestClient(create_app(settings.model_copy(update={"dataset": dataset}))) as client:
        for path in ("/", "/ontology"):
            response = client.get(path)
            assert response.status_code == 200
            csp = response.headers["content-security-policy"]
            assert "default-src 'self'" in csp and "script-src 'self'" in csp, path
            assert response.headers["x-content-type-options"] == "nosniff"
            assert response.headers["referrer-policy"]


@pytest.mark.parametrize("token", ["bé", "\u00ff" * 40, "token\u00e9" + ADMIN_TOKEN])
def test_non_ascii_bearer_token_is_401(client: TestClient, token: str) -> None:
    header = ("Bearer " + token).encode("utf-8")
    response = client.post("/admin/reload", headers={"Authorization": header})
    assert response.status_code == 401


def test_service_description_does_not_echo_host(client: TestClient) -> None:
    response = client.get("/sparql", headers={"Host": "evil.example:666", "Accept": "text/turtle"})
    assert response.status_code == 200
    assert "evil.example" not in response.text
    assert "http://127.0.0.1:8000/sparql" in response.text


def test_unsupported_function_is_400(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": "SELECT (<http://x/f>(1) AS ?v) {}"})
    assert response.status_code == 400 and "not supported" in response.text


def test_relative_iris_resolve_against_the_declared_base(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": "SELECT ?x { BIND(<rel> AS ?x) }"})
    assert response.status_code == 200
    assert response.json()["results"]["bindings"][0]["x"]["value"] == "http://127.0.0.1:8000/rel"


def test_answer_byte_cap(small_answers: TestClient) -> None:
    query = "SELECT * WHERE { ?s ?p ?o }"
    response = small_answers.get("/sparql", params={"query": query})
    assert response.status_code == 413
    assert "limit of 4096 bytes" in response.text and "CLUSTERKG_MAX_ANSWER_BYTES" in response.text
    assert small_answers.get("/sparql", params={"query": "ASK {}"}).status_code == 200


def _doubled(times: int) -> str:
    doublings = " ".join(f"BIND(CONCAT(?v{i}, ?v{i}) AS ?v{i + 1})" for i in range(times))
    return f'SELECT (STRLEN(?v{times}) AS ?n) ?v{times} WHERE {{ BIND("x" AS ?v0) {doublings} }}'


def test_json_answer_with_a_literal_over_16_mib(settings: Settings) -> None:
    patient = settings.model_copy(update={"query_timeout": 60.0, "long_query_seconds": 60.0})
    with TestClient(create_app(patient)) as client:
        response = client.get("/sparql", params={"query": _doubled(25), "format": "json"})
        assert response.status_code == 200, response.text[:300]
        binding = response.json()["results"]["bindings"][0]
        assert binding["n"]["value"] == str(2**25) and len(binding["v25"]["value"]) == 2**25
        for fmt in ("xml", "csv", "tsv"):  # the other writers stream long literals too
            answer = client.get("/sparql", params={"query": _doubled(22), "format": fmt})
            assert answer.status_code == 200 and len(answer.content) > 2**22
