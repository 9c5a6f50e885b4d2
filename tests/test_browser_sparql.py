"""The query editor on /sparql in a real headless Chromium (Debian's), driven by Playwright.

A researcher picks a gallery question, sees the answer as a table, sorts it, shares the permalink;
and the page never talks to any host but the server it came from. Under CI=true a missing browser,
Playwright or front-end asset fails the run; elsewhere the tests skip with the reason.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from graph.config import PROJECT_ROOT
from graph.queries import examples, gallery
from tests.browser import Traffic, chromium_context, open_page, screenshot_dir

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Page

YASGUI = PROJECT_ROOT / "webapp" / "static" / "vendor" / "yasgui" / "yasgui.min.js"
COORDINATORS = "01-partnership-coordinators"
ACTION_PLAN = "13-action-plan"


@pytest.fixture(scope="module")
def browser_context(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrowserContext]:
    yield from chromium_context(tmp_path_factory, vendored={"the vendored YASGUI": YASGUI})


@pytest.fixture(scope="module")
def shots() -> Path:
    return screenshot_dir()


@pytest.fixture
def page(browser_context: BrowserContext) -> Iterator[tuple[Page, Traffic]]:
    yield from open_page(browser_context)


def _column(page: Page, title: str) -> list[str]:
    """The texts of one column of YASR's result table, in display order."""
    titles = page.locator(".yasr table.dataTable thead th .dt-column-title").all_inner_texts()
    index = titles.index(title) + 1
    return [t.strip() for t in page.locator(f".yasr table.dataTable tbody tr td:nth-child({index})").all_inner_texts()]


def _only_loopback(traffic: Traffic) -> None:
    assert traffic.hosts() == {"127.0.0.1"}, traffic.requests
    assert traffic.failures == []


def test_gallery_question_runs_and_sorts(page: tuple[Page, Traffic], live_server: str, shots: Path) -> None:
    from playwright.sync_api import expect

    tab, traffic = page
    tab.goto(live_server + "/sparql")
    expect(tab.locator(".yasqe .CodeMirror")).to_be_visible()
    expect(tab.locator("#query-form")).to_be_hidden()
    # The gallery link reads as the question about the default value, by its label.
    question = examples()[COORDINATORS].ask("en", {"partnership": "Digital Transition"})
    assert question.startswith("Who coordinates the Digital Transition partnership")
    tab.get_by_role("link", name=question).click()
    rows = tab.locator(".yasr table.dataTable tbody tr")
    expect(rows).to_have_count(3)
    # Plain values by default (the typed RDF form is one click away: test_editor_views_browser.py).
    assert _column(tab, "name") == ["City of Oulu", "Estonia (national authorities)", "Sofia Municipality"]
    assert _column(tab, "country") == ["FI", "EE", "BG"]
    tab.screenshot(path=str(shots / "sparql-gallery-coordinators.png"), full_page=True)

    posts = [(url, headers) for method, url, headers in traffic.requests if method == "POST"]
    assert [url for url, _ in posts] == [live_server + "/sparql"]  # the gallery link opened ?example=, which ran once
    assert posts[0][1]["accept"].startswith("application/sparql-results+json")

    header = tab.locator(".yasr table.dataTable thead th", has_text="country")
    header.click()
    expect(rows.first).to_contain_text("BG")
    assert _column(tab, "country") == ["BG", "EE", "FI"]
    header.click()
    expect(rows.first).to_contain_text("FI")
    assert _column(tab, "country") == ["FI", "EE", "BG"]
    tab.screenshot(path=str(shots / "sparql-sorted-by-country.png"), full_page=True)

    # The address bar and the permalink carry the question and its parameter; the CSV link asks our endpoint for CSV.
    query = next(item["query"] for item in gallery() if item["name"] == COORDINATORS)
    assert urllib.parse.parse_qs(urllib.parse.urlsplit(tab.url).query) == {
        "example": [COORDINATORS],
        "partnership": ["https://w3id.org/uaeu/id/partnership/digital-transition"],
    }
    # Our IRIs in the table open here, not on w3id.org.
    iri = tab.locator(".yasr a.iri", has_text="id:organisation/sofia-municipality")
    iri.hover()
    tab.mouse.down()
    tab.mouse.up()
    assert iri.get_attribute("href") == "/id/organisation/sofia-municipality"
    csv_href = tab.locator("#csv-link").get_attribute("href")
    assert urllib.parse.parse_qs(urllib.parse.urlsplit(csv_href).query) == {"format": ["csv"], "query": [query]}
    _only_loopback(traffic)


