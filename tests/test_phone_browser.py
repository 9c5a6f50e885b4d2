"""Every page kind on a phone (360x740) in a real headless Chromium: no sideways scroll of the page
(wide tables scroll in their own box), a compact header, a skip link to the content as the first Tab stop;
and the query editor's line numbers and tokens readable (WCAG AA contrast, 4.5:1).

Each page kind is saved as a screenshot at phone and desktop width for a person to look at. Under CI=true
a missing browser, Playwright or vendored file fails the run; elsewhere the test skips with the reason.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from graph.config import PROJECT_ROOT
from tests.browser import chromium_context, screenshot_dir
from tests.page_kinds import PAGE_KINDS, release_path
from webapp.wording import LAYOUT

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Page

VENDOR = PROJECT_ROOT / "webapp" / "static" / "vendor"
VENDORED = {
    "the vendored YASGUI": VENDOR / "yasgui" / "yasgui.min.js",
    "the vendored Cytoscape.js": VENDOR / "cytoscape" / "cytoscape.min.js",
    "the vendored d3-geo": VENDOR / "map" / "d3-geo.min.js",
}
PHONE = (360, 740)
DESKTOP = (1280, 900)
# The header may take at most this share of a phone screen's height.
HEADER_SHARE = 0.12

# Every kind of page, with what shows it has finished drawing (a selector), if it draws in the browser.
PAGES = PAGE_KINDS
LANGUAGES = ("en", "bg")
# WCAG 2.2's minimum target size (2.5.8, AA): 24 by 24 CSS pixels for a control that is not a link in a sentence.
TAP = 24
# The controls a thumb aims at: buttons, fields, menus, and links that stand alone (navigation, switches);
# links inside running text and table cells are exempt (WCAG's inline exception).
TARGETS_JS = """(min) => Array.from(document.querySelectorAll(
    'button, select, input:not([type=hidden]), summary, header.site a, nav.langswitch a, .map-zoom button'))
  .filter((el) => el.getClientRects().length && getComputedStyle(el).visibility !== 'hidden' && !el.closest('[hidden], .skip-link, .CodeMirror, .yasr, .yasqe'))
  .map((el) => { const box = (el.type === 'checkbox' && el.closest('label') || el).getBoundingClientRect(); return {el: el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + '.' + (el.getAttribute('class') || '') + ' ' + (el.textContent || el.value || '').trim().slice(0, 20), w: Math.round(box.width), h: Math.round(box.height)}; })
  .filter((t) => t.w < min || t.h < min)"""


# Relative luminance and contrast ratio (WCAG 2.x), computed in the page from computed colours; the
# background is the given element's (the gutter is a sibling layer behind the line numbers), else the first
# ancestor's that is not transparent.
CONTRAST_JS = """
([selector, under]) => {
  const parse = (c) => (c.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const background = (el) => {
    for (; el; el = el.parentElement) {
      const c = parse(getComputedStyle(el).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] > 0)) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  return Array.from(document.querySelectorAll(selector)).filter((el) => el.textContent.trim()).map((el) => {
    const fg = lum(parse(getComputedStyle(el).color).slice(0, 3));
    const bg = lum(background(under ? document.querySelector(under) : el));
    return {cls: el.className, text: el.textContent.trim().slice(0, 30), color: getComputedStyle(el).color,
            ratio: (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05)};
  });
}
"""


@pytest.fixture(scope="module")
def browser_context(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrowserContext]:
    yield from chromium_context(tmp_path_factory, vendored=VENDORED, viewport=PHONE)


@pytest.fixture
def page(browser_context: BrowserContext) -> Iterator[Page]:
    page = browser_context.new_page()
    yield page
    page.close()


def load(page: Page, url: str, ready: str | None) -> None:
    page.goto(url)
    page.wait_for_load_state("networkidle")
    if ready:
        page.wait_for_selector(ready, timeout=20_000)


def in_language(path: str, lang: str) -> str:
    return path + ("&" if "?" in path else "?") + f"lang={lang}"


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("kind", PAGES)
def test_a_page_fits_a_phone_with_a_compact_header(page: Page, live_server: str, release_dir: Path, kind: str, lang: str) -> None:
    path, ready = PAGES[kind]
    path = release_path(path, release_dir)  # a page about the served release: its folder under releases/
    url = live_server + in_language(path, lang)
    shots = screenshot_dir()
    page.set_viewport_size({"width": DESKTOP[0], "height": DESKTOP[1]})
    load(page, url, ready)
    assert page.evaluate("() => document.documentElement.lang") == lang
    page.screenshot(path=str(shots / f"phone-{kind}-{lang}-desktop.png"), full_page=True)

    page.set_viewport_size({"width": PHONE[0], "height": PHONE[1]})
    load(page, url, ready)
    page.screenshot(path=str(shots / f"phone-{kind}-{lang}-360.png"), full_page=True)
    widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    if widths[0] > widths[1]:
        culprits = page.evaluate(
            """() => Array.from(document.querySelectorAll('body *')).filter((el) => el.getBoundingClientRect().right > innerWidth + 0.5)
                 .filter((el) => !el.closest('.table-scroll, .metrics-wrap, nav.site-nav, pre'))
                 .slice(0, 8).map((el) => el.tagName + '.' + el.className + ' ' + Math.round(el.getBoundingClientRect().right))"""
        )
        pytest.fail(f"{path} is {widths[0]} px wide at {widths[1]} px: {culprits}")
    header = page.locator("header.site").bounding_box()
    assert header is not None
    assert header["height"] <= HEADER_SHARE * PHONE[1], f"the header is {header['height']} px high on a {PHONE[1]} px screen"
    small = page.evaluate(TARGETS_JS, TAP)
    assert not small, f"{path}: controls smaller than {TAP}x{TAP} px to a thumb: {small[:8]}"


@pytest.mark.parametrize(("kind", "lang"), [("home", "en"), ("sparql", "en"), ("partnership", "en"), ("not-found", "en"), ("network", "bg"), ("error", "bg")])
def test_the_skip_link_is_the_first_stop_and_jumps_to_the_content(page: Page, live_server: str, kind: str, lang: str) -> None:
    path, ready = PAGES[kind]
    load(page, live_server + in_language(path, lang), ready)
    page.keyboard.press("Tab")
    focused = page.evaluate("() => [document.activeElement.className, document.activeElement.textContent.trim()]")
    assert focused == ["skip-link", LAYOUT[lang]["skip"]]
    box = page.locator(".skip-link").bounding_box()
    assert box is not None and box["y"] >= 0 and box["height"] > 10, "the skip link shows when focused"
    page.screenshot(path=str(screenshot_dir() / f"phone-skip-link-{kind}-{lang}.png"))
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.closest('main#content') !== null"), "focus moved into <main id=content>"
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.closest('main#content') !== null"), "the next Tab stays in the content"


def test_the_query_editor_text_has_aa_contrast(page: Page, live_server: str) -> None:
    page.set_viewport_size({"width": DESKTOP[0], "height": DESKTOP[1]})
    load(page, live_server + "/sparql", ".CodeMirror")
    numbers = page.evaluate(CONTRAST_JS, [".CodeMirror-linenumber", ".CodeMirror-gutters"])
    tokens = page.evaluate(CONTRAST_JS, [".CodeMirror-line span[class^='cm-'], .CodeMirror-line span[class*=' cm-']", None])
    classes = {token["cls"] for token in tokens}
    assert numbers and "cm-keyword" in classes, f"the default query shows line numbers and keywords: {classes}"
    assert {"cm-string-2", "cm-variable-3"} <= classes, f"and prefixes and IRIs: {classes}"
    low = [item for item in numbers + tokens if item["ratio"] < 4.5]
    assert not low, f"below 4.5:1: {sorted({(i['cls'], i['color'], round(i['ratio'], 2)) for i in low})}"
