from __future__ import annotations

import pyoxigraph as ox
import pytest
import yaml

from clusterkg.iris import expand
from clusterkg.loaders.documents import document_file
from clusterkg.loaders.records import ExtractionError
from clusterkg.loaders.report import abbreviations
from clusterkg.loaders.report.document import Line

REPORT = document_file("report")


def test_listed_abbreviations_name_entities(lines):
    found = {
        r.values["abbreviation"]: r.values["entity"] for r in abbreviations.extract(lines, REPORT)
    }
    assert found["BMBF"] == "id:organisation/DEU-bmbf"
    assert "SME" not in found and "ERDF" not in found


def test_abbreviation_not_on_its_line_is_an_error(lines):
    broken = [line if line.start != 151 else Line(151, 151, "BMWF\tSomething") for line in lines]
    with pytest.raises(ExtractionError) as info:
        abbreviations.extract(broken, REPORT)
    assert info.value.line == 151


def test_every_abbreviated_entity_exists_in_the_graph(built_store):
    for entry in abbreviations.load_abbreviations():
        iri = ox.NamedNode(expand(entry["entity"]))
        query = f"ASK {{ GRAPH ?g {{ {iri} a ?type }} }}"
        assert built_store.query(query), entry


def test_an_abbreviation_is_tagged_with_the_language_of_its_name(lines):
    language = {
        r.values["abbreviation"]: r.values["language"] for r in abbreviations.extract(lines, REPORT)
    }
    # line 151: "BMBF <i>Bundesministerium für Bildung und Forschung</i> , Federal Ministry …"
    assert (language["BMBF"], language["INADEM"], language["MDIC"]) == ("de", "es", "pt")
    assert language["METI"] == language["COSME"] == "en"


@pytest.mark.parametrize(("line", "stated"), [(151, "en"), (190, "ja")])
def test_a_language_the_list_contradicts_is_an_error(tmp_path, lines, line, stated):
    entries = [dict(e, language=stated) if e["line"] == line else e
               for e in abbreviations.load_abbreviations()]
    path = tmp_path / "abbreviations.yaml"
    path.write_text(yaml.safe_dump({"abbreviations": entries}), encoding="utf-8")
    with pytest.raises(ExtractionError, match="is stated as") as info:
        abbreviations.extract(lines, REPORT, path)
    assert info.value.line == line
