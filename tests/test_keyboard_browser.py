"""The network and map pages used with the keyboard alone, in a real headless Chromium (Debian's).

Issue #12 ("every page usable keyboard-only"): from the top of the page, Tab reaches the network's
filters, the as-of control, Play, the view options, the search and the metrics table; a column sorts with
Enter or Space (aria-sort follows, focus stays on the header); a row is selected with Enter, the arrows
move between rows, and the selected node's neighbours are named. Every stop on the way shows where the
focus is (an outline at least 2 px wide). The map's controls (date, year, evidence, zoom) work the same way.
Under CI=true a missing browser, Playwright or front-end asset fails the run; elsewhere it skips.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

from graph.config import PROJECT_ROOT
from tests.browser import Traffic, chromium_context, open_page, screenshot_dir

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Page

VENDOR = PROJECT_ROOT / "webapp" / "static" / "vendor"
VENDORED = {"the vendored Cytoscape.js": VENDOR / "cytoscape" / "cytoscape.min.js", "the vendored d3-geo": VENDOR / "map" / "d3-geo.min.js"}
NETWORK_CONTROLS = ["kind", "weighting", "role", "partner_type", "theme", "evidence", "use-date", "as-of", "play", "colour-by", "size-by", "search"]

# Who has the focus, and can a person see it (an outline or a ring drawn with box-shadow).
FOCUS = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2;
  const ring = style.boxShadow && style.boxShadow !== 'none';
  return {id: el.id, tag: el.tagName.toLowerCase(), cls: el.getAttribute('class') || '', key: el.dataset.key || '',
          row: el.dataset.id || '', text: (el.textContent || '').trim().slice(0, 40), visible: outline || !!ring,
          outline: style.outlineStyle + ' ' + style.outlineWidth + ' ' + style.outlineColor};
}"""


@pytest.fixture(scope="module")
def browser_context(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrowserContext]:
    yield from chromium_context(tmp_path_factory, vendored=VENDORED, viewport=(1280, 900))


@pytest.fixture
def page(browser_context: BrowserContext) -> Iterator[tuple[Page, Traffic]]:
    yield from open_page(browser_context)


def network_loaded(tab: Page, loads: int = 1) -> None:
    tab.wait_for_function(f"() => window.uaeuNetwork && window.uaeuNetwork.loads >= {loads} && !window.uaeuNetwork.loading", timeout=30_000)


def tab_until(tab: Page, done: Any, limit: int = 120) -> list[dict[str, Any]]:
    """Press Tab until `done(focus)` holds; every stop on the way, each one checked to show its focus."""
    stops = []
    for _ in range(limit):
        tab.keyboard.press("Tab")
        focus = tab.evaluate(FOCUS)
        stops.append(focus)
        assert focus["visible"], f"the focus is not visible on {focus}"
        if done(focus):
            return stops
    pytest.fail(f"never reached the control after {limit} Tabs: {[s['id'] or s['tag'] + '.' + s['cls'] for s in stops]}")


@pytest.mark.parametrize("lang", ["en", "bg"])
def test_tab_reaches_every_network_control_in_order_with_the_focus_visible(page: tuple[Page, Traffic], live_server: str, lang: str) -> None:
    tab, traffic = page
    tab.goto(f"{live_server}/network?lang={lang}")
    network_loaded(tab)
    stops = tab_until(tab, lambda f: f["tag"] == "tr" and bool(f["row"]))
    ids = [s["id"] for s in stops if s["id"] in NETWORK_CONTROLS]
    assert ids == NETWORK_CONTROLS, f"Tab order of the controls: {ids}"
    sort_keys = [s["key"] for s in stops if "sort-button" in s["cls"]]
    assert sort_keys[:3] == ["label", "degree", "weighted_degree"], sort_keys
    assert stops[0]["cls"] == "skip-link"
    tab.screenshot(path=str(screenshot_dir() / f"keyboard-network-row-{lang}.png"))
    assert not traffic.failures, traffic.failures


def test_the_as_of_year_and_play_work_from_the_keyboard(page: tuple[Page, Traffic], live_server: str) -> None:
    tab, traffic = page
    tab.goto(f"{live_server}/network?lang=en")
    network_loaded(tab)
    tab.focus("#use-date")
    tab.keyboard.press("Space")
    network_loaded(tab, 2)
    last = int(tab.get_attribute("#as-of", "max") or 0)
    assert tab.evaluate("() => window.uaeuNetwork.params.as_of") == str(last)
    tab.keyboard.press("Tab")
    assert tab.evaluate("() => document.activeElement.id") == "as-of"
    tab.keyboard.press("ArrowLeft")
    tab.keyboard.press("ArrowLeft")
    tab.wait_for_function(f"() => window.uaeuNetwork.params.as_of === '{last - 2}' && !window.uaeuNetwork.loading", timeout=30_000)
    assert tab.locator("#as-of-label").inner_text() == str(last - 2)
    assert f"as_of={last - 2}" in tab.url, "the year is in the address"
    tab.focus("#play")
    tab.keyboard.press("Enter")
    tab.wait_for_function("() => window.uaeuNetwork.playing", timeout=10_000)
    assert tab.get_attribute("#play", "aria-pressed") == "true"
    tab.keyboard.press("Space")
    tab.wait_for_function("() => !window.uaeuNetwork.playing", timeout=10_000)
    assert tab.get_attribute("#play", "aria-pressed") == "false"
    assert tab.locator("#play").inner_text() == "Play"
    assert not traffic.failures, traffic.failures


