from __future__ import annotations

import shutil
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
import yaml

from clusterkg import iris
from clusterkg.loaders.claims.facts import Fact, parse_amounts
from clusterkg.loaders.claims.quotes import QuoteError
from clusterkg.loaders.documents import document_file
from clusterkg.loaders.mapper import map_records
from clusterkg.loaders.records import ExtractionError, Record, SourceRef
from clusterkg.loaders.report.abbreviations import load_abbreviations
from clusterkg.loaders.report.country_cases import extract
from clusterkg.loaders.report.document import Line, read_lines
from clusterkg.paths import SOURCES_DIR
from clusterkg.shapes.validation import validate, with_context

DOCUMENT = document_file("report")

FIXTURES = Path(__file__).parents[2] / "fixtures" / "loaders" / "country_cases"
COUNTRIES = {"USA", "CAN", "BRA", "MEX", "ISR", "CHN", "TWN", "SGP", "JPN", "KOR"}
CHAPTER_4 = (1241, 2338)
CKG = iris.ONTOLOGY


@pytest.fixture(scope="module")
def cases(lines: list[Line]) -> list[Record]:
    return extract(lines, DOCUMENT)


def of_kind(records: list[Record], kind: str) -> list[Record]:
    return [r for r in records if r.kind == kind]


def programme_id(records: list[Record], country: str, label: str) -> str:
    (found,) = [
        r.values["programme_id"]
        for r in of_kind(records, "nonfeu_programme")
        if r.values["country"] == country and r.values["pref_label"] == label
    ]
    assert found is not None
    return found


def test_ten_countries_each_with_a_programme(cases: list[Record]) -> None:
    countries = {r.values["country"] for r in of_kind(cases, "nonfeu_programme")}
    assert countries == COUNTRIES


def test_ids_come_from_content(cases: list[Record]) -> None:
    assert programme_id(cases, "CAN", "Innovation Superclusters Initiative") == (
        "CAN-innovation-superclusters-initiative"
    )
    assert programme_id(cases, "KOR", "Industrial Complex Cluster Programme") == (
        "KOR-industrial-complex-cluster-programme"
    )


def test_abbreviations_are_alternative_names(cases: list[Record]) -> None:
    alt: dict[str | None, set[tuple[str, str | None]]] = defaultdict(set)
    for r in of_kind(cases, "nonfeu_label"):
        alt[r.values["resource_id"]] |= {
            (k, v) for k, v in r.values.items() if k.startswith("alt_")}
    # GTP-APL abbreviates the Portuguese name (line 1534), so it is tagged pt, not en
    assert ("alt_label_pt", "GTP-APL") in alt["BRA-standing-working-group-for-the-apls"]
    assert ("alt_label_en", "Regional Innovation Cluster Initiative") in alt[
        "USA-innovative-economy-clusters"]
    assert ("alt_label_en", "Superclusters Initiative") in alt[
        "CAN-innovation-superclusters-initiative"]


def test_listed_abbreviations_are_stated_once(cases: list[Record]) -> None:
    """Issue 15: 17 acronyms were stored twice, plain from the list of abbreviations and `@en`
    from the country cases. The list (data/abbreviations.yaml) is their one home."""
    listed = {(e["entity"].rsplit("/", 1)[-1], e["abbreviation"])
              for e in load_abbreviations()}
    repeated = {(r.values["resource_id"], v) for r in of_kind(cases, "nonfeu_label")
                for k, v in r.values.items() if k.startswith("alt_")} & listed
    assert repeated == set()


def test_canada_five_superclusters(cases: list[Record]) -> None:
    clusters = {
        r.values["pref_label"]
        for r in of_kind(cases, "nonfeu_cluster")
        if r.values["programme_id"] == "CAN-innovation-superclusters-initiative"
    }
    assert clusters == {
        "Digital Technology Supercluster",
        "Protein Industries Supercluster",
        "Advanced Manufacturing Supercluster",
        "AI-Powered Supply Chains Supercluster",
        "Ocean Supercluster",
    }


