"""Reading values out of the quotes of `data/country-cases.yaml`: checking that a quote occurs
in its stated lines, that a name's words occur in its quote, and parsing years and amounts.

The curated file states where a fact is and quotes it; the numbers come from the quote, so a
year or an amount is never typed twice and never drifts from the text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from clusterkg.loaders.claims.quotes import QuoteError
from clusterkg.loaders.records import SourceRef
from clusterkg.loaders.report.cells import squash
from clusterkg.loaders.report.document import Line
from clusterkg.loaders.values.durations import YEAR
from clusterkg.loaders.values.money import currency_amounts

YEARS = re.compile(rf"(?<!\d){YEAR}(?!\d)")
RANGE = re.compile(rf"(?<!\d){YEAR}\s*-\s*{YEAR}(?!\d)")
WORD = re.compile(r"\w+")
MARKUP = re.compile(r"<sup>.*?</sup>|[*#]")
ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth")
FACT_KEYS = frozenset(
    {
        "line",
        "lines",
        "quote",
        "label",
        "lang",
        "alt_labels",
        "role",
        "org",
        "programme",
        "number",
        "primary",
        "period",
        "annual",
    }
)


@dataclass(frozen=True)
class Fact:
    """A quote checked against its lines, and the name it gives (the quote itself unless
    the curated entry names a `label`)."""

    source: SourceRef
    quote: str
    label: str

    def error(self, message: str) -> QuoteError:
        return QuoteError(self.source.document, self.source.line_start, None, message)


@dataclass(frozen=True)
class Amount:
    """One amount of a quote: value in units of its currency (Publications Office code)."""

    value: Decimal
    currency: str
    symbol: str
    qualifier: str | None

    @property
    def text(self) -> str:
        """The decimal as xsd:decimal lexical form, without exponent."""
        return format(self.value.normalize(), "f")


def plain(text: str) -> str:
    """A quote as a name: markup, footnotes and list punctuation dropped."""
    return squash(MARKUP.sub("", text)).strip(" -;,.:")


def words(text: str) -> list[str]:
    return WORD.findall(text.casefold())


def _span(entry: Mapping[str, Any]) -> tuple[int, int]:
    if "lines" in entry:
        first, last = entry["lines"]
        return int(first), int(last)
    return int(entry["line"]), int(entry["line"])


def check_fact(lines: Sequence[Line], document: str, entry: Mapping[str, Any]) -> Fact:
    """The entry's quote checked against its `line` (or `lines: [first, last]`) of the document
    as the loader reads it; a `QuoteError` names the file, the line and the quote when it is not
    there."""
    unknown = sorted(str(k) for k, v in entry.items() if k not in FACT_KEYS or v is None)
    try:
        first, last = _span(entry)
    except (KeyError, TypeError, ValueError) as exc:
        raise QuoteError(document, 0, None, f"fact without a line: {dict(entry)}") from exc
    if unknown:
        raise QuoteError(document, first, None, f"unknown or empty keys {unknown}: {dict(entry)}")
    quote = str(entry.get("quote") or "")
    text = squash(" ".join(x.text for x in lines if x.end >= first and x.start <= last))
    if not quote or squash(quote) not in text:
        where = f"line {first}" if first == last else f"lines {first}-{last}"
        raise QuoteError(document, first, None, f"quote not found on {where}: {quote!r}")
    label = str(entry.get("label") or plain(quote))
    fact = Fact(SourceRef(document, None, first, last), quote, label)
    if not in_order(words(label), words(quote)):
        raise fact.error(f"label {label!r} is not in its quote {quote!r}")
    return fact


def in_order(needle: Sequence[str], haystack: Sequence[str]) -> bool:
    """Whether every word of `needle` occurs in `haystack`, in the same order."""
    rest = iter(haystack)
    return all(word in rest for word in needle)


def year_range(fact: Fact) -> tuple[str, str]:
    """The `YYYY-YYYY` range a quote states."""
    found = RANGE.search(fact.quote)
    if found is None:
        raise fact.error(f"no year range in {fact.quote!r}")
    return found.group(1), found.group(2)


def optional_range(fact: Fact) -> tuple[str | None, str | None]:
    """The `YYYY-YYYY` range of a quote, or none when it states no range."""
    found = RANGE.search(fact.quote)
    return (found.group(1), found.group(2)) if found else (None, None)


def first_year(fact: Fact) -> str:
    found = YEARS.findall(fact.quote)
    if not found:
        raise fact.error(f"no year in {fact.quote!r}")
    return str(found[0])


def last_year(fact: Fact) -> str:
    found = YEARS.findall(fact.quote)
    if not found:
        raise fact.error(f"no year in {fact.quote!r}")
    return str(found[-1])


def check_ordinal(fact: Fact, number: int) -> None:
    """A phase's number must be in its quote, as a figure or an ordinal word."""
    said = words(fact.quote)
    ordinal = ORDINALS[number - 1] if 0 < number <= len(ORDINALS) else None
    if str(number) not in said and ordinal not in said:
        raise fact.error(f"phase number {number} is not in {fact.quote!r}")


