"""The counting rules a claim names: how a figure is computed from the tables' records.

A claim in `data/claims/*.yaml` states a number; its `rule` says how the tables give the same
figure. The rules are few and read records only, so every claim is data:

- `count`: the distinct values of a column (`distinct`) over the records of some kinds (`of`),
  optionally only those of a table (`table`) and with given values (`where`); with `all`/`none`,
  only the keys whose records together hold every/no value listed. `distinct: region` also
  reaches a regional programme's region (`regional_programme` records); no `distinct` counts
  the records themselves. `any_of` (a list of `of`/`table`/`where`) counts the keys of
  records of any of them: options and the italic additions answering the same question.
  `per_key: n` keeps only the keys with exactly n such records ("one dedicated programme or
  strategy": the regions that give one answer).
- `sum`: the total of several `count` rules ("23 best practices + 14 new services = 37").
- `budget`: a programme's annual budget (the amount stated, else the sum of its components),
  or the sum of a country's national programme budgets.
- `listed`: a text-internal check, the number of items the text itself lists after the count;
  each item must be on the claim's line.
- `answers`: answers counted in a table where a key (a country) may have sent several answers
  but has one cell per column (`cell`): a split cell ("0/+") is one answer per record, a single
  record stands for each of the key's answers (as many as its largest cell) — Table 4's "22
  answers for 18 countries". Counts the answers of the records `where` selects that hold `value`.

Each rule gives a `Tally`: the figure, how it was obtained (in words), and the resource the
claim concerns.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from clusterkg import iris
from clusterkg.loaders.records import Record

NOUNS = {"programme_id": "programmes", "region": "regions", "country": "countries"}


@dataclass(frozen=True)
class Tally:
    """What the tables give for a claim: the figure (None when they give none), the words that
    say how it was counted, the IRI or prefixed name of the resource concerned, and the labels
    of what a `distinct` count counted."""

    value: Decimal | None
    text: str
    concerns: str | None
    labels: tuple[str, ...] = ()


class RuleError(ValueError):
    """A claim whose rule the engine cannot evaluate (unknown key, nothing counted)."""


def _money(value: Decimal) -> str:
    return f"€{value:,.0f}"


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


class Tables:
    """The records of one build, indexed for the rules."""

    def __init__(self, records: Sequence[Record]) -> None:
        self.records = records
        self.region_of = {
            str(r.values["programme_id"]): str(r.values["region"])
            for r in records
            if r.kind == "regional_programme" and r.get("region")
        }
        self.region_label = {
            str(r.values["nuts_code"]): str(r.values["label"])
            for r in records
            if r.kind == "region" and r.get("label")
        }

    def column(self, record: Record, name: str) -> str | None:
        """A record's value in `name`; `region` falls back to the region of its programme."""
        value = record.get(name)
        if value is None and name == "region" and record.get("programme_id"):
            return self.region_of.get(str(record.values["programme_id"]))
        return value

    def label(self, name: str, key: str) -> str:
        return self.region_label.get(key, key) if name == "region" else key


def _chosen(tables: Tables, spec: Mapping[str, Any]) -> list[Record]:
    kinds = set(_as_list(spec.get("of")))
    wanted_tables = set(_as_list(spec.get("table")))
    if not kinds and not wanted_tables:
        raise RuleError(f"a count names neither record kinds nor a table: {dict(spec)!r}")
    where = {k: set(_as_list(v)) for k, v in (spec.get("where") or {}).items()}
    return [
        r
        for r in tables.records
        if (not kinds or r.kind in kinds)
        and (not wanted_tables or r.source.table in wanted_tables)
        and all(tables.column(r, k) in v for k, v in where.items())
    ]


def _records(tables: Tables, spec: Mapping[str, Any]) -> list[Record]:
    """The records a count reads: of its kinds, table and values, or of any of `any_of`."""
    if "any_of" not in spec:
        return _chosen(tables, spec)
    shared = {k: v for k, v in spec.items() if k in ("of", "table", "where")}
    return [r for alt in spec["any_of"] for r in _chosen(tables, {**shared, **alt})]


def _conditions(spec: Mapping[str, Any], name: str) -> set[str]:
    return {f"{c}={v}" for c, vs in (spec.get(name) or {}).items() for v in _as_list(vs)}


def _keys(tables: Tables, records: Sequence[Record], spec: Mapping[str, Any]) -> list[str]:
    """The distinct values of `distinct` whose records together hold every value of `all`
    and none of `none` (and, with `per_key`, number exactly that many), in label order."""
    distinct = str(spec["distinct"])
    held: dict[str, set[str]] = {}
    tally: dict[str, int] = {}
    for r in records:
        values = {f"{c}={tables.column(r, c)}" for c in r.values}
        key = str(tables.column(r, distinct))
        held.setdefault(key, set()).update(values)
        tally[key] = tally.get(key, 0) + 1
    required, refused = _conditions(spec, "all"), _conditions(spec, "none")
    per_key = spec.get("per_key")
    chosen = (
        k
        for k, h in held.items()
        if required <= h and not refused & h and (per_key is None or tally[k] == int(per_key))
    )
    return sorted(chosen, key=lambda k: tables.label(distinct, k))


