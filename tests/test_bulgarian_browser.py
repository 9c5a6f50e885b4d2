"""The Bulgarian interface, checked in a real headless Chromium (Debian's) driven by Playwright.

Issue #12 item 9 ("Bulgarian stops halfway"), checked so it cannot be fooled: the English strings come
from the English side of every table of words in `webapp.wording` (a new string added in English only
fails `test_every_word_has_a_bulgarian_entry`, and a page that shows it fails the page test), and the text
looked at is what a person sees once the page's scripts have run (the network's legend, table and
selection panel, the map's status and list), plus the tooltips, placeholders and accessible names.
The SPARQL editor page is not checked here (its own tests cover its words).

Under CI=true a missing browser, Playwright or front-end asset fails the run; elsewhere it skips.
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from graph.config import PROJECT_ROOT
from tests.browser import Traffic, chromium_context, open_page, screenshot_dir
from tests.page_kinds import PAGE_KINDS, release_path
from webapp.wording import KIND_TITLES, KIND_WORDS, LIST_WORDS, PREDICATES, REPORT_WORDS, WORD_TABLES

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Page

VENDOR = PROJECT_ROOT / "webapp" / "static" / "vendor"
VENDORED = {"the vendored Cytoscape.js": VENDOR / "cytoscape" / "cytoscape.min.js", "the vendored d3-geo": VENDOR / "map" / "d3-geo.min.js"}

# Every page kind but the SPARQL editor, with what shows it has finished drawing (a selector) if it draws
# in the browser, and the script that brings out its other states (a selected node, a date on the slider).
# The editor is left out: its query text and variable names (?partnership, ?role) are SPARQL, not
# interface words, and the gallery's questions are written in English. Its own words are checked in
# Bulgarian by tests/test_editor_views_browser.py::test_bulgarian_words_on_the_editor_page.
PAGES = {kind: page for kind, page in PAGE_KINDS.items() if kind != "sparql"}

# What the browser's scripts show only after a person does something: the network with a node selected
# and a date ticked, the map with a month picked (so their words are checked too).
AFTER = {
    "network": """async () => {
        const net = window.uaeuNetwork;
        document.getElementById('use-date').click();
        await new Promise((ok) => { const t = setInterval(() => { if (!net.loading && net.loads >= 2) { clearInterval(t); ok(); } }, 50); });
        net.select(net.find('sofia-municipality')[0] || net.data.nodes[0].id);
    }""",
    "map": """async () => {
        const box = document.querySelector('.map-use-date');
        box.click();
        await new Promise((ok) => { const t = setInterval(() => { if (document.querySelector('.uaeu-map').dataset.state === 'ready') { clearInterval(t); ok(); } }, 50); });
    }""",
}

# The text a person meets, minus what comes from the graph rather than from the interface: what is rendered
# (text nodes with a box, so hidden elements do not count), the page's title, the words a screen reader or a
# tooltip gives (aria-label, title, placeholder) and the selects' options. Left out as data: code and
# preformatted text (identifiers, Turtle), values from the graph (`.from-graph`: labels, notes, definitions,
# literals, in the data's language; see the `value` macro), links to things in the graph and to data files (their text is a
# label from the data, in whatever language the data has it), text marked as another language (`lang`, as
# HTML asks for a label shown in a language other than the page's), and the country and marker tooltips
# inside the map's picture (country names and partner lists from the data).
VISIBLE_TEXT = """() => {
  const DATA_LINK = /(\\/doc\\/|\\/vocab\\/|\\/id\\/|\\/api\\/|\\.(json|ttl|jsonld|nt|nq|rdf|trig|gz|csv|zip|gexf|graphml)$|SHA256SUMS$)/;
  const page = document.documentElement.lang;
  const isData = (el) => {
    if (el.closest('pre, code, svg a, svg path, .from-graph')) return true;
    const marked = el.closest('[lang]');
    if (marked && marked.getAttribute('lang') !== page) return true;
    const a = el.closest('a[href]');
    return !!(a && (a.origin !== location.origin || DATA_LINK.test(a.pathname)));
  };
  const h1 = document.querySelector('h1');
  const parts = [h1 && isData(h1) ? document.title.replace(h1.textContent.trim(), '') : document.title];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (!el || !node.textContent.trim() || el.closest('script, style, template, noscript, datalist')) continue;
    const inSvg = el.closest('svg');
    if (!inSvg && !el.getClientRects().length) continue;
    if (inSvg && el.closest('[hidden]')) continue;
    if (isData(el)) continue;
    parts.push(node.textContent);
  }
  for (const el of document.querySelectorAll('[aria-label], [title], [placeholder]')) {
    if (el.tagName === 'LINK' || isData(el)) continue;
    for (const name of ['aria-label', 'title', 'placeholder']) {
      // A predicate's CURIE as a tooltip (dct:source) is an identifier, not a word.
      if (el.hasAttribute(name) && !/^[a-z]+:[A-Za-z][\\w-]*$/.test(el.getAttribute(name))) parts.push(el.getAttribute(name));
    }
  }
  for (const option of document.querySelectorAll('select option')) parts.push(option.textContent);
  return parts.join('\\n');
}"""

# Same-site links a Bulgarian page writes: (href, has a download attribute).
LINKS = """() => Array.from(document.querySelectorAll('a[href]:not([hreflang])')).filter((a) => a.origin === location.origin)
    .map((a) => [a.href, a.hasAttribute('download')])"""
# Links that are data, not pages (no language to keep): formats, downloads, APIs, static files.
DATA_LINK = re.compile(r"(\.(json|ttl|jsonld|nt|nq|rdf|trig|gz|csv|zip|gexf|graphml)$|^/api/|^/static/|^/dumps/.+|^/\.well-known/void\.)")


def english_strings() -> dict[str, str]:
    """Every English interface string that differs from its Bulgarian entry, by where it comes from.

    `{placeholders}` split a string into the parts that are shown as written; parts without a letter, or
    of fewer than four characters ("No.", "any"), are too short to tell a word of the interface from data.
    """
    found: dict[str, str] = {}

    def add(where: str, english: str, bulgarian: str) -> None:
        if not english or english == bulgarian:
            return
        for part in re.split(r"\{[a-z_]+\}", english):
            part = part.strip(" .,:;()–-·")
            if len(part) >= 4 and re.search(r"[A-Za-z]{3}", part):
                found.setdefault(part, where)

    for name, table in WORD_TABLES.items():
        for key, english in table["en"].items():
            add(f"{name}[{key}]", english, table["bg"].get(key, ""))
    for name, counts in (("LIST_WORDS", LIST_WORDS), ("KIND_WORDS", KIND_WORDS), ("REPORT_WORDS", REPORT_WORDS)):
        for key, by_lang in counts.items():
            for one, other in zip(by_lang["en"], by_lang["bg"], strict=True):
                add(f"{name}[{key}]", one, other)
    for key, title in KIND_TITLES.items():
        add(f"KIND_TITLES[{key}]", title["en"], title["bg"])
    for cur, (en, bg, en_inverse, bg_inverse) in PREDICATES.items():
        add(f"PREDICATES[{cur}]", en, bg)
        add(f"PREDICATES[{cur}] inverse", en_inverse, bg_inverse)
    return found


ENGLISH = english_strings()


def test_every_word_has_a_bulgarian_entry() -> None:
    """Each key of each table has a non-empty Bulgarian entry (and no Bulgarian key lacks its English)."""
    missing = []
    for name, table in WORD_TABLES.items():
        missing += [f"{name}[{key}]" for key in table["en"] if not (table["bg"].get(key) or "").strip()]
        missing += [f"{name}[{key}] (no English)" for key in table["bg"] if key not in table["en"]]
    for name, counts in (("LIST_WORDS", LIST_WORDS), ("KIND_WORDS", KIND_WORDS), ("REPORT_WORDS", REPORT_WORDS)):
        missing += [f"{name}[{key}]" for key, by_lang in counts.items() if not all(w.strip() for w in by_lang.get("bg", ("", "")))]
    missing += [f"KIND_TITLES[{key}]" for key, title in KIND_TITLES.items() if not title.get("bg", "").strip()]
    missing += [f"PREDICATES[{cur}]" for cur, names in PREDICATES.items() if not names[1] or (names[2] and not names[3])]
    assert not missing, f"no Bulgarian for: {missing}"
    assert len(ENGLISH) > 300, "the English side is read from the tables (the check below has something to look for)"


def test_a_new_english_only_string_would_be_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    """The check is not empty: a key added in English only (it falls back to English) is found missing and shown."""
    from webapp import wording

    monkeypatch.setitem(wording.NETWORK["en"], "brand_new", "A brand new button")
    assert "A brand new button" in english_strings()
    assert not (wording.NETWORK["bg"].get("brand_new") or "").strip()


def english_on(text: str) -> list[str]:
    """The English interface strings found in a page's text (whole words, case as written)."""
    return sorted(f"{english!r} ({where})" for english, where in ENGLISH.items() if re.search(r"(?<![A-Za-z])" + re.escape(english) + r"(?![A-Za-z])", text))


