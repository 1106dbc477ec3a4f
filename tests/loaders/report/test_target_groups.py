"""The target-group columns of Tables 3 and 6."""

from __future__ import annotations

import pytest

from clusterkg.loaders.records import ExtractionError
from clusterkg.loaders.report.document import Table
from clusterkg.loaders.report.target_groups import COMMENT_HEADER, target_group_columns
from clusterkg.loaders.report.vocabulary import load_vocabulary


def _table(header: tuple[str, ...]) -> Table:
    return Table("doc.txt", "Table 3", 7, header, ())


def test_headers_between_labels_and_comments_name_target_groups() -> None:
    groups = load_vocabulary("target-groups")
    label = next(iter(groups.labels))
    columns = target_group_columns(
        _table(("Country", "Programme", label, COMMENT_HEADER)), 2, "doc.txt"
    )
    assert columns == {2: groups.lookup(label)}


def test_an_unknown_group_names_the_caption_line_and_header() -> None:
    with pytest.raises(ExtractionError) as caught:
        target_group_columns(
            _table(("Country", "Programme", "Aliens", COMMENT_HEADER)), 2, "doc.txt"
        )
    assert (caught.value.line, caught.value.column) == (7, "Aliens")


def test_a_table_without_the_comment_column_is_refused() -> None:
    with pytest.raises(ExtractionError, match="no comment column"):
        target_group_columns(_table(("Country", "Programme", "Notes")), 2, "doc.txt")
