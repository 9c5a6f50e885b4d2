"""The gallery's questions as forms on /sparql, in Debian's Chromium driven by Playwright.

A researcher changes what a question asks about by typing a name (any language) and picking it
from the suggestions with the keyboard; the query's VALUES line follows in view, the answer is the
chosen city's, the address carries the parameter, and a reload gives the same. Under CI=true a
missing browser, Playwright or front-end asset fails the run; elsewhere the tests skip with the reason.
"""

from __future__ import annotations

import contextlib
import json
import re
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from graph.config import PROJECT_ROOT
from tests.browser import Traffic, chromium_context, open_page, screenshot_dir

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Page

YASGUI = PROJECT_ROOT / "webapp" / "static" / "vendor" / "yasgui" / "yasgui.min.js"
CITY = "06-partnerships-of-a-city"
ID = "https://w3id.org/uaeu/id/"


@pytest.fixture(scope="module")
def browser_context(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrowserContext]:
    yield from chromium_context(tmp_path_factory, vendored={"the vendored YASGUI": YASGUI})


@pytest.fixture
def page(browser_context: BrowserContext) -> Iterator[tuple[Page, Traffic]]:
    yield from open_page(browser_context)


def _editor_text(tab: Page) -> str:
    return str(tab.evaluate("() => document.querySelector('.CodeMirror').CodeMirror.getValue()"))


def _cells(tab: Page, column: str) -> list[str]:
    titles = tab.locator(".yasr table.dataTable thead th .dt-column-title").all_inner_texts()
    index = titles.index(column) + 1
    return [t.strip() for t in tab.locator(f".yasr table.dataTable tbody tr td:nth-child({index})").all_inner_texts()]


def test_choose_a_city_with_the_keyboard_only(page: tuple[Page, Traffic], live_server: str) -> None:
    from playwright.sync_api import expect

    tab, traffic = page
    tab.goto(f"{live_server}/sparql?example={CITY}")
    field = tab.get_by_role("combobox", name="City")
    expect(field).to_have_value("Sofia")
    expect(tab.locator(".yasr table.dataTable tbody tr").first).to_be_visible()
    assert set(_cells(tab, "city")) == {"id:place/sofia"}
    # The VALUES line is on the line after `WHERE {`, in view without scrolling the editor.
    lines = _editor_text(tab).splitlines()
    where = next(i for i, line in enumerate(lines) if line.rstrip().endswith("WHERE {"))
    assert lines[where + 1] == f"  VALUES ?city {{ <{ID}place/sofia> }}"
    expect(tab.locator(".CodeMirror-code .values-line")).to_be_in_viewport()

    # Keyboard only: Tab from the page top to the field, type, arrow down, Enter.
    tab.locator("body").focus()
    for _ in range(40):
        tab.keyboard.press("Tab")
        if tab.evaluate("() => document.activeElement && document.activeElement.id") == "param-city":
            break
    assert tab.evaluate("() => document.activeElement.id") == "param-city"
    tab.keyboard.press("Control+A")
    tab.keyboard.type("talli", delay=30)
    options = tab.locator("#param-city-list [role=option]")
    expect(options.first).to_contain_text("Tallinn")
    expect(field).to_have_attribute("aria-expanded", "true")
    active = field.get_attribute("aria-activedescendant")
    assert active and tab.locator(f"#{active}").get_attribute("aria-selected") == "true"
    tab.keyboard.press("ArrowDown")
    tab.keyboard.press("ArrowUp")
    tab.keyboard.press("Enter")
    expect(field).to_have_value("Tallinn")
    expect(field).to_have_attribute("aria-expanded", "false")
    expect(tab.locator(".yasr table.dataTable tbody tr td", has_text="id:place/tallinn").first).to_be_visible()
    cities = set(_cells(tab, "city"))
    assert cities == {"id:place/tallinn"}, cities
    assert f"VALUES ?city {{ <{ID}place/tallinn> }}" in _editor_text(tab)
    params = urllib.parse.parse_qs(urllib.parse.urlsplit(tab.url).query)
    assert params == {"example": [CITY], "city": [ID + "place/tallinn"]}
    assert tab.locator("#permalink").get_attribute("href") == urllib.parse.urlsplit(tab.url)._replace(scheme="", netloc="").geturl()

    # A reload restores the form, the query and the answer.
    tab.reload()
    expect(field).to_have_value("Tallinn")
    expect(tab.locator(".yasr table.dataTable tbody tr").first).to_be_visible()
    assert set(_cells(tab, "city")) == {"id:place/tallinn"}
    tab.screenshot(path=str(screenshot_dir() / "editor-form-tallinn.png"), full_page=False)

    # "Cite" pins the query on screen (the address bar names the question, not the text).
    tab.locator(".cite-box .cite-button").click()
    link = tab.locator(".cite-box .cite-link")
    expect(link).to_be_visible()
    pinned = tab.request.get((link.get_attribute("href") or "") + ".json").json()
    assert f"VALUES ?city {{ <{ID}place/tallinn> }}" in json.dumps(pinned), pinned
    assert f"<{ID}place/sofia>" not in json.dumps(pinned)
    assert traffic.hosts() == {"127.0.0.1"}
    assert traffic.failures == []


