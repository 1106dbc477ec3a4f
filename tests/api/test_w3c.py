"""The W3C SPARQL 1.1 Protocol and syntax test suites, read from their manifests as data.

The suites are vendored unchanged in `tests/fixtures/w3c/` (see its README for origin and
licence). Each protocol test's requests are sent to the app as the manifest writes them (path,
method, headers, body in its declared character encoding); the status class, the answer's
format family and its boolean are checked as the manifest expects. The data files are loaded
into named graphs named by their labels.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
import rdflib
from fastapi.testclient import TestClient
from httpx import Response
from rdflib.collection import Collection

from clusterkg.api.app import create_app
from clusterkg.graph.release import write_manifest
from clusterkg.settings import Settings

W3C = Path(__file__).resolve().parents[1] / "fixtures" / "w3c"
MF = rdflib.Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = rdflib.Namespace("http://www.w3.org/2011/http#")
CNT = rdflib.Namespace("http://www.w3.org/2011/content#")
UT = rdflib.Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
HTS = "http://www.w3.org/2011/http-statusCodes#StatusCode"
FAMILIES = {
    "boolean": {"application/sparql-results+json", "application/sparql-results+xml"},
    "tabular": {"application/sparql-results+json", "application/sparql-results+xml",
                "text/csv", "text/tab-separated-values"},
    "RDF": {"application/rdf+xml", "text/turtle", "application/n-triples",
            "application/ld+json"},
}


def _manifest(folder: str) -> rdflib.Graph:
    graph = rdflib.Graph()
    graph.parse(W3C / folder / "manifest.ttl", format="turtle")
    return graph


PROTOCOL = _manifest("protocol")
PROTOCOL_TESTS = sorted(PROTOCOL.subjects(rdflib.RDF.type, MF.ProtocolTest), key=str)


@pytest.fixture(scope="module")
def w3c_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    dataset = tmp_path_factory.mktemp("w3c") / "protocol.nq"
    labels = {str(g): str(label) for node in PROTOCOL.objects(None, UT.graphData)
              for g in PROTOCOL.objects(node, UT.graph)
              for label in PROTOCOL.objects(node, rdflib.RDFS.label)}
    quads = []
    for path, label in sorted(labels.items()):
        triples = ox.parse(path=path.removeprefix("file://"), format=ox.RdfFormat.N_TRIPLES)
        quads += [ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(label)) for t in triples]
    ox.serialize(quads, str(dataset), format=ox.RdfFormat.N_QUADS)
    write_manifest(dataset)  # the service serves only a described dump
    settings = Settings(dataset=dataset, query_workers=1, query_timeout=10)
    with TestClient(create_app(settings), base_url="http://www.example") as client:
        yield client


def _requests(test: rdflib.term.Node) -> list[rdflib.term.Node]:
    action = PROTOCOL.value(test, MF.action)
    requests = PROTOCOL.value(action, HT.requests)
    assert requests is not None, test
    return list(Collection(PROTOCOL, requests))


def _send(client: TestClient, request: rdflib.term.Node) -> Response:
    headers: dict[str, str] = {}
    header_list = PROTOCOL.value(request, HT.headers)
    if header_list is not None:
        for header in Collection(PROTOCOL, header_list):
            headers[str(PROTOCOL.value(header, HT.fieldName))] = str(
                PROTOCOL.value(header, HT.fieldValue))
    content: bytes | None = None
    body = PROTOCOL.value(request, HT.body)
    if body is not None:
        encoding = str(PROTOCOL.value(body, CNT.characterEncoding) or "UTF-8")
        content = str(PROTOCOL.value(body, CNT.chars)).encode(encoding)
    path = str(PROTOCOL.value(request, HT.absolutePath)).replace("/sparql/", "/sparql", 1)
    method = str(PROTOCOL.value(request, HT.methodName))
    response: Response = client.request(method, path, content=content, headers=headers)
    return response


def _is_update(request: rdflib.term.Node) -> bool:
    """Whether a request asks for the update operation (by parameter or media type)."""
    body = PROTOCOL.value(request, HT.body)
    chars = "" if body is None else str(PROTOCOL.value(body, CNT.chars))
    headers = PROTOCOL.value(request, HT.headers)
    values = [] if headers is None else [
        str(PROTOCOL.value(h, HT.fieldValue)) for h in Collection(PROTOCOL, headers)]
    path = str(PROTOCOL.value(request, HT.absolutePath))
    return "update=" in path + chars or any("sparql-update" in v for v in values)


def _check(response: Response, expected: rdflib.term.Node) -> None:
    classes = {str(s).removeprefix(HTS) for s in PROTOCOL.objects(expected, MF.expectedStatus)}
    assert f"{response.status_code // 100}xx" in classes, (response.status_code, response.text)
    family = PROTOCOL.value(expected, MF.expectedFormat)
    if family is not None:
        media_type = response.headers["content-type"].split(";")[0]
        assert media_type in FAMILIES[str(family)], media_type
    boolean = PROTOCOL.value(expected, MF.expectedBoolean)
    if boolean is not None:
        document: dict[str, Any] = json.loads(response.text)
        assert document["boolean"] is (str(boolean) == "true")


@pytest.mark.parametrize("test", PROTOCOL_TESTS, ids=[str(t).split("#")[-1] for t in
                                                       PROTOCOL_TESTS])
def test_protocol(w3c_client: TestClient, test: rdflib.term.Node) -> None:
    requests = _requests(test)
    if _is_update(requests[0]):  # read-only service: refused, its effects never checked
        for request in requests:
            if _is_update(request):
                assert 400 <= _send(w3c_client, request).status_code < 500
        return
    for request in requests:
        expected = PROTOCOL.value(request, HT.resp)
        assert expected is not None
        _check(_send(w3c_client, request), expected)


def _syntax_tests() -> list[tuple[str, Path, bool]]:
    cases = []
    for folder in ("syntax-query", "syntax-fed"):
        manifest = _manifest(folder)
        for test, kind in manifest.subject_objects(rdflib.RDF.type):
            if "SyntaxTest" not in str(kind):
                continue
            action = Path(str(manifest.value(test, MF.action)).removeprefix("file://"))
            cases.append((f"{folder}/{action.name}", action, "Positive" in str(kind)))
    return sorted(cases)


SYNTAX = _syntax_tests()


@pytest.mark.parametrize(("name", "path", "positive"), SYNTAX, ids=[c[0] for c in SYNTAX])
def test_syntax(w3c_client: TestClient, name: str, path: Path, positive: bool) -> None:
    response = w3c_client.post("/sparql", content=path.read_bytes(),
                               headers={"Content-Type": "application/sparql-query"})
    if positive:
        refused_by_policy = (response.status_code == 403 and "SERVICE" in response.text) or (
            response.status_code == 400 and "not supported" in response.text)
        assert response.status_code == 200 or refused_by_policy, response.text
    else:
        assert response.status_code == 400 and "syntax" in response.text.lower(), response.text
