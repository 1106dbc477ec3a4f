"""The catalogue validates against DCAT-AP 3.0.1 and the SD/VoID community shapes; every dump
it lists downloads with the size and SHA-256 it states."""

from __future__ import annotations

import gzip
import hashlib
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pyshacl
import pytest
import rdflib
from fastapi.testclient import TestClient
from rdflib.namespace import DCAT, RDF, SH

from clusterkg.api.app import create_app
from clusterkg.api.describe import select
from clusterkg.graph.build import BuildSummary
from clusterkg.graph.store import OxigraphStore
from clusterkg.publication import publication
from clusterkg.settings import Settings

SHAPES = Path(__file__).resolve().parents[1] / "fixtures" / "standards"
SPDX = rdflib.Namespace("http://spdx.org/rdf/terms#")
VOID = rdflib.Namespace("http://rdfs.org/ns/void#")
SD = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
DATASET = rdflib.URIRef("https://w3id.org/clusterkg/dataset")
W3ID = "https://w3id.org/clusterkg/"
# The recommended-property warnings that remain, each explained in the README.
EXPECTED_WARNINGS = {
    "http://purl.org/dc/terms/publisher",   # the publisher is not an EU corporate body
    "http://www.w3.org/ns/dcat#contactPoint",  # no contact address is published
    "http://www.w3.org/ns/dcat#bbox",       # Europe (continent NAL) without a bounding box
    "http://www.w3.org/ns/dcat#centroid",   # nor a centroid
    "http://www.w3.org/ns/dcat#endDate",    # open-ended programmes: the coverage has no end
    "http://purl.org/dc/terms/type",        # the publisher has no ADMS publisher type
}


