"""The declarative description of the API's collections, read from `api/collections/*.yaml`.

Each file names a collection's classes, the IRI bases its item keys hang off, the frame of its
items, the CONSTRUCT that gathers an item, its sort keys and its filters (each a SPARQL
fragment with `?item` for the member and `$value` for the validated value). This module only
reads and checks the files; `clusterkg.api.listing` and `clusterkg.api.items` run them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from pathlib import Path

import yaml

from clusterkg.api.ldcontext import terms
from clusterkg.paths import API_DIR

COLLECTIONS_DIR: Path = API_DIR / "collections"
FRAMES_DIR: Path = API_DIR / "frames"
_NAME = re.compile(r"^[a-z][A-Za-z-]*$")
_PARAM = re.compile(r"^[a-z][A-Za-z]*$")
_ITEM_PROPERTY = re.compile(r"\?item\s+([a-z]+:[A-Za-z]+)\b")


class SpecError(ValueError):
    """A collection file that does not say what the engine needs (names file and key)."""


class FilterKind(StrEnum):
    """How a filter's value is read and validated."""

    TERM = "term"  # a code from the values query (notation, ISO code, NUTS code) -> IRI(s)
    ENUM = "enum"  # one of fixed options, each with its own pattern
    INTEGER = "integer"
    DECIMAL = "decimal"
    TEXT = "text"


@dataclass(frozen=True)
class FilterSpec:
    """One query parameter of a collection."""

    name: str
    kind: FilterKind
    description: str
    pattern: str = ""
    values: str = ""
    options: dict[str, str] = field(default_factory=dict)
    minimum: float | None = None
    maximum: float | None = None
    property: str = ""  # the property the filter constrains (hydra:search mapping), if one


@dataclass(frozen=True)
class CollectionSpec:
    """One collection: what its members are and how to filter, sort and describe them."""

    name: str
    title: str
    description: str
    classes: tuple[str, ...]
    bases: tuple[str, ...]
    frame: str
    example_key: str
    summary: tuple[str, ...]
    default_sort: str
    sort: dict[str, str]
    filters: dict[str, FilterSpec]
    construct: str
    source: Path


def prefixes() -> dict[str, str]:
    """The prefixes of the published context: the one set the SPARQL fragments may use."""
    return {
        name: value
        for name, value in terms().items()
        if isinstance(value, str) and not name.startswith("@") and value.endswith(("#", "/"))
    }


def sparql_prologue() -> str:
    """PREFIX lines for every prefix of the context."""
    return "".join(f"PREFIX {name}: <{iri}>\n" for name, iri in sorted(prefixes().items()))


def expand(curie: str) -> str:
    """`ckg:Cluster` -> its IRI, by the context's prefixes."""
    prefix, sep, local = curie.partition(":")
    base = prefixes().get(prefix)
    if not sep or base is None:
        raise SpecError(f"{curie!r}: expected prefix:name with a prefix of the context")
    return base + local


def _required(data: dict[str, object], key: str, where: str) -> object:
    if key not in data:
        raise SpecError(f"{where}: missing key {key!r}")
    return data[key]


def _text(data: dict[str, object], key: str, where: str, default: str | None = None) -> str:
    value = data.get(key, default) if default is not None else _required(data, key, where)
    if not isinstance(value, str) or not value.strip():
        raise SpecError(f"{where}: {key!r} must be a non-empty string")
    return value


def _strings(data: dict[str, object], key: str, where: str) -> tuple[str, ...]:
    value = _required(data, key, where)
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise SpecError(f"{where}: {key!r} must be a non-empty list of strings")
    return tuple(value)


def _filter(name: str, data: object, where: str) -> FilterSpec:
    here = f"{where}: filters.{name}"
    if not _PARAM.match(name):
        raise SpecError(f"{here}: a parameter name is lowerCamelCase letters")
    if not isinstance(data, dict):
        raise SpecError(f"{here}: expected a mapping")
    try:
        kind = FilterKind(_text(data, "kind", here))
    except ValueError as exc:
        raise SpecError(f"{here}: kind must be one of {[k.value for k in FilterKind]}") from exc
    options = data.get("options", {})
    if not isinstance(options, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in options.items()
    ):
        raise SpecError(f"{here}: options must map option names to SPARQL patterns")
    spec = FilterSpec(
        name=name,
        kind=kind,
        description=_text(data, "description", here),
        pattern=str(data.get("pattern", "")),
        values=str(data.get("values", "")),
        options=dict(options),
        minimum=_number(data.get("minimum"), here),
        maximum=_number(data.get("maximum"), here),
        property=_constrained_property(str(data.get("pattern", ""))),
    )
    if kind is FilterKind.ENUM and not spec.options:
        raise SpecError(f"{here}: an enum filter lists its options")
    if kind is not FilterKind.ENUM and "$value" not in spec.pattern:
        raise SpecError(f"{here}: the pattern must use $value")
    if kind is FilterKind.TERM and "?term" not in spec.values:
        raise SpecError(f"{here}: a term filter has a values query selecting ?value ?term")
    return spec


def _constrained_property(pattern: str) -> str:
    found = _ITEM_PROPERTY.search(pattern)
    return found.group(1) if found else ""


def _number(value: object, where: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise SpecError(f"{where}: minimum/maximum must be numbers")
    return float(value)


def load_spec(path: Path) -> CollectionSpec:
    """Read and check one collection file."""
    where = path.name
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise SpecError(f"{where}: expected a mapping at the top level")
    name = path.stem
    if not _NAME.match(name):
        raise SpecError(f"{where}: a collection name is lower-case letters and hyphens")
    sort = data.get("sort", {})
    if not isinstance(sort, dict) or not sort or not all(
        isinstance(k, str) and isinstance(v, str) and "?key" in v for k, v in sort.items()
    ):
        raise SpecError(f"{where}: sort maps field names to patterns binding ?key")
    filters_data = data.get("filters", {})
    if not isinstance(filters_data, dict):
        raise SpecError(f"{where}: filters must be a mapping")
    item = _required(data, "item", where)
    if not isinstance(item, dict):
        raise SpecError(f"{where}: item must be a mapping with a construct query")
    spec = CollectionSpec(
        name=name,
        title=_text(data, "title", where),
        description=_text(data, "description", where),
        classes=tuple(expand(c) for c in _strings(data, "classes", where)),
        bases=_strings(data, "bases", where),
        frame=_text(data, "frame", where),
        example_key=_text(data, "example_key", where),
        summary=tuple(expand(p) for p in _strings(data, "summary", where)),
        default_sort=_text(data, "default_sort", where),
        sort=dict(sort),
        filters={k: _filter(k, v, where) for k, v in filters_data.items()},
        construct=_text(item, "construct", f"{where}: item"),
        source=path,
    )
    if spec.default_sort not in spec.sort:
        raise SpecError(f"{where}: default_sort {spec.default_sort!r} is not a sort key")
    if not (FRAMES_DIR / spec.frame).is_file():
        raise SpecError(f"{where}: frame {spec.frame!r} not found in {FRAMES_DIR}")
    return spec


@cache
def collections() -> dict[str, CollectionSpec]:
    """Every collection of the API, by name (file stem), in name order."""
    return {p.stem: load_spec(p) for p in sorted(COLLECTIONS_DIR.glob("*.yaml"))}
