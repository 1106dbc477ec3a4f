"""The S3-4AlpClusters TA Cluster Toolbox (document 004)."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.namespace import SKOS

from clusterkg import iris
from clusterkg.loaders.claims.quotes import QuoteError
from clusterkg.loaders.claims.register import find_discrepancies
from clusterkg.loaders.documents import document_file
from clusterkg.loaders.mapper import map_records
from clusterkg.loaders.records import ExtractionError, Record
from clusterkg.loaders.registry import EXTRACTORS
from clusterkg.loaders.report import toolbox
from clusterkg.loaders.report.document import Line, read_lines
from clusterkg.paths import SOURCES_DIR, VOCABULARIES_DIR

TOOLBOX = document_file("toolbox")

FIXTURES = Path(__file__).parents[2] / "fixtures" / "loaders" / "toolbox"


@pytest.fixture(scope="module")
def source() -> list[Line]:
    return read_lines(SOURCES_DIR / TOOLBOX)


@pytest.fixture(scope="module")
def found(source: list[Line]) -> list[Record]:
    return toolbox.extract_toolbox(source, TOOLBOX)


def _kind(records: list[Record], kind: str) -> list[Record]:
    return [r for r in records if r.kind == kind]


def test_counts(found):
    assert len(_kind(found, "toolbox_action_line")) == 5
    assert len(_kind(found, "toolbox_service_field")) == 5
    services = _kind(found, "toolbox_service")
    kinds = Counter(r.get("kind") for r in services)
    assert kinds == {"best-practice": 23, "new-service": 14}


def test_every_service_in_exactly_one_field_and_identified_by_field_kind_number(found):
    services = _kind(found, "toolbox_service")
    fields = {r.get("notation") for r in _kind(found, "toolbox_service_field")}
    assert all(r.get("field") in fields for r in services)
    keys = [(r.get("field"), r.get("kind"), r.get("case_number")) for r in services]
    assert len(set(keys)) == 37
    quads = list(map_records(services))
    field_of = Counter(q.subject for q in quads if q.predicate.value.endswith("serviceField"))
    assert len(field_of) == 37 and set(field_of.values()) == {1}


def test_case_numbers_restart_per_table(found):
    firsts = [r for r in _kind(found, "toolbox_service") if r.get("case_number") == "1"]
    assert len(firsts) == 10
    (academy,) = [
        r
        for r in _kind(found, "toolbox_service")
        if r.get("title") == "Academy: seminars and training units"
    ]
    assert (academy.get("field"), academy.get("kind"), academy.get("case_number")) == (
        "education",
        "best-practice",
        "5",
    )
    assert academy.source.table == "Education Subset - Best Practices"
    assert academy.source.line_start == academy.source.line_end == 207


def test_field_table_counts_match_the_service_tables(found):
    services = _kind(found, "toolbox_service")
    for field in _kind(found, "toolbox_service_field"):
        mine = [r for r in services if r.get("field") == field.get("notation")]
        assert str(sum(r.get("kind") == "best-practice" for r in mine)) == field.get(
            "best_practices"
        )
        assert str(sum(r.get("kind") == "new-service" for r in mine)) == field.get("new_services")


def test_forty_services_is_the_one_discrepancy(found):
    (discrepancy,) = find_discrepancies(found, {TOOLBOX: read_lines(SOURCES_DIR / TOOLBOX)})
    assert discrepancy.get("claimed_value") == "40"
    assert discrepancy.get("table_value") == "23 best practices + 14 new services = 37"
    assert discrepancy.get("concerns") == "id:toolbox/ta-cluster-toolbox"
    assert discrepancy.source.line_start == 142 and discrepancy.source.table is None


def test_a_dropped_row_is_reported_not_trusted():
    lines = read_lines(FIXTURES / "004-row-dropped.txt")
    records = toolbox.extract_toolbox(lines, TOOLBOX)
    assert Counter(r.get("kind") for r in _kind(records, "toolbox_service"))["best-practice"] == 22
    ids = {r.get("discrepancy_id") for r in find_discrepancies(records, {TOOLBOX: lines})}
    assert "004-L191-best-practice" in ids  # the field table's 5 Education best practices
    assert "004-L112-best-practice" in ids  # "23 best practices were selected"
    assert "004-L142-service" in ids


def test_a_claim_off_its_line_stops_the_build(source, found):
    shifted = [Line(1, 1, ""), *(Line(x.start + 1, x.end + 1, x.text) for x in source)]
    with pytest.raises(QuoteError):
        find_discrepancies(found, {TOOLBOX: shifted})
    with pytest.raises(QuoteError):
        toolbox.extract_toolbox(shifted, TOOLBOX)  # the concepts' quotes too


def test_an_unknown_field_stops_the_build(source):
    renamed = [
        Line(x.start, x.end, x.text.replace("Growth Subset", "Scale-up Subset")) for x in source
    ]
    renamed = [Line(x.start, x.end, re.sub(r"^Growth\t", "Scale\t", x.text)) for x in renamed]
    with pytest.raises(ExtractionError):
        toolbox.extract_toolbox(renamed, TOOLBOX)


def test_greenbook_mapping(found):
    rows = {r.get("objective"): r for r in _kind(found, "toolbox_target_board")}
    assert len(rows) == 6
    assert rows["commercial-cooperation"].get("service_field") == "collaboration"
    assert rows["policy-action"].get("service_field") is None
    assert str(rows["policy-action"].get("note")).startswith("(no identified cluster service")
    graph = rdflib.Graph().parse(VOCABULARIES_DIR / "service-fields.ttl")
    matches = {
        (str(graph.value(o, SKOS.notation)), str(graph.value(s, SKOS.notation)))
        for s, o in graph.subject_objects(SKOS.closeMatch)
    }
    assert matches == {
        (k, r.get("service_field")) for k, r in rows.items() if r.get("service_field")
    }


def test_vocabularies_follow_the_document(found, source):
    fields = toolbox.scheme_concepts("service-fields", "service-fields")
    for row in _kind(found, "toolbox_service_field"):
        assert fields[str(row.get("label")).casefold()].definition == row.get("description")
    lines = toolbox.scheme_concepts("action-lines", "action-lines")
    assert {c.label for c in lines.values()} == {
        r.get("label") for r in _kind(found, "toolbox_action_line")
    }
    (activity,) = toolbox.scheme_concepts(
        "transformative-activities", "transformative-activities"
    ).values()
    assert activity.definition == source[62].text.replace("**", "")


def test_vocabulary_files_are_complete():
    for name in ("action-lines", "service-fields", "transformative-activities"):
        graph = rdflib.Graph().parse(VOCABULARIES_DIR / f"{name}.ttl")
        schemes = set(graph.subjects(rdflib.RDF.type, SKOS.ConceptScheme))
        for scheme in schemes:
            assert graph.value(scheme, rdflib.URIRef("http://purl.org/dc/terms/source")) == (
                rdflib.URIRef(iris.document_iri(TOOLBOX))
            )
        for concept in graph.subjects(rdflib.RDF.type, SKOS.Concept):
            assert graph.value(concept, SKOS.inScheme) in schemes
            assert graph.value(concept, SKOS.notation) is not None
            label = graph.value(concept, SKOS.prefLabel)
            assert isinstance(label, rdflib.Literal) and label.language == "en"


def test_every_record_has_its_source_lines(found, source):
    for record in found:
        assert record.source.document == TOOLBOX
        assert 1 <= record.source.line_start <= record.source.line_end <= len(source), record


def test_records_map_to_rdf(found):
    quads = list(map_records(found))
    service = iris.ID + "service/networking/new-service/2"
    assert any(
        q.subject == ox.NamedNode(service)
        and q.object == ox.NamedNode(iris.ONTOLOGY + "NewClusterService")
        for q in quads
    )
    assert any(
        q.object
        == ox.NamedNode(iris.excerpt_iri(TOOLBOX, "Networking Subset – New Services", 280, 280))
        for q in quads
    )


def test_toolbox_is_registered():
    assert any(e.document == TOOLBOX and e.extract is toolbox.extract_toolbox for e in EXTRACTORS)


# Issue 15, gap 10: the three challenges, the structure of a service description, the survey
# and workshop figures behind the toolbox (the figures are curated in
# data/initiatives-facts.yaml and tested in test_initiatives.py).


def test_three_challenges(found, source):
    """Lines 18-22: "In the implementation of S3 three challenges have been identified:"."""
    challenges = _kind(found, "toolbox_challenge")
    assert [r.source.line_start for r in challenges] == [20, 21, 22]
    assert [r.values["challenge"] for r in challenges] == [
        "Lack of real Transformative Activities to support innovation and structural"
        " transformation",
        "Lack of cross-regional collaborations to gain critical mass",
        "Need to better integrate and collaborate with clusters in S3",
    ]
    assert "three challenges have been identified" in source[17].text


def test_a_challenge_list_of_another_length_stops_the_build(source):
    lines = [
        Line(x.start, x.end, x.text.replace("three challenges", "four challenges"))
        for x in source
    ]
    with pytest.raises(ExtractionError, match="3 challenges"):
        toolbox.challenges(lines, TOOLBOX)


def test_service_description_structure(found):
    """Lines 147-157: "The description of cluster services has the following structure:", seven
    numbered sections, each with the question it answers."""
    sections = _kind(found, "toolbox_description_section")
    assert [(r.values["number"], r.values["title"]) for r in sections] == [
        ("1", "Beneficiaries"),
        ("2", "Goals and added value"),
        ("3", "Operative Details"),
        ("4", "Lessons Learned"),
        ("5", "How to"),
        ("6", "Coordination with regional S3"),
        ("7", "Coordination with other cluster initiatives"),
    ]
    assert [r.source.line_start for r in sections] == list(range(151, 158))
    assert sections[0].values["content"] == "Who are the beneficiaries?"


def test_a_section_out_of_order_stops_the_build(source):
    lines = [Line(x.start, x.end, x.text.replace("3. Operative", "4. Operative")) for x in source]
    with pytest.raises(ExtractionError, match="expected section 3"):
        toolbox.description_sections(lines, TOOLBOX)


def test_challenges_and_sections_map_to_rdf(found):
    store = ox.Store()
    store.extend(map_records(found))
    ckg = iris.ONTOLOGY
    box = iris.ID + "toolbox/ta-cluster-toolbox"
    result = store.query(
        f"""SELECT (COUNT(DISTINCT ?c) AS ?challenges) (COUNT(DISTINCT ?s) AS ?sections) WHERE {{
            GRAPH ?g {{ <{box}> <{ckg}challenge> ?c }}
            GRAPH ?h {{ <{box}> <{ckg}descriptionSection> ?s . ?s a <{ckg}DescriptionSection> }}
        }}"""
    )
    assert isinstance(result, ox.QuerySolutions)
    (row,) = list(result)
    assert (row["challenges"].value, row["sections"].value) == ("3", "7")
