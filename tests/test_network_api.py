"""The network API over the real data: every kind and format parses, filters change answers, errors are honest.

Exports are read back with the tools analysts use (networkx for GEXF/GraphML, the csv module, zipfile);
the query bridge is checked against the same query run directly; timings are measured and printed
(medians of warm requests), never asserted.
"""

from __future__ import annotations

import csv
import io
import json
import os
import statistics
import time
import urllib.parse
import zipfile
from pathlib import Path

import networkx as nx
import pytest
from flask.testing import FlaskClient

from graph.config import PROJECT_ROOT
from graph.network import KINDS
from tests.conftest import ID

PUBLIC = "http://uaeu.test/"
APP_SETTINGS = {"public_url": PUBLIC}
SOFIA = ID + "organisation/sofia-municipality"
EDGES_QUERY = "PREFIX org: <http://www.w3.org/ns/org#>\nSELECT ?source ?target WHERE { ?m org:organization ?source ; org:member ?target ; org:role ?role }"


def _json(client: FlaskClient, url: str, status: int = 200) -> dict[str, object]:
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    return response.get_json()  # type: ignore[no-any-return]


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_in_every_format_parses(client: FlaskClient, kind: str) -> None:
    node_link = _json(client, f"/api/network/{kind}")
    graph = nx.node_link_graph(node_link, edges="edges")
    assert graph.number_of_nodes() > 10 and node_link["meta"]["kind"] == kind  # type: ignore[index]

    for fmt, media in (("gexf", "application/gexf+xml"), ("graphml", "application/graphml+xml")):
        response = client.get(f"/api/network/{kind}?format={fmt}")
        assert response.status_code == 200 and response.mimetype == media
        assert response.headers["Content-Disposition"] == f'attachment; filename="uaeu-{kind}.{fmt}"'
        read = nx.read_gexf(io.BytesIO(response.data)) if fmt == "gexf" else nx.read_graphml(io.BytesIO(response.data))
        assert sorted(read.nodes) == sorted(graph.nodes)
        assert read.number_of_edges() == graph.number_of_edges()

    cyjs = _json(client, f"/api/network/{kind}?format=cyjs")
    assert len(cyjs["elements"]["nodes"]) == graph.number_of_nodes()  # type: ignore[index]

    parts = {}
    for part in ("nodes", "edges"):
        response = client.get(f"/api/network/{kind}?format=csv&part={part}")
        assert response.status_code == 200 and response.mimetype == "text/csv"
        assert response.headers["Content-Disposition"] == f'attachment; filename="uaeu-{kind}.{part}.csv"'
        parts[part] = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert {row["id"] for row in parts["nodes"]} == set(graph.nodes)
    assert len(parts["edges"]) == graph.number_of_edges()

    response = client.get(f"/api/network/{kind}?format=csv")
    assert response.mimetype == "application/zip"
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        assert sorted(archive.namelist()) == sorted(f"uaeu-{kind}.{name}" for name in ("nodes.csv", "edges.csv", "meta.json"))
        assert len(list(csv.DictReader(io.StringIO(archive.read(f"uaeu-{kind}.edges.csv").decode())))) == graph.number_of_edges()
        assert json.loads(archive.read(f"uaeu-{kind}.meta.json"))["kind"] == kind


def test_filters_change_the_answer(client: FlaskClient) -> None:
    def nodes(query: str) -> set[str]:
        return {n["id"] for n in _json(client, "/api/network/organisations" + query)["nodes"]}  # type: ignore[union-attr, index]

    everyone = nodes("")
    early = nodes("?as_of=2016")
    assert early < everyone
    assert nodes("?as-of=2016") == early  # the CLI's spelling works too
    assert nodes("?from=2016&to=2016") == early
    cities = nodes("?partner_type=city")
    assert cities < everyone and SOFIA in cities
    assert nodes("?theme=housing") < everyone
    assert nodes("?role=coordinators") < everyone
    assert nodes("?evidence=all") >= everyone
    weights = {e["weight"] for e in _json(client, "/api/network/organisations?weighting=newman")["edges"]}  # type: ignore[union-attr, index]
    assert any(w != int(w) for w in weights)
    filename = client.get("/api/network/countries?format=gexf&weighting=jaccard&as_of=2018").headers["Content-Disposition"]
    assert filename == 'attachment; filename="uaeu-countries-jaccard-as-of-2018.gexf"'


