"""A person browsing the resource pages in a real headless Chromium: from the front page to the
Digital Transition partnership, to Sofia, to the June 2017 meeting and its panels, then in Bulgarian.

Each step saves a screenshot for a person to look at. Under CI=true a missing browser or Playwright
fails the run; elsewhere the test skips with the reason.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from graph.config import PROJECT_ROOT

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext

CHROMIUM = Path(os.environ.get("UAEU_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _missing() -> list[str]:
    missing = []
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("the Python package playwright (pip install -e '.[test]')")
    if not CHROMIUM.exists():
        missing.append(f"Chromium at {CHROMIUM} (apt-get install chromium)")
    return missing


@pytest.fixture(scope="module")
def browser_context(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrowserContext]:
    if missing := _missing():
        reason = "browser tests need " + "; ".join(missing)
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile-ld")),
            executable_path=str(CHROMIUM),
            args=CHROMIUM_ARGS,
            headless=True,
            viewport={"width": 1280, "height": 900},
        )
        yield context
        context.close()


def test_from_the_front_page_to_the_sofia_meeting_and_into_bulgarian(browser_context: BrowserContext, live_server: str) -> None:
    shots = Path(os.environ.get("UAEU_TEST_OUTPUT") or PROJECT_ROOT / "test-output") / "browser"
    shots.mkdir(parents=True, exist_ok=True)
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
