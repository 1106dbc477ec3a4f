"""Every IRI of the graph resolves on this server at the same path as under
`https://w3id.org/clusterkg/`: `/id/…`, `/vocab/…`, `/source/…`, `/graph/…`, `/ontology`
(hash IRIs land on the term's anchor of its page), `/dataset` and `/catalog`; IRIs the graph
describes but does not own (countries, NUTS regions) at `/resource?iri=`.

Cool URIs: the server answers `200` with a `Content-Location` naming the representation sent
(`/id/programme/X.ttl`), never a `303`. The w3id.org redirect already costs one round trip,
each representation has a URL of its own that is served too, and the page about a resource
is a page *about* it (its IRI is stated on it), which is the reading the W3C TAG's 2012
httpRange-14 resolution gives a `200` with `Content-Location`.
"""

from __future__ import annotations

import re
from urllib.parse import quote

import pyoxigraph as ox
from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, Response

from clusterkg import iris
from clusterkg.api import catalog, negotiation, pages, pages_ld
from clusterkg.api.describe import (
    Description,
    best_labels,
    construct,
    describe,
    excerpts_of,
    exists,
    is_iri,
    select,
)
from clusterkg.api.negotiation import HTML, Choice
from clusterkg.api.state import StoreHolder, get_holder, get_settings, get_store
from clusterkg.graph.store import OxigraphStore, Store
from clusterkg.iris import PREFIXES
from clusterkg.settings import Settings

router = APIRouter(tags=["linked data"])

SUBJECTS_SHOWN = 1000
EXCERPT = iris.ONTOLOGY + "SourceExcerpt"
LD_PREFIXES = {**PREFIXES, "dcat": iris.DCAT, "void": iris.VOID,
               "sd": iris.SD,
               "spdx": "http://spdx.org/rdf/terms#", "adms": "http://www.w3.org/ns/adms#"}


def _bad_iri(iri: str) -> PlainTextResponse:
    return PlainTextResponse(
        f"{iri[:200]!r} is not an IRI (absolute, without spaces or any of <>\"{{}}|^`\\)\n", 400)


def _not_acceptable(format_param: str | None) -> PlainTextResponse:
    what = f"format={format_param!r} is not" if format_param else "no representation is"
    return PlainTextResponse(
        f"{what} acceptable; this resource is offered as {negotiation.offered()}\n",
        406, headers={"Vary": "Accept"},
    )


def _choose(request: Request, path: str) -> Choice | None:
    return negotiation.choose(
        path, request.headers.get("accept"), request.query_params.get("format")
    )


def _rdf(triples: list[ox.Triple], choice: Choice, query: str = "") -> Response:
    body = negotiation.serialize(triples, choice.format, LD_PREFIXES)
    return Response(body, media_type=choice.format.content_type,
                    headers=negotiation.headers(choice.path, choice.format, query))


def _html(html: str, choice: Choice, status: int = 200, query: str = "") -> HTMLResponse:
    headers = {**pages_ld.PAGE_HEADERS, **negotiation.headers(choice.path, HTML, query)}
    return HTMLResponse(html, status, headers=headers)


def _discrepancies(store: Store, iri: str) -> list[dict[str, str]]:
    ckg = iris.ONTOLOGY
    rows = select(store, f"""
        SELECT ?d ?claim ?claimed ?table WHERE {{
          ?d a <{ckg}Discrepancy> ; <{ckg}concerns> <{iri}> ; <{ckg}claim> ?claim ;
             <{ckg}claimedValue> ?claimed ; <{ckg}tableValue> ?table }} ORDER BY ?d""")
    return [{"iri": r["d"].value, "label": r["d"].value.rsplit("/", 1)[-1].replace("-", " "),
             "claim": r["claim"].value, "claimed": r["claimed"].value, "table": r["table"].value}
            for r in rows]


def not_found(store: Store, iri: str, choice: Choice | None) -> Response:
    """A helpful 404: what the server serves, and resources whose IRI is close."""
    if choice is None or choice.format is not HTML:
        return PlainTextResponse(
            f"no resource {iri} in the clusterkg graph; IRIs are /id/<kind>/<key>, "
            "/vocab/<scheme>/<notation>, /source/..., /graph/...; see /dataset\n", 404)
    stem = iri.rsplit("/", 1)[0] + "/"
    token = re.sub(r"[^a-z0-9]", "", iri.rsplit("/", 1)[-1].split("-")[0].lower())[:12]
    suggestions: list[tuple[str, str]] = []
    for row in select(store, f"""
        SELECT DISTINCT ?s WHERE {{ ?s ?p ?o FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{stem}")
          && CONTAINS(LCASE(STR(?s)), "{token}")) }} ORDER BY ?s LIMIT 10"""):
        suggestions.append((row["s"].value, pages_ld.href(row["s"].value)))
    kinds = sorted({
        row["k"].value for row in select(
            store, f'SELECT DISTINCT ?k WHERE {{ ?s ?p ?o FILTER(STRSTARTS(STR(?s), "{iris.ID}")) '
            f'BIND(STRBEFORE(STRAFTER(STR(?s), "{iris.ID}"), "/") AS ?k) }}')
    } - {""})
    html = pages_ld.render("notfound.html", title="Not found", iri=iri, suggestions=suggestions,
                           kinds=kinds, formats=[])
    return HTMLResponse(html, 404, headers={**pages_ld.PAGE_HEADERS, "Vary": "Accept"})