def count(tables: Tables, spec: Mapping[str, Any]) -> Tally:
    """The `count` rule (see the module docstring)."""
    records = _records(tables, spec)
    distinct = spec.get("distinct")
    if "per_key" in spec and distinct is None:
        raise RuleError(f"`per_key` counts the records of each `distinct` key: {dict(spec)!r}")
    if distinct is not None:
        records = [r for r in records if tables.column(r, str(distinct)) is not None]
    if not records:
        raise RuleError(f"a count finds no records: {dict(spec)!r}")
    keys = [] if distinct is None else _keys(tables, records, spec)
    n = len(records) if distinct is None else len(keys)
    table = records[0].source.table
    noun = NOUNS.get(str(distinct), "records")
    says = str(spec.get("says") or ("{n} " + noun + (f" in {table}" if table else "")))
    labels = tuple(tables.label(str(distinct), k) for k in keys)
    first = min(r.source.line_start for r in records)
    last = max(r.source.line_end for r in records)
    concerns = iris.excerpt_iri(records[0].source.document, table, first, last)
    text = says.format(n=n, table=table, list=", ".join(labels))
    return Tally(Decimal(n), text, concerns, labels)


def total(tables: Tables, specs: Sequence[Mapping[str, Any]]) -> Tally:
    """The `sum` rule: several counts added up."""
    parts = [count(tables, spec["count"]) for spec in specs]
    value = sum((p.value or Decimal(0) for p in parts), Decimal(0))
    text = " + ".join(p.text for p in parts) + f" = {value}"
    return Tally(value, text, parts[0].concerns)


def _programme_budget(records: Iterable[Record], pid: str) -> tuple[Decimal | None, str]:
    """A programme's annual budget: the stated amount, else the parts' sum."""
    records = list(records)
    for r in records:
        if r.kind == "programme_budget" and r.values["programme_id"] == pid and r.get("amount"):
            amount = Decimal(str(r.values["amount"]))
            return amount, _money(amount)
    parts = [
        Decimal(str(r.values["amount"]))
        for r in records
        if r.kind == "budget_component" and r.values["programme_id"] == pid
    ]
    if not parts:
        return None, "no budget in the table"
    value = sum(parts, Decimal(0))
    return value, " + ".join(_money(p) for p in parts) + f" = {_money(value)}"


def budget(tables: Tables, spec: Mapping[str, Any]) -> Tally:
    """The `budget` rule: of one `programme`, or the national programmes of a `country`."""
    if "programme" in spec:
        pid = str(spec["programme"])
        value, text = _programme_budget(tables.records, pid)
        return Tally(value, text, f"id:programme/{pid}")
    if "country" not in spec:
        raise RuleError(f"a budget names neither programme nor country: {dict(spec)!r}")
    country = str(spec["country"])
    programmes = sorted(
        {
            str(r.values["programme_id"])
            for r in tables.records
            if r.kind == "programme_budget"
            and str(r.values["programme_id"]).startswith(f"{country}-")
        }
    )
    found = [(pid, *_programme_budget(tables.records, pid)) for pid in programmes]
    value = sum((v for _, v, _ in found if v is not None), Decimal(0))
    text = " + ".join(f"{_money(v)} ({pid})" for pid, v, _ in found if v is not None)
    return Tally(value, f"{text} = {_money(value)}", f"country:{country}")


def listed(items: Sequence[str], line: int) -> Tally:
    """The `listed` rule: how many items the text lists (checked on the line by the engine)."""
    text = f"{len(items)} listed on line {line}: {', '.join(items)}"
    return Tally(Decimal(len(items)), text, None)


def answers(tables: Tables, spec: Mapping[str, Any]) -> Tally:
    """The `answers` rule (see the module docstring)."""
    key, cell = str(spec["key"]), str(spec["cell"])
    kind = {"of": spec["of"]}
    sizes: dict[tuple[str, str], int] = {}
    for r in _chosen(tables, kind):
        at = (str(tables.column(r, key)), str(tables.column(r, cell)))
        sizes[at] = sizes.get(at, 0) + 1
    most: dict[str, int] = {}
    for (k, _), size in sizes.items():
        most[k] = max(most.get(k, 0), size)
    chosen = _chosen(tables, {**kind, "where": spec.get("where") or {}})
    if not chosen:
        raise RuleError(f"an answers rule finds no records: {dict(spec)!r}")
    wanted = {c: set(_as_list(v)) for c, v in (spec.get("value") or {}).items()}
    n = 0
    for r in chosen:
        if all(tables.column(r, c) in v for c, v in wanted.items()):
            k = str(tables.column(r, key))
            n += most[k] if sizes[(k, str(tables.column(r, cell)))] == 1 else 1
    keys = len({str(tables.column(r, key)) for r in chosen})
    says = str(spec.get("says") or "{n} answers of {keys} keys")
    first = min(r.source.line_start for r in chosen)
    last = max(r.source.line_end for r in chosen)
    concerns = iris.excerpt_iri(chosen[0].source.document, chosen[0].source.table, first, last)
    return Tally(Decimal(n), says.format(n=n, keys=keys), concerns)


def evaluate(tables: Tables, rule: Mapping[str, Any], line: int) -> Tally:
    """The tally of one claim's rule."""
    if set(rule) - {"count", "sum", "budget", "listed", "answers"} or len(rule) != 1:
        raise RuleError(f"a rule is one of count, sum, budget, listed, answers: {dict(rule)!r}")
    if "answers" in rule:
        return answers(tables, rule["answers"])
    if "count" in rule:
        return count(tables, rule["count"])
    if "sum" in rule:
        return total(tables, rule["sum"])
    if "budget" in rule:
        return budget(tables, rule["budget"])
    return listed(_as_list(rule["listed"]), line)
