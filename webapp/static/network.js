/*
 * The partner network page: Cytoscape.js (vendored from npm at set-up) draws what /network.json gives.
 *
 * Why this shape: positions come from the server (one spring layout per kind, fixed seed), so the
 * picture is the same for everyone and a node stays put when the date or a filter changes; the page
 * only styles, highlights and sorts. Text goes into the page with textContent (never innerHTML) and
 * into the canvas as labels, so a label cannot inject markup. window.uaeuNetwork exposes the state
 * (node count, selection, highlighted neighbours) for tests and for the curious in the console.
 */
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("network-config").textContent);
  // Every word this script writes comes from the page (webapp/wording.py NETWORK), in the page's language.
  var W = config.words || {};
  var NAMES = config.names || {};
  function say(key, values) {
    var text = W[key] !== undefined ? W[key] : key;
    Object.keys(values || {}).forEach(function (name) {
      text = text.split("{" + name + "}").join(String(values[name]));
    });
    return text;
  }
  // A link to one of this site's pages keeps the page's language (the data is the same in every language).
  function localised(url) {
    if (!url || !config.lang || config.lang === "en") {
      return url;
    }
    var link = new URL(url, window.location.href);
    if (link.origin !== window.location.origin) {
      return url;
    }
    link.searchParams.set("lang", config.lang);
    return link.toString();
  }
  function metricName(key) {
    return W["metric_" + key] || key.replace("_", " ");
  }
  var container = document.getElementById("network-canvas");
  var status = document.getElementById("network-status");
  var form = document.getElementById("network-form");
  var FILTERS = ["kind", "weighting", "role", "partner_type", "theme", "evidence"];
  var PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
    "#393b79", "#ad494a", "#637939", "#8c6d31", "#843c39", "#7b4173", "#3182bd", "#e6550d", "#31a354", "#756bb1"];
  var KIND_COLOURS = { partnership: "#d62728", organisation: "#1f77b4", country: "#2ca02c" };
  // How many of the biggest nodes (by the "Size by" metric) keep their label at every zoom; past
  // LABEL_ALL_ZOOM times the fitted zoom every node shows its label.
  var TOP_LABELS = 12;
  var LABEL_ALL_ZOOM = 2.5;
  var PLAY_STEP_MS = 700;

  var state = {
    ready: false,
    loading: false,
    nodeCount: 0,
    edgeCount: 0,
    selected: null,
    highlighted: [],
    params: {},
    data: null,
    cy: null,
    loads: 0,
    requested: 0,
    error: null,
    playing: false,
    legend: [],
    topLabelled: [],
    topCandidates: [],
  };
  window.uaeuNetwork = state;

  if (!window.cytoscape || !container) {
    status.textContent = say("needs_js");
    return;
  }

  var sort = { key: "degree", descending: true };

  function el(tag, text, attrs) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) {
      node.textContent = String(text);
    }
    Object.keys(attrs || {}).forEach(function (name) {
      node.setAttribute(name, attrs[name]);
    });
    return node;
  }

  function format(value) {
    if (value === null || value === undefined) {
      return "";
    }
    if (typeof value === "number" && !Number.isInteger(value)) {
      return value.toFixed(3);
    }
    return String(value);
  }

  // ------------------------------------------------------------ parameters <-> form and URL

  function readForm() {
    var params = {};
    if (config.params.query) {
      params.query = config.params.query;
      return params;
    }
    FILTERS.forEach(function (name) {
      var value = document.getElementById(name).value;
      if (value) {
        params[name] = value;
      }
    });
    if (document.getElementById("use-date").checked) {
      params.as_of = document.getElementById("as-of").value;
    }
    return params;
  }

  function writeForm(params) {
    FILTERS.forEach(function (name) {
      var field = document.getElementById(name);
      if (params[name] !== undefined && Array.prototype.some.call(field.options, function (o) { return o.value === params[name]; })) {
        field.value = params[name];
      }
    });
    var useDate = document.getElementById("use-date");
    var slider = document.getElementById("as-of");
    var year = params.as_of ? parseInt(params.as_of.slice(0, 4), 10) : NaN;
    useDate.checked = !isNaN(year);
    if (!isNaN(year)) {
      slider.value = String(year);
    }
    showDate();
  }

  function showDate() {
    var useDate = document.getElementById("use-date").checked;
    document.getElementById("as-of-label").textContent = useDate ? document.getElementById("as-of").value : say("any_date");
  }

  function queryString(params) {
    var search = new URLSearchParams();
    Object.keys(params).forEach(function (name) {
      search.set(name, params[name]);
    });
    return search.toString();
  }

  // ------------------------------------------------------------ drawing

  function colourOf(node, by) {
    if (by === "partner_type") {
      var types = config.choices.partner_types;
      var index = types.indexOf(node.partner_type);
      return index < 0 ? "#999999" : PALETTE[index % PALETTE.length];
    }
    if (by === "kind") {
      return KIND_COLOURS[node.kind] || "#7f7f7f";
    }
    var community = node.community;
    return community === null || community === undefined ? "#999999" : PALETTE[community % PALETTE.length];
  }

  // What a colour means, in words: the legend's entry for a node.
  function colourMeaning(node, by) {
    if (by === "partner_type") {
      return node.partner_type && config.choices.partner_types.indexOf(node.partner_type) >= 0 ? ((NAMES.partner_types || {})[node.partner_type] || node.partner_type) : say("other_or_unknown");
    }
    if (by === "kind") {
      return node.kind ? (W["node_" + node.kind] || node.kind) : say("other");
    }
    return node.community === null || node.community === undefined ? say("no_community") : say("community_n", { n: node.community });
  }

  // The legend lists each colour in use once (meanings that share a colour are joined) with how
  // many nodes have it, and what the node sizes stand for.
  function fillLegend(by, metric, low, high) {
    var entries = {};
    var order = [];
    state.data.nodes.forEach(function (node) {
      var colour = colourOf(node, by);
      if (!entries[colour]) {
        entries[colour] = { colour: colour, meanings: [], count: 0 };
        order.push(colour);
      }
      var meaning = colourMeaning(node, by);
      if (entries[colour].meanings.indexOf(meaning) < 0) {
        entries[colour].meanings.push(meaning);
      }
      entries[colour].count += 1;
    });
    var list = order.map(function (c) { return entries[c]; }).sort(function (a, b) { return b.count - a.count || a.meanings[0].localeCompare(b.meanings[0]); });
    state.legend = list.map(function (e) { return { colour: e.colour, label: e.meanings.join(", "), count: e.count }; });
    var box = document.getElementById("legend-colours");
    box.textContent = "";
    state.legend.forEach(function (entry) {
      var item = el("li", null, { "data-colour": entry.colour });
      item.appendChild(el("span", null, { "class": "swatch", style: "background-color:" + entry.colour, "aria-hidden": "true" }));
      item.appendChild(el("span", entry.label + " (" + entry.count + ")"));
      box.appendChild(item);
    });
    document.getElementById("legend-colour-title").textContent = say("colour") + ": " + document.getElementById("colour-by").selectedOptions[0].textContent;
    var sizes = document.getElementById("legend-sizes");
    sizes.textContent = "";
    sizes.appendChild(el("span", say("size") + ": " + metricName(metric) + " "));
    sizes.appendChild(el("span", null, { "class": "size-dot small", "aria-hidden": "true" }));
    sizes.appendChild(el("span", " " + format(low) + " … "));
    sizes.appendChild(el("span", null, { "class": "size-dot big", "aria-hidden": "true" }));
    sizes.appendChild(el("span", " " + format(high)));
    sizes.appendChild(el("span", " · " + say("labels_hint", { n: TOP_LABELS }), { "class": "hint" }));
  }

  function overlaps(a, b) {
    return a.x1 < b.x2 && b.x1 < a.x2 && a.y1 < b.y2 && b.y1 < a.y2;
  }

  // Labels: of the TOP_LABELS biggest nodes, each whose label does not cover a bigger one's (so the
  // crowded middle stays legible), at any zoom; every node's once zoomed in far enough.
  function updateLabels() {
    var cy = state.cy;
    if (!cy) {
      return;
    }
    // The top labels keep a readable size on screen (about 12 px) however far out the view is.
    var px = Math.max(9, 12 / Math.max(cy.zoom(), 0.01));
    var candidates = (state.topCandidates || []).map(function (id) { return cy.getElementById(id); });
    cy.batch(function () {
      candidates.forEach(function (n) { n.data("labelSize", px).addClass("top-labelled"); });
    });
    var kept = [];
    var boxes = [];
    candidates.forEach(function (n) {
      var box = n.boundingBox({ includeNodes: false, includeEdges: false, includeLabels: true, includeOverlays: false });
      if (boxes.some(function (other) { return overlaps(box, other); })) {
        n.removeClass("top-labelled");
      } else {
        boxes.push(box);
        kept.push(n.id());
      }
    });
    state.topLabelled = kept;
    var all = cy.zoom() >= state.fitZoom * LABEL_ALL_ZOOM;
    if (all !== cy.scratch("_allLabels")) {
      cy.scratch("_allLabels", all);
      cy.batch(function () {
        if (all) {
          cy.nodes().addClass("zoom-labelled");
        } else {
          cy.nodes().removeClass("zoom-labelled");
        }
      });
    }
  }

  function restyle() {
    if (!state.cy || !state.data) {
      return;
    }
    var by = document.getElementById("colour-by").value;
    var metric = document.getElementById("size-by").value;
    var values = state.data.nodes.map(function (n) { return n[metric] || 0; });
    var low = Math.min.apply(null, values.concat([0]));
    var high = Math.max.apply(null, values.concat([0]));
    state.cy.batch(function () {
      state.cy.nodes().forEach(function (ele) {
        var node = ele.data("node");
        var value = node[metric] || 0;
        var size = high > low ? 10 + 40 * (value - low) / (high - low) : 20;
        ele.data("size", size);
        ele.data("colour", colourOf(node, by));
      });
      var metricOf = function (n) { return n.data("node")[metric] || 0; };
      var top = state.cy.nodes().sort(function (a, b) { return metricOf(b) - metricOf(a) || a.data("label").localeCompare(b.data("label")); }).slice(0, TOP_LABELS);
      state.cy.nodes().removeClass("top-labelled");
      state.topCandidates = top.map(function (n) { return n.id(); });
    });
    updateLabels();
    fillLegend(by, metric, low, high);
  }

  function draw(data) {
    var elements = [];
    data.nodes.forEach(function (node) {
      elements.push({
        group: "nodes",
        data: { id: node.id, label: node.label, node: node, size: 20, labelSize: 12, colour: "#1f77b4", shape: node.kind === "partnership" ? "round-rectangle" : "ellipse" },
        position: { x: node.x, y: node.y },
      });
    });
    data.edges.forEach(function (edge, i) {
      elements.push({ group: "edges", data: { id: "e" + i, source: edge.source, target: edge.target, weight: edge.weight || 1, weak: edge.weak ? 1 : 0 } });
    });
    var weights = data.edges.map(function (e) { return e.weight || 1; });
    var heaviest = Math.max.apply(null, weights.concat([1]));
    if (state.cy) {
      state.cy.destroy();
    }
    state.cy = window.cytoscape({
      container: container,
      elements: elements,
      layout: { name: "preset", fit: true, padding: 20 },
      wheelSensitivity: 0.3,
      pixelRatio: 1,
      hideEdgesOnViewport: true,
      minZoom: 0.05,
      maxZoom: 8,
      style: [
        { selector: "node", style: {
          "background-color": "data(colour)", width: "data(size)", height: "data(size)", shape: "data(shape)",
          label: "", "font-size": 9, "min-zoomed-font-size": 7, color: "#222", "text-valign": "bottom",
          "text-outline-color": "#fff", "text-outline-width": 1, "border-width": 0 } },
        { selector: "node.zoom-labelled, node.highlighted", style: { label: "data(label)" } },
        // The biggest nodes' labels are drawn at any zoom, large enough to read at the fitted one.
        { selector: "node.top-labelled", style: { label: "data(label)", "font-size": "data(labelSize)", "font-weight": "bold", "min-zoomed-font-size": 0, "z-index": 5,
          "text-background-color": "#fff", "text-background-opacity": 0.7, "text-background-padding": 1 } },
        { selector: "edge", style: {
          width: "mapData(weight, 0, " + heaviest + ", 0.5, 5)", "line-color": "#9aa7b4", opacity: 0.35, "curve-style": "haystack" } },
        { selector: "edge[weak = 1]", style: { "line-style": "dashed" } },
        { selector: ".faded", style: { opacity: 0.08 } },
        { selector: "edge.highlighted", style: { opacity: 0.9, "line-color": "#103a63" } },
        { selector: "node.highlighted", style: { "border-width": 2, "border-color": "#103a63", "font-size": 11, "z-index": 10 } },
        { selector: "node.selected-node", style: { "border-width": 4, "border-color": "#e6550d", "font-size": 13, "font-weight": "bold", "z-index": 20 } },
      ],
    });
    state.fitZoom = state.cy.zoom();
    state.cy.scratch("_allLabels", false);
    state.cy.on("zoom", updateLabels);
    state.cy.on("tap", "node", function (event) {
      select(event.target.id());
    });
    state.cy.on("tap", function (event) {
      if (event.target === state.cy) {
        select(null);
      }
    });
    state.cy.on("dbltap", "node", function (event) {
      var node = event.target.data("node");
      if (node.url) {
        window.location.href = node.url;
      }
    });
    restyle();
  }

  // ------------------------------------------------------------ selection

  function select(id) {
    var cy = state.cy;
    var panel = document.getElementById("selection");
    cy.elements().removeClass("faded highlighted selected-node");
    state.selected = null;
    state.highlighted = [];
    Array.prototype.forEach.call(document.querySelectorAll("#metrics-table tbody tr.is-selected"), function (row) {
      row.classList.remove("is-selected");
    });
    var ele = id ? cy.getElementById(id) : null;
    if (!ele || ele.empty()) {
      panel.hidden = true;
      return false;
    }
    var hood = ele.closedNeighborhood();
    cy.elements().difference(hood).addClass("faded");
    hood.addClass("highlighted");
    ele.addClass("selected-node");
    state.selected = id;
    state.highlighted = ele.neighborhood("node").map(function (n) { return n.id(); }).sort();
    var node = ele.data("node");
    document.getElementById("selection-label").textContent = node.label;
    var facts = [W["node_" + node.kind] || node.kind, (NAMES.partner_types || {})[node.partner_type] || node.partner_type, node.country].filter(Boolean).join(" · ");
    document.getElementById("selection-facts").textContent = facts + " · " + say("degree") + " " + format(node.degree) + " · " + say("community") + " " + format(node.community);
    var link = document.getElementById("selection-link");
    link.hidden = !node.url;
    link.setAttribute("href", node.url || "#");
    showNeighbours(ele);
    panel.hidden = false;
    var row = document.querySelector('#metrics-table tbody tr[data-id="' + CSS.escape(id) + '"]');
    if (row) {
      row.classList.add("is-selected");
    }
    return true;
  }

  // The neighbours by name, biggest link first, each a link to its page (or plain text without one).
  function showNeighbours(ele) {
    var list = document.getElementById("selection-neighbours");
    list.textContent = "";
    var weightTo = {};
    ele.connectedEdges().forEach(function (edge) {
      var other = edge.source().id() === ele.id() ? edge.target().id() : edge.source().id();
      weightTo[other] = (weightTo[other] || 0) + (edge.data("weight") || 1);
    });
    var neighbours = ele.neighborhood("node").map(function (n) { return n.data("node"); });
    neighbours.sort(function (a, b) { return weightTo[b.id] - weightTo[a.id] || a.label.localeCompare(b.label); });
    document.getElementById("selection-count").textContent = String(neighbours.length);
    neighbours.forEach(function (node) {
      var item = el("li", null, { "data-id": node.id });
      item.appendChild(node.url ? el("a", node.label, { href: node.url, "class": "from-graph" }) : el("span", node.label, { "class": "from-graph" }));
      if (weightTo[node.id] > 1) {
        item.appendChild(el("span", " (" + format(weightTo[node.id]) + ")", { "class": "hint", title: say("weight_of_link") }));
      }
      list.appendChild(item);
    });
  }

  state.select = select;
  state.find = function (text) {
    var wanted = String(text).toLowerCase();
    var nodes = state.data ? state.data.nodes : [];
    var exact = nodes.filter(function (n) { return n.id === text || n.id.slice(-wanted.length - 1) === "/" + wanted || n.label.toLowerCase() === wanted; });
    var found = exact.length ? exact : nodes.filter(function (n) { return n.label.toLowerCase().indexOf(wanted) >= 0; });
    return found.map(function (n) { return n.id; });
  };
  // Zoom in on a node and put it in the middle (synchronous: no animation frames to wait for).
  state.focus = function (id, zoom) {
    var ele = state.cy.getElementById(id);
    state.cy.zoom(Math.max(state.cy.zoom(), zoom || 1));
    state.cy.center(ele);
  };
  // Where a node is drawn, in page coordinates (for clicking it like a person would).
  state.screenPosition = function (id) {
    var ele = state.cy.getElementById(id);
    var box = container.getBoundingClientRect();
    var at = ele.renderedPosition();
    return { x: box.left + window.scrollX + at.x, y: box.top + window.scrollY + at.y };
  };

  // ------------------------------------------------------------ table, downloads, search

  function fillTable(data) {
    var table = document.getElementById("metrics-table");
    var head = table.querySelector("thead");
    var body = table.querySelector("tbody");
    head.textContent = "";
    body.textContent = "";
    var columns = ["label"].concat(data.metrics);
    var row = el("tr");
    columns.forEach(function (key) {
      var th = el("th", null, { "data-key": key, scope: "col", "aria-sort": "none" });
      if (key === sort.key) {
        th.setAttribute("aria-sort", sort.descending ? "descending" : "ascending");
      }
      var button = el("button", metricName(key), { type: "button", "class": "sort-button", "data-key": key, title: W["note_" + key] || data.metric_notes[key] || "" });
      button.addEventListener("click", function () {
        sort = { key: key, descending: sort.key === key ? !sort.descending : key !== "label" };
        fillTable(data);
        // The header was redrawn: keep the keyboard where it was.
        var again = table.querySelector('thead button[data-key="' + CSS.escape(key) + '"]');
        if (again) {
          again.focus();
        }
      });
      th.appendChild(button);
      row.appendChild(th);
    });
    head.appendChild(row);
    var nodes = data.nodes.slice().sort(function (a, b) {
      var x = a[sort.key], y = b[sort.key];
      var order = typeof x === "string" ? x.localeCompare(y) : (x === null ? -Infinity : x) - (y === null ? -Infinity : y);
      return (sort.descending ? -order : order) || a.label.localeCompare(b.label);
    });
    nodes.forEach(function (node) {
      var tr = el("tr", null, { "data-id": node.id, tabindex: "0" });
      if (node.id === state.selected) {
        tr.classList.add("is-selected");
      }
      columns.forEach(function (key) {
        // A node's name is the graph's (in the data's language), not the page's words.
        tr.appendChild(el("td", format(node[key]), key === "label" ? { "class": "from-graph" } : {}));
      });
      tr.addEventListener("click", function () {
        select(node.id);
      });
      tr.addEventListener("keydown", function (event) {
        if (event.key === "Enter" || event.key === " ") {
          event.preventDefault();
          select(node.id);
        } else if (event.key === "ArrowDown" && tr.nextElementSibling) {
          event.preventDefault();
          tr.nextElementSibling.focus();
        } else if (event.key === "ArrowUp" && tr.previousElementSibling) {
          event.preventDefault();
          tr.previousElementSibling.focus();
        }
      });
      body.appendChild(tr);
    });
  }

  function fillDownloads(data) {
    var box = document.getElementById("downloads");
    box.textContent = "";
    var names = { json: "JSON", gexf: "GEXF (Gephi)", graphml: "GraphML", cyjs: "Cytoscape JSON", csv: "CSV (zip)", "nodes.csv": say("dl_nodes_csv"), "edges.csv": say("dl_edges_csv") };
    Object.keys(names).forEach(function (key, i) {
      if (!data.downloads[key]) {
        return;
      }
      if (i) {
        box.appendChild(document.createTextNode(" · "));
      }
      box.appendChild(el("a", names[key], { href: data.downloads[key], "data-format": key, download: "" }));
    });
  }

  function fillSearch(data) {
    var list = document.getElementById("node-names");
    list.textContent = "";
    data.nodes.slice().sort(function (a, b) { return a.label.localeCompare(b.label); }).forEach(function (node) {
      list.appendChild(el("option", null, { value: node.label }));
    });
  }

  function describeMeta(data) {
    var meta = data.meta || {};
    var counts = meta.counts || {};
    var parts = [say("nodes_edges", { nodes: counts.nodes, edges: counts.edges })];
    if (meta.metrics) {
      parts.push(say("communities", { n: meta.metrics.communities, seed: meta.metrics.louvain_seed }));
    }
    if (meta.weighting_definition) {
      parts.push(say("weight") + ": " + (W["define_" + meta.weighting] || meta.weighting_definition));
    }
    if (meta.dates) {
      // The library's sentence is English; the page says the same in its own words.
      var asOf = (data.options || {}).as_of;
      parts.push(config.lang && config.lang !== "en" ? (asOf ? say("date_filter", { date: asOf }) : say("no_date_filter")) : meta.dates);
    }
    if (meta.truncated) {
      parts.push(say("truncated", { n: meta.row_cap }));
    }
    if (meta.release) {
      parts.push(say("release") + " " + meta.release);
    }
    document.getElementById("network-meta").textContent = parts.join(" · ");
  }

  // ------------------------------------------------------------ loading

  // Only the newest request may draw: a slower, older answer (the slider moved on) is aborted or,
  // if it arrives anyway, dropped, so graph, metrics, URL and downloads always show the same choice.
  var inFlight = null;

  function load(params, push) {
    var ticket = ++state.requested;
    if (inFlight) {
      inFlight.abort();
    }
    var controller = window.AbortController ? new AbortController() : null;
    inFlight = controller;
    state.loading = true;
    state.params = params;
    status.textContent = say("loading");
    var qs = queryString(params);
    // The nodes' names come in the page's language (the filters, and so the address, stay the same).
    var named = config.lang && config.lang !== "en" && !params.query ? queryString(Object.assign({}, params, { lang: config.lang })) : qs;
    var url = config.dataUrl + (named ? "?" + named : "");
    var selected = state.selected;
    function current() {
      return ticket === state.requested;
    }
    return fetch(url, { headers: { Accept: "application/json" }, signal: controller ? controller.signal : undefined })
      .then(function (response) {
        return response.json().then(function (body) {
          if (!response.ok) {
            throw new Error(body.error || response.statusText);
          }
          return body;
        });
      })
      .then(function (data) {
        if (!current()) {
          return;
        }
        data.nodes.forEach(function (node) {
          node.url = localised(node.url);
        });
        state.data = data;
        draw(data);
        fillTable(data);
        fillDownloads(data);
        fillSearch(data);
        describeMeta(data);
        state.nodeCount = data.nodes.length;
        state.edgeCount = data.edges.length;
        state.error = null;
        status.textContent = say("nodes_edges", { nodes: data.nodes.length, edges: data.edges.length });
        if (selected) {
          select(selected);
        }
        if (push) {
          var shown = queryString(config.lang && config.lang !== "en" ? Object.assign({}, params, { lang: config.lang }) : params);
          window.history.replaceState(null, "", window.location.pathname + (shown ? "?" + shown : ""));
        }
      })
      .catch(function (error) {
        if (!current()) {
          return;
        }
        state.error = String(error.message || error);
        status.textContent = say("load_failed") + " " + state.error;
      })
      .then(function () {
        if (!current()) {
          return;
        }
        inFlight = null;
        state.loading = false;
        state.loads += 1;
        state.ready = true;
      });
  }

  function reload() {
    return load(readForm(), true);
  }

  // ------------------------------------------------------------ wiring

  if (config.params.query) {
    form.hidden = true;
    document.getElementById("query-note").hidden = false;
    document.getElementById("back-to-query").setAttribute("href", config.sparqlUrl + "?query=" + encodeURIComponent(config.params.query));
  } else {
    writeForm(config.params);
  }

  FILTERS.forEach(function (name) {
    document.getElementById(name).addEventListener("change", reload);
  });
  document.getElementById("use-date").addEventListener("change", function () {
    showDate();
    reload();
  });
  var slider = document.getElementById("as-of");
  slider.addEventListener("input", function () {
    document.getElementById("use-date").checked = true;
    showDate();
  });
  slider.addEventListener("change", function () {
    document.getElementById("use-date").checked = true;
    showDate();
    reload();
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    reload();
  });
  document.getElementById("colour-by").addEventListener("change", restyle);
  document.getElementById("size-by").addEventListener("change", restyle);
  document.getElementById("search").addEventListener("change", function (event) {
    var found = state.find(event.target.value);
    if (found.length && select(found[0])) {
      state.focus(found[0], 1);
    }
  });

  // Image export: Cytoscape's own PNG of the whole network, on white (the SVG above is written from the same drawn elements).
  document.getElementById("download-png").addEventListener("click", function () {
    if (!state.cy) {
      return;
    }
    var blob = state.cy.png({ output: "blob", full: true, bg: "#ffffff", scale: 2, maxWidth: 4000, maxHeight: 4000 });
    var url = URL.createObjectURL(blob);
    var kind = state.params.kind || (state.params.query ? "query" : "organisations");
    var link = el("a", null, { href: url, download: "uaeu-network-" + kind + (state.params.as_of ? "-" + state.params.as_of : "") + ".png" });
    document.body.appendChild(link);
    link.click();
    link.remove();
    window.setTimeout(function () { URL.revokeObjectURL(url); }, 10000);
  });

  // Image export as SVG: the same picture (positions, colours, sizes, the labels shown) written as vector
  // graphics from the drawn elements, so it scales for print and opens in Inkscape or Illustrator. Every
  // label is escaped as XML text.
  function xml(text) {
    return String(text).replace(/[&<>"']/g, function (c) { return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" }[c]; });
  }
  function number(value) {
    return (Math.round(value * 100) / 100).toString();
  }
  state.svg = function () {
    var cy = state.cy;
    var box = cy.elements().boundingBox({ includeLabels: true });
    var pad = 20;
    var x0 = box.x1 - pad, y0 = box.y1 - pad, w = box.w + 2 * pad, h = box.h + 2 * pad;
    var out = ['<svg xmlns="http://www.w3.org/2000/svg" viewBox="' + [x0, y0, w, h].map(number).join(" ") + '" width="' + number(w) + '" height="' + number(h) +
      '" font-family="system-ui, sans-serif">', "<title>" + xml(document.querySelector("h1").textContent) + "</title>",
      '<rect x="' + number(x0) + '" y="' + number(y0) + '" width="' + number(w) + '" height="' + number(h) + '" fill="#ffffff"/>', '<g class="edges" stroke-linecap="round">'];
    cy.edges().forEach(function (edge) {
      var a = edge.source().position(), b = edge.target().position();
      out.push('<line x1="' + number(a.x) + '" y1="' + number(a.y) + '" x2="' + number(b.x) + '" y2="' + number(b.y) + '" stroke="' + edge.style("line-color") +
        '" stroke-width="' + number(parseFloat(edge.style("width"))) + '" stroke-opacity="' + number(parseFloat(edge.style("opacity"))) + '"' +
        (edge.data("weak") ? ' stroke-dasharray="4 3"' : "") + "/>");
    });
    out.push('</g><g class="nodes">');
    cy.nodes().forEach(function (ele) {
      var at = ele.position(), size = ele.data("size"), node = ele.data("node");
      var fill = ' fill="' + ele.data("colour") + '" fill-opacity="' + number(parseFloat(ele.style("opacity"))) + '"';
      var shape = ele.data("shape") === "round-rectangle"
        ? '<rect x="' + number(at.x - size / 2) + '" y="' + number(at.y - size / 2) + '" width="' + number(size) + '" height="' + number(size) + '" rx="' + number(size / 5) + '"' + fill + ">"
        : '<circle cx="' + number(at.x) + '" cy="' + number(at.y) + '" r="' + number(size / 2) + '"' + fill + ">";
      out.push(shape + "<title>" + xml(node.label) + "</title>" + (ele.data("shape") === "round-rectangle" ? "</rect>" : "</circle>"));
    });
    out.push('</g><g class="labels" text-anchor="middle" fill="#222222" stroke="#ffffff" stroke-width="3" paint-order="stroke">');
    cy.nodes().forEach(function (ele) {
      if (!(ele.hasClass("top-labelled") || ele.hasClass("highlighted") || ele.hasClass("zoom-labelled"))) {
        return;
      }
      var at = ele.position(), size = ele.data("size");
      var font = ele.hasClass("top-labelled") ? ele.data("labelSize") : 9;
      out.push('<text x="' + number(at.x) + '" y="' + number(at.y + size / 2 + font) + '" font-size="' + number(font) + '"' +
        (ele.hasClass("top-labelled") ? ' font-weight="bold"' : "") + ">" + xml(ele.data("label")) + "</text>");
    });
    out.push("</g></svg>");
    return out.join("\n");
  };
  document.getElementById("download-svg").addEventListener("click", function () {
    if (!state.cy) {
      return;
    }
    var url = URL.createObjectURL(new Blob([state.svg()], { type: "image/svg+xml" }));
    var kind = state.params.kind || (state.params.query ? "query" : "organisations");
    var link = el("a", null, { href: url, download: "uaeu-network-" + kind + (state.params.as_of ? "-" + state.params.as_of : "") + ".svg" });
    document.body.appendChild(link);
    link.click();
    link.remove();
    window.setTimeout(function () { URL.revokeObjectURL(url); }, 10000);
  });

  // Timeline play: step the as-of slider a year at a time through the loading above (newest request
  // wins), waiting for each year to be drawn, and stop at the last year or when Pause is pressed.
  var playButton = document.getElementById("play");
  var playTimer = null;
  function setPlaying(on) {
    state.playing = on;
    playButton.textContent = on ? say("pause") : say("play");
    playButton.setAttribute("aria-pressed", on ? "true" : "false");
    if (!on && playTimer) {
      window.clearTimeout(playTimer);
      playTimer = null;
    }
  }
  function playStep(advance) {
    playTimer = null;
    if (!state.playing) {
      return;
    }
    if (advance) {
      if (Number(slider.value) >= Number(slider.max)) {
        setPlaying(false);
        return;
      }
      slider.value = String(Number(slider.value) + 1);
    }
    showDate();
    var ticket = state.requested + 1;
    reload().then(function () {
      // Another choice (a filter, the slider by hand) overtook this year: that is a pause.
      if (ticket !== state.requested) {
        setPlaying(false);
        return;
      }
      if (state.playing) {
        playTimer = window.setTimeout(playStep, PLAY_STEP_MS, true);
      }
    });
  }
  playButton.addEventListener("click", function () {
    if (state.playing) {
      setPlaying(false);
      return;
    }
    // From the first year unless paused part-way (then on from where it stopped).
    var useDate = document.getElementById("use-date");
    var restart = !useDate.checked || Number(slider.value) >= Number(slider.max);
    if (restart) {
      slider.value = slider.min;
    }
    useDate.checked = true;
    setPlaying(true);
    playStep(!restart);
  });

  load(readForm(), false);
})();