def test_israel_four_technological_clusters(cases: list[Record]) -> None:
    clusters = [
        r
        for r in of_kind(cases, "nonfeu_cluster")
        if str(r.values["programme_id"]).startswith("ISR-")
    ]
    assert len({r.values["cluster_id"] for r in clusters}) == 4


def test_korea_changwon_gunsan_run_together_gives_eight_model_clusters(
    cases: list[Record],
) -> None:
    """Source defect at line 2272: "Changwon Gunsan" lacks a comma; the sentence counts seven
    industrial complexes and one special zone, so the curated file names two clusters."""
    names = [
        r.values["pref_label"]
        for r in of_kind(cases, "nonfeu_cluster")
        if r.values["country"] == "KOR"
    ]
    assert len(names) == 8
    assert {"Changwon", "Gunsan"} <= set(names)


def budgets(records: list[Record], pid: str) -> dict[str, dict[str, str | None]]:
    return {
        str(r.values["amount_key"]): dict(r.values)
        for r in of_kind(records, "nonfeu_budget")
        if r.values["programme_id"] == pid
    }


def test_budgets_in_their_original_currency(cases: list[Record]) -> None:
    isi = budgets(cases, "CAN-innovation-superclusters-initiative")["CAD-950000000"]
    assert (isi["amount"], isi["currency"], isi["qualifier"]) == ("950000000", "CAD", "up to")
    assert isi["budget_period"] == "over five years"
    assert isi["equivalent_of"] is None and isi["annual"] is None  # the programme's budget
    us = budgets(cases, "USA-advanced-manufacturing-jobs-and-innovation-accelerator-challenge")
    assert us["USD-26000000"]["currency"] == "USD"
    cyber = budgets(cases, "ISR-cybersecurity-initiative")
    assert cyber["ILS-180000000"]["equivalent_of"] is None
    assert cyber["USD-45000000"]["equivalent_of"] == "ILS-180000000"
    assert cyber["ILS-90000000"]["budget_period"] == "for a further 3 years"
    fuel = budgets(cases, "ISR-fuel-choices-initiative")
    assert fuel["ILS-1500000000"]["amount"] == "1500000000"
    rie = budgets(cases, "SGP-research-innovation-and-enterprise-2020-plan")["EUR-16750000000"]
    assert rie["qualifier"] == "approximately"


def test_amounts_are_read_from_the_quote() -> None:
    fact = Fact(
        SourceRef(DOCUMENT, None, 1, 1), "grants of up to USD 450,000 and NIS 1.5 billion", ""
    )
    amounts = parse_amounts(fact, {"USD": "USD", "NIS": "ILS"}, ["up to"])
    assert [(a.value, a.currency, a.qualifier) for a in amounts] == [
        (Decimal(450_000), "USD", "up to"),
        (Decimal(1_500_000_000), "ILS", None),
    ]


def test_periods_and_phases(cases: list[Record]) -> None:
    periods: dict[str, dict[str, str | None]] = defaultdict(dict)
    for r in of_kind(cases, "nonfeu_period"):
        periods[str(r.values["programme_id"])].update({k: v for k, v in r.values.items() if v})
    assert periods["CAN-innovation-superclusters-initiative"]["start_year"] == "2018"
    assert periods["CAN-innovation-superclusters-initiative"]["end_year"] == "2023"
    assert periods["CHN-torch-program"]["open_ended"] == "true"
    assert periods["BRA-standing-working-group-for-the-apls"]["start_year"] == "2004"
    phases = [
        (r.values["phase_number"], r.values["start_year"], r.values["end_year"])
        for r in of_kind(cases, "nonfeu_phase")
        if r.values["programme_id"] == "JPN-industrial-cluster-project"
    ]
    assert phases == [("1", "2001", "2005"), ("2", "2006", "2010"), ("3", "2010", "2016")]


def test_supervising_and_implementing_bodies(cases: list[Record]) -> None:
    roles = {
        (r.values["programme_id"], r.values["role"], r.values["organisation_id"])
        for r in of_kind(cases, "nonfeu_body")
    }
    iccp = "KOR-industrial-complex-cluster-programme"
    assert (iccp, "supervises", "KOR-ministry-of-trade-industry-and-energy") in roles
    assert (iccp, "implements", "KOR-korea-industrial-complex-corporation") in roles


