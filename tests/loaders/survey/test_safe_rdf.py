"""Uploaded RDF is read without any outbound request: every @context position is refused."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from clusterkg.loaders.survey.limits import HostileInput
from clusterkg.loaders.survey.read import UnusableInput, read_rdf

from ...hostile import context_positions, jsonld_bytes
from ...hostile.canary import Canary

OPENED: list[str] = []


def _record_opens(event: str, args: tuple[object, ...]) -> None:
    if event == "open" and OPENED and isinstance(args[0], str):
        OPENED.append(args[0])


sys.addaudithook(_record_opens)  # records only while a test has put a marker in OPENED


@pytest.mark.parametrize("position", sorted(context_positions("x")))
def test_remote_context_in_every_position_is_refused_without_a_connection(
    listener: Canary, position: str
) -> None:
    url = listener.url(position)
    before = listener.connections
    with pytest.raises(HostileInput) as refused:
        read_rdf("survey.jsonld", jsonld_bytes(context_positions(url)[position]))
    assert listener.connections == before == 0
    message = str(refused.value)
    assert message.startswith("survey.jsonld: ") and f"<{url}>" in message


@pytest.mark.parametrize("position", ["string", "import", "scoped-in-term", "nested-list"])
def test_file_context_is_refused_and_never_read(tmp_path: Path, position: str) -> None:
    secret = tmp_path / "context.jsonld"
    secret.write_text('{"@context": {"name": "https://schema.org/name"}}')
    url = secret.as_uri()
    OPENED[:] = ["(recording)"]
    try:
        with pytest.raises(HostileInput, match="file:"):
            read_rdf("survey.jsonld", jsonld_bytes(context_positions(url)[position]))
        opened = [path for path in OPENED[1:] if path.endswith("context.jsonld")]
    finally:
        OPENED.clear()
    assert opened == []


def test_the_recorder_sees_a_read() -> None:
    """The audit hook above does record opens, so the test before it can fail."""
    OPENED[:] = ["(recording)"]
    try:
        Path(__file__).read_bytes()
        seen = [path for path in OPENED[1:] if path.endswith("test_safe_rdf.py")]
    finally:
        OPENED.clear()
    assert seen


def test_the_canary_counts_a_fetch(listener: Canary) -> None:
    """rdflib's own JSON-LD parser, given the same document, does connect: the canary counts."""
    import rdflib

    before = listener.connections
    doc = json.dumps(context_positions(listener.url("control"))["import"])
    rdflib.Graph().parse(data=doc, format="json-ld")
    assert listener.connections == before + 1
    listener.connections = before


def test_inline_context_is_read() -> None:
    doc = {
        "@context": {
            "ckg": "https://w3id.org/clusterkg/ontology#",
            "@vocab": "https://schema.org/",
        },
        "@id": "https://w3id.org/clusterkg/id/programme/x",
        "@type": "ckg:ClusterProgramme",
        "name": {"@value": "X", "@language": "en"},
        "budget": 3,
    }
    graph = read_rdf("p.jsonld", jsonld_bytes(doc))
    assert len(graph) == 3


def test_turtle_names_iris_but_fetches_nothing(listener: Canary) -> None:
    turtle = (
        f"@base <{listener.url('base/')}> .\n@prefix c: <{listener.url('ns#')}> .\n"
        f"<x> a c:Thing ; c:seeAlso <{listener.url('doc')}> .\n"
    )
    assert len(read_rdf("p.ttl", turtle.encode())) == 2
    assert listener.connections == 0


def test_malformed_and_deep_json_ld_are_unusable_not_crashes() -> None:
    with pytest.raises(UnusableInput, match="malformed JSON at line 1"):
        read_rdf("p.jsonld", b'{"@context": ')
    deep = b'{"a": ' * 100_000 + b"1" + b"}" * 100_000
    with pytest.raises(UnusableInput, match="nested too deeply"):
        read_rdf("p.jsonld", deep)
