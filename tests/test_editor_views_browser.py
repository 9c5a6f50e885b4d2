"""The editor's result views on /sparql, in Debian's Chromium driven by Playwright: plain values by
default and the typed RDF form one click away, a bar chart for a numeric answer, a map for places,
a graph for ?source ?target, syntax errors in words, and no sideways scroll at 360 px. Screenshots
of each view at desktop and phone width go to test-output/browser/."""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from graph.config import PROJECT_ROOT
from tests.browser import Traffic, chromium_context, open_page, screenshot_dir

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Page

YASGUI = PROJECT_ROOT / "webapp" / "static" / "vendor" / "yasgui" / "yasgui.min.js"
CYTOSCAPE = PROJECT_ROOT / "webapp" / "static" / "vendor" / "cytoscape" / "cytoscape.min.js"
D3_GEO = PROJECT_ROOT / "webapp" / "static" / "vendor" / "map" / "d3-geo.min.js"
PLACES = """PREFIX schema: <https://schema.org/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?city ?name WHERE {
  VALUES ?city { <https://w3id.org/uaeu/id/place/sofia> <https://w3id.org/uaeu/id/place/tallinn> <https://w3id.org/uaeu/id/place/riga> }
  ?city skos:prefLabel ?name . FILTER(LANG(?name) = "en")
}"""
EDGES = """SELECT ?source ?target WHERE {
  VALUES (?source ?target) { ("a" "b") ("b" "c") ("c" "a") ("c" "d") }
}"""
NUMBERS = "08-member-states-by-partnerships"
OVER_TIME = """PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
SELECT ?month ?meetings WHERE {
  VALUES (?month ?meetings) { ("2017-06-01"^^xsd:date 3) ("2016-01-01"^^xsd:date 1) ("2018-03-01"^^xsd:date 2) ("2019-11-01"^^xsd:date 4) }
}"""
COORDINATES = """SELECT ?name ?lat ?long WHERE {
  VALUES (?name ?lat ?long) { ("Somewhere north" 64.1 21.9) ("Somewhere south" 37.9 23.7) ("Off the map" 999 0) }
}"""
HOSTILE_GRAPH = """SELECT ?source ?target WHERE {
  VALUES (?source ?target) { (<javascript:window.pwned=1> <https://w3id.org/uaeu/id/place/sofia>) }
}"""


@pytest.fixture(scope="module")
def browser_context(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrowserContext]:
    yield from chromium_context(tmp_path_factory, vendored={"the vendored YASGUI": YASGUI, "the vendored cytoscape": CYTOSCAPE, "the vendored d3-geo": D3_GEO})


@pytest.fixture
def page(browser_context: BrowserContext) -> Iterator[tuple[Page, Traffic]]:
    yield from open_page(browser_context)


def _open(tab: Page, url: str) -> None:
    from playwright.sync_api import expect

    tab.goto(url)
    expect(tab.locator(".yasr table.dataTable tbody tr").first).to_be_visible()


def _view(tab: Page, name: str) -> None:
    button = tab.locator(f".yasr_btnGroup button.select_{name}")
    from playwright.sync_api import expect

    expect(button).to_be_enabled()
    button.click()
    expect(button).to_have_attribute("aria-selected", "true")


def _no_sideways_scroll(tab: Page) -> None:
    width = tab.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 360, f"the page is {width} px wide at 360 px"