def test_every_record_has_a_line_range_in_chapter_4(cases: list[Record]) -> None:
    assert len(cases) > 150
    for r in cases:
        assert r.source.document == DOCUMENT and r.source.table is None
        assert r.source.line_start <= r.source.line_end
        assert CHAPTER_4[0] <= r.source.line_start <= CHAPTER_4[1], r


def test_mangled_source_names_file_line_and_quote(tmp_path: Path) -> None:
    mangle = yaml.safe_load((FIXTURES / "mangled-source.yaml").read_text(encoding="utf-8"))
    source = (SOURCES_DIR / DOCUMENT).read_text(encoding="utf-8").split("\n")
    assert mangle["old"] in source[mangle["line"] - 1]
    source[mangle["line"] - 1] = source[mangle["line"] - 1].replace(mangle["old"], mangle["new"])
    for path in SOURCES_DIR.iterdir():
        shutil.copy(path, tmp_path / path.name)
    (tmp_path / DOCUMENT).write_text("\n".join(source), encoding="utf-8")
    with pytest.raises(QuoteError) as caught:
        extract(read_lines(tmp_path / DOCUMENT), DOCUMENT)
    message = str(caught.value)
    assert f"{DOCUMENT}, line {mangle['line']}" in message
    assert mangle["expect_quote"] in message


def test_wrong_line_in_curated_file_fails(lines: list[Line]) -> None:
    with pytest.raises(ExtractionError, match=r"line 1464: quote not found"):
        extract(lines, DOCUMENT, FIXTURES / "wrong-line-cases.yaml")


def test_open_ended_needs_since_in_its_quote(lines: list[Line], tmp_path: Path) -> None:
    cases_file = tmp_path / "cases.yaml"
    cases_file.write_text(
        yaml.safe_dump(
            {
                "document": DOCUMENT,
                "currency_symbols": {},
                "amount_qualifiers": [],
                "countries": {
                    "MEX": {
                        "programmes": {
                            "ICLUSTER": {
                                "name": {"line": 1659, "quote": "Project iCluster"},
                                "start": {"line": 1667, "quote": "Project iCluster (2014)"},
                                "open_ended": True,
                            }
                        }
                    }
                },
            }
        ),
        encoding="utf-8",
    )
    with pytest.raises(ExtractionError, match="open_ended but no 'since'"):
        extract(lines, DOCUMENT, cases_file)


def test_records_map_to_rdf(cases: list[Record]) -> None:
    store = ox.Store()
    store.extend(map_records(cases))
    isi = ox.NamedNode(iris.resource_iri("programme", "CAN-innovation-superclusters-initiative"))
    solutions = store.query(
        f"""SELECT ?amount ?currency ?cluster WHERE {{ GRAPH ?g {{
                {isi} a <{CKG}NonEuropeanClusterProgramme> ;
                    <{CKG}country> <{iris.country_iri("CAN")}> ;
                    <{CKG}budget> ?b ; <{CKG}supportsCluster> ?cluster .
                ?b <{CKG}amount> ?amount ; <{CKG}currency> ?currency . }} }}"""
    )
    assert isinstance(solutions, ox.QuerySolutions)
    rows = [(r["amount"], r["currency"]) for r in solutions]
    assert len(rows) == 5
    assert {(a.value, c.value) for a, c in rows if a and c} == {
        ("950000000", iris.PO_CURRENCY + "CAD")
    }


def test_mapped_records_pass_the_shapes(cases: list[Record]) -> None:
    store = ox.Store()
    store.extend(map_records(cases))
    prose = ox.NamedNode(iris.source_graph_iri(DOCUMENT, None))
    assert {q.graph_name for q in store} == {prose}
    triples = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=prose)
    assert triples is not None
    data = rdflib.Graph().parse(data=triples, format="nt")
    outcome = validate(with_context(data))
    assert not outcome.violations, "\n".join(str(p) for p in outcome.violations)


