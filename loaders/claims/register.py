"""The discrepancy register: every figure the documents' prose states about their own tables,
checked against the tables.

The claims are data (`data/claims/*.yaml`, described in `data/claims/README.md`): each quotes
its line, gives the value as written (`stated`) and as a number (`value`), and names the
counting rule (`loaders/claims/rules.py`) that computes the same figure from the records. The
quote must still be on its line and the figure written in it, or the build stops. A claim the
tables do not bear out becomes a `discrepancy` record (`loaders/mappings/discrepancy.yaml`);
the graph keeps the table's values. Claims that agree are kept too: they document the check.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from clusterkg.loaders.claims.quotes import (
    NUMBER_WORDS,
    QuoteError,
    check_count,
    line_text,
    verify,
)
from clusterkg.loaders.claims.rules import RuleError, Tables, Tally, evaluate
from clusterkg.loaders.documents import document_file
from clusterkg.loaders.records import Record, SourceRef
from clusterkg.loaders.report.cells import squash
from clusterkg.loaders.report.document import Line
from clusterkg.paths import DATA_DIR

CLAIMS_DIR = DATA_DIR / "claims"
COMPARISONS = ("equal", "at-least", "at-most", "between")
FIELDS = {
    "id", "line", "quote", "table", "stated", "value", "upper", "rule", "compare", "concerns",
    "note", "items",
}


@dataclass(frozen=True)
class Claim:
    """One figure a document states, as the claims file gives it."""

    id: str
    document: str
    line: int
    quote: str
    table: str | None
    stated: str
    value: Decimal
    upper: Decimal | None
    rule: Mapping[str, Any]
    compare: str
    concerns: str | None
    note: str | None
    items: tuple[str, ...] = ()


@dataclass(frozen=True)
class Outcome:
    """A claim evaluated: what the tables give and whether it bears the claim out."""

    claim: Claim
    tally: Tally
    source: SourceRef

    @property
    def missing(self) -> tuple[str, ...]:
        """Items the text names that the tables' count does not hold."""
        return tuple(i for i in self.claim.items if i not in self.tally.labels)

    @property
    def extra(self) -> tuple[str, ...]:
        """What the tables' count holds that the text does not name (when it names items)."""
        if not self.claim.items:
            return ()
        return tuple(i for i in self.tally.labels if i not in self.claim.items)

    @property
    def agrees(self) -> bool:
        found, claim = self.tally.value, self.claim
        if found is None or self.missing or self.extra:
            return False
        if claim.compare == "at-least":
            return found >= claim.value
        if claim.compare == "at-most":
            return found <= claim.value
        if claim.compare == "between":
            return claim.value <= found <= (claim.upper or claim.value)
        return found == claim.value


def _claim(entry: Mapping[str, Any], document: str, path: Path) -> Claim:
    unknown = set(entry) - FIELDS
    missing = {"id", "line", "quote", "stated", "value", "rule"} - set(entry)
    if unknown or missing:
        raise QuoteError(
            path.name, int(entry.get("line", 0)), None,
            f"claim {entry.get('id')!r}: unknown fields {sorted(unknown)}, "
            f"missing {sorted(missing)}",
        )
    items = entry.get("items") or []
    if items and len(items) != int(entry.get("value", -1)):
        raise QuoteError(
            path.name, int(entry["line"]), None,
            f"claim {entry.get('id')!r}: {len(items)} items, value {entry.get('value')}",
        )
    if "listed" in (entry.get("rule") or {}) and not entry.get("concerns"):
        raise QuoteError(path.name, int(entry["line"]), None, "a `listed` claim names `concerns`")
    compare = str(entry.get("compare", "equal"))
    if compare not in COMPARISONS or (compare == "between") != ("upper" in entry):
        raise QuoteError(
            path.name, int(entry["line"]), None,
            f"claim {entry['id']!r}: comparison {compare!r} (`between` takes `upper`)",
        )
    return Claim(
        id=str(entry["id"]),
        document=document,
        line=int(entry["line"]),
        quote=str(entry["quote"]),
        table=entry.get("table"),
        stated=str(entry["stated"]),
        value=Decimal(str(entry["value"])),
        upper=Decimal(str(entry["upper"])) if "upper" in entry else None,
        rule=entry["rule"],
        compare=compare,
        concerns=entry.get("concerns"),
        note=entry.get("note"),
        items=tuple(str(i) for i in entry.get("items") or ()),
    )


