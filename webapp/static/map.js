/* The map of partner places: Natural Earth country shapes (vendored TopoJSON) drawn with d3-geo as
 * SVG, markers from /api/map. No tiles, no request to any other host. Text from the data is only ever
 * set with textContent or as attribute values, never parsed as markup. */
(function () {
  "use strict";

  var SVG = "http://www.w3.org/2000/svg";
  var shapesCache = {};
  // Every word this script writes comes from the page (webapp/wording.py MAP), in the page's language.
  var W = {};
  function say(key, values) {
    var text = W[key] !== undefined ? W[key] : key;
    Object.keys(values || {}).forEach(function (name) { text = text.split("{" + name + "}").join(String(values[name])); });
    return text;
  }
  // Why a partner is drawn at its country's centre, in words ("national body", ...).
  function why(code) { return W[code.replace(/ /g, "_")] || code; }

  function el(tag, attrs, text) {
    var node = tag.indexOf("svg:") === 0 ? document.createElementNS(SVG, tag.slice(4)) : document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function loadShapes(url) {
    if (!shapesCache[url]) {
      shapesCache[url] = fetch(url).then(function (r) {
        if (!r.ok) throw new Error("country shapes: HTTP " + r.status);
        return r.json();
      }).then(function (topology) {
        return topojson.feature(topology, topology.objects.countries).features;
      });
    }
    return shapesCache[url];
  }

  function months(first, last) {
    var out = [];
    for (var y = first; y <= last; y++) for (var m = 1; m <= 12; m++) out.push(y + "-" + (m < 10 ? "0" : "") + m);
    return out;
  }

  function period(m) {
    if (!m.start && !m.end) return "";
    return (m.start || "?") + " – " + (m.end || "");
  }

  function orgLabel(o) {
    return o.placed_at_country ? o.label + " (" + why(o.placed_at_country) + ")" : o.label;
  }

  /* A marker at a country's centre says what it stands for: the country's national body, or (when
   * partners known only by their country share it) the country level. */
  function markerLabel(p) {
    if (!p.at_country) return p.label;
    var national = p.organisations.every(function (o) { return o.placed_at_country === "national body"; });
    return p.label + " – " + (national ? say("national_body") : say("country_level"));
  }

  /* Fit the projection to the markers (and a minimum box round them, so one city still shows its
   * surroundings); with nothing to show, to Europe. */
  function fitProjection(projection, places, width, height) {
    var lons = places.map(function (p) { return p.lon; });
    var lats = places.map(function (p) { return p.lat; });
    var box = places.length ? [Math.min.apply(null, lons), Math.min.apply(null, lats), Math.max.apply(null, lons), Math.max.apply(null, lats)] : [-10, 35, 30, 70];
    var minW = 14, minH = 9;
    var cx = (box[0] + box[2]) / 2, cy = (box[1] + box[3]) / 2;
    var w = Math.max(box[2] - box[0] + 3, minW), h = Math.max(box[3] - box[1] + 2, minH);
    var corners = [[cx - w / 2, cy - h / 2], [cx + w / 2, cy - h / 2], [cx + w / 2, cy + h / 2], [cx - w / 2, cy + h / 2]];
    projection.rotate([-cx, -cy]).fitExtent([[16, 16], [width - 16, height - 16]], { type: "MultiPoint", coordinates: corners });
  }

  /* Markers closer than this (in pixels, at the scale drawn) are spread on a small ring round their
   * common centre, so Brussels, Antwerp and a country-level marker never hide one another. */
  var NEAR = 7;

  function spread(items) {
    var groups = [];
    items.forEach(function (it) {
      var g = groups.find(function (gr) { return Math.abs(gr.x - it.x) < NEAR && Math.abs(gr.y - it.y) < NEAR; });
      if (g) g.items.push(it); else groups.push({ x: it.x, y: it.y, items: [it] });
    });
    groups.forEach(function (g) {
      var n = g.items.length;
      if (n === 1) { g.items[0].dx = 0; g.items[0].dy = 0; return; }
      var ring = Math.max.apply(null, g.items.map(function (it) { return it.r; })) * (n > 2 ? 1.3 : 1) + 2;
      g.items.forEach(function (it, i) {
        var angle = -Math.PI / 2 + 2 * Math.PI * i / n;
        it.dx = (g.x - it.x) + ring * Math.cos(angle);
        it.dy = (g.y - it.y) + ring * Math.sin(angle);
      });
    });
  }

  function draw(root, config, features, data, view) {
    var canvas = root.querySelector(".map-canvas");
    canvas.textContent = "";
    var width = Math.max(320, Math.min(canvas.clientWidth || 900, 1100));
    var height = Math.round(width * 0.72);
    var projection = d3.geoAzimuthalEqualArea().clipAngle(90);
    // The first drawing's places fix the frame, so a zoomed view stays put while the date changes.
    if (!view.frame) view.frame = data.places;
    fitProjection(projection, view.frame, width, height);
    projection.clipExtent([[0, 0], [width, height]]);
    var path = d3.geoPath(projection);
    var svg = el("svg:svg", { viewBox: "0 0 " + width + " " + height, width: width, height: height, role: "img", "class": "map-svg" });
    var filtered = data.filter && (data.filter.partnership || data.filter.country);
    svg.appendChild(el("svg:title", {}, say("map_of") + ": " + (filtered ? data.title : say("all_partnerships"))));
    svg.appendChild(el("svg:rect", { x: 0, y: 0, width: width, height: height, "class": "sea" }));
    var withPartners = {};
    data.places.forEach(function (p) { if (p.country && p.country.numeric) withPartners[p.country.numeric] = true; });
    var focus = data.focus && data.focus.numeric;
    var countries = el("svg:g", { "class": "countries" });
    features.forEach(function (f) {
      var d = path(f);
      if (!d) return;
      var cls = "country" + (withPartners[f.id] ? " has-partners" : "") + (focus && f.id === focus ? " focus" : "");
      var shape = el("svg:path", { d: d, "class": cls, "data-id": f.id || "" });
      shape.appendChild(el("svg:title", {}, (f.properties && f.properties.name) || ""));
      countries.appendChild(shape);
    });
    svg.appendChild(countries);

    var markers = el("svg:g", { "class": "markers" });
    var labels = el("svg:g", { "class": "labels" });
    var showLabels = config.labels || data.places.length <= 30;
    var ordered = data.places.slice().sort(function (a, b) { return b.organisations.length - a.organisations.length; });
    var items = [];
    ordered.forEach(function (p) {
      var xy = projection([p.lon, p.lat]);
      if (!xy || !isFinite(xy[0])) return;
      var r = 4 + 2.2 * Math.sqrt(p.organisations.length);
      var a = el("svg:a", { href: p.url, "class": "marker role-" + p.role + (p.at_country ? " at-country" : ""), "data-place": p.id, "data-label": markerLabel(p),
        "data-x": xy[0].toFixed(2), "data-y": xy[1].toFixed(2) });
      var shape = p.at_country ? el("svg:rect", { width: r * 1.6, height: r * 1.6 }) : el("svg:circle", { r: r });
      a.appendChild(shape);
      var tip = markerLabel(p) + "\n" + p.organisations.map(function (o) {
        return "• " + orgLabel(o) + ": " + o.memberships.map(function (m) { return m.role_label + " (" + m.partnership.label + ")"; }).join("; ");
      }).join("\n");
      a.appendChild(el("svg:title", {}, tip));
      markers.appendChild(a);
      var text = showLabels ? el("svg:text", { "class": "place-label" + (p.at_country ? " at-country" : "") }, markerLabel(p)) : null;
      if (text) labels.appendChild(text);
      items.push({ x: xy[0], y: xy[1], r: r, shape: shape, text: text, square: p.at_country });
    });
    svg.appendChild(markers);
    svg.appendChild(labels);
    canvas.appendChild(svg);

    /* Zoom and pan: the countries are scaled as one group; markers and labels keep their size and
     * are moved to where their point lands, then spread if they still crowd one another. */
    function place() {
      countries.setAttribute("transform", "translate(" + view.x + " " + view.y + ") scale(" + view.k + ")");
      svg.setAttribute("data-zoom", view.k.toFixed(3));
      // On a touch screen the whole map is not a trap: unzoomed, an up/down swipe scrolls the page
      // (sideways drags and pinches are the map's); zoomed in, every drag moves the map.
      svg.style.touchAction = view.k > 1 ? "none" : "pan-y";
      var moved = items.map(function (it) { return { x: it.x * view.k + view.x, y: it.y * view.k + view.y, r: it.r, it: it }; });
      spread(moved);
      moved.forEach(function (m) {
        var x = m.x + m.dx, y = m.y + m.dy, r = m.r, it = m.it;
        if (it.square) {
          it.shape.setAttribute("x", x - r * 0.8); it.shape.setAttribute("y", y - r * 0.8);
          it.shape.setAttribute("transform", "rotate(45 " + x + " " + y + ")");
        } else {
          it.shape.setAttribute("cx", x); it.shape.setAttribute("cy", y);
        }
        if (it.text) { it.text.setAttribute("x", x + r + 3); it.text.setAttribute("y", y + 4); }
      });
    }

    function zoomAt(factor, cx, cy) {
      var k = Math.max(1, Math.min(16, view.k * factor));
      factor = k / view.k;
      view.x = cx - (cx - view.x) * factor;
      view.y = cy - (cy - view.y) * factor;
      view.k = k;
      clamp();
      place();
    }

    function clamp() {
      view.x = Math.min(0, Math.max(width - width * view.k, view.x));
      view.y = Math.min(0, Math.max(height - height * view.k, view.y));
    }

    function toSvg(event) {
      var box = svg.getBoundingClientRect();
      return [(event.clientX - box.left) * width / box.width, (event.clientY - box.top) * height / box.height];
    }

    svg.addEventListener("wheel", function (event) {
      event.preventDefault();
      var at = toSvg(event);
      zoomAt(Math.pow(2, -event.deltaY / 300), at[0], at[1]);
    }, { passive: false });

    // Drag to pan (mouse, pen, one finger); two fingers pinch.
    var pointers = {}, last = null, moved = false;
    svg.addEventListener("pointerdown", function (event) {
      pointers[event.pointerId] = toSvg(event);
      moved = false;
      last = null;
    });
    svg.addEventListener("pointermove", function (event) {
      if (!pointers[event.pointerId]) return;
      var now = toSvg(event), ids = Object.keys(pointers);
      if (ids.length === 1) {
        var before = pointers[event.pointerId];
        if (!moved && Math.abs(now[0] - before[0]) + Math.abs(now[1] - before[1]) < 4) return;
        if (!moved) svg.setPointerCapture(event.pointerId);
        moved = true;
        view.x += now[0] - before[0]; view.y += now[1] - before[1];
        pointers[event.pointerId] = now;
        clamp(); place();
      } else if (ids.length === 2) {
        pointers[event.pointerId] = now;
        var a = pointers[ids[0]], b = pointers[ids[1]];
        var dist = Math.hypot(a[0] - b[0], a[1] - b[1]);
        if (last) zoomAt(dist / last, (a[0] + b[0]) / 2, (a[1] + b[1]) / 2);
        last = dist;
        moved = true;
      }
    });
    function up(event) { delete pointers[event.pointerId]; last = null; }
    svg.addEventListener("pointerup", up);
    svg.addEventListener("pointercancel", up);
    // A drag that ends on a marker must not follow its link.
    svg.addEventListener("click", function (event) { if (moved) { event.preventDefault(); moved = false; } }, true);

    root.querySelector(".map-zoom-in").onclick = function () { zoomAt(1.6, width / 2, height / 2); };
    root.querySelector(".map-zoom-out").onclick = function () { zoomAt(1 / 1.6, width / 2, height / 2); };
    root.querySelector(".map-zoom-reset").onclick = function () { view.k = 1; view.x = 0; view.y = 0; place(); };
    clamp();
    place();
  }

  function list(root, data) {
    var box = root.querySelector(".map-list");
    box.textContent = "";
    var table = el("table", { "class": "map-places" });
    var head = el("tr");
    [say("col_place"), say("col_organisation"), say("col_roles")].forEach(function (h) { head.appendChild(el("th", {}, h)); });
    table.appendChild(el("thead")).appendChild(head);
    var body = el("tbody");
    data.places.forEach(function (p) {
      p.organisations.forEach(function (o, i) {
        var tr = el("tr", { "class": "role-" + o.role, "data-place": p.id });
        var td = el("td");
        if (i === 0) {
          td.appendChild(el("a", { href: p.url }, markerLabel(p)));
          if (p.at_country) td.appendChild(el("small", { "class": "at-country-note" }, " " + say("at_centre")));
        }
        tr.appendChild(td);
        var orgTd = el("td");
        orgTd.appendChild(el("a", { href: o.url }, orgLabel(o)));
        tr.appendChild(orgTd);
        var roles = el("td");
        var ul = el("ul");
        o.memberships.forEach(function (m) {
          var li = el("li", { "class": "role-" + m.role_class });
          li.appendChild(el("a", { href: m.url }, m.role_label));
          li.appendChild(document.createTextNode(" · "));
          li.appendChild(el("a", { href: m.partnership.url }, m.partnership.label));
          var when = period(m);
          if (when) li.appendChild(document.createTextNode(" · " + when));
          if (m.evidence !== "stated") li.appendChild(el("em", {}, " (" + (W["evidence_" + m.evidence] || m.evidence) + ")"));
          ul.appendChild(li);
        });
        roles.appendChild(ul);
        tr.appendChild(roles);
        body.appendChild(tr);
      });
    });
    table.appendChild(body);
    box.appendChild(table);

    var unplaced = root.querySelector(".map-unplaced");
    var ulU = unplaced.querySelector("ul");
    ulU.textContent = "";
    unplaced.hidden = data.unplaced.length === 0;
    unplaced.querySelector("summary").textContent = say("unplaced", { n: data.unplaced.length });
    data.unplaced.forEach(function (o) {
      var li = el("li");
      li.appendChild(el("a", { href: o.url }, o.label));
      li.appendChild(document.createTextNode(" · " + o.memberships.map(function (m) { return m.role_label; }).join(", ")));
      ulU.appendChild(li);
    });
  }

  function setUp(root, index) {
    var config = JSON.parse(root.querySelector(".uaeu-map-config").textContent);
    W = config.words || W;
    var useDate = root.querySelector(".map-use-date");
    var slider = root.querySelector(".map-date");
    var year = root.querySelector(".map-year");
    var dateLabel = root.querySelector(".map-date-label");
    var evidence = root.querySelector(".map-evidence");
    var status = root.querySelector(".map-status");
    var choices = months(config.first_year, config.last_year);
    var view = { k: 1, x: 0, y: 0 };
    slider.max = String(choices.length - 1);
    slider.value = String(choices.length - 1);
    // Year ticks on the slider, and a year list that jumps to that year's month.
    var ticks = root.querySelector(".map-date-ticks");
    ticks.id = "map-date-ticks-" + index;
    slider.setAttribute("list", ticks.id);
    for (var y = config.first_year; y <= config.last_year; y++) {
      ticks.appendChild(el("option", { value: String((y - config.first_year) * 12), label: String(y) }));
      year.appendChild(el("option", { value: String(y) }, String(y)));
    }
    // The page's address carries the date (?as-of=2018-06): opening it restores the slider.
    var asked = index === 0 ? new URLSearchParams(window.location.search).get("as-of") : null;
    if (asked && choices.indexOf(asked.slice(0, 7)) >= 0) {
      useDate.checked = true;
      slider.value = String(choices.indexOf(asked.slice(0, 7)));
    }
    var request = 0;

    function month() { return choices[Number(slider.value)]; }

    function url() {
      var u = new URL(config.api, window.location.href);
      if (useDate.checked) u.searchParams.set("as-of", month());
      u.searchParams.set("evidence", evidence.value);
      return u.toString();
    }

    function remember() {
      if (index !== 0 || !window.history.replaceState) return;
      var here = new URL(window.location.href);
      if (useDate.checked) here.searchParams.set("as-of", month()); else here.searchParams.delete("as-of");
      if (here.href !== window.location.href) window.history.replaceState(window.history.state, "", here.href);
    }

    function showDate() {
      slider.disabled = year.disabled = !useDate.checked;
      dateLabel.textContent = useDate.checked ? month() : say("all_dates");
      year.value = month().slice(0, 4);
    }

    function refresh() {
      var mine = ++request;
      showDate();
      remember();
      root.setAttribute("data-state", "loading");
      Promise.all([loadShapes(config.shapes), fetch(url()).then(function (r) {
        return r.json().then(function (body) { if (!r.ok) throw new Error(body.error || ("HTTP " + r.status)); return body; });
      })]).then(function (both) {
        if (mine !== request) return;
        draw(root, config, both[0], both[1], view);
        list(root, both[1]);
        var c = both[1].counts;
        status.textContent = say("counts", c) + (useDate.checked ? " " + say("in_month", { month: month() }) : "") + ".";
        status.classList.remove("error");
        root.setAttribute("data-state", "ready");
      }).catch(function (error) {
        if (mine !== request) return;
        status.textContent = say("failed") + " " + error.message;
        status.classList.add("error");
        root.setAttribute("data-state", "error");
      });
    }

    useDate.addEventListener("change", refresh);
    slider.addEventListener("input", function () { dateLabel.textContent = month(); year.value = month().slice(0, 4); });
    slider.addEventListener("change", refresh);
    year.addEventListener("change", function () {
      var m = choices.indexOf(year.value + month().slice(4));
      if (m >= 0) { slider.value = String(m); refresh(); }
    });
    evidence.addEventListener("change", refresh);
    refresh();
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll(".uaeu-map"), function (root, i) { setUp(root, i); });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
