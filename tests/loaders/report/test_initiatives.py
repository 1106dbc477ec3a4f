"""EU initiatives and partnerships of documents 000, 001, 003 and 004."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
import yaml

from clusterkg import iris
from clusterkg.loaders.claims.quotes import QuoteError, verify
from clusterkg.loaders.documents import document_file
from clusterkg.loaders.mapper import map_records
from clusterkg.loaders.records import Record
from clusterkg.loaders.registry import EXTRACTORS
from clusterkg.loaders.report import initiatives, partnership_page
from clusterkg.loaders.report.corrections import (
    apply_corrections,
    corrected_lines,
    load_corrections,
)
from clusterkg.loaders.report.document import Line, read_lines
from clusterkg.paths import CORRECTIONS_FILE, SOURCES_DIR

INITIATIVES = (
    initiatives.extract_inno_industry,
    initiatives.extract_escp_4i,
    initiatives.extract_emerging_industries,
    initiatives.extract_toolbox_project,
)

FIXTURES = Path(__file__).parents[2] / "fixtures" / "loaders" / "initiatives"
SCHEMA = "https://schema.org/"


@pytest.fixture(scope="module")
def found() -> list[Record]:
    """Every record of the module, from the sources as the registry reads them."""
    records: list[Record] = []
    for e in EXTRACTORS:
        if e.extract in INITIATIVES:
            lines = corrected_lines(SOURCES_DIR, e.document, CORRECTIONS_FILE)
            records += e.extract(lines, e.document)
    return records


def _of(records: list[Record], kind: str, resource: str) -> list[Record]:
    return [r for r in records if r.kind == kind and r.get("resource") == resource]


def _figure(records: list[Record], resource: str, figure: str) -> Record:
    (record,) = [
        r for r in _of(records, "initiative_figure", resource) if r.get("figure") == figure
    ]
    return record


def test_inno_industry_partners_and_outputs(found):
    partners = _figure(found, "partnership/inno-industry", "partners")
    assert partners.get("number_of_partners") == "10"
    assert partners.get("raw_statement") == "has brought together 10 European partners"
    outputs = {
        r.get("output"): r for r in _of(found, "initiative_output", "partnership/inno-industry")
    }
    assert set(outputs) == {"swot-analysis", "best-practices", "european-blueprint", "action-plans"}
    assert outputs["best-practices"].get("quantity") == "30"
    assert outputs["best-practices"].get("qualifier") == "at least"
    (funding,) = _of(found, "initiative_funding", "partnership/inno-industry")
    assert funding.get("body") == "COM" and funding.get("programme") is None


def test_innosup_1_budget_projects_calls_and_smes(found):
    (budget,) = _of(found, "initiative_budget", "initiative/innosup-1")
    assert (budget.get("amount"), budget.get("currency"), budget.get("period")) == (
        "130000000",
        "EUR",
        "2015-2020",
    )
    assert budget.get("raw_statement") == "with a budget of €130 million (2015-2020)"
    assert _figure(found, "initiative/innosup-1", "projects").get("number_of_projects") == "18"
    assert _figure(found, "initiative/innosup-1", "calls").get("number_of_calls") == "4"
    reached = _figure(found, "initiative/innosup-1", "smes-reached")
    assert reached.get("number_of_smes_reached") == "3200"
    assert reached.get("qualifier") == "at least"
    assert reached.get("scope") == "13 INNOSUP-1 projects, up to May 2019"
    (funding,) = _of(found, "initiative_funding", "initiative/innosup-1")
    assert funding.get("programme") == "funding-programme/horizon-2020"


def test_a_figure_about_some_projects_is_not_a_property_of_the_initiative(found):
    target = _figure(found, "initiative/innosup-1", "smes-targeted-2019")
    assert target.get("value") == "1500"
    assert all(target.get(c) is None for c in initiatives.FIGURE_COLUMNS.values())


def test_escp_s3_projects_topics_period_and_lists(found):
    assert _figure(found, "initiative/escp-s3", "projects").get("number_of_projects") == "9"
    topics = [r.get("topic") for r in _of(found, "initiative_topic", "initiative/escp-s3")]
    assert len(topics) == len(set(topics)) == 7  # "ICT & digitalisation" is listed twice
    (period,) = _of(found, "initiative_period", "initiative/escp-s3")
    assert (period.get("start_year"), period.get("end_year")) == ("2018", "2020")
    items = _of(found, "initiative_list_item", "initiative/escp-s3")
    assert sum(1 for r in items if r.get("aspect") == "goal") == 4
    assert sum(1 for r in items if r.get("aspect") == "characteristic") == 4
    tools = [
        r.get("support_tool") for r in _of(found, "initiative_list_item", "initiative/innosup-1")
    ]
    assert len(tools) == 6 and "crowdfunding and regional accelerators" in tools


def test_escp_4i_page(found):
    resource = "partnership/european-digital-industry-alliance"
    (partnership,) = _of(found, "initiative", resource)
    assert partnership.get("type") == "ckg:ClusterPartnership"
    labels = {r.get("label") for r in _of(found, "initiative_label", resource)}
    assert {"ESCP-4i", "European Strategic Cluster Partnership – Going International"} <= labels
    (coordinator,) = _of(found, "partnership_coordinator", resource)
    assert coordinator.get("person") == "Guillaume Roux"
    assert coordinator.get("role") == "Coordinator Project"  # corrected from "Cordinator"
    (funding,) = _of(found, "initiative_funding", resource)
    assert funding.get("programme") == "funding-programme/cosme"
    countries = {r.get("country") for r in _of(found, "partnership_study_visit_country", resource)}
    assert countries == {"DEU", "ITA", "SWE"}
    assert len(_of(found, "partnership_keyword", resource)) == 4
    news = _of(found, "partnership_news", resource)
    assert [r.get("published") for r in news] == [
        "2019-12-17",
        "2019-11-14",
        "2019-10-14",
        "2019-09-30",
    ]
    (summary,) = _of(found, "initiative_description", resource)
    assert "improve cross-sectoral" in str(summary.get("description"))
    assert "COSME" not in str(summary.get("description"))


def test_labels_without_value_stay_without_value(found):
    fields = {
        r.get("field"): r
        for r in _of(found, "partnership_field", "partnership/european-digital-industry-alliance")
    }
    assert set(partnership_page.FIELD_LABELS) <= set(fields)
    assert all(fields[label].get("value") is None for label in partnership_page.FIELD_LABELS)
    assert fields["completed"].get("value") == "67%"


def test_a_value_after_its_label_is_read(found):
    raw = read_lines(FIXTURES / "001-field-with-value.txt")
    lines = apply_corrections(raw, document_file("escp-4i"), load_corrections(CORRECTIONS_FILE))
    fields = {
        r.get("field"): r.get("value")
        for r in initiatives.extract_escp_4i(lines, document_file("escp-4i"))
        if r.kind == "partnership_field"
    }
    assert fields["Number of partners"] == "12"
    assert fields["Number of SMEs involved"] is None


def test_empty_fields_write_no_value_triple(found):
    fields = [r for r in found if r.kind == "partnership_field"]
    quads = list(map_records(fields))
    subject = ox.NamedNode(
        iris.ID + "partnership/european-digital-industry-alliance/field/number-of-partners"
    )
    predicates = {q.predicate.value for q in quads if q.subject == subject}
    assert SCHEMA + "name" in predicates and SCHEMA + "value" not in predicates


def test_a_mangled_quote_stops_the_build():
    lines = read_lines(FIXTURES / "003-mangled-count.txt")
    with pytest.raises(QuoteError) as info:
        initiatives.curated_records(lines, document_file("emerging-industries"))
    assert info.value.line == 39


def test_a_count_not_written_in_its_quote_stops_the_build(tmp_path):
    facts = yaml.safe_load(initiatives.FACTS_FILE.read_text(encoding="utf-8"))
    facts["documents"][document_file("inno-industry")]["figures"][0]["value"] = 12
    path = tmp_path / "facts.yaml"
    path.write_text(yaml.safe_dump(facts, allow_unicode=True), encoding="utf-8")
    lines = read_lines(SOURCES_DIR / document_file("inno-industry"))
    with pytest.raises(QuoteError, match="12 is not written"):
        initiatives.curated_records(lines, document_file("inno-industry"), path)


def test_quote_must_be_on_its_own_line():
    lines = [Line(1, 1, "first line"), Line(2, 2, "the quoted words")]
    assert verify(lines, "x.txt", {"line": 2, "quote": "quoted  words"}).line_start == 2
    with pytest.raises(QuoteError):
        verify(lines, "x.txt", {"line": 1, "quote": "quoted words"})


def test_every_record_has_its_source_lines(found):
    documents = {e.document for e in EXTRACTORS if e.extract in INITIATIVES}
    sizes = {d: len(read_lines(SOURCES_DIR / d)) for d in documents}
    for record in found:
        src = record.source
        assert src.document in sizes
        assert 1 <= src.line_start <= src.line_end <= sizes[src.document], record


def test_records_map_to_rdf(found):
    quads = list(map_records(found))
    types = {
        (q.subject.value, q.object.value)
        for q in quads
        if q.predicate.value.endswith("#type")
        and isinstance(q.subject, ox.NamedNode)
        and isinstance(q.object, ox.NamedNode)
    }
    ckg = iris.ONTOLOGY
    assert (iris.ID + "initiative/innosup-1", ckg + "EUInitiative") in types
    assert (iris.ID + "funding-programme/interreg-alpine-space", ckg + "FundingProgramme") in types
    assert (iris.ID + "initiative/innosup-1/budget/total", ckg + "MonetaryAmount") in types


def test_every_document_is_registered():
    registered = {e.extract: e.document for e in EXTRACTORS}
    assert set(INITIATIVES) <= set(registered)
    assert {registered[f] for f in INITIATIVES} == {
        document_file(key) for key in ("inno-industry", "escp-4i", "emerging-industries", "toolbox")
    }


def test_innosup_1_target_is_not_an_achievement(found):
    """Document 003, line 43: "5 new INNOSUP-1 projects launched in May 2019 aim to reach out to
    1,500 SMEs and directly support over 600 SMEs": a target, not SMEs supported."""
    target = _figure(found, "initiative/innosup-1", "smes-to-support-2019")
    assert (target.get("property"), target.get("value")) == ("numberOfSMEsTargeted", "600")
    assert target.get("number_of_smes_supported") is None
    achieved = _figure(found, "initiative/innosup-1", "smes-supported")
    assert achieved.get("number_of_smes_supported") == "1600"


