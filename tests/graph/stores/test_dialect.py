"""`--store` URLs and dialects: one URL names the server kind, its base and, for the generic
kind, its endpoints."""

from __future__ import annotations

import pytest

from clusterkg.graph.stores import Dialect, StoreUrl, register
from clusterkg.graph.stores.dialect import dialect_for
from clusterkg.graph.stores.oxigraph_server import OxigraphServer


def test_oxigraph_url() -> None:
    dialect = dialect_for(StoreUrl.parse("oxigraph+http://127.0.0.1:7878/"))
    assert isinstance(dialect, OxigraphServer) and dialect.atomic_update
    assert dialect.query_endpoint == "http://127.0.0.1:7878/query"
    assert dialect.update_endpoint == "http://127.0.0.1:7878/update"
    assert dialect.gsp_params("http://g") == {"graph": "http://g"}
    assert dialect.gsp_params(None) == {"default": ""}


def test_generic_url_names_its_endpoints() -> None:
    url = StoreUrl.parse("sparql+https://db.example.org/ds?query=sparql&update=/ds/update"
                         "&gsp=https://gsp.example.org/data")
    dialect = dialect_for(url)
    assert type(dialect) is Dialect and not dialect.atomic_update
    assert dialect.query_endpoint == "https://db.example.org/ds/sparql"
    assert dialect.update_endpoint == "https://db.example.org/ds/update"
    assert dialect.gsp_endpoint == "https://gsp.example.org/data"
    assert str(url) == "sparql+https://db.example.org/ds"


@pytest.mark.parametrize("url", ["http://127.0.0.1:7878", "oxigraph+ftp://x", "oxigraph:7878"])
def test_malformed_urls_are_refused(url: str) -> None:
    with pytest.raises(ValueError, match="store URL"):
        StoreUrl.parse(url)


def test_unknown_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown store kind 'graphdb'"):
        dialect_for(StoreUrl.parse("graphdb+http://127.0.0.1:7200"))


def test_a_dialect_registers_under_its_prefix() -> None:
    class Custom(Dialect):
        name = "custom-test"

    register(Custom.name, Custom)
    assert isinstance(dialect_for(StoreUrl.parse("custom-test+http://h:1")), Custom)


def test_credentials_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    dialect = dialect_for(StoreUrl.parse("sparql+http://h:1"))
    monkeypatch.delenv("CLUSTERKG_STORE_USER", raising=False)
    assert dialect.auth() is None
    monkeypatch.setenv("CLUSTERKG_STORE_USER", "dba")
    monkeypatch.setenv("CLUSTERKG_STORE_PASSWORD", "secret")
    assert dialect.auth() is not None