@cache
def load_claims(directory: Path = CLAIMS_DIR) -> tuple[Claim, ...]:
    """Every claim of every `*.yaml` file in `directory`; ids are unique across the files."""
    claims: list[Claim] = []
    for path in sorted(directory.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        document = document_file(str(data["document"]))
        claims += [_claim(entry, document, path) for entry in data.get("claims") or []]
    seen: set[str] = set()
    for claim in claims:
        if claim.id in seen:
            raise QuoteError(claim.document, claim.line, None, f"claim id {claim.id!r} twice")
        seen.add(claim.id)
    return tuple(claims)


def _writes_a_number(text: str) -> bool:
    return bool(re.search(r"\d", text)) or any(
        re.search(rf"\b{word}\b", text, re.I) for word in NUMBER_WORDS
    )


def _check_written(lines: Sequence[Line], claim: Claim) -> None:
    """The stated value must be in the quote; a stated count must be the value (and the upper
    bound of `between`) unless the value counts `items`; listed items must be on the line."""
    if squash(claim.stated).casefold() not in squash(claim.quote).casefold():
        raise QuoteError(claim.document, claim.line, claim.table,
                         f"{claim.id}: {claim.stated!r} is not in its quote")
    counted = "count" in claim.rule or "sum" in claim.rule or "listed" in claim.rule
    if counted and not claim.items and _writes_a_number(claim.stated):
        stated = {"line": claim.line, "quote": claim.stated}
        for bound in (claim.value, claim.upper):
            if bound is not None:
                check_count(claim.document, stated, int(bound))
    if "listed" in claim.rule:
        text = squash(line_text(lines, claim.document, claim.line))
        for item in claim.rule["listed"]:
            if squash(str(item)) not in text:
                raise QuoteError(claim.document, claim.line, claim.table,
                                 f"{claim.id}: listed item {item!r} not on the line")


def evaluate_claims(
    records: Sequence[Record],
    lines: Mapping[str, Sequence[Line]],
    directory: Path = CLAIMS_DIR,
) -> list[Outcome]:
    """Every claim about a document in `lines`, checked on its line and evaluated."""
    tables = Tables(records)
    outcomes: list[Outcome] = []
    for claim in load_claims(directory):
        if claim.document not in lines:
            continue
        fact = {"id": claim.id, "line": claim.line, "quote": claim.quote, "table": claim.table}
        source = verify(lines[claim.document], claim.document, fact)
        _check_written(lines[claim.document], claim)
        try:
            tally = evaluate(tables, claim.rule, claim.line)
        except RuleError as exc:
            raise QuoteError(claim.document, claim.line, claim.table, f"{claim.id}: {exc}") from exc
        outcomes.append(Outcome(claim, tally, source))
    return outcomes


def _differences(outcome: Outcome) -> str:
    parts = []
    if outcome.missing:
        parts.append(f"named in the text only: {', '.join(outcome.missing)}")
    if outcome.extra:
        parts.append(f"in the tables only: {', '.join(outcome.extra)}")
    return f" ({'; '.join(parts)})" if parts else ""


def discrepancy(outcome: Outcome) -> Record:
    """The `discrepancy` record of a claim the tables do not bear out."""
    claim = outcome.claim
    values = {
        "discrepancy_id": claim.id,
        "claim": squash(claim.quote.replace("**", "")),
        "claimed_value": claim.stated,
        "table_value": outcome.tally.text + _differences(outcome),
        "concerns": claim.concerns or outcome.tally.concerns,
    }
    return Record("discrepancy", values, outcome.source)


def find_discrepancies(
    records: Sequence[Record],
    lines: Mapping[str, Sequence[Line]],
    directory: Path = CLAIMS_DIR,
) -> list[Record]:
    """A `discrepancy` record for every claim the tables contradict."""
    return [discrepancy(o) for o in evaluate_claims(records, lines, directory) if not o.agrees]