@pytest.fixture(scope="module")
def client(built: tuple[OxigraphStore, BuildSummary]) -> Iterator[TestClient]:
    settings = Settings(dataset=built[1].out_dir / "clusterkg.nq", query_workers=1)
    with TestClient(create_app(settings)) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def catalog(client: TestClient) -> rdflib.Graph:
    response = client.get("/catalog", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    return rdflib.Graph().parse(data=response.text, format="turtle")


def _validate(data: rdflib.Graph, *shape_files: str) -> list[tuple[str, str, str]]:
    shapes = rdflib.Graph()
    for name in shape_files:
        shapes.parse(SHAPES / name, format="turtle")
    _conforms, report, _text = pyshacl.validate(
        data, shacl_graph=shapes, inference="none", allow_warnings=True
    )
    return [
        (str(report.value(r, SH.resultSeverity)), str(report.value(r, SH.resultPath)),
         str(report.value(r, SH.focusNode)))
        for r in report.objects(None, SH.result)
    ]


def test_catalog_has_no_dcat_ap_violation(catalog: rdflib.Graph) -> None:
    results = _validate(catalog, "shapes.ttl", "range.ttl", "mdr-vocabularies.shape.ttl")
    violations = [r for r in results if r[0] == str(SH.Violation)]
    assert violations == []


def test_only_the_documented_recommendations_are_missing(catalog: rdflib.Graph) -> None:
    results = _validate(catalog, "shapes_recommended.ttl", "mdr-vocabularies.shape.ttl")
    assert {path for severity, path, _ in results if severity == str(SH.Warning)} <= \
        EXPECTED_WARNINGS
    assert not [r for r in results if r[0] == str(SH.Violation)]


def test_service_description_and_void_conform_to_the_community_shapes(
    client: TestClient, catalog: rdflib.Graph
) -> None:
    sd = rdflib.Graph().parse(
        data=client.get("/sparql", headers={"Accept": "text/turtle"}).text, format="turtle")
    assert (None, SD.defaultDataset, DATASET) in sd  # the same dataset IRI
    results = _validate(sd + catalog, "void-generator-sd-shacl.ttl")
    assert [r for r in results if r[0] == str(SH.Violation)] == []


def test_dataset_is_dcat_and_void_with_partitions_and_linksets(
    catalog: rdflib.Graph, built: tuple[OxigraphStore, BuildSummary], client: TestClient
) -> None:
    assert (DATASET, RDF.type, DCAT.Dataset) in catalog
    assert (DATASET, RDF.type, VOID.Dataset) in catalog
    union = next(iter(select(built[0], "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")))
    assert int(str(catalog.value(DATASET, VOID.triples))) == int(union["n"].value)
    partitions = list(catalog.objects(DATASET, VOID.classPartition))
    assert partitions and all((p, RDF.type, VOID.Dataset) in catalog for p in partitions)
    assert list(catalog.objects(DATASET, VOID.propertyPartition))
    targets = {str(catalog.value(ls, VOID.objectsTarget))
               for ls in catalog.subjects(RDF.type, VOID.Linkset)}
    assert targets == {"http://publications.europa.eu/resource/authority/country",
                       "http://data.europa.eu/nuts/scheme/2016"}
    for linkset in catalog.subjects(RDF.type, VOID.Linkset):
        assert int(str(catalog.value(linkset, VOID.triples))) > 0
    # the endpoint where requests go is on the published server (data/publication.yaml)
    assert catalog.value(DATASET, VOID.sparqlEndpoint) == rdflib.URIRef(
        publication().url("sparql"))
    endpoints = {str(catalog.value(s, DCAT.endpointURL))
                 for s in catalog.subjects(RDF.type, DCAT.DataService)}
    assert endpoints == {publication().url("sparql"), publication().url("api/")}
    assert str(catalog.value(DATASET, VOID.uriSpace)) == W3ID
    release = client.app.state.holder.release  # type: ignore[attr-defined]
    assert str(catalog.value(DATASET, DCAT.version)) == release.version
    sources = set(catalog.objects(DATASET, rdflib.URIRef("http://www.w3.org/ns/prov#wasDerivedFrom")))
    assert len(sources) == 5


def test_every_dump_downloads_with_the_stated_checksum_and_size(
    client: TestClient, catalog: rdflib.Graph
) -> None:
    kinds: Counter[str] = Counter()
    for distribution in catalog.objects(DATASET, DCAT.distribution):
        url = str(catalog.value(distribution, DCAT.downloadURL))
        checksum = catalog.value(distribution, SPDX.checksum)
        stated = str(catalog.value(checksum, SPDX.checksumValue))
        size = int(str(catalog.value(distribution, DCAT.byteSize)))
        path = "/" + url.removeprefix(W3ID)
        plain = client.get(path, headers={"Accept-Encoding": "identity"})
        assert plain.status_code == 200, path
        assert hashlib.sha256(plain.content).hexdigest() == stated, path
        assert int(plain.headers["content-length"]) == size == len(plain.content)
        assert plain.headers["etag"] == f'"sha256-{stated}"'
        kinds[str(catalog.value(distribution, DCAT.mediaType)).rsplit("/", 2)[-1]] += 1
    assert kinds["n-quads"] == kinds["trig"] == kinds["ld+json"] == 1 and kinds["csv"] > 10


def test_dumps_are_compressed_when_accepted_and_cached_by_etag(client: TestClient) -> None:
    raw = client.get("/dumps/clusterkg.nq", headers={"Accept-Encoding": "identity"})
    compressed = client.build_request("GET", "/dumps/clusterkg.nq",
                                      headers={"Accept-Encoding": "gzip"})
    response = client.send(compressed, stream=True)
    body = b"".join(response.iter_raw())
    assert response.headers["content-encoding"] == "gzip"
    assert int(response.headers["content-length"]) == len(body) < len(raw.content)
    assert gzip.decompress(body) == raw.content
    again = client.get("/dumps/clusterkg.nq", headers={"If-None-Match": raw.headers["etag"]})
    assert again.status_code == 304
    assert client.get("/dumps/../build.json").status_code == 404
    assert client.get("/dumps/ontology.html").status_code == 404
