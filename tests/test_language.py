"""The visitor's language over HTTP: chosen by ?lang=, remembered in a cookie, kept on redirects and links,
and never taken from a value the server does not offer (issue #12 item 9)."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient

from webapp.wording import ERRORS, LAYOUT, NETWORK

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def test_an_identifier_keeps_the_language_on_its_303(client: FlaskClient) -> None:
    response = client.get("/id/partnership/digital-transition?lang=bg", headers={"Accept": BROWSER})
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/doc/partnership/digital-transition?lang=bg")
    page = client.get("/doc/partnership/digital-transition?lang=bg", headers={"Accept": BROWSER})
    assert '<html lang="bg">' in page.get_data(as_text=True)


@pytest.mark.parametrize("asked", ["xx", "<script>", "bg&x=1", "b" * 5000, "zz", ""])
def test_a_language_not_offered_is_not_carried(client: FlaskClient, asked: str) -> None:
    response = client.get("/id/partnership/digital-transition", query_string={"lang": asked}, headers={"Accept": BROWSER})
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/doc/partnership/digital-transition")
    assert "lang=" not in response.headers.get("Set-Cookie", "")


def test_the_choice_is_remembered_and_pages_vary_on_it(client: FlaskClient) -> None:
    first = client.get("/dumps/?lang=bg", headers={"Accept": BROWSER})
    assert "lang=bg" in first.headers["Set-Cookie"]
    later = client.get("/network", headers={"Accept": BROWSER})
    body = later.get_data(as_text=True)
    assert '<html lang="bg">' in body and NETWORK["bg"]["title"] in body and LAYOUT["bg"]["skip"] in body
    assert "Cookie" in later.headers["Vary"]
    back = client.get("/network?lang=en", headers={"Accept": BROWSER})
    assert NETWORK["en"]["title"] in back.get_data(as_text=True)
    assert "lang=en" in back.headers["Set-Cookie"]


def test_every_header_link_keeps_the_language_and_the_switch_keeps_the_query(client: FlaskClient) -> None:
    body = client.get("/search?q=sofia+2017&lang=bg", headers={"Accept": BROWSER}).get_data(as_text=True)
    header = body[body.index('<header class="site">') : body.index("</header>")]
    links = re.findall(r'href="([^"]+)"', header)
    assert len(links) >= 11
    switch = [link for link in links if link.startswith("?")]
    assert switch == ["?q=sofia+2017&amp;lang=en"], "the other language, same search"
    assert all(link.endswith("lang=bg") for link in links if link not in switch), links
    assert '<input type="hidden" name="lang" value="bg">' in body, "the search form sends the language"


def test_an_error_page_is_in_the_visitors_language_and_keeps_its_headers(client: FlaskClient) -> None:
    missing = client.get("/no/such/page?lang=bg", headers={"Accept": BROWSER})
    assert missing.status_code == 404 and missing.mimetype == "text/html"
    text = missing.get_data(as_text=True)
    assert ERRORS["bg"]["error_title_404"] in text and ERRORS["bg"]["error_404"] in text and '<html lang="bg">' in text
    wrong_method = client.post("/partnerships?lang=bg", headers={"Accept": BROWSER})
    assert wrong_method.status_code == 405 and "GET" in wrong_method.headers["Allow"]
    assert ERRORS["bg"]["error_405"] in wrong_method.get_data(as_text=True)
    assert client.get("/api/no-such-api?lang=bg").get_json()["status"] == 404, "a JSON API still answers JSON"


def test_the_network_and_its_api_accept_the_language_parameter(client: FlaskClient) -> None:
    assert client.get("/network?lang=bg", headers={"Accept": BROWSER}).status_code == 200
    assert client.get("/network.json?lang=bg").status_code == 200
    assert client.get("/api/network/organisations?lang=bg").status_code == 200
    assert client.get("/api/network/organisations?lnag=bg").status_code == 400, "a misspelt parameter is still refused"


def test_the_search_api_answers_in_the_language_asked(client: FlaskClient) -> None:
    results = client.get("/api/search?q=sofia&lang=bg").get_json()["results"]
    assert results and all(r["url"].endswith("?lang=bg") for r in results)
    assert {r["type"] for r in results if r["kind"] == "organisation"} == {"организация"}


def test_the_network_names_its_nodes_in_the_language_asked(client: FlaskClient) -> None:
    """Same nodes, positions and metrics; a node with a Bulgarian label is called by it."""
    english = client.get("/network.json").get_json()
    bulgarian = client.get("/network.json?lang=bg").get_json()
    sofia = "https://w3id.org/uaeu/id/organisation/sofia-municipality"
    by_id = {node["id"]: node for node in bulgarian["nodes"]}
    assert [n["id"] for n in english["nodes"]] == [n["id"] for n in bulgarian["nodes"]]
    assert by_id[sofia]["label"] == "Столична община"
    assert next(n for n in english["nodes"] if n["id"] == sofia)["label"] == "Sofia Municipality"
    strip = lambda node: {k: v for k, v in node.items() if k != "label"}  # noqa: E731
    assert [strip(n) for n in english["nodes"]] == [strip(n) for n in bulgarian["nodes"]]
    assert english["edges"] == bulgarian["edges"]