@pytest.fixture(scope="module")
def browser_context(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrowserContext]:
    yield from chromium_context(tmp_path_factory, vendored=VENDORED, viewport=(1280, 900))


@pytest.fixture
def page(browser_context: BrowserContext) -> Iterator[tuple[Page, Traffic]]:
    yield from open_page(browser_context)


def bulgarian(path: str) -> str:
    return path + ("&" if "?" in path else "?") + "lang=bg"


def render(tab: Page, url: str, kind: str) -> None:
    tab.goto(url)
    tab.wait_for_load_state("networkidle")
    ready = PAGES[kind][1]
    if ready:
        tab.wait_for_selector(ready, timeout=30_000)
    if kind == "network":
        tab.wait_for_function("() => window.uaeuNetwork && window.uaeuNetwork.loads >= 1 && !window.uaeuNetwork.loading", timeout=30_000)
    if kind == "map" or kind in ("partnership", "country"):
        tab.wait_for_function("() => Array.from(document.querySelectorAll('.uaeu-map')).every((m) => m.dataset.state === 'ready')", timeout=30_000)
    if kind in AFTER:
        tab.evaluate(AFTER[kind])


@pytest.mark.parametrize("kind", PAGES)
def test_a_bulgarian_page_shows_no_english_interface_text(page: tuple[Page, Traffic], live_server: str, release_dir: Path, kind: str) -> None:
    tab, traffic = page
    render(tab, live_server + bulgarian(release_path(PAGES[kind][0], release_dir)), kind)
    assert tab.evaluate("() => document.documentElement.lang") == "bg"
    text = tab.evaluate(VISIBLE_TEXT)
    assert re.search("[А-Яа-я]{4}", text), "the page is in Bulgarian at all"
    found = english_on(text)
    tab.screenshot(path=str(screenshot_dir() / f"bg-{kind}.png"), full_page=True)
    assert not found, f"{PAGES[kind][0]} in Bulgarian still shows English: {found}"
    expected = {"not-found": 404, "error": 404}.get(kind)
    failures = [f for f in traffic.failures if not (expected and f.startswith(f"{expected} ") and f.endswith(bulgarian(PAGES[kind][0])))]
    assert not failures, failures


