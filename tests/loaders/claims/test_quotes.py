"""The one quote checker: a curated fact rests on words that must stay on its line."""

from __future__ import annotations

import pytest

from clusterkg.loaders.claims.quotes import QuoteError, check_count, verify
from clusterkg.loaders.report.document import Line

LINES = [Line(1, 1, "first line"), Line(2, 2, "the programme  has 3,200 members")]


def test_a_quote_on_its_line_gives_its_excerpt_spacing_ignored() -> None:
    source = verify(LINES, "doc.txt", {"line": 2, "quote": "programme has 3,200"})
    assert (source.document, source.table, source.line_start) == ("doc.txt", None, 2)
    in_table = verify(LINES, "doc.txt", {"line": 2, "quote": "members", "table": "Table 9"})
    assert in_table.table == "Table 9"


def test_a_quote_off_its_line_names_file_line_table_and_fact() -> None:
    fact = {"id": "t9-claim", "line": 1, "quote": "members", "table": "Table 9"}
    with pytest.raises(QuoteError) as caught:
        verify(LINES, "doc.txt", fact)
    error = caught.value
    assert (error.document, error.line, error.column) == ("doc.txt", 1, "Table 9")
    assert "t9-claim" in str(error)


def test_a_fact_without_line_or_quote_is_refused() -> None:
    with pytest.raises(QuoteError, match="without line and quote"):
        verify(LINES, "doc.txt", {"quote": "members"})


def test_a_count_must_be_written_in_its_quote() -> None:
    check_count("doc.txt", {"line": 2, "quote": "has 3,200 members"}, 3200)
    with pytest.raises(QuoteError):
        check_count("doc.txt", {"line": 2, "quote": "has 3,200 members"}, 3201)