def test_a_cyrillic_name_finds_a_suggestion(page: tuple[Page, Traffic], live_server: str) -> None:
    from playwright.sync_api import expect

    tab, _ = page
    tab.goto(f"{live_server}/sparql?example={CITY}")
    field = tab.get_by_role("combobox", name="City")
    field.fill("")
    field.press_sequentially("Софи", delay=30)
    option = tab.locator("#param-city-list [role=option]").first
    expect(option).to_be_visible()
    expect(option).to_contain_text("София")  # the label that matched, with the thing's type
    expect(option.locator(".s-meta")).not_to_be_empty()
    tab.keyboard.press("Escape")
    expect(field).to_have_attribute("aria-expanded", "false")
    field.press_sequentially("", delay=0)
    field.fill("")
    field.press_sequentially("Софи", delay=30)
    expect(option).to_be_visible()
    tab.keyboard.press("Enter")
    expect(field).to_have_value("София")
    expect(tab.locator(".yasr table.dataTable tbody tr").first).to_be_visible()
    assert f"VALUES ?city {{ <{ID}place/sofia> }}" in _editor_text(tab)


def test_editing_the_values_line_moves_the_form_and_removing_it_says_so(page: tuple[Page, Traffic], live_server: str) -> None:
    from playwright.sync_api import expect

    tab, _ = page
    tab.goto(f"{live_server}/sparql?example={CITY}")
    field = tab.get_by_role("combobox", name="City")
    expect(field).to_have_value("Sofia")
    text = _editor_text(tab)
    tab.evaluate("(t) => document.querySelector('.CodeMirror').CodeMirror.setValue(t)", text.replace("place/sofia>", "place/riga>"))
    expect(field).to_have_value(ID + "place/riga")
    expect(tab.locator("#form-status")).to_contain_text("holds these values")
    # The person removes the VALUES line: the form says it no longer matches, and never writes over the text.
    edited = "\n".join(line for line in _editor_text(tab).splitlines() if "VALUES" not in line)
    tab.evaluate("(t) => document.querySelector('.CodeMirror').CodeMirror.setValue(t)", edited)
    expect(tab.locator("#form-status")).to_contain_text("no longer")
    expect(tab.locator("#example-form")).to_have_class("example-form mismatch")
    field.fill("")
    field.press_sequentially("Tallinn", delay=20)
    expect(tab.locator("#param-city-list [role=option]").first).to_contain_text("Tallinn")
    field.press("Enter")
    expect(field).to_have_value("Tallinn")
    expect(tab.locator("#form-status")).to_contain_text("no longer")
    assert "VALUES" not in _editor_text(tab)
    tab.locator("#form-restore").click()
    assert "  VALUES ?city" in _editor_text(tab)
    expect(tab.locator("#form-status")).to_contain_text("holds these values")


