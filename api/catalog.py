"""The dataset described in DCAT-AP 3.0.1 and VoID: `/catalog` and `/dataset`.

What is declared (titles, publisher, licence, themes, dumps, services, linksets) is data in
`api/catalog.yaml`; what the build knows is added here: issued/modified (the build activity's
start), the release version, temporal coverage (the programmes' periods), every dump's byte
size and SHA-256, and the VoID counts (triples, entities, class and property partitions,
links per linkset). The dataset IRI is the one the SPARQL service description names; the
services' endpoint URLs are on the published server (`data/publication.yaml`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import anyio.to_thread
import pyoxigraph as ox
import yaml

from clusterkg import iris
from clusterkg.api.describe import select
from clusterkg.api.state import StoreHolder
from clusterkg.graph.store import Store
from clusterkg.paths import API_DIR
from clusterkg.publication import publication
from clusterkg.settings import Settings

DATASET_IRI = iris.BASE + "dataset"
CATALOG_IRI = iris.BASE + "catalog"
GRAPH = iris.BASE + "graph/catalog"
NS = {
    "rdf": iris.RDF,
    "xsd": iris.XSD,
    "dct": iris.DCTERMS,
    "dcat": iris.DCAT,
    "void": iris.VOID,
    "foaf": iris.FOAF,
    "skos": iris.SKOS,
    "prov": iris.PROV,
    "spdx": "http://spdx.org/rdf/terms#",
    "ckg": iris.ONTOLOGY,
    "owl": iris.OWL,
    "dcatap": "http://data.europa.eu/r5r/",
}
# DCAT-AP 3.0.1's mdr-vocabularies shape wants the algorithm IRI to start with
# https://spdx.org/rdf/terms (its ChecksumAlgorithmRestriction); the SPDX 2 term itself is
# http://spdx.org/rdf/terms#checksumAlgorithm_sha256, stated as owl:sameAs for consumers.
SHA256 = ox.NamedNode("https://spdx.org/rdf/terms#checksumAlgorithm_sha256")
IANA = "http://www.iana.org/assignments/media-types/"
FILE_TYPE = "http://publications.europa.eu/resource/authority/file-type/"
THEME = "http://publications.europa.eu/resource/authority/data-theme/"


def n(name: str) -> ox.NamedNode:
    """`dct:title` -> NamedNode."""
    prefix, _, local = name.partition(":")
    return ox.NamedNode(NS[prefix] + local)


def _en(text: str) -> ox.Literal:
    return ox.Literal(" ".join(text.split()), language="en")


def _typed(value: object, datatype: str) -> ox.Literal:
    return ox.Literal(str(value), datatype=n(datatype))


@lru_cache(maxsize=1)
def declared() -> dict[str, Any]:
    """`api/catalog.yaml`."""
    data: dict[str, Any] = yaml.safe_load((API_DIR / "catalog.yaml").read_text(encoding="utf-8"))
    return data


@dataclass(frozen=True)
class Dump:
    """One downloadable file of the build, as the catalogue lists it."""

    name: str  # path under /dumps/
    path: Path
    title: str
    media_type: str
    file_type: str
    size: int
    sha256: str

    @property
    def iri(self) -> str:
        return f"{iris.BASE}dumps/{self.name}"


_checksums: dict[tuple[str, int, int], str] = {}


def sha256_of(path: Path) -> str:
    """SHA-256 of a file, remembered per (path, size, modification time)."""
    stat = path.stat()
    key = (str(path), stat.st_size, stat.st_mtime_ns)
    if key not in _checksums:
        digest = hashlib.sha256()
        with path.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
        _checksums[key] = digest.hexdigest()
    return _checksums[key]


def dumps(dist: Path) -> list[Dump]:
    """The dumps the build wrote into `dist` that the catalogue lists (missing ones are left
    out rather than announced)."""
    found: list[Dump] = []
    for entry in declared()["dumps"]:
        paths = sorted(dist.glob(entry["glob"])) if "glob" in entry else [dist / entry["file"]]
        for path in paths:
            if not path.is_file():
                continue
            found.append(Dump(
                name=path.relative_to(dist).as_posix(), path=path,
                title=entry["title"].format(stem=path.stem), media_type=entry["media_type"],
                file_type=entry["file_type"], size=path.stat().st_size, sha256=sha256_of(path),
            ))
    return found


def release_version(holder: StoreHolder) -> str:
    """The served release's version (the build and the waves in it, `graph/release.py`)."""
    return str(holder.release.version)


