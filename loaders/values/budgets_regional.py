"""Reading one programme's statement of the "Annual budget (Euro)" cells of Table 9 (regional
programmes) into an amount in EUR, beside the national forms of `budgets.py`.

Forms seen, each with the raw statement kept by the caller:

  €3.000.000                              dot as thousands separator
  €1.7m / €500,000                        as in the national table
  around €5m / approx. €4m / about €500,000 / On average €1.6m     qualifier
  €2m for 7 years / €1m (15 months) / 2018-2021 €5m                the period the amount covers
  €160,000 per industrial sector and year (total: €2.4m annually)  a part and the stated total
  €3.000.000 for 6 spearheadclusters + €3.000.000 for 20 ...       labelled parts, no total
  €40m subsidies from the regional government                      a note after the amount
  all private funding / budget included in ...                     no amount

A statement without a euro sign has no amount; one with a euro sign that fits none of the forms
raises `ValueError`. Parts are never summed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from clusterkg.loaders.values.budgets import Component, to_decimal

NUMBER = r"(\d{1,3}(?:\.\d{3})+(?![\d.,])|\d[\d,]*(?:\.\d+)?)"
AMOUNT = rf"€\s*{NUMBER}\s*(m\b|million\b)?"
QUALIFIER = r"around|approx\.|about|on average"
STATED = re.compile(
    rf"^(?:(?P<period>(?:19|20)\d\d\s*-\s*(?:19|20)\d\d)\s+)?(?:(?P<qualifier>{QUALIFIER})\s+)?"
    rf"{AMOUNT}\s*(?P<rest>.*)$",
    re.I,
)
TOTAL = re.compile(rf"\(\s*total:\s*{AMOUNT}\s*(?:annually)?\s*\)", re.I)
FOR_PERIOD = re.compile(
    r"^(?:for\s+(\d+\s+(?:years?|months?))|\((\d+\s+(?:years?|months?))\))$", re.I
)
PART = re.compile(rf"^{AMOUNT}\s*(?:for\s+)?(?P<label>.+)$", re.I)


@dataclass(frozen=True)
class RegionalBudget:
    raw: str
    amount: Decimal | None = None
    qualifier: str | None = None
    period: str | None = None
    components: tuple[Component, ...] = field(default=())


def regional_decimal(number: str, unit: str | None) -> Decimal:
    """`3.000.000` (dot thousands) or the national forms (`1.7` + `m`, `500,000`)."""
    if re.fullmatch(r"\d{1,3}(?:\.\d{3})+", number) and not unit:
        number = number.replace(".", "")
    return to_decimal(number, unit)


def parse_regional_budget(statement: str) -> RegionalBudget:
    """The budget one programme's statement gives."""
    raw = re.sub(r"\s+", " ", statement).strip()
    text = raw.rstrip(".;, ")
    if "€" not in text:
        return RegionalBudget(raw)
    if " + " in text:
        parts: list[Component] = []
        for piece in text.split(" + "):
            match = PART.match(piece.strip())
            if not match:
                raise ValueError(f"unrecognised budget part {piece.strip()!r}")
            amount = regional_decimal(match.group(1), match.group(2))
            parts.append(Component(match.group("label").strip(), amount, piece.strip()))
        return RegionalBudget(raw, components=tuple(parts))
    total = TOTAL.search(text)
    if total:
        rest = TOTAL.sub("", text).strip()
        match = PART.match(rest)
        if not match:
            raise ValueError(f"unrecognised budget part {rest!r}")
        part = Component(
            match.group("label").strip(), regional_decimal(match.group(1), match.group(2)), rest
        )
        amount = regional_decimal(total.group(1), total.group(2))
        return RegionalBudget(raw, amount, components=(part,))
    stated = STATED.match(text)
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
