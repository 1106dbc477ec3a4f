"""OWL reasoning with HermiT: a consistency check of the ontology (with the data) and the
materialisation of what the reasoner classifies into the `inferred` named graph.

The build runs HermiT's own command line on the file it writes (`graph.hermit`: `-c -I`, a JVM
set for a short run) and reads its answer back; `classify_with_owlready2` keeps the former way
(owlready2's quadstore and `sync_reasoner_hermit`) as the reference the tests and `bench.reasoner`
compare with. Both stop on an inconsistent graph and on an unsatisfiable class.

HermiT only accepts the OWL 2 datatype map, and the data's literals (years as xsd:gYear, raw
strings) play no part in the defined classes, so the reasoner sees the ontology, the concept
lists and the data's class and object-property assertions (plus `ckg:openEnded`). Concepts of
the closed lists are pairwise different, as a closed list means.

What HermiT is given is cut to what can change its answer (`prune=True`, the build's way):
- an assertion whose property or class no axiom of the ontology mentions is left out: any model
  of the rest extends to one of it (give that property or class exactly the asserted pairs), so
  no entailment about the ontology's classes depends on it;
- distinctness only matters to number restrictions (the ontology has no functional property,
  maximum cardinality, key or nominal), so only the concepts that are values of a property of a
  number restriction (or of one of its sub-properties) are declared pairwise different.
`prune=False` gives the whole input; `tests/ontology/test_ontology.py` proves the build's way
(cut input, HermiT's command line) classifies the seed graph as owlready2 on the whole input, and
`bench.reasoner` measures what each cut saves.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import NamedTuple

import owlready2
import pyoxigraph as ox

from clusterkg import iris
from clusterkg.graph import hermit

RDF = iris.RDF
RDF_TYPE = RDF + "type"
OWL = iris.OWL
SKOS_CONCEPT = iris.SKOS + "Concept"
KEPT_LITERAL_PREDICATES = {iris.ONTOLOGY + "openEnded"}
INFERRED_GRAPH = ox.NamedNode(iris.graph_iri("inferred"))


class InconsistentOntologyError(RuntimeError):
    """The reasoner found the ontology (with the data) inconsistent."""


NUMBER_RESTRICTIONS = {OWL + p for p in (
    "minCardinality", "maxCardinality", "cardinality",
    "minQualifiedCardinality", "maxQualifiedCardinality", "qualifiedCardinality")}
KEPT_OWL_PREDICATES = {OWL + "sameAs", OWL + "differentFrom"}


def _signature(tbox: list[ox.Triple]) -> tuple[set[str], set[str]]:
    """The IRIs the ontology's axioms mention, and the properties of its number restrictions
    with their sub-properties."""
    mentioned = {
        term.value
        for t in tbox
        for term in (t.subject, t.predicate, t.object)
        if isinstance(term, ox.NamedNode)
    }
    restricted = {t.subject for t in tbox if t.predicate.value in NUMBER_RESTRICTIONS}
    counted = {
        t.object.value
        for t in tbox
        if t.subject in restricted and t.predicate.value == OWL + "onProperty"
        and isinstance(t.object, ox.NamedNode)
    }
    sub_property = [
        (t.subject.value, t.object.value)
        for t in tbox
        if t.predicate.value == iris.RDFS + "subPropertyOf"
        and isinstance(t.subject, ox.NamedNode) and isinstance(t.object, ox.NamedNode)
    ]
    grown = True
    while grown:
        more = {sub for sub, sup in sub_property if sup in counted} - counted
        counted |= more
        grown = bool(more)
    return mentioned, counted


def _keeps(t: ox.Triple, mentioned: set[str], prune: bool) -> bool:
    if isinstance(t.object, ox.Literal):
        return t.predicate.value in KEPT_LITERAL_PREDICATES
    if not isinstance(t.object, ox.NamedNode) or not isinstance(t.subject, ox.NamedNode):
        return False
    if not prune:
        return True
    if t.predicate.value == RDF_TYPE:
        return t.object.value in mentioned
    return t.predicate.value in mentioned or t.predicate.value in KEPT_OWL_PREDICATES


class ReasonerInput(NamedTuple):
    """What HermiT is given: N-Triples, the concepts declared pairwise different and the data
    resources the input describes (the subjects whose types the build takes back)."""

    text: str
    concepts: set[str]
    individuals: set[str]


def _reasoner_input(
    tbox: Iterable[ox.Triple], abox: Iterable[ox.Triple], prune: bool = True
) -> ReasonerInput:
    """The reasoner's input (`prune`: cut to what can change its answer)."""
    tbox = list(tbox)
    mentioned, counted = _signature(tbox)
    lines = [f"{t} ." for t in tbox]
    concepts: set[str] = set()
    counted_values: set[str] = set()
    individuals: set[str] = set()
    for t in abox:
        if not isinstance(t.subject, ox.NamedNode) or not _keeps(t, mentioned, prune):
            continue
        if not t.subject.value.startswith(iris.ONTOLOGY):
            individuals.add(t.subject.value)
        if isinstance(t.object, ox.NamedNode):
            if t.predicate.value == RDF_TYPE and t.object.value == SKOS_CONCEPT:
                concepts.add(t.subject.value)
            elif t.predicate.value in counted:
                counted_values.add(t.object.value)
        lines.append(f"{t} .")
    if prune:
        concepts &= counted_values
    # owlready2 knows a resource as an individual only when it is declared one
    lines += [f"<{i}> <{RDF_TYPE}> <{OWL}NamedIndividual> ." for i in sorted(individuals)]
    if len(concepts) > 1:
        lines.append(f"_:distinct <{RDF_TYPE}> <{OWL}AllDifferent> .")
        lines.append(f"_:distinct <{OWL}distinctMembers> _:list0 .")
        for i, c in enumerate(sorted(concepts)):
            rest = f"_:list{i + 1}" if i + 1 < len(concepts) else f"<{RDF}nil>"
            lines.append(f"_:list{i} <{RDF}first> <{c}> .")
            lines.append(f"_:list{i} <{RDF}rest> {rest} .")
    return ReasonerInput("\n".join(lines) + "\n", concepts, individuals)


