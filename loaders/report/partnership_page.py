"""The partnership profile page of document 001 (European Digital Industry Alliance, ESCP-4i).

The page is a web profile converted to text: the partnership's name, its contact person and
role, a progress line, a block of field labels (`Type of partnership`, `Number of partners`, …),
then headed sections (summary, sector tags, dated news items). In this conversion every field
label stands without a value; a label keeps an empty value unless the page writes one after it
on the same line, and any other text in the label block is an error rather than a guess.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime

from clusterkg.iris import slug
from clusterkg.loaders.records import ExtractionError, Record, SourceRef
from clusterkg.loaders.report.cells import squash
from clusterkg.loaders.report.document import Line

FIELD_LABELS = (
    "Type of partnership",
    "Partnership origin",
    "Target countries",
    "Start of partnership",
    "Partnership duration (months)",
    "Number of partners",
    "Number of SMEs involved",
)
HEADINGS = (
    "Summary and objectives",
    "Results expected",
    "Sectorial and industrial focus",
    "Upcoming events",
    "Latest news and documents",
)
ROLE = re.compile(r"\bCoordinator\b")
PROGRESS = re.compile(r"^(\d+%)\s+(completed)$")
NEWS = re.compile(r"^News Published:\s*(\d{2}\.\d{2}\.\d{4})$")
# The summary section ends where the page's funding acknowledgement starts.
SUMMARY_END = "This communication tool"


def _nonblank(lines: Sequence[Line]) -> list[Line]:
    return [line for line in lines if line.text.strip()]


def _section(lines: Sequence[Line], document: str, heading: str) -> list[Line]:
    """The non-blank lines after `heading` up to the next heading."""
    texts = [line.text.strip() for line in lines]
    if texts.count(heading) != 1:
        raise ExtractionError(document, 1, None, f"heading {heading!r} not found once")
    start = texts.index(heading) + 1
    body: list[Line] = []
    for line in lines[start:]:
        if line.text.strip() in HEADINGS:
            break
        body.append(line)
    return _nonblank(body)


def _fields(lines: Sequence[Line], document: str, resource: str) -> list[Record]:
    records = []
    texts = [squash(line.text) for line in lines]
    for label in FIELD_LABELS:
        hits = [i for i, t in enumerate(texts) if t.startswith(label)]
        if len(hits) != 1:
            raise ExtractionError(document, 1, label, f"field label found {len(hits)} times")
        line = lines[hits[0]]
        value = texts[hits[0]][len(label) :].strip(" :\t") or None
        following = texts[hits[0] + 1] if hits[0] + 1 < len(texts) else ""
        if following and not any(following.startswith(f) for f in FIELD_LABELS):
            raise ExtractionError(document, line.start + 1, label, f"unexpected {following!r}")
        records.append(
            Record(
                "partnership_field",
                {"resource": resource, "field": label, "value": value},
                SourceRef(document, None, line.start, line.end),
            )
        )
    return records


def extract(lines: Sequence[Line], document: str) -> list[Record]:
    """Records of the partnership page (lines already corrected)."""
    content = _nonblank(lines)
    name = content[0]
    resource = f"partnership/{slug(name.text)}"

    def ref(first: Line, last: Line | None = None) -> SourceRef:
        return SourceRef(document, None, first.start, (last or first).end)

    records = [
        Record(
            "initiative",
            {"resource": resource, "type": "ckg:ClusterPartnership", "label": name.text.strip()},
            ref(name),
        )
    ]
    roles = [i for i, line in enumerate(content) if ROLE.search(line.text)]
    if not roles:
        raise ExtractionError(document, name.start, None, "no coordinator line")
    person, role = content[roles[0] - 1], content[roles[0]]
    records.append(
        Record(
            "partnership_coordinator",
            {"resource": resource, "person": person.text.strip(), "role": role.text.strip()},
            ref(person, role),
        )
    )
    for line in content:
        match = PROGRESS.match(line.text.strip())
        if match:
            records.append(
                Record(
                    "partnership_field",
                    {"resource": resource, "field": match.group(2), "value": match.group(1)},
                    ref(line),
                )
            )
    records += _fields(lines, document, resource)

    summary: list[Line] = []
    for line in _section(lines, document, "Summary and objectives"):
        if line.text.strip().startswith(SUMMARY_END):
            break
        summary.append(line)
    records.append(
        Record(
            "initiative_description",
            {"resource": resource, "description": "\n\n".join(squash(s.text) for s in summary)},
            ref(summary[0], summary[-1]),
        )
    )
    for line in _section(lines, document, "Sectorial and industrial focus"):
        records.append(
            Record(
                "partnership_keyword",
                {"resource": resource, "keyword": line.text.strip()},
                ref(line),
            )
        )
    records += _news(_section(lines, document, "Latest news and documents"), document, resource)
    return records


def _news(lines: Sequence[Line], document: str, resource: str) -> list[Record]:
    """`News Published: dd.mm.yyyy` lines, each followed by the item's title."""
    records = []
    for i in range(0, len(lines), 2):
        match = NEWS.match(lines[i].text.strip())
        if match is None or i + 1 >= len(lines):
            raise ExtractionError(document, lines[i].start, None, "expected a dated news item")
        published = datetime.strptime(match.group(1), "%d.%m.%Y").date().isoformat()
        title = lines[i + 1]
        records.append(
            Record(
                "partnership_news",
                {"resource": resource, "published": published, "title": title.text.strip()},
                SourceRef(document, None, lines[i].start, title.end),
            )
        )
    return records
