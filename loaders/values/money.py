"""Money in every form the sources write it, read into exact decimals.

- **National budget cells** of Table 8 (`parse_budget`): `10,000,000`; `€19m`; a list of
  components, each `label: amount[, amount]` where an amount may say where it comes from
  (`€19m from national budget`), optionally with a stated total (`(total: €144m)`). A total is
  only set when the cell states it (or when the cell is one amount); components are never summed.
- **Regional budget statements** of Table 9 (`parse_regional_budget`): the national forms plus
  `€3.000.000` (dot as thousands separator); a qualifier (`around €5m`, `approx. €4m`, `On
  average €1.6m`); the period the amount covers (`€2m for 7 years`, `€1m (15 months)`,
  `2018-2021 €5m`); a part and the stated total (`€160,000 per industrial sector and year
  (total: €2.4m annually)`); labelled parts joined by ` + ` (never summed); a note after the
  amount (`€40m subsidies from ...`). A statement without a euro sign has no amount.
- **Euro figures in prose** (`euros`): the first `€130 million` of a sentence.
- **Amounts in other currencies** (`currency_amounts`): `CAD 950 million`, `NIS 1.5 billion`,
  with the symbols a caller names (the country cases of `data/country-cases.yaml`).

Anything with a euro sign that fits none of the forms raises `ValueError`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

SCALES = {"m": 10**6, "million": 10**6, "thousand": 10**3, "billion": 10**9}

AMOUNT = r"€?\s*(\d[\d,]*(?:\.\d+)?)\s*(m|million)?"
SINGLE = re.compile(rf"^{AMOUNT}$", re.I)
PART = re.compile(rf"^{AMOUNT}(?:\s+from\s+(.+?))?$", re.I)
AMOUNT_SEPARATOR = re.compile(r",\s*(?=€)")
TOTAL = re.compile(rf"\(\s*total:\s*{AMOUNT}\s*\)", re.I)
EUROS = re.compile(rf"€{AMOUNT}", re.I)

REGIONAL_NUMBER = r"(\d{1,3}(?:\.\d{3})+(?![\d.,])|\d[\d,]*(?:\.\d+)?)"
REGIONAL_AMOUNT = rf"€\s*{REGIONAL_NUMBER}\s*(m\b|million\b)?"
QUALIFIER = r"around|approx\.|about|on average"
REGIONAL_STATED = re.compile(
    rf"^(?:(?P<period>(?:19|20)\d\d\s*-\s*(?:19|20)\d\d)\s+)?(?:(?P<qualifier>{QUALIFIER})\s+)?"
    rf"{REGIONAL_AMOUNT}\s*(?P<rest>.*)$",
    re.I,
)
REGIONAL_TOTAL = re.compile(rf"\(\s*total:\s*{REGIONAL_AMOUNT}\s*(?:annually)?\s*\)", re.I)
FOR_PERIOD = re.compile(
    r"^(?:for\s+(\d+\s+(?:years?|months?))|\((\d+\s+(?:years?|months?))\))$", re.I
)
REGIONAL_PART = re.compile(rf"^{REGIONAL_AMOUNT}\s*(?:for\s+)?(?P<label>.+)$", re.I)


@dataclass(frozen=True)
class Component:
    label: str
    amount: Decimal
    raw: str
    source: str | None = None


@dataclass(frozen=True)
class Budget:
    raw: str
    amount: Decimal | None = None
    components: tuple[Component, ...] = field(default=())


@dataclass(frozen=True)
class RegionalBudget:
    raw: str
    amount: Decimal | None = None
    qualifier: str | None = None
    period: str | None = None
    components: tuple[Component, ...] = field(default=())


def to_decimal(number: str, unit: str | None) -> Decimal:
    """`19` + `m` -> 19000000; `10,000,000` -> 10000000 (comma as thousands separator)."""
    value = Decimal(number.replace(",", ""))
    return value * SCALES[unit.lower()] if unit else value


def regional_decimal(number: str, unit: str | None) -> Decimal:
    """`3.000.000` (dot thousands) or the national forms (`1.7` + `m`, `500,000`)."""
    if re.fullmatch(r"\d{1,3}(?:\.\d{3})+", number) and not unit:
        number = number.replace(".", "")
    return to_decimal(number, unit)


def parse_budget(blocks: tuple[str, ...]) -> Budget | None:
    """The budget of a cell given as its text blocks (list items or paragraphs)."""
    raw = " ".join(blocks).strip()
    if not raw:
        return None
    single = SINGLE.match(raw)
    if single:
        return Budget(raw, to_decimal(single.group(1), single.group(2)))
    total: Decimal | None = None
    components: list[Component] = []
    for block in blocks:
        stated = TOTAL.search(block)
        if stated:
            total = to_decimal(stated.group(1), stated.group(2))
            block = TOTAL.sub("", block)
        label, colon, rest = block.partition(":")
        if not colon:
            raise ValueError(f"budget component without label: {block!r}")
        for part in AMOUNT_SEPARATOR.split(rest.strip().rstrip(".;")):
            match = PART.match(part.strip().rstrip(".;"))
            if not match:
                raise ValueError(f"unrecognised budget amount {part.strip()!r}")
            source = match.group(3)
            name = f"{label.strip()}, from {source}" if source else label.strip()
            amount = to_decimal(match.group(1), match.group(2))
            components.append(Component(name, amount, part.strip().rstrip(".;"), source))
    return Budget(raw, total, tuple(components))


def parse_regional_budget(statement: str) -> RegionalBudget:
    """The budget one programme's statement gives."""
    raw = re.sub(r"\s+", " ", statement).strip()
    text = raw.rstrip(".;, ")
    if "€" not in text:
        return RegionalBudget(raw)
    if " + " in text:
        parts: list[Component] = []
        for piece in text.split(" + "):
            match = REGIONAL_PART.match(piece.strip())
            if not match:
                raise ValueError(f"unrecognised budget part {piece.strip()!r}")
            amount = regional_decimal(match.group(1), match.group(2))
            parts.append(Component(match.group("label").strip(), amount, piece.strip()))
        return RegionalBudget(raw, components=tuple(parts))
    total = REGIONAL_TOTAL.search(text)
    if total:
        rest = REGIONAL_TOTAL.sub("", text).strip()
        match = REGIONAL_PART.match(rest)
        if not match:
            raise ValueError(f"unrecognised budget part {rest!r}")
        part = Component(
            match.group("label").strip(), regional_decimal(match.group(1), match.group(2)), rest
        )
        amount = regional_decimal(total.group(1), total.group(2))
        return RegionalBudget(raw, amount, components=(part,))
    stated = REGIONAL_STATED.match(text)
    if not stated:
        raise ValueError(f"unrecognised budget {raw!r}")
    amount = regional_decimal(stated.group(3), stated.group(4))
    qualifier = stated.group("qualifier")
    period = stated.group("period")
    rest = stated.group("rest").strip()
    for_period = FOR_PERIOD.match(rest)
    if for_period:
        period = for_period.group(1) or for_period.group(2)
    elif rest and "€" in rest:
        raise ValueError(f"more than one amount in {raw!r}")
    return RegionalBudget(raw, amount, qualifier.lower() if qualifier else None, period)


