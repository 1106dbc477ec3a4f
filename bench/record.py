"""How a benchmark records its run: the results as JSON and the report as Markdown, side by side
in `bench/results/`, each naming the command that produced it, and the machine's load around it."""

from __future__ import annotations

import json
import os
import platform
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any


def machine() -> str:
    """`Linux x86_64, Python 3.11.2`: where the figures were measured."""
    return f"{platform.system()} {platform.machine()}, Python {platform.python_version()}"


@contextmanager
def load_average(into: dict[str, Any]) -> Iterator[None]:
    """Record the one-minute load average before and after the block as `into["load_average"]`
    (other work on the machine shows in the figures; this says how much there was)."""
    before = os.getloadavg()[0]
    yield
    into["load_average"] = [round(before, 2), round(os.getloadavg()[0], 2)]


def write(out: Path, stem: str, results: Mapping[str, Any], text: str,
          command: str | None = None) -> None:
    """Write `out/<stem>.json` (the results, with `command` when given) and `out/<stem>.md`
    (`text`), and print the report."""
    out.mkdir(parents=True, exist_ok=True)
    data = dict(results) if command is None else {**results, "command": command}
    (out / f"{stem}.json").write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    (out / f"{stem}.md").write_text(text, encoding="utf-8")
    print(text)
