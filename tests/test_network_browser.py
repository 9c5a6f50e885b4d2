"""The /network page in a real headless Chromium (Debian's), driven by Playwright, over the real data.

An analyst opens the network, sees it drawn, finds Sofia Municipality, clicks it and sees its partners
highlighted, then moves the date slider back and sees the network shrink; and the page never talks to
any host but the server it came from. When answers arrive out of order (the slider moved on before the
older answer came), the newest choice wins. Under CI=true a missing browser, Playwright or front-end asset
fails the run; elsewhere the tests skip with the reason.
"""

from __future__ import annotations

import contextlib
import json
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
    from playwright.sync_api import BrowserContext, Page, Route

CYTOSCAPE = PROJECT_ROOT / "webapp" / "static" / "vendor" / "cytoscape" / "cytoscape.min.js"
SOFIA = "https://w3id.org/uaeu/id/organisation/sofia-municipality"

#: Counts the distinct colours of the picture Cytoscape draws (its own PNG export of the canvas).
DISTINCT_COLOURS = """
async () => {
  const uri = window.uaeuNetwork.cy.png({ output: "base64uri", full: false, bg: "#ffffff" });
  const image = new Image();
  await new Promise((resolve, reject) => { image.onload = resolve; image.onerror = reject; image.src = uri; });
  const canvas = document.createElement("canvas");
  canvas.width = image.width; canvas.height = image.height;
  const context = canvas.getContext("2d");
  context.drawImage(image, 0, 0);
  const pixels = context.getImageData(0, 0, canvas.width, canvas.height).data;
  const seen = new Set();
  for (let i = 0; i < pixels.length; i += 4 * 7) { seen.add((pixels[i] << 16) | (pixels[i + 1] << 8) | pixels[i + 2]); }
  return { width: canvas.width, height: canvas.height, colours: seen.size };
}
"""


@pytest.fixture(scope="module")
def browser_context(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrowserContext]:
    yield from chromium_context(tmp_path_factory, vendored={"the vendored Cytoscape.js": CYTOSCAPE}, viewport=(1400, 1000))


@pytest.fixture(scope="module")
def shots() -> Path:
    return screenshot_dir()


@pytest.fixture
def page(browser_context: BrowserContext) -> Iterator[tuple[Page, Traffic]]:
    yield from open_page(browser_context)


def _state(tab: Page) -> dict[str, Any]:
    return tab.evaluate(  # type: ignore[no-any-return]
        "() => { const s = window.uaeuNetwork; return {ready: s.ready, loading: s.loading, loads: s.loads, nodeCount: s.nodeCount,"
        " edgeCount: s.edgeCount, selected: s.selected, highlighted: s.highlighted, error: s.error, params: s.params}; }"
    )


def _wait_loaded(tab: Page, loads: int) -> dict[str, Any]:
    tab.wait_for_function(f"() => window.uaeuNetwork && window.uaeuNetwork.loads >= {loads} && !window.uaeuNetwork.loading", timeout=30_000)
    state = _state(tab)
    assert state["error"] is None, state["error"]
    return state


def _only_loopback(traffic: Traffic) -> None:
    assert traffic.hosts() == {"127.0.0.1"}, traffic.requests
    assert traffic.failures == []


