"""A person browsing the resource pages in a real headless Chromium: from the front page to the
Digital Transition partnership, to Sofia, to the June 2017 meeting and its panels, then in Bulgarian.

Each step saves a screenshot for a person to look at. Under CI=true a missing browser or Playwright
fails the run; elsewhere the test skips with the reason.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from tests.browser import chromium_context, screenshot_dir

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext


@pytest.fixture(scope="module")
def browser_context(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrowserContext]:
    yield from chromium_context(tmp_path_factory)


def test_from_the_front_page_to_the_sofia_meeting_and_into_bulgarian(browser_context: BrowserContext, live_server: str) -> None:
    shots = screenshot_dir()
    page = browser_context.new_page()
    foreign: list[str] = []
    page.on("request", lambda request: foreign.append(request.url) if not request.url.startswith(live_server) else None)

    page.goto(live_server + "/")
    page.click("header.site nav >> text=Partnerships")
    page.wait_for_url("**/partnerships")
    page.screenshot(path=str(shots / "ld-1-partnerships.png"), full_page=True)

    page.click("text=Partnership on Digital Transition")
    page.wait_for_url("**/doc/partnership/digital-transition")
    assert page.locator("h1").inner_text() == "Partnership on Digital Transition"
    assert page.locator("#members").is_visible() and page.locator("#events").is_visible()
    page.screenshot(path=str(shots / "ld-2-digital-transition.png"), full_page=True)

    page.click("#members >> text=Sofia Municipality")
    page.wait_for_url("**/doc/organisation/sofia-municipality")
    page.click("#outgoing >> a[href$='/doc/place/sofia']")
    page.wait_for_url("**/doc/place/sofia")
    assert page.locator("h1").inner_text() == "Sofia"
    page.screenshot(path=str(shots / "ld-3-sofia.png"), full_page=True)

    page.click("#events >> a[href$='/doc/event/dt-2nd-sofia-2017']")
    page.wait_for_url("**/doc/event/dt-2nd-sofia-2017")
    panels = page.locator("#outgoing tr", has_text="panels")
    assert panels.locator("a").count() >= 2, "the meeting's panels are listed"
    page.screenshot(path=str(shots / "ld-4-sofia-meeting-2017.png"), full_page=True)

    first_panel = panels.locator("a").first
    first_panel.click()
    page.wait_for_url("**/doc/event/**")
    page.screenshot(path=str(shots / "ld-5-panel.png"), full_page=True)
    page.go_back()

    page.click(".langswitch >> [data-lang='bg']")
    page.wait_for_url("**lang=bg")
    heading = page.locator("h1").inner_text()
    assert any("\u0400" <= c <= "\u04ff" for c in heading), f"a Bulgarian heading, not {heading!r}"
    assert page.locator("#outgoing h2").inner_text() == "Какво казва графът"
    page.screenshot(path=str(shots / "ld-6-sofia-meeting-bg.png"), full_page=True)
    assert not foreign, f"the pages fetched other hosts: {foreign}"
