"""Cleaning the HTML fragments the conversion left in table cells.

A cell may hold `<b>`, `<p>` and `<ul><li>` lists, `<a href>` links, footnote markers
(`<sup>16</sup>`), ordinal suffixes (`3 <sup>rd</sup>`), entities (`&amp;`) and italic runs
(`<i>…</i>`), which in this report mark free-text additions of a respondent. `clean_cell` keeps
every part: links, footnotes and italics separately, the rest as text.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

LINK = re.compile(r"<a\s+href=\"([^\"]*)\"[^>]*>(.*?)</a>", re.S)
FOOTNOTE = re.compile(r"\s*<sup>\s*(\d+)\s*</sup>")
ORDINAL = re.compile(r"\s*<sup>\s*([a-z]+)\s*</sup>")
ITALIC = re.compile(r"<i>(.*?)</i>", re.S)
BLOCK = re.compile(r"</?(?:p|li|ul|ol|br)\b[^>]*>", re.I)
TAG = re.compile(r"<[^>]+>")
BULLET = re.compile(r"(?m)^\s*[•·]\s*")
BOUNDARY = "\n"


@dataclass(frozen=True)
class Cell:
    """A cleaned cell.

    `plain` is all its text (italics inline); `blocks` the same split at paragraph and list
    boundaries; `main` the text outside italic runs (boundaries as newlines); `italics` the
    italic runs, which the report uses for respondents' additional answers."""

    raw: str
    plain: str
    blocks: tuple[str, ...]
    main: str
    italics: tuple[str, ...]
    urls: tuple[str, ...]
    footnotes: tuple[str, ...]

    def __bool__(self) -> bool:
        return bool(self.plain or self.urls)


def squash(text: str) -> str:
    """Collapse runs of white space to one space."""
    return re.sub(r"\s+", " ", text).strip()


EMPTY_PARENS = re.compile(r"\(\s*\)")
SPACE_BEFORE_PUNCTUATION = re.compile(r"\s+([:;,.](?:\s|$))")


def _text(fragment: str) -> str:
    text = squash(EMPTY_PARENS.sub(" ", html.unescape(TAG.sub(" ", fragment))))
    text = re.sub(r"\(\s+", "(", re.sub(r"\s+\)", ")", text))
    return SPACE_BEFORE_PUNCTUATION.sub(r"\1", text)


def clean_cell(raw: str) -> Cell:
    urls = tuple(html.unescape(m.group(1)) for m in LINK.finditer(raw))
    text = LINK.sub(" ", raw)
    footnotes = tuple(FOOTNOTE.findall(text))
    text = FOOTNOTE.sub(" ", text)
    text = ORDINAL.sub(r"\1", text)
    text = BLOCK.sub(BOUNDARY, text)
    text = BULLET.sub("", text)
    italics = tuple(t for t in (_text(m) for m in ITALIC.findall(text)) if t)
    blocks = tuple(b for b in (_text(p) for p in text.split(BOUNDARY)) if b)
    main_parts = []
    for part in ITALIC.sub(BOUNDARY, text).split(BOUNDARY):
        cleaned = _text(part)
        if cleaned:
            main_parts.append(cleaned)
    plain = squash(" ".join(blocks))
    return Cell(raw, plain, blocks, BOUNDARY.join(main_parts), italics, urls, footnotes)


def strip_links(raw: str) -> str:
    """The cell without its links, still as HTML (for splitting it into parts first)."""
    return LINK.sub(" ", raw)
