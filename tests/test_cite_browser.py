"""Citing in a real browser: cite a gallery answer on /sparql, rebuild with changed data, open the citation later.

A real `uaeu serve` of release 1 (tests/three_releases.py); Chromium runs the gallery's
"coordinators of Digital Transition" question and presses "Cite". The server is stopped, releases
2 and 3 are built (Sofia Municipality is renamed in 3), and a new server starts on release 3. The
citation must still show release 1's answer, offer to compare, and the comparison must show the
renamed row as one removed and one added. Under CI=true a missing browser fails; elsewhere it skips.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from graph.config import PROJECT_ROOT
from graph.queries import examples
from tests.browser import chromium_context, open_page, screenshot_dir
from tests.servers import start_server
from tests.three_releases import SOFIA_LABEL, build_version

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext

YASGUI = PROJECT_ROOT / "webapp" / "static" / "vendor" / "yasgui" / "yasgui.min.js"
COORDINATORS = "01-partnership-coordinators"


@pytest.fixture(scope="module")
def browser_context(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrowserContext]:
    yield from chromium_context(tmp_path_factory, vendored={"the vendored YASGUI": YASGUI})


def test_cite_a_gallery_answer_rebuild_and_compare(browser_context: BrowserContext, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    shots = screenshot_dir()
    build_dir = tmp_path / "build"
    first = build_version(tmp_path, build_dir, 1)
    # The gallery link reads as the question about the default value, by its label.
    question = examples()[COORDINATORS].ask("en", {"partnership": "Digital Transition"})

    with start_server(build_dir) as server:
        for tab, traffic in open_page(browser_context):
            tab.goto(server.url + "/sparql")
            tab.get_by_role("link", name=question).click()
            expect(tab.locator(".yasr table.dataTable tbody tr")).to_have_count(3)
            button = tab.locator(".cite-box .cite-button")
            expect(button).to_have_text("Cite")
            button.click()
            link = tab.locator(".cite-box .cite-link")
            expect(link).to_be_visible()
            url = link.get_attribute("href") or ""
            assert url.startswith(server.url + "/p/")
            expect(tab.locator(".cite-box .cite-reference")).to_contain_text(first.id)
            tab.screenshot(path=str(shots / "cite-editor.png"), full_page=True)
            assert traffic.failures == []
            assert traffic.hosts() == {"127.0.0.1"}
            cited = [(m, u) for m, u, _ in traffic.requests if u == server.url + "/cite"]
            assert cited == [("POST", server.url + "/cite")]

    build_version(tmp_path, build_dir, 2)
    third = build_version(tmp_path, build_dir, 3)
    path = url.split("/p/", 1)[1]

    with start_server(build_dir) as later:
        for tab, traffic in open_page(browser_context):
            tab.goto(f"{later.url}/p/{path}")
            expect(tab.locator("h1")).to_have_text("Answer to a SPARQL query")
            expect(tab.locator(".pinned")).to_contain_text(first.id)
            pinned = tab.locator("table.pinned-answer tbody tr")
            expect(pinned).to_have_count(3)
            expect(tab.locator("table.pinned-answer")).to_contain_text("Sofia Municipality")
            expect(tab.locator("table.pinned-answer")).not_to_contain_text(SOFIA_LABEL)
            offer = tab.locator("#compare-latest")
            expect(offer).to_have_text("Run on the latest release")
            expect(tab.locator("p.compare")).to_contain_text(third.id)
            tab.screenshot(path=str(shots / "cite-permalink.png"), full_page=True)
            offer.click()
            expect(tab.locator(".difference")).to_contain_text("+1 row(s) added, −1 row(s) removed, 2 unchanged")
            expect(tab.locator("table.rows-added")).to_contain_text(SOFIA_LABEL)
            expect(tab.locator("table.rows-removed")).to_contain_text("Sofia Municipality")
            expect(tab.locator("table.rows-removed")).not_to_contain_text(SOFIA_LABEL)
            tab.screenshot(path=str(shots / "cite-compared.png"), full_page=True)
            # On a phone, neither the citation nor the changes page scrolls sideways (wide tables scroll in their box).
            tab.set_viewport_size({"width": 360, "height": 740})
            for path_here, name in ((f"/p/{path}/latest", "cite-compared"), (f"/releases/{third.folder.name}/changes", "changes")):
                tab.goto(later.url + path_here)
                widths = tab.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
                tab.screenshot(path=str(shots / f"phone-{name}-360.png"), full_page=True)
                assert widths[0] <= widths[1], f"{path_here} is {widths[0]} px wide on a {widths[1]} px phone"
            expect(tab.locator(".changelog")).to_contain_text("Security in Public Spaces start corrected from 2018-12 to 2018-11-14")
            assert traffic.failures == []


def test_cite_a_network_view_pins_its_filters(browser_context: BrowserContext, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    build_version(tmp_path, tmp_path / "build", 2)
    with start_server(tmp_path / "build") as server:
        for tab, traffic in open_page(browser_context):
            tab.goto(server.url + "/network?kind=partnerships&as_of=2019-06-30")
            tab.wait_for_selector("#network-canvas canvas", timeout=30_000)
            tab.locator(".cite-box .cite-button").click()
            link = tab.locator(".cite-box .cite-link")
            expect(link).to_be_visible()
            tab.goto(link.get_attribute("href") or "")
            expect(tab.locator("h1")).to_have_text("Partner network (partnerships)")
            expect(tab.locator("ul.parameters")).to_contain_text("as_of = 2019-06-30")
            view = tab.locator("a.open-view").get_attribute("href") or ""
            assert view.startswith(server.url + "/network?") and "kind=partnerships" in view and "as_of=2019-06-30" in view
            assert tab.locator("table.pinned-answer tbody tr").count() > 0
            assert traffic.failures == []
