// Result views of the query page beside YASR's table: a bar chart of numeric results and a map
// of countries, both drawn by Vega-Lite (npm, served from /vendor) without eval (Vega's
// expression interpreter, so the page's Content-Security-Policy needs no 'unsafe-eval').
// The world map is Natural Earth's 1:50m TopoJSON of the npm package world-atlas, keyed by
// ISO 3166 numeric codes; countries of the graph are Publications Office authority IRIs keyed
// by ISO alpha-3 codes, matched through the code table of the npm package i18n-iso-countries.
"use strict";

window.ClusterViews = (function () {
  const COUNTRY = "http://publications.europa.eu/resource/authority/country/";
  const NUMERIC = /#(integer|decimal|double|float|long|int|short|nonNegativeInteger|positiveInteger)$/;
  const EMBED = () => ({
    mode: "vega-lite", renderer: "svg", actions: false, ast: true, expr: window.vega.expressionInterpreter,
    defaultStyle: false, tooltip: false,
  });
  let isoNumeric = null;

  function codes() {
    if (!isoNumeric) {
      isoNumeric = fetch("vendor/iso-country-codes.json").then((r) => r.json()).then((rows) => {
        const map = new Map();
        for (const [, alpha3, numeric] of rows) map.set(alpha3, numeric);
        return map;
      });
    }
    return isoNumeric;
  }

  function isNumber(term) {
    return term && term.type !== "uri" && term.datatype && NUMERIC.test(term.datatype);
  }

  // The columns a view uses: the first numeric one as value, the first other one as category,
  // and a second category of few values as colour.
  function columns(results) {
    const vars = results.getVariables();
    const rows = results.getBindings();
    const numeric = vars.filter((v) => rows.length && rows.every((r) => !r[v] || isNumber(r[v]))
      && rows.some((r) => r[v]));
    const other = vars.filter((v) => !numeric.includes(v) && rows.some((r) => r[v]));
    const label = other[0];
    const distinct = (v) => new Set(rows.map((r) => r[v] && r[v].value)).size;
    const colour = other.find((v) => v !== label && distinct(v) <= 8 && distinct(v) < distinct(label));
    return { value: numeric[0], label, colour, rows };
  }

  function text(term, labels) {
    if (!term) return "";
    if (term.type === "uri") return (labels && labels.get(term.value)) || term.value.replace(/^.*[/#]/, "");
    return term.value;
  }

  function countryColumn(results) {
    return results.getVariables().find((v) => results.getBindings().some(
      (r) => r[v] && r[v].type === "uri" && r[v].value.startsWith(COUNTRY)));
  }

  function container(yasr, id) {
    const div = document.createElement("div");
    div.id = id;
    div.className = "ckg-view";
    yasr.resultsEl.appendChild(div);
    return div;
  }

  function icon(symbol) {
    const span = document.createElement("span");
    span.textContent = symbol;
    return span;
  }

  class Chart {
    constructor(yasr) { this.yasr = yasr; this.priority = 5; this.label = "Chart"; }
    canHandleResults() {
      const results = this.yasr.results;
      if (!results || results.getType() !== "json" || !results.getVariables) return false;
      const { value, label } = columns(results);
      return Boolean(value && label);
    }
    getIcon() { return icon("▤"); }
    draw() {
      const { value, label, colour, rows } = columns(this.yasr.results);
      const labels = window.ClusterViews.labels;
      const data = rows.filter((r) => r[value]).map((r) => ({
        label: text(r[label], labels), value: Number(r[value].value),
        colour: colour ? text(r[colour], labels) : undefined,
      }));
      const spec = {
        width: 640, data: { values: data }, mark: { type: "bar" },
        encoding: {
          y: { field: "label", type: "nominal", title: label, sort: colour ? null : "-x",
               axis: { labelLimit: 320 } },
          x: { field: "value", type: "quantitative", title: value, aggregate: "sum" },
        },
      };
      if (colour) spec.encoding.color = { field: "colour", type: "nominal", title: colour };
      const div = container(this.yasr, "chart");
      return window.vegaEmbed(div, spec, EMBED()).then(() => { div.dataset.drawn = "true"; });
    }
  }

  class CountryMap {
    constructor(yasr) { this.yasr = yasr; this.priority = 4; this.label = "Map"; }
    canHandleResults() {
      const results = this.yasr.results;
      if (!results || results.getType() !== "json" || !results.getVariables) return false;
      return Boolean(countryColumn(results) && columns(results).value);
    }
    getIcon() { return icon("◍"); }
    async draw() {
      const results = this.yasr.results;
      const key = countryColumn(results);
      const { value } = columns(results);
      const labels = window.ClusterViews.labels;
      const numeric = await codes();
      const values = [];
      const unmatched = [];
      for (const row of results.getBindings()) {
        if (!row[key] || !row[value]) continue;
        const alpha3 = row[key].value.slice(COUNTRY.length);
        const id = numeric.get(alpha3);
        if (id) values.push({ id, value: Number(row[value].value), name: text(row[key], labels) });
        else unmatched.push(alpha3);
      }
      const spec = {
        width: 640, height: 560,
        projection: { type: "azimuthalEqualArea", rotate: [-12, -53, 0], scale: 820,
                      translate: [320, 300] },
        data: { url: "vendor/countries-50m.json", format: { type: "topojson", feature: "countries" } },
        layer: [
          { mark: { type: "geoshape", clip: true, fill: "#e6e9ed", stroke: "#ffffff", strokeWidth: 0.5 } },
          {
            transform: [
              { lookup: "id", from: { data: { values }, key: "id", fields: ["value", "name"] } },
              { filter: "isValid(datum.value)" },
            ],
            mark: { type: "geoshape", clip: true, stroke: "#ffffff", strokeWidth: 0.6 },
            encoding: {
              color: { field: "value", type: "quantitative", title: value,
                       scale: { scheme: { name: "blues", extent: [0.3, 1] } } },
            },
          },
        ],
      };
      const div = container(this.yasr, "map");
      await window.vegaEmbed(div, spec, EMBED());
      div.dataset.drawn = "true";
      div.dataset.countries = String(values.length);
      if (unmatched.length) {
        const note = document.createElement("p");
        note.textContent = "Not on the map: " + unmatched.join(", ");
        div.appendChild(note);
      }
    }
  }

  return { Chart, CountryMap, labels: new Map() };
})();
