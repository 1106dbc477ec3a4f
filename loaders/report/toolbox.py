"""The S3-4AlpClusters "Transformative Activities – Cluster Toolbox" (document 004).

The document is a slide deck converted to text. Its tables have no captions: each service table
follows a heading (`Education Subset - Best Practices`), the other two are named here after
their first header cell (`Cluster Initiative Target Board`, `Service field`). The action lines
are a numbered list. Labels are matched against the SKOS files `action-lines.ttl` and
`service-fields.ttl`, so a renamed field stops the build instead of minting a new one.

Case numbers restart in every table, so a service is identified by field, kind and number
(`id:service/education/best-practice/1`). The three challenges the toolbox's process addresses
(a dash list) and the structure every service description follows (a table without a caption,
named here `Service description structure`) are read the same way. The counts the document
states about the toolbox are claims (`data/claims/toolbox.yaml`), checked by the one claims
engine (`loaders/claims/register.py`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import rdflib
from rdflib.namespace import SKOS

from clusterkg.iris import VOCAB
from clusterkg.loaders.claims.quotes import NUMBER_WORDS, load_facts, verify
from clusterkg.loaders.records import ExtractionError, Record, SourceRef
from clusterkg.loaders.report.cells import squash
from clusterkg.loaders.report.document import Line
from clusterkg.paths import DATA_DIR, VOCABULARIES_DIR

CONCEPTS_FILE = DATA_DIR / "toolbox-concepts.yaml"
TOOLBOX_ID = "ta-cluster-toolbox"
PROJECT = "partnership/s3-4alpclusters"
KINDS = {
    "Best Practices": ("best-practice", "BestPractice"),
    "New Services": ("new-service", "NewClusterService"),
}
SERVICE_HEADING = re.compile(r"^(\w+) Subset\s*[-–]\s*(Best Practices|New Services)\s*$")
SERVICE_HEADER = ("Case no.", "Service Titel", "Short description")
ACTION_LINES = re.compile(r"follows \*\*(\d+) Action Lines\*\*")
NUMBERED = re.compile(r"^(\d+)\.\s+(.+)$")
BOLD = re.compile(r"\*\*(.+?)\*\*")
CHALLENGES = re.compile(r"\b(\w+) challenges have been identified:\s*$")
DASH_ITEM = re.compile(r"^-\s+(.+)$")
SECTION_HEADER = ("Section", "Content")
TARGET_BOARD = "Cluster Initiative Target Board"
FIELD_TABLE = "Service field"


@dataclass(frozen=True)
class Concept:
    notation: str
    label: str
    definition: str | None


@cache
def scheme_concepts(
    file: str, scheme: str, directory: Path = VOCABULARIES_DIR
) -> dict[str, Concept]:
    """Concepts of one scheme of a vocabulary file, by case-folded preferred label
    (`service-fields.ttl` holds two schemes: the fields and the Greenbook objectives)."""
    graph = rdflib.Graph().parse(directory / f"{file}.ttl", format="turtle")
    found = {}
    for concept in graph.subjects(SKOS.inScheme, rdflib.URIRef(VOCAB + scheme)):
        definition = graph.value(concept, SKOS.definition)
        item = Concept(
            str(graph.value(concept, SKOS.notation)),
            str(graph.value(concept, SKOS.prefLabel)),
            str(definition) if definition is not None else None,
        )
        found[item.label.casefold()] = item
    return found


def _lookup(file: str, scheme: str, label: str, document: str, line: int) -> Concept:
    concept = scheme_concepts(file, scheme).get(squash(label).casefold())
    if concept is None:
        raise ExtractionError(document, line, None, f"{label!r} is not in {file}.ttl ({scheme})")
    return concept


def _plain(text: str) -> str:
    return squash(BOLD.sub(r"\1", text))


def _tab_rows(lines: Sequence[Line], document: str, start: int, width: int) -> list[Line]:
    """The tab-separated lines from index `start` up to the first blank line after them."""
    rows: list[Line] = []
    for line in lines[start:]:
        if "\t" not in line.text:
            if rows:
                break
            continue
        if len(line.cells) != width:
            raise ExtractionError(
                document, line.start, None, f"{len(line.cells)} cells, not {width}"
            )
        rows.append(line)
    return rows


def action_lines(lines: Sequence[Line], document: str) -> list[Record]:
    """The numbered list after "follows **5 Action Lines**"; its length must be the number."""
    heads = [(i, m) for i, line in enumerate(lines) if (m := ACTION_LINES.search(line.text))]
    if len(heads) != 1:
        raise ExtractionError(document, 1, None, "action-line list not found once")
    ((head, found),) = heads
    stated = int(found.group(1))
    records: list[Record] = []
    for line in lines[head + 1 :]:
        match = NUMBERED.match(line.text.strip())
        if match is None:
            if records and line.text.strip():
                break
            continue
        label = _plain(match.group(2))
        concept = _lookup("action-lines", "action-lines", label, document, line.start)
        records.append(
            Record(
                "toolbox_action_line",
                {"notation": concept.notation, "number": match.group(1), "label": label},
                SourceRef(document, None, line.start, line.end),
            )
        )
    if len(records) != stated:
        raise ExtractionError(document, lines[head].start, None, f"{len(records)} lines listed")
    return records


def challenges(lines: Sequence[Line], document: str) -> list[Record]:
    """The list after "In the implementation of S3 three challenges have been identified:";
    its length must be the number the sentence writes (a word or a figure)."""
    heads = [(i, m) for i, line in enumerate(lines) if (m := CHALLENGES.search(line.text))]
    if len(heads) != 1:
        raise ExtractionError(document, 1, None, "challenge list not found once")
    ((head, found),) = heads
    word = found.group(1).lower()
    stated = NUMBER_WORDS.index(word) if word in NUMBER_WORDS else int(word)
    records: list[Record] = []
    for line in lines[head + 1 :]:
        match = DASH_ITEM.match(line.text.strip())
        if match is None:
            if records and line.text.strip():
                break
            continue
        records.append(
            Record(
                "toolbox_challenge",
                {"toolbox": TOOLBOX_ID, "challenge": _plain(match.group(1))},
                SourceRef(document, None, line.start, line.end),
            )
        )
    if len(records) != stated:
        raise ExtractionError(document, lines[head].start, None, f"{len(records)} challenges")
    return records


def description_sections(lines: Sequence[Line], document: str) -> list[Record]:
    """The table "The description of cluster services has the following structure": numbered
    sections (`1. Beneficiaries`) and the question each answers; numbers must run 1, 2, …"""
    start = _header_index(lines, document, SECTION_HEADER[0])
    if tuple(c.strip() for c in lines[start].cells) != SECTION_HEADER:
        raise ExtractionError(document, lines[start].start, None, "unexpected section header")
    records: list[Record] = []
    for expected, row in enumerate(_tab_rows(lines, document, start + 1, 2), start=1):
        section, content = (squash(c) for c in row.cells)
        match = NUMBERED.match(section)
        if match is None or match.group(1) != str(expected):
            raise ExtractionError(document, row.start, "Section", f"expected section {expected}")
        records.append(
            Record(
                "toolbox_description_section",
                {
                    "toolbox": TOOLBOX_ID,
                    "number": match.group(1),
                    "title": match.group(2),
                    "content": content,
                },
                SourceRef(document, "Service description structure", row.start, row.end),
            )
        )
    return records


def _header_index(lines: Sequence[Line], document: str, first_cell: str) -> int:
    hits = [
        i
        for i, line in enumerate(lines)
        if line.cells[0].strip().startswith(first_cell) and "\t" in line.text
    ]
    if len(hits) != 1:
        raise ExtractionError(document, 1, None, f"table {first_cell!r} found {len(hits)} times")
    return hits[0]


def target_board(lines: Sequence[Line], document: str) -> list[Record]:
    """Greenbook target-board objective -> service field; an objective no field addresses
    keeps an empty field and the document's note."""
    start = _header_index(lines, document, TARGET_BOARD)
    records: list[Record] = []
    for row in _tab_rows(lines, document, start + 1, 2):
        objective, field_cell = (squash(c) for c in row.cells)
        target = _lookup("service-fields", "greenbook-target-board", objective, document, row.start)
        field, note = None, None
        if field_cell.startswith("("):
            note = field_cell
        else:
            field = _lookup("service-fields", "service-fields", field_cell, document, row.start)
        records.append(
            Record(
                "toolbox_target_board",
                {
                    "objective": target.notation,
                    "objective_label": objective,
                    "service_field": field.notation if field else None,
                    "note": note,
                },
                SourceRef(document, TARGET_BOARD, row.start, row.end),
            )
        )
    return records


