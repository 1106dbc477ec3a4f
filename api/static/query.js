// The query page on YASGUI's editor (YASQE) and result viewer (YASR), installed from npm and
// served from this server's /vendor: the library's queries as examples by topic, completion of
// prefixes, classes and properties from this graph (never prefix.cc or LOV), result IRIs shown
// by their label and linked to this server's own pages, a chart and a map view, CSV/TSV/JSON
// downloads and links that run their query when opened. Nothing is loaded from other hosts.
"use strict";

(function () {
  const Yasqe = window.Yasgui.Yasqe;
  const Yasr = window.Yasgui.Yasr;
  const Views = window.ClusterViews;
  const BASE = "https://w3id.org/clusterkg/";
  const ONTOLOGY = BASE + "ontology#";
  const ENDPOINT = new URL("sparql", document.baseURI).href;
  const LABELS_AT_MOST = 500;
  const $ = (id) => document.getElementById(id);
  const library = JSON.parse($("library").textContent || "[]");
  const examples = $("examples");
  let view = null; // the view the current query asks for (its `#+ view:` header or the link)

  // --- links to this server's pages ---------------------------------------------------
  // IRIs of the graph resolve here at the same path (h6's resolver); ontology terms land on
  // their anchor of the documentation; other web IRIs (countries, NUTS) on /resource?iri=.
  // Anything that is not http(s) gets no link at all (no javascript: or data: hrefs).
  function localHref(iri) {
    if (iri.startsWith(ONTOLOGY)) return "ontology#" + iri.slice(ONTOLOGY.length);
    if (iri.startsWith(BASE)) return iri.slice(BASE.length);
    if (/^https?:\/\//i.test(iri)) return "resource?iri=" + encodeURIComponent(iri);
    return null;
  }

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, (c) => ({
      "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;",
    })[c]);
  }

  function shortName(iri, prefixes) {
    for (const name in prefixes || {}) {
      const ns = prefixes[name];
      if (ns && iri.startsWith(ns)) return name + ":" + iri.slice(ns.length);
    }
    return "<" + iri + ">";
  }

  const XSD = "http://www.w3.org/2001/XMLSchema#";
  const RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#";

  class LocalTable extends Yasr.plugins.table {
    // Whole cells by default, so that a result link is followed on the first click (YASR's
    // shortened cells take the first click to expand); the "Ellipse" switch still shortens.
    draw(persistentConfig) {
      return super.draw(Object.assign({ isEllipsed: false }, persistentConfig));
    }

    getUriLinkFromBinding(binding, prefixes) {
      const iri = binding.value;
      const label = Views.labels.get(iri);
      const short = shortName(iri, prefixes);
      if (iri.startsWith(XSD) || iri === RDF + "langString") return escapeHtml(short); // datatypes
      const prefixed = !short.startsWith("<");
      const shown = !label ? escapeHtml(short)
        : escapeHtml(label) + (prefixed ? " <small>" + escapeHtml(short) + "</small>" : "");
      const href = localHref(iri);
      if (!href) return "<span class='iri' title='" + escapeHtml(iri) + "'>" + shown + "</span>";
      return "<a class='iri' href='" + escapeHtml(href) + "' title='" + escapeHtml(iri) + "'>"
        + shown + "</a>";
    }
  }

  Yasr.registerPlugin("table", LocalTable);
  Yasr.registerPlugin("chart", Views.Chart);
  Yasr.registerPlugin("map", Views.CountryMap);

  // --- completion from this server -----------------------------------------------------
  let known = {}; // the server's prefixes, also used to shorten IRIs in results
  fetch("workbench/prefixes.json").then((r) => r.json()).then((found) => { known = found; });
  const terms = fetch("workbench/terms.json").then((r) => r.json());
  function localCompleter(name, key) {
    const base = Yasqe.Autocompleters[name];
    return Object.assign({}, base, {
      name, bulk: false, persistenceId: null,
      get: (_yasqe, token) => terms.then((found) => {
        const typed = ((token && (token.autocompletionString || token.string)) || "").toLowerCase();
        return found[key].filter((iri) => iri.toLowerCase().includes(typed));
      }),
    });
  }
  Yasqe.registerAutocompleter(localCompleter("class", "classes"));
  Yasqe.registerAutocompleter(localCompleter("property", "properties"));

  const yasqe = new Yasqe($("yasqe"), {
    persistenceId: null,
    prefixCcApi: new URL("workbench/prefixes.json", document.baseURI).href,
    editorHeight: "320px",
    createShareableLink: () => shareUrl(),
    consumeShareLink: null,
    requestConfig: {
      endpoint: ENDPOINT, method: "POST",
      acceptHeaderSelect: "application/sparql-results+json",
      acceptHeaderGraph: "text/turtle",
    },
  });
  const yasr = new Yasr($("yasr"), {
    persistenceId: null,
    pluginOrder: ["table", "chart", "map", "response"],
    defaultPlugin: "table",
    prefixes: () => Object.assign({}, known, yasqe.getPrefixesFromQuery()),
  });

  // --- labels of result IRIs ------------------------------------------------------------
  async function fetchLabels() {
    const results = yasr.results;
    if (!results || !results.getBindings) return;
    const iris = new Set();
    for (const row of results.getBindings() || []) {
      for (const name in row) {
        if (row[name].type === "uri" && !Views.labels.has(row[name].value)) iris.add(row[name].value);
      }
    }
    const wanted = [...iris].filter((iri) => /^https?:\/\/[^\s<>"{}|\\^`]+$/.test(iri))
      .slice(0, LABELS_AT_MOST);
    if (!wanted.length) return;
    const query = "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
      + "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
      + "SELECT ?s (SAMPLE(?en) AS ?english) (SAMPLE(?l) AS ?any) WHERE {\n"
      + "  VALUES ?s { " + wanted.map((iri) => "<" + iri + ">").join(" ") + " }\n"
      + "  ?s skos:prefLabel|rdfs:label ?l .\n"
      + "  OPTIONAL { ?s skos:prefLabel|rdfs:label ?en FILTER (LANGMATCHES(LANG(?en), \"en\")) }\n"
      + "} GROUP BY ?s";
    const response = await fetch(ENDPOINT, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded",
                 Accept: "application/sparql-results+json" },
      body: new URLSearchParams({ query }),
    });
    if (!response.ok) return;
    for (const row of (await response.json()).results.bindings) {
      const label = (row.english || row.any || {}).value;
      if (label) Views.labels.set(row.s.value, label);
    }
  }

  yasqe.on("queryBefore", () => {
    document.body.dataset.state = "running";
    $("status").textContent = "Running…";
    share(false);
  });
  yasqe.on("queryResponse", async (_yasqe, response, duration) => {
    yasr.setResponse(response, duration);
    try { await fetchLabels(); } catch (error) { console.warn("labels", error); }
    const results = yasr.results;
    const rows = results && results.getBindings ? (results.getBindings() || []).length : null;
    const wanted = view && yasr.plugins[view] && yasr.plugins[view].canHandleResults() ? view : null;
    if (wanted && yasr.selectedPlugin !== wanted) yasr.selectPlugin(wanted);
    else yasr.draw();
    const failed = results && results.getError && results.getError();
    $("status").textContent = failed ? "The query failed (" + (failed.status || "error") + ")"
      : rows === null ? "Answer in " + duration + " ms"
      : rows + (rows === 1 ? " row" : " rows") + " in " + duration + " ms";
    document.body.dataset.state = failed ? "error" : "done";
  });
  yasqe.on("change", updateDownloads);

  // --- examples -------------------------------------------------------------------------
  function header(sparql, key) {
    const values = [];
    for (const line of sparql.split("\n")) {
      const match = /^#\+\s*([\w-]+)\s*:\s*(.*)$/.exec(line);
      if (match && match[1] === key) values.push(match[2].trim());
    }
    return values;
  }

  function fillExamples() {
    const topics = new Map();
    for (const q of library) {
      if (!topics.has(q.topic)) topics.set(q.topic, []);
      topics.get(q.topic).push(q);
    }
    for (const [topic, queries] of topics) {
      const group = document.createElement("optgroup");
      group.label = topic;
      for (const q of queries) {
        const option = document.createElement("option");
        option.value = q.name;
        const shows = header(q.sparql, "view")[0];
        option.textContent = q.name + " — " + q.summary + (shows ? " [" + shows + "]" : "");
        group.appendChild(option);
      }
      examples.appendChild(group);
    }
  }

  function document_(q) {
    $("example-summary").textContent = q ? q.description || q.summary : "";
    const params = $("example-params");
    params.textContent = "";
    for (const p of (q && q.params) || []) {
      const dt = document.createElement("dt");
      dt.textContent = "?" + p.name;
      const dd = document.createElement("dd");
      dd.textContent = p.description + " — bind it with a VALUES line, or call ";
      const code = document.createElement("code");
      code.textContent = "queries/" + q.name + "?" + p.name + "=…";
      dd.appendChild(code);
      params.append(dt, dd);
    }
    params.hidden = !params.childElementCount;
  }

  function pick(name) {
    const q = library.find((item) => item.name === name);
    document_(q);
    if (!q) return null;
    examples.value = q.name;
    view = header(q.sparql, "view")[0] || null;
    yasqe.setValue(q.sparql);
    return q;
  }

  examples.addEventListener("change", () => {
    if (pick(examples.value)) share(false);
  });

  // --- URLs -----------------------------------------------------------------------------
  function endpointUrl(format) {
    const url = new URL(ENDPOINT);
    url.searchParams.set("query", yasqe.getValue());
    url.searchParams.set("format", format);
    return url.toString();
  }

  function updateDownloads() {
    for (const format of ["csv", "tsv", "json"]) $("download-" + format).href = endpointUrl(format);
  }

  function shareUrl() {
    const url = new URL(window.location.href);
    url.search = "";
    const params = new URLSearchParams();
    params.set("query", yasqe.getValue());
    if (view) params.set("view", view);
    params.set("run", "1");
    url.hash = params.toString();
    return url.toString();
  }

  function share(copy) {
    const url = shareUrl();
    history.replaceState(null, "", url);
    if (copy && navigator.clipboard) navigator.clipboard.writeText(url).catch(() => {});
    return url;
  }

  $("share").addEventListener("click", () => {
    share(true);
    $("status").textContent = "A link that runs this query is in the address bar and the clipboard.";
  });

  // --- start ----------------------------------------------------------------------------
  // `#query=…&view=…&run=1` (the shared link) or `?query=…` opens and runs a query;
  // `#example=name` opens a query of the library (and runs it with `run=1`).
  fillExamples();
  const search = new URLSearchParams(window.location.search);
  const hash = new URLSearchParams(window.location.hash.replace(/^#/, ""));
  let runNow = false;
  if (hash.has("query") || search.has("query")) {
    yasqe.setValue(hash.get("query") || search.get("query"));
    view = hash.get("view") || search.get("view") || null;
    runNow = true;
  } else if (hash.has("example") && pick(hash.get("example"))) {
    runNow = hash.get("run") === "1";
  } else if (library.length) {
    pick(library[0].name);
  }
  updateDownloads();
  document.body.dataset.ready = "true";
  if (runNow) yasqe.query().catch(() => {});
})();
