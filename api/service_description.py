"""The SPARQL 1.1 Service Description of the endpoint, with VoID statistics of its dataset.

Answered at `GET /sparql` without a query (SPARQL 1.1 Service Description §2). Statistics are
gathered by SPARQL through the worker pool, so they obey the same time limit as any query, and
are kept per store, so a reload recomputes them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import pyoxigraph as ox

from clusterkg.api.execution import QueryPool
from clusterkg.api.media import GRAPH_FORMATS, RESULT_FORMATS
from clusterkg.api.results import QueryJob
from clusterkg.graph.materialise import RULE as RELEASE_RULE

SD = "http://www.w3.org/ns/sparql-service-description#"
VOID = "http://rdfs.org/ns/void#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
DESCRIPTION = ox.NamedNode("http://purl.org/dc/terms/description")
XSD_INTEGER = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
PREFIXES = {
    "sd": SD,
    "void": VOID,
    "formats": "http://www.w3.org/ns/formats/",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}

_GRAPH_SIZES = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"
_TRIPLES = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
_CLASSES = (
    "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c FILTER(isIRI(?c)) } "
    "GROUP BY ?c ORDER BY ?c"
)


@dataclass
class DatasetStatistics:
    """Triples of the (union) default graph, triples per named graph, entities per class."""

    triples: int = 0
    graphs: dict[str, int] = field(default_factory=dict)
    classes: dict[str, int] = field(default_factory=dict)


async def _rows(pool: QueryPool, query: str, timeout: float) -> list[dict[str, str]]:
    outcome = await pool.run(QueryJob(query, max_rows=10_000_000), timeout)
    if outcome.status != 200:
        raise RuntimeError(outcome.body.decode(errors="replace"))
    bindings = json.loads(outcome.body)["results"]["bindings"]
    return [{name: term["value"] for name, term in row.items()} for row in bindings]


async def statistics(pool: QueryPool, timeout: float) -> DatasetStatistics:
    """VoID numbers of the pool's store, computed once per store."""
    cached = pool.memo.get("void")
    if isinstance(cached, DatasetStatistics):
        return cached
    stats = DatasetStatistics()
    stats.triples = int((await _rows(pool, _TRIPLES, timeout))[0]["n"])
    stats.graphs = {r["g"]: int(r["n"]) for r in await _rows(pool, _GRAPH_SIZES, timeout)}
    stats.classes = {r["c"]: int(r["n"]) for r in await _rows(pool, _CLASSES, timeout)}
    pool.memo["void"] = stats
    return stats


def _count(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=XSD_INTEGER)


def description(
    endpoint: str, stats: DatasetStatistics, federation: bool
) -> list[ox.Triple]:
    """The description's triples; `endpoint` is the absolute URL of /sparql."""
    sd = {name: ox.NamedNode(SD + name) for name in (
        "Service", "endpoint", "supportedLanguage", "SPARQL11Query", "resultFormat", "feature",
        "UnionDefaultGraph", "BasicFederatedQuery", "defaultDataset", "Dataset",
        "defaultGraph", "namedGraph", "NamedGraph", "name", "graph", "Graph",
    )}
    void = {name: ox.NamedNode(VOID + name) for name in (
        "Dataset", "triples", "classPartition", "class", "entities", "sparqlEndpoint",
    )}
    service = ox.NamedNode(endpoint)
    dataset = ox.NamedNode(endpoint + "#dataset")
    default_graph = ox.NamedNode(endpoint + "#default-graph")
    triples = [
        ox.Triple(service, RDF_TYPE, sd["Service"]),
        ox.Triple(service, sd["endpoint"], service),
        ox.Triple(service, sd["supportedLanguage"], sd["SPARQL11Query"]),
        ox.Triple(service, sd["defaultDataset"], dataset),
        ox.Triple(dataset, RDF_TYPE, sd["Dataset"]),
        ox.Triple(dataset, RDF_TYPE, void["Dataset"]),
        ox.Triple(dataset, void["sparqlEndpoint"], service),
        ox.Triple(dataset, void["triples"], _count(stats.triples)),
        ox.Triple(dataset, sd["defaultGraph"], default_graph),
        ox.Triple(default_graph, RDF_TYPE, sd["Graph"]),
        ox.Triple(default_graph, void["triples"], _count(stats.triples)),
        # releases (h3): the default graph is the release's, not the union of the named graphs
        ox.Triple(default_graph, DESCRIPTION, ox.Literal(RELEASE_RULE, language="en")),
    ]
    if federation:
        triples.append(ox.Triple(service, sd["feature"], sd["BasicFederatedQuery"]))
    for fmt in RESULT_FORMATS + GRAPH_FORMATS:
        triples.append(ox.Triple(service, sd["resultFormat"], ox.NamedNode(fmt.iri)))
    for index, (name, size) in enumerate(stats.graphs.items()):
        named, graph = ox.BlankNode(f"named{index}"), ox.BlankNode(f"graph{index}")
        triples += [
            ox.Triple(dataset, sd["namedGraph"], named),
            ox.Triple(named, RDF_TYPE, sd["NamedGraph"]),
            ox.Triple(named, sd["name"], ox.NamedNode(name)),
            ox.Triple(named, sd["graph"], graph),
            ox.Triple(graph, RDF_TYPE, sd["Graph"]),
            ox.Triple(graph, void["triples"], _count(size)),
        ]
    for index, (cls, entities) in enumerate(stats.classes.items()):
        partition = ox.BlankNode(f"class{index}")
        triples += [
            ox.Triple(dataset, void["classPartition"], partition),
            ox.Triple(partition, void["class"], ox.NamedNode(cls)),
            ox.Triple(partition, void["entities"], _count(entities)),
        ]
    first_seen = {str(t.subject): i for i, t in reversed(list(enumerate(triples)))}
    return sorted(triples, key=lambda t: first_seen[str(t.subject)])
