"""`clusterkg/iris.py` is the one home of namespaces and prefixes."""

from __future__ import annotations

import re
from pathlib import Path

from clusterkg import iris

ROOT = Path(__file__).resolve().parents[2]
CODE = ("clusterkg", "loaders", "graph", "api", "shapes", "queries", "bench")
# The generated namespace module states its own IRI (checked against the ontology elsewhere).
GENERATED = {ROOT / "graph" / "namespace.py"}


def test_prefixed_names_expand_and_iris_shorten() -> None:
    assert iris.expand("ckg:ClusterProgramme") == iris.ONTOLOGY + "ClusterProgramme"
    assert iris.expand("https://example.org/x") == "https://example.org/x"
    assert iris.expand("http://example.org/x") == "http://example.org/x"
    assert iris.shorten(iris.SKOS + "prefLabel") == "skos:prefLabel"
    assert iris.shorten(iris.ID + "country/DEU", ("ckg",)) == iris.ID + "country/DEU"
    assert iris.slug("Pôles de compétitivité") == "poles-de-competitivite"


def test_no_module_types_a_namespace_by_hand() -> None:
    pattern = re.compile("|".join(re.escape(ns) for ns in iris.PREFIXES.values()))
    found = []
    for folder in CODE:
        for path in sorted((ROOT / folder).rglob("*.py")):
            if (path.name == "iris.py" and path.parent.name == "clusterkg") or path in GENERATED:
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if pattern.search(line) and not line.lstrip().startswith(("#", "PREFIX")):
                    found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not found, "use clusterkg.iris instead:\n" + "\n".join(found)