def test_plain_values_by_default_and_typed_after_the_toggle(page: tuple[Page, Traffic], live_server: str) -> None:
    from playwright.sync_api import expect

    tab, traffic = page
    _open(tab, f"{live_server}/sparql?example={NUMBERS}")
    cells = tab.locator(".yasr table.dataTable tbody tr:first-child td")
    texts = [t.strip() for t in cells.all_inner_texts()]
    assert not any("^^" in t or '"' in t for t in texts), texts
    assert any(t.isdigit() for t in texts), texts
    toggle = tab.get_by_role("button", name="Typed values (RDF)")
    expect(toggle).to_have_attribute("aria-pressed", "false")
    expect(tab.locator(".yasr_response_chip")).to_contain_text(re.compile(r"^\d+ rows in \d+\.\d\d s$"))
    toggle.click()
    expect(toggle).to_have_attribute("aria-pressed", "true")
    expect(tab.locator(".yasr table.dataTable tbody tr:first-child")).to_contain_text("^^xsd:integer")
    toggle.click()
    expect(tab.locator(".yasr table.dataTable tbody tr:first-child")).not_to_contain_text("^^")
    assert traffic.failures == []


def test_a_numeric_answer_draws_one_bar_per_row(page: tuple[Page, Traffic], live_server: str) -> None:
    from playwright.sync_api import expect

    tab, _ = page
    _open(tab, f"{live_server}/sparql?example={NUMBERS}")
    rows = tab.locator(".yasr table.dataTable tbody tr").count()
    _view(tab, "chart")
    bars = tab.locator(".result-chart svg rect.bar")
    expect(bars.first).to_be_visible()
    total = int(tab.evaluate("() => document.querySelectorAll('.result-chart rect.bar').length"))
    answer = tab.evaluate(
        "async () => (await (await fetch('/sparql', {method: 'POST', headers: {'Content-Type': 'application/sparql-query', Accept: 'application/sparql-results+json'}, body: document.querySelector('.CodeMirror').CodeMirror.getValue()})).json()).results.bindings.length"
    )
    assert total == answer >= rows > 0
    tab.screenshot(path=str(screenshot_dir() / "editor-view-chart-desktop.png"), full_page=True)


def test_numbers_over_dates_draw_a_line_with_one_point_per_row(page: tuple[Page, Traffic], live_server: str) -> None:
    from playwright.sync_api import expect

    tab, _ = page
    _open(tab, f"{live_server}/sparql?" + urllib.parse.urlencode({"query": OVER_TIME}))
    _view(tab, "chart")
    expect(tab.locator(".result-chart svg circle.point")).to_have_count(4)
    expect(tab.locator(".result-chart svg polyline.line")).to_have_count(1)
    expect(tab.locator(".result-chart figcaption")).to_have_text("meetings over time")
    # Points run left to right in date order, whatever the order of the rows.
    titles = tab.locator(".result-chart svg circle.point title").all_text_contents()
    assert [t.split(":")[0] for t in titles] == ["2016-01-01", "2017-06-01", "2018-03-01", "2019-11-01"]
    xs = tab.locator(".result-chart svg circle.point").evaluate_all("(cs) => cs.map(c => parseFloat(c.getAttribute('cx')))")
    assert xs == sorted(xs)


def test_lat_long_columns_are_drawn_as_map_markers(page: tuple[Page, Traffic], live_server: str) -> None:
    from playwright.sync_api import expect

    tab, _ = page
    _open(tab, f"{live_server}/sparql?" + urllib.parse.urlencode({"query": COORDINATES}))
    _view(tab, "map")
    expect(tab.locator(".result-map svg circle.marker")).to_have_count(2)
    expect(tab.locator(".result-map figcaption")).to_have_text("2 places of the answer on the map · 1 row has no place the map knows")
    assert sorted(tab.locator(".result-map .marker-label").all_text_contents()) == ["Somewhere north", "Somewhere south"]