def service_fields(lines: Sequence[Line], document: str) -> list[Record]:
    """The table of the five fields: description and the number of cases of each kind."""
    start = _header_index(lines, document, FIELD_TABLE)
    records: list[Record] = []
    for row in _tab_rows(lines, document, start + 1, 4):
        if not row.cells[0].strip():
            continue  # second header line: "Best Practices", "New Services"
        label, description, best, new = (squash(c) for c in row.cells)
        concept = _lookup("service-fields", "service-fields", label, document, row.start)
        records.append(
            Record(
                "toolbox_service_field",
                {
                    "notation": concept.notation,
                    "label": label,
                    "description": description,
                    "best_practices": best,
                    "new_services": new,
                },
                SourceRef(document, FIELD_TABLE, row.start, row.end),
            )
        )
    return records


def services(lines: Sequence[Line], document: str) -> list[Record]:
    """Every row of the ten service tables (five fields, best practices and new services)."""
    records: list[Record] = []
    for i, line in enumerate(lines):
        heading = SERVICE_HEADING.match(line.text.strip())
        if heading is None:
            continue
        table = squash(line.text)
        field = _lookup("service-fields", "service-fields", heading.group(1), document, line.start)
        kind, service_class = KINDS[heading.group(2)]
        rows = _tab_rows(lines, document, i + 1, 3)
        if tuple(c.strip() for c in rows[0].cells) != SERVICE_HEADER:
            raise ExtractionError(document, rows[0].start, None, f"{table}: unexpected header")
        for expected, row in enumerate(rows[1:], start=1):
            number, title, description = (squash(c) for c in row.cells)
            if number != str(expected):
                raise ExtractionError(document, row.start, "Case no.", f"expected {expected}")
            records.append(
                Record(
                    "toolbox_service",
                    {
                        "field": field.notation,
                        "kind": kind,
                        "service_class": service_class,
                        "case_number": number,
                        "title": title,
                        "description": description,
                        "toolbox": TOOLBOX_ID,
                    },
                    SourceRef(document, table, row.start, row.end),
                )
            )
    return records