def test_us_clusters_are_the_reports_18_not_21(cases: list[Record], lines: list[Line]) -> None:
    """Line 1357: "In addition to the ten initial clusters mentioned above, eight further
    clusters"; line 1387: "from the initial ten funded clusters there are eight additional".
    The pilot's Project 17, Northeast Ohio Technology Coalition and Huntsville Advanced Defense
    Technology Cluster are the list's Agriculture Innovation Cluster (line 1359), NorTech (line
    1373) and Von Braun Center (line 1379): one cluster each, under both names."""
    assert "ten initial clusters mentioned above, eight further clusters" in lines[1356].text
    pid = "USA-innovative-economy-clusters"
    clusters = {
        r.values["cluster_id"]
        for r in of_kind(cases, "nonfeu_cluster")
        if r.values["programme_id"] == pid
    }
    assert len(clusters) == 18
    alt = {
        (r.values["resource_id"], r.values["alt_label_en"], r.source.line_start)
        for r in of_kind(cases, "nonfeu_label")
        if r.values["resource_kind"] == "cluster"
    }
    names = {label: (cid, line) for cid, label, line in alt}
    assert names["NorTech"][1] == 1373 and names["NorTech"][0] in clusters
    assert names["Von Braun Center for Science and Innovation"][1] == 1379
    assert names["Agriculture Innovation Cluster"][1] == 1359
    labels = {r.values["pref_label"] for r in of_kind(cases, "nonfeu_cluster")}
    assert not {"NorTech", "Von Braun Center for Science and Innovation"} & labels
@pytest.mark.parametrize(
    ("annual", "equivalent_of", "predicate"),
    [
        (None, None, "budget"),
        ("true", None, "annualBudget"),
        (None, "ILS-180000000", None),
        ("true", "ILS-180000000", None),
    ],
)
def test_which_budget_link_a_nonfeu_amount_gets(annual, equivalent_of, predicate) -> None:
    """`when:` in nonfeu_budget.yaml: the primary amount is the programme's budget, annual
    when the report says so; an equivalent in another currency is linked from the primary."""
    values = {
        "programme_id": "ISR-x",
        "amount_key": "USD-45000000",
        "amount": "45000000",
        "currency": "USD",
        "raw_statement": "USD 45 million",
        "annual": annual,
        "equivalent_of": equivalent_of,
    }
    record = Record("nonfeu_budget", values, SourceRef(document_file("report"), None, 1, 1))
    programme = ox.NamedNode(iris.ID + "programme/ISR-x")
    links = {
        q.predicate.value.rpartition("#")[2]
        for q in map_records([record])
        if q.subject == programme and q.predicate.value.startswith(iris.ONTOLOGY)
    }
    assert links == ({predicate} if predicate else set())


# Issue 15, gap 8: amounts that are not budgets, the Taiwanese plan's body, programmes the prose
# names. Each test cites the line of 002 it rests on.


def funding_amounts(records: list[Record], resource: str) -> dict[str, dict[str, str | None]]:
    return {
        str(r.values["amount_key"]): dict(r.values)
        for r in of_kind(records, "funding_amount")
        if r.values["resource"] == resource
    }


def test_us_administration_investment_is_not_a_programme_budget(
    cases: list[Record], lines: list[Line]
) -> None:
    # line 1296: "investments by the U.S. Administration of over USD 200 million promoting
    # regional innovation clusters (investment announced in 2012)"
    assert "over USD 200 million" in lines[1295].text
    found = funding_amounts(cases, "organisation/USA-u-s-administration")
    invest = found["investment-USD-200000000"]
    assert (invest["amount"], invest["qualifier"], invest["investment"]) == (
        "200000000",
        "over",
        "investment-USD-200000000",
    )
    assert "announced in 2012" in str(invest["scope"])
    assert not any(b.values["amount"] == "200000000" for b in of_kind(cases, "nonfeu_budget"))


def test_canada_contribution_per_applicant_is_a_range(cases: list[Record]) -> None:
    # line 1487: "between CAD 125 million and CAD 250 million"
    found = funding_amounts(cases, "programme/CAN-innovation-superclusters-initiative")
    (award,) = found.values()
    assert (award["min_amount"], award["max_amount"], award["amount"]) == (
        "125000000",
        "250000000",
        None,
    )
    assert award["currency"] == "CAD" and award["award_range"] == award["amount_key"]
    assert award["scope"] == "the contribution amount per applicant"
    assert award.get("funding_ceiling") is None  # a range, not a ceiling, and not the CAD 950m