# What an amount that is not a budget is -> the column of the funding_amount mapping that links it.
AMOUNT_KINDS = {
    "funding-ceiling": "funding_ceiling",
    "award-range": "award_range",
    "grant": "grant_amount",
    "average-award": "average_award",
    "funding-received": "funding_received",
    "investment": "investment",
}


def funding_amount(
    fact: Fact, resource: str, kind: str, amounts: Sequence[Amount], scope: str | None
) -> dict[str, str | None]:
    """The values of a `funding_amount` record: one amount, or for an `award-range` two of one
    currency (the lower is `min_amount`); the kind's column holds the amount's key."""
    if kind not in AMOUNT_KINDS:
        raise fact.error(f"unknown amount kind {kind!r}, expected one of {list(AMOUNT_KINDS)}")
    currency = amounts[0].currency
    values: dict[str, str | None] = {"amount": None, "min_amount": None, "max_amount": None}
    if kind == "award-range":
        if len(amounts) != 2 or amounts[1].currency != currency:
            raise fact.error(f"a range needs two amounts of one currency: {fact.quote!r}")
        low, high = sorted(amounts, key=lambda a: a.value)
        values.update(min_amount=low.text, max_amount=high.text)
        key = f"{kind}-{currency}-{low.text}-{high.text}"
    else:
        if len(amounts) != 1:
            raise fact.error(f"one amount expected in {fact.quote!r}")
        values["amount"] = amounts[0].text
        key = f"{kind}-{currency}-{amounts[0].text}"
    kinds: dict[str, str | None] = {column: None for column in AMOUNT_KINDS.values()}
    kinds[AMOUNT_KINDS[kind]] = key
    return {
        "resource": resource,
        "amount_key": key,
        "currency": currency,
        "qualifier": amounts[0].qualifier,
        "scope": plain(scope) if scope else None,
        "raw_statement": plain(fact.quote),
        **values,
        **kinds,
    }


def parse_amounts(
    fact: Fact, symbols: Mapping[str, str], qualifiers: Sequence[str]
) -> list[Amount]:
    """Every amount of a quote in order (`CAD 950 million` -> 950000000 CAD), each with the
    qualifier written right before it (`up to`, `approximately`)."""
    qualifier_at_end = re.compile(
        rf"\b({'|'.join(re.escape(q) for q in qualifiers)})\s*$", re.IGNORECASE
    )
    found = []
    for match, value, currency in currency_amounts(fact.quote, symbols):
        before = qualifier_at_end.search(fact.quote[: match.start()])
        found.append(
            Amount(
                value=value,
                currency=currency,
                symbol=match.group("symbol"),
                qualifier=before.group(1).lower() if before else None,
            )
        )
    if not found:
        raise fact.error(f"no amount in {fact.quote!r}")
    return found
