"""What a survey cell may hold, read from the mapping files and the vocabularies.

The template, its README and the table checks of `clusterkg validate` all come from here, so a
new mapping file or a new concept in a vocabulary changes them without code. A column's allowed
values are the concepts its IRI template points into (`country:{country}` -> the Publications
Office countries of `ontology/vocabularies/`), else the notations of the scheme its
`vocabulary:` names, else the ontology terms an `iri:` pattern can form
(`ckg:{value}ClusterProgramme`
-> National, Regional, NonEuropean).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import rdflib
from rdflib.namespace import RDF, SKOS

from clusterkg.loaders.mapper import PLACEHOLDER, Mapping, expand, mappings
from clusterkg.paths import MAPPINGS_DIR, ONTOLOGY_FILE, VOCABULARIES_DIR

# Provenance columns of every sheet (releases and waves, h3). A respondent or the survey office
# says who answered, when and from what; the loader itself records the file, sheet and row of
# every answer (and the column of every value), so nobody types them. The report columns are
# filled only when a row restates a published document (a template filled from a build).
RESPONDENT_COLUMNS: tuple[str, ...] = ("respondent", "answered_on", "answer_source")
REPORT_COLUMNS: tuple[str, ...] = ("source_document", "source_table", "line_start", "line_end")
SOURCE_COLUMNS: tuple[str, ...] = (*RESPONDENT_COLUMNS, *REPORT_COLUMNS)
SOURCE_DESCRIPTIONS = {
    "respondent": "Optional: who gave the answer — an organisation or a role (e.g. national "
    "cluster agency), not a person's name unless they agreed. Recorded with the row.",
    "answered_on": "Optional: the date of the answer, as 2025-03-31. Recorded with the row.",
    "answer_source": "Optional: where the answer comes from (the programme's annual report, its "
    "web page, the managing authority's records). Recorded with the row.",
    "source_document": "Only when the row restates a published document: its file name (the "
    "template filled from a build writes it). File, sheet and row of the answer itself are "
    "recorded by the loader.",
    "source_table": "Only when the row restates a published document: its table.",
    "line_start": "Only when the row restates a published document: first line of the row there.",
    "line_end": "Only when the row restates a published document: last line of the row there.",
}
DATE_COLUMN = "answered_on"

# Lexical forms accepted per datatype, with what a person is told when a cell does not fit.
LEXICAL: dict[str, tuple[re.Pattern[str], str]] = {
    "xsd:decimal": (
        re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$"),
        "a number such as 1500000 or 2.5 (digits, one decimal point, no separators or currency)",
    ),
    "xsd:integer": (re.compile(r"^[+-]?\d+$"), "a whole number such as 3"),
    "xsd:gYear": (re.compile(r"^-?\d{4}$"), "a year of four digits such as 2016"),
    "xsd:boolean": (re.compile(r"^(true|false|1|0)$"), "true or false"),
    "xsd:anyURI": (
        re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]+$"),
        "a link such as https://example.org/page (no spaces)",
    ),
    "xsd:duration": (
        re.compile(r"^-?P(?=\d|T\d)(\d+Y)?(\d+M)?(\d+D)?(T(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$"),
        "a duration such as P1Y (one year) or P18M (eighteen months)",
    ),
    "xsd:date": (re.compile(r"^\d{4}-\d{2}-\d{2}$"), "a date such as 2019-03-31"),
}


@dataclass(frozen=True)
class ColumnSpec:
    """One column of a record kind as a survey respondent sees it."""

    name: str
    description: str
    required: bool
    datatype: str | None
    vocabulary: str | None
    allowed: tuple[str, ...] | None
    example: str | None

    def expected(self) -> str:
        """What the column takes, in words."""
        if self.allowed is not None:
            shown = ", ".join(self.allowed[:12]) + (", …" if len(self.allowed) > 12 else "")
            return f"one of the {self.vocabulary or 'listed'} values: {shown}"
        if self.datatype in LEXICAL:
            return LEXICAL[self.datatype][1]
        return "text"

    def check(self, value: str) -> str | None:
        """None when `value` fits the column, else what was expected."""
        if self.allowed is not None and value not in self.allowed:
            return self.expected()
        if self.datatype in LEXICAL and not LEXICAL[self.datatype][0].match(value):
            return self.expected()
        return None


@dataclass(frozen=True)
class KindSpec:
    kind: str
    description: str
    columns: tuple[ColumnSpec, ...]
    key: tuple[str, ...]

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> ColumnSpec | None:
        return next((c for c in self.columns if c.name == name), None)


@dataclass(frozen=True)
class SurveyContext:
    """Where mappings and vocabularies come from; tests point it at fixture folders."""

    mappings_dirs: tuple[Path, ...] = (MAPPINGS_DIR,)
    vocabulary_dirs: tuple[Path, ...] = (VOCABULARIES_DIR,)

    def mappings(self) -> dict[str, Mapping]:
        found: dict[str, Mapping] = {}
        for directory in self.mappings_dirs:
            found.update(mappings(directory))
        return found

    def vocabulary_graph(self) -> rdflib.Graph:
        return _vocabulary_graph(self.vocabulary_dirs)

    def extra_vocabulary(self) -> rdflib.Graph | None:
        """Vocabularies beyond the bundled ones (validation adds the bundled ones itself)."""
        extra = tuple(d for d in self.vocabulary_dirs if d != VOCABULARIES_DIR)
        return _vocabulary_graph(extra) if extra else None

    def specs(self) -> dict[str, KindSpec]:
        return _specs(self)


DEFAULT_CONTEXT = SurveyContext()


@cache
def _vocabulary_graph(directories: tuple[Path, ...]) -> rdflib.Graph:
    graph = rdflib.Graph()
    for directory in directories:
        for path in sorted(directory.glob("*.ttl")):
            graph.parse(path, format="turtle")
    return graph


@cache
def _ontology_terms() -> tuple[str, ...]:
    graph = rdflib.Graph().parse(ONTOLOGY_FILE, format="turtle")
    return tuple(sorted({str(s) for s in graph.subjects() if isinstance(s, rdflib.URIRef)}))


def _allowed_from_template(
    template: str, column: str, concepts: Sequence[str]
) -> tuple[str, ...] | None:
    """`country:{country}` -> the local parts of the concepts under the country namespace."""
    placeholders = PLACEHOLDER.findall(template)
    if len(placeholders) != 1 or placeholders[0][0] != column or placeholders[0][1]:
        return None
    head, _, tail = template.partition("{" + column + "}")
    if tail:
        return None
    prefix = expand(head) if ":" in head else head
    if not prefix.startswith("http"):
        return None
    found = sorted(
        {c[len(prefix) :] for c in concepts if c.startswith(prefix) and "/" not in c[len(prefix) :]}
    )
    return tuple(found) or None


def _allowed_from_iri(pattern: str) -> tuple[str, ...] | None:
    """`ckg:{value}ClusterProgramme` -> the ontology terms it can form."""
    head, sep, tail = expand(pattern).partition("{value}")
    if not sep:
        return None
    regex = re.compile(re.escape(head) + r"([A-Za-z0-9]+)" + re.escape(tail) + "$")
    found = sorted({m.group(1) for t in _ontology_terms() if (m := regex.match(t))})
    return tuple(found) or None


def _notations(
    graph: rdflib.Graph, vocabulary: str, directories: tuple[Path, ...]
) -> tuple[str, ...]:
    for directory in directories:
        path = directory / f"{vocabulary}.ttl"
        if path.exists():
            scheme_graph = rdflib.Graph().parse(path, format="turtle")
            return tuple(sorted({str(n) for n in scheme_graph.objects(None, SKOS.notation)}))
    return ()


@cache
def _specs(context: SurveyContext) -> dict[str, KindSpec]:
    graph = context.vocabulary_graph()
    concepts = sorted({str(s) for s in graph.subjects(RDF.type, SKOS.Concept)})
    result: dict[str, KindSpec] = {}
    for kind, mapping in sorted(context.mappings().items()):
        columns = []
        for col in mapping.columns:
            allowed: tuple[str, ...] | None = None
            for node in mapping.nodes:
                for rule in node.triples:
                    if rule.template and allowed is None:
                        allowed = _allowed_from_template(rule.template, col.name, concepts)
                    if rule.iri and rule.column == col.name and allowed is None:
                        allowed = _allowed_from_iri(rule.iri)
            if allowed is None and col.vocabulary:
                allowed = _notations(graph, col.vocabulary, context.vocabulary_dirs) or None
            columns.append(
                ColumnSpec(
                    name=col.name,
                    description=" ".join(col.description.split()),
                    required=col.required,
                    datatype=col.datatype,
                    vocabulary=col.vocabulary,
                    allowed=allowed,
                    example=col.example,
                )
            )
        result[kind] = KindSpec(
            kind, " ".join(mapping.description.split()), tuple(columns), mapping.key
        )
    return result
