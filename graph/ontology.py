"""The ontology as code sees it: its terms, and the generated `graph/namespace.py` that lets code
use only terms the ontology declares (regenerate with `python -m clusterkg.graph.ontology`)."""

from __future__ import annotations

import sys
from pathlib import Path

import rdflib
from rdflib.namespace import OWL, RDF

from clusterkg import iris
from clusterkg.paths import ONTOLOGY_FILE

NAMESPACE_MODULE = Path(__file__).with_name("namespace.py")


def load_ontology(path: Path = ONTOLOGY_FILE) -> rdflib.Graph:
    """The ontology file as an rdflib graph."""
    return rdflib.Graph().parse(path, format="turtle")


def declared_terms(graph: rdflib.Graph) -> list[str]:
    """Local names of the classes and properties the ontology declares, sorted."""
    kinds = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
    names = {
        str(s).removeprefix(iris.ONTOLOGY)
        for kind in kinds
        for s in graph.subjects(RDF.type, kind)
        if isinstance(s, rdflib.URIRef) and str(s).startswith(iris.ONTOLOGY)
    }
    return sorted(names)


def render_namespace_module(graph: rdflib.Graph) -> str:
    """Source of `graph/namespace.py`: an rdflib DefinedNamespace of the declared terms."""
    lines = [
        '"""The clusterkg ontology namespace. Generated from ontology/clusterkg.ttl by',
        '`python -m clusterkg.graph.ontology`: do not edit; a test fails when it drifts."""',
        "",
        "from rdflib import URIRef",
        "from rdflib.namespace import DefinedNamespace, Namespace",
        "",
        "",
        "class CKG(DefinedNamespace):",
        '    """Classes and properties of the clusterkg ontology."""',
        "",
        "    _fail = True",
    ]
    lines += [f"    {name}: URIRef" for name in declared_terms(graph)]
    lines += ["", f'    _NS = Namespace("{iris.ONTOLOGY}")', ""]
    return "\n".join(lines)


if __name__ == "__main__":
    NAMESPACE_MODULE.write_text(render_namespace_module(load_ontology()), encoding="utf-8")
    sys.stdout.write(f"wrote {NAMESPACE_MODULE}\n")