@dataclass
class Counts:
    """VoID numbers of the served store, and what the build states about itself."""

    triples: int
    entities: int
    classes: dict[str, int]
    properties: dict[str, int]
    links: dict[str, int]
    started: str | None
    period: tuple[str | None, str | None]
    sources: list[str]


def _rows(store: Store, query: str) -> list[dict[str, str]]:
    result = select(store, query)
    return [{v.value: row[v].value for v in result.variables if row[v] is not None}
            for row in result]


def count(store: Store) -> Counts:
    """Count what VoID and DCAT need from the store (a few aggregate queries)."""
    ckg, prov = iris.ONTOLOGY, NS["prov"]
    triples = int(_rows(store, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")[0]["n"])
    entities = int(_rows(store, f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s ?p ?o "
                                f"FILTER(STRSTARTS(STR(?s), '{iris.ID}')) }}")[0]["n"])
    classes = {r["c"]: int(r["n"]) for r in _rows(
        store, "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c FILTER(isIRI(?c)) } "
               "GROUP BY ?c ORDER BY ?c")}
    properties = {r["p"]: int(r["n"]) for r in _rows(
        store, "SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p ORDER BY ?p")}
    links = {}
    for linkset in declared()["linksets"]:
        links[linkset["id"]] = int(_rows(
            store, f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s <{linkset['predicate']}> ?o }}")[0]["n"])
    started = _rows(store, f"SELECT ?t WHERE {{ <{iris.BASE}build> <{prov}startedAtTime> ?t }}")
    period = _rows(store, f"""SELECT (MIN(?start) AS ?from) (MAX(?end) AS ?to) WHERE {{
        ?p a <{ckg}ClusterProgramme> ; <{NS['dct']}temporal> ?t .
        OPTIONAL {{ ?t <{NS['dcat']}startDate> ?start }}
        OPTIONAL {{ ?t <{NS['dcat']}endDate> ?end }}
        }}""")
    sources = [r["d"] for r in _rows(store, f"SELECT ?d WHERE {{ ?d a <{ckg}SourceDocument> }} "
                                            "ORDER BY ?d")]
    return Counts(triples, entities, classes, properties, links,
                  started[0]["t"] if started else None,
                  (period[0].get("from"), period[0].get("to")) if period else (None, None),
                  sources)


async def description(holder: StoreHolder, settings: Settings) -> list[ox.Triple]:
    """The catalogue and dataset triples for the live store (counts computed once per store)."""
    store = holder.store
    memo = holder.pool.memo
    cached = memo.get("catalog-counts")
    counts = cached if isinstance(cached, Counts) else await anyio.to_thread.run_sync(count, store)
    memo["catalog-counts"] = counts
    dist = settings.dataset.parent
    listed = await anyio.to_thread.run_sync(dumps, dist)
    return triples(counts, listed, release_version(holder))


def _date_literal(value: str) -> ox.Literal:
    """An xsd:date or xsd:gYear literal for a period bound as the data states it."""
    return _typed(value, "xsd:gYear" if len(value) == 4 else "xsd:date")


def triples(counts: Counts, listed: list[Dump], version: str) -> list[ox.Triple]:
    """The DCAT-AP + VoID graph."""
    spec = declared()
    out: list[ox.Triple] = []

    def add(s: ox.NamedNode, p: str, o: ox.NamedNode | ox.Literal) -> None:
        out.append(ox.Triple(s, n(p), o))

    cat, ds = ox.NamedNode(CATALOG_IRI), ox.NamedNode(DATASET_IRI)
    publisher = ox.NamedNode(spec["publisher"]["iri"])
    add(publisher, "rdf:type", n("foaf:Agent"))
    add(publisher, "foaf:name", _en(spec["publisher"]["name"]))

    add(cat, "rdf:type", n("dcat:Catalog"))
    add(cat, "dct:title", _en(spec["catalog"]["title"]))
    add(cat, "dct:description", _en(spec["catalog"]["description"]))
    add(cat, "dct:publisher", publisher)
    add(cat, "dcat:dataset", ds)
    homepage = ox.NamedNode(spec["catalog"]["homepage"])
    add(cat, "foaf:homepage", homepage)
    add(homepage, "rdf:type", n("foaf:Document"))
    add(cat, "dcat:themeTaxonomy", ox.NamedNode(THEME.rstrip("/")))
    d = spec["dataset"]
    add(cat, "dct:license", ox.NamedNode(d["licence"]))
    add(cat, "dct:language", ox.NamedNode(d["language"]))
    for place in d["spatial"]:
        add(cat, "dct:spatial", ox.NamedNode(place))

    add(ds, "rdf:type", n("dcat:Dataset"))
    add(ds, "rdf:type", n("void:Dataset"))
    add(ds, "dct:title", _en(d["title"]))
    add(ds, "dct:description", _en(d["description"]))
    add(ds, "dct:publisher", publisher)
    add(ds, "dct:license", ox.NamedNode(d["licence"]))
    rights = ox.NamedNode(DATASET_IRI + "#reuse-conditions")
    add(ds, "dct:rights", rights)
    add(rights, "rdf:type", n("dct:RightsStatement"))
    add(rights, "dct:description", _en(d["rights"]))
    add(ds, "dct:language", ox.NamedNode(d["language"]))
    add(ds, "dct:accrualPeriodicity", ox.NamedNode(d["frequency"]))
    for keyword in d["keywords"]:
        add(ds, "dcat:keyword", _en(keyword))
    for theme in d["themes"]:
        add(ds, "dcat:theme", ox.NamedNode(THEME + theme))
    for place in d["spatial"]:
        add(ds, "dct:spatial", ox.NamedNode(place))
    start, end = counts.period
    if start or end:
        period = ox.NamedNode(DATASET_IRI + "#temporal-coverage")
        add(ds, "dct:temporal", period)
        add(period, "rdf:type", n("dct:PeriodOfTime"))
        if start:
            add(period, "dcat:startDate", _date_literal(start))
        if end:
            add(period, "dcat:endDate", _date_literal(end))
    if counts.started:
        add(ds, "dct:issued", _typed(counts.started, "xsd:dateTime"))
        add(cat, "dct:issued", _typed(counts.started, "xsd:dateTime"))
        add(ds, "dct:modified", _typed(counts.started, "xsd:dateTime"))
        add(cat, "dct:modified", _typed(counts.started, "xsd:dateTime"))
    add(ds, "dcat:version", ox.Literal(version))
    add(ds, "dcat:landingPage", ds)
    for source in counts.sources:
        add(ds, "prov:wasDerivedFrom", ox.NamedNode(source))
    add(ds, "prov:wasGeneratedBy", ox.NamedNode(iris.BASE + "build"))
    add(ox.NamedNode(iris.BASE + "build"), "rdf:type", n("prov:Activity"))

    # VoID
    add(ds, "void:uriSpace", ox.Literal(d["uri_space"]))
    for vocabulary in d["vocabularies"]:
        add(ds, "void:vocabulary", ox.NamedNode(vocabulary))
    add(ds, "void:triples", _typed(counts.triples, "xsd:integer"))
    add(ds, "void:entities", _typed(counts.entities, "xsd:integer"))
    add(ds, "void:classes", _typed(len(counts.classes), "xsd:integer"))
    add(ds, "void:properties", _typed(len(counts.properties), "xsd:integer"))
    for cls, entities in counts.classes.items():
        part = ox.NamedNode(DATASET_IRI + "#class-" + hashlib.sha1(cls.encode()).hexdigest()[:10])
        add(ds, "void:classPartition", part)
        add(part, "rdf:type", n("void:Dataset"))
        add(part, "void:class", ox.NamedNode(cls))
        add(part, "void:entities", _typed(entities, "xsd:integer"))
    for prop, size in counts.properties.items():
        digest = hashlib.sha1(prop.encode()).hexdigest()[:10]
        part = ox.NamedNode(f"{DATASET_IRI}#property-{digest}")
        add(ds, "void:propertyPartition", part)
        add(part, "rdf:type", n("void:Dataset"))
        add(part, "void:property", ox.NamedNode(prop))
        add(part, "void:triples", _typed(size, "xsd:integer"))
    for linkset in spec["linksets"]:
        node = ox.NamedNode(DATASET_IRI + "#linkset-" + linkset["id"])
        add(node, "rdf:type", n("void:Linkset"))
        add(node, "dct:title", _en(linkset["title"]))
        add(node, "void:subjectsTarget", ds)
        add(node, "void:objectsTarget", ox.NamedNode(linkset["target"]))
        add(node, "void:linkPredicate", ox.NamedNode(linkset["predicate"]))
        add(node, "void:triples", _typed(counts.links[linkset["id"]], "xsd:integer"))
        add(ds, "void:subset", node)
        add(ox.NamedNode(linkset["target"]), "rdf:type", n("void:Dataset"))

    # Where clients send requests: the published server (data/publication.yaml), not the w3id
    # IRI, whose redirect a SPARQL Protocol POST or a client that follows no redirects would
    # stumble on. The services keep their w3id IRIs as names.
    server = publication()
    add(ds, "void:sparqlEndpoint", ox.NamedNode(server.url("sparql")))
    for service in spec["services"]:
        node = ox.NamedNode(iris.BASE + service["path"])
        add(cat, "dcat:service", node)
        add(node, "rdf:type", n("dcat:DataService"))
        add(node, "dct:title", _en(service["title"]))
        add(node, "dct:description", _en(service["description"]))
        add(node, "dcat:endpointURL", ox.NamedNode(server.url(service["path"])))
        add(node, "dcat:servesDataset", ds)
        described = ox.NamedNode(iris.BASE + service["endpoint_description"])
        add(node, "dcat:endpointDescription", described)
        for theme in d["themes"]:
            add(node, "dcat:theme", ox.NamedNode(THEME + theme))
        for keyword in d["keywords"]:
            add(node, "dcat:keyword", _en(keyword))
        add(node, "dct:conformsTo", ox.NamedNode(service["conforms_to"]))
        add(ox.NamedNode(service["conforms_to"]), "rdf:type", n("dct:Standard"))
        add(node, "dct:license", ox.NamedNode(d["licence"]))
        add(node, "dct:publisher", publisher)

    for dump in listed:
        dist = ox.NamedNode(DATASET_IRI + "#dump-" + dump.name.replace("/", "-"))
        url = ox.NamedNode(dump.iri)
        add(ds, "dcat:distribution", dist)
        add(dist, "rdf:type", n("dcat:Distribution"))
        add(dist, "dct:title", _en(dump.title))
        add(dist, "dct:description", _en(f"{dump.title}: {dump.name} of release {version}."))
        add(dist, "dcatap:availability", ox.NamedNode(spec["availability"]))
        add(dist, "dcat:accessURL", url)
        add(dist, "dcat:downloadURL", url)
        add(dist, "dcat:mediaType", ox.NamedNode(IANA + dump.media_type))
        add(ox.NamedNode(IANA + dump.media_type), "rdf:type", n("dct:MediaType"))
        add(dist, "dct:format", ox.NamedNode(FILE_TYPE + dump.file_type))
        add(dist, "dcat:byteSize", _typed(dump.size, "xsd:nonNegativeInteger"))
        add(dist, "dct:license", ox.NamedNode(d["licence"]))
        checksum = ox.NamedNode(DATASET_IRI + "#sha256-" + dump.name.replace("/", "-"))
        add(dist, "spdx:checksum", checksum)
        add(checksum, "rdf:type", n("spdx:Checksum"))
        add(checksum, "spdx:algorithm", SHA256)
        add(checksum, "spdx:checksumValue", _typed(dump.sha256, "xsd:hexBinary"))
        if dump.file_type != "CSV":
            add(ds, "void:dataDump", url)
    add(SHA256, "rdf:type", n("spdx:ChecksumAlgorithm"))
    add(SHA256, "owl:sameAs", n("spdx:checksumAlgorithm_sha256"))

    for concept, about in spec["concepts"].items():
        node = ox.NamedNode(concept)
        add(node, "rdf:type", n("skos:Concept"))
        for extra in about.get("types", []):
            add(node, "rdf:type", ox.NamedNode(extra))
        add(node, "skos:inScheme", ox.NamedNode(about["scheme"]))
        add(node, "skos:prefLabel", _en(about["label"]))
        if "licence_type" in about:
            add(node, "dct:type", ox.NamedNode(about["licence_type"]))
    for scheme, title in spec["schemes"].items():
        add(ox.NamedNode(scheme), "rdf:type", n("skos:ConceptScheme"))
        add(ox.NamedNode(scheme), "dct:title", _en(title))
    unique = list(dict.fromkeys(out))
    first = {str(t.subject): i for i, t in reversed(list(enumerate(unique)))}
    return sorted(unique, key=lambda t: first[str(t.subject)])