def test_two_parameters_share_one_values_line(page: tuple[Page, Traffic], live_server: str) -> None:
    from playwright.sync_api import expect

    tab, _ = page
    tab.goto(f"{live_server}/sparql?example=05-membership-sources&organisation={urllib.parse.quote(ID + 'organisation/sofia-municipality')}")
    expect(tab.get_by_role("combobox", name="Organisation")).to_have_value("Sofia Municipality")
    partnership = tab.get_by_role("combobox", name="Partnership")
    expect(partnership).not_to_have_value("")
    partnership.fill("")
    partnership.press_sequentially("urban mobility", delay=20)
    expect(tab.locator("#param-partnership-list [role=option]").first).to_be_visible()
    partnership.press("Enter")
    expect(tab.locator("#form-status")).to_contain_text("holds these values")
    chosen = tab.locator("#param-partnership-iri a").inner_text()
    assert chosen.startswith(ID) and chosen != ID + "partnership/digital-transition"
    assert f"VALUES (?organisation ?partnership) {{ (<{ID}organisation/sofia-municipality> <{chosen}>) }}" in _editor_text(tab)
    params = urllib.parse.parse_qs(urllib.parse.urlsplit(tab.url).query)
    assert params["partnership"] == [chosen] and params["organisation"] == [ID + "organisation/sofia-municipality"]


def test_a_typed_iri_is_taken_as_it_is(page: tuple[Page, Traffic], live_server: str) -> None:
    from playwright.sync_api import expect

    tab, _ = page
    tab.goto(f"{live_server}/sparql?example={CITY}")
    field = tab.get_by_role("combobox", name="City")
    expect(field).to_have_value("Sofia")
    field.fill(f"<{ID}place/riga>")
    field.press("Enter")
    expect(field).to_have_value(ID + "place/riga")
    expect(tab.locator(".yasr table.dataTable tbody tr td", has_text="id:place/riga").first).to_be_visible()
    assert f"VALUES ?city {{ <{ID}place/riga> }}" in _editor_text(tab)
    assert urllib.parse.parse_qs(urllib.parse.urlsplit(tab.url).query)["city"] == [ID + "place/riga"]
    # Words that are neither a suggestion picked nor an IRI are not run: the form says why.
    field.fill("no such place at all")
    tab.locator("#form-run").click()
    expect(tab.locator("#form-status")).to_contain_text("Not an IRI")
    assert f"<{ID}place/riga>" in _editor_text(tab)


def test_a_late_answer_to_an_older_search_is_not_shown(page: tuple[Page, Traffic], live_server: str) -> None:
    """Suggestions for "sof" answered after those for "tallinn" never replace them (out-of-order responses)."""
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import Route, expect

    tab, _ = page
    held: list[Route] = []

    def hold_sofia(route: Route) -> None:
        if "q=sof&" in route.request.url + "&" or route.request.url.endswith("q=sof"):
            held.append(route)
        else:
            route.continue_()

    tab.route("**/api/search?*", hold_sofia)
    tab.goto(f"{live_server}/sparql?example={CITY}")
    field = tab.get_by_role("combobox", name="City")
    expect(field).to_have_value("Sofia")
    field.fill("")
    field.press_sequentially("sof", delay=10)
    tab.wait_for_timeout(400)
    assert len(held) == 1
    field.fill("tallinn")
    options = tab.locator("#param-city-list [role=option]")
    expect(options.first).to_contain_text("Tallinn")
    with contextlib.suppress(PlaywrightError):  # an aborted request cannot be continued; either way it must not show
        held[0].continue_()  # the old answer arrives last (or its request was already given up)
    tab.wait_for_timeout(500)
    expect(options.first).to_contain_text("Tallinn")
    assert "Sofia" not in options.all_inner_texts()[0]


def test_without_scripts_the_question_form_asks_again_with_the_iri(browser_context: BrowserContext, live_server: str) -> None:
    from playwright.sync_api import expect

    tab = browser_context.new_page()
    tab.route("**/*.js", lambda route: route.abort())
    tab.goto(f"{live_server}/sparql?example={CITY}")
    field = tab.locator("#param-city")
    expect(field).to_have_value(ID + "place/sofia")
    field.fill(ID + "place/tallinn")
    tab.locator("#form-run").click()
    expect(tab.locator("#query")).to_contain_text(f"VALUES ?city {{ <{ID}place/tallinn> }}")
    assert urllib.parse.parse_qs(urllib.parse.urlsplit(tab.url).query) == {"example": [CITY], "city": [ID + "place/tallinn"]}
    expect(tab.locator("#param-city-iri a")).to_have_attribute("href", re.compile(r"/doc/place/tallinn$"))
    expect(tab.locator("#example-question")).to_have_text("In which partnerships do bodies of Tallinn take part, in which role, and how sure is it?")
    tab.close()


