"""One conformance suite over every store: the SPARQL 1.1 Protocol suite of the service and the
named-query library give the same answers over the embedded store and over Oxigraph server
(issue 14 item 4; Virtuoso joins as a third `store_kind`)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from clusterkg.api.app import create_app
from clusterkg.graph.build import BuildSummary
from clusterkg.graph.release import load_release
from clusterkg.graph.remote_release import open_served, publish
from clusterkg.graph.store import OxigraphStore, Store
from clusterkg.graph.stores import open_store
from clusterkg.paths import DistLayout
from clusterkg.queries.library import library
from clusterkg.settings import Settings
from tests.api.conftest import ADMIN_TOKEN
from tests.api.test_protocol import CASES, _check, _send
from tests.stores.conftest import store_url
from tests.stores.oxigraph import oxigraph_server

EXPECTED = Path(__file__).parents[1] / "fixtures" / "queries"


@pytest.fixture(scope="module")
def protocol_clients(settings: Settings, sample_published: str) -> Iterator[dict[str, TestClient]]:
    """A service per store kind over the protocol suite's sample release."""
    embedded = TestClient(create_app(settings))
    remote = TestClient(create_app(settings.model_copy(update={"store": sample_published})))
    with embedded, remote:
        yield {"embedded": embedded, "oxigraph": remote}


@pytest.mark.parametrize("case", CASES, ids=[case["id"] for case in CASES])
def test_protocol_suite_answers_alike(protocol_clients: dict[str, TestClient],
                                      case: dict[str, Any]) -> None:
    answers = {kind: _send(client, case) for kind, client in protocol_clients.items()}
    for answer in answers.values():
        _check(answer, case["expect"])
    statuses = {kind: a.status_code for kind, a in answers.items()}
    kinds = {kind: a.headers.get("content-type") for kind, a in answers.items()}
    assert len(set(statuses.values())) == 1, statuses
    assert len(set(kinds.values())) == 1, kinds


@pytest.fixture(scope="module")
def release_stores(built: tuple[OxigraphStore, BuildSummary]) -> Iterator[dict[str, Store]]:
    """The full build's release in each store: loaded in process, published to a server of
    its own (the session's server serves the protocol suite's sample)."""
    dump = DistLayout(built[1].out_dir).dump
    with oxigraph_server() as base:
        url = store_url("oxigraph", base)
        assert url is not None
        publish(dump, open_store(url))
        embedded, _ = load_release(dump)
        remote, _ = open_served(open_store(url))
        yield {"embedded": embedded, "oxigraph": remote}


def _rows(result: Any) -> list[list[str]]:
    assert isinstance(result, ox.QuerySolutions)
    names = [v.value for v in result.variables]
    return [names] + [[row[n].value if row[n] is not None else "" for n in names]
                      for row in result]


@pytest.mark.parametrize("name", sorted(library()))
def test_library_answers_alike(release_stores: dict[str, Store], name: str) -> None:
    text = library()[name].text
    answers = {kind: _rows(store.query(text)) for kind, store in release_stores.items()}
    expected = list(csv.reader(io.StringIO((EXPECTED / f"{name}.csv").read_text("utf-8"))))
    for kind, rows in answers.items():
        only_expected = [r for r in expected if r not in rows]
        only_actual = [r for r in rows if r not in expected]
        assert sorted(rows[1:]) == sorted(expected[1:]) and rows[0] == expected[0], (
            f"{kind}: only expected {only_expected[:5]}; only {kind} {only_actual[:5]}")
    assert answers["oxigraph"] == answers["embedded"], "the same rows in the same order"


def test_waves_go_to_a_remote_store_by_publishing(
        protocol_clients: dict[str, TestClient]) -> None:
    answer = protocol_clients["oxigraph"].post(
        "/admin/waves/2030", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
        files={"files": ("programme_budget.csv", b"programme_id\n")})
    assert answer.status_code == 409 and "--store" in answer.text
    reload = protocol_clients["oxigraph"].post(
        "/admin/reload", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
    assert reload.status_code == 200, reload.text
    assert reload.json()["quads"] == 28
