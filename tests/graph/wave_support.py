"""Survey waves that restate the report: the files the release and wave tests load."""

from __future__ import annotations

import csv
import io
from pathlib import Path


def csv_set(folder: Path) -> list[tuple[str, bytes]]:
    """A filled survey folder as the (name, bytes) pairs a wave load takes."""
    return [(p.name, p.read_bytes()) for p in sorted(folder.glob("*.csv"))]


def with_budget(files: list[tuple[str, bytes]], amount: str) -> list[tuple[str, bytes]]:
    """The files with the Czech programme's annual budget restated as `amount`."""
    out = []
    for name, data in files:
        if name == "programme_budget.csv":
            rows = list(csv.reader(io.StringIO(data.decode("utf-8"))))
            header = rows[0]
            for row in rows[1:]:
                if row[header.index("programme_id")] == "CZE-cooperation-clusters":
                    row[header.index("amount")] = amount
                    row[header.index("raw")] = f"{int(amount):,}"
            buffer = io.StringIO()
            csv.writer(buffer).writerows(rows)
            data = buffer.getvalue().encode("utf-8")
        out.append((name, data))
    return out