def _api_json(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.load(response)


def test_network_page_draws_selects_and_follows_the_date(page: tuple[Page, Traffic], live_server: str, shots: Path) -> None:
    from playwright.sync_api import expect

    tab, traffic = page
    tab.goto(live_server + "/network")
    state = _wait_loaded(tab, 1)
    expected = _api_json(live_server + "/api/network/organisations")
    assert state["nodeCount"] == len(expected["nodes"]) > 100, (state, [u for _, u, _ in traffic.requests])
    assert state["edgeCount"] == len(expected["edges"])
    assert tab.evaluate("() => window.uaeuNetwork.cy.nodes().length") == state["nodeCount"]
    drawn = tab.evaluate(DISTINCT_COLOURS)
    assert drawn["width"] > 300 and drawn["height"] > 300
    assert drawn["colours"] > 20, drawn  # a blank canvas has one colour; the drawing has many
    expect(tab.locator("#metrics-table tbody tr")).to_have_count(state["nodeCount"])
    tab.screenshot(path=str(shots / "network-organisations.png"), full_page=True)

    # Find Sofia through the page's search state, then click it where it is drawn, like a person.
    assert tab.evaluate("() => window.uaeuNetwork.find('sofia-municipality')") == [SOFIA]
    tab.evaluate(f"() => window.uaeuNetwork.focus({json.dumps(SOFIA)}, 2)")
    at = tab.evaluate(f"() => window.uaeuNetwork.screenPosition({json.dumps(SOFIA)})")
    tab.mouse.click(at["x"] - tab.evaluate("window.scrollX"), at["y"] - tab.evaluate("window.scrollY"))
    tab.wait_for_function("() => window.uaeuNetwork.selected !== null")
    state = _state(tab)
    assert state["selected"] == SOFIA
    neighbours = sorted(e["target"] if e["source"] == SOFIA else e["source"] for e in expected["edges"] if SOFIA in (e["source"], e["target"]))
    assert state["highlighted"] == neighbours and len(neighbours) > 5
    highlighted = tab.evaluate("() => window.uaeuNetwork.cy.nodes('.highlighted').map(n => n.id()).sort()")
    assert highlighted == sorted([SOFIA, *neighbours])
    expect(tab.locator("#selection-label")).to_have_text("Sofia Municipality")
    link = tab.locator("#selection-link").get_attribute("href") or ""
    assert link == live_server + "/doc/organisation/sofia-municipality"
    tab.screenshot(path=str(shots / "network-sofia-selected.png"), full_page=True)

    # Move the date slider to 2016: fewer partnerships had started, so fewer nodes.
    before = state["nodeCount"]
    slider = tab.locator("#as-of")
    slider.fill("2016")
    state = _wait_loaded(tab, 2)
    assert state["params"]["as_of"] == "2016"
    as_of_2016 = _api_json(live_server + "/api/network/organisations?as_of=2016")
    assert state["nodeCount"] == len(as_of_2016["nodes"]) < before
    expect(tab.locator("#as-of-label")).to_have_text("2016")
    assert "as_of=2016" in tab.url
    tab.screenshot(path=str(shots / "network-as-of-2016.png"), full_page=True)

    # A filter reloads too: the countries network.
    tab.select_option("#kind", "countries")
    state = _wait_loaded(tab, 3)
    assert state["nodeCount"] == len(_api_json(live_server + "/api/network/countries?as_of=2016")["nodes"])
    tab.screenshot(path=str(shots / "network-countries-2016.png"), full_page=True)
    _only_loopback(traffic)


def test_query_editor_opens_a_query_as_a_network(page: tuple[Page, Traffic], live_server: str, shots: Path) -> None:
    from playwright.sync_api import expect

    tab, traffic = page
    query = "PREFIX org: <http://www.w3.org/ns/org#>\nSELECT ?source ?target WHERE { ?m org:organization ?source ; org:member ?target ; org:role ?role }"
    tab.goto(live_server + "/sparql?query=" + urllib.parse.quote(query))
    link = tab.locator("#network-link")
    expect(link).to_be_visible(timeout=30_000)
    href = link.get_attribute("href") or ""
    assert urllib.parse.parse_qs(urllib.parse.urlsplit(href).query)["query"] == [query]
    link.click()
    state = _wait_loaded(tab, 1)
    expected = _api_json(live_server + "/api/network/from-query?query=" + urllib.parse.quote(query))
    assert state["nodeCount"] == len(expected["nodes"]) > 100
    expect(tab.locator("#query-note")).to_be_visible()
    expect(tab.locator("#network-form")).to_be_hidden()
    assert tab.evaluate(DISTINCT_COLOURS)["colours"] > 20
    tab.screenshot(path=str(shots / "network-from-query.png"), full_page=True)
    _only_loopback(traffic)


def test_a_late_answer_for_an_older_choice_is_never_drawn(page: tuple[Page, Traffic], live_server: str) -> None:
    tab, _ = page
    tab.goto(live_server + "/network?weighting=jaccard")
    tab.wait_for_function("() => window.uaeuNetwork && window.uaeuNetwork.loads >= 1 && !window.uaeuNetwork.loading", timeout=30_000)
    held: list[Route] = []

    def hold_2020(route: Route) -> None:
        if "as_of=2020" in route.request.url:
            held.append(route)  # answered later, after the 2018 request has been answered
        else:
            route.continue_()

    tab.route("**/network.json*", hold_2020)
    slider = tab.locator("#as-of")
    slider.fill("2020")
    deadline = time.monotonic() + 15
    while not held and time.monotonic() < deadline:
        tab.wait_for_timeout(50)
    slider.fill("2018")
    tab.wait_for_function("() => window.uaeuNetwork.params.as_of === '2018' && !window.uaeuNetwork.loading", timeout=30_000)
    assert len(held) == 1
    for route in held:  # now let the old answer through, late
        with contextlib.suppress(Exception):  # the page may have aborted that request: also fine
            route.continue_()
    time.sleep(2.0)
    state = tab.evaluate("() => ({params: window.uaeuNetwork.params, nodes: window.uaeuNetwork.nodeCount, edges: window.uaeuNetwork.edgeCount})")
    expected = _api_json(live_server + "/api/network/organisations?weighting=jaccard&as_of=2018")
    assert state["params"]["as_of"] == "2018"
    assert state["nodes"] == len(expected["nodes"])
    assert state["edges"] == len(expected["edges"])
    assert tab.evaluate("() => window.uaeuNetwork.cy.nodes().length") == len(expected["nodes"])
    assert "as_of=2018" in tab.url
    downloads = [a.get_attribute("href") or "" for a in tab.locator("#downloads a").all()]
    assert downloads and all("as_of=2018" in d or "as-of-2018" in d for d in downloads), downloads
    assert tab.locator("#as-of-label").text_content() == "2018"
    tab.screenshot(path=str(Path(screenshot_dir()) / "network-race-2018.png"), full_page=True)
