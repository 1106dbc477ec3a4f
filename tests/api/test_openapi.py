"""The OpenAPI 3.1 description of the JSON-LD API, and property-based tests generated from it.

A real server (uvicorn, 127.0.0.1, a free port) serves the built graph. Its /openapi.json must
describe every collection and item route with every filter, the served codes as enums and a
response example; then schemathesis generates requests from that description (a bounded
number per operation) and every answer must be documented and no server error.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from bench.servers import clusterkg_server
from clusterkg.api.collection_spec import FilterKind, collections
from clusterkg.api.listing import term_values
from clusterkg.graph.build import BuildSummary
from clusterkg.graph.store import OxigraphStore

EXAMPLES_PER_OPERATION = 12


@pytest.fixture(scope="module")
def base_url(built: tuple[OxigraphStore, BuildSummary]) -> Iterator[str]:
    with clusterkg_server(built[1].out_dir / "clusterkg.nq", workers=1) as sparql_url:
        yield sparql_url.removesuffix("/sparql")


@pytest.fixture(scope="module")
def document(base_url: str) -> dict[str, Any]:
    response = httpx.get(base_url + "/openapi.json", timeout=60)
    response.raise_for_status()
    loaded: dict[str, Any] = response.json()
    return loaded


def test_openapi_3_1_describes_every_collection_and_item(
    document: dict[str, Any], built_store: OxigraphStore
) -> None:
    assert document["openapi"].startswith("3.1")
    paths = document["paths"]
    assert "/context/v1.jsonld" in paths and "/api" in paths
    for name, spec in collections().items():
        listing = paths[f"/api/{name}"]["get"]
        params = {p["name"]: p for p in listing["parameters"]}
        assert set(params) == {*spec.filters, "sort", "limit", "page", "format"}
        assert params["limit"]["schema"]["maximum"] == 100
        codes = term_values(spec, built_store)
        for filter_name, fspec in spec.filters.items():
            schema = params[filter_name]["schema"]
            if fspec.kind is FilterKind.TERM and codes[filter_name]:
                assert schema["enum"] == sorted(codes[filter_name])
            elif fspec.kind is FilterKind.TERM:  # no codes served (a release without waves)
                assert "enum" not in schema and filter_name == "wave"
            elif fspec.kind is FilterKind.ENUM:
                assert schema["enum"] == list(fspec.options)
        example = listing["responses"]["200"]["content"]["application/ld+json"]["example"]
        assert example["type"] == "Collection" and example["totalItems"] > 0
        item = paths[f"/api/{name}/{{key}}"]["get"]
        item_example = item["responses"]["200"]["content"]["application/ld+json"]["example"]
        assert item_example["id"].endswith(spec.example_key)
        assert {"200", "304", "404", "406"} <= set(item["responses"])


def test_other_routes_keep_their_description(document: dict[str, Any]) -> None:
    assert {"/sparql", "/queries", "/queries/{name}"} <= set(document["paths"])
    sparql = document["paths"]["/sparql"]  # a plain ASGI route, described by `sparql.OPENAPI`
    assert set(sparql) == {"get", "post"}
    assert [p["name"] for p in sparql["get"]["parameters"]] == [
        "query", "default-graph-uri", "named-graph-uri", "format"]
    assert sparql["post"]["operationId"] == "sparql_post_sparql_post"


@pytest.fixture(scope="module")
def api_schema(base_url: str) -> Any:
    return schemathesis.openapi.from_url(base_url + "/openapi.json").include(tag="JSON-LD API")


def test_generated_requests_get_documented_answers_and_no_server_error(api_schema: Any) -> None:
    """Each operation of the JSON-LD API, EXAMPLES_PER_OPERATION generated requests each."""
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) == 2 + 2 * len(collections())
    statuses: list[int] = []
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case: Any) -> None:
            response = case.call_and_validate(
                checks=[
                    not_a_server_error,
                    status_code_conformance,
                    content_type_conformance,
                    response_schema_conformance,
                ]
            )
            statuses.append(response.status_code)

        check()
    assert len(statuses) >= len(operations) and statuses.count(200) > len(operations)
