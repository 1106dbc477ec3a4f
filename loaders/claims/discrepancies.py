"""Comparing the figures the report's text claims with what its tables give.

The claims are data (`claims` in `data/crosswalk-prose.yaml`), each with a named check; a claim
the tables do not bear out becomes a `discrepancy` record. Where the text and a table disagree,
the graph keeps the table's values and records the difference.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from clusterkg import iris
from clusterkg.loaders.claims.prose import check_quote, load_prose
from clusterkg.loaders.records import ExtractionError, Record
from clusterkg.loaders.report.document import Line

Found = tuple[Decimal | None, str, str]


def _money(value: Decimal) -> str:
    return f"€{value:,.0f}"


def _budget(records: Sequence[Record], pid: str) -> tuple[Decimal | None, str]:
    """A programme's annual budget from Table 8: the stated amount, else the parts' sum."""
    for r in records:
        if r.kind == "programme_budget" and r.values["programme_id"] == pid and r.get("amount"):
            return Decimal(str(r.values["amount"])), _money(Decimal(str(r.values["amount"])))
    parts = [
        Decimal(str(r.values["amount"]))
        for r in records
        if r.kind == "budget_component" and r.values["programme_id"] == pid
    ]
    if not parts:
        return None, "no budget in the table"
    total = sum(parts, Decimal(0))
    return total, " + ".join(_money(p) for p in parts) + f" = {_money(total)}"


def _programme_budget(records: Sequence[Record], claim: Mapping[str, Any]) -> Found:
    value, text = _budget(records, claim["programme"])
    return value, text, f"id:programme/{claim['programme']}"


def _country_budget(records: Sequence[Record], claim: Mapping[str, Any]) -> Found:
    programmes = sorted(
        {
            str(r.values["programme_id"])
            for r in records
            if r.kind == "programme_budget"
            and str(r.values["programme_id"]).startswith(f"{claim['country']}-")
        }
    )
    found = [(pid, *_budget(records, pid)) for pid in programmes]
    total = sum((v for _, v, _ in found if v is not None), Decimal(0))
    text = " + ".join(f"{_money(v)} ({pid})" for pid, v, _ in found if v is not None)
    return total, f"{text} = {_money(total)}", f"country:{claim['country']}"


def _count(
    records: Sequence[Record], kind: str, column: str, keep: Callable[[Record], bool]
) -> tuple[Decimal, list[Record]]:
    chosen = [r for r in records if r.kind == kind and keep(r)]
    return Decimal(len({r.values[column] for r in chosen})), chosen


def _programme_count(records: Sequence[Record], claim: Mapping[str, Any]) -> Found:
    table = claim["table"]
    chosen = [r for r in records if r.source.table == table and r.get("programme_id")]
    n = Decimal(len({r.values["programme_id"] for r in chosen}))
    first = min(r.source.line_start for r in chosen)
    last = max(r.source.line_end for r in chosen)
    excerpt = iris.excerpt_iri(chosen[0].source.document, table, first, last)
    return n, f"{n} programmes in the rows of {table}", excerpt


def _rating_country_count(records: Sequence[Record], claim: Mapping[str, Any]) -> Found:
    n, chosen = _count(records, "measure_rating", "country", lambda r: True)
    first = min(r.source.line_start for r in chosen)
    last = max(r.source.line_end for r in chosen)
    excerpt = iris.excerpt_iri(chosen[0].source.document, "Table 4", first, last)
    return n, f"{n} countries in the rows of Table 4", excerpt


def _concept_count(kind: str, column: str, scheme: str) -> Callable[..., Found]:
    def check(records: Sequence[Record], claim: Mapping[str, Any]) -> Found:
        notation = claim["notation"]
        n, _ = _count(records, kind, "programme_id", lambda r: r.values[column] == notation)
        return n, f"{n} programmes in the table", f"vocab:{scheme}/{notation}"

    return check


CHECKS: dict[str, Callable[[Sequence[Record], Mapping[str, Any]], Found]] = {
    "programme_budget": _programme_budget,
    "country_budget": _country_budget,
    "programme_count": _programme_count,
    "rating_country_count": _rating_country_count,
    "objective_count": _concept_count("programme_objective", "objective", "objectives-national"),
    "target_group_count": _concept_count("programme_target_group", "target_group", "target-groups"),
}


def find_discrepancies(
    records: Sequence[Record], lines: Mapping[str, Sequence[Line]]
) -> list[Record]:
    """A `discrepancy` record for every claim of the prose file the tables contradict."""
    found: list[Record] = []
    for claim in load_prose()["claims"]:
        document = claim["document"]
        if document not in lines:
            continue
        source = check_quote(claim, lines[document], document)
        check = CHECKS.get(claim["check"])
        if check is None:
            raise ExtractionError(document, source.line_start, None, f"no check {claim['check']}")
        value, text, concerns = check(records, claim)
        if value is not None and value == Decimal(str(claim["claimed_number"])):
            continue
        values = {
            "discrepancy_id": claim["id"],
            "claim": claim["quote"],
            "claimed_value": str(claim["claimed_value"]),
            "table_value": text,
            "concerns": concerns,
        }
        found.append(Record("discrepancy", values, source))
    return found
