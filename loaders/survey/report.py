"""A survey validation report as text, JSON or a SHACL `sh:ValidationReport` in Turtle.

The Turtle report is a standard SHACL report; each result also carries
`prov:wasDerivedFrom` the excerpt IRI of its row (file, sheet, row, as the build's excerpts) and
an `rdfs:comment` naming file, sheet, row and column in words. Table checks that SHACL does
not express (unknown column, unreadable file) use constraint components minted under
`https://w3id.org/clusterkg/shapes/survey#`.
"""

from __future__ import annotations

import json

import rdflib
from rdflib.namespace import PROV, RDF, RDFS, SH

from clusterkg import iris
from clusterkg.loaders.survey.validate import SurveyResult

SURVEY = rdflib.Namespace("https://w3id.org/clusterkg/shapes/survey#")


def as_text(result: SurveyResult) -> str:
    lines = [
        f"{result.status}: {len(result.records)} records, {len(result.data)} triples from "
        f"{', '.join(result.files)}; {len(result.violations)} violations, "
        f"{sum(1 for f in result.findings if f.severity == 'Warning')} warnings"
    ]
    lines += [f"  {f}" for f in result.findings]
    return "\n".join(lines)


def as_json(result: SurveyResult) -> str:
    return json.dumps(result.as_json(), indent=2, ensure_ascii=False)


def as_turtle(result: SurveyResult) -> str:
    graph = rdflib.Graph()
    graph.bind("sh", SH)
    graph.bind("survey", SURVEY)
    graph.bind("prov", PROV)
    report = rdflib.BNode()
    graph.add((report, RDF.type, SH.ValidationReport))
    graph.add((report, SH.conforms, rdflib.Literal(result.conforms)))
    for finding in result.findings:
        node = rdflib.BNode()
        graph.add((report, SH.result, node))
        graph.add((node, RDF.type, SH.ValidationResult))
        graph.add((node, SH.resultSeverity, SH[finding.severity]))
        graph.add((node, SH.resultMessage, rdflib.Literal(finding.message, lang="en")))
        row_iri = None
        if finding.row is not None:
            row_iri = rdflib.URIRef(
                iris.excerpt_iri(finding.file, finding.sheet, finding.row, finding.row)
            )
            graph.add((node, PROV.wasDerivedFrom, row_iri))
        focus = rdflib.URIRef(finding.focus) if finding.focus else row_iri
        graph.add((node, SH.focusNode, focus or rdflib.Literal(finding.file)))
        if finding.path:
            graph.add((node, SH.resultPath, rdflib.URIRef(finding.path)))
        if finding.value is not None:
            graph.add((node, SH.value, rdflib.Literal(finding.value)))
        component = SURVEY[finding.check.capitalize() + "Check"]
        graph.add((node, SH.sourceConstraintComponent, component))
        comment = finding.where() + (f"; expected {finding.expected}" if finding.expected else "")
        graph.add((node, RDFS.comment, rdflib.Literal(comment)))
    return graph.serialize(format="turtle")


RENDERERS = {"text": as_text, "json": as_json, "turtle": as_turtle}
