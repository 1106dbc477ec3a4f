"""EU initiatives, cluster partnerships and funding programmes of documents 000, 001, 003 and 004.

Most of what these pages say about an initiative sits in sentences (a budget, a count of
projects, the programme that funds it). Those facts come from the reviewed file
`data/initiatives-facts.yaml`, each checked against the exact words of its line
(`loaders/claims/quotes.py`): amounts that are not budgets (a voucher ceiling, funding received,
the average award; `funding_amount` records, read from the quote), months (the latest call),
expected results, and the survey and workshops the toolbox is based on, with their figures.
What the pages give with structure is read by code: bullet lists here,
the partnership page of document 001 in `partnership_page.py`.

`EXTRACT` maps each document to its extractor; the registry runs them on corrected lines.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from clusterkg.loaders.claims.facts import Fact, funding_amount, parse_amounts
from clusterkg.loaders.claims.quotes import QuoteError, check_count, line_text, load_facts, verify
from clusterkg.loaders.records import ExtractionError, Record, SourceRef
from clusterkg.loaders.report import partnership_page
from clusterkg.loaders.report.cells import squash
from clusterkg.loaders.report.crosswalk import country_code
from clusterkg.loaders.report.document import Line
from clusterkg.loaders.values.money import euros
from clusterkg.paths import DATA_DIR

FACTS_FILE = DATA_DIR / "initiatives-facts.yaml"

EUR = "EUR"
BULLET = re.compile(r"^\s*•\s*(.+?)\s*$")
# The sentence that introduces a bullet list -> the resource and aspect its items state.
LIST_LEADS: dict[str, tuple[str, str]] = {
    "Other tools include": ("initiative/innosup-1", "support_tool"),
    "The main goals are to": ("initiative/escp-s3", "goal"),
    "ESCP-S3 are characterised by": ("initiative/escp-s3", "characteristic"),
}
FIGURE_COLUMNS: dict[str, str] = {
    "numberOfPartners": "number_of_partners",
    "numberOfProjects": "number_of_projects",
    "numberOfCalls": "number_of_calls",
    "numberOfSMEsReached": "number_of_smes_reached",
    "numberOfSMEsSupported": "number_of_smes_supported",
    "numberOfSMEsTargeted": "number_of_smes_targeted",
    "numberOfParticipants": "number_of_participants",
    "numberOfCountries": "number_of_countries",
    "minCountriesPerConsortium": "min_countries_per_consortium",
    "minSMESupportShare": "min_sme_support_share",
    "minPartnersPerProject": "min_partners_per_project",
    "maxPartnersPerProject": "max_partners_per_project",
    "minCountriesPerProject": "min_countries_per_project",
    "maxCountriesPerProject": "max_countries_per_project",
    "firstCallYear": "first_call_year",
    "numberOfCallStages": "number_of_call_stages",
    "targetYear": "target_year",
    "numberOfRegions": "number_of_regions",
    "numberOfServicesIdentified": "number_of_services_identified",
    "numberOfServicesSelected": "number_of_services_selected",
    "numberOfActivityTypes": "number_of_activity_types",
    "maxDescriptionsPerParticipant": "max_descriptions_per_participant",
}


def _facts(document: str, section: str, path: Path) -> list[dict[str, Any]]:
    entries = load_facts(path).get("documents", {}).get(document, {}).get(section, [])
    return [dict(e) for e in entries]


def _record(kind: str, source: SourceRef, **values: str | None) -> Record:
    return Record(kind, values, source)


def _label_in_quote(document: str, fact: dict[str, Any], label: str) -> None:
    if label.casefold() not in str(fact["quote"]).casefold():
        raise QuoteError(document, int(fact["line"]), None, f"{label!r} not in its quote")


def curated_records(lines: Sequence[Line], document: str, path: Path = FACTS_FILE) -> list[Record]:
    """The reviewed prose facts of `document`, each checked against its line."""
    return list(_curated(lines, document, path))


SECTIONS = {
    "resources",
    "alt_labels",
    "descriptions",
    "funding",
    "funded_by",
    "budgets",
    "periods",
    "figures",
    "outputs",
    "topics",
    "study_visit_countries",
    "amounts",
    "expected_results",
    "based_on",
    "dates",
}
DATE_COLUMNS: dict[str, str] = {
    "latestCallPublished": "latest_call_published",
    "latestCallDeadline": "latest_call_deadline",
}
MONTHS = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
]
MONTH = re.compile(rf"\b(?:(early|mid|late)\s+)?({'|'.join(MONTHS)})\s+(\d{{4}})\b", re.I)


def _curated(lines: Sequence[Line], document: str, path: Path) -> Iterator[Record]:
    unknown = set(load_facts(path).get("documents", {}).get(document, {})) - SECTIONS
    if unknown:
        raise QuoteError(path.name, 1, None, f"{document}: unknown sections {sorted(unknown)}")

    def facts(section: str) -> Iterator[tuple[dict[str, Any], SourceRef]]:
        for fact in _facts(document, section, path):
            yield fact, verify(lines, document, fact)

    for f, src in facts("resources"):
        yield _record("initiative", src, resource=f["resource"], type=f["class"], label=f["label"])
    for f, src in facts("alt_labels"):
        _label_in_quote(document, f, f["label"])
        yield _record("initiative_label", src, resource=f["resource"], label=f["label"])
    for f, src in facts("descriptions"):
        text = re.sub(r"\s+", " ", str(f["quote"])).strip()
        yield _record("initiative_description", src, resource=f["resource"], description=text)
    for f, src in facts("funding"):
        yield _record(
            "initiative_funding", src, resource=f["resource"], programme=f["programme"], body=None
        )
    for f, src in facts("funded_by"):
        yield _record(
            "initiative_funding", src, resource=f["resource"], programme=None, body=f["body"]
        )
    for f, src in facts("budgets"):
        yield _budget(document, f, src)
    for f, src in facts("periods"):
        for year in (f["start"], f["end"]):
            if str(year) not in str(f["quote"]):
                raise QuoteError(document, src.line_start, None, f"{year} not in its quote")
        yield _record(
            "initiative_period",
            src,
            resource=f["resource"],
            start_year=str(f["start"]),
            end_year=str(f["end"]),
            raw_statement=str(f["quote"]),
        )
    for f, src in facts("figures"):
        yield _figure(document, f, src)
    for f, src in facts("dates"):
        yield _date(document, f, src)
    for f, src in facts("based_on"):
        yield _record("initiative_basis", src, resource=f["resource"], basis=f["basis"])
    for f, src in facts("amounts"):
        yield _amount(lines, document, f, src, load_facts(path))
    for f, src in facts("expected_results"):
        result = re.sub(r"\s+", " ", str(f["quote"])).strip()
        yield _record(
            "initiative_list_item",
            src,
            resource=f["resource"],
            aspect="expected_result",
            **{a: None for _, a in LIST_LEADS.values()},
            expected_result=result,
        )
    for f, src in facts("outputs"):
        check_count(document, f, int(f["quantity"]))
        yield _record(
            "initiative_output",
            src,
            resource=f["resource"],
            output=f["output"],
            label=f["label"],
            quantity=str(f["quantity"]),
            counted=f["counted"],
            qualifier=f.get("qualifier"),
            raw_statement=str(f["quote"]),
        )
    for f, src in facts("topics"):
        for topic in f["topics"]:
            _label_in_quote(document, f, topic)
            yield _record("initiative_topic", src, resource=f["resource"], topic=topic)
    for f, src in facts("study_visit_countries"):
        for label in f["countries"]:
            _label_in_quote(document, f, label)
            code = country_code(label)
            if code is None:
                raise QuoteError(document, src.line_start, None, f"unknown country {label!r}")
            yield _record(
                "partnership_study_visit_country",
                src,
                resource=f["resource"],
                country=code,
                country_label=label,
            )


def _budget(document: str, fact: dict[str, Any], src: SourceRef) -> Record:
    quote = str(fact["quote"])
    try:
        amount = euros(quote)
    except ValueError as exc:
        raise QuoteError(document, src.line_start, None, str(exc)) from exc
    return _record(
        "initiative_budget",
        src,
        resource=fact["resource"],
        budget=fact["budget"],
        amount=str(amount),
        currency=EUR,
        qualifier=fact.get("qualifier"),
        period=fact.get("period"),
        raw_statement=quote,
    )


def _amount(
    lines: Sequence[Line],
    document: str,
    fact: dict[str, Any],
    src: SourceRef,
    settings: dict[str, Any],
) -> Record:
    """An amount that is not a budget (a voucher ceiling, funding received, the average award),
    read with its qualifier from the quote; its `scope` must be words of the same line."""
    scope = fact.get("scope")
    on_line = squash(line_text(lines, document, src.line_start))
    if scope is not None and squash(str(scope)) not in on_line:
        raise QuoteError(document, src.line_start, None, f"scope not on this line: {scope!r}")
    checked = Fact(src, str(fact["quote"]), "")
    amounts = parse_amounts(checked, settings["currency_symbols"], settings["amount_qualifiers"])
    values = funding_amount(checked, str(fact["resource"]), str(fact["kind"]), amounts, scope)
    return Record("funding_amount", values, src)


def _date(document: str, fact: dict[str, Any], src: SourceRef) -> Record:
    """A month read from its quote (`early April 2020` -> 2020-04, qualifier early)."""
    prop = str(fact["property"])
    found = MONTH.search(str(fact["quote"]))
    if prop not in DATE_COLUMNS or found is None:
        raise QuoteError(document, src.line_start, None, f"no month for {prop!r} in its quote")
    qualifier, month, year = found.groups()
    value = f"{year}-{MONTHS.index(month.lower()) + 1:02d}"
    direct: dict[str, str | None] = {c: None for c in DATE_COLUMNS.values()}
    direct[DATE_COLUMNS[prop]] = value
    return _record(
        "initiative_date",
        src,
        resource=fact["resource"],
        date=fact["date"],
        property=prop,
        name=fact["name"],
        month=value,
        qualifier=qualifier.lower() if qualifier else None,
        raw_statement=str(fact["quote"]),
        **direct,
    )


def _figure(document: str, fact: dict[str, Any], src: SourceRef) -> Record:
    value = int(fact["value"])
    check_count(document, fact, value)
    prop = str(fact["property"])
    if prop not in FIGURE_COLUMNS:
        raise QuoteError(document, src.line_start, None, f"unknown figure property {prop!r}")
    direct: dict[str, str | None] = {c: None for c in FIGURE_COLUMNS.values()}
    if fact.get("whole", True):
        direct[FIGURE_COLUMNS[prop]] = str(value)
    return _record(
        "initiative_figure",
        src,
        resource=fact["resource"],
        figure=fact["figure"],
        property=prop,
        name=fact["name"],
        value=str(value),
        qualifier=fact.get("qualifier"),
        scope=fact.get("scope"),
        raw_statement=str(fact["quote"]),
        **direct,
    )


def bullet_lists(lines: Sequence[Line], document: str) -> list[Record]:
    """Items of the bullet lists, each under the resource and aspect its lead-in sentence names
    (the item's own line is its source); a list after an unknown lead-in is an error, never
    dropped."""
    records: list[Record] = []
    lead: str | None = None
    for line in lines:
        match = BULLET.match(line.text)
        if match is None:
            if line.text.strip():
                lead = line.text.strip()
            continue
        key = next((k for k in LIST_LEADS if lead and lead.endswith(k)), None)
        if key is None:
            raise ExtractionError(document, line.start, None, f"bullet after unknown lead {lead!r}")
        resource, aspect = LIST_LEADS[key]
        values: dict[str, str | None] = {a: None for _, a in LIST_LEADS.values()}
        values["expected_result"] = None
        values[aspect] = match.group(1)
        records.append(
            Record(
                "initiative_list_item",
                {"resource": resource, "aspect": aspect, **values},
                SourceRef(document, None, line.start, line.end),
            )
        )
    return records


def extract_inno_industry(lines: Sequence[Line], document: str) -> list[Record]:
    """Document 000: the INNO Industry project summary (prose only)."""
    return curated_records(lines, document)


def extract_escp_4i(lines: Sequence[Line], document: str) -> list[Record]:
    """Document 001: the partnership page of the European Digital Industry Alliance."""
    return curated_records(lines, document) + partnership_page.extract(
        lines, document
    )


def extract_emerging_industries(lines: Sequence[Line], document: str) -> list[Record]:
    """Document 003: INNOSUP-1 and the ESCP-S3 (figures in prose, goals and tools as lists)."""
    return curated_records(lines, document) + bullet_lists(
        lines, document
    )


def extract_toolbox_project(lines: Sequence[Line], document: str) -> list[Record]:
    """Document 004: the S3-4AlpClusters project and its funding programme."""
    return curated_records(lines, document)
