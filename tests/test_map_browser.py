"""The map in a real headless Chromium: the Digital Transition page draws Sofia, Oulu and Estonia's
national body on its map, a marker leads to the place's page, and the whole-graph map at /map follows
its date slider. Screenshots are saved for a person to look at; no request may leave 127.0.0.1.

Under CI=true a missing browser or Playwright fails the run; elsewhere the test skips with the reason.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from graph.config import PROJECT_ROOT
from tests.browser import chromium_context, screenshot_dir

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Page

VENDORED = PROJECT_ROOT / "webapp" / "static" / "vendor" / "map"


@pytest.fixture(scope="module")
def browser_context(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrowserContext]:
    yield from chromium_context(tmp_path_factory, vendored={"the map's Natural Earth shapes": VENDORED / "countries-50m.json"})


def _shots() -> Path:
    return screenshot_dir()


def _open(browser_context: BrowserContext, live_server: str) -> tuple[Page, list[str], list[str]]:
    page = browser_context.new_page()
    foreign: list[str] = []
    errors: list[str] = []
    page.on("request", lambda request: foreign.append(request.url) if not request.url.startswith(live_server) else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    return page, foreign, errors


def _marker_labels(page: Page) -> list[str]:
    return page.eval_on_selector_all(".uaeu-map .markers a", "els => els.map(e => e.getAttribute('data-label'))")  # type: ignore[no-any-return]


def test_digital_transition_map_shows_sofia_oulu_and_estonia(browser_context: BrowserContext, live_server: str) -> None:
    page, foreign, errors = _open(browser_context, live_server)
    page.goto(live_server + "/doc/partnership/digital-transition")
    page.wait_for_selector(".uaeu-map[data-state='ready']", timeout=20_000)
    labels = _marker_labels(page)
    assert {"Sofia", "Oulu", "Estonia – national body"} <= set(labels), labels
    drawn = page.eval_on_selector_all(".uaeu-map .countries path", "els => els.length")
    assert drawn > 20, "the country shapes are drawn"
    texts = page.eval_on_selector_all(".uaeu-map .labels text", "els => els.map(e => e.textContent)")
    assert "Sofia" in texts and "Oulu" in texts and "Estonia – national body" in texts
    # Each marker sits inside the drawing, and Sofia is south-east of Oulu (the projection is right way up).
    sofia = page.locator(".uaeu-map .markers a[data-label='Sofia'] circle").bounding_box()
    oulu = page.locator(".uaeu-map .markers a[data-label='Oulu'] circle").bounding_box()
    svg = page.locator(".uaeu-map svg.map-svg").bounding_box()
    assert sofia and oulu and svg
    assert sofia["y"] > oulu["y"] and sofia["x"] < oulu["x"] + 200
    for box in (sofia, oulu):
        assert svg["x"] <= box["x"] <= svg["x"] + svg["width"] and svg["y"] <= box["y"] <= svg["y"] + svg["height"]
    coordinator = page.locator(".uaeu-map .markers a[data-label='Sofia']").get_attribute("class") or ""
    assert "role-coordinator" in coordinator
    assert "national body" in page.locator(".uaeu-map .map-list").inner_text()
    page.locator("#map").screenshot(path=str(_shots() / "map-1-digital-transition.png"))

    page.locator(".uaeu-map .markers a[data-label='Sofia']").click()
    page.wait_for_url("**/doc/place/sofia")
    assert page.locator("h1").inner_text() == "Sofia"
    assert not errors, errors
    assert not foreign, f"the map fetched other hosts: {foreign}"


def test_whole_map_follows_the_date_slider(browser_context: BrowserContext, live_server: str) -> None:
    page, foreign, errors = _open(browser_context, live_server)
    page.goto(live_server + "/map")
    page.wait_for_selector(".uaeu-map[data-state='ready']", timeout=20_000)
    everything = len(_marker_labels(page))
    assert everything > 100
    page.screenshot(path=str(_shots() / "map-2-all.png"), full_page=True)

    page.check(".map-use-date")
    page.wait_for_selector(".uaeu-map[data-state='ready']")
    page.eval_on_selector(
        ".map-date",
        "(el) => { el.value = '5'; el.dispatchEvent(new Event('input')); el.dispatchEvent(new Event('change')); }",
    )
    page.wait_for_function("document.querySelector('.map-date-label').textContent === '2016-06'")
    page.wait_for_function("document.querySelector('.uaeu-map').dataset.state === 'ready'")
    early = len(_marker_labels(page))
    assert 0 < early < everything, (early, everything)
    assert "in 2016-06" in page.locator(".map-status").inner_text()
    page.screenshot(path=str(_shots() / "map-3-june-2016.png"), full_page=True)
    assert not errors, errors
    assert not foreign, f"the map fetched other hosts: {foreign}"