def test_israel_ceilings_and_grants_belong_to_their_measures(cases: list[Record]) -> None:
    # lines 1798-1801: "up to USD 8 million", "NIS 60 million and NIS 45 million, respectively",
    # "grants of up to USD 450,000", "demonstrations of up to USD 1 million"
    fund = funding_amounts(cases, "programme/ISR-governmental-co-investment-fund")
    assert fund["funding-ceiling-USD-8000000"]["qualifier"] == "up to"
    assert fund["funding-ceiling-USD-8000000"]["scope"] == "The government share in each investment"
    grants = funding_amounts(cases, "programme/ISR-academic-and-applied-research")
    assert {(k, v["scope"]) for k, v in grants.items()} == {
        ("grant-ILS-60000000", "One centre focuses on biofuel research"),
        ("grant-ILS-45000000", "the other on batteries and fuel cells"),
    }
    research = funding_amounts(cases, "programme/ISR-research-fund")
    assert research["funding-ceiling-USD-450000"]["amount"] == "450000"
    demo = funding_amounts(cases, "programme/ISR-technological-demonstrations-programme")
    assert demo["funding-ceiling-USD-1000000"]["amount"] == "1000000"
    parents = {
        (r.values["subject_id"], r.values.get("part_of"))
        for r in of_kind(cases, "nonfeu_relation")
        if r.values.get("part_of")
    }
    for measure in ("governmental-co-investment-fund", "technological-demonstrations-programme"):
        assert (f"ISR-{measure}", "ISR-fuel-choices-initiative") in parents


def test_amounts_map_to_their_kind_of_link(cases: list[Record]) -> None:
    store = ox.Store()
    store.extend(map_records(cases))
    solutions = store.query(
        f"""SELECT ?p ?min ?max WHERE {{ GRAPH ?g {{
                ?programme ?p ?a . ?a <{CKG}minAmount> ?min ; <{CKG}maxAmount> ?max }} }}"""
    )
    assert isinstance(solutions, ox.QuerySolutions)
    assert [(r["p"], r["min"], r["max"]) for r in solutions] == [
        (
            ox.NamedNode(CKG + "awardRange"),
            ox.Literal("125000000", datatype=ox.NamedNode(iris.XSD + "decimal")),
            ox.Literal("250000000", datatype=ox.NamedNode(iris.XSD + "decimal")),
        )
    ]


def test_an_amount_kind_must_be_known(lines: list[Line], tmp_path: Path) -> None:
    cases_file = tmp_path / "cases.yaml"
    programme = {
        "name": {"line": 1798, "quote": "a new governmental co-investment fund"},
        "amounts": [{"kind": "budget", "line": 1798, "quote": "up to USD 8 million"}],
    }
    cases_file.write_text(
        yaml.safe_dump(
            {
                "document": DOCUMENT,
                "currency_symbols": {"USD": "USD"},
                "amount_qualifiers": ["up to"],
                "countries": {"ISR": {"programmes": {"FUND": programme}}},
            }
        ),
        encoding="utf-8",
    )
    with pytest.raises(ExtractionError, match="unknown amount kind 'budget'"):
        extract(lines, DOCUMENT, cases_file)


def test_taiwan_plan_is_attributed_to_the_smea_that_presented_it(
    cases: list[Record], lines: list[Line]
) -> None:
    # line 1944: "In 2008, the SMEA presented the strategic Plan ..." - presenting is not
    # implementing, so the SMEA is the body the plan is attributed to (role `issues`)
    assert "the SMEA presented the strategic Plan" in lines[1943].text
    name = "Plan for the Provision of Integrated Services to Support SME Industry Cluster"
    name += " Innovation"
    plan = programme_id(cases, "TWN", name)
    roles = {
        (r.values["role"], r.values["issued_by"])
        for r in of_kind(cases, "nonfeu_body")
        if r.values["programme_id"] == plan
    }
    assert roles == {("issues", "TWN-small-and-medium-enterprise-administration")}


