"""The shape the annex tables share: headers, concept columns, X marks, answer cells."""

from __future__ import annotations

import pytest

from clusterkg.loaders.records import ExtractionError
from clusterkg.loaders.report.document import Row, Table
from clusterkg.loaders.report.table_shape import (
    answer_cell,
    checked_header,
    concept_columns,
    marked,
)
from clusterkg.loaders.report.vocabulary import load_vocabulary

HEADER = ("Country", "SMEs", "Large firms", "Other /comments")


def row(*cells: str) -> Row:
    return Row("002_x.txt", "Table 3", 10, 10, cells)


def table(*rows: Row, header: tuple[str, ...] = HEADER) -> Table:
    return Table("002_x.txt", "Table 3", 5, header, rows)


def test_an_unexpected_header_names_the_first_row() -> None:
    t = table(row("AT", "X", "", ""))
    assert checked_header(t, HEADER) is t
    with pytest.raises(ExtractionError, match="unexpected header") as caught:
        checked_header(t, ("Country", "SMEs"))
    assert caught.value.line == 10


def test_concept_columns_match_headers_and_refuse_unknown_ones() -> None:
    assert concept_columns(table(), 1, 3, "target-groups", "target group") == {
        1: "sme",
        2: "large-firm",
    }
    odd = table(header=("Country", "SMEs", "Pirates", "Other /comments"))
    with pytest.raises(ExtractionError, match="unknown target group") as caught:
        concept_columns(odd, 1, 3, "target-groups", "target group")
    assert (caught.value.line, caught.value.column) == (5, "Pirates")


def test_marked_columns_are_x_only() -> None:
    columns = {1: "sme", 2: "large-firm"}
    assert marked(row("AT", "X", "", ""), table(), columns) == ["sme"]
    with pytest.raises(ExtractionError, match="expected 'X'"):
        marked(row("AT", "x?", "", ""), table(), columns)


def test_an_answer_cell_gives_options_and_italic_additions() -> None:
    types = load_vocabulary("cluster-types")
    header = ("Country", "Type of cluster addressed")
    r = row("AT", "Clusters in emerging industries <i>Clusters of the future</i>")
    records = answer_cell("programme_cluster_type", "cluster_type", types, r, 1, header,
                          ["AT-a", "AT-b"], "cluster-types")
    assert [(x.kind, x.get("programme_id"), x.get("cluster_type") or x.get("text"))
            for x in records] == [
        ("programme_cluster_type", "AT-a", "emerging-industries"),
        ("programme_cluster_type", "AT-b", "emerging-industries"),
        ("additional_answer", "AT-a", "Clusters of the future"),
        ("additional_answer", "AT-b", "Clusters of the future"),
    ]
