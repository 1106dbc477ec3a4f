"""The SPARQL service description as a page for people: `GET /sparql` without a query, from a
browser (an `Accept` that prefers HTML to every RDF format), answers an HTML page rendered from
the service description's own Turtle; every other client gets the RDF as before.

A middleware rather than an edit of the SPARQL route: the route stays the one place that
builds the description, and the page is only a view of what it answers (asked for as Turtle).
"""

from __future__ import annotations

from html import escape

import rdflib
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from clusterkg import iris
from clusterkg.api.pages import SECURITY_HEADERS

HTML_TYPES = ("text/html", "application/xhtml+xml")
RDF_TYPES = ("text/turtle", "application/rdf+xml", "application/xml", "text/xml",
             "application/n-triples", "text/plain", "application/ld+json", "application/json")
FORMATS = (("Turtle", "ttl"), ("RDF/XML", "rdf"), ("N-Triples", "nt"), ("JSON-LD", "jsonld"))


def _accept(header: str) -> list[tuple[str, float]]:
    ranges = []
    for item in header.split(","):
        media, *params = (part.strip() for part in item.split(";"))
        q = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if media:
            ranges.append((media.lower(), q))
    return ranges


def _quality(ranges: list[tuple[str, float]], media: str) -> float:
    """The quality the ranges give a media type: its own entry, else `type/*`, else `*/*`."""
    for wanted in (media, media.split("/")[0] + "/*", "*/*"):
        found = [q for name, q in ranges if name == wanted]
        if found:
            return max(found)
    return 0.0


def prefers_html(accept: str | None) -> bool:
    """True when the Accept header names HTML and ranks it above every RDF format the
    description is offered in (browsers also name images with q=1: those do not count)."""
    ranges = _accept(accept or "")
    html = max((q for media, q in ranges if media in HTML_TYPES), default=0.0)
    return html > 0 and all(html > _quality(ranges, rdf) for rdf in RDF_TYPES)


def wants_page(scope: Scope) -> bool:
    """A browser's GET of `/sparql` without a query or a format. Every other request is told
    apart by its method, its path and its Accept header naming HTML, which a client of the
    protocol never does, before any query string or Accept header is parsed."""
    if scope["type"] != "http" or scope["method"] != "GET" or scope["path"] != "/sparql":
        return False
    accept = next((value for name, value in scope["headers"] if name == b"accept"), b"")
    if b"html" not in accept.lower():  # so no range of HTML_TYPES: never a page
        return False
    request = Request(scope)
    return (not {"query", "format", "output"} & set(request.query_params)
            and prefers_html(request.headers.get("accept")))


def _term(term: rdflib.term.Node, graph: rdflib.Graph, subjects: set[rdflib.term.Node]) -> str:
    if isinstance(term, rdflib.URIRef):
        shown = escape(graph.namespace_manager.normalizeUri(term))
        if term in subjects:
            return f'<a href="#{escape(str(abs(hash(term))))}">{shown}</a>'
        return f"<code>{shown}</code>"
    if isinstance(term, rdflib.BNode):
        return f'<a href="#{escape(str(abs(hash(term))))}">(described below)</a>'
    return escape(str(term))


def render(turtle: str, endpoint: str) -> str:
    """An HTML page of every resource the description states, the service first."""
    graph = rdflib.Graph()
    graph.parse(data=turtle, format="turtle")
    sd = rdflib.Namespace(iris.SD)
    subjects = set(graph.subjects())
    first = sorted(set(graph.subjects(rdflib.RDF.type, sd.Service)), key=str)
    ordered = first + sorted(subjects - set(first), key=lambda s: (isinstance(s, rdflib.BNode),
                                                                   str(s)))
    sections = []
    for subject in ordered:
        rows = "".join(
            f"<tr><th>{escape(graph.namespace_manager.normalizeUri(str(p)))}</th><td>"
            + "<br>".join(sorted(_term(o, graph, subjects) for o in graph.objects(subject, p)))
            + "</td></tr>"
            for p in sorted(set(graph.predicates(subject)), key=str)
        )
        title = ("(a part of the description)" if isinstance(subject, rdflib.BNode)
                 else escape(str(subject)))
        sections.append(f'<h2 id="{abs(hash(subject))}">{title}</h2><table>{rows}</table>')
    links = " · ".join(f'<a href="sparql?format={fmt}">{name}</a>' for name, fmt in FORMATS)
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><link rel="icon" '
        'href="data:,"><title>clusterkg — SPARQL service description</title>'
        f'<link rel="stylesheet" href="static/query.css"></head><body>'
        '<nav><a href="./">← Query page</a> · <a href="ontology">Ontology</a></nav>'
        f"<h1>SPARQL service description</h1><p>The endpoint <code>{escape(endpoint)}</code> "
        "answers SPARQL 1.1 queries (GET, POST form, POST application/sparql-query). "
        f"This description as RDF: {links}.</p>{''.join(sections)}</body></html>"
    )


class ServiceDescriptionPage:
    """Serves the HTML view of the service description to browsers.

    A plain ASGI middleware: every other request passes through untouched, so streamed answers
    and client-disconnect detection (the query and validation routes rely on both) are unchanged.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not wants_page(scope):
            await self.app(scope, receive, send)
            return
        headers = [(k, v) for k, v in scope["headers"] if k != b"accept"]
        inner = {**scope, "headers": [*headers, (b"accept", b"text/turtle")]}
        status = 500
        start: Message = {}
        chunks: list[bytes] = []

        async def collect(message: Message) -> None:
            nonlocal status, start
            if message["type"] == "http.response.start":
                status, start = message["status"], message
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(inner, receive, collect)
        if status != 200:
            await send(start)
            await send({"type": "http.response.body", "body": b"".join(chunks)})
            return
        request = Request(scope)
        endpoint = str(request.url.replace(query="", fragment=""))
        page = HTMLResponse(render(b"".join(chunks).decode("utf-8"), endpoint),
                            headers={**SECURITY_HEADERS, "Vary": "Accept"})
        await page(scope, receive, send)
