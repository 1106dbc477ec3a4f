"""The SHACL gate: validate a dataset against the shapes in `shapes/` with pySHACL.

The data graph is the union of the data, the ontology and the vocabularies, so that
`sh:targetClass` follows `rdfs:subClassOf` and `sh:class` sees the concepts' classes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyshacl
import rdflib
from rdflib.namespace import SH

from clusterkg.paths import SHAPES_DIR


@dataclass(frozen=True)
class Problem:
    """One validation result a person can act on."""

    severity: str
    focus: str
    path: str | None
    value: str | None
    message: str
    shape: str

    def __str__(self) -> str:
        where = f" {self.path}" if self.path else ""
        value = f" (value {self.value})" if self.value is not None else ""
        return f"[{self.severity}] {self.focus}{where}{value}: {self.message}"


@dataclass(frozen=True)
class ValidationOutcome:
    conforms: bool
    problems: list[Problem]
    report: rdflib.Graph

    @property
    def violations(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "Violation"]


def load_shapes(directory: Path = SHAPES_DIR) -> rdflib.Graph:
    """All shapes files of a folder as one graph."""
    shapes = rdflib.Graph()
    for path in sorted(directory.rglob("*.ttl")):
        shapes.parse(path, format="turtle")
    return shapes


def validate(data: rdflib.Graph, shapes: rdflib.Graph | None = None) -> ValidationOutcome:
    """Validate `data` (already including ontology and vocabularies) against the shapes."""
    shapes = shapes if shapes is not None else load_shapes()
    conforms, report, _ = pyshacl.validate(
        data, shacl_graph=shapes, inference="none", advanced=True, allow_warnings=True
    )
    assert isinstance(report, rdflib.Graph)
    problems = []
    for result in report.subjects(rdflib.RDF.type, SH.ValidationResult):
        severity = report.value(result, SH.resultSeverity)
        path = report.value(result, SH.resultPath)
        value = report.value(result, SH.value)
        problems.append(
            Problem(
                severity=str(severity).rsplit("#", 1)[-1] if severity else "Violation",
                focus=str(report.value(result, SH.focusNode)),
                path=str(path) if path is not None else None,
                value=str(value) if value is not None else None,
                message=str(report.value(result, SH.resultMessage) or ""),
                shape=str(report.value(result, SH.sourceShape)),
            )
        )
    problems.sort(key=lambda p: (p.severity, p.focus, p.path or "", p.message))
    return ValidationOutcome(bool(conforms), problems, report)
