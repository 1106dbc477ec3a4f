from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest
import rdflib
from rdflib.namespace import SKOS

from clusterkg.api.describe import select
from clusterkg.loaders.documents import document_file
from clusterkg.loaders.records import ExtractionError
from clusterkg.loaders.report import table5
from clusterkg.loaders.report.cells import clean_cell
from clusterkg.loaders.report.document import Row, read_lines
from clusterkg.loaders.report.regions import (
    REGIONS_FILE,
    country_of_region,
    load_regions,
    locate_regional_table,
    region_named,
    regional_rows,
    regions,
)
from clusterkg.paths import VOCABULARIES_DIR

FIXTURES = Path(__file__).parents[2] / "fixtures" / "loaders" / "regional"
DOCUMENT = REPORT = document_file("report")
REGIONAL_CAPTIONS = ("Table 5 - ", "Table 6 - ", "Table 7 - ", "Table 9 - ", "Table 10 - ")


def test_49_regions_of_16_countries_in_the_crosswalk():
    assert len(regions()) == 49
    assert len({r.country for r in regions()}) == 16


def test_every_region_has_one_country_and_one_nuts_code():
    with REGIONS_FILE.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert all(r["nuts_code"] and r["country"] and r["nuts_version"] == "2016" for r in rows)
    assert Counter(r["nuts_code"] for r in rows).most_common(1)[0][1] == 1
    assert {r["nuts_level"] for r in rows} == {"1", "2", "3"}


def test_no_region_sits_in_a_wrong_country():
    """The NUTS code starts with the two-letter code of the region's country (Eurostat writes
    UK for the United Kingdom)."""
    graph = rdflib.Graph().parse(VOCABULARIES_DIR / "countries.ttl")
    two_letters: dict[str, str] = {}
    for concept in graph.subjects(SKOS.inScheme, None):
        notations = [str(n) for n in graph.objects(concept, SKOS.notation)]
        alpha3 = next(n for n in notations if len(n) == 3)
        two_letters[alpha3] = next(n for n in notations if len(n) == 2)
    two_letters["GBR"] = "UK"
    for region in regions():
        assert region.nuts_code.startswith(two_letters[region.country]), region


def test_every_nuts_code_has_a_local_label():
    text = (VOCABULARIES_DIR / "nuts.ttl").read_text(encoding="utf-8")
    for region in regions():
        assert f'skos:notation "{region.nuts_code}"' in text


def test_a_spelling_names_one_region(tmp_path):
    path = tmp_path / "regions.csv"
    path.write_text(
        "nuts_code,nuts_label,country,nuts_level,nuts_version,spellings,label_language,"
        "nuts_label_language\n"
        "AT11,Burgenland,AUT,2,2016,Burgenland,de,de\n"
        "AT12,Niederösterreich,AUT,2,2016,Burgenland,de,de\n",
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match="names two regions"):
        load_regions.__wrapped__(path)


def test_every_region_row_of_the_regional_tables_is_a_region_of_the_crosswalk(lines):
    for caption in REGIONAL_CAPTIONS:
        table = locate_regional_table(lines, DOCUMENT, caption)
        for row in table.rows:
            label = clean_cell(row.cells[1]).plain
            if label:
                assert region_named(label) is not None, (caption, row.start, label)


def test_every_region_of_the_tables_is_a_table5_record(lines, records):
    recorded = {r.values["nuts_code"] for r in records if r.kind == "region"}
    for caption in REGIONAL_CAPTIONS:
        table = locate_regional_table(lines, DOCUMENT, caption)
        assert {region.nuts_code for _, region in regional_rows(table)} <= recorded, caption


def test_page_break_row_with_a_region_is_a_new_region_not_a_continuation():
    lines = read_lines(FIXTURES / "page-break-regions.txt")
    table = locate_regional_table(lines, "page-break-regions.txt", "Table 98 - ")
    names = [clean_cell(r.cells[1]).plain for r in table.rows]
    assert names == ["Lappi", "Satakunta", "Varsinais-Suomi", "Pohjois-Pohjanmaa"]
    satakunta = table.rows[1]
    assert (satakunta.start, satakunta.end) == (7, 10)
    assert clean_cell(satakunta.cells[2]).italics == ("of Satakunta",)
    assert clean_cell(satakunta.cells[3]).plain == "2016- 2019"
    assert table.rows[3].after_page_break


def test_country_comes_from_the_region_not_from_the_row_above():
    region = region_named("Lombardia")
    assert region is not None
    row = Row(DOCUMENT, "Table 9", 2493, 2493, ("", "Lombardia", "", "", "", ""))
    assert country_of_region(row, region) == "ITA"


def test_country_label_that_contradicts_the_region_is_an_error():
    region = region_named("Lombardia")
    assert region is not None
    row = Row(DOCUMENT, "Table 9", 2493, 2493, ("Germany", "Lombardia", "", "", "", ""))
    with pytest.raises(ExtractionError) as info:
        country_of_region(row, region)
    assert info.value.line == 2493


def test_the_netherlands_label_is_read_as_netherlands():
    region = region_named("Limburg")
    assert region is not None
    row = Row(DOCUMENT, "Table 7", 1188, 1188, ("The Netherlands", "Limburg"))
    assert country_of_region(row, region) == "NLD"


def test_unknown_region_is_an_extraction_error(lines):
    broken = [
        line
        if line.start != 874
        else type(line)(874, 874, line.text.replace("Podlaskie", "Podlasie"))
        for line in lines
    ]
    with pytest.raises(ExtractionError) as info:
        table5.extract(broken, REPORT)
    assert (info.value.line, info.value.column) == (874, "Region")


def test_a_region_without_a_language_tag_is_refused(tmp_path):
    path = tmp_path / "regions.csv"
    path.write_text(
        "nuts_code,nuts_label,country,nuts_level,nuts_version,spellings,label_language,"
        "nuts_label_language\nAT11,Burgenland,AUT,2,2016,Burgenland,de,German\n",
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match="AT11, column nuts_label_language: 'German'"):
        load_regions.__wrapped__(path)


def test_region_labels_carry_the_language_of_their_name(built_store):
    rows = select(
        built_store, "SELECT ?p ?l WHERE { <https://w3id.org/clusterkg/id/region/BE2> ?p ?l "
        "FILTER(isLiteral(?l) && LANG(?l) != '') }"
    )
    labels = {(r["p"].value.rsplit("#", 1)[1], r["l"].value, r["l"].language) for r in rows}
    assert ("prefLabel", "Flanders", "en") in labels
    assert ("altLabel", "Vlaams Gewest", "nl") in labels