def test_in_bulgarian_the_gallery_and_the_question_follow_the_form(page: tuple[Page, Traffic], live_server: str) -> None:
    """On /sparql?lang=bg the gallery and the question are Bulgarian; picking another city (found by its
    English name) rewords the question with the city's Bulgarian name; editing the VALUES line does too."""
    from playwright.sync_api import expect

    tab, traffic = page
    shots = screenshot_dir()
    tab.goto(f"{live_server}/sparql?lang=bg")
    link = tab.locator(f'.gallery a[data-name="{CITY}"]')
    expect(link).to_have_text("В кои партньорства участват организации от София, с каква роля и колко сигурно е това?")
    expect(link.locator("xpath=following-sibling::span[1]")).to_have_text("Партньорствата на един град")
    expect(tab.locator('.gallery a[data-name="01-partnership-coordinators"]')).to_contain_text("партньорството „Дигитален преход“")
    tab.locator("#gallery").scroll_into_view_if_needed()
    tab.screenshot(path=str(shots / "editor-gallery-bg-list.png"), full_page=False)
    link.click()
    question = tab.locator("#example-question")
    expect(tab.locator("#example-title")).to_have_text("Партньорствата на един град")
    expect(question).to_have_text("В кои партньорства участват организации от София, с каква роля и колко сигурно е това?")
    field = tab.get_by_role("combobox", name="Град")
    expect(field).to_have_value("София")
    expect(tab.locator(".yasr table.dataTable tbody tr").first).to_be_visible()
    tab.screenshot(path=str(shots / "editor-gallery-bg-desktop.png"), full_page=False)
    # YASR's own buttons speak Bulgarian too: download (its title follows the view) and help.
    download, help_link = tab.locator(".yasr .yasr_downloadIcon"), tab.locator(".yasr .yasr_external_ref_btn")
    expect(download).to_have_attribute("title", "Изтегли отговора като CSV")
    expect(download).to_have_attribute("aria-label", "Изтегли отговора")
    expect(help_link).to_have_attribute("title", "Как работи изгледът „Таблица“ (документацията на YASGUI, на друг сайт)")
    tab.get_by_role("tab", name="Суров отговор").click()
    expect(download).to_have_attribute("title", "Изтегли отговора, както го изпрати сървърът")
    expect(help_link).to_have_attribute("aria-label", "Как работи изгледът „Суров отговор“ (документацията на YASGUI, на друг сайт)")
    tab.get_by_role("tab", name="Таблица").click()

    field.fill("")
    field.press_sequentially("talli", delay=30)
    expect(tab.locator("#param-city-list [role=option]").first).to_contain_text("Tallinn")
    field.press("Enter")
    expect(field).to_have_value("Tallinn")  # the label that matched what was typed
    expect(question).to_have_text("В кои партньорства участват организации от Талин, с каква роля и колко сигурно е това?")
    expect(tab.locator(".yasr table.dataTable tbody tr td", has_text="id:place/tallinn").first).to_be_visible()
    assert urllib.parse.parse_qs(urllib.parse.urlsplit(tab.url).query) == {"example": [CITY], "city": [ID + "place/tallinn"], "lang": ["bg"]}

    # The VALUES line edited back to Sofia: the form and the question follow (a value the page has named).
    text = _editor_text(tab).replace(f"<{ID}place/tallinn>", f"<{ID}place/sofia>")
    tab.evaluate("(t) => document.querySelector('.CodeMirror').CodeMirror.setValue(t)", text)
    expect(question).to_have_text("В кои партньорства участват организации от София, с каква роля и колко сигурно е това?")

    # A reload of the permalink (Tallinn) words the question on the server, in Bulgarian.
    tab.goto(f"{live_server}/sparql?example={CITY}&city={urllib.parse.quote(ID + 'place/tallinn', safe='')}&lang=bg")
    expect(question).to_have_text("В кои партньорства участват организации от Талин, с каква роля и колко сигурно е това?")
    expect(tab.locator(".yasr table.dataTable tbody tr").first).to_be_visible()
    tab.set_viewport_size({"width": 360, "height": 780})
    expect(question).to_be_visible()
    width = tab.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 360, f"the page scrolls sideways at 360 px ({width} px)"
    tab.screenshot(path=str(shots / "editor-gallery-bg-360.png"), full_page=False)
    assert traffic.failures == []


