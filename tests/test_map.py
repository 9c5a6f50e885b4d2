"""The map's data and pages through Flask's test client on the real build: places with coordinates,
organisations, roles and periods for a partnership or a country; the date filter's edges (partial
dates, a partnership's lifetime standing in for a membership's missing dates); evidence; errors; the
embedded map on partnership and country pages; and a fixed number of named queries.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from graph.map import inside, load_country_shapes, load_map_data, map_queries, numeric_codes, shapes_file
from graph.store import Bindings, GraphStore, Result
from tests.conftest import ID
from webapp.resources import resources

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def _map(client: FlaskClient, query: str = "") -> dict[str, Any]:
    response = client.get("/api/map" + query)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()  # type: ignore[no-any-return]


def _places(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {p["iri"].rsplit("/", 1)[-1]: p for p in data["places"]}


def _organisations(data: dict[str, Any]) -> set[str]:
    return {o["iri"].rsplit("/", 1)[-1] for p in data["places"] for o in p["organisations"]} | {o["iri"].rsplit("/", 1)[-1] for o in data["unplaced"]}


def _needs_shapes() -> None:
    if shapes_file() is None:
        pytest.skip("the Natural Earth shapes are not installed (make assets); test_places fails for this under CI")


def test_digital_transition_places_roles_and_coordinates(client: FlaskClient) -> None:
    _needs_shapes()
    data = _map(client, "?partnership=digital-transition")
    places = _places(data)
    assert data["title"] == "Partnership on Digital Transition"
    sofia, oulu = places["sofia"], places["oulu"]
    assert (sofia["lat"], sofia["lon"]) == pytest.approx((42.69751, 23.32415))
    assert (oulu["lat"], oulu["lon"]) == pytest.approx((65.01236, 25.46816))
    assert sofia["kind"] == "city" and not sofia["at_country"] and sofia["url"].endswith("/doc/place/sofia")
    assert sofia["country"]["code"] == "BG" and sofia["country"]["url"].endswith("/doc/country/BGR")
    by_org = {o["iri"]: o for o in sofia["organisations"]}
    municipality = by_org[ID + "organisation/sofia-municipality"]
    assert municipality["role"] == "coordinator" and sofia["role"] == "coordinator"
    assert municipality["url"].endswith("/doc/organisation/sofia-municipality")
    membership = municipality["memberships"][0]
    assert membership["partnership"]["iri"] == ID + "partnership/digital-transition"
    assert membership["role"] == "coordinator" and membership["role_class"] == "coordinator" and membership["evidence"] == "stated"
    assert {"start", "end", "dated_by"} <= set(membership)
    assert oulu["role"] == "coordinator"
    assert {o["role"] for o in oulu["organisations"]} == {"coordinator", "other"}, "the University of Oulu's role is not a partner role"
    assert [r["class"] for r in data["roles"]] == ["coordinator", "member", "other"]


def test_the_estonian_national_body_is_placed_at_estonia_and_labelled_so(client: FlaskClient) -> None:
    _needs_shapes()
    data = _map(client, "?partnership=digital-transition")
    estonia = _places(data)["EST"]
    assert estonia["kind"] == "country" and estonia["at_country"] is True
    assert estonia["url"].endswith("/doc/country/EST")
    assert "national body" in estonia["note"]
    (body,) = estonia["organisations"]
    assert body["iri"] == ID + "organisation/estonia-national-authorities"
    assert body["placed_at_country"] == "national body" and body["role"] == "coordinator"
    shapes = load_country_shapes(shapes_file())  # type: ignore[arg-type]
    assert inside(estonia["lon"], estonia["lat"], shapes[numeric_codes()["EE"]])


def test_partners_without_place_or_country_are_listed_not_drawn(client: FlaskClient) -> None:
    data = _map(client, "?partnership=digital-transition")
    unplaced = {o["iri"].rsplit("/", 1)[-1]: o for o in data["unplaced"]}
    assert "european-commission-dg-cnect" in unplaced
    assert unplaced["european-commission-dg-cnect"]["why"] == "no place or country in the graph"
    assert data["counts"]["unplaced"] == len(data["unplaced"])
    assert data["counts"]["organisations"] == sum(len(p["organisations"]) for p in data["places"]) + len(data["unplaced"])


@pytest.mark.parametrize(
    ("as_of", "present"),
    [("2024-12-31", False), ("2024-12", False), ("2024", False), ("2025-01-01", True), ("2025", True), (None, True)],
)
def test_a_member_who_joined_in_2025_appears_from_its_first_possible_day(client: FlaskClient, as_of: str | None, present: bool) -> None:
    """Leiden joined Public Procurement 'in 2025': absent on the last day of 2024, present on 1 January 2025."""
    query = "?partnership=public-procurement" + (f"&as-of={as_of}" if as_of else "")
    data = _map(client, query)
    assert ("leiden-city" in _organisations(data)) is present
    assert data["filter"]["as_of"] == as_of


def test_a_membership_without_dates_borrows_its_partnerships_lifetime(client: FlaskClient) -> None:
    """Digital Transition began in January 2017; its undated memberships are not there in 2016."""
    assert _map(client, "?partnership=digital-transition&as-of=2016-12-31")["counts"]["memberships"] == 0
    on_launch = _map(client, "?partnership=digital-transition&as-of=2017-01-01")
    assert {"sofia", "oulu", "EST"} <= set(_places(on_launch))
    assert {m["dated_by"] for p in on_launch["places"] for o in p["organisations"] for m in o["memberships"]} >= {"partnership"}


def test_evidence_filter(client: FlaskClient) -> None:
    stated = _map(client, "?partnership=digital-transition")
    everything = _map(client, "?partnership=digital-transition&evidence=all")
    assert stated["filter"]["evidence"] == ["stated"]
    assert "eurocities" not in _organisations(stated), "Eurocities' DT membership is a general statement"
    assert "eurocities" in _organisations(everything)
    weak = [m for o in everything["unplaced"] if o["iri"].endswith("/eurocities") for m in o["memberships"]]
    assert weak and weak[0]["evidence"] == "general-statement"
    assert "eurocities" in _organisations(_map(client, "?partnership=digital-transition&evidence=stated,general-statement"))


def test_country_filter(client: FlaskClient) -> None:
    _needs_shapes()
    data = _map(client, "?country=EST")
    assert data["title"] == "Estonia" and data["focus"] == {"country": "EST", "numeric": "233"}
    assert data["places"]
    assert {p["country"]["code"] for p in data["places"]} == {"EE"}
    assert "tallinn" in _places(data)
    assert _map(client, "?country=est")["filter"]["country"] == "EST"


def test_the_whole_map(client: FlaskClient) -> None:
    data = _map(client)
    assert data["title"] == "All partnerships" and data["filter"]["partnership"] is None
    assert len(data["places"]) > 100
    for place in data["places"]:
        assert -90 <= place["lat"] <= 90 and -180 <= place["lon"] <= 180
        assert place["role"] in ("coordinator", "member", "other") and place["organisations"]


@pytest.mark.parametrize(
    ("query", "status", "message"),
    [
        ("?as-of=yesterday", 400, "not an ISO date"),
        ("?as-of=2024-13", 400, "months run 01 to 12"),
        ("?evidence=rumour", 400, "unknown value 'rumour'"),
        ("?colour=red", 400, "unknown parameter(s): colour"),
        ("?partnership=Digital%20Transition", 400, "not a partnership identifier"),
        ("?country=Estonia", 400, "alpha-3"),
        ("?lang=xx", 400, "not offered"),
        ("?as-of=2020&as-of=2021", 400, "give one value"),
        ("?partnership=no-such-partnership", 404, "no partnership"),
        ("?country=USA", 404, "no partner from country"),
    ],
)
def test_bad_parameters_get_clear_errors(client: FlaskClient, query: str, status: int, message: str) -> None:
    response = client.get("/api/map" + query)
    assert response.status_code == status
    assert message in response.get_json()["error"]


def test_bulgarian_labels(client: FlaskClient) -> None:
    data = _map(client, "?partnership=digital-transition&lang=bg")
    assert data["title"] == "Партньорство „Дигитален преход“"
    assert _places(data)["sofia"]["label"] == "София"


class CountingStore(GraphStore):
    """A store that counts the queries it is asked (to show the map's cost does not grow with the data)."""

    def __init__(self, store: GraphStore) -> None:
        self.store, self.queries = store, 0

    def query(self, query: str, bindings: Bindings | None = None, **dataset: Any) -> Result:
        self.queries += 1
        return self.store.query(query, bindings, **dataset)

    def graphs(self) -> list[str]:
        return self.store.graphs()

    def release(self) -> dict[str, Any] | None:
        return self.store.release()


def test_two_named_queries_make_the_whole_map_and_requests_reuse_them(app: Flask, client: FlaskClient, graph_store: GraphStore) -> None:
    counting = CountingStore(graph_store)
    data = load_map_data(counting, "en")
    assert counting.queries == len(map_queries()) == 2
    assert len(data.organisations) > 200 and len(data.memberships) > 300
    _map(client)  # the app's map data, made once
    served = resources(app)
    original = served.store
    served.store = counting = CountingStore(original)
    try:
        for query in ("?partnership=housing", "?country=BGR&as-of=2019", "?partnership=urban-mobility&evidence=all", "?as-of=2018-06"):
            _map(client, query)
        assert counting.queries == 0, "requests filter the kept data; they run no query"
    finally:
        served.store = original


def _config(html: str) -> dict[str, Any]:
    match = re.search(r'<script type="application/json" class="uaeu-map-config">(.*?)</script>', html, re.S)
    assert match, "the page embeds the map"
    return json.loads(match.group(1))  # type: ignore[no-any-return]


def test_map_page(client: FlaskClient) -> None:
    response = client.get("/map")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    config = _config(html)
    assert config["api"] == "/api/map" and config["shapes"].endswith("/vendor/map/countries-50m.json")
    assert "Coordinator" in html and "national body" in html
    for script in ("d3-array.min.js", "d3-geo.min.js", "topojson-client.min.js", "map.js"):
        assert f"/static/vendor/map/{script}" in html or f"/static/{script}" in html
    assert not re.search(r'(src|href)="https?://', html), "no outside resources"
    assert 'href="/map"' in client.get("/").get_data(as_text=True), "the site's menu links the map"


@pytest.mark.parametrize(
    ("path", "api"),
    [
        ("/doc/partnership/digital-transition", "/api/map?partnership=digital-transition"),
        ("/doc/country/EST", "/api/map?country=EST"),
        ("/doc/country/BGR?lang=bg", "/api/map?country=BGR&lang=bg"),
    ],
)
def test_partnership_and_country_pages_embed_the_map(client: FlaskClient, path: str, api: str) -> None:
    html = client.get(path, headers={"Accept": BROWSER}).get_data(as_text=True)
    assert '<section id="map">' in html
    assert _config(html)["api"] == api


def test_other_pages_have_no_map(client: FlaskClient) -> None:
    for path in ("/doc/place/sofia", "/doc/organisation/sofia-municipality", "/doc/country/USA"):
        response = client.get(path, headers={"Accept": BROWSER})
        assert 'class="uaeu-map-config"' not in response.get_data(as_text=True), path


def test_vendored_shapes_are_served(client: FlaskClient) -> None:
    if not (Path(__file__).parents[1] / "webapp" / "static" / "vendor" / "map" / "countries-50m.json").exists():
        pytest.skip("make assets has not copied the map's files")
    response = client.get("/static/vendor/map/countries-50m.json")
    assert response.status_code == 200
    topology = json.loads(response.get_data())
    assert topology["type"] == "Topology" and "countries" in topology["objects"]
    response.close()


def test_page_maps_get_the_smaller_europe_shapes(client: FlaskClient) -> None:
    _needs_shapes()
    html = client.get("/doc/partnership/digital-transition", headers={"Accept": BROWSER}).get_data(as_text=True)
    assert _config(html)["shapes"] == "/api/map/shapes/europe.json"
    response = client.get("/api/map/shapes/europe.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert "max-age=86400" in response.headers["Cache-Control"]
    topology = json.loads(response.get_data())
    whole = shapes_file().stat().st_size  # type: ignore[union-attr]
    assert len(response.get_data()) < whole / 3, (len(response.get_data()), whole)
    ids = {g.get("id") for g in topology["objects"]["countries"]["geometries"]}
    assert {numeric_codes()[c] for c in ("EE", "BG", "FI", "BE", "NL", "LU", "PT", "CY")} <= ids
    assert numeric_codes()["US"] not in ids and numeric_codes()["AU"] not in ids
    # every arc index used is within the renumbered arcs
    count = len(topology["arcs"])

    def indexes(arcs: object) -> list[int]:
        return [i for a in arcs for i in indexes(a)] if isinstance(arcs, list) else [arcs]  # type: ignore[list-item]

    used = {i if i >= 0 else ~i for g in topology["objects"]["countries"]["geometries"] for i in indexes(g["arcs"])}
    assert used == set(range(count))
