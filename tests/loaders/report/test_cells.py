from __future__ import annotations

from clusterkg.loaders.report.cells import clean_cell


def test_links_are_kept_apart_from_the_text():
    cell = clean_cell(
        'KMU-NetC <a href="https://www.bmbf.de/x.html">https://www.bmbf.de/x.html</a>'
    )
    assert cell.plain == "KMU-NetC"
    assert cell.urls == ("https://www.bmbf.de/x.html",)


def test_footnote_markers_are_dropped_and_ordinals_glued():
    cell = clean_cell("Since 2005 (3 <sup>rd</sup> phase: 2013-2018) <sup>16</sup> 2019-2022")
    assert cell.plain == "Since 2005 (3rd phase: 2013-2018) 2019-2022"
    assert cell.footnotes == ("16",)


def test_entities_and_bold_are_cleaned():
    assert clean_cell("<b>Fostering R&amp;D</b>").plain == "Fostering R&D"


def test_list_items_and_paragraphs_become_blocks():
    cell = clean_cell('<ul style="x"> <li>• One</li> <li>Two</li> </ul>')
    assert cell.blocks == ("One", "Two")
    assert clean_cell("<p>A</p> <p>B</p>").blocks == ("A", "B")


def test_italic_additions_are_separated_from_the_answer_text():
    cell = clean_cell("Any clusters <i>Clusters with at least 25 members</i>")
    assert cell.main == "Any clusters"
    assert cell.italics == ("Clusters with at least 25 members",)
    assert cell.plain == "Any clusters Clusters with at least 25 members"


def test_empty_link_parentheses_disappear():
    cell = clean_cell('operates a programme ( <a href="https://e.ee/">https://e.ee/</a> ):')
    assert cell.plain == "operates a programme:"