def toolbox(lines: Sequence[Line], document: str) -> Record:
    """The toolbox itself: its title is the first bold run, which spans a line break."""
    text = "\n".join(line.text for line in lines)
    match = re.search(r"\*\*(.+?)\*\*", text, re.S)
    if match is None:
        raise ExtractionError(document, 1, None, "no bold title")
    first = text.count("\n", 0, match.start()) + 1
    last = text.count("\n", 0, match.end()) + 1
    return Record(
        "toolbox",
        {"toolbox": TOOLBOX_ID, "title": squash(match.group(1)), "project": PROJECT},
        SourceRef(document, None, first, last),
    )


def concept_sources(
    lines: Sequence[Line], document: str, path: Path = CONCEPTS_FILE
) -> list[Record]:
    """Where the definitions of the transformative-activity concepts come from (verified)."""
    records: list[Record] = []
    for fact in load_facts(path).get("concepts", []):
        records.append(
            Record(
                "toolbox_transformative_activity",
                {"notation": fact["notation"], "quote": squash(str(fact["quote"]))},
                verify(lines, document, fact),
            )
        )
    return records


def extract_toolbox(lines: Sequence[Line], document: str) -> list[Record]:
    """All records of the toolbox document."""
    found = [
        toolbox(lines, document),
        *challenges(lines, document),
        *action_lines(lines, document),
        *description_sections(lines, document),
        *target_board(lines, document),
        *service_fields(lines, document),
        *services(lines, document),
        *concept_sources(lines, document),
    ]
    return found
