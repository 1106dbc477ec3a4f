"""Table 10 of report 002 (annex B), "Organisation and delivery of cluster support in the sample
regions": per region how its cluster policy interventions are organised, in the frame of which
programmes (national, regional, EU/interregional) support is delivered, and whether its cluster
support is strongly related to national or European cluster policy.

The three columns hold answer options run together ("... part of a Regional Innovation
Strategy ... part of a regional development programme"), matched against `delivery-modes.ttl`;
a notation must belong to its column's question (its prefix). Italic text, the respondents' own
answers, and the one unlisted option Wielkopolskie wrote without italics (kept as plain text)
become `region_additional_answer` records.
"""

from __future__ import annotations

from collections.abc import Sequence

from clusterkg.loaders.records import Record
from clusterkg.loaders.report.answers import region_answer
from clusterkg.loaders.report.cells import clean_cell, squash
from clusterkg.loaders.report.document import Line
from clusterkg.loaders.report.regions import locate_regional_table, regional_rows
from clusterkg.loaders.report.vocabulary import load_vocabulary, match_items

CAPTION = "Table 10 - Organisation and delivery of cluster support in the sample regions"
HEADER = (
    "Country",
    "Region",
    "Organisation of regional cluster policy interventions as...",
    "Delivery of cluster support in the frame of...",
    "Strong/very strong relationship between regional cluster support and...",
)
QUESTIONS = {2: "organisation", 3: "delivery", 4: "relationship"}
UNLISTED = {2: ("actions financed by regional authorities",)}


def extract(lines: Sequence[Line], document: str) -> list[Record]:
    table = locate_regional_table(lines, document, CAPTION)
    if table.header != HEADER:
        raise table.rows[0].error(None, f"unexpected header {table.header}")
    modes = load_vocabulary("delivery-modes")
    records: list[Record] = []
    for row, region in regional_rows(table):
        source = row.source()
        for index, question in QUESTIONS.items():
            cell = clean_cell(row.cells[index])
            text = squash(cell.main.replace("...", " "))
            answers = [(t, True) for t in cell.italics]
            for option in UNLISTED.get(index, ()):
                at = text.casefold().find(option.casefold())
                if at >= 0:
                    answers.append((text[at : at + len(option)], False))
                    text = squash(f"{text[:at]} {text[at + len(option) :]}")
            for notation in match_items(
                text, modes, document=document, line=row.start, column=HEADER[index]
            ):
                if not notation.startswith(f"{question}-"):
                    raise row.error(HEADER[index], f"{notation!r} answers another question")
                values = {"region": region.nuts_code, "delivery_mode": notation}
                records.append(Record("region_delivery_mode", values, source))
            records += [
                region_answer(region.nuts_code, question, t, italic, source)
                for t, italic in answers
            ]
    return records
