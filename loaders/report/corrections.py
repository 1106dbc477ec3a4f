"""Applying the reviewed repairs of `data/corrections.yaml` to a document's lines.

Each entry names the document and line it repairs and the exact text it expects there: if the
source line differs (a new conversion, a broken copy), the build stops instead of repairing the
wrong thing. The source copies themselves are never edited.

Actions:
  set_cell   cell: <0-based index>, value: <new cell text>
  replace    old: <text that must occur in the line>, new: <replacement>
  drop       remove the line
  join_into  into: <line number>; the line's cells are appended cell-wise to that line's cells
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from clusterkg.loaders.records import ExtractionError
from clusterkg.loaders.report.document import Line, join_cells, read_lines

ACTIONS = {"set_cell", "replace", "drop", "join_into"}


class CorrectionError(ExtractionError):
    """A correction that does not fit the source: the build must stop."""


@dataclass(frozen=True)
class Correction:
    id: str
    document: str
    line: int
    expect: str
    action: str
    reason: str
    args: dict[str, Any] = field(default_factory=dict)


def load_corrections(path: Path) -> list[Correction]:
    """All entries of a corrections file, checked for shape and unique ids."""
    doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    found: list[Correction] = []
    seen: set[str] = set()
    for entry in doc.get("corrections", []):
        entry = dict(entry)
        try:
            fixed = {k: entry.pop(k) for k in ("id", "document", "line", "expect", "action")}
            reason = entry.pop("reason")
        except KeyError as exc:
            raise CorrectionError(str(path), 0, None, f"correction lacks {exc}") from exc
        if fixed["action"] not in ACTIONS:
            raise CorrectionError(str(path), 0, None, f"{fixed['id']}: unknown action")
        if fixed["id"] in seen:
            raise CorrectionError(str(path), 0, None, f"duplicate correction id {fixed['id']}")
        seen.add(fixed["id"])
        found.append(Correction(reason=reason, args=entry, **fixed))
    return found


def apply_corrections(
    lines: Sequence[Line], document: str, corrections: Sequence[Correction]
) -> list[Line]:
    """The lines with every correction for `document` applied; guards checked first, on the
    original text, so corrections do not depend on each other's order."""
    mine = [c for c in corrections if c.document == document]
    by_number = {line.start: line for line in lines}
    for c in mine:
        original = by_number.get(c.line)
        if original is None or original.text != c.expect:
            got = None if original is None else original.text[:120]
            raise CorrectionError(
                document, c.line, None, f"correction {c.id}: expected text differs, got {got!r}"
            )
    result = dict(by_number)
    for c in sorted(mine, key=lambda c: c.action == "join_into"):
        line = result[c.line]
        if c.action == "set_cell":
            cells = list(line.cells)
            cells[int(c.args["cell"])] = str(c.args["value"])
            result[c.line] = replace(line, text="\t".join(cells))
        elif c.action == "replace":
            old, new = str(c.args["old"]), str(c.args["new"])
            if old not in line.text:
                raise CorrectionError(document, c.line, None, f"{c.id}: {old!r} not in line")
            result[c.line] = replace(line, text=line.text.replace(old, new))
        elif c.action == "drop":
            del result[c.line]
        else:
            target = result[int(c.args["into"])]
            joined = join_cells(target.cells, line.cells)
            result[target.start] = replace(
                target, end=max(target.end, line.end), text="\t".join(joined)
            )
            del result[c.line]
    return [result[n] for n in sorted(result)]


def corrected_lines(sources_dir: Path, document: str, corrections_file: Path) -> list[Line]:
    """A source document's lines with its corrections applied."""
    return apply_corrections(
        read_lines(sources_dir / document), document, load_corrections(corrections_file)
    )
