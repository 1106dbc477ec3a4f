"""Chapter 4 of report 002, the country cases of cluster policy outside Europe (USA, Canada,
Brazil, Mexico, Israel, China, Taiwan, Singapore, Japan, South Korea): programmes, their names,
periods, phases, budgets, bodies and the clusters they support; amounts that are not budgets
(ceilings, per-applicant ranges, grants, investments: `funding_amount` records) and the counts the
chapter states about a programme (`nonfeu_figure`).

The chapter is prose, so its facts are curated in `data/country-cases.yaml`, each with the
lines and an exact quote it rests on. This module checks every quote against the source before
it emits a record (a changed source stops the build with the file, line and quote), reads years
and amounts out of the quotes, and mints ids from content (`CAN-innovation-superclusters-
initiative`). The registry runs `extract` on the corrected lines of document 002.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any

import rdflib
import yaml
from rdflib.namespace import RDF, SKOS

from clusterkg.iris import PO_COUNTRY, PO_CURRENCY, slug
from clusterkg.loaders.claims.facts import (
    Fact,
    check_fact,
    check_ordinal,
    first_year,
    funding_amount,
    last_year,
    optional_range,
    parse_amounts,
    plain,
    year_range,
)
from clusterkg.loaders.claims.quotes import check_count
from clusterkg.loaders.records import ExtractionError, Record
from clusterkg.loaders.report.cells import squash
from clusterkg.loaders.report.document import Line
from clusterkg.paths import DATA_DIR, VOCABULARIES_DIR

CASES_FILE = DATA_DIR / "country-cases.yaml"
ROLES = {
    "implements": "implemented_by",
    "supervises": "supervised_by",
    "funds": "funded_by",
    "issues": "issued_by",
}
LANGUAGES = ("en", "pt", "es")
PROGRAMME_KEYS = {
    "name",
    "alt_labels",
    "start",
    "end",
    "period",
    "open_ended",
    "phases",
    "budgets",
    "bodies",
    "clusters",
    "part_of",
    "predecessor",
    "amounts",
    "figures",
}
FIGURE_KEYS = {"figure", "name", "value", "qualifier", "scope"}
ORGANISATION_KEYS = {"name", "alt_labels", "part_of", "amounts"}
Entry = Mapping[str, Any]


@cache
def _authority(name: str, base: str) -> frozenset[str]:
    """Codes of a local Publications Office table in `ontology/vocabularies/`."""
    graph = rdflib.Graph().parse(VOCABULARIES_DIR / f"{name}.ttl", format="turtle")
    return frozenset(
        str(s).removeprefix(base)
        for s in graph.subjects(RDF.type, SKOS.Concept)
        if str(s).startswith(base)
    )


class _Country:
    """The records of one country case."""

    def __init__(self, document: str, lines: Sequence[Line], code: str, settings: Entry) -> None:
        self.document, self.lines, self.code = document, lines, code
        self.symbols: Mapping[str, str] = settings["currency_symbols"]
        self.qualifiers: Sequence[str] = settings["amount_qualifiers"]
        self.records: list[Record] = []
        self.organisations: dict[str, str] = {}
        self.programmes: dict[str, str] = {}

    def fact(self, entry: Entry) -> Fact:
        return check_fact(self.lines, self.document, entry)

    def id_for(self, fact: Fact) -> str:
        return f"{self.code}-{slug(fact.label)}"

    def emit(self, kind: str, fact: Fact, **values: str | None) -> None:
        self.records.append(Record(kind, values, fact.source))

    def labels(self, kind: str, resource_id: str, parent: Fact, entries: Sequence[Any]) -> None:
        """Alternative names; a bare string is checked against the parent's quote."""
        for entry in entries:
            if isinstance(entry, str):
                span = [parent.source.line_start, parent.source.line_end]
                fact = self.fact({"lines": span, "quote": parent.quote, "label": entry})
                lang = "en"
            else:
                fact, lang = self.fact(entry), str(entry.get("lang", "en"))
            if lang not in LANGUAGES:
                raise fact.error(f"label language {lang!r} not one of {LANGUAGES}")
            self.emit(
                "nonfeu_label",
                fact,
                resource_kind=kind,
                resource_id=resource_id,
                **{f"alt_label_{lang}": fact.label},
            )

    def organisation(self, ref: str, entry: Entry) -> None:
        name = self.fact(entry["name"])
        unknown = set(entry) - ORGANISATION_KEYS
        if unknown:
            raise name.error(f"organisation {ref}: unknown keys {sorted(unknown)}")
        org_id = self.id_for(name)
        self.organisations[ref] = org_id
        self.emit(
            "nonfeu_organisation",
            name,
            organisation_id=org_id,
            country=self.code,
            pref_label=name.label,
        )
        self.labels("organisation", org_id, name, entry.get("alt_labels", ()))
        for amount in entry.get("amounts", ()):
            self.amount(f"organisation/{org_id}", amount)

    def organisation_parent(self, ref: str, entry: Entry) -> None:
        if "part_of" in entry:
            link = entry["part_of"]
            self.emit(
                "nonfeu_relation",
                self.fact(link),
                subject_kind="organisation",
                subject_id=self.organisations[ref],
                sub_organisation_of=self._ref(self.organisations, link["org"], link),
            )

    def _ref(self, table: Mapping[str, str], ref: str, entry: Entry) -> str:
        if ref not in table:
            raise self.fact(entry).error(f"{self.code}: unknown reference {ref!r}")
        return table[ref]

    def programme(self, ref: str, entry: Entry) -> None:
        unknown = set(entry) - PROGRAMME_KEYS
        name = self.fact(entry["name"])
        if unknown:
            raise name.error(f"programme {ref}: unknown keys {sorted(unknown)}")
        pid = self.programmes[ref]
        self.emit(
            "nonfeu_programme", name, programme_id=pid, country=self.code, pref_label=name.label
        )
        self.labels("programme", pid, name, entry.get("alt_labels", ()))
        self.period(pid, entry)
        for phase in entry.get("phases", ()):
            self.phase(pid, phase)
        for budget in entry.get("budgets", ()):
            self.budget(pid, budget)
        for amount in entry.get("amounts", ()):
            self.amount(f"programme/{pid}", amount)
        for figure in entry.get("figures", ()):
            self.figure(pid, figure)
        for body in entry.get("bodies", ()):
            fact = self.fact(body)
            role = ROLES.get(body["role"])
            if role is None:
                raise fact.error(f"unknown role {body['role']!r}, expected one of {list(ROLES)}")
            org_id = self._ref(self.organisations, body["org"], body)
            self.emit(
                "nonfeu_body",
                fact,
                programme_id=pid,
                organisation_id=org_id,
                role=body["role"],
                **{role: org_id},
            )
        for cluster in entry.get("clusters", ()):
            fact = self.fact(cluster)
            cid = self.id_for(fact)
            self.emit(
                "nonfeu_cluster",
                fact,
                cluster_id=cid,
                country=self.code,
                pref_label=fact.label,
                programme_id=pid,
            )
            self.labels("cluster", cid, fact, cluster.get("alt_labels", ()))
        for key in ("part_of", "predecessor"):
            if key in entry:
                link = entry[key]
                other = self._ref(self.programmes, link["programme"], link)
                self.emit(
                    "nonfeu_relation",
                    self.fact(link),
                    subject_kind="programme",
                    subject_id=pid,
                    **{key: other},
                )

    def period(self, pid: str, entry: Entry) -> None:
        """Start and end years, each from its own quote; `open_ended` needs a "since"."""
        if "period" in entry:
            fact = self.fact(entry["period"])
            start, end = year_range(fact)
            self.emit(
                "nonfeu_period",
                fact,
                programme_id=pid,
                start_year=start,
                end_year=end,
            )
        if "start" in entry:
            fact = self.fact(entry["start"])
            open_ended = entry.get("open_ended") is True
            if open_ended and "since" not in fact.quote.casefold():
                raise fact.error(f"open_ended but no 'since' in {fact.quote!r}")
            self.emit(
                "nonfeu_period",
                fact,
                programme_id=pid,
                start_year=first_year(fact),
                open_ended="true" if open_ended else None,
            )
        if "end" in entry:
            fact = self.fact(entry["end"])
            self.emit(
                "nonfeu_period", fact, programme_id=pid, end_year=last_year(fact)
            )

    def phase(self, pid: str, entry: Entry) -> None:
        fact = self.fact(entry)
        number = int(entry["number"])
        check_ordinal(fact, number)
        years = optional_range(fact)
        self.emit(
            "nonfeu_phase",
            fact,
            programme_id=pid,
            phase_number=str(number),
            label=fact.label,
            start_year=years[0],
            end_year=years[1],
        )

    def budget(self, pid: str, entry: Entry) -> None:
        """A budget quote's amounts; with two (`USD 45 million (… NIS 180 million)`) the entry
        names the `primary` symbol and the other becomes its stated equivalent."""
        fact = self.fact(entry)
        amounts = parse_amounts(fact, self.symbols, self.qualifiers)
        primary_symbol = entry.get("primary")
        if len(amounts) > 1 and primary_symbol is None:
            raise fact.error(f"several amounts, no 'primary' symbol: {fact.quote!r}")
        primary = next((a for a in amounts if a.symbol == primary_symbol), amounts[0])
        period = entry.get("period")
        if period is not None and period not in fact.quote:
            raise fact.error(f"budget period {period!r} not in {fact.quote!r}")
        for amount in amounts:
            if amount.currency not in _authority("currencies", PO_CURRENCY):
                raise fact.error(f"currency {amount.currency} not in currencies.ttl")
            key = f"{amount.currency}-{amount.text}"
            is_primary = amount is primary
            self.emit(
                "nonfeu_budget",
                fact,
                programme_id=pid,
                amount_key=key,
                amount=amount.text,
                currency=amount.currency,
                qualifier=amount.qualifier,
                budget_period=period,
                raw_statement=plain(fact.quote),
                equivalent_of=None if is_primary else f"{primary.currency}-{primary.text}",
                annual="true" if entry.get("annual") else None,
            )

    def figure(self, pid: str, entry: Entry) -> None:
        """A count the report states about the programme: its value must be written in the quote,
        and its `qualifier` and `scope` (when given) must be words of the quote too."""
        fact = self.fact({k: v for k, v in entry.items() if k not in FIGURE_KEYS})
        value = int(entry["value"])
        check_count(self.document, {"line": fact.source.line_start, "quote": fact.quote}, value)
        for key in ("qualifier", "scope"):
            if key in entry and squash(str(entry[key])) not in squash(fact.quote):
                raise fact.error(f"{key} {entry[key]!r} not in {fact.quote!r}")
        self.emit(
            "nonfeu_figure",
            fact,
            programme_id=pid,
            figure=str(entry["figure"]),
            name=str(entry["name"]),
            value=str(value),
            qualifier=entry.get("qualifier"),
            scope=entry.get("scope"),
            raw_statement=plain(fact.quote),
        )

    def amount(self, resource: str, entry: Entry) -> None:
        """An amount that is not a budget (`kind`: a funding ceiling, the range of one award, a
        grant, an investment), read from its quote; a range needs two amounts of one currency.
        `scope` (what or whom the amount is for) must be words of the same lines; `nth` picks one
        amount of a quote that states several."""
        kind = str(entry.get("kind"))
        fact = self.fact({k: v for k, v in entry.items() if k not in ("kind", "scope", "nth")})
        scope = entry.get("scope")
        if scope is not None:
            span = [fact.source.line_start, fact.source.line_end]
            self.fact({"lines": span, "quote": scope})
        amounts = parse_amounts(fact, self.symbols, self.qualifiers)
        if "nth" in entry:  # one of several amounts ("NIS 60 million and NIS 45 million")
            amounts = amounts[int(entry["nth"]) - 1 : int(entry["nth"])]
        if not amounts:
            raise fact.error(f"no amount number {entry.get('nth')} in {fact.quote!r}")
        if amounts[0].currency not in _authority("currencies", PO_CURRENCY):
            raise fact.error(f"currency {amounts[0].currency} not in currencies.ttl")
        self.emit("funding_amount", fact, **funding_amount(fact, resource, kind, amounts, scope))


def extract(
    lines: Sequence[Line], document: str, cases_file: Path = CASES_FILE
) -> list[Record]:
    """The records of every country case of `cases_file`, each quote checked against `lines`."""
    settings: dict[str, Any] = yaml.safe_load(cases_file.read_text(encoding="utf-8"))
    if settings.get("document") != document:
        raise ExtractionError(
            cases_file.name, 1, None, f"facts are about {settings.get('document')}, not {document}"
        )
    records: list[Record] = []
    for code, case in settings["countries"].items():
        if code not in _authority("countries", PO_COUNTRY):
            raise ExtractionError(cases_file.name, 1, None, f"unknown country code {code!r}")
        country = _Country(document, lines, code, settings)
        organisations: Mapping[str, Entry] = case.get("organisations") or {}
        programmes: Mapping[str, Entry] = case.get("programmes") or {}
        for ref, entry in organisations.items():
            country.organisation(ref, entry)
        for ref, entry in organisations.items():
            country.organisation_parent(ref, entry)
        for ref, entry in programmes.items():
            country.programmes[ref] = country.id_for(country.fact(entry["name"]))
        for ref, entry in programmes.items():
            country.programme(ref, entry)
        records += country.records
    return records