def test_programmes_the_prose_names_are_in_the_graph(cases: list[Record]) -> None:
    names = {
        (r.values["country"], r.values["pref_label"]) for r in of_kind(cases, "nonfeu_programme")
    }
    expected = {
        ("USA", "US Cluster Mapping initiative"),  # line 1296
        ("CAN", "Innovation and Skills Plan"),  # line 1446
        ("BRA", "National APL Policy"),  # line 1538
        ("BRA", "National Policy for Regional Development"),  # line 1605
        ("CHN", "Seed Funding"),  # line 1877, Innofund (1999)
        ("CHN", "Venture Guiding Fund"),  # line 1878 (2007)
        ("TWN", "Local Industry Development Fund"),  # line 1946 (2009)
        ("TWN", "i-Taiwan 12 Projects Plan"),  # line 1946 (2009-2016)
        ("TWN", "New Economic Development Model"),  # line 1948 (2017-2020)
        ("JPN", "Regional Innovation Ecosystem Creation Programme"),  # line 2206
        ("JPN", "Regional Core Business creation support programme"),  # line 2212
        ("JPN", "Centre of Innovation programme"),  # line 2213
        ("JPN", "Regional Industry Tie-up programme"),  # line 2214
    }
    assert expected <= names
    relations = {
        (r.values["subject_id"], r.values.get("part_of"), r.values.get("predecessor"))
        for r in of_kind(cases, "nonfeu_relation")
    }
    assert (
        "JPN-regional-innovation-ecosystem-creation-programme",
        None,
        "JPN-knowledge-cluster-initiative",
    ) in relations  # line 2206: "a follow up to the Knowledge Cluster Building programme"
    assert (
        "TWN-5-2-major-innovative-industries-programme",
        "TWN-new-economic-development-model",
        None,
    ) in relations  # line 1948: "a core element of the New Economic Development Model"


def test_counts_the_chapter_states_about_programmes(cases: list[Record]) -> None:
    """Figures that were stated but not captured (issue 15, a search of the chapter): each value
    is written in its quote, with its qualifier and scope as written."""
    figures = {
        (r.values["programme_id"], r.values["figure"]): r for r in of_kind(cases, "nonfeu_figure")
    }
    # line 1327: "The 10 Innovative Economies awardees selected from among 173 applicants"
    assert figures[("USA-innovative-economy-clusters", "applicants")].values["value"] == "173"
    # line 1893: "Until 2015, ... more than 1,300 incubation and university science parks"
    parks = figures[("CHN-torch-program", "science-parks")].values
    assert (parks["value"], parks["qualifier"]) == ("1300", "more than")
    assert parks["scope"] == "Until 2015"
    # line 2156: "In 2002, MEXT launched 12 Knowledge Clusters ... only 11 ... reduced to 9"
    kci = "JPN-knowledge-cluster-initiative"
    phases = ("clusters-launched", "clusters-phase-1", "clusters-phase-2")
    assert [figures[(kci, f)].values["value"] for f in phases] == ["12", "11", "9"]
    # line 1794: targets, "by 30% by 2020 and by 60% by 2025"
    fuel = "ISR-fuel-choices-initiative"
    assert figures[(fuel, "oil-cut-2025")].values["scope"] == "by 2025"
    assert figures[(fuel, "oil-cut-2025")].source.line_start == 1794


def test_a_figure_not_written_in_its_quote_stops_the_build(
    lines: list[Line], tmp_path: Path
) -> None:
    cases_file = tmp_path / "cases.yaml"
    programme = {
        "name": {"line": 2262, "quote": "The Industrial Complex Cluster Programme (ICCP)"},
        "figures": [
            {
                "figure": "cluster-organisations",
                "name": "cluster organisations supported",
                "value": 78,
                "line": 2305,
                "quote": "the ICCP supported 77 cluster organisations",
            }
        ],
    }
    cases_file.write_text(
        yaml.safe_dump(
            {
                "document": DOCUMENT,
                "currency_symbols": {},
                "amount_qualifiers": [],
                "countries": {"KOR": {"programmes": {"ICCP": programme}}},
            }
        ),
        encoding="utf-8",
    )
    with pytest.raises(QuoteError, match="78 is not written"):
        extract(lines, DOCUMENT, cases_file)