@pytest.mark.parametrize(
    ("query", "said"),
    [
        ("/api/network/organisations?weighting=heaviest", "weighting: unknown weighting 'heaviest'"),
        ("/api/network/organisations?as_of=June", "as_of:"),
        ("/api/network/organisations?as_of=2018&from=2017", "as_of: give either a date"),
        ("/api/network/organisations?theme=gardening", "themes: unknown value 'gardening'"),
        ("/api/network/organisations?format=pdf", "format: unknown format 'pdf'"),
        ("/api/network/organisations?format=csv&part=both", "part: unknown part 'both'"),
        ("/api/network/organisations?as_off=2018", "as_off: unknown parameter"),
        ("/api/network/ego/sofia-municipality?radius=far", "radius: must be a whole number"),
        ("/api/network/path?from=sofia-municipality", "from, to: give two organisations"),
        ("/api/network/path?from=digital-transition&to=sofia-municipality", "is a partnership, not an organisation"),
        ("/network.json?kind=tree", "kind: unknown network 'tree'"),
    ],
)
def test_bad_parameters_are_400_with_the_library_message(client: FlaskClient, query: str, said: str) -> None:
    body = _json(client, query, status=400)
    assert said in str(body["error"])


def test_unknown_entities_are_404(client: FlaskClient) -> None:
    assert "not in this network" in str(_json(client, "/api/network/ego/no-such-body", status=404)["error"])
    _json(client, "/api/network/path?from=no-such-body&to=sofia-municipality", status=404)


def test_ego_network_of_sofia(client: FlaskClient) -> None:
    whole = nx.node_link_graph(_json(client, "/api/network/organisations"), edges="edges")
    body = _json(client, "/api/network/ego/sofia-municipality?radius=1")
    assert body["meta"]["ego"]["centre"] == SOFIA  # type: ignore[index]
    assert {n["id"] for n in body["nodes"]} == {SOFIA, *whole[SOFIA]}  # type: ignore[union-attr, index]
    gexf = client.get("/api/network/ego/sofia-municipality?format=gexf")
    assert gexf.headers["Content-Disposition"] == 'attachment; filename="uaeu-ego-sofia-municipality-organisations-r1.gexf"'
    assert nx.read_gexf(io.BytesIO(gexf.data)).number_of_nodes() == len(body["nodes"])  # type: ignore[arg-type]


