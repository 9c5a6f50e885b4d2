/* The map of partner places: Natural Earth country shapes (vendored TopoJSON) drawn with d3-geo as
 * SVG, markers from /api/map. No tiles, no request to any other host. Text from the data is only ever
 * set with textContent or as attribute values, never parsed as markup. */
(function () {
  "use strict";

  var SVG = "http://www.w3.org/2000/svg";
  var shapesCache = {};

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
    return o.placed_at_country ? o.label + " (" + o.placed_at_country + ")" : o.label;
  }

  /* A marker at a country's centre says what it stands for: the country's national body, or (when
   * partners known only by their country share it) the country level. */
  function markerLabel(p) {
    if (!p.at_country) return p.label;
    var national = p.organisations.every(function (o) { return o.placed_at_country === "national body"; });
    return p.label + (national ? " – national body" : " – country level");
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

  function draw(root, config, features, data) {
    var canvas = root.querySelector(".map-canvas");
    canvas.textContent = "";
    var width = Math.max(320, Math.min(canvas.clientWidth || 900, 1100));
    var height = Math.round(width * 0.72);
    var projection = d3.geoAzimuthalEqualArea().clipAngle(90);
    fitProjection(projection, data.places, width, height);
    projection.clipExtent([[0, 0], [width, height]]);
    var path = d3.geoPath(projection);
    var svg = el("svg:svg", { viewBox: "0 0 " + width + " " + height, width: width, height: height, role: "img", "class": "map-svg" });
    svg.appendChild(el("svg:title", {}, "Map: " + data.title));
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
    ordered.forEach(function (p) {
      var xy = projection([p.lon, p.lat]);
      if (!xy || !isFinite(xy[0])) return;
      var r = 4 + 2.2 * Math.sqrt(p.organisations.length);
      var a = el("svg:a", { href: p.url, "class": "marker role-" + p.role + (p.at_country ? " at-country" : ""), "data-place": p.id, "data-label": markerLabel(p) });
      var shape = p.at_country
        ? el("svg:rect", { x: xy[0] - r * 0.8, y: xy[1] - r * 0.8, width: r * 1.6, height: r * 1.6, transform: "rotate(45 " + xy[0] + " " + xy[1] + ")" })
        : el("svg:circle", { cx: xy[0], cy: xy[1], r: r });
      a.appendChild(shape);
      var tip = markerLabel(p) + "\n" + p.organisations.map(function (o) {
        return "• " + orgLabel(o) + ": " + o.memberships.map(function (m) { return m.role_label + " (" + m.partnership.label + ")"; }).join("; ");
      }).join("\n");
      a.appendChild(el("svg:title", {}, tip));
      markers.appendChild(a);
      if (showLabels) labels.appendChild(el("svg:text", { x: xy[0] + r + 3, y: xy[1] + 4, "class": "place-label" + (p.at_country ? " at-country" : "") }, markerLabel(p)));
    });
    svg.appendChild(markers);
    svg.appendChild(labels);
    canvas.appendChild(svg);
  }

  function list(root, data) {
    var box = root.querySelector(".map-list");
    box.textContent = "";
    var table = el("table", { "class": "map-places" });
    var head = el("tr");
    ["Place", "Organisation", "Role · partnership · period"].forEach(function (h) { head.appendChild(el("th", {}, h)); });
    table.appendChild(el("thead")).appendChild(head);
    var body = el("tbody");
    data.places.forEach(function (p) {
      p.organisations.forEach(function (o, i) {
        var tr = el("tr", { "class": "role-" + o.role, "data-place": p.id });
        var td = el("td");
        if (i === 0) {
          td.appendChild(el("a", { href: p.url }, markerLabel(p)));
          if (p.at_country) td.appendChild(el("small", { "class": "at-country-note" }, " placed at the country's centre"));
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
          if (m.evidence !== "stated") li.appendChild(el("em", {}, " (" + m.evidence + ")"));
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
    unplaced.querySelector("summary").textContent = data.unplaced.length + " partner(s) not on the map (no city or country in the graph: European bodies and networks)";
    data.unplaced.forEach(function (o) {
      var li = el("li");
      li.appendChild(el("a", { href: o.url }, o.label));
      li.appendChild(document.createTextNode(" · " + o.memberships.map(function (m) { return m.role_label; }).join(", ")));
      ulU.appendChild(li);
    });
  }

  function setUp(root) {
    var config = JSON.parse(root.querySelector(".uaeu-map-config").textContent);
    var useDate = root.querySelector(".map-use-date");
    var slider = root.querySelector(".map-date");
    var dateLabel = root.querySelector(".map-date-label");
    var evidence = root.querySelector(".map-evidence");
    var status = root.querySelector(".map-status");
    var choices = months(config.first_year, config.last_year);
    slider.max = String(choices.length - 1);
    slider.value = String(choices.length - 1);
    var request = 0;

    function url() {
      var u = new URL(config.api, window.location.href);
      if (useDate.checked) u.searchParams.set("as-of", choices[Number(slider.value)]);
      u.searchParams.set("evidence", evidence.value);
      return u.toString();
    }

    function refresh() {
      var mine = ++request;
      slider.disabled = !useDate.checked;
      dateLabel.textContent = useDate.checked ? choices[Number(slider.value)] : "all dates";
      root.setAttribute("data-state", "loading");
      Promise.all([loadShapes(config.shapes), fetch(url()).then(function (r) {
        return r.json().then(function (body) { if (!r.ok) throw new Error(body.error || ("HTTP " + r.status)); return body; });
      })]).then(function (both) {
        if (mine !== request) return;
        draw(root, config, both[0], both[1]);
        list(root, both[1]);
        var c = both[1].counts;
        status.textContent = c.places + " place(s), " + c.organisations + " partner(s), " + c.memberships + " membership(s)" + (useDate.checked ? " in " + choices[Number(slider.value)] : "") + ".";
        root.setAttribute("data-state", "ready");
      }).catch(function (error) {
        if (mine !== request) return;
        status.textContent = "The map could not be drawn: " + error.message;
        status.classList.add("error");
        root.setAttribute("data-state", "error");
      });
    }

    useDate.addEventListener("change", refresh);
    slider.addEventListener("input", function () { dateLabel.textContent = choices[Number(slider.value)]; });
    slider.addEventListener("change", refresh);
    evidence.addEventListener("change", refresh);
    refresh();
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll(".uaeu-map"), setUp);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