@pytest.mark.parametrize(
    ("figure", "column", "value", "line"),
    [
        ("consortium-countries-min", "min_countries_per_consortium", "3", 22),
        ("sme-share-min", "min_sme_support_share", "75", 24),
        ("call-stages", "number_of_call_stages", "2", 39),
        ("first-call-year", "first_call_year", "2015", 39),
        ("partners-per-project-min", "min_partners_per_project", "7", 41),
        ("partners-per-project-max", "max_partners_per_project", "20", 41),
        ("countries-per-project-min", "min_countries_per_project", "3", 41),
        ("countries-per-project-max", "max_countries_per_project", "9", 41),
    ],
)
def test_innosup_1_rules_and_ranges(found, figure, column, value, line):
    """The consortium rule (line 22), the share for SMEs (line 24), the calls (line 39) and the
    partners and countries per project (line 41) of document 003, each from its own line."""
    record = _figure(found, "initiative/innosup-1", figure)
    assert record.get(column) == value
    assert record.source.line_start == line


def _amounts(records: list[Record], resource: str) -> dict[str, Record]:
    return {str(r.get("amount_key")): r for r in _of(records, "funding_amount", resource)}


def test_innosup_1_amounts_that_are_not_its_budget(found):
    """Document 003, line 24: "vouchers (up to €60,000)"; line 41: "supported with over €60
    million of funding from Horizon2020", "a successful project receives about €4.6 million of
    EU funding". A ceiling, funding received and an average award: none is a budget."""
    found_amounts = _amounts(found, "initiative/innosup-1")
    assert set(found_amounts) == {
        "funding-ceiling-EUR-60000",
        "funding-received-EUR-60000000",
        "average-award-EUR-4600000",
    }
    voucher = found_amounts["funding-ceiling-EUR-60000"]
    assert (voucher.get("qualifier"), voucher.get("scope"), voucher.source.line_start) == (
        "up to",
        "vouchers",
        24,
    )
    received = found_amounts["funding-received-EUR-60000000"]
    assert received.get("qualifier") == "over" and received.source.line_start == 41
    assert received.get("scope") == "Up to May 2019, 13 INNOSUP-1 projects"
    average = found_amounts["average-award-EUR-4600000"]
    assert (average.get("amount"), average.get("qualifier")) == ("4600000", "about")
    budgets = [r.get("amount") for r in _of(found, "initiative_budget", "initiative/innosup-1")]
    assert budgets == ["130000000"]  # line 18, the one budget