def test_downloads_name_the_nodes_in_bulgarian_when_asked(client: FlaskClient) -> None:
    """`lang=bg` on a download: the same network, its nodes named in Bulgarian where the graph has a
    Bulgarian label (the rest as before), in every format; the page's download links carry it."""
    english = nx.node_link_graph(_json(client, "/api/network/organisations"), edges="edges")
    named = _json(client, "/api/network/organisations?lang=bg")
    graph = nx.node_link_graph(named, edges="edges")
    assert sorted(graph.nodes) == sorted(english.nodes) and graph.number_of_edges() == english.number_of_edges()
    assert graph.nodes[SOFIA]["label"] == "Столична община" and english.nodes[SOFIA]["label"] == "Sofia Municipality"
    assert named["meta"]["label_language"] == "bg" and "label_language" not in _json(client, "/api/network/organisations")["meta"]  # type: ignore[index, operator]
    changed = [n for n in graph.nodes if graph.nodes[n]["label"] != english.nodes[n]["label"]]
    assert len(changed) > 10 and any(any("\u0400" <= ch <= "\u04ff" for ch in graph.nodes[n]["label"]) for n in changed)

    gexf = client.get("/api/network/organisations?format=gexf&lang=bg")
    assert gexf.headers["Content-Disposition"] == 'attachment; filename="uaeu-organisations-bg.gexf"'
    assert nx.read_gexf(io.BytesIO(gexf.data)).nodes[SOFIA]["label"] == "Столична община"
    graphml = nx.read_graphml(io.BytesIO(client.get("/api/network/organisations?format=graphml&lang=bg").data))
    assert graphml.nodes[SOFIA]["label"] == "Столична община"
    nodes = list(csv.DictReader(io.StringIO(client.get("/api/network/organisations?format=csv&part=nodes&lang=bg").get_data(as_text=True))))
    assert next(row["label"] for row in nodes if row["id"] == SOFIA) == "Столична община"
    with zipfile.ZipFile(io.BytesIO(client.get("/api/network/organisations?format=csv&lang=bg").data)) as archive:
        assert json.loads(archive.read("uaeu-organisations-bg.meta.json"))["label_language"] == "bg"
        assert "Столична община" in archive.read("uaeu-organisations-bg.nodes.csv").decode()
    ego = _json(client, "/api/network/ego/sofia-municipality?lang=bg")
    assert next(n["label"] for n in ego["nodes"] if n["id"] == SOFIA) == "Столична община"  # type: ignore[union-attr, index]
    assert client.get("/api/network/ego/sofia-municipality?format=gexf&lang=bg").headers["Content-Disposition"].endswith('-r1-bg.gexf"')

    # English (and a language the site has no words in) stays the export as built; English cache untouched.
    assert _json(client, "/api/network/organisations?lang=xx") == _json(client, "/api/network/organisations")
    assert nx.node_link_graph(_json(client, "/api/network/organisations"), edges="edges").nodes[SOFIA]["label"] == "Sofia Municipality"
    assert client.get("/api/network/organisations?format=nope&lang=bg").status_code == 400
    twin = _json(client, "/network.json?kind=countries&as_of=2018&lang=bg")
    assert twin["downloads"]["gexf"] == "/api/network/countries?as_of=2018&lang=bg&format=gexf"  # type: ignore[index]


def test_path_answers_with_its_evidence(client: FlaskClient) -> None:
    body = _json(client, "/api/network/path?from=tallinn-city&to=sofia-municipality")
    assert body["connected"] is True and body["from"] == ID + "organisation/tallinn-city" and body["to"] == SOFIA
    steps = body["steps"]
    assert isinstance(steps, list) and len(steps) == body["partnerships_between"] >= 1
    for step in steps:
        assert step["links"], step
        for link in step["links"]:
            for side in link["sides"]:
                assert side["evidence"] and side["sources"] and side["memberships"] and side["roles"]


def test_page_and_its_json_twin(client: FlaskClient) -> None:
    page = client.get("/network?kind=countries&as_of=2018")
    assert page.status_code == 200 and page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    assert 'id="network-config"' in html and "vendor/cytoscape/cytoscape.min.js" in html
    twin = _json(client, "/network.json?kind=countries&as_of=2018")
    assert twin["options"]["as_of"] == "2018"  # type: ignore[index]
    nodes = twin["nodes"]
    assert isinstance(nodes, list) and all(isinstance(n["x"], float) and isinstance(n["y"], float) for n in nodes)
    assert {n["id"] for n in nodes} == {n["id"] for n in _json(client, "/api/network/countries?as_of=2018")["nodes"]}  # type: ignore[union-attr, index]
    assert twin["downloads"]["gexf"] == "/api/network/countries?as_of=2018&format=gexf"  # type: ignore[index]
    sofia = next(n for n in _json(client, "/network.json")["nodes"] if n["id"] == SOFIA)  # type: ignore[union-attr, index]
    assert sofia["url"] == PUBLIC + "doc/organisation/sofia-municipality"
    assert client.get("/network?kind=tree").status_code == 400


def test_page_escapes_what_it_is_given(client: FlaskClient) -> None:
    html = client.get("/network?kind=</script><script>alert(1)</script>").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html


