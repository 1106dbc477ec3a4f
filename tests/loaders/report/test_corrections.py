from __future__ import annotations

from pathlib import Path

import pytest

from clusterkg.loaders.report.corrections import (
    Correction,
    CorrectionError,
    apply_corrections,
    load_corrections,
)
from clusterkg.loaders.report.document import Line
from clusterkg.paths import CORRECTIONS_FILE, SOURCES_DIR

LINES = [Line(1, 1, "a\tb\tc"), Line(2, 2, "header"), Line(3, 3, "\tx\ty")]


def fix(action: str, line: int = 1, expect: str = "a\tb\tc", **args) -> Correction:
    return Correction("t", "doc.txt", line, expect, action, "test", args)


def test_set_cell():
    assert apply_corrections(LINES, "doc.txt", [fix("set_cell", cell=1, value="B")])[0].text == (
        "a\tB\tc"
    )


def test_replace_and_drop():
    out = apply_corrections(LINES, "doc.txt", [fix("replace", old="b", new="z")])
    assert out[0].text == "a\tz\tc"
    assert len(apply_corrections(LINES, "doc.txt", [fix("drop")])) == 2


def test_join_into_keeps_the_line_range():
    out = apply_corrections(LINES, "doc.txt", [fix("join_into", line=3, expect="\tx\ty", into=1)])
    assert out[0] == Line(1, 3, "a\tb x\tc y")
    assert [line.start for line in out] == [1, 2]


def test_guard_fails_loudly_when_the_source_line_differs():
    with pytest.raises(CorrectionError) as info:
        apply_corrections(LINES, "doc.txt", [fix("drop", expect="something else")])
    assert info.value.line == 1


def test_corrections_of_other_documents_are_ignored():
    other = Correction("t", "other.txt", 1, "zzz", "drop", "test", {})
    assert apply_corrections(LINES, "doc.txt", [other]) == LINES


def test_every_correction_fits_its_bundled_source():
    corrections = load_corrections(CORRECTIONS_FILE)
    assert corrections
    for c in corrections:
        lines = (SOURCES_DIR / c.document).read_text(encoding="utf-8").split("\n")
        assert lines[c.line - 1] == c.expect, c.id
        assert c.reason.strip(), c.id


def test_ids_are_unique(tmp_path: Path):
    text = CORRECTIONS_FILE.read_text(encoding="utf-8")
    first = text.split("  - id:")[1]
    duplicate = tmp_path / "c.yaml"
    duplicate.write_text(text + "  - id:" + first, encoding="utf-8")
    with pytest.raises(CorrectionError, match="duplicate"):
        load_corrections(duplicate)