def euros(text: str) -> Decimal:
    """The amount of the first euro figure in `text` (`€130 million` -> 130000000)."""
    match = EUROS.search(text)
    if match is None:
        raise ValueError(f"no euro amount in {text!r}")
    return to_decimal(match.group(1), match.group(2))


def currency_pattern(symbols: Mapping[str, str]) -> re.Pattern[str]:
    """Amounts written after one of `symbols` (`CAD 950 million`, `US$ 1,000`)."""
    names = "|".join(re.escape(s) for s in sorted(symbols, key=len, reverse=True))
    scales = "|".join(s for s in SCALES if len(s) > 1)
    return re.compile(
        rf"(?<!\w)(?P<symbol>{names})\s?(?P<number>\d{{1,3}}(?:,\d{{3}})+|\d+(?:\.\d+)?)"
        rf"(?:\s+(?P<scale>{scales}))?(?!\w)"
    )


def currency_amounts(
    text: str, symbols: Mapping[str, str]
) -> Iterator[tuple[re.Match[str], Decimal, str]]:
    """Each amount of `text` in order: the match, its value and the currency code its symbol
    stands for in `symbols`."""
    for match in currency_pattern(symbols).finditer(text):
        value = to_decimal(match.group("number"), match.group("scale"))
        yield match, value, symbols[match.group("symbol")]
