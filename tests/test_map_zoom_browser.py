"""The map's zoom, spread markers, the date in the address, the counts in view and the page maps'
smaller shapes, in a real headless Chromium (Debian's, via Playwright, as in tests/browser.py).

Byte sizes are the decoded bodies Chromium received (what the map has to parse).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from graph.config import PROJECT_ROOT
from tests.browser import chromium_context, open_page

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Page

    from tests.browser import Traffic

VENDORED = PROJECT_ROOT / "webapp" / "static" / "vendor" / "map"
READY = ".uaeu-map[data-state='ready']"
#: The partnership page's map may download at most this many bytes of country shapes (the world's 1:50m file is 756 KB).
SHAPES_BUDGET = 250_000


@pytest.fixture(scope="module")
def browser_context(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrowserContext]:
    yield from chromium_context(tmp_path_factory, vendored={"the map's Natural Earth shapes": VENDORED / "countries-50m.json"})


@pytest.fixture
def page(browser_context: BrowserContext) -> Iterator[tuple[Page, Traffic]]:
    yield from open_page(browser_context)


def _countries_transform(page: Page) -> str:
    return page.get_attribute(".uaeu-map .countries", "transform") or ""


def test_wheel_and_buttons_zoom_the_map(page: tuple[Page, Traffic], live_server: str) -> None:
    tab, traffic = page
    tab.goto(live_server + "/map")
    tab.wait_for_selector(READY, timeout=20_000)
    start = _countries_transform(tab)
    assert "scale(1)" in start
    tab.click(".map-zoom-in")
    after_button = _countries_transform(tab)
    assert after_button != start and "scale(1.6)" in after_button
    assert tab.eval_on_selector(".map-svg", "el => el.style.touchAction") == "none", "zoomed in, a finger drag moves the map"
    box = tab.locator(".uaeu-map svg.map-svg").bounding_box()
    assert box
    tab.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    tab.mouse.wheel(0, -300)
    tab.wait_for_function("Number(document.querySelector('.map-svg').dataset.zoom) > 1.7")
    after_wheel = _countries_transform(tab)
    assert after_wheel != after_button
    # Drag pans: the translation changes, the scale does not.
    zoom = tab.get_attribute(".map-svg", "data-zoom")
    tab.mouse.move(box["x"] + 200, box["y"] + 200)
    tab.mouse.down()
    tab.mouse.move(box["x"] + 260, box["y"] + 240, steps=5)
    tab.mouse.up()
    assert _countries_transform(tab) != after_wheel and tab.get_attribute(".map-svg", "data-zoom") == zoom
    # Keyboard: the − button is a button, reachable and pressable with Enter.
    tab.focus(".map-zoom-out")
    tab.keyboard.press("Enter")
    assert float(tab.get_attribute(".map-svg", "data-zoom") or 0) < float(zoom or 0)
    tab.click(".map-zoom-reset")
    assert "scale(1)" in _countries_transform(tab)
    assert tab.eval_on_selector(".map-svg", "el => el.style.touchAction") == "pan-y", "unzoomed, a swipe scrolls the page"
    assert not traffic.failures, traffic.failures


def _positions(page: Page) -> list[dict[str, float | str]]:
    return page.eval_on_selector_all(  # type: ignore[no-any-return]
        ".uaeu-map .markers a",
        """els => els.map(a => { const s = a.firstElementChild; const b = s.getBoundingClientRect();
             return {label: a.dataset.label, x: +a.dataset.x, y: +a.dataset.y, cx: b.x + b.width / 2, cy: b.y + b.height / 2}; })""",
    )


def test_markers_at_the_same_place_are_spread(page: tuple[Page, Traffic], live_server: str) -> None:
    tab, _ = page
    tab.goto(live_server + "/map")
    tab.wait_for_selector(READY, timeout=20_000)
    markers = _positions(tab)
    crowded = [
        (a["label"], b["label"])
        for i, a in enumerate(markers)
        for b in markers[i + 1 :]
        if abs(float(a["x"]) - float(b["x"])) < 1 and abs(float(a["y"]) - float(b["y"])) < 1
    ]
    near = [
        (a["label"], b["label"])
        for i, a in enumerate(markers)
        for b in markers[i + 1 :]
        if abs(float(a["x"]) - float(b["x"])) < 4 and abs(float(a["y"]) - float(b["y"])) < 4
    ]
    assert near, "the graph has markers at (nearly) one point: the test needs them"
    drawn = {(round(float(m["cx"]), 1), round(float(m["cy"]), 1)) for m in markers}
    assert len(drawn) == len(markers), f"markers share one drawn position; same point in the data: {crowded[:5]}"
    for a_label, b_label in near:
        a = next(m for m in markers if m["label"] == a_label)
        b = next(m for m in markers if m["label"] == b_label)
        assert abs(float(a["cx"]) - float(b["cx"])) + abs(float(a["cy"]) - float(b["cy"])) >= 4, (a, b)


def test_the_date_goes_into_the_address_and_comes_back_from_it(page: tuple[Page, Traffic], live_server: str) -> None:
    tab, traffic = page
    tab.goto(live_server + "/map")
    tab.wait_for_selector(READY, timeout=20_000)
    assert "as-of" not in tab.url
    tab.check(".map-use-date")
    tab.wait_for_selector(READY)
    tab.focus(".map-date")
    tab.keyboard.press("Home")  # keyboard-operable: the first month
    tab.wait_for_function("location.search.includes('as-of=2016-01')")
    tab.select_option(".map-year", "2018")
    tab.wait_for_function("location.search.includes('as-of=2018-01')")
    tab.keyboard.press("Tab")  # leave the select; set June with the slider's keys
    tab.focus(".map-date")
    for _ in range(5):
        tab.keyboard.press("ArrowRight")
    tab.wait_for_function("location.search.includes('as-of=2018-06')")
    assert tab.locator(".map-date-label").inner_text() == "2018-06"

    tab.goto(live_server + "/map?as-of=2018-06")
    tab.wait_for_selector(READY, timeout=20_000)
    assert tab.is_checked(".map-use-date")
    assert tab.locator(".map-date-label").inner_text() == "2018-06"
    assert tab.input_value(".map-year") == "2018"
    assert "in 2018-06" in tab.locator(".map-status").inner_text()
    ticks = tab.eval_on_selector_all(".map-date-ticks option", "els => els.map(e => e.label)")
    assert ticks[0] == "2016" and len(ticks) >= 10
    assert not traffic.failures, traffic.failures


def _counts_in_view(tab: Page) -> None:
    tab.locator(".uaeu-map .map-canvas").scroll_into_view_if_needed()
    box = tab.locator(".uaeu-map .map-status").bounding_box()
    size = tab.viewport_size
    assert box and size
    assert "partner(s)" in tab.locator(".uaeu-map .map-status").inner_text()
    assert box["y"] >= 0 and box["y"] + box["height"] <= size["height"], (box, size)
    assert box["x"] >= 0 and box["x"] + box["width"] <= size["width"], (box, size)


@pytest.mark.parametrize("path", ["/map", "/doc/partnership/digital-transition"])
def test_counts_are_in_view_with_the_map_on_desktop(browser_context: BrowserContext, live_server: str, path: str) -> None:
    tab = browser_context.new_page()
    tab.goto(live_server + path)
    tab.wait_for_selector(READY, timeout=20_000)
    _counts_in_view(tab)
    tab.close()


@pytest.mark.parametrize("path", ["/map", "/doc/partnership/digital-transition"])
def test_counts_are_in_view_with_the_map_at_360_px(browser_context: BrowserContext, live_server: str, path: str) -> None:
    tab = browser_context.new_page()
    tab.set_viewport_size({"width": 360, "height": 740})
    tab.goto(live_server + path)
    tab.wait_for_selector(READY, timeout=20_000)
    _counts_in_view(tab)
    slider = tab.locator(".uaeu-map .map-date").bounding_box()
    assert slider and slider["width"] >= 280, slider  # the slider takes the phone's width
    tab.close()


def test_the_partnership_map_downloads_few_shapes(page: tuple[Page, Traffic], live_server: str) -> None:
    tab, traffic = page
    sizes: dict[str, int] = {}
    tab.on("response", lambda r: sizes.__setitem__(r.url, len(r.body())) if "/shapes/" in r.url or "/countries-" in r.url else None)
    tab.goto(live_server + "/doc/partnership/digital-transition")
    tab.wait_for_selector(READY, timeout=20_000)
    shapes = sizes
    assert shapes, "the map fetched its shapes"
    total = sum(shapes.values())
    print(f"partnership page map shapes: {shapes}")
    assert total < SHAPES_BUDGET, shapes
    assert not any("countries-50m" in url for url in shapes)
    labels = tab.eval_on_selector_all(".uaeu-map .markers a", "els => els.map(e => e.dataset.label)")
    assert {"Sofia", "Oulu", "Estonia – national body"} <= set(labels)
    assert tab.eval_on_selector_all(".uaeu-map .countries path", "els => els.length") > 20
    assert not traffic.failures, traffic.failures
