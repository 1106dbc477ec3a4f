"""The published JSON-LD `@context` and the local document loader every pyld call uses.

The context is a versioned data file in the package (`api/context/v1.jsonld`), served at
`/context/v1.jsonld` and never changed once published: a change is `v2`. pyld resolves a
context IRI through a document loader; the loader here answers the project's own context
IRIs from the package and refuses every other URL, so neither the server nor its tests
ever fetch anything from the network.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import TypedDict

from clusterkg.paths import API_DIR

CONTEXT_DIR: Path = API_DIR / "context"
CONTEXT_BASE = "https://w3id.org/clusterkg/context/"
CONTEXT_V1 = CONTEXT_BASE + "v1.jsonld"
JSONLD_CONTEXT_PROFILE = "http://www.w3.org/ns/json-ld#context"


class RemoteDocument(TypedDict):
    """What pyld expects back from a document loader."""

    contextUrl: None
    documentUrl: str
    document: dict[str, object]


class ContextNotLocal(ValueError):
    """pyld asked for a URL that is not one of the package's contexts."""


@cache
def context_bytes(version: str = "v1") -> bytes:
    """The context file as published (bytes, so the HTTP response is byte-identical)."""
    path = CONTEXT_DIR / f"{version}.jsonld"
    if not path.is_file():
        raise FileNotFoundError(f"no JSON-LD context {version!r} in {CONTEXT_DIR}")
    return path.read_bytes()


def context_document(version: str = "v1") -> dict[str, object]:
    """The parsed context document (`{"@context": {...}}`), a fresh copy per call."""
    parsed: dict[str, object] = json.loads(context_bytes(version))
    return parsed


def terms(version: str = "v1") -> dict[str, object]:
    """The term definitions of the context (prefixes, aliases, classes, properties)."""
    inner = context_document(version)["@context"]
    assert isinstance(inner, dict)
    return inner


def local_loader(url: str, options: object = None) -> RemoteDocument:
    """pyld document loader: the package's contexts only, nothing from the network."""
    if url.startswith(CONTEXT_BASE):
        name = url[len(CONTEXT_BASE) :]
        version = name.removesuffix(".jsonld")
        if name.endswith(".jsonld") and "/" not in version and (CONTEXT_DIR / name).is_file():
            return {"contextUrl": None, "documentUrl": url, "document": context_document(version)}
    raise ContextNotLocal(f"refusing to load {url!r}: only the package's own contexts are local")
