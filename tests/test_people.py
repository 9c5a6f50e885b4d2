"""For people, not only for RDF experts (issue #12): the home page orients (counts in words that
agree with the list pages, a search box that works without JavaScript), and search finds things by
several words across labels and context (place, dates, partnership), all over the real build.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from flask.testing import FlaskClient

BROWSER = "text/html,application/xhtml+xml"
LISTS = ("partnerships", "organisations", "places", "events")


class _Page(HTMLParser):
    """The bits of a page these tests read: home counts, list-page rows, forms, search results."""

    def __init__(self) -> None:
        super().__init__()
        self.counts: dict[str, int] = {}
        self.rows = 0
        self.forms: list[dict[str, str | None]] = []
        self.inputs: list[dict[str, str | None]] = []
        self.results: list[dict[str, str | None]] = []
        self.text: list[str] = []
        self._in_index = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "li" and a.get("data-list"):
            self.counts[str(a["data-list"])] = int(str(a["data-count"]))
        if tag == "table" and "index" in (a.get("class") or ""):
            self._in_index = True
        if tag == "tr" and self._in_index:
            self.rows += 1
        if tag == "form":
            self.forms.append(a)
        if tag == "input":
            self.inputs.append(a)
        if tag == "li" and a.get("data-iri"):
            self.results.append(a)

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self._in_index = False

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _page(client: FlaskClient, path: str, **query: str) -> _Page:
    response = client.get(path, query_string=query, headers={"Accept": BROWSER})
    assert response.status_code == 200 and response.mimetype == "text/html"
    page = _Page()
    page.feed(response.get_data(as_text=True))
    return page


# ---------------------------------------------------------------- the home page


@pytest.mark.parametrize("name", LISTS)
def test_home_counts_agree_with_the_list_pages(client: FlaskClient, name: str) -> None:
    home = _page(client, "/")
    listed = _page(client, f"/{name}")
    twin = client.get("/index.json").get_json()
    counted = {item["name"]: item for item in twin["lists"]}
    assert home.counts[name] == listed.rows == counted[name]["count"]
    assert client.get(f"/{name}.json").get_json()["count"] == listed.rows
    assert sum(counted[name]["includes"].values()) == listed.rows


def test_home_counts_are_worded_for_people(client: FlaskClient) -> None:
    home = _page(client, "/")
    text = " ".join("".join(home.text).split())
    for raw in ("named_graphs", "quads", "triples:"):
        assert raw not in text
    assert "20 partnerships" in text and "262 organisations" in text
    twin = client.get("/index.json").get_json()
    words = {item["name"]: item["text"] for item in twin["lists"]}
    assert words["events"] == f"{twin['lists'][3]['count']} events and milestones"
    assert re.search(r"\d+ cities, \d+ countries", text), "the places line says what it mixes"
    assert twin["counts"]["partnerships"] == 20, "the raw build counts stay in the JSON twin"


def test_home_has_a_search_box_that_needs_no_javascript(client: FlaskClient) -> None:
    home = _page(client, "/")
    assert any(str(form.get("action", "")).endswith("search") and (form.get("method") or "get").lower() == "get" for form in home.forms)
    assert any(field.get("name") == "q" for field in home.inputs)
