// The query page: a plain textarea editor with line numbers, the library's queries as
// examples, results of /sparql as a table, CSV/JSON downloads and shareable URLs.
// Hand-written, no dependencies, nothing loaded from other hosts.
"use strict";

(function () {
  const ENDPOINT = "sparql";
  const ACCEPT = "application/sparql-results+json, text/turtle;q=0.9, text/plain;q=0.1";
  const WELL_KNOWN = [
    ["xsd", "http://www.w3.org/2001/XMLSchema#"],
    ["rdf", "http://www.w3.org/1999/02/22-rdf-syntax-ns#"],
  ];
  const $ = (id) => document.getElementById(id);
  const editor = $("query");
  const gutter = $("gutter");
  const examples = $("examples");
  const library = JSON.parse($("library").textContent || "[]");

  // --- editor -------------------------------------------------------------------------
  function renumber() {
    const lines = editor.value.split("\n").length;
    let text = "";
    for (let i = 1; i <= lines; i++) text += i + "\n";
    gutter.textContent = text;
    gutter.scrollTop = editor.scrollTop;
  }

  function setQuery(text) {
    editor.value = text;
    renumber();
    updateDownloads();
  }

  editor.addEventListener("input", () => { renumber(); updateDownloads(); });
  editor.addEventListener("scroll", () => { gutter.scrollTop = editor.scrollTop; });
  editor.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      run();
    } else if (event.key === "Tab" && !event.shiftKey) {
      event.preventDefault();
      editor.setRangeText("  ", editor.selectionStart, editor.selectionEnd, "end");
      renumber();
    }
  });

  // --- examples -----------------------------------------------------------------------
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
        option.textContent = q.name + " — " + q.summary;
        group.appendChild(option);
      }
      examples.appendChild(group);
    }
  }

  examples.addEventListener("change", () => {
    const q = library.find((item) => item.name === examples.value);
    $("example-summary").textContent = q ? q.description || q.summary : "";
    if (q) {
      setQuery(q.sparql);
      share(false);
    }
  });

  // --- URLs ---------------------------------------------------------------------------
  function endpointUrl(format) {
    const url = new URL(ENDPOINT, document.baseURI);
    url.searchParams.set("query", editor.value);
    if (format) url.searchParams.set("format", format);
    return url.toString();
  }

  function updateDownloads() {
    $("download-csv").href = endpointUrl("csv");
    $("download-json").href = endpointUrl("json");
  }

  function share(copy) {
    const url = new URL(window.location.href);
    url.search = "";
    url.hash = "query=" + encodeURIComponent(editor.value);
    history.replaceState(null, "", url.toString());
    if (copy && navigator.clipboard) navigator.clipboard.writeText(url.toString()).catch(() => {});
    return url.toString();
  }

  function queryFromUrl() {
    const params = new URLSearchParams(window.location.search);
    if (params.has("query")) return params.get("query");
    const hash = new URLSearchParams(window.location.hash.replace(/^#/, ""));
    if (hash.has("query")) return hash.get("query");
    if (hash.has("example")) {
      const q = library.find((item) => item.name === hash.get("example"));
      if (q) { examples.value = q.name; return q.sparql; }
    }
    return null;
  }

  $("share").addEventListener("click", () => {
    share(true);
    $("status").textContent = "Link to this query copied to the address bar and clipboard.";
  });

  // --- results ------------------------------------------------------------------------
  function prefixesOf(text) {
    const found = [];
    const re = /PREFIX\s+([A-Za-z][\w.-]*)?:\s*<([^>]*)>/gi;
    let match;
    while ((match = re.exec(text)) !== null) found.push([match[1] || "", match[2]]);
    for (const [name, ns] of WELL_KNOWN) {
      if (!found.some(([prefix]) => prefix === name)) found.push([name, ns]);
    }
    return found.sort((a, b) => b[1].length - a[1].length);
  }

  function shorten(iri, prefixes) {
    for (const [name, ns] of prefixes) {
      const local = iri.slice(ns.length);
      if (iri.startsWith(ns) && /^[\w.-]*$/.test(local)) return name + ":" + local;
    }
    return "<" + iri + ">";
  }

  function cell(term, prefixes) {
    const td = document.createElement("td");
    if (!term) return td;
    if (term.type === "uri") {
      td.className = "iri";
      td.title = term.value;
      if (!/^https?:\/\//i.test(term.value)) {
        // only web IRIs become links: a javascript: or data: IRI stays inert text
        td.textContent = shorten(term.value, prefixes);
        return td;
      }
      const a = document.createElement("a");
      a.href = term.value;
      a.title = term.value;
      a.target = "_blank";
      a.rel = "noopener noreferrer";
      a.textContent = shorten(term.value, prefixes);
      td.appendChild(a);
    } else if (term.type === "bnode") {
      td.textContent = "_:" + term.value;
      td.className = "bnode";
    } else {
      td.textContent = term.value;
      const note = term["xml:lang"] ? "@" + term["xml:lang"]
        : term.datatype ? "^^" + shorten(term.datatype, prefixes) : "";
      if (note) {
        const small = document.createElement("small");
        small.textContent = note;
        td.appendChild(small);
      }
      td.className = "literal";
    }
    return td;
  }

  function clear() {
    $("error").hidden = true;
    $("graph-result").hidden = true;
    $("results").hidden = true;
    $("results").tHead.textContent = "";
    $("results").tBodies[0].textContent = "";
  }

  function showTable(data, prefixes) {
    const table = $("results");
    const head = document.createElement("tr");
    for (const name of data.head.vars) {
      const th = document.createElement("th");
      th.textContent = "?" + name;
      head.appendChild(th);
    }
    table.tHead.appendChild(head);
    const body = document.createDocumentFragment();
    for (const binding of data.results.bindings) {
      const tr = document.createElement("tr");
      for (const name of data.head.vars) tr.appendChild(cell(binding[name], prefixes));
      body.appendChild(tr);
    }
    table.tBodies[0].appendChild(body);
    table.hidden = false;
    return data.results.bindings.length;
  }

  async function run() {
    const text = editor.value;
    clear();
    share(false);
    updateDownloads();
    $("status").textContent = "Running…";
    $("run").disabled = true;
    const started = performance.now();
    try {
      const response = await fetch(ENDPOINT, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: ACCEPT },
        body: new URLSearchParams({ query: text }),
      });
      const type = response.headers.get("content-type") || "";
      const ms = Math.round(performance.now() - started);
      if (!response.ok) {
        $("error").textContent = await response.text();
        $("error").hidden = false;
        $("status").textContent = "Error " + response.status + " after " + ms + " ms";
        return;
      }
      const capped = response.headers.get("X-SPARQL-MaxRows");
      const cap = capped ? " (cut at the limit of " + capped + " rows)" : "";
      if (type.includes("json")) {
        const data = await response.json();
        if ("boolean" in data) {
          $("status").textContent = "ASK: " + data.boolean + " in " + ms + " ms";
        } else {
          const rows = showTable(data, prefixesOf(text));
          $("status").textContent = rows + (rows === 1 ? " row" : " rows") + " in " + ms + " ms" + cap;
        }
      } else {
        $("graph-result").textContent = await response.text();
        $("graph-result").hidden = false;
        $("status").textContent = "Graph result in " + ms + " ms" + cap;
      }
    } catch (error) {
      $("error").textContent = String(error);
      $("error").hidden = false;
      $("status").textContent = "The request failed.";
    } finally {
      $("run").disabled = false;
    }
  }

  $("run").addEventListener("click", run);

  // --- start --------------------------------------------------------------------------
  fillExamples();
  const fromUrl = queryFromUrl();
  if (fromUrl !== null) {
    setQuery(fromUrl);
  } else if (library.length) {
    examples.value = library[0].name;
    $("example-summary").textContent = library[0].description || library[0].summary;
    setQuery(library[0].sparql);
  } else {
    setQuery("SELECT * WHERE {\n  ?s ?p ?o\n}\nLIMIT 10\n");
  }
  document.body.dataset.ready = "true";
})();
