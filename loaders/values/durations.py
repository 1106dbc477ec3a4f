"""Reading the "Duration" cells of the programme tables.

Only what the text says is structured; the raw string is always kept by the caller. The cell
forms seen in the report:

  Since 2008 / Continuous since 2003 / Continuously since 2007   start year, open-ended
  2014-2020                                                      start and end year
  2015-2018 2019-2023                                            phases, one per range
  Since 2005 (3rd phase: 2013-2018) 2019-2022 (4th phase)        start, open-ended, numbered phases
  2010-                                                          start year, open-ended
  1-7 years / 2 years                                            minimum and maximum length
  Annually                                                       nothing to structure

Anything else raises `ValueError`, which the extractor reports with file, line and column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

YEAR = r"(1[89]\d\d|20\d\d)"
RANGE = re.compile(rf"{YEAR}\s*-\s*{YEAR}")
SINCE = re.compile(rf"^(?:Since|Continuous since|Continuously since)\s+{YEAR}\b", re.I)
PHASE_BEFORE = re.compile(rf"\((\d+)(?:st|nd|rd|th)\s+phase:\s*{YEAR}\s*-\s*{YEAR}\s*\)")
PHASE_AFTER = re.compile(rf"{YEAR}\s*-\s*{YEAR}\s*\((\d+)(?:st|nd|rd|th)\s+phase\)")
OPEN_RANGE = re.compile(rf"^{YEAR}\s*-$")
YEARS = re.compile(r"^(\d+)(?:\s*-\s*(\d+))?\s+years?$", re.I)
NOTHING_TO_STRUCTURE = {"annually"}


@dataclass(frozen=True)
class Phase:
    number: int
    start: str
    end: str


@dataclass(frozen=True)
class Duration:
    raw: str
    start: str | None = None
    end: str | None = None
    open_ended: bool | None = None
    min_years: int | None = None
    max_years: int | None = None
    phases: tuple[Phase, ...] = field(default=())
    extension_years: int | None = None  # "2012-2020 plus two years": 2, the end stays 2020


def parse_duration(raw: str) -> Duration:
    text = re.sub(r"\s+", " ", raw).strip()
    if text.casefold() in NOTHING_TO_STRUCTURE:
        return Duration(raw=text)
    years = YEARS.match(text)
    if years:
        low = int(years.group(1))
        high = int(years.group(2) or low)
        return Duration(raw=text, min_years=low, max_years=high)
    open_range = OPEN_RANGE.match(text)
    if open_range:
        return Duration(raw=text, start=open_range.group(1), open_ended=True)
    since = SINCE.match(text)
    rest = text[since.end() :] if since else text
    numbered = [(int(n), a, b) for n, a, b in PHASE_BEFORE.findall(rest)]
    numbered += [(int(n), a, b) for a, b, n in PHASE_AFTER.findall(rest)]
    leftover = PHASE_AFTER.sub(" ", PHASE_BEFORE.sub(" ", rest))
    ranges = RANGE.findall(leftover)
    if RANGE.sub(" ", leftover).strip():
        raise ValueError(f"unrecognised duration {text!r}")
    if numbered and ranges:
        raise ValueError(f"numbered and unnumbered phases mixed in {text!r}")
    if numbered:
        phases = tuple(Phase(n, a, b) for n, a, b in sorted(numbered))
    elif len(ranges) > 1:
        phases = tuple(Phase(i, a, b) for i, (a, b) in enumerate(ranges, start=1))
    else:
        phases = ()
    if since:
        return Duration(raw=text, start=since.group(1), open_ended=True, phases=phases)
    if not ranges and not phases:
        raise ValueError(f"unrecognised duration {text!r}")
    spans = [(p.start, p.end) for p in phases] or ranges
    return Duration(raw=text, start=spans[0][0], end=spans[-1][1], open_ended=False, phases=phases)
