"""Survey-shaped synthetic data for the benchmarks: a large graph in the real graph's terms.

It imagines a survey of cluster organisations run in two waves (2018 and 2022): each of N
organisations, in a NUTS 2 region of a country, manages a cluster supported by one or two
cluster programmes and, in each wave, rates every support measure of the national survey's list.
Programmes carry objectives, target groups, funding sources, cluster types, budgets with
components, phases and periods; countries report policy situations to the national survey.
Every data resource points to the line of the (imaginary) response file it came from, as the
real build's resources point to their source excerpts.

The terms are the ontology's (`ontology/clusterkg.ttl`) and the concepts those of the bundled
vocabularies (`ontology/vocabularies/*.ttl`), which are read here, so the library's queries run
unchanged and the SHACL shapes apply. The output is deterministic for a seed: the same seed
writes the same bytes. 3,000 organisations make about a million triples.

    python -m bench.synthetic --organisations 3000 --seed 1 --out synthetic.nq
"""

from __future__ import annotations

import argparse
import hashlib
import random
import sys
from collections.abc import Generator as Gen
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from clusterkg import iris
from clusterkg.paths import ONTOLOGY_FILE, VOCABULARIES_DIR

CKG = iris.ONTOLOGY
RDF, RDFS, SKOS, DCTERMS = iris.RDF, iris.RDFS, iris.SKOS, iris.DCTERMS
DCAT, PROV, SCHEMA, XSD = iris.DCAT, iris.PROV, iris.SCHEMA, iris.XSD

NATIONAL_SURVEY = iris.resource_iri("survey", "national-2018")
ORGANISATION_SURVEY = iris.resource_iri("survey", "synthetic-organisations")
WAVES = (2018, 2022)
REGIONS_PER_COUNTRY = 6
ORGANISATIONS_PER_PROGRAMME = 2
DOCUMENT = "synthetic-responses.csv"
SYMBOLS = {"high": "+", "medium": "0", "low": "-"}
WORDS = (
    "alpine", "baltic", "digital", "green", "health", "maritime", "photonics", "mobility",
    "textile", "agri-food", "space", "energy", "wood", "plastics", "creative", "logistics",
)


def _n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def wave_iri(year: int) -> str:
    return iris.resource_iri("survey-wave", f"synthetic-organisations-{year}")


TYPE = _n(RDF + "type")
PREF_LABEL = _n(SKOS + "prefLabel")
DERIVED = _n(PROV + "wasDerivedFrom")


def _lit(value: object, datatype: str | None = None, lang: str | None = None) -> ox.Literal:
    if lang:
        return ox.Literal(str(value), language=lang)
    return ox.Literal(str(value), datatype=_n(XSD + datatype) if datatype else None)


@dataclass(frozen=True)
class Vocabularies:
    """Concept IRIs of the bundled schemes, by vocabulary file name, and country codes."""

    concepts: dict[str, list[str]]
    countries: list[tuple[str, str, str]]  # (alpha-3, alpha-2, IRI)

    @classmethod
    def read(cls, directory: Path = VOCABULARIES_DIR) -> Vocabularies:
        concepts: dict[str, list[str]] = {}
        countries: list[tuple[str, str, str]] = []
        for path in sorted(directory.glob("*.ttl")):
            store = ox.Store()
            store.load(path=str(path), format=ox.RdfFormat.TURTLE)
            found = sorted(
                q.subject.value
                for q in store.quads_for_pattern(None, TYPE, _n(SKOS + "Concept"))
                if isinstance(q.subject, ox.NamedNode)
            )
            concepts[path.stem] = found
            if path.stem == "countries":
                for iri in found:
                    codes = sorted(
                        str(getattr(q.object, "value", ""))
                        for q in store.quads_for_pattern(_n(iri), _n(SKOS + "notation"), None)
                    )
                    alpha3 = iri.rsplit("/", 1)[-1]
                    alpha2 = next((c for c in codes if len(c) == 2), alpha3[:2])
                    countries.append((alpha3, alpha2, iri))
        return cls(concepts, countries)