def test_a_hostile_iri_in_a_shared_query_is_never_a_link(page: tuple[Page, Traffic], live_server: str) -> None:
    from playwright.sync_api import expect

    tab, _ = page
    _open(tab, f"{live_server}/sparql?" + urllib.parse.urlencode({"query": HOSTILE_GRAPH}))
    _view(tab, "graph")
    expect(tab.locator(".result-graph")).to_have_attribute("data-nodes", "2")
    hrefs = tab.evaluate("() => document.querySelector('.result-graph').graph.nodes().map(n => n.data('href'))")
    assert sorted(hrefs, key=str) == ["/id/place/sofia", None]
    node = tab.evaluate(
        "() => { const n = document.querySelector('.result-graph').graph.nodes().filter(n => !n.data('href'))[0]; n.emit('tap'); return n.data('key'); }"
    )
    assert node == "javascript:window.pwned=1"
    tab.wait_for_timeout(300)
    assert tab.evaluate("() => window.pwned === undefined")


def test_places_are_drawn_as_map_markers(page: tuple[Page, Traffic], live_server: str) -> None:
    from playwright.sync_api import expect

    tab, traffic = page
    _open(tab, f"{live_server}/sparql?" + urllib.parse.urlencode({"query": PLACES}))
    _view(tab, "map")
    markers = tab.locator(".result-map svg circle.marker")
    expect(markers).to_have_count(3)
    expect(tab.locator(".result-map svg path.country").first).to_be_attached()
    assert sorted(tab.locator(".result-map svg a").evaluate_all("(as) => as.map(a => a.getAttribute('href'))")) == [
        "/id/place/riga",
        "/id/place/sofia",
        "/id/place/tallinn",
    ]
    tab.screenshot(path=str(screenshot_dir() / "editor-view-map-desktop.png"), full_page=True)
    assert traffic.hosts() == {"127.0.0.1"}


def test_source_target_is_drawn_as_a_graph(page: tuple[Page, Traffic], live_server: str) -> None:
    from playwright.sync_api import expect

    tab, _ = page
    _open(tab, f"{live_server}/sparql?" + urllib.parse.urlencode({"query": EDGES}))
    expect(tab.locator("#network-link-box")).to_be_visible()
    _view(tab, "graph")
    figure = tab.locator(".result-graph")
    expect(figure).to_have_attribute("data-nodes", "4")
    expect(figure).to_have_attribute("data-edges", "4")
    assert tab.evaluate("() => { const cy = document.querySelector('.result-graph').graph; return [cy.nodes().length, cy.edges().length]; }") == [4, 4]
    expect(figure.locator("canvas").first).to_be_visible()
    tab.screenshot(path=str(screenshot_dir() / "editor-view-graph-desktop.png"), full_page=True)


def test_a_syntax_error_says_where_in_words(page: tuple[Page, Traffic], live_server: str) -> None:
    from playwright.sync_api import expect

    tab, _ = page
    tab.goto(f"{live_server}/sparql?" + urllib.parse.urlencode({"query": "SELECT ?x WHERE {\n  ?x ?y\n}}"}))
    problem = tab.locator("#query-problem")
    expect(problem).to_be_visible()
    expect(problem).to_contain_text(re.compile(r"The query is not valid SPARQL: line \d, column \d+\."))
    line = int(re.search(r"line (\d)", problem.inner_text()).group(1))  # type: ignore[union-attr]
    expect(problem.locator(".problem-line")).to_contain_text(f"{line} │ ")
    expect(tab.locator(".CodeMirror .query-error-line")).to_have_count(1)
    expect(tab.locator(".yasr")).to_contain_text("SPARQL syntax error")  # the endpoint's own 400 text, unchanged
    problem.get_by_role("button", name="Show in the editor").click()
    assert tab.evaluate("() => document.querySelector('.CodeMirror').CodeMirror.getCursor().line") == line - 1
    tab.goto(f"{live_server}/sparql?" + urllib.parse.urlencode({"query": "SELECT ?x WHERE { ?x nope:thing ?y }"}))
    expect(problem).to_contain_text("The prefix nope: is not declared")
    tab.screenshot(path=str(screenshot_dir() / "editor-syntax-error-desktop.png"), full_page=False)