def _resource(request: Request, store: Store, path: str) -> Response:
    choice = _choose(request, path)
    iri = iris.BASE + (choice.path if choice else negotiation.split_extension(path)[0]).lstrip("/")
    if not is_iri(iri):
        return _bad_iri(iri)
    if choice is None:
        return _not_acceptable(request.query_params.get("format")) if exists(store, iri) \
            else not_found(store, iri, None)
    if iri.startswith(iris.GRAPH) and iri in store.named_graphs():
        return _graph(store, iri, choice)
    desc = describe(store, iri)
    if not desc.exists:
        return not_found(store, iri, choice)
    if choice.format is not HTML:
        return _rdf(desc.triples(), choice)
    return _html(_page(store, desc, choice.path), choice)


def _page(store: Store, desc: Description, path: str, query: str = "") -> str:
    discrepancies = _discrepancies(store, desc.iri)
    is_excerpt = any(st.predicate.endswith("#type") and st.term.value == EXCERPT
                     for st in desc.outgoing)
    if is_excerpt:
        found = excerpts_of(store, [desc.iri])
        if found:
            e = found[0]
            lines = (f"line {e.line_start}" if e.line_start == e.line_end
                     else f"lines {e.line_start}–{e.line_end}")
            desc.labels[desc.iri] = f"{e.title}, {e.table or 'text'}, {lines}"
            return str(pages_ld.resource_page(desc, path, discrepancies, query,
                                              {"excerpt": found[0]}, "excerpt.html"))
    return str(pages_ld.resource_page(desc, path, discrepancies, query))


def _graph(store: Store, graph: str, choice: Choice) -> Response:
    """A named graph: its triples as the RDF document, its subjects on the page."""
    if choice.format is not HTML:
        triples = construct(
            store, f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
        return _rdf(triples, choice)
    desc = describe(store, graph)
    subjects = [row["s"].value for row in select(
        store, f"SELECT DISTINCT ?s WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o FILTER(isIRI(?s)) }} }} "
        "ORDER BY ?s")]
    count = next(iter(select(
        store, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")))["n"].value
    shown = subjects[:SUBJECTS_SHOWN]
    labels = describe_labels(store, shown)
    extra = {"triples": int(count), "subject_count": len(subjects),
             "subjects": [(labels.get(s, s), pages_ld.href(s)) for s in shown]}
    desc.labels[graph] = "Named graph " + graph.removeprefix(iris.GRAPH)
    html = pages_ld.resource_page(desc, choice.path, [], "", extra, "graph.html")
    return _html(html, choice)


def describe_labels(store: Store, subjects: list[str]) -> dict[str, str]:
    """Labels of the subjects a graph page lists."""
    return dict(best_labels(store, set(subjects)))


@router.get("/id/{path:path}", include_in_schema=False)
@router.get("/vocab/{path:path}", include_in_schema=False)
@router.get("/source/{path:path}", include_in_schema=False)
@router.get("/graph/{path:path}", include_in_schema=False)
def resolve(request: Request, path: str, store: Store = Depends(get_store)) -> Response:
    """Any IRI of the data, vocabularies, sources and named graphs."""
    return _resource(request, store, request.url.path)


@router.get("/resource", include_in_schema=False)
@router.get("/resource.{ext}", include_in_schema=False)
def resource(request: Request, iri: str, store: Store = Depends(get_store)) -> Response:
    """An IRI the graph describes but this server does not own (a country, a NUTS region)."""
    choice = _choose(request, request.url.path)
    query = "?iri=" + quote(iri, safe="")
    if not is_iri(iri):
        return _bad_iri(iri)
    if choice is None:
        return _not_acceptable(request.query_params.get("format"))
    desc = describe(store, iri)
    if not desc.exists:
        return not_found(store, iri, choice)
    if choice.format is not HTML:
        return _rdf(desc.triples(), choice, query)
    return _html(_page(store, desc, choice.path, query), choice, query=query)


@router.get("/ontology", include_in_schema=False)
@router.get("/ontology.{ext}", include_in_schema=False)
def ontology(
    request: Request, store: Store = Depends(get_store), settings: Settings = Depends(get_settings)
) -> Response:
    """The ontology: its documentation page (one anchor per term, where hash IRIs land) or
    its graph in an RDF format."""
    choice = _choose(request, request.url.path)
    if choice is None:
        return _not_acceptable(request.query_params.get("format"))
    if choice.format is HTML:
        answer = pages.ontology_page(settings)  # the documentation page, as /ontology serves it
        if answer.status_code == 200:
            answer.headers.update(negotiation.headers(choice.path, HTML))
        return answer
    graph = iris.graph_iri("ontology")
    triples = construct(
        store, f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    return _rdf(triples, choice)


@router.get("/dataset", include_in_schema=False)
@router.get("/dataset.{ext}", include_in_schema=False)
@router.get("/catalog", include_in_schema=False)
@router.get("/catalog.{ext}", include_in_schema=False)
async def dataset(
    request: Request, holder: StoreHolder = Depends(get_holder),
    settings: Settings = Depends(get_settings),
) -> Response:
    """The DCAT-AP catalogue and the dataset (DCAT-AP and VoID) it lists."""
    choice = _choose(request, request.url.path)
    if choice is None:
        return _not_acceptable(request.query_params.get("format"))
    triples = await catalog.description(holder, settings)
    if choice.format is not HTML:
        return _rdf(triples, choice)
    store = OxigraphStore()
    store.add_quads(ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(catalog.GRAPH))
                    for t in triples)
    iri = iris.BASE + choice.path.lstrip("/")
    desc = describe(store, iri)
    return _html(pages_ld.resource_page(desc, choice.path, []), choice)