def test_permalink_loads_and_runs_the_query(page: tuple[Page, Traffic], live_server: str, shots: Path) -> None:
    from playwright.sync_api import expect

    tab, traffic = page
    query = next(item["query"] for item in gallery() if item["name"] == ACTION_PLAN)
    tab.goto(live_server + "/sparql?" + urllib.parse.urlencode({"query": query}))
    expect(tab.locator(".yasr table.dataTable tbody tr").first).to_be_visible()
    titles = _column(tab, "title")
    assert any("Digital Neighbourhood Instrument" in t for t in titles), titles
    editor_text = tab.evaluate("() => document.querySelector('.CodeMirror').CodeMirror.getValue()")
    assert editor_text == query
    assert [method for method, _, _ in traffic.requests].count("POST") == 1
    tab.screenshot(path=str(shots / "sparql-permalink-action-plan.png"), full_page=True)
    _only_loopback(traffic)


def test_our_prefixes_are_offered_while_typing(page: tuple[Page, Traffic], live_server: str) -> None:
    """The prefix autocompleter knows `uaeu:` (ours, not only the bundled list) without asking prefix.cc."""
    from playwright.sync_api import expect

    tab, traffic = page
    tab.goto(live_server + "/sparql")
    tab.locator(".CodeMirror").click()
    tab.keyboard.press("Control+Home")
    tab.keyboard.press("Enter")
    tab.keyboard.press("ArrowUp")
    tab.keyboard.type("PREFIX uae", delay=50)
    expect(tab.locator(".CodeMirror-hints")).to_contain_text("uaeu: <https://w3id.org/uaeu/ontology#>")
    _only_loopback(traffic)


def test_without_scripts_the_form_and_gallery_links_work(browser_context: BrowserContext, live_server: str) -> None:
    """With no script running (JS off, or assets missing), the gallery is plain permalinks and the form runs queries."""
    from playwright.sync_api import expect

    page = browser_context.new_page()
    page.route("**/*.js", lambda route: route.abort())
    page.goto(live_server + "/sparql")
    expect(page.locator("#query-form")).to_be_visible()
    links = page.locator(".gallery a[data-name]")
    expect(links).to_have_count(len(gallery()))
    href = links.first.get_attribute("href")
    assert href is not None
    assert urllib.parse.parse_qs(urllib.parse.urlsplit(href).query) == {"example": [gallery()[0]["name"]]}
    page.select_option("#format", "json")
    page.click("#query-form button[type=submit]")
    expect(page.locator("body")).to_contain_text('"vars"')
    assert "Partnership on Digital Transition" in page.locator("body").inner_text()
    page.close()


def test_a_hostile_permalink_is_shown_as_text_not_run_as_script(page: tuple[Page, Traffic], live_server: str) -> None:
    """The ?query= text reaches the page only as escaped JSON/text; the endpoint's syntax error is shown."""
    from playwright.sync_api import expect

    tab, traffic = page
    hostile = "SELECT * WHERE { ?s ?p ?o } </script><script>window.pwned = 1</script><img src=x onerror='window.pwned = 2'>"
    tab.goto(live_server + "/sparql?" + urllib.parse.urlencode({"query": hostile}))
    expect(tab.locator(".yasr")).to_contain_text("SPARQL syntax error")
    assert tab.evaluate("() => window.pwned === undefined")
    assert tab.evaluate("() => document.querySelector('.CodeMirror').CodeMirror.getValue()") == hostile
    assert traffic.hosts() == {"127.0.0.1"}
    assert [f for f in traffic.failures if not f.startswith("400 ")] == []
