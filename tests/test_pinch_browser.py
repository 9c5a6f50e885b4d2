"""Two-finger pinch on the map and the network at phone width, in a real headless Chromium with touch
events (Playwright's touch emulation, fingers sent through the DevTools protocol as a phone sends them).

Issue #12 (phones): the map and the network zoom under a pinch, and the page itself neither zooms nor
scrolls sideways. Under CI=true a missing browser, Playwright or front-end asset fails the run.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from graph.config import PROJECT_ROOT
from tests.browser import Traffic, chromium_context, open_page, screenshot_dir

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Page

VENDOR = PROJECT_ROOT / "webapp" / "static" / "vendor"
VENDORED = {"the vendored Cytoscape.js": VENDOR / "cytoscape" / "cytoscape.min.js", "the vendored d3-geo": VENDOR / "map" / "d3-geo.min.js"}
PHONE = (360, 740)


@pytest.fixture(scope="module")
def browser_context(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrowserContext]:
    yield from chromium_context(tmp_path_factory, vendored=VENDORED, viewport=PHONE, has_touch=True, is_mobile=True, device_scale_factor=2)


@pytest.fixture
def page(browser_context: BrowserContext) -> Iterator[tuple[Page, Traffic]]:
    yield from open_page(browser_context)


def pinch(tab: Page, selector: str, spread: float = 90, steps: int = 8) -> None:
    """Two fingers put down near the middle of `selector`'s box and moved apart by `spread` px each."""
    box = tab.locator(selector).bounding_box()
    assert box is not None
    tab.evaluate(f"() => document.querySelector({selector!r}).scrollIntoView({{block: 'center'}})")
    box = tab.locator(selector).bounding_box()
    assert box is not None
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    cdp = tab.context.new_cdp_session(tab)

    def fingers(d: float) -> list[dict[str, float]]:
        return [{"x": cx - 10 - d, "y": cy, "id": 0}, {"x": cx + 10 + d, "y": cy, "id": 1}]

    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": fingers(0)})
    for step in range(1, steps + 1):
        cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": fingers(spread * step / steps)})
        tab.wait_for_timeout(30)
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    cdp.detach()


def page_not_zoomed_or_wide(tab: Page) -> None:
    scale, width, inner = tab.evaluate("() => [window.visualViewport.scale, document.documentElement.scrollWidth, window.innerWidth]")
    assert scale == 1, "the page itself did not zoom"
    assert width <= inner, f"the page is {width} px wide at {inner} px"


@pytest.mark.parametrize("lang", ["en", "bg"])
def test_a_pinch_zooms_the_map_not_the_page(page: tuple[Page, Traffic], live_server: str, lang: str) -> None:
    tab, traffic = page
    tab.goto(f"{live_server}/map?lang={lang}")
    tab.wait_for_function("() => document.querySelector('.uaeu-map').dataset.state === 'ready'", timeout=30_000)
    assert float(tab.get_attribute(".map-svg", "data-zoom") or 0) == 1
    pinch(tab, ".map-svg")
    zoom = float(tab.get_attribute(".map-svg", "data-zoom") or 0)
    assert zoom > 1.5, f"the map zoomed to {zoom}"
    page_not_zoomed_or_wide(tab)
    tab.screenshot(path=str(screenshot_dir() / f"pinch-map-{lang}-360.png"))
    assert not traffic.failures, traffic.failures


def test_a_pinch_zooms_the_network_not_the_page(page: tuple[Page, Traffic], live_server: str) -> None:
    tab, traffic = page
    tab.goto(f"{live_server}/network?lang=bg")
    tab.wait_for_function("() => window.uaeuNetwork && window.uaeuNetwork.loads >= 1 && !window.uaeuNetwork.loading", timeout=30_000)
    before = tab.evaluate("() => window.uaeuNetwork.cy.zoom()")
    pinch(tab, "#network-canvas")
    after = tab.evaluate("() => window.uaeuNetwork.cy.zoom()")
    assert after > before * 1.5, f"the network zoomed from {before} to {after}"
    page_not_zoomed_or_wide(tab)
    tab.screenshot(path=str(screenshot_dir() / "pinch-network-bg-360.png"))
    assert not traffic.failures, traffic.failures
