"""For people, not only for RDF experts (issue #12): the home page orients (counts in words that
agree with the list pages, a search box that works without JavaScript), and search finds things by
several words across labels and context (place, dates, partnership), all over the real build.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from flask.testing import FlaskClient

from tests.conftest import ID

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
    twin = client.get("/index.json").get_json()
    assert "20 partnerships" in text and f"{twin['counts']['organisations']} organisations" in text
    words = {item["name"]: item["text"] for item in twin["lists"]}
    assert words["events"] == f"{twin['lists'][3]['count']} events and milestones"
    assert re.search(r"\d+ cities, \d+ countries", text), "the places line says what it mixes"
    assert twin["counts"]["partnerships"] == 20, "the raw build counts stay in the JSON twin"


def test_home_has_a_search_box_that_needs_no_javascript(client: FlaskClient) -> None:
    home = _page(client, "/")
    assert any(str(form.get("action", "")).endswith("search") and (form.get("method") or "get").lower() == "get" for form in home.forms)
    assert any(field.get("name") == "q" for field in home.inputs)


# ---------------------------------------------------------------- search

SOFIA_MEETING = ID + "event/dt-2nd-sofia-2017"


@pytest.mark.parametrize("q", ["sofia meeting", "sofia 2017", "june 2017", "юни 2017", "Sofia June 2017", "digital transition sofia"])
def test_search_finds_the_sofia_meeting_by_place_and_date(client: FlaskClient, q: str) -> None:
    """Its labels say neither Sofia nor June: the place (a venue in Sofia) and the dates are context."""
    data = client.get("/api/search", query_string={"q": q}).get_json()
    iris = [item["iri"] for item in data["results"]]
    assert SOFIA_MEETING in iris[:5], (q, iris[:5])
    found = data["results"][iris.index(SOFIA_MEETING)]
    assert "sofia" not in found["label"].casefold() and "2017" not in found["label"]
    assert found["type"] == "Partnership meeting" and found["date"] == "2017-06-07/2017-06-08"
    assert found["kind"] == "event"


def test_search_ranks_every_word_in_a_label_first_then_context_then_fewer_words(client: FlaskClient) -> None:
    results = client.get("/api/search", query_string={"q": "sofia meeting", "limit": "50"}).get_json()["results"]
    iris = [item["iri"] for item in results]
    # A label with both words beats the meeting whose label has only one of them (the other from its place).
    first = results[0]
    assert "sofia" in first["label"].casefold() and "meeting" in first["label"].casefold()
    assert iris.index(SOFIA_MEETING) > 0
    # Things matching both words come before things matching one (Sofia itself matches only "sofia").
    assert iris.index(SOFIA_MEETING) < iris.index(ID + "place/sofia")
    # Documents about things come after the things that match every word.
    kinds = [item["kind"] for item in results]
    assert "source" in kinds and kinds.index("source") > iris.index(SOFIA_MEETING)


def test_search_words_match_an_organisations_partnerships_and_country(client: FlaskClient) -> None:
    iris = [item["iri"] for item in client.get("/api/search", query_string={"q": "digital transition bulgaria", "limit": "50"}).get_json()["results"]]
    assert ID + "organisation/sofia-municipality" in iris[:10], iris[:10]
    iris = [item["iri"] for item in client.get("/api/search", query_string={"q": "столична дигитален", "limit": "10"}).get_json()["results"]]
    # The membership is named by both (member · partnership); the organisation has the partnership as context.
    assert set(iris[:2]) == {ID + "membership/digital-transition--sofia-municipality", ID + "organisation/sofia-municipality"}, iris[:3]


def test_search_matches_across_accents_and_scripts(client: FlaskClient) -> None:
    for q in ("metropole de lyon", "MÉTROPOLE DE LYON"):
        iris = [item["iri"] for item in client.get("/api/search", query_string={"q": q}).get_json()["results"]]
        assert iris[0] == ID + "organisation/metropole-de-lyon", (q, iris[:3])
    iris = [item["iri"] for item in client.get("/api/search", query_string={"q": "София 2017"}).get_json()["results"]]
    assert SOFIA_MEETING in iris[:5], iris[:5]


def test_search_page_and_its_json_twin_show_type_and_date(client: FlaskClient) -> None:
    twin = client.get("/search.json", query_string={"q": "june 2017"}).get_json()
    assert twin["count"] == len(twin["results"]) > 0
    meeting = next(item for item in twin["results"] if item["iri"] == SOFIA_MEETING)
    assert meeting["type"] == "Partnership meeting" and meeting["date"].startswith("2017-06-07")
    page = _page(client, "/search", q="june 2017")
    assert [r["data-iri"] for r in page.results] == [item["iri"] for item in twin["results"]]
    text = "".join(page.text)
    assert "Partnership meeting" in text and "2017-06-07 – 2017-06-08" in text


@pytest.mark.parametrize(
    ("q", "lang"),
    [("coordinator digital", "en"), ("координатор дигитален", "bg"), ("sofia municipality digital transition", "en")],
)
def test_memberships_are_found_by_member_partnership_and_role(client: FlaskClient, q: str, lang: str) -> None:
    results = client.get("/api/search", query_string={"q": q, "limit": "10"}).get_json()["results"]
    membership = ID + "membership/digital-transition--sofia-municipality"
    found = next((item for item in results if item["iri"] == membership), None)
    assert found is not None, [item["iri"] for item in results]
    assert found["kind"] == "membership" and found["lang"] == lang
    assert found["url"].endswith("/doc/membership/digital-transition--sofia-municipality")


def test_a_membership_is_found_by_its_members_country(client: FlaskClient) -> None:
    iris = [
        item["iri"] for item in client.get("/api/search", query_string={"q": "digital transition coordinator bulgaria", "limit": "10"}).get_json()["results"]
    ]
    assert iris[0] == ID + "membership/digital-transition--sofia-municipality", iris[:3]


def test_search_names_types_in_the_visitors_language(client: FlaskClient) -> None:
    english = client.get("/search.json", query_string={"q": "june 2017"}).get_json()["results"]
    bulgarian = client.get("/search.json", query_string={"q": "june 2017", "lang": "bg"}).get_json()["results"]
    assert [item["iri"] for item in english] == [item["iri"] for item in bulgarian]
    meeting = next(item for item in bulgarian if item["iri"] == SOFIA_MEETING)
    assert meeting["type"] != "Partnership meeting" and re.search("[а-я]", meeting["type"].casefold()), meeting["type"]
    assert meeting["url"].endswith("?lang=bg")


def test_home_speaks_bulgarian_when_asked(client: FlaskClient) -> None:
    english = client.get("/index.json").get_json()
    bulgarian = client.get("/index.json?lang=bg").get_json()
    assert [item["count"] for item in bulgarian["lists"]] == [item["count"] for item in english["lists"]]
    words = {item["name"]: item["text"] for item in bulgarian["lists"]}
    assert words["partnerships"] == "20 партньорства" and words["organisations"] == f"{english['counts']['organisations']} организации"
    assert any(text.endswith("факта (RDF тройки)") and " " in text for text in bulgarian["also"]), bulgarian["also"]
    page = _page(client, "/", lang="bg")
    text = " ".join("".join(page.text).split())
    assert "Какво съдържа графът" in text and "20 партньорства" in text
    assert page.counts == {item["name"]: item["count"] for item in english["lists"]}


def test_search_page_says_how_it_works_in_the_visitors_language(client: FlaskClient) -> None:
    english = " ".join("".join(_page(client, "/search", q="june 2017").text).split())
    assert "june 2017" in english and "place, date" in english and re.search(r"\d+ results for", english)
    bulgarian = " ".join("".join(_page(client, "/search", q="юни 2017", lang="bg").text).split())
    assert "място, дата" in bulgarian and re.search(r"\d+ резултата за", bulgarian)


@pytest.mark.parametrize(("name", "says"), [("places", r"\d+ cities, \d+ countries"), ("events", r"\d+ events and panels, \d+ milestones")])
def test_a_list_page_says_what_it_mixes_as_the_home_page_does(client: FlaskClient, name: str, says: str) -> None:
    listed = " ".join("".join(_page(client, f"/{name}").text).split())
    home = next(item for item in client.get("/index.json").get_json()["lists"] if item["name"] == name)
    found = re.search(says, listed)
    assert found is not None and found.group(0) == home["includes_text"], (found, home["includes_text"])


def test_a_huge_search_is_cut_to_what_is_searched_and_not_echoed_whole(client: FlaskClient) -> None:
    huge = "sofia " + "x" * 100_000
    page = client.get("/search", query_string={"q": huge}, headers={"Accept": BROWSER})
    assert page.status_code == 200
    boxes = re.findall(r'<input[^>]*name="q"[^>]*value="([^"]*)"', page.get_data(as_text=True))
    assert boxes and all(len(value) == 200 for value in boxes), [len(value) for value in boxes]
    twin = client.get("/search.json", query_string={"q": huge}).get_json()
    assert twin["q"] == huge[:200]