@pytest.mark.parametrize("kind", ["home", "search", "partnership", "network", "map", "not-found", "dumps"])
def test_every_link_a_bulgarian_page_writes_keeps_the_language(page: tuple[Page, Traffic], live_server: str, kind: str) -> None:
    """Links to pages carry ?lang=bg (data files, downloads and the API have no language to keep)."""
    tab, _ = page
    render(tab, live_server + bulgarian(PAGES[kind][0]), kind)
    lost = []
    for href, download in tab.evaluate(LINKS):
        parts = urllib.parse.urlsplit(href)
        if download or DATA_LINK.search(parts.path) or (parts.path == urllib.parse.urlsplit(tab.url).path and not parts.query):
            continue  # a file, or a #fragment of this very page
        if urllib.parse.parse_qs(parts.query).get("lang") != ["bg"]:
            lost.append(href)
    assert not lost, f"links that drop the language: {sorted(set(lost))[:10]}"


def test_the_choice_is_remembered_and_the_other_language_is_one_click_away(page: tuple[Page, Traffic], live_server: str) -> None:
    tab, _ = page
    tab.goto(live_server + "/?lang=bg")
    tab.goto(live_server + "/network")  # no ?lang=: the cookie remembers
    tab.wait_for_function("() => window.uaeuNetwork && window.uaeuNetwork.loads >= 1 && !window.uaeuNetwork.loading", timeout=30_000)
    assert tab.evaluate("() => document.documentElement.lang") == "bg"
    assert tab.locator("h1").inner_text() == WORD_TABLES["NETWORK"]["bg"]["title"]
    tab.click("header.site [data-ui-lang='en']")
    tab.wait_for_url("**lang=en")
    assert tab.evaluate("() => document.documentElement.lang") == "en"
    assert tab.locator("h1").inner_text() == WORD_TABLES["NETWORK"]["en"]["title"]
    tab.goto(live_server + "/map")
    assert tab.evaluate("() => document.documentElement.lang") == "en", "switching back is remembered too"


def test_a_search_keeps_its_words_when_the_language_changes(page: tuple[Page, Traffic], live_server: str) -> None:
    tab, _ = page
    tab.goto(live_server + "/search?q=sofia+2017&lang=en")
    tab.click("header.site [data-ui-lang='bg']")
    tab.wait_for_url("**lang=bg")
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(tab.url).query)
    assert query == {"q": ["sofia 2017"], "lang": ["bg"]}
    assert tab.locator("input[name=q]").first.input_value() == "sofia 2017"
    tab.fill("input[name=q]", "юни 2017")
    tab.press("input[name=q]", "Enter")
    tab.wait_for_url("**q=*")
    assert urllib.parse.parse_qs(urllib.parse.urlsplit(tab.url).query).get("lang") == ["bg"], "the search form sends the language"
