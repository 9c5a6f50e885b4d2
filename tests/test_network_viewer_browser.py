"""The /network viewer's reading aids in a real headless Chromium (Debian's), driven by Playwright.

Issue #12 item 6, the way Gephi Lite and Kumu do it: a legend that says what the colours and sizes
mean, the biggest nodes labelled at the default zoom, the selected node's neighbours by name, a PNG
of the picture, a Play button that steps the as-of year, and a metrics table sortable and selectable
from the keyboard. Under CI=true a missing browser, Playwright or front-end asset fails the run.
"""

from __future__ import annotations

import json
import struct
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from graph.config import PROJECT_ROOT
from tests.browser import Traffic, chromium_context, open_page, screenshot_dir

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Page

CYTOSCAPE = PROJECT_ROOT / "webapp" / "static" / "vendor" / "cytoscape" / "cytoscape.min.js"
SOFIA = "https://w3id.org/uaeu/id/organisation/sofia-municipality"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def browser_context(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrowserContext]:
    yield from chromium_context(tmp_path_factory, vendored={"the vendored Cytoscape.js": CYTOSCAPE}, viewport=(1400, 1000))


@pytest.fixture(scope="module")
def shots() -> Path:
    return screenshot_dir()


@pytest.fixture
def page(browser_context: BrowserContext) -> Iterator[tuple[Page, Traffic]]:
    yield from open_page(browser_context)


