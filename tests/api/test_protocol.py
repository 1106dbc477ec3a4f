"""The SPARQL 1.1 Protocol suite: each case of protocol_cases.yaml is a request and its checks."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

import pyoxigraph as ox
import pytest
import yaml
from fastapi.testclient import TestClient
from httpx import Response

from .conftest import FIXTURES

CASES: list[dict[str, Any]] = yaml.safe_load((FIXTURES / "protocol_cases.yaml").read_text())


def _pairs(value: Any) -> list[tuple[str, str]]:
    if value is None:
        return []
    items = value.items() if isinstance(value, dict) else value
    return [(str(key), str(val)) for key, val in items]


def _send(client: TestClient, case: dict[str, Any]) -> Response:
    headers = dict(case.get("headers", {}))
    content: bytes | None = None
    if "form" in case:
        content = urlencode(_pairs(case["form"])).encode()
        headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
    elif "body" in case:
        content = str(case["body"]).encode()
    response: Response = client.request(
        case.get("method", "GET"),
        case.get("path", "/sparql"),
        params=_pairs(case.get("params")),
        content=content,
        headers=headers,
    )
    return response


def _triples(response: Response) -> int:
    fmt = ox.RdfFormat.from_media_type(response.headers["content-type"].split(";")[0])
    assert fmt is not None
    return len(list(ox.parse(response.content, format=fmt)))


def _check(response: Response, expect: dict[str, Any]) -> None:
    body = response.text
    assert response.status_code == expect["status"], body
    if "content_type" in expect:
        assert response.headers["content-type"].split(";")[0] == expect["content_type"]
    for text in expect.get("contains", []):
        assert text in body, f"{text!r} not in:\n{body}"
    for text in expect.get("not_contains", []):
        assert text not in body
    for name, value in expect.get("headers", {}).items():
        assert response.headers.get(name) == value, dict(response.headers)
    for name in expect.get("absent_headers", []):
        assert name not in response.headers
    if any(key in expect for key in ("rows", "first_row", "boolean")):
        document = json.loads(body)
        if "boolean" in expect:
            assert document["boolean"] is expect["boolean"]
        bindings = document.get("results", {}).get("bindings", [])
        if "rows" in expect:
            assert len(bindings) == expect["rows"]
        for name, value in expect.get("first_row", {}).items():
            assert bindings[0][name]["value"] == value
    if "triples" in expect:
        assert _triples(response) == expect["triples"], body


@pytest.mark.parametrize("case", CASES, ids=[case["id"] for case in CASES])
def test_protocol(client: TestClient, case: dict[str, Any]) -> None:
    _check(_send(client, case), case["expect"])


def test_case_ids_are_unique() -> None:
    ids = [case["id"] for case in CASES]
    assert len(ids) == len(set(ids))
