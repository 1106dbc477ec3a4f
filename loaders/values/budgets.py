"""Reading the "Annual budget (Euro)" cells of Table 8 into amounts in EUR.

Forms seen: `10,000,000`; `€19m`; a list of components, each `label: amount[, amount]` where
an amount may say where it comes from (`€19m from national budget`), optionally with a stated
total (`(total: €144m)`). A total is only set when the cell states it (or when the cell is one
amount); components are never summed here. Anything else raises `ValueError`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

AMOUNT = r"€?\s*(\d[\d,]*(?:\.\d+)?)\s*(m|million)?"
SINGLE = re.compile(rf"^{AMOUNT}$", re.I)
PART = re.compile(rf"^{AMOUNT}(?:\s+from\s+(.+?))?$", re.I)
AMOUNT_SEPARATOR = re.compile(r",\s*(?=€)")
TOTAL = re.compile(rf"\(\s*total:\s*{AMOUNT}\s*\)", re.I)


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


def to_decimal(number: str, unit: str | None) -> Decimal:
    value = Decimal(number.replace(",", ""))
    return value * 1_000_000 if unit else value


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