def _api_json(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.load(response)


def _open(tab: Page, url: str) -> dict[str, Any]:
    tab.goto(url)
    return _wait_loaded(tab, 1)


def _wait_loaded(tab: Page, loads: int) -> dict[str, Any]:
    tab.wait_for_function(f"() => window.uaeuNetwork && window.uaeuNetwork.loads >= {loads} && !window.uaeuNetwork.loading", timeout=30_000)
    state: dict[str, Any] = tab.evaluate(
        "() => { const s = window.uaeuNetwork; return {loads: s.loads, error: s.error, params: s.params, playing: s.playing}; }"
    )
    assert state["error"] is None, state["error"]
    return state


def _legend_matches_the_drawing(tab: Page, at_least: int = 2) -> list[str]:
    drawn = tab.evaluate("() => [...new Set(window.uaeuNetwork.cy.nodes().map(n => n.style('background-color').replace(/ /g, '')))].sort()")
    listed = tab.evaluate(
        "() => [...document.querySelectorAll('#legend-colours li .swatch')].map(s => getComputedStyle(s).backgroundColor.replace(/ /g, '')).sort()"
    )
    assert listed == drawn and len(drawn) >= at_least, (listed, drawn)
    counts = tab.evaluate("() => window.uaeuNetwork.legend.reduce((sum, e) => sum + e.count, 0)")
    assert counts == tab.evaluate("() => window.uaeuNetwork.cy.nodes().length")
    return listed  # type: ignore[no-any-return]


def test_legend_follows_colour_by_and_size_by(page: tuple[Page, Traffic], live_server: str, shots: Path) -> None:
    from playwright.sync_api import expect

    tab, traffic = page
    _open(tab, live_server + "/network")
    community = _legend_matches_the_drawing(tab)
    expect(tab.locator("#legend-colour-title")).to_have_text("Colour: community")
    expect(tab.locator("#legend-colours li").first).to_contain_text("community")
    tab.select_option("#colour-by", "partner_type")
    partner_types = _legend_matches_the_drawing(tab)
    assert partner_types != community
    expect(tab.locator("#legend-colour-title")).to_have_text("Colour: partner type")
    types = {n["partner_type"] for n in _api_json(live_server + "/network.json")["nodes"] if n["partner_type"]}
    legend_text = " ".join(tab.locator("#legend-colours li").all_inner_texts())
    # Each partner type by its name in the vocabulary (City, EU body, ...), as the page's config gives it.
    names = tab.evaluate("() => JSON.parse(document.getElementById('network-config').textContent).names.partner_types")
    assert all(names[t] in legend_text for t in types), (types, legend_text)
    assert names["eu-body"] != "eu-body", "a partner type reads as words, not as its code"
    tab.select_option("#colour-by", "kind")
    assert _legend_matches_the_drawing(tab, 1) == ["rgb(31,119,180)"]  # the organisations network: one kind
    expect(tab.locator("#legend-colours li")).to_have_text(["organisation (" + str(tab.evaluate("window.uaeuNetwork.nodeCount")) + ")"])
    expect(tab.locator("#legend-sizes")).to_contain_text("Size: degree")
    tab.select_option("#size-by", "betweenness")
    expect(tab.locator("#legend-sizes")).to_contain_text("Size: betweenness")
    tab.screenshot(path=str(shots / "network-viewer-legend.png"), full_page=True)
    assert traffic.failures == []


def _no_overlap(tab: Page, ids: list[str]) -> None:
    boxes = tab.evaluate(
        "ids => ids.map(id => window.uaeuNetwork.cy.$id(id).renderedBoundingBox({includeNodes: false, includeEdges: false, includeLabels: true}))",
        ids,
    )
    for i, a in enumerate(boxes):
        assert a["h"] >= 9, a
        for b in boxes[:i]:
            assert not (a["x1"] < b["x2"] and b["x1"] < a["x2"] and a["y1"] < b["y2"] and b["y1"] < a["y2"]), (a, b)


def test_biggest_nodes_are_labelled_at_the_default_zoom(page: tuple[Page, Traffic], live_server: str, shots: Path) -> None:
    tab, traffic = page
    _open(tab, live_server + "/network")
    nodes = _api_json(live_server + "/network.json")["nodes"]
    by_degree = sorted(nodes, key=lambda n: (-(n["degree"] or 0), n["label"]))
    candidates = tab.evaluate("() => window.uaeuNetwork.topCandidates")
    top = tab.evaluate("() => window.uaeuNetwork.topLabelled")
    assert candidates == [n["id"] for n in by_degree[: len(candidates)]] and len(candidates) >= 10
    # Shown: the biggest first, then each that does not cover one already shown (5 of 12 at the fitted zoom).
    assert top[0] == candidates[0] and top == [c for c in candidates if c in top] and len(top) >= 5
    label_of = "id => window.uaeuNetwork.cy.$id(id).style('label')"
    for node in by_degree[: len(candidates)]:
        assert tab.evaluate(f"({label_of})({json.dumps(node['id'])})") == (node["label"] if node["id"] in top else "")
    # No clutter: the labels shown do not overlap on the screen, and are at least 9 px high there.
    _no_overlap(tab, top)
    small = by_degree[-1]
    assert tab.evaluate(f"({label_of})({json.dumps(small['id'])})") == ""  # no clutter at the default zoom
    tab.screenshot(path=str(shots / "network-viewer-labels.png"), full_page=True)
    # A little closer, the top labels are worked out again (still none over another); zoomed in, every node has its label.
    tab.evaluate("() => { const s = window.uaeuNetwork; s.cy.zoom({level: s.fitZoom * 2, position: s.cy.$id(s.topCandidates[0]).position()}); }")
    closer = tab.evaluate("() => window.uaeuNetwork.topLabelled")
    assert closer[0] == candidates[0] and len(closer) >= len(top)
    _no_overlap(tab, closer)
    tab.evaluate(f"() => window.uaeuNetwork.focus({json.dumps(small['id'])}, window.uaeuNetwork.fitZoom * 4)")
    assert tab.evaluate(f"({label_of})({json.dumps(small['id'])})") == small["label"]
    # Another size metric, other top nodes.
    tab.select_option("#size-by", "betweenness")
    by_betweenness = sorted(nodes, key=lambda n: (-(n["betweenness"] or 0), n["label"]))
    assert tab.evaluate("() => window.uaeuNetwork.topCandidates") == [n["id"] for n in by_betweenness[: len(candidates)]]
    assert traffic.failures == []


def test_selection_lists_the_neighbours_by_name(page: tuple[Page, Traffic], live_server: str, shots: Path) -> None:
    from playwright.sync_api import expect

    tab, traffic = page
    _open(tab, live_server + "/network")
    tab.evaluate(f"() => window.uaeuNetwork.focus({json.dumps(SOFIA)}, 2)")
    at = tab.evaluate(f"() => window.uaeuNetwork.screenPosition({json.dumps(SOFIA)})")
    tab.mouse.click(at["x"] - tab.evaluate("window.scrollX"), at["y"] - tab.evaluate("window.scrollY"))
    tab.wait_for_function("() => window.uaeuNetwork.selected !== null")
    edges = _api_json(live_server + "/api/network/organisations")["edges"]
    neighbours = {e["target"] if e["source"] == SOFIA else e["source"] for e in edges if SOFIA in (e["source"], e["target"])}
    assert len(neighbours) > 5
    items = tab.locator("#selection-neighbours li")
    expect(items).to_have_count(len(neighbours))
    assert set(items.evaluate_all("items => items.map(i => i.dataset.id)")) == neighbours
    expect(tab.locator("#selection-count")).to_have_text(str(len(neighbours)))
    page_nodes = {n["id"]: n for n in _api_json(live_server + "/network.json")["nodes"]}
    links = tab.locator("#selection-neighbours li a").evaluate_all("links => links.map(a => [a.parentElement.dataset.id, a.textContent, a.href])")
    assert len(links) == len(neighbours)
    for node_id, name, href in links:
        assert name == page_nodes[node_id]["label"] and name and not name.startswith("http")
        assert href == page_nodes[node_id]["url"]
    tab.screenshot(path=str(shots / "network-viewer-neighbours.png"), full_page=True)
    # A neighbour's link opens its page.
    first_href = links[0][2]
    tab.locator("#selection-neighbours li a").first.click()
    tab.wait_for_url(first_href)
    assert traffic.failures == []


def test_download_png_gives_a_real_png(page: tuple[Page, Traffic], live_server: str, tmp_path: Path) -> None:
    tab, traffic = page
    _open(tab, live_server + "/network")
    with tab.expect_download() as download_info:
        tab.click("#download-png")
    download = download_info.value
    assert download.suggested_filename == "uaeu-network-organisations.png"
    target = tmp_path / download.suggested_filename
    download.save_as(str(target))
    data = target.read_bytes()
    assert data[:8] == PNG_SIGNATURE
    width, height = struct.unpack(">II", data[16:24])  # the IHDR chunk comes first
    assert data[12:16] == b"IHDR" and width > 300 and height > 300, (width, height)
    assert len(data) > 20_000  # a drawing, not a blank image
    assert traffic.failures == []


def test_download_svg_gives_the_same_picture_as_vector_graphics(page: tuple[Page, Traffic], live_server: str, tmp_path: Path) -> None:
    """One shape per node, one line per edge, the labels drawn as text; well-formed XML (labels escaped)."""
    import xml.etree.ElementTree as ET

    tab, traffic = page
    _open(tab, live_server + "/network?as_of=2018")
    state = tab.evaluate("() => ({nodeCount: window.uaeuNetwork.nodeCount, edgeCount: window.uaeuNetwork.edgeCount})")
    with tab.expect_download() as download_info:
        tab.click("#download-svg")
    download = download_info.value
    assert download.suggested_filename == "uaeu-network-organisations-2018.svg"
    target = tmp_path / download.suggested_filename
    download.save_as(str(target))
    root = ET.parse(target).getroot()
    ns = "{http://www.w3.org/2000/svg}"
    assert root.tag == f"{ns}svg"
    nodes = root.find(f"{ns}g[@class='nodes']")
    edges = root.find(f"{ns}g[@class='edges']")
    labels = root.find(f"{ns}g[@class='labels']")
    assert nodes is not None and edges is not None and labels is not None
    assert len(nodes) == state["nodeCount"] > 50
    assert len(edges.findall(f"{ns}line")) == state["edgeCount"]
    names = {title.text for title in nodes.iter(f"{ns}title")}
    assert "Sofia Municipality" in names
    drawn = sorted(str(text.text) for text in labels.iter(f"{ns}text"))
    assert drawn and drawn == sorted(tab.evaluate("() => window.uaeuNetwork.topLabelled.map((id) => window.uaeuNetwork.cy.getElementById(id).data('label'))"))
    assert traffic.failures == []


def test_play_steps_the_years_and_stops_at_the_last(page: tuple[Page, Traffic], live_server: str, shots: Path) -> None:
    from playwright.sync_api import expect

    tab, traffic = page
    _open(tab, live_server + "/network")
    first, last = int(tab.get_attribute("#as-of", "min") or 0), int(tab.get_attribute("#as-of", "max") or 0)
    assert last > first
    tab.click("#play")
    expect(tab.locator("#play")).to_have_text("Pause")
    assert tab.evaluate("() => window.uaeuNetwork.playing") is True
    tab.wait_for_function("() => window.uaeuNetwork.params.as_of !== undefined")
    tab.wait_for_function("() => !window.uaeuNetwork.playing", timeout=120_000)
    state = _wait_loaded(tab, 1)
    assert state["params"]["as_of"] == str(last)
    expect(tab.locator("#play")).to_have_text("Play")
    expect(tab.locator("#as-of-label")).to_have_text(str(last))
    asked = [
        urllib.parse.parse_qs(urllib.parse.urlsplit(url).query).get("as_of", [""])[0]
        for _, url, _ in traffic.requests
        if urllib.parse.urlsplit(url).path == "/network.json"
    ]
    years = [int(y) for y in asked if y]
    assert years == list(range(first, last + 1)), asked
    assert "as_of=" + str(last) in tab.url
    # It stopped: no more requests.
    count = len(traffic.requests)
    time.sleep(1.5)
    assert len(traffic.requests) == count
    tab.screenshot(path=str(shots / "network-viewer-played.png"), full_page=True)

    # Pause part-way: start again (from the first year), pause, and nothing moves after that.
    tab.click("#play")
    tab.wait_for_function(f"() => window.uaeuNetwork.params.as_of === '{first + 1}'", timeout=30_000)
    tab.click("#play")
    expect(tab.locator("#play")).to_have_text("Play")
    _wait_loaded(tab, 1)
    paused_at = tab.evaluate("() => window.uaeuNetwork.params.as_of")
    time.sleep(1.5)
    assert tab.evaluate("() => window.uaeuNetwork.params.as_of") == paused_at
    assert int(paused_at) < last
    assert traffic.failures == []


def test_metrics_table_sorts_and_selects_from_the_keyboard(page: tuple[Page, Traffic], live_server: str, shots: Path) -> None:
    tab, traffic = page
    _open(tab, live_server + "/network")
    header = "th[data-key='{}']"
    assert tab.get_attribute("#metrics-table " + header.format("degree"), "aria-sort") == "descending"
    assert tab.get_attribute("#metrics-table " + header.format("label"), "aria-sort") == "none"
    first_row = "() => document.querySelector('#metrics-table tbody tr').dataset.id"
    before = tab.evaluate(first_row)
    # Tab from the last download link into the table: its first header.
    tab.locator("#downloads a").last.focus()
    tab.keyboard.press("Tab")
    assert tab.evaluate("() => document.activeElement.dataset.key") == "label"
    assert tab.evaluate("() => document.activeElement.tagName") == "BUTTON"
    tab.keyboard.press("Enter")
    assert tab.get_attribute("#metrics-table " + header.format("label"), "aria-sort") == "ascending"
    assert tab.get_attribute("#metrics-table " + header.format("degree"), "aria-sort") == "none"
    after = tab.evaluate(first_row)
    assert after != before
    labels = tab.locator("#metrics-table tbody tr td:first-child").all_inner_texts()
    assert tab.evaluate("labels => labels.every((l, i) => i === 0 || labels[i - 1].localeCompare(l) <= 0)", labels)
    # Focus stayed on the header: Space sorts the other way.
    assert tab.evaluate("() => document.activeElement.dataset.key") == "label"
    tab.keyboard.press("Space")
    assert tab.get_attribute("#metrics-table " + header.format("label"), "aria-sort") == "descending"
    assert tab.evaluate(first_row) != after
    # Rows: focus the first, arrow down, Enter selects the second.
    rows = tab.locator("#metrics-table tbody tr")
    rows.first.focus()
    tab.keyboard.press("ArrowDown")
    second = rows.nth(1).get_attribute("data-id")
    assert tab.evaluate("() => document.activeElement.dataset.id") == second
    tab.keyboard.press("Enter")
    assert tab.evaluate("() => window.uaeuNetwork.selected") == second
    assert rows.nth(1).get_attribute("class") == "is-selected"
    tab.screenshot(path=str(shots / "network-viewer-keyboard.png"), full_page=True)
    assert traffic.failures == []