def _asserted_types(abox: list[ox.Triple]) -> set[tuple[str, str]]:
    return {
        (t.subject.value, t.object.value)
        for t in abox
        if t.predicate.value == RDF_TYPE
        and isinstance(t.subject, ox.NamedNode)
        and isinstance(t.object, ox.NamedNode)
    }


def _inferred(
    types: Iterable[tuple[str, Iterable[str]]], asserted: set[tuple[str, str]]
) -> Iterator[ox.Quad]:
    """The `inferred` graph's quads: each type of a data resource to a clusterkg class that the
    data did not assert."""
    for iri, classes in types:
        if not iri.startswith((iris.ID, iris.PO_COUNTRY, iris.NUTS)):
            continue
        for cls_iri in sorted(classes):
            if cls_iri.startswith(iris.ONTOLOGY) and (iri, cls_iri) not in asserted:
                yield ox.Quad(
                    ox.NamedNode(iri), ox.NamedNode(RDF_TYPE), ox.NamedNode(cls_iri), INFERRED_GRAPH
                )


def classify(
    tbox: Iterable[ox.Triple], abox: Iterable[ox.Triple], prune: bool = True
) -> Iterator[ox.Quad]:
    """Run HermiT (`graph.hermit`: its own command line, `-c -I`); yield every `rdf:type` of a
    data resource to a clusterkg class that the data did not assert, as quads of the `inferred`
    graph. Raises InconsistentOntologyError (an inconsistent graph or an unsatisfiable class).
    `prune=False` gives HermiT the whole input instead of what can change its answer."""
    abox = list(abox)
    given = _reasoner_input(tbox, abox, prune)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "input.nt"
        path.write_text(given.text, encoding="utf-8")
        try:
            answer = hermit.run(path)
        except hermit.HermitInconsistent as exc:
            raise InconsistentOntologyError(f"HermiT: the graph is inconsistent ({exc})") from exc
    if answer.unsatisfiable:
        names = ", ".join(sorted(answer.unsatisfiable))
        raise InconsistentOntologyError(f"HermiT: unsatisfiable classes: {names}")
    # an IRI only named as an object (say, a survey no source describes) is left untyped
    individuals = sorted(given.individuals & answer.direct_types.keys())
    yield from _inferred(((i, answer.types(i)) for i in individuals), _asserted_types(abox))


def classify_with_owlready2(
    tbox: Iterable[ox.Triple], abox: Iterable[ox.Triple], prune: bool = False
) -> Iterator[ox.Quad]:
    """The reference: the former way, through owlready2's quadstore and `sync_reasoner_hermit`
    (HermiT asked `-c -O -D -I`, the JVM's defaults), by default on the whole input. The tests
    and `bench.reasoner` hold `classify` to its answer and its time."""
    abox = list(abox)
    text = _reasoner_input(tbox, abox, prune).text
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
        types = [
            (individual.iri, [c.iri for c in individual.INDIRECT_is_a if hasattr(c, "iri")])
            for individual in world.individuals()
        ]
        world.close()
    yield from _inferred(types, _asserted_types(abox))


def java_available() -> bool:
    """Whether a Java runtime for HermiT is on the PATH (or configured for owlready2)."""
    return any(
        (Path(p) / "java").exists() for p in os.environ.get("PATH", "").split(os.pathsep)
    ) or bool(getattr(owlready2, "JAVA_EXE", "") and Path(owlready2.JAVA_EXE).exists())