def test_query_bridge_builds_the_network_of_a_select(client: FlaskClient, store: object) -> None:
    from tests.conftest import select

    rows = select(store, EDGES_QUERY)  # type: ignore[arg-type]
    expected = nx.Graph()
    expected.add_edges_from((r["source"], r["target"]) for r in rows)
    body = _json(client, "/api/network/from-query?query=" + urllib.parse.quote(EDGES_QUERY))
    built = nx.node_link_graph(body, edges="edges")
    assert sorted(built.nodes) == sorted(expected.nodes)
    assert sorted(tuple(sorted(e)) for e in built.edges) == sorted(tuple(sorted(e)) for e in expected.edges)
    assert "community" in built.nodes[SOFIA] and body["meta"]["kind"] == "query"  # type: ignore[index]
    posted = client.post("/api/network/from-query", data={"query": EDGES_QUERY, "format": "graphml"})
    assert posted.status_code == 200 and nx.read_graphml(io.BytesIO(posted.data)).number_of_nodes() == expected.number_of_nodes()
    weighted = (
        "SELECT ?source ?target ?weight ?start WHERE { VALUES (?source ?target ?weight ?start) "
        '{ ("a" "b" 2 "2017") ("a" "b" 3 "2019-05") ("b" "c" 1 "2018") } }'
    )
    graph = nx.node_link_graph(_json(client, "/api/network/from-query?query=" + urllib.parse.quote(weighted)), edges="edges")
    assert graph.edges["a", "b"]["weight"] == 5.0 and graph.edges["a", "b"]["rows"] == 2
    assert [tuple(s) for s in graph.edges["a", "b"]["spells"]] == [("2017-01-01", None)]
    page = _json(client, "/network.json?query=" + urllib.parse.quote(EDGES_QUERY))
    assert page["mode"] == "query" and len(page["nodes"]) == expected.number_of_nodes()  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "query",
    ["INSERT DATA { <urn:a> <urn:b> <urn:c> }", "SELECT ?source ?target WHERE { SERVICE <http://example.org/sparql> { ?source ?p ?target } }"],
)
def test_query_bridge_refuses_like_sparql(client: FlaskClient, query: str) -> None:
    bridge = client.get("/api/network/from-query?query=" + urllib.parse.quote(query))
    endpoint = client.get("/sparql?query=" + urllib.parse.quote(query), headers={"Accept": "application/sparql-results+json"})
    assert 400 <= bridge.status_code < 500
    assert (bridge.status_code, bridge.get_data()) == (endpoint.status_code, endpoint.get_data())


def test_query_bridge_needs_source_and_target(client: FlaskClient) -> None:
    body = _json(client, "/api/network/from-query?query=" + urllib.parse.quote("SELECT ?a ?b WHERE { ?a ?p ?b } LIMIT 3"), status=400)
    assert "?source and ?target" in str(body["error"])
    _json(client, "/api/network/from-query?query=" + urllib.parse.quote("ASK { ?a ?b ?c }"), status=400)


def test_warm_timings_are_measured(client: FlaskClient) -> None:
    """Median of 20 warm requests per endpoint, printed and written to test-output/ (never asserted)."""
    urls = [
        *(f"/api/network/{kind}" for kind in KINDS),
        "/api/network/organisations?format=gexf",
        "/api/network/organisations?format=graphml",
        "/api/network/organisations?format=csv",
        "/api/network/bipartite?format=cyjs",
        "/api/network/organisations?as_of=2018&weighting=newman",
        "/api/network/ego/sofia-municipality",
        "/api/network/path?from=tallinn-city&to=sofia-municipality",
        "/network.json",
        "/network.json?kind=organisations&as_of=2016",
        "/api/network/from-query?query=" + urllib.parse.quote(EDGES_QUERY),
    ]
    lines = []
    for url in urls:
        assert client.get(url).status_code == 200  # the warming request
        spent = []
        for _ in range(20):
            started = time.perf_counter()
            client.get(url)
            spent.append(time.perf_counter() - started)
        lines.append(f"{statistics.median(spent) * 1000:8.2f} ms median, {max(spent) * 1000:8.2f} ms max  {url[:90]}")
    report = "network API, 20 warm requests each (Flask test client):\n" + "\n".join(lines)
    folder = Path(os.environ.get("UAEU_TEST_OUTPUT") or PROJECT_ROOT / "test-output")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "network-api-timings.txt").write_text(report + "\n", encoding="utf-8")
    print("\n" + report)