def test_innosup_1_amounts_map_to_their_kind_of_link(found):
    quads = list(map_records(found))
    innosup = ox.NamedNode(iris.ID + "initiative/innosup-1")
    links = {
        (q.predicate.value, q.object.value)
        for q in quads
        if q.subject == innosup and isinstance(q.object, ox.NamedNode)
    }
    ckg = iris.ONTOLOGY
    base = iris.ID + "initiative/innosup-1/amount/"
    assert (ckg + "fundingCeiling", base + "funding-ceiling-EUR-60000") in links
    assert (ckg + "fundingReceived", base + "funding-received-EUR-60000000") in links
    assert (ckg + "averageAward", base + "average-award-EUR-4600000") in links


def test_an_amount_scope_must_be_on_its_line(tmp_path):
    facts = yaml.safe_load(initiatives.FACTS_FILE.read_text(encoding="utf-8"))
    facts["documents"][document_file("emerging-industries")]["amounts"][0]["scope"] = "grants"
    path = tmp_path / "facts.yaml"
    path.write_text(yaml.safe_dump(facts, allow_unicode=True), encoding="utf-8")
    lines = read_lines(SOURCES_DIR / document_file("emerging-industries"))
    with pytest.raises(QuoteError, match="scope not on this line"):
        initiatives.curated_records(lines, document_file("emerging-industries"), path)