def test_bulgarian_words_on_the_editor_page(browser_context: BrowserContext, page: tuple[Page, Traffic], live_server: str) -> None:
    from playwright.sync_api import expect

    tab, _ = page
    try:
        _open(tab, f"{live_server}/sparql?example=06-partnerships-of-a-city&lang=bg")
        expect(tab.locator("h1")).to_have_text("Питайте графа на SPARQL")
        expect(tab.get_by_role("combobox", name="Град")).to_have_value("София")
        expect(tab.locator(".yasr_btnGroup button.select_table")).to_contain_text("Таблица")
        expect(tab.get_by_role("button", name="Типизирани стойности (RDF)")).to_be_visible()
        expect(tab.locator(".yasr_response_chip")).to_contain_text(" реда за ")
        expect(tab.locator(".tableFilter")).to_have_attribute("placeholder", "Филтрирай резултатите")
        expect(tab.locator(".yasr .dt-info")).to_have_text(re.compile(r"^Редове от 1 до \d+ от общо \d+$"))
        assert "lang=bg" in tab.url
        # The type-ahead names its suggestions' kinds in Bulgarian too.
        field = tab.get_by_role("combobox", name="Град")
        field.fill("")
        field.type("Тали", delay=30)
        first = tab.locator("#param-city-list [role=option]").first
        expect(first).to_contain_text("Талин")
        kinds = first.inner_text()
        assert not re.search(r"\b(Place|City|Organisation)\b", kinds), kinds
        tab.set_viewport_size({"width": 360, "height": 780})
        _no_sideways_scroll(tab)
        tab.screenshot(path=str(screenshot_dir() / "editor-form-phone-bg.png"), full_page=False)
    finally:
        browser_context.clear_cookies()  # the language is remembered in a cookie; the other tests read English


@pytest.fixture
def phone(browser_context: BrowserContext) -> Iterator[tuple[Page, Traffic]]:
    for page, traffic in open_page(browser_context):
        page.set_viewport_size({"width": 360, "height": 780})
        yield page, traffic


def test_the_editor_at_360_px_has_no_sideways_scroll(phone: tuple[Page, Traffic], live_server: str) -> None:
    from playwright.sync_api import expect

    tab, _ = phone
    shots = screenshot_dir()
    _open(tab, f"{live_server}/sparql?example=06-partnerships-of-a-city")
    _no_sideways_scroll(tab)
    tab.locator("#yasgui").scroll_into_view_if_needed()
    expect(tab.locator(".CodeMirror-code .values-line")).to_be_in_viewport()  # the editor scrolled to the VALUES line
    tab.screenshot(path=str(shots / "editor-form-phone.png"), full_page=False)
    tab.screenshot(path=str(shots / "editor-table-phone.png"), full_page=True)
    for name, word in (("table", "Table"), ("chart", "Chart"), ("map", "Map"), ("graph", "Graph"), ("response", "Raw answer")):
        label = tab.locator(f".yasr_btnGroup button.select_{name} span", has_text=word)
        expect(label).to_be_visible()  # the views are named in words on a phone, not only tiny icons
    _view(tab, "map")
    expect(tab.locator(".result-map svg circle.marker").first).to_be_attached()
    _no_sideways_scroll(tab)
    tab.screenshot(path=str(shots / "editor-view-map-phone.png"), full_page=True)
    _open(tab, f"{live_server}/sparql?example={NUMBERS}")
    _view(tab, "chart")
    expect(tab.locator(".result-chart rect.bar").first).to_be_visible()
    _no_sideways_scroll(tab)
    tab.screenshot(path=str(shots / "editor-view-chart-phone.png"), full_page=True)
    _open(tab, f"{live_server}/sparql?" + urllib.parse.urlencode({"query": EDGES}))
    _view(tab, "graph")
    expect(tab.locator(".result-graph canvas").first).to_be_visible()
    _no_sideways_scroll(tab)
    tab.screenshot(path=str(shots / "editor-view-graph-phone.png"), full_page=True)
