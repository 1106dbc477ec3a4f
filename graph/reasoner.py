"""OWL reasoning with HermiT (through owlready2): a consistency check of the ontology and the
materialisation of what the reasoner classifies into the `inferred` named graph.

HermiT only accepts the OWL 2 datatype map, and the data's literals (years as xsd:gYear, raw
strings) play no part in the defined classes, so the reasoner sees the ontology, the concept
lists and the data's class and object-property assertions (plus `ckg:openEnded`). Concepts of
the closed lists are declared pairwise different, as a closed list means.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

import owlready2
import pyoxigraph as ox

from clusterkg import iris

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDF_TYPE = RDF + "type"
OWL = "http://www.w3.org/2002/07/owl#"
SKOS_CONCEPT = "http://www.w3.org/2004/02/skos/core#Concept"
KEPT_LITERAL_PREDICATES = {iris.ONTOLOGY + "openEnded"}
INFERRED_GRAPH = ox.NamedNode(iris.graph_iri("inferred"))


class InconsistentOntologyError(RuntimeError):
    """The reasoner found the ontology (with the data) inconsistent."""


def _reasoner_input(tbox: Iterable[ox.Triple], abox: Iterable[ox.Triple]) -> tuple[str, set[str]]:
    """N-Triples for the reasoner and the set of concept IRIs seen."""
    lines: list[str] = []
    concepts: set[str] = set()
    individuals: set[str] = set()
    for t in tbox:
        lines.append(f"{t} .")
    for t in abox:
        if isinstance(t.subject, ox.NamedNode) and not t.subject.value.startswith(iris.ONTOLOGY):
            individuals.add(t.subject.value)
        if isinstance(t.object, ox.Literal):
            if t.predicate.value not in KEPT_LITERAL_PREDICATES:
                continue
        elif not isinstance(t.object, ox.NamedNode) or not isinstance(t.subject, ox.NamedNode):
            continue
        elif t.predicate.value == RDF_TYPE and t.object.value == SKOS_CONCEPT:
            concepts.add(t.subject.value)
        lines.append(f"{t} .")
    # owlready2 knows a resource as an individual only when it is declared one
    lines += [f"<{i}> <{RDF_TYPE}> <{OWL}NamedIndividual> ." for i in sorted(individuals)]
    if len(concepts) > 1:
        lines.append(f"_:distinct <{RDF_TYPE}> <{OWL}AllDifferent> .")
        lines.append(f"_:distinct <{OWL}distinctMembers> _:list0 .")
        for i, c in enumerate(sorted(concepts)):
            rest = f"_:list{i + 1}" if i + 1 < len(concepts) else f"<{RDF}nil>"
            lines.append(f"_:list{i} <{RDF}first> <{c}> .")
            lines.append(f"_:list{i} <{RDF}rest> {rest} .")
    return "\n".join(lines) + "\n", concepts


def classify(tbox: Iterable[ox.Triple], abox: Iterable[ox.Triple]) -> Iterator[ox.Quad]:
    """Run HermiT; yield every `rdf:type` of a data resource to a clusterkg class that the data
    did not assert, as quads of the `inferred` graph. Raises InconsistentOntologyError."""
    abox = list(abox)
    asserted = {
        (t.subject.value, t.object.value)
        for t in abox
        if t.predicate.value == RDF_TYPE
        and isinstance(t.subject, ox.NamedNode)
        and isinstance(t.object, ox.NamedNode)
    }
    text, _ = _reasoner_input(tbox, abox)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "input.nt"
        path.write_text(text, encoding="utf-8")
        world = owlready2.World()
        onto = world.get_ontology(path.as_uri()).load(format="ntriples")
        try:
            with onto:
                owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
        except owlready2.OwlReadyInconsistentOntologyError as exc:
            raise InconsistentOntologyError(f"HermiT: the graph is inconsistent ({exc})") from exc
        if list(world.inconsistent_classes()):
            names = ", ".join(str(c) for c in world.inconsistent_classes())
            raise InconsistentOntologyError(f"HermiT: unsatisfiable classes: {names}")
        for individual in world.individuals():
            iri = individual.iri
            if not iri.startswith((iris.ID, iris.PO_COUNTRY, iris.NUTS)):
                continue
            for cls in individual.INDIRECT_is_a:
                cls_iri = getattr(cls, "iri", None)
                if cls_iri and cls_iri.startswith(iris.ONTOLOGY) and (iri, cls_iri) not in asserted:
                    yield ox.Quad(
                        ox.NamedNode(iri),
                        ox.NamedNode(RDF_TYPE),
                        ox.NamedNode(cls_iri),
                        INFERRED_GRAPH,
                    )
        world.close()


def java_available() -> bool:
    """Whether a Java runtime for HermiT is on the PATH (or configured for owlready2)."""
    return any(
        (Path(p) / "java").exists() for p in os.environ.get("PATH", "").split(os.pathsep)
    ) or bool(getattr(owlready2, "JAVA_EXE", "") and Path(owlready2.JAVA_EXE).exists())