class Generator:
    """Writes the quads of one synthetic dataset, in a fixed order for a seed."""

    def __init__(self, organisations: int, seed: int, vocabularies: Vocabularies) -> None:
        self.organisations = organisations
        self.random = random.Random(seed)
        self.vocab = vocabularies
        self.line = 1
        self.document = iris.document_iri(DOCUMENT)
        self.last = _n(self.document)

    def _graph(self, name: str) -> ox.NamedNode:
        return _n(iris.graph_iri(f"synthetic/{name}"))

    def _excerpt(self, table: str, lines: int = 1) -> Iterator[ox.Quad]:
        """A source excerpt of the next `lines` lines (its quads), remembered as `self.last`."""
        start, end = self.line, self.line + lines - 1
        self.line = end + 1
        excerpt = _n(iris.excerpt_iri(DOCUMENT, table, start, end))
        self.last = excerpt
        graph = _n(iris.graph_iri("provenance"))
        yield ox.Quad(excerpt, TYPE, _n(CKG + "SourceExcerpt"), graph)
        yield ox.Quad(excerpt, _n(CKG + "sourceDocument"), _n(self.document), graph)
        yield ox.Quad(excerpt, _n(CKG + "sourceTable"), _lit(table), graph)
        yield ox.Quad(excerpt, _n(CKG + "lineStart"), _lit(start, "integer"), graph)
        yield ox.Quad(excerpt, _n(CKG + "lineEnd"), _lit(end, "integer"), graph)

    def quads(self) -> Iterator[ox.Quad]:
        yield from self._surveys()
        regions = yield from self._regions()
        programmes = yield from self._programmes(regions)
        yield from self._situations(programmes)
        yield from self._organisations(regions, programmes)

    def _surveys(self) -> Iterator[ox.Quad]:
        graph = _n(iris.graph_iri("provenance"))
        document = _n(self.document)
        digest = hashlib.sha256(f"{self.organisations}".encode()).hexdigest()
        yield ox.Quad(document, TYPE, _n(CKG + "SourceDocument"), graph)
        yield ox.Quad(document, _n(CKG + "fileName"), _lit(DOCUMENT), graph)
        yield ox.Quad(document, _n(CKG + "sha256"), _lit(digest), graph)
        title = _lit("Synthetic survey responses", lang="en")
        yield ox.Quad(document, _n(DCTERMS + "title"), title, graph)
        for survey, year, label in (
            (NATIONAL_SURVEY, 2018, "Online survey on national cluster programmes 2018"),
            (ORGANISATION_SURVEY, WAVES[-1], "Synthetic survey of cluster organisations"),
        ):
            yield ox.Quad(_n(survey), TYPE, _n(CKG + "Survey"), graph)
            yield ox.Quad(_n(survey), _n(RDFS + "label"), _lit(label, lang="en"), graph)
            yield ox.Quad(_n(survey), _n(CKG + "surveyYear"), _lit(year, "integer"), graph)
        for year in WAVES:
            wave = _n(wave_iri(year))
            yield ox.Quad(wave, TYPE, _n(CKG + "SurveyWave"), graph)
            yield ox.Quad(wave, _n(RDFS + "label"), _lit(f"Wave {year}", lang="en"), graph)
            yield ox.Quad(wave, _n(PROV + "startedAtTime"),
                          _lit(f"{year}-03-01T00:00:00Z", "dateTime"), graph)
            yield ox.Quad(wave, _n(PROV + "used"), document, graph)

    def _regions(self) -> Gen[ox.Quad, None, dict[str, list[ox.NamedNode]]]:
        graph = self._graph("regions")
        regions: dict[str, list[ox.NamedNode]] = {}
        for alpha3, alpha2, country in self.vocab.countries:
            for index in range(1, REGIONS_PER_COUNTRY + 1):
                code = f"{alpha2}{index}{self.random.choice('0123456789ABC')}"
                region = _n(iris.resource_iri("region", code))
                regions.setdefault(alpha3, []).append(region)
                yield from self._excerpt("Regions")
                yield ox.Quad(region, TYPE, _n(CKG + "Region"), graph)
                yield ox.Quad(region, PREF_LABEL, _lit(f"Region {code}", lang="en"), graph)
                yield ox.Quad(region, _n(CKG + "nutsCode"), _lit(code), graph)
                yield ox.Quad(region, _n(CKG + "nutsLevel"), _lit(2, "integer"), graph)
                yield ox.Quad(region, _n(CKG + "nutsVersion"), _lit("2021"), graph)
                yield ox.Quad(region, _n(CKG + "nutsRegion"), _n(iris.nuts_iri(code)), graph)
                yield ox.Quad(region, _n(CKG + "country"), _n(country), graph)
                yield ox.Quad(region, DERIVED, self.last, graph)
        return regions

    def _programmes(
        self, regions: dict[str, list[ox.NamedNode]]
    ) -> Gen[ox.Quad, None, dict[str, list[ox.NamedNode]]]:
        graph = self._graph("programmes")
        pick = self.random
        count = max(1, self.organisations // ORGANISATIONS_PER_PROGRAMME)
        programmes: dict[str, list[ox.NamedNode]] = {}
        for index in range(count):
            alpha3, _, country = self.vocab.countries[index % len(self.vocab.countries)]
            key = f"{alpha3}-synthetic-{index:05d}"
            programme = _n(iris.resource_iri("programme", key))
            programmes.setdefault(alpha3, []).append(programme)
            regional = pick.random() < 0.4
            kind = "RegionalClusterProgramme" if regional else "NationalClusterProgramme"
            name = f"{pick.choice(WORDS).title()} cluster programme {index}"
            yield from self._excerpt("Programmes", 3)
            yield ox.Quad(programme, TYPE, _n(CKG + "ClusterProgramme"), graph)
            yield ox.Quad(programme, TYPE, _n(CKG + kind), graph)
            yield ox.Quad(programme, PREF_LABEL, _lit(name, lang="en"), graph)
            yield ox.Quad(programme, _n(CKG + "country"), _n(country), graph)
            if regional:
                yield ox.Quad(programme, _n(CKG + "region"), pick.choice(regions[alpha3]), graph)
            yield ox.Quad(programme, _n(DCTERMS + "description"),
                          _lit(f"{name} supports clusters in {alpha3}.", lang="en"), graph)
            yield ox.Quad(programme, _n(SCHEMA + "url"),
                          _lit(f"https://example.org/{key}", "anyURI"), graph)
            start = pick.randint(2000, 2020)
            end = start + pick.randint(2, 8)
            open_ended = pick.random() < 0.2
            yield ox.Quad(programme, _n(CKG + "rawStatement"),
                          _lit(f"Since {start}" if open_ended else f"{start}-{end}"), graph)
            yield ox.Quad(programme, _n(CKG + "openEnded"),
                          _lit(str(open_ended).lower(), "boolean"), graph)
            yield ox.Quad(programme, _n(CKG + "reportedIn"), _n(NATIONAL_SURVEY), graph)
            period = _n(f"{programme.value}/period")
            yield ox.Quad(programme, _n(DCTERMS + "temporal"), period, graph)
            yield ox.Quad(period, TYPE, _n(DCTERMS + "PeriodOfTime"), graph)
            yield ox.Quad(period, _n(DCAT + "startDate"), _lit(start, "gYear"), graph)
            if not open_ended:
                yield ox.Quad(period, _n(DCAT + "endDate"), _lit(end, "gYear"), graph)
            for predicate, scheme, low, high in (
                ("objective", "objectives-national", 3, 6),
                ("fundingSource", "funding-sources", 1, 3),
                ("addressesClusterType", "cluster-types", 1, 3),
            ):
                for concept in pick.sample(self.vocab.concepts[scheme], pick.randint(low, high)):
                    yield ox.Quad(programme, _n(CKG + predicate), _n(concept), graph)
            for group in pick.sample(self.vocab.concepts["target-groups"], pick.randint(2, 4)):
                yield ox.Quad(programme, _n(DCTERMS + "audience"), _n(group), graph)
            yield from self._budget(programme, graph)
            for number in range(1, pick.randint(1, 3) + 1):
                phase = _n(f"{programme.value}/phase/{number}")
                yield ox.Quad(programme, _n(CKG + "hasPhase"), phase, graph)
                yield ox.Quad(phase, TYPE, _n(CKG + "ProgrammePhase"), graph)
                yield ox.Quad(phase, _n(CKG + "phaseNumber"), _lit(number, "integer"), graph)
                yield ox.Quad(phase, _n(RDFS + "label"), _lit(f"phase {number}", lang="en"), graph)
                yield ox.Quad(phase, DERIVED, self.last, graph)
            yield ox.Quad(programme, DERIVED, self.last, graph)
        return programmes

    def _budget(self, programme: ox.NamedNode, graph: ox.NamedNode) -> Iterator[ox.Quad]:
        pick = self.random
        currency = _n(iris.PO_CURRENCY + "EUR")
        budget = _n(f"{programme.value}/budget")
        parts = [pick.randint(1, 400) * 25_000 for _ in range(2)]
        yield ox.Quad(programme, _n(CKG + "annualBudget"), budget, graph)
        yield ox.Quad(budget, TYPE, _n(CKG + "MonetaryAmount"), graph)
        yield ox.Quad(budget, _n(CKG + "amount"), _lit(sum(parts), "decimal"), graph)
        yield ox.Quad(budget, _n(CKG + "currency"), currency, graph)
        yield ox.Quad(budget, _n(CKG + "rawStatement"), _lit(f"{sum(parts):,}"), graph)
        yield ox.Quad(budget, _n(CKG + "budgetPeriod"), _lit("per year"), graph)
        if pick.random() < 0.3:
            yield ox.Quad(budget, _n(CKG + "amountQualifier"), _lit("around"), graph)
        for number, (label, amount) in enumerate(zip(("direct", "indirect"), parts, strict=True)):
            component = _n(f"{budget.value}/{number + 1}")
            yield ox.Quad(budget, _n(CKG + "hasComponent"), component, graph)
            yield ox.Quad(component, TYPE, _n(CKG + "MonetaryAmount"), graph)
            yield ox.Quad(component, _n(RDFS + "label"), _lit(f"{label} support", lang="en"), graph)
            yield ox.Quad(component, _n(CKG + "amount"), _lit(amount, "decimal"), graph)
            yield ox.Quad(component, _n(CKG + "currency"), currency, graph)
            yield ox.Quad(component, _n(CKG + "rawStatement"), _lit(f"{amount:,}"), graph)
            yield ox.Quad(component, _n(CKG + "budgetPeriod"), _lit("per year"), graph)

    def _situations(self, programmes: dict[str, list[ox.NamedNode]]) -> Iterator[ox.Quad]:
        graph = self._graph("situations")
        kinds = self.vocab.concepts["policy-situations"]
        dedicated = next(k for k in kinds if k.endswith("/dedicated-programme"))
        for alpha3, _, country in self.vocab.countries:
            chosen = [dedicated] if alpha3 in programmes else []
            chosen += self.random.sample([k for k in kinds if k != dedicated], 1)
            for kind in chosen:
                notation = kind.rsplit("/", 1)[-1]
                situation = _n(iris.resource_iri("situation", f"{alpha3}-{notation}"))
                yield from self._excerpt("Situations")
                yield ox.Quad(situation, TYPE, _n(CKG + "PolicySituation"), graph)
                yield ox.Quad(situation, _n(CKG + "country"), _n(country), graph)
                yield ox.Quad(situation, _n(CKG + "situationKind"), _n(kind), graph)
                yield ox.Quad(situation, _n(CKG + "reportedIn"), _n(NATIONAL_SURVEY), graph)
                yield ox.Quad(situation, DERIVED, self.last, graph)
                yield ox.Quad(_n(country), _n(CKG + "hasPolicySituation"), situation, graph)
                if kind == dedicated:
                    for programme in programmes[alpha3]:
                        yield ox.Quad(situation, _n(CKG + "concernsProgramme"), programme, graph)

    def _organisations(
        self,
        regions: dict[str, list[ox.NamedNode]],
        programmes: dict[str, list[ox.NamedNode]],
    ) -> Iterator[ox.Quad]:
        pick = self.random
        graph = self._graph("organisations")
        measures = self.vocab.concepts["measures-national"]
        ratings = self.vocab.concepts["ratings"]
        countries = [c for c in self.vocab.countries if c[0] in programmes]
        for index in range(self.organisations):
            alpha3, _, country = countries[index % len(countries)]
            region = pick.choice(regions[alpha3])
            key = f"synthetic-{index:05d}"
            organisation = _n(iris.resource_iri("organisation", key))
            cluster = _n(iris.resource_iri("cluster", key))
            name = f"{pick.choice(WORDS).title()} cluster {index}"
            yield from self._excerpt("Organisations")
            yield ox.Quad(organisation, TYPE, _n(CKG + "ClusterOrganisation"), graph)
            yield ox.Quad(organisation, PREF_LABEL, _lit(f"{name} management", lang="en"), graph)
            yield ox.Quad(organisation, _n(CKG + "country"), _n(country), graph)
            yield ox.Quad(organisation, _n(CKG + "region"), region, graph)
            yield ox.Quad(organisation, _n(SCHEMA + "url"),
                          _lit(f"https://example.org/{key}", "anyURI"), graph)
            yield ox.Quad(organisation, _n(CKG + "reportedIn"), _n(ORGANISATION_SURVEY), graph)
            yield ox.Quad(organisation, DERIVED, self.last, graph)
            yield ox.Quad(cluster, TYPE, _n(CKG + "Cluster"), graph)
            yield ox.Quad(cluster, PREF_LABEL, _lit(name, lang="en"), graph)
            yield ox.Quad(cluster, _n(CKG + "country"), _n(country), graph)
            yield ox.Quad(cluster, _n(CKG + "region"), region, graph)
            yield ox.Quad(cluster, _n(CKG + "coordinator"), organisation, graph)
            yield ox.Quad(cluster, DERIVED, self.last, graph)
            for programme in pick.sample(programmes[alpha3], min(2, len(programmes[alpha3]))):
                yield ox.Quad(programme, _n(CKG + "supportsCluster"), cluster, graph)
            for wave in WAVES:
                yield from self._ratings(key, organisation, region, wave, measures, ratings)

    def _ratings(
        self,
        key: str,
        organisation: ox.NamedNode,
        region: ox.NamedNode,
        wave: int,
        measures: list[str],
        ratings: list[str],
    ) -> Iterator[ox.Quad]:
        graph = self._graph(f"wave-{wave}")
        wave_node = _n(wave_iri(wave))
        yield from self._excerpt(f"Responses {wave}", len(measures))
        for measure in measures:
            notation = measure.rsplit("/", 1)[-1]
            rating = self.random.choice(ratings)
            node = _n(iris.resource_iri("measure-rating", f"{key}-{wave}-{notation}"))
            yield ox.Quad(node, TYPE, _n(CKG + "MeasureRating"), graph)
            yield ox.Quad(node, _n(CKG + "ratedBy"), region, graph)
            yield ox.Quad(node, _n(CKG + "ratedMeasure"), _n(measure), graph)
            yield ox.Quad(node, _n(CKG + "ratingValue"), _n(rating), graph)
            yield ox.Quad(node, _n(CKG + "ratingSymbol"),
                          _lit(SYMBOLS.get(rating.rsplit("/", 1)[-1], "?")), graph)
            yield ox.Quad(node, _n(CKG + "reportedIn"), _n(ORGANISATION_SURVEY), graph)
            yield ox.Quad(node, _n(CKG + "surveyWave"), wave_node, graph)
            yield ox.Quad(node, _n(PROV + "wasAttributedTo"), organisation, graph)
            yield ox.Quad(node, DERIVED, self.last, graph)


def reference_quads() -> Iterator[ox.Quad]:
    """The ontology and vocabularies, in their graphs as the real build loads them (blank
    nodes renamed in order of appearance, so the output stays the same across runs)."""
    blanks: dict[ox.BlankNode, ox.BlankNode] = {}

    def stable(term: Any) -> Any:
        if isinstance(term, ox.BlankNode):
            return blanks.setdefault(term, ox.BlankNode(f"b{len(blanks)}"))
        return term

    for path, graph in [(ONTOLOGY_FILE, "ontology")] + [
        (p, "vocabularies") for p in sorted(VOCABULARIES_DIR.glob("*.ttl"))
    ]:
        for triple in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE):
            yield ox.Quad(stable(triple.subject), triple.predicate, stable(triple.object),
                          _n(iris.graph_iri(graph)))


def generate(organisations: int = 3000, seed: int = 1) -> Iterator[ox.Quad]:
    """Every quad of the synthetic dataset (data, ontology, vocabularies), in a fixed order,
    one at a time: nothing keeps the whole dataset in memory (10M triples would be ~10 GB)."""
    generator = Generator(organisations, seed, Vocabularies.read())
    yield from reference_quads()
    yield from generator.quads()


def write(path: Path, organisations: int = 3000, seed: int = 1) -> int:
    """Stream the dataset as N-Quads to `path`; returns the number of quads."""
    count = 0

    def counted() -> Iterator[ox.Quad]:
        nonlocal count
        for quad in generate(organisations, seed):
            count += 1
            yield quad

    with path.open("wb") as out:
        ox.serialize(counted(), out, format=ox.RdfFormat.N_QUADS)
    return count


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--organisations", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=Path("synthetic.nq"))
    args = parser.parse_args(argv)
    count = write(args.out, args.organisations, args.seed)
    print(f"{count} quads written to {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
