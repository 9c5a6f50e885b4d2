/*
 * The query editor on /sparql: YASGUI (vendored from npm at set-up) talking only to this server.
 *
 * Why the settings below: YASGUI's defaults reach out to other hosts (prefix.cc, LOV autocompletion,
 * public endpoints in the endpoint list). The page must work offline and leak nothing, so the
 * autocompleters are limited to prefixes (ours, from a data: URL) and variables, the endpoint list
 * holds only our endpoint, and nothing is persisted between visits (a permalink is the URL).
 * Without JavaScript, or without the vendored files, the plain forms and gallery links still work.
 *
 * On top of YASGUI, for people rather than SPARQL experts:
 * - a gallery question's parameters are a form (type-ahead over /api/search), kept in step with the
 *   VALUES line at the top of the query's WHERE group, and carried in the URL (?example=&city=);
 * - results show plain values (the typed RDF form one click away) and, when the answer fits, as a
 *   chart (a numeric column), a map (places) or a graph (?source ?target), drawn here as SVG or with
 *   the vendored cytoscape;
 * - a syntax error says where (line, column) and what was expected, in words.
 * Text from the data or the URL is only ever set with textContent or as attribute values.
 */
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("editor-config").textContent);
  var W = config.words;
  var root = document.getElementById("yasgui");
  if (!window.Yasgui || !root) {
    return;
  }
  var SVG = "http://www.w3.org/2000/svg";
  var XSD = "http://www.w3.org/2001/XMLSchema#";
  var NUMERIC = /^(integer|decimal|double|float|int|long|short|byte|nonNegativeInteger|positiveInteger|nonPositiveInteger|negativeInteger|unsignedInt|unsignedLong|unsignedShort|unsignedByte)$/;
  var DATES = /^(date|dateTime|gYear|gYearMonth)$/;

  function say(text, vars) {
    return String(text).replace(/\{(\w+)\}/g, function (m, k) { return vars && k in vars ? vars[k] : m; });
  }

  function el(tag, attrs, text) {
    var node = tag.indexOf("svg:") === 0 ? document.createElementNS(SVG, tag.slice(4)) : document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { if (attrs[k] !== null && attrs[k] !== undefined) node.setAttribute(k, attrs[k]); });
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  var endpoint = new URL(config.endpointPath, window.location.href).href;
  var ourPrefixes = "data:application/json," + encodeURIComponent(JSON.stringify(config.prefixes));
  var byName = {};
  config.gallery.forEach(function (item) { byName[item.name] = item; });
  var base = typeof config.prefixes.id === "string" ? config.prefixes.id.replace(/id\/$/, "") : null;

  /* ------------------------------------------------------------------ values, short and plain */

  function xsdType(term) {
    return term && term.type !== "uri" && term.datatype && term.datatype.indexOf(XSD) === 0 ? term.datatype.slice(XSD.length) : null;
  }
  function isNumber(term) {
    var t = xsdType(term);
    return !!t && NUMERIC.test(t) && isFinite(parseFloat(term.value));
  }
  function isDate(term) {
    var t = xsdType(term);
    return !!t && DATES.test(t) && !isNaN(Date.parse(term.value.length === 4 ? term.value + "-01-01" : term.value));
  }
  /** An IRI as a person reads it: `id:place/tallinn` for ours and known prefixes, else the IRI. */
  function shortIri(iri) {
    var best = null;
    Object.keys(config.prefixes).forEach(function (p) {
      var ns = config.prefixes[p];
      if (iri.indexOf(ns) === 0 && (!best || ns.length > config.prefixes[best].length)) best = p;
    });
    return best ? best + ":" + iri.slice(config.prefixes[best].length) : iri;
  }
  function plain(term) {
    if (!term) return "";
    return term.type === "uri" ? shortIri(term.value) : term.value;
  }
  /** Where a link to an IRI goes: ours on this server (which answers /id/... with 303 to its page). */
  function hrefOf(iri) {
    if (base && iri.indexOf(base) === 0) return "/" + iri.slice(base.length);
    return /^https?:\/\//i.test(iri) ? iri : null; // never a javascript: (or other) IRI as a link from a shared query
  }

  /* ------------------------------------------------------------------ result views (YASR plugins) */

  var Yasr = Yasgui.Yasr;
  var TableBase = Yasr.plugins.table;
  var ResponseBase = Yasr.plugins.response;

  // The table's own lines (DataTables: row counts, empty answers) in the page's language. The plugin
  // reads its class's defaults when it is made, so they are set before the editor is.
  TableBase.defaults.tableConfig.language = Object.assign({}, TableBase.defaults.tableConfig.language, {
    info: W.table_info, infoEmpty: W.table_info_empty, infoFiltered: W.table_info_filtered,
    zeroRecords: W.table_zero, emptyTable: W.table_empty,
  });

  // YASR takes the download button's title from the view's download(); ours are in the page's language.
  function titled(download, title) { return download ? Object.assign({}, download, { title: title }) : download; }
  class Table extends TableBase {
    constructor(yasr) { super(yasr); this.label = W.view_table; }
    download(name) { return titled(super.download(name), W.download_csv); }
  }
  class RawAnswer extends ResponseBase {
    constructor(yasr) { super(yasr); this.label = W.view_response; this.priority = 1; }
    download(name) { return titled(super.download(name), W.download_raw); }
  }

  function answer(yasr) {
    var r = yasr.results;
    if (!r || (r.getError && r.getError()) || !r.getVariables) return null;
    var vars = r.getVariables() || [];
    var rows = r.getBindings() || [];
    return vars.length ? { vars: vars, rows: rows } : null;
  }

  function icon(text) {
    var span = el("span", { "aria-hidden": "true", "class": "view-icon" }, text);
    return span;
  }

  /* The chart: horizontal bars of the first numeric column, one per row, labelled by the first
   * other column; a line over time when that column holds dates. */
  function chartPlan(a) {
    if (!a || !a.rows.length) return null;
    var filled = function (v) { return a.rows.some(function (r) { return r[v]; }); };
    var num = a.vars.filter(function (v) { return filled(v) && a.rows.every(function (r) { return !r[v] || isNumber(r[v]); }); })[0];
    if (!num) return null;
    var dates = a.vars.filter(function (v) { return v !== num && filled(v) && a.rows.every(function (r) { return !r[v] || isDate(r[v]); }); })[0];
    var label = dates || a.vars.filter(function (v) { return v !== num && filled(v); })[0] || null;
    return { y: num, x: label, dates: !!dates };
  }

  class Chart {
    constructor(yasr) { this.yasr = yasr; this.label = W.view_chart; this.priority = 5; }
    canHandleResults() { return !!chartPlan(answer(this.yasr)); }
    getIcon() { return icon("▤"); }
    draw() {
      var a = answer(this.yasr), plan = chartPlan(a);
      var box = el("figure", { "class": "result-chart" });
      this.yasr.resultsEl.appendChild(box);
      var caption = el("figcaption", {}, say(plan.dates ? W.chart_dates : W.chart_title, { y: plan.y, x: plan.x || "#" }));
      box.appendChild(caption);
      var width = Math.max(280, Math.min(box.clientWidth || 800, 1000));
      if (plan.dates) drawLine(box, a, plan, width); else drawBars(box, a, plan, width);
    }
  }

  function drawBars(box, a, plan, width) {
    var rows = a.rows.filter(function (r) { return r[plan.y]; });
    var max = Math.max.apply(null, rows.map(function (r) { return Math.abs(parseFloat(r[plan.y].value)); }).concat([0]));
    var labelW = Math.min(Math.round(width * 0.4), 240), bar = 18, gap = 6, top = 4;
    var height = top + rows.length * (bar + gap);
    var svg = el("svg:svg", { viewBox: "0 0 " + width + " " + height, width: "100%", role: "img", "aria-label": box.firstChild.textContent, "class": "chart-svg" });
    var room = width - labelW - 60;
    rows.forEach(function (r, i) {
      var value = parseFloat(r[plan.y].value);
      var y = top + i * (bar + gap);
      var name = plan.x ? plain(r[plan.x]) : String(i + 1);
      var shown = name.length > 34 ? name.slice(0, 33) + "…" : name;
      var g = el("svg:g", { "class": "bar-row" });
      g.appendChild(el("svg:title", {}, name + ": " + r[plan.y].value));
      g.appendChild(el("svg:text", { x: labelW - 6, y: y + bar * 0.72, "text-anchor": "end", "class": "bar-label" }, shown));
      var w = max > 0 ? Math.max(1, Math.abs(value) / max * room) : 1;
      g.appendChild(el("svg:rect", { x: labelW, y: y, width: w.toFixed(1), height: bar, "class": "bar" }));
      g.appendChild(el("svg:text", { x: labelW + w + 4, y: y + bar * 0.72, "class": "bar-value" }, r[plan.y].value));
      svg.appendChild(g);
    });
    box.appendChild(svg);
  }

  function drawLine(box, a, plan, width) {
    var time = function (t) { return Date.parse(t.value.length === 4 ? t.value + "-01-01" : t.value); };
    var rows = a.rows.filter(function (r) { return r[plan.y] && r[plan.x]; }).slice().sort(function (p, q) { return time(p[plan.x]) - time(q[plan.x]); });
    var height = 260, left = 48, right = 16, top = 12, bottom = 28;
    var xs = rows.map(function (r) { return time(r[plan.x]); }), ys = rows.map(function (r) { return parseFloat(r[plan.y].value); });
    var x0 = Math.min.apply(null, xs), x1 = Math.max.apply(null, xs), y1 = Math.max.apply(null, ys.concat([0])), y0 = Math.min.apply(null, ys.concat([0]));
    var sx = function (v) { return x1 === x0 ? (left + width - right) / 2 : left + (v - x0) / (x1 - x0) * (width - left - right); };
    var sy = function (v) { return y1 === y0 ? height / 2 : top + (y1 - v) / (y1 - y0) * (height - top - bottom); };
    var svg = el("svg:svg", { viewBox: "0 0 " + width + " " + height, width: "100%", role: "img", "aria-label": box.firstChild.textContent, "class": "chart-svg" });
    svg.appendChild(el("svg:line", { x1: left, x2: width - right, y1: sy(y0), y2: sy(y0), "class": "axis" }));
    svg.appendChild(el("svg:text", { x: left - 4, y: sy(y1) + 4, "text-anchor": "end", "class": "bar-value" }, String(y1)));
    svg.appendChild(el("svg:text", { x: left, y: height - 8, "class": "bar-value" }, rows.length ? rows[0][plan.x].value : ""));
    svg.appendChild(el("svg:text", { x: width - right, y: height - 8, "text-anchor": "end", "class": "bar-value" }, rows.length ? rows[rows.length - 1][plan.x].value : ""));
    svg.appendChild(el("svg:polyline", { points: rows.map(function (r, i) { return sx(xs[i]).toFixed(1) + "," + sy(ys[i]).toFixed(1); }).join(" "), "class": "line" }));
    rows.forEach(function (r, i) {
      var c = el("svg:circle", { cx: sx(xs[i]).toFixed(1), cy: sy(ys[i]).toFixed(1), r: 4, "class": "point" });
      c.appendChild(el("svg:title", {}, r[plan.x].value + ": " + r[plan.y].value));
      svg.appendChild(c);
    });
    box.appendChild(svg);
  }

  /* The map: lat/long columns, or IRIs of places the map data knows (config.places). */
  function mapPlan(a) {
    if (!a || !a.rows.length) return null;
    var find = function (re) { return a.vars.filter(function (v) { return re.test(v); })[0]; };
    var lat = find(/^(lat|latitude)$/i), lon = find(/^(lon|long|lng|longitude)$/i);
    var points = [], seen = {}, unplaced = 0;
    a.rows.forEach(function (r) {
      var found = false;
      if (lat && lon && r[lat] && r[lon]) {
        var y = parseFloat(r[lat].value), x = parseFloat(r[lon].value);
        if (isFinite(x) && isFinite(y) && Math.abs(y) <= 90 && Math.abs(x) <= 180) {
          var name = a.vars.filter(function (v) { return v !== lat && v !== lon && r[v]; }).map(function (v) { return plain(r[v]); })[0] || (y + ", " + x);
          var key = y + "," + x;
          if (!seen[key]) { seen[key] = { lat: y, lon: x, label: name, rows: 0, href: null }; points.push(seen[key]); }
          seen[key].rows += 1;
          found = true;
        }
      } else {
        a.vars.forEach(function (v) {
          var t = r[v];
          var place = t && t.type === "uri" ? config.places[t.value] : null;
          if (place && !found) {
            if (!seen[t.value]) { seen[t.value] = { lat: place[0], lon: place[1], label: place[2], rows: 0, href: hrefOf(t.value) }; points.push(seen[t.value]); }
            seen[t.value].rows += 1;
            found = true;
          }
        });
      }
      if (!found) unplaced += 1;
    });
    return points.length ? { points: points, unplaced: unplaced } : null;
  }

  var shapes = null;
  function loadShapes() {
    if (!shapes) {
      shapes = fetch(config.shapes).then(function (r) {
        if (!r.ok) throw new Error("country shapes: HTTP " + r.status);
        return r.json();
      }).then(function (topology) { return topojson.feature(topology, topology.objects.countries).features; });
    }
    return shapes;
  }

  class PlaceMap {
    constructor(yasr) { this.yasr = yasr; this.label = W.view_map; this.priority = 4; }
    canHandleResults() { return !!window.d3 && !!window.topojson && !!mapPlan(answer(this.yasr)); }
    getIcon() { return icon("◉"); }
    draw() {
      var plan = mapPlan(answer(this.yasr));
      var box = el("figure", { "class": "result-map" });
      var title = plan.points.length === 1 ? W.map_title_one : say(W.map_title, { n: plan.points.length });
      var unplaced = plan.unplaced === 1 ? W.map_unplaced_one : say(W.map_unplaced, { n: plan.unplaced });
      box.appendChild(el("figcaption", {}, title + (plan.unplaced ? " · " + unplaced : "")));
      this.yasr.resultsEl.appendChild(box);
      var width = Math.max(280, Math.min(box.clientWidth || 800, 1000)), height = Math.min(Math.round(width * 0.7), 560);
      return loadShapes().then(function (features) {
        var projection = d3.geoAzimuthalEqualArea().clipAngle(90);
        var lons = plan.points.map(function (p) { return p.lon; }), lats = plan.points.map(function (p) { return p.lat; });
        var cx = (Math.min.apply(null, lons) + Math.max.apply(null, lons)) / 2, cy = (Math.min.apply(null, lats) + Math.max.apply(null, lats)) / 2;
        var w = Math.max(Math.max.apply(null, lons) - Math.min.apply(null, lons) + 3, 14), h = Math.max(Math.max.apply(null, lats) - Math.min.apply(null, lats) + 2, 9);
        projection.rotate([-cx, -cy]).fitExtent([[16, 16], [width - 16, height - 16]], { type: "MultiPoint", coordinates: [[cx - w / 2, cy - h / 2], [cx + w / 2, cy - h / 2], [cx + w / 2, cy + h / 2], [cx - w / 2, cy + h / 2]] });
        projection.clipExtent([[0, 0], [width, height]]);
        var path = d3.geoPath(projection);
        var svg = el("svg:svg", { viewBox: "0 0 " + width + " " + height, width: "100%", role: "img", "aria-label": box.firstChild.textContent, "class": "map-svg" });
        svg.appendChild(el("svg:rect", { x: 0, y: 0, width: width, height: height, "class": "sea" }));
        features.forEach(function (f) {
          var d = path(f);
          if (d) svg.appendChild(el("svg:path", { d: d, "class": "country" }));
        });
        var few = plan.points.length <= 12;
        plan.points.forEach(function (p) {
          var xy = projection([p.lon, p.lat]);
          if (!xy) return;
          var mark = el("svg:circle", { cx: xy[0].toFixed(1), cy: xy[1].toFixed(1), r: Math.min(4 + Math.sqrt(p.rows) * 1.5, 14).toFixed(1), "class": "marker" });
          mark.appendChild(el("svg:title", {}, p.label + " (" + p.rows + ")"));
          var holder = p.href ? el("svg:a", { href: p.href }) : el("svg:g", {});
          holder.appendChild(mark);
          if (few) holder.appendChild(el("svg:text", { x: (xy[0] + 8).toFixed(1), y: (xy[1] + 4).toFixed(1), "class": "marker-label" }, p.label));
          svg.appendChild(holder);
        });
        box.appendChild(svg);
      });
    }
  }

  /* The graph of ?source -> ?target, drawn in place with cytoscape (the network page analyses it). */
  var MAX_EDGES = 1500;
  class Network {
    constructor(yasr) { this.yasr = yasr; this.label = W.view_graph; this.priority = 6; this.cy = null; }
    canHandleResults() {
      var a = answer(this.yasr);
      return !!window.cytoscape && !!a && a.vars.indexOf("source") >= 0 && a.vars.indexOf("target") >= 0 && a.rows.length > 0;
    }
    getIcon() { return icon("⋈"); }
    draw() {
      var a = answer(this.yasr), nodes = {}, elements = [], edges = 0;
      a.rows.forEach(function (r) {
        if (!r.source || !r.target || edges >= MAX_EDGES) return;
        [r.source, r.target].forEach(function (t) {
          if (!nodes[t.value]) {
            nodes[t.value] = true;
            elements.push({ data: { id: "n" + elements.length + "", key: t.value, label: plain(t).replace(/^id:[a-z-]+\//, ""), href: t.type === "uri" ? hrefOf(t.value) : null } });
          }
        });
        edges += 1;
      });
      var ids = {};
      elements.forEach(function (e) { ids[e.data.key] = e.data.id; });
      var drawn = 0;
      a.rows.forEach(function (r) {
        if (!r.source || !r.target || drawn >= MAX_EDGES) return;
        elements.push({ data: { id: "e" + drawn, source: ids[r.source.value], target: ids[r.target.value] } });
        drawn += 1;
      });
      var count = Object.keys(nodes).length;
      var box = el("figure", { "class": "result-graph", "data-nodes": count, "data-edges": drawn });
      box.appendChild(el("figcaption", {}, say(W.graph_title, { nodes: count, edges: drawn }) + (a.rows.length > MAX_EDGES ? " " + say(W.graph_capped, { n: MAX_EDGES }) : "")));
      var canvas = el("div", { "class": "graph-canvas", role: "img", "aria-label": box.firstChild.textContent });
      box.appendChild(canvas);
      this.yasr.resultsEl.appendChild(box);
      this.cy = cytoscape({
        container: canvas,
        elements: elements,
        layout: { name: count > 300 ? "circle" : "cose", animate: false, randomize: false },
        style: [
          { selector: "node", style: { "background-color": "#2a6f97", label: "data(label)", "font-size": 9, color: "#1b1b1b", "text-valign": "bottom", "text-margin-y": 2, width: 12, height: 12 } },
          { selector: "edge", style: { width: 1.2, "line-color": "#8aa1b1", "curve-style": "bezier", "target-arrow-shape": "triangle", "target-arrow-color": "#8aa1b1", "arrow-scale": 0.7 } },
        ],
        wheelSensitivity: 0.3,
        maxZoom: 1.5,
        minZoom: 0.05,
      });
      this.cy.on("tap", "node", function (event) {
        var href = event.target.data("href");
        if (href) window.location.assign(href); // hrefOf: this server's pages or http(s) only
      });
      box.graph = this.cy;
    }
    destroy() { if (this.cy) { this.cy.destroy(); this.cy = null; } }
  }

  Yasr.registerPlugin("table", Table);
  Yasr.registerPlugin("response", RawAnswer);
  Yasr.registerPlugin("chart", Chart);
  Yasr.registerPlugin("map", PlaceMap);
  Yasr.registerPlugin("graph", Network);

  /* ------------------------------------------------------------------ YASGUI */

  // Must be set before the first editor exists: the per-instance config alone does not stop the fetches.
  Yasgui.Yasqe.defaults.autocompleters = ["prefixes", "variables"];
  Yasgui.Yasqe.defaults.prefixCcApi = ourPrefixes;

  var yasgui = new Yasgui(root, {
    requestConfig: {
      endpoint: endpoint,
      method: "POST",
      acceptHeaderSelect: "application/sparql-results+json",
      acceptHeaderGraph: "text/turtle",
    },
    endpointCatalogueOptions: {
      getData: function () {
        return [{ endpoint: endpoint }];
      },
    },
    corsProxy: undefined,
    copyEndpointOnNewTab: false,
    persistenceId: null,
    populateFromUrl: false,
    tabName: W.query,
    yasqe: {
      autocompleters: ["prefixes", "variables"],
      prefixCcApi: ourPrefixes,
      persistenceId: null,
      editorHeight: "320px",
    },
    yasr: {
      prefixes: config.prefixes,
      persistenceId: null,
      defaultPlugin: "table",
      pluginOrder: ["table", "chart", "map", "graph", "response"],
      getDownloadFileName: function () {
        return "results";
      },
    },
  });

  var tab = yasgui.getTab();
  var yasqe = tab.getYasqe();
  var yasr = tab.getYasr();
  var permalink = document.getElementById("permalink");
  var csvLink = document.getElementById("csv-link");
  var networkBox = document.getElementById("network-link-box");
  var networkLink = document.getElementById("network-link");
  var problem = document.getElementById("query-problem");

  // Tab leaves the editor (a keyboard user must be able to get out); Ctrl+Enter runs, as YASQE has it.
  var keys = Object.assign({}, yasqe.getOption("extraKeys") || {});
  keys.Tab = false;
  keys["Shift-Tab"] = false;
  yasqe.setOption("extraKeys", keys);
  var textarea = yasqe.getInputField();
  textarea.setAttribute("aria-label", W.query);

  // Plain values by default; the typed RDF form one click away (a button of ours, in both languages).
  yasr.config.plugins.table.dynamicConfig = Object.assign({}, yasr.config.plugins.table.dynamicConfig, { compact: true });
  var typed = el("button", { type: "button", id: "typed-toggle", "aria-pressed": "false", title: W.typed_hint, "class": "typed-toggle" }, W.typed);
  typed.addEventListener("click", function () {
    var on = typed.getAttribute("aria-pressed") !== "true";
    typed.setAttribute("aria-pressed", on ? "true" : "false");
    yasr.config.plugins.table.dynamicConfig = Object.assign({}, yasr.config.plugins.table.dynamicConfig, { compact: !on });
    if (yasr.results) yasr.draw();
  });
  yasr.resultsEl.setAttribute("role", "tabpanel");
  yasr.resultsEl.setAttribute("aria-label", W.views);
  problem.parentNode.removeChild(problem);
  yasr.rootEl.parentNode.insertBefore(problem, yasr.rootEl);

  /* The view switcher as tabs: role, selected state, unusable views disabled, arrow keys between them. */
  function tabsUp() {
    var group = yasr.headerEl.querySelector(".yasr_btnGroup");
    if (!group) return;
    group.setAttribute("role", "tablist");
    group.setAttribute("aria-label", W.views);
    var order = ["table", "chart", "map", "graph", "response"];
    var rank = function (li) { var b = li.querySelector("button"); var at = order.filter(function (n) { return b && b.classList.contains("select_" + n); })[0]; return at ? order.indexOf(at) : order.length; };
    var items = Array.prototype.slice.call(group.children);
    var sorted = items.slice().sort(function (p, q) { return rank(p) - rank(q); });
    if (sorted.some(function (li, i) { return li !== items[i]; })) {
      sorted.forEach(function (li) { group.appendChild(li); }); // once: moving a node would take the focus off it
    }
    group.querySelectorAll("li").forEach(function (li) { li.setAttribute("role", "presentation"); });
    // Roving tabindex (the ARIA tabs pattern): Tab reaches the selected view, arrow keys the others.
    group.querySelectorAll("button.yasr_btn").forEach(function (b) {
      var selected = b.classList.contains("selected");
      b.setAttribute("role", "tab");
      b.setAttribute("aria-selected", selected ? "true" : "false");
      b.setAttribute("aria-controls", yasr.resultsEl.id || "");
      b.tabIndex = selected ? 0 : -1;
      b.disabled = b.classList.contains("disabled");
      b.removeAttribute("aria-label");
    });
    if (!group.dataset.keys) {
      group.dataset.keys = "1";
      group.addEventListener("keydown", function (event) {
        if (event.key !== "ArrowRight" && event.key !== "ArrowLeft") return;
        var buttons = Array.prototype.slice.call(group.querySelectorAll("button.yasr_btn:not([disabled])"));
        var at = buttons.indexOf(document.activeElement);
        if (at < 0) return;
        event.preventDefault();
        var next = buttons[(at + (event.key === "ArrowRight" ? 1 : buttons.length - 1)) % buttons.length];
        next.click();
        next.focus();
        window.setTimeout(function () { next.focus(); }, 0); // YASR redraws; keep the focus on the chosen view
      });
    }
    // YASR's own "Simple view" switch is replaced by the typed-values button; its other words are ours.
    var controls = yasr.rootEl.querySelector(".tableControls");
    if (controls) {
      controls.querySelectorAll(".switch").forEach(function (s) {
        var label = s.querySelector(".label");
        if (label && label.textContent === "Simple view") s.parentNode.style.display = "none";
        if (label && label.textContent === "Ellipse") label.textContent = W.ellipsis;
      });
      var filter = controls.querySelector(".tableFilter");
      if (filter) { filter.placeholder = W.filter; filter.setAttribute("aria-label", W.filter); }
      var sizer = controls.querySelector(".pageSizerLabel");
      if (sizer) sizer.textContent = W.page_size;
      var select = controls.querySelector(".tableSizer");
      if (select) select.setAttribute("aria-label", W.page_size.trim().replace(/:$/, ""));
      if (typed.parentNode !== controls) controls.insertBefore(typed, controls.firstChild);
    }
    typed.hidden = yasr.drawnPlugin !== "table";
    var chip = yasr.headerEl.querySelector(".yasr_response_chip");
    var results = yasr.results;
    if (chip && results) {
      var rows = results.getBindings ? results.getBindings() : null;
      var seconds = results.getResponseTime ? (results.getResponseTime() / 1000).toFixed(2) : "?";
      chip.textContent = rows ? say(rows.length === 1 ? W.one_row_time : W.rows_time, { n: rows.length, s: seconds }) : say(W.answer_time, { s: seconds });
    }
    var tryIt = yasr.rootEl.querySelector(".yasr_tryQuery");
    if (tryIt) tryIt.textContent = W.try_query;
    // YASR's own download and help buttons (set on every draw, in English) and its overlay buttons.
    var download = yasr.headerEl.querySelector(".yasr_downloadIcon");
    if (download) {
      download.setAttribute("aria-label", W.download);
      if (download.classList.contains("disabled")) download.title = W.download_none;
    }
    var help = yasr.headerEl.querySelector(".yasr_external_ref_btn");
    if (help) {
      var plugin = yasr.drawnPlugin && yasr.plugins[yasr.drawnPlugin];
      var words = help.classList.contains("disabled") || !plugin ? W.help_none : say(W.help_view, { view: plugin.label || yasr.drawnPlugin });
      help.title = words;
      help.setAttribute("aria-label", words);
    }
    yasr.rootEl.querySelectorAll(".overlay_btn").forEach(function (b) {
      var words = b.title === "Show all" ? W.show_all : b.title === "Download result" ? W.download_raw : null;
      if (!words) return;
      b.title = words;
      var text = b.querySelector("span") || b;
      if (text.children.length === 0) text.textContent = words;
    });
  }

  /* A syntax error in words: where, what was expected, the line with a caret, and a way to go there. */
  var errorMark = null;
  function clearProblem() {
    problem.hidden = true;
    problem.textContent = "";
    if (errorMark !== null) { yasqe.removeLineClass(errorMark, "background", "query-error-line"); errorMark = null; }
  }
  /** The prefix used at (line, column), e.g. `nope:`, for the undeclared-prefix message. */
  function prefixAt(line, column) {
    var source = yasqe.getLine(line - 1) || "", m, found = null, re = /([A-Za-z][\w.-]*)?:/g;
    while ((m = re.exec(source)) !== null) {
      if (m.index < column) found = m[0];
    }
    return found || "…:";
  }
  function expectedWords(what) {
    var words = [];
    var re = /"((?:[^"\\]|\\.)+)"|\b([A-Z][A-Za-z_]{1,})\b/g, m;
    var clean = what.replace(/\[[^\]]*\]/g, " ");
    while ((m = re.exec(clean)) !== null) {
      var w = m[1] !== undefined ? m[1] : m[2];
      if (words.indexOf(w) < 0 && words.length < 8) words.push(w);
    }
    return words.length ? words.join("  ") : null;
  }
  function showProblem() {
    clearProblem();
    var r = yasr.results;
    var error = r && r.getError && r.getError();
    if (!error) return;
    var text = (yasr.resultsEl.textContent || "") + " " + (error.text || "");
    // Two engines, two shapes: pyoxigraph's "error at 3:2: expected ..." and the guard's parser's
    // "Expected SelectQuery (line 2, column 3)"; an undeclared prefix is said plainly either way.
    var line, column, what = null;
    var at = /error at (\d+):(\d+):?\s*(?:expected (?:one of )?)?([^\n]*(?:\n\|[^\n]*)*)/.exec(text);
    var paren = /SPARQL syntax error:\s*([^\n]*?)\s*\(line (\d+), column (\d+)\)/i.exec(text);
    var undeclared = false;
    if (at) {
      line = parseInt(at[1], 10); column = parseInt(at[2], 10);
      undeclared = /Prefix not found/.test(at[3] || "");
      what = undeclared ? null : expectedWords(at[3] || "");
    } else if (paren) {
      line = parseInt(paren[2], 10); column = parseInt(paren[3], 10);
      undeclared = /prefix/i.test(paren[1]);
      what = undeclared ? null : expectedWords(paren[1].replace(/^Expected\s+/i, "")) || paren[1].replace(/^Expected\s+/i, "");
    } else if (/SPARQL syntax error/.test(text)) {
      var said = /SPARQL syntax error:?\s*([^\n]*)/.exec(text);
      problem.appendChild(el("p", { "class": "problem-where" }, W.error_other));
      problem.appendChild(el("p", {}, said[1]));
      problem.hidden = false;
      return;
    } else return;
    problem.appendChild(el("p", { "class": "problem-where" }, say(W.error_syntax, { line: line, column: column })));
    if (undeclared) problem.appendChild(el("p", {}, say(W.error_prefix, { prefix: prefixAt(line, column) })));
    else if (what) problem.appendChild(el("p", {}, say(W.error_expected, { what: what })));
    var source = yasqe.getLine(line - 1);
    if (typeof source === "string") {
      var pre = el("pre", { "class": "problem-line" });
      pre.appendChild(el("span", {}, line + " │ " + source + "\n"));
      pre.appendChild(el("span", { "class": "caret" }, " ".repeat(String(line).length + 3 + Math.max(0, column - 1)) + "^"));
      problem.appendChild(pre);
      errorMark = line - 1;
      yasqe.addLineClass(errorMark, "background", "query-error-line");
    }
    var go = el("button", { type: "button" }, W.show_line);
    go.addEventListener("click", function () {
      yasqe.focus();
      yasqe.setCursor({ line: line - 1, ch: Math.max(0, column - 1) });
    });
    problem.appendChild(go);
    problem.hidden = false;
  }

  // A SELECT whose answer has ?source and ?target can be opened as a network (/network?query=...),
  // analysed and exported like the built-in partner networks.
  function offerNetwork() {
    var variables = yasr.results && yasr.results.getVariables ? yasr.results.getVariables() : [];
    var fits = variables.indexOf("source") >= 0 && variables.indexOf("target") >= 0;
    networkBox.hidden = !fits;
    if (fits) {
      networkLink.href = config.networkPath + "?query=" + encodeURIComponent(tab.getQuery());
    }
  }

  yasgui.on("queryResponse", function () {
    window.setTimeout(offerNetwork, 0);
  });
  yasr.on("drawn", function () {
    offerNetwork();
    showProblem();
    window.setTimeout(tabsUp, 0); // after YASR marks the views this answer cannot use
  });
  yasr.on("change", tabsUp);

  /* ------------------------------------------------------------------ the gallery question's form */

  var example = config.example;
  var fields = [];
  var form = document.getElementById("example-form");
  var status = document.getElementById("form-status");
  var restore = document.getElementById("form-restore");
  var programmatic = false;
  var known = {}; // IRI -> label, of what the form has shown
  var names = {}; // IRI -> what the page calls it in its own language (the question's words)
  var questionLine = document.getElementById("example-question");

  /** The question names the values asked about now: its template's {variable}s filled with their labels
   * in the page's language (an IRI nobody named stays an IRI). Set as text, never as markup. */
  function reword() {
    if (!questionLine || !example || !example.question_template) return;
    var byVar = {};
    fields.forEach(function (f) { byVar[f.name] = f.isIri ? names[f.value] || known[f.value] || f.value : f.value; });
    questionLine.textContent = example.question_template.replace(/\{(\w+)\}/g, function (m, k) {
      return Object.prototype.hasOwnProperty.call(byVar, k) ? byVar[k] : m;
    });
  }

  function term(field) {
    return field.isIri ? "<" + field.value + ">" : JSON.stringify(field.value);
  }
  function valuesLine() {
    if (fields.length === 1) return "VALUES ?" + fields[0].name + " { " + term(fields[0]) + " }";
    return "VALUES (" + fields.map(function (f) { return "?" + f.name; }).join(" ") + ") { (" + fields.map(term).join(" ") + ") }";
  }
  function escapeRe(s) { return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"); }
  /** The VALUES clause of the form's variables in `text`: [match, [terms]] or null. */
  function findValues(text) {
    var names = fields.map(function (f) { return "[?$]" + escapeRe(f.name); });
    var re = fields.length === 1
      ? new RegExp("VALUES\\s+" + names[0] + "\\s*\\{\\s*((?:<[^<>\\s]*>|\"(?:[^\"\\\\]|\\\\.)*\")\\s*)\\}", "i")
      : new RegExp("VALUES\\s*\\(\\s*" + names.join("\\s+") + "\\s*\\)\\s*\\{\\s*\\(\\s*((?:(?:<[^<>\\s]*>|\"(?:[^\"\\\\]|\\\\.)*\")\\s*)+)\\)\\s*\\}", "i");
    var m = re.exec(text);
    if (!m) return null;
    var terms = [], t, tre = /<([^<>\s]*)>|"((?:[^"\\]|\\.)*)"/g;
    while ((t = tre.exec(m[1])) !== null) terms.push(t[1] !== undefined ? { iri: true, value: t[1] } : { iri: false, value: JSON.parse('"' + t[2] + '"') });
    return terms.length === fields.length ? { match: m, terms: terms } : null;
  }
  function canonicalText() {
    var item = byName[example.name];
    var found = item ? findValues(item.query) : null;
    return found ? item.query.slice(0, found.match.index) + valuesLine() + item.query.slice(found.match.index + found.match[0].length) : null;
  }

  var valuesMark = null;
  function markValuesLine(reveal) {
    if (valuesMark !== null) { yasqe.removeLineClass(valuesMark, "background", "values-line"); valuesMark = null; }
    var found = findValues(yasqe.getValue());
    if (!found) return;
    var line = yasqe.posFromIndex(found.match.index).line;
    valuesMark = line;
    yasqe.addLineClass(line, "background", "values-line");
    if (reveal) yasqe.scrollIntoView({ line: line, ch: 0 }, 48); // in view even where the editor is short (phones)
  }

  function setStatus(text, mismatch) {
    status.textContent = text;
    form.classList.toggle("mismatch", !!mismatch);
    restore.hidden = !mismatch;
  }

  /** The form's values into the query text: only the VALUES line changes; never over a text without one. */
  function formToText() {
    var text = yasqe.getValue();
    var found = findValues(text);
    if (!found) {
      setStatus(W.form_mismatch, true);
      return false;
    }
    var next = text.slice(0, found.match.index) + valuesLine() + text.slice(found.match.index + found.match[0].length);
    if (next !== text) {
      programmatic = true;
      yasqe.setValue(next);
      programmatic = false;
    }
    markValuesLine(true);
    setStatus(W.form_in_sync, false);
    return true;
  }

  /** The text's VALUES line into the form (a person edited it); or the form says it no longer matches. */
  function textToForm() {
    if (!fields.length) return;
    var found = findValues(yasqe.getValue());
    if (!found || found.terms.some(function (t, i) { return t.iri !== fields[i].isIri; })) {
      setStatus(W.form_mismatch, true);
      markValuesLine();
      return;
    }
    var changed = false;
    found.terms.forEach(function (t, i) {
      var f = fields[i];
      if (t.value !== f.value) {
        f.value = t.value;
        changed = true;
        show(f, known[t.value] || t.value, t.iri ? hrefOf(t.value) : null);
      }
    });
    markValuesLine();
    setStatus(changed ? W.form_from_text + " · " + W.form_in_sync : W.form_in_sync, false);
  }

  function show(f, label, href) {
    f.input.value = label;
    f.label = label;
    if (f.hidden) f.hidden.value = f.value;
    f.iriLine.textContent = "";
    if (href) f.iriLine.appendChild(el("a", { href: href }, f.value)); else f.iriLine.textContent = f.value;
    reword();
  }

  function looksLikeIri(text) {
    var t = text.trim().replace(/^<(.*)>$/, "$1");
    return /^[a-z][a-z0-9+.-]*:[^\s\x00-\x1f<>"{}|\\^`]+$/i.test(t) ? t : null; // the IRI grammar's forbidden characters
  }

  function combobox(f) {
    var input = f.input;
    var list = el("ul", { role: "listbox", id: input.id + "-list", "class": "suggestions", hidden: "" });
    input.parentNode.appendChild(list);
    var live = el("span", { "class": "visually-hidden", "aria-live": "polite" });
    input.parentNode.appendChild(live);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", list.id);
    var items = [], active = -1, seq = 0, timer = null, controller = null, lastQ = null;

    function close() {
      lastQ = null;
      list.hidden = true;
      list.textContent = "";
      items = [];
      active = -1;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    }
    function highlight(i) {
      active = i;
      Array.prototype.forEach.call(list.children, function (li, j) { li.setAttribute("aria-selected", j === i ? "true" : "false"); });
      if (i >= 0 && list.children[i]) {
        input.setAttribute("aria-activedescendant", list.children[i].id);
        list.children[i].scrollIntoView({ block: "nearest" });
      } else input.removeAttribute("aria-activedescendant");
    }
    function pick(item) {
      f.value = item.iri;
      known[item.iri] = item.label;
      if (item.name) names[item.iri] = item.name;
      show(f, item.label, item.url || hrefOf(item.iri));
      close();
      changed();
    }
    function render(found) {
      // A later answer for the same field keeps the suggestion the person has moved to.
      var was = active >= 0 && items[active] ? items[active].iri : null;
      list.textContent = "";
      items = found;
      if (!found.length) {
        list.appendChild(el("li", { "class": "none", role: "option", "aria-disabled": "true", id: input.id + "-none" }, W.no_match));
      }
      found.forEach(function (item, i) {
        var li = el("li", { role: "option", id: input.id + "-opt-" + i, "aria-selected": "false" });
        li.appendChild(el("span", { "class": "s-label" }, item.label));
        var meta = [item.type || item.kind, item.date].filter(Boolean).join(" · ");
        if (meta) li.appendChild(el("span", { "class": "s-meta" }, meta));
        li.addEventListener("mousedown", function (event) { event.preventDefault(); });
        li.addEventListener("click", function () { pick(item); });
        list.appendChild(li);
      });
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      live.textContent = found.length ? say(W.suggestions, { n: found.length }) : W.no_match;
      var keep = was ? found.map(function (item) { return item.iri; }).indexOf(was) : -1;
      highlight(found.length ? Math.max(0, keep) : -1);
    }
    function search() {
      var q = input.value.trim();
      if (!q || looksLikeIri(q)) { close(); return; }
      if (q === lastQ && !list.hidden) return;
      lastQ = q;
      var mine = ++seq;
      live.textContent = W.searching;
      if (controller) controller.abort();
      controller = window.AbortController ? new AbortController() : null;
      fetch(config.searchPath + "?limit=8&lang=" + encodeURIComponent(config.lang || "en") + "&q=" + encodeURIComponent(q.slice(0, 200)), controller ? { signal: controller.signal } : {})
        .then(function (r) { return r.ok ? r.json() : { results: [] }; })
        .then(function (body) { if (mine === seq && document.activeElement === input) render(body.results || []); })
        .catch(function () { /* aborted: a newer search is on its way */ });
    }
    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(search, 160);
    });
    input.addEventListener("keydown", function (event) {
      var open = !list.hidden && items.length > 0;
      if (event.key === "ArrowDown") {
        event.preventDefault();
        if (!open) { search(); return; }
        highlight((active + 1) % items.length);
      } else if (event.key === "ArrowUp") {
        if (!open) return;
        event.preventDefault();
        highlight((active + items.length - 1) % items.length);
      } else if (event.key === "Enter") {
        if (open && active >= 0) {
          event.preventDefault();
          pick(items[active]);
        }
      } else if (event.key === "Escape") {
        if (!list.hidden) {
          event.preventDefault();
          close();
        } else if (input.value !== f.label) {
          input.value = f.label;
        }
      }
    });
    input.addEventListener("blur", function () { window.setTimeout(close, 150); });
    f.close = close;
  }

  /** A field's text on submit: the label shown (unchanged), an IRI typed in, or neither (said so). */
  function settle() {
    var bad = null;
    fields.forEach(function (f) {
      if (f.input.value === f.label) return;
      var iri = f.isIri ? looksLikeIri(f.input.value) : null;
      if (iri) { f.value = iri; show(f, known[iri] || iri, hrefOf(iri)); } else if (!f.isIri) { f.value = f.input.value; f.label = f.value; } else bad = bad || f;
    });
    reword();
    return bad;
  }

  function changed() {
    if (formToText()) {
      run(yasqe.getValue());
    }
  }

  function setUpForm() {
    if (!example || !form) return;
    form.querySelectorAll(".param").forEach(function (div) {
      var input = div.querySelector("input");
      var param = example.params.filter(function (p) { return p.name === div.getAttribute("data-var"); })[0];
      if (!param) return;
      var f = { name: param.name, value: param.value, isIri: param.iri, label: param.label, input: input, iriLine: div.querySelector(".param-iri"), hidden: null };
      if (f.isIri) {
        // The visible field shows a label; the IRI travels in a hidden field of the same name.
        f.hidden = el("input", { type: "hidden", name: param.name, value: param.value });
        input.removeAttribute("name");
        div.appendChild(f.hidden);
        known[param.value] = param.label;
        names[param.value] = param.label; // the server's label, in the page's language
        input.value = param.label;
        combobox(f);
      }
      fields.push(f);
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var bad = settle();
      if (bad) {
        setStatus(W.not_iri, false);
        bad.input.focus();
        return;
      }
      formToText(); // without a VALUES line in the text, this only says so: the text runs as written
      run(yasqe.getValue());
    });
    restore.addEventListener("click", function () {
      var text = yasqe.getValue();
      var where = /WHERE\s*\{/i.exec(text);
      var next = where ? text.slice(0, where.index + where[0].length) + "\n  " + valuesLine() + text.slice(where.index + where[0].length) : canonicalText();
      if (next) {
        programmatic = true;
        yasqe.setValue(next);
        programmatic = false;
        textToForm();
      }
    });
    yasqe.on("change", function () {
      if (!programmatic) textToForm();
    });
  }

  /* ------------------------------------------------------------------ running, links and the URL */

  function pageUrl(query) {
    var params = new URLSearchParams();
    var canonical = example && fields.length === example.params.length ? canonicalText() : null;
    if (example && (query === canonical || (!fields.length && query === byName[example.name].query))) {
      params.set("example", example.name);
      fields.forEach(function (f) { params.set(f.name, f.value); });
    } else {
      params.set("query", query);
    }
    if (config.lang && config.lang !== "en") params.set("lang", config.lang);
    return config.endpointPath + "?" + params.toString();
  }

  function showLinks(query) {
    var encoded = encodeURIComponent(query);
    permalink.href = pageUrl(query);
    csvLink.href = config.endpointPath + "?format=csv&query=" + encoded;
  }

  function run(query) {
    if (tab.getQuery() !== query) {
      programmatic = true;
      tab.setQuery(query);
      programmatic = false;
    }
    showLinks(query);
    return tab.query().catch(function () {
      /* YASR shows the endpoint's error message; showProblem() says it in words */
    });
  }

  // The query on screen, for the Cite button (static/cite.js): the address bar may name a gallery
  // question and its parameters rather than carry the text.
  window.uaeuCurrentQuery = function () { return tab.getQuery(); };

  // Every run makes the address bar the permalink of the query that ran.
  yasgui.on("query", function (instance, queried) {
    var query = queried.getQuery();
    clearProblem();
    showLinks(query);
    window.history.replaceState(null, "", pageUrl(query));
  });

  document.getElementById("query-form").hidden = true;
  root.hidden = false;
  document.getElementById("editor-links").hidden = false;
  document.documentElement.classList.add("editor-ready");

  // Our IRIs in the results open on this server (which answers /id/... with 303 to its page), as
  // everywhere else on the site; other IRIs are left alone.
  function localise(event) {
    var link = event.target.closest && event.target.closest("a.iri");
    var href = link && link.getAttribute("href");
    if (base && href && href.indexOf(base) === 0) {
      link.setAttribute("href", "/" + href.slice(base.length));
    }
  }
  root.addEventListener("mousedown", localise, true);
  root.addEventListener("focusin", localise, true);

  if (typeof config.query === "string" && config.query.trim() !== "") {
    programmatic = true;
    tab.setQuery(config.query);
    programmatic = false;
    setUpForm();
    if (fields.length) {
      textToForm();
      markValuesLine(true);
    }
    run(config.query);
  } else {
    tab.setQuery(config.defaultQuery);
    showLinks(config.defaultQuery);
  }
})();