def test_inno_industry_horizon_is_2022(found):
    """Document 000, line 11: "... the transformation towards Industry 4.0 by 2022"."""
    horizon = _figure(found, "partnership/inno-industry", "horizon")
    assert (horizon.get("property"), horizon.get("target_year")) == ("targetYear", "2022")
    assert horizon.source.line_start == 11


def test_escp_4i_expected_results(found):
    """Document 001, "Results expected" (line 26): the model of collaboration (line 28) and the
    four results of the list "The results expected are thus the following" (line 36)."""
    dia = "partnership/european-digital-industry-alliance"
    results = [
        r for r in _of(found, "initiative_list_item", dia) if r.get("aspect") == "expected_result"
    ]
    assert [r.source.line_start for r in results] == [28, 36, 36, 36, 36]
    texts = [str(r.get("expected_result")) for r in results]
    assert texts[0].startswith("the definition and implementation of a transnational model")
    assert texts[2].startswith("a Joint Internationalisation Strategy")
    assert texts[3].startswith("a complete business plan")
    assert all(r.get("goal") is None for r in results)


@pytest.mark.parametrize(
    ("resource", "figure", "column", "value", "line"),
    [
        ("cluster-survey", "participants", "number_of_participants", "33", 110),
        ("cluster-survey", "regions", "number_of_regions", "10", 110),
        ("cluster-survey", "descriptions-per-participant-max", "max_descriptions_per_participant",
         "3", 110),
        ("cluster-survey", "services-identified", "number_of_services_identified", "76", 110),
        ("cluster-survey", "activity-types", "number_of_activity_types", "37", 110),
        ("cluster-survey", "services-selected", "number_of_services_selected", "23", 112),
        ("cluster-workshops", "services-proposed", "number_of_services_identified", "27", 129),
        ("cluster-workshops", "services-selected", "number_of_services_selected", "14", 129),
    ],
)
def test_toolbox_survey_and_workshop_figures(found, resource, figure, column, value, line):
    """Document 004, line 110: "a survey among 33 cluster managers in 10 regions ... up to three
    ... 76 services were identified ... 37 types of cluster activities"; line 112: "23 best
    practices were selected from the 76 services"; line 129: "27 new cluster services were
    proposed ... 14 of these services were selected"."""
    record = _figure(found, f"toolbox/ta-cluster-toolbox/{resource}", figure)
    assert record.get(column) == value
    assert record.source.line_start == line


def test_toolbox_is_based_on_the_survey_and_the_workshops(found):
    """Document 004, lines 103-106: "a collection of cluster services based on two sources"."""
    bases = {
        (r.get("basis"), r.source.line_start)
        for r in _of(found, "initiative_basis", "toolbox/ta-cluster-toolbox")
    }
    assert bases == {
        ("toolbox/ta-cluster-toolbox/cluster-survey", 105),
        ("toolbox/ta-cluster-toolbox/cluster-workshops", 106),
    }
    types = {
        (q.subject.value, q.object.value)
        for q in map_records(found)
        if q.predicate.value.endswith("#type")
        and isinstance(q.subject, ox.NamedNode)
        and isinstance(q.object, ox.NamedNode)
    }
    survey = iris.ID + "toolbox/ta-cluster-toolbox/cluster-survey"
    assert (survey, iris.ONTOLOGY + "Survey") in types


def test_innosup_1_latest_call_dates(found):
    """Document 003, line 47: "The latest call for INNOSUP-1 proposals was published in November
    2019. The Deadline to apply was early April 2020."."""
    dates = {str(r.get("date")): r for r in _of(found, "initiative_date", "initiative/innosup-1")}
    published, deadline = dates["latest-call-published"], dates["latest-call-deadline"]
    assert (published.get("latest_call_published"), published.get("qualifier")) == ("2019-11", None)
    assert (deadline.get("latest_call_deadline"), deadline.get("qualifier")) == ("2020-04", "early")
    assert published.source.line_start == deadline.source.line_start == 47
    deadline_iri = iris.ONTOLOGY + "latestCallDeadline"
    quads = [q for q in map_records(found) if q.predicate.value == deadline_iri]
    assert [q.object for q in quads] == [
        ox.Literal("2020-04", datatype=ox.NamedNode(iris.XSD + "gYearMonth"))
    ]