def test_a_hostile_name_picked_in_the_form_is_shown_as_text(page: tuple[Page, Traffic], tmp_path: Path) -> None:
    """Sofia Municipality called `<script>alert(1)</script>{city}` in a build: picked in the form, the
    question shows those characters as text; no element is made from them and no script runs."""
    from playwright.sync_api import expect

    from tests.servers import start_server
    from tests.test_gallery_http import EVIL, hostile_build

    tab, _ = page
    dialogs: list[str] = []
    tab.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    oulu = urllib.parse.quote(ID + "organisation/oulu-city", safe="")
    with start_server(hostile_build(tmp_path)) as server:
        tab.goto(f"{server.url}/sparql?example=05-membership-sources&organisation={oulu}&lang=bg")
        question = tab.locator("#example-question")
        expect(question).to_contain_text("че Град Оулу участва")
        field = tab.locator("#param-organisation")
        field.fill("")
        field.press_sequentially("alert", delay=30)
        expect(tab.locator("#param-organisation-list [role=option]").first).to_contain_text("<script>")
        field.press("Enter")
        expect(question).to_contain_text("че " + EVIL + " БГ участва в партньорството „Дигитален преход“")
        assert question.locator("*").count() == 0, "text only, no element"
        expect(tab.locator(".yasr table.dataTable tbody tr").first).to_be_visible()
    assert dialogs == []


def test_bad_parameters_are_refused_plainly(live_server: str) -> None:
    import urllib.error
    import urllib.request

    for query, status, says in (
        ({"example": "../../etc/passwd"}, 404, "no gallery question"),
        ({"example": CITY, "city": "javascript:alert(1)> {"}, 400, "must be an IRI"),
        ({"example": CITY, "city": "x" * 5000}, 400, "at most"),
    ):
        request = urllib.request.Request(f"{live_server}/sparql?{urllib.parse.urlencode(query)}", headers={"Accept": "text/html"})
        with pytest.raises(urllib.error.HTTPError) as caught:
            urllib.request.urlopen(request, timeout=10)
        assert caught.value.code == status
        assert says in caught.value.read().decode()


def test_keyboard_walk_of_the_editor_page(page: tuple[Page, Traffic], live_server: str) -> None:
    """Tab order reaches the form's field, its run button, the editor (and out again), and the view tabs; each shows focus."""
    from playwright.sync_api import expect

    tab, _ = page
    tab.goto(f"{live_server}/sparql?example=08-member-states-by-partnerships")
    expect(tab.locator(".yasr table.dataTable tbody tr").first).to_be_visible()
    tab.locator("body").focus()
    seen: list[str] = []
    for _ in range(60):
        tab.keyboard.press("Tab")
        info = tab.evaluate(
            """() => { const a = document.activeElement; const s = getComputedStyle(a);
                 return [a.id || a.className || a.tagName, a.getAttribute('role') || '', s.outlineStyle, s.outlineWidth]; }"""
        )
        seen.append(f"{info[0]}|{info[1]}")
        if "yasr_btn" in str(info[0]) or info[0] in ("form-run",):
            assert info[2] != "none" and info[3] != "0px", info
        if "yasr_btn" in str(info[0]):
            assert info[1] == "tab", info
            break
    assert any(s.startswith("form-run") for s in seen), seen
    assert any(s.startswith("TEXTAREA") for s in seen), "the editor is reached, and Tab leaves it again"
    assert any("yasr_btn" in s for s in seen), seen
    # Arrow keys move between the enabled views; the chart view draws for this numeric answer.
    assert tab.evaluate("() => document.activeElement.className") == "yasr_btn select_table selected", seen
    assert not any("select_chart" in s for s in seen), "only the selected view is in the Tab order"
    tab.keyboard.press("ArrowRight")
    expect(tab.locator(".result-chart")).to_be_visible()
    chart = tab.locator(".yasr_btnGroup button.select_chart")
    expect(chart).to_have_attribute("aria-selected", "true")
    expect(chart).to_be_focused()
    assert chart.get_attribute("tabindex") == "0"
    assert tab.locator(".yasr_btnGroup button.select_table").get_attribute("tabindex") == "-1"
    tab.keyboard.press("ArrowLeft")
    expect(tab.locator(".yasr table.dataTable")).to_be_visible()
    tab.screenshot(path=str(screenshot_dir() / "editor-keyboard-focus.png"), full_page=False)
