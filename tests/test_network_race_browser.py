"""The /network page when answers arrive out of order: the newest choice always wins.

A person moves the as-of slider to 2020 and, before that answer comes, on to 2018. The browser is
made to answer the 2020 request late on purpose (after the 2018 one). Graph, metrics, URL and
downloads must all be 2018's; before the fix the late 2020 answer was drawn last and won.
"""

from __future__ import annotations

import contextlib
import json
import time
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


@pytest.fixture(scope="module")
def browser_context(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrowserContext]:
    yield from chromium_context(tmp_path_factory, vendored={"the vendored Cytoscape.js": CYTOSCAPE}, viewport=(1400, 1000))


@pytest.fixture
def page(browser_context: BrowserContext) -> Iterator[tuple[Page, Traffic]]:
    yield from open_page(browser_context)


def _api(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.load(response)


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
    expected = _api(live_server + "/api/network/organisations?weighting=jaccard&as_of=2018")
    assert state["params"]["as_of"] == "2018"
    assert state["nodes"] == len(expected["nodes"])
    assert state["edges"] == len(expected["edges"])
    assert tab.evaluate("() => window.uaeuNetwork.cy.nodes().length") == len(expected["nodes"])
    assert "as_of=2018" in tab.url
    downloads = [a.get_attribute("href") or "" for a in tab.locator("#downloads a").all()]
    assert downloads and all("as_of=2018" in d or "as-of-2018" in d for d in downloads), downloads
    assert tab.locator("#as-of-label").text_content() == "2018"
    tab.screenshot(path=str(Path(screenshot_dir()) / "network-race-2018.png"), full_page=True)