def test_the_metrics_table_sorts_and_selects_from_the_keyboard(page: tuple[Page, Traffic], live_server: str) -> None:
    tab, traffic = page
    tab.goto(f"{live_server}/network?lang=bg")
    network_loaded(tab)
    tab_until(tab, lambda f: f["key"] == "betweenness")
    header = "#metrics-table th[data-key='betweenness']"
    assert tab.get_attribute(header, "aria-sort") == "none"
    tab.keyboard.press("Enter")
    assert tab.get_attribute(header, "aria-sort") == "descending"
    assert tab.get_attribute("#metrics-table th[data-key='degree']", "aria-sort") == "none"
    assert tab.evaluate("() => document.activeElement.dataset.key") == "betweenness", "the focus stays on the header"
    values = tab.evaluate("() => Array.from(document.querySelectorAll('#metrics-table tbody tr')).slice(0, 20).map((tr) => Number(tr.children[3].textContent))")
    assert values == sorted(values, reverse=True) and values[0] > 0
    tab.keyboard.press("Space")
    assert tab.get_attribute(header, "aria-sort") == "ascending"
    tab.keyboard.press("Enter")
    assert tab.get_attribute(header, "aria-sort") == "descending"

    stops = tab_until(tab, lambda f: f["tag"] == "tr")
    first = stops[-1]["row"]
    tab.keyboard.press("ArrowDown")
    second = tab.evaluate("() => document.activeElement.dataset.id")
    assert second and second != first
    tab.keyboard.press("Enter")
    state = tab.evaluate("() => ({selected: window.uaeuNetwork.selected, highlighted: window.uaeuNetwork.highlighted})")
    assert state["selected"] == second
    panel = tab.locator("#selection")
    assert panel.is_visible()
    names = tab.locator("#selection-neighbours li").all_inner_texts()
    assert len(names) == len(state["highlighted"]) > 0, "every neighbour is named"
    assert all(name.strip() for name in names)
    assert tab.locator("#selection-count").inner_text() == str(len(names))
    assert tab.locator("#selection-neighbours-title").inner_text().startswith("Съседи")
    tab.screenshot(path=str(screenshot_dir() / "keyboard-network-selected.png"))
    assert not traffic.failures, traffic.failures


def test_a_partner_found_by_typing_is_selected(page: tuple[Page, Traffic], live_server: str) -> None:
    tab, traffic = page
    tab.goto(f"{live_server}/network?lang=en")
    network_loaded(tab)
    tab_until(tab, lambda f: f["id"] == "search")
    tab.keyboard.type("Sofia Municipality")
    tab.keyboard.press("Enter")
    tab.wait_for_function("() => window.uaeuNetwork.selected !== null", timeout=10_000)
    assert tab.evaluate("() => window.uaeuNetwork.selected").endswith("/sofia-municipality")
    assert tab.locator("#selection-neighbours li").count() > 0
    assert not traffic.failures, traffic.failures


def test_the_map_controls_work_from_the_keyboard(page: tuple[Page, Traffic], live_server: str) -> None:
    tab, traffic = page
    tab.goto(f"{live_server}/map?lang=bg")
    tab.wait_for_function("() => document.querySelector('.uaeu-map').dataset.state === 'ready'", timeout=30_000)
    tab_until(tab, lambda f: "map-use-date" in f["cls"])
    tab.keyboard.press("Space")
    tab.wait_for_function("() => new URL(location.href).searchParams.get('as-of')", timeout=10_000)
    tab.wait_for_function("() => document.querySelector('.uaeu-map').dataset.state === 'ready'", timeout=30_000)
    month = tab.evaluate("() => new URL(location.href).searchParams.get('as-of')")
    tab.keyboard.press("Tab")
    assert "map-date" in tab.evaluate("() => document.activeElement.className")
    tab.keyboard.press("PageDown")
    tab.wait_for_function(f"() => new URL(location.href).searchParams.get('as-of') !== '{month}'", timeout=10_000)
    earlier = tab.evaluate("() => new URL(location.href).searchParams.get('as-of')")
    assert earlier < month
    tab.wait_for_function("() => document.querySelector('.uaeu-map').dataset.state === 'ready'", timeout=30_000)
    assert earlier in tab.locator(".map-status").inner_text()
    tab_until(tab, lambda f: "map-year" in f["cls"], limit=5)
    tab_until(tab, lambda f: "map-evidence" in f["cls"], limit=5)
    tab_until(tab, lambda f: "map-zoom-in" in f["cls"], limit=5)
    tab.keyboard.press("Enter")
    zoom = float(tab.get_attribute(".map-svg", "data-zoom") or 0)
    assert zoom > 1
    tab_until(tab, lambda f: "map-zoom-out" in f["cls"], limit=3)
    tab.keyboard.press("Enter")
    assert float(tab.get_attribute(".map-svg", "data-zoom") or 0) < zoom
    tab.keyboard.press("Enter")
    stops = tab_until(tab, lambda f: "map-zoom-reset" in f["cls"], limit=3)
    assert stops[-1]["text"] == "Цялата карта"
    tab.keyboard.press("Enter")
    assert float(tab.get_attribute(".map-svg", "data-zoom") or 0) == 1
    tab.screenshot(path=str(screenshot_dir() / "keyboard-map.png"))
    assert not traffic.failures, traffic.failures
