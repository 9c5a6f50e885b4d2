"""The partner network, checked against networkx run by hand on the N-Triples dump, and its exports read back."""

from __future__ import annotations

import csv
import io
import json
import math
from pathlib import Path

import networkx as nx
import pyoxigraph as ox
import pytest
from rdflib import Graph, Namespace, URIRef

from graph.config import PROJECT_ROOT
from graph.network import (
    PARTNER_ROLES,
    Network,
    NetworkData,
    NetworkOptionError,
    NetworkOptions,
    build_network,
    communities,
    ego,
    load_network_data,
    metrics,
    shortest_connection,
    to_csv,
    to_cytoscape_json,
    to_gexf,
    to_graphml,
    to_node_link,
)
from graph.network.metrics import annotate
from graph.network.model import make_network
from graph.store import GraphStore
from graph.store.embedded import EmbeddedStore
from tests.conftest import BASE, ID
from webapp.cli import main

ORG = Namespace("http://www.w3.org/ns/org#")
DCT = Namespace("http://purl.org/dc/terms/")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
SCHEMA = Namespace("https://schema.org/")
RDF_TYPE = URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
UAEU_EVIDENCE = URIRef(BASE + "ontology#evidence")


@pytest.fixture(scope="module")
def data(graph_store: GraphStore) -> NetworkData:
    return load_network_data(graph_store, release="test-release")


@pytest.fixture(scope="module")
def by_hand(release_dir: Path) -> dict[str, object]:
    """The bipartite graph built independently: rdflib parses the N-Triples dump, networkx builds the graph."""
    rdf = Graph()
    rdf.parse(release_dir / "dumps" / "uaeu.nt", format="nt")
    bipartite = nx.Graph()
    country_of = {}
    for membership in rdf.subjects(RDF_TYPE, ORG.Membership):
        role = str(rdf.value(rdf.value(membership, ORG.role), SKOS.notation))
        evidence = str(rdf.value(rdf.value(membership, UAEU_EVIDENCE), SKOS.notation))
        if role in PARTNER_ROLES and evidence == "stated":
            partnership, organisation = str(rdf.value(membership, ORG.organization)), str(rdf.value(membership, ORG.member))
            bipartite.add_node(partnership, bipartite=0)
            bipartite.add_node(organisation, bipartite=1)
            bipartite.add_edge(partnership, organisation)
            for place in rdf.objects(URIRef(organisation), DCT.spatial):
                if (place, RDF_TYPE, SCHEMA.Country) in rdf:
                    country_of[organisation] = str(place)
    return {"bipartite": bipartite, "country_of": country_of}


def _side(graph: nx.Graph, kind: int) -> set[str]:
    return {n for n, d in graph.nodes(data=True) if d["bipartite"] == kind}


def _assert_metrics_match(ours: nx.Graph, theirs: nx.Graph, bipartite: bool = False) -> None:
    """Degree, weighted degree, betweenness, closeness, eigenvector and clustering as networkx gives them."""
    assert set(ours) == set(theirs)
    expected = {
        "degree": dict(theirs.degree()),
        "weighted_degree": dict(theirs.degree(weight="weight")),
        "betweenness": nx.betweenness_centrality(theirs),
        "closeness": nx.closeness_centrality(theirs),
        "eigenvector": nx.eigenvector_centrality(theirs, weight="weight", max_iter=1000, tol=1e-08),
        "clustering": nx.bipartite.clustering(theirs) if bipartite else nx.clustering(theirs),
    }
    for name, values in expected.items():
        for node, value in values.items():
            assert ours.nodes[node][name] == pytest.approx(value, abs=1e-6), (name, node)
    components = sorted(nx.connected_components(theirs), key=len, reverse=True)
    for node in components[0]:
        assert ours.nodes[node]["component"] == 0


def test_bipartite_network_and_metrics_equal_networkx_by_hand(data: NetworkData, by_hand: dict) -> None:
    ours = build_network(data, NetworkOptions(kind="bipartite")).graph
    theirs = by_hand["bipartite"]
    assert {frozenset(e) for e in ours.edges} == {frozenset(e) for e in theirs.edges}
    assert len(theirs) > 200
    nx.set_edge_attributes(theirs, 1.0, "weight")
    _assert_metrics_match(ours, theirs, bipartite=True)


@pytest.mark.parametrize(
    ("weighting", "project"),
    [
        ("shared", nx.bipartite.weighted_projected_graph),
        ("newman", nx.bipartite.collaboration_weighted_projected_graph),
        ("jaccard", lambda b, nodes: nx.bipartite.overlap_weighted_projected_graph(b, nodes, jaccard=True)),
    ],
)
def test_organisation_projection_weights_and_metrics(data: NetworkData, by_hand: dict, weighting: str, project) -> None:
    network = build_network(data, NetworkOptions(kind="organisations", weighting=weighting))
    theirs = project(by_hand["bipartite"], _side(by_hand["bipartite"], 1))
    ours = network.graph
    assert {frozenset(e) for e in ours.edges} == {frozenset(e) for e in theirs.edges}
    for u, v, d in theirs.edges(data=True):
        assert ours.edges[u, v]["weight"] == pytest.approx(d["weight"])
        assert ours.edges[u, v]["weighting"] == weighting
    assert network.meta["weighting"] == weighting and network.meta["kind"] == "organisations"
    _assert_metrics_match(ours, theirs)


def test_partnership_and_country_projections(data: NetworkData, by_hand: dict) -> None:
    bipartite = by_hand["bipartite"]
    partnerships = build_network(data, NetworkOptions(kind="partnerships")).graph
    theirs = nx.bipartite.weighted_projected_graph(bipartite, _side(bipartite, 0))
    assert {(frozenset((u, v)), d["weight"]) for u, v, d in theirs.edges(data=True)} == {
        (frozenset((u, v)), d["shared"]) for u, v, d in partnerships.edges(data=True)
    }
    _assert_metrics_match(partnerships, theirs)

    country_graph = nx.Graph()
    for partnership, organisation in bipartite.edges:
        if not partnership.startswith(ID + "partnership/"):
            partnership, organisation = organisation, partnership
        if organisation in by_hand["country_of"]:
            country_graph.add_node(partnership, bipartite=0)
            country_graph.add_node(by_hand["country_of"][organisation], bipartite=1)
            country_graph.add_edge(partnership, by_hand["country_of"][organisation])
    theirs = nx.bipartite.collaboration_weighted_projected_graph(country_graph, _side(country_graph, 1))
    countries = build_network(data, NetworkOptions(kind="countries", weighting="newman"))
    assert countries.graph.nodes[ID.replace(ID, "http://publications.europa.eu/resource/authority/country/BGR")]["country"] == "BG"
    for u, v, d in theirs.edges(data=True):
        assert countries.graph.edges[u, v]["weight"] == pytest.approx(d["weight"])
    assert countries.graph.number_of_edges() == theirs.number_of_edges()
    assert countries.meta["counts"]["organisations_without_country"] > 0
    _assert_metrics_match(countries.graph, theirs)


def test_communities_repeat_run_to_run(data: NetworkData) -> None:
    first = make_network(data, NetworkOptions(kind="organisations"))
    second = make_network(data, NetworkOptions(kind="organisations"))
    found = communities(first.graph)
    assert len(found) > 1
    assert found == communities(second.graph) == communities(first.graph)
    annotate(first.graph)
    annotate(second.graph)
    assert {n: d["community"] for n, d in first.graph.nodes(data=True)} == {n: d["community"] for n, d in second.graph.nodes(data=True)}
    assert first.meta["metrics"]["modularity"] == second.meta["metrics"]["modularity"] > 0.2


def test_metrics_function_matches_annotated_values(data: NetworkData) -> None:
    graph = build_network(data, NetworkOptions(kind="partnerships")).graph
    for node, values in metrics(graph).items():
        for name, value in values.items():
            assert graph.nodes[node][name] == value


# --- dates: real edge cases ---------------------------------------------------------------------------


def _in(data: NetworkData, node: str, **options: object) -> bool:
    return ID + node in build_network(data, NetworkOptions(kind="bipartite", **options)).graph


def test_member_who_joined_later_is_absent_before_and_present_after(data: NetworkData) -> None:
    # memberships.csv: public-procurement--tallinn-city starts 2025 (a partial date: from 1 January 2025)
    assert not _in(data, "organisation/tallinn-city", as_of="2024-12-31")
    assert not _in(data, "organisation/tallinn-city", as_of="2024")
    assert _in(data, "organisation/tallinn-city", as_of="2025-01-01")
    assert _in(data, "organisation/tallinn-city", as_of="2025-06")
    assert _in(data, "organisation/haarlem-city", as_of="2024-12-31")  # undated: the partnership's period (since 2017)
    # air-quality--poland-ministry-of-energy starts 2016-09, the partnership 2015-12
    assert not _in(data, "organisation/poland-ministry-of-energy", as_of="2016-08-31")
    assert _in(data, "organisation/poland-ministry-of-energy", as_of="2016-09-01")
    assert not _in(data, "organisation/poland-ministry-of-energy", start="2016-01", end="2016-08")
    assert _in(data, "organisation/poland-ministry-of-energy", start="2016-01", end="2016-09")


def test_partnership_that_ended_is_absent_after_its_end(data: NetworkData) -> None:
    # partnerships.yaml: housing ends 2018 (so through 31 December 2018)
    assert _in(data, "partnership/housing", as_of="2018-12-31")
    assert _in(data, "partnership/housing", as_of="2018")
    assert not _in(data, "partnership/housing", as_of="2019-01-01")
    assert not _in(data, "organisation/vienna-city", as_of="2019-01-01", partnerships=("housing",))
    network = build_network(data, NetworkOptions(kind="organisations", as_of="2019-01-01"))
    assert "partnership" in network.meta["dates"] and network.meta["counts"]["dated_by_partnership"] > 0
    assert network.meta["window"] == ["2019-01-01", "2019-01-01"]


SYNTHETIC = """
@prefix org: <http://www.w3.org/ns/org#> . @prefix time: <http://www.w3.org/2006/time#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> . @prefix dct: <http://purl.org/dc/terms/> .
@prefix schema: <https://schema.org/> . @prefix uaeu: <https://w3id.org/uaeu/ontology#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> . @base <https://w3id.org/uaeu/> .
<id/partnership/p> a uaeu:Partnership ; skos:prefLabel "P"@en ; skos:altLabel "P"@en ; dct:subject <vocab/theme/t> ; dct:temporal <id/period/p> .
<vocab/theme/t> skos:notation "t" . <vocab/role/member> skos:notation "member" . <vocab/role/coordinator> skos:notation "coordinator" .
<vocab/evidence/stated> skos:notation "stated" . <vocab/evidence/inferred> skos:notation "inferred" . <vocab/partner-type/city> skos:notation "city" .
<id/period/p> time:hasBeginning <id/instant/2016> .
<id/instant/2016> time:inXSDgYear "2016"^^xsd:gYear . <id/instant/2016-01> time:inXSDgYearMonth "2016-01"^^xsd:gYearMonth .
<id/instant/2017-06> time:inXSDgYearMonth "2017-06"^^xsd:gYearMonth .
<id/organisation/a> a org:Organization ; skos:prefLabel "A"@en ; org:classification <vocab/partner-type/city> .
<id/organisation/b> a org:Organization ; skos:prefLabel "B"@en ; org:classification <vocab/partner-type/city> .
<id/organisation/c> a org:Organization ; skos:prefLabel "C"@en ; org:classification <vocab/partner-type/city> .
<id/membership/a> a org:Membership ; org:organization <id/partnership/p> ; org:member <id/organisation/a> ; org:role <vocab/role/coordinator> ;
  uaeu:evidence <vocab/evidence/stated> ; org:memberDuring <id/period/a> ; dct:source <id/source/s1> .
<id/period/a> time:hasBeginning <id/instant/2016-01> ; time:hasEnd <id/instant/2017-06> .
<id/membership/b> a org:Membership ; org:organization <id/partnership/p> ; org:member <id/organisation/b> ; org:role <vocab/role/member> ;
  uaeu:evidence <vocab/evidence/stated> ; dct:source <id/source/s2> .
<id/membership/c> a org:Membership ; org:organization <id/partnership/p> ; org:member <id/organisation/c> ; org:role <vocab/role/member> ;
  uaeu:evidence <vocab/evidence/inferred> ; dct:source <id/source/s3> .
"""


@pytest.fixture(scope="module")
def synthetic() -> NetworkData:
    store = ox.Store()
    store.load(SYNTHETIC.encode("utf-8"), format=ox.RdfFormat.TURTLE)
    return load_network_data(EmbeddedStore(store, base=BASE), release="synthetic")


def test_member_who_left_is_absent_after_leaving(synthetic: NetworkData) -> None:
    def members(**options: object) -> set[str]:
        graph = build_network(synthetic, NetworkOptions(kind="bipartite", **options)).graph
        return {n.rsplit("/", 1)[-1] for n, d in graph.nodes(data=True) if d["kind"] == "organisation"}

    assert members(as_of="2015-12-31") == set()  # before the partnership began
    assert members(as_of="2016-01-01") == {"a", "b"}
    assert members(as_of="2017-06-30") == {"a", "b"}  # 2017-06 ends on its last day
    assert members(as_of="2017-07-01") == {"b"}
    assert members(start="2017-07", end="2030") == {"b"}
    assert members(evidence=("all",)) == {"a", "b", "c"}
    assert members(roles=("coordinators",)) == {"a"}
    org = build_network(synthetic, NetworkOptions(kind="organisations", evidence=("all",))).graph
    a, b, c = (ID + f"organisation/{x}" for x in "abc")
    assert org.edges[a, b]["evidence"] == "stated" and not org.edges[a, b]["weak"]
    assert org.edges[b, c]["evidence"] == "inferred" and org.edges[b, c]["weak"]
    assert org.edges[a, b]["spells"] == [("2016-01-01", "2017-06-30")]
    assert org.nodes[b]["spells"] == [("2016-01-01", None)]


# --- ego and shortest connection -----------------------------------------------------------------------


def test_ego_network_equals_networkx_ego_graph(data: NetworkData, by_hand: dict) -> None:
    network = build_network(data, NetworkOptions(kind="organisations"))
    centre = ID + "organisation/sofia-municipality"
    theirs = nx.ego_graph(nx.bipartite.weighted_projected_graph(by_hand["bipartite"], _side(by_hand["bipartite"], 1)), centre, radius=1)
    found = ego(network, "sofia-municipality", radius=1)
    assert set(found.graph) == set(theirs)
    assert found.graph.number_of_edges() == theirs.number_of_edges()
    assert found.meta["ego"]["centre"] == centre and found.meta["counts"]["nodes"] == len(theirs)
    assert network.graph.number_of_nodes() > len(theirs)  # the cached network is untouched
    assert set(ego(network, centre, radius=0).graph) == {centre}


def test_shortest_connection_carries_its_evidence(data: NetworkData, by_hand: dict) -> None:
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO((PROJECT_ROOT / "data" / "memberships.csv").read_text(encoding="utf-8")))}
    found = shortest_connection(data, "tallinn-city", "sofia-municipality")
    a, b = ID + "organisation/tallinn-city", ID + "organisation/sofia-municipality"
    assert found["connected"] and found["from"] == a and found["to"] == b
    assert found["partnerships_between"] == nx.shortest_path_length(by_hand["bipartite"], a, b) // 2
    assert found["path"][0] == a and found["path"][-1] == b
    for step in found["steps"]:
        assert step["via"] in {link["partnership"] for link in step["links"]}
        for link in step["links"]:
            for side in link["sides"]:
                row = rows[f"{link['partnership'].rsplit('/', 1)[-1]}--{side['organisation'].rsplit('/', 1)[-1]}"]
                assert side["roles"] == [row["role"]]
                assert side["evidence"] == row["evidence"] == "stated"
                assert side["sources"] == sorted(ID + "source/" + s for s in row["sources"].split(";"))
                assert side["memberships"] == [ID + "membership/" + row["id"]]
    tallinn_side = found["steps"][0]["links"][0]["sides"][0]
    assert tallinn_side["sources"] == [ID + "source/uaeu-pp-2025"] and tallinn_side["period_start"] == "2025"
    before = shortest_connection(data, "tallinn-city", "sofia-municipality", NetworkOptions(as_of="2018"))
    assert not before["connected"] and before["not_in_network"] == [a] and not before["steps"]
    with pytest.raises(NetworkOptionError, match="not an organisation"):
        shortest_connection(data, "housing", "tallinn-city")


# --- exports ---------------------------------------------------------------------------------------------


def _scalar_attrs(data: dict) -> dict:
    return {k: v for k, v in data.items() if k != "spells"}


@pytest.mark.parametrize("kind", ["bipartite", "organisations", "countries"])
def test_gexf_reads_back_with_every_attribute_typed_and_spells(data: NetworkData, kind: str) -> None:
    network = build_network(data, NetworkOptions(kind=kind, evidence=("all",)))
    payload = to_gexf(network)
    back = nx.read_gexf(io.BytesIO(payload))
    assert back.graph["mode"] == "dynamic" and b'timeformat="date"' in payload
    assert b'"weighting": "shared"' in payload and b"test-release" in payload
    assert set(back) == set(network.graph) and back.number_of_edges() == network.graph.number_of_edges()
    for node, original in network.graph.nodes(data=True):
        read = back.nodes[node]
        for name, value in _scalar_attrs(original).items():
            assert read[name] == value and type(read[name]) is type(value), (node, name)
        assert read["spells"] == [(s, "None" if e is None else e) for s, e in original["spells"]]  # networkx reads an open end as 'None'
    for u, v, original in network.graph.edges(data=True):
        read = back.edges[u, v]
        for name, value in _scalar_attrs(original).items():
            assert read[name] == value and type(read[name]) is type(value), (u, v, name)
        assert len(read.get("spells", [])) == len(original["spells"])


@pytest.mark.parametrize("kind", ["bipartite", "partnerships", "countries"])
def test_graphml_reads_back_with_typed_keys(data: NetworkData, kind: str) -> None:
    network = build_network(data, NetworkOptions(kind=kind, weighting="jaccard"))
    back = nx.read_graphml(io.BytesIO(to_graphml(network)))
    assert back.graph["weighting"] == "jaccard" and back.graph["kind"] == kind and back.graph["release"] == "test-release"
    assert json.loads(back.graph["parameters"])["evidence"] == ["stated"]
    for node, original in network.graph.nodes(data=True):
        for name, value in _scalar_attrs(original).items():
            read = back.nodes[node][name]
            assert read == value and type(read) is type(value), (node, name)
        assert back.nodes[node]["periods"].count("/") == len(original["spells"])
    for u, v, original in network.graph.edges(data=True):
        for name, value in _scalar_attrs(original).items():
            read = back.edges[u, v][name]
            assert (read == value or (isinstance(value, float) and math.isclose(read, value))) and type(read) is type(value), (u, v, name)


def test_json_exports_carry_meta(data: NetworkData) -> None:
    network = build_network(data, NetworkOptions(kind="countries", weighting="newman", as_of="2020"))
    node_link = json.loads(json.dumps(to_node_link(network)))
    assert node_link["meta"]["weighting"] == "newman" and node_link["meta"]["release"] == "test-release"
    assert node_link["meta"]["parameters"]["as_of"] == "2020"
    assert len(node_link["nodes"]) == network.graph.number_of_nodes() and len(node_link["edges"]) == network.graph.number_of_edges()
    again = nx.node_link_graph(node_link, edges="edges")
    assert set(again) == set(network.graph)
    cyjs = json.loads(json.dumps(to_cytoscape_json(network)))
    assert cyjs["data"]["weighting"] == "newman"
    assert len(cyjs["elements"]["nodes"]) == network.graph.number_of_nodes()
    assert {e["data"]["source"] for e in cyjs["elements"]["edges"]} <= set(network.graph)


def test_csv_export(data: NetworkData) -> None:
    network = build_network(data, NetworkOptions(kind="organisations", weighting="jaccard"))
    nodes_csv, edges_csv = to_csv(network)
    nodes, edges = list(csv.DictReader(io.StringIO(nodes_csv))), list(csv.DictReader(io.StringIO(edges_csv)))
    assert len(nodes) == network.graph.number_of_nodes() and len(edges) == network.graph.number_of_edges()
    assert list(nodes[0])[:3] == ["id", "label", "kind"] and "betweenness" in nodes[0] and "community" in nodes[0]
    assert list(edges[0])[:4] == ["source", "target", "weight", "weighting"]
    assert {e["weighting"] for e in edges} == {"jaccard"}
    first = edges[0]
    assert float(first["weight"]) == pytest.approx(network.graph.edges[first["source"], first["target"]]["jaccard"])


# --- options and CLI --------------------------------------------------------------------------------------


def test_options_are_checked_and_read_from_parameters(data: NetworkData) -> None:
    options = NetworkOptions.from_params(
        {"kind": "countries", "as-of": "2017-06", "role": "coordinators", "theme": ["housing,digital-transition"], "unknown": "x"}
    )
    assert options.kind == "countries" and options.as_of == "2017-06" and options.roles == ("coordinator",)
    assert options.themes == ("digital-transition", "housing") and options.window()[1].isoformat() == "2017-06-30"
    assert options == NetworkOptions(kind="countries", as_of="2017-06", roles=("coordinator",), themes=("housing", "digital-transition"))
    with pytest.raises(NetworkOptionError, match="expected one of"):
        NetworkOptions(kind="people")
    with pytest.raises(NetworkOptionError, match="as_of"):
        NetworkOptions(as_of="2017-13")
    with pytest.raises(NetworkOptionError, match="themes: unknown value 'nope'"):
        build_network(data, NetworkOptions(themes=("nope",)))
    with pytest.raises(NetworkOptionError, match="partnerships: unknown partnership"):
        build_network(data, NetworkOptions(partnerships=("nope",)))


def test_filters_keep_what_they_say(data: NetworkData) -> None:
    coordinators = build_network(data, NetworkOptions(kind="bipartite", roles=("coordinators",))).graph
    assert {d["roles"] for _, _, d in coordinators.edges(data=True)} == {"coordinator"}
    cities = build_network(data, NetworkOptions(kind="organisations", partner_types=("city",))).graph
    assert cities.number_of_nodes() > 50 and {d["partner_type"] for _, d in cities.nodes(data=True)} == {"city"}
    themed = build_network(data, NetworkOptions(kind="bipartite", themes=("housing",))).graph
    assert {n for n, d in themed.nodes(data=True) if d["kind"] == "partnership"} == {ID + "partnership/housing"}
    weaker = build_network(data, NetworkOptions(kind="bipartite", evidence=("all",))).graph
    assert weaker.number_of_edges() > build_network(data, NetworkOptions(kind="bipartite")).graph.number_of_edges()
    assert any(d["weak"] for _, _, d in weaker.edges(data=True))


def test_built_networks_are_cached(data: NetworkData) -> None:
    options = NetworkOptions(kind="organisations", weighting="newman")
    assert build_network(data, options) is build_network(data, NetworkOptions(kind="organisations", weighting="newman"))
    assert isinstance(build_network(data, options), Network)


def test_cli_network_commands(release_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    build = ["--build", str(release_dir)]
    out = tmp_path / "countries.graphml"
    assert main(["network", "countries", "--format", "graphml", "--weighting", "jaccard", "--output", str(out), *build]) == 0
    assert nx.read_graphml(out).graph["weighting"] == "jaccard"
    assert (
        main(["network", "organisations", "--format", "csv", "--as-of", "2018", "--role", "coordinators", "--output", str(tmp_path / "org.csv"), *build]) == 0
    )
    assert (tmp_path / "org.nodes.csv").read_text(encoding="utf-8").startswith("id,label,kind")
    capsys.readouterr()
    assert main(["network", "path", "tallinn-city", "sofia-municipality", "--format", "text", *build]) == 0
    text = capsys.readouterr().out
    assert text.startswith("City of Tallinn -> Sofia Municipality") and "uaeu-pp-2025" in text
    assert main(["network", "ego", "housing", "--format", "json", *build]) == 0
    assert json.loads(capsys.readouterr().out)["meta"]["ego"]["centre"] == ID + "partnership/housing"
    assert main(["network", "ego", *build]) == 2
    assert main(["network", "organisations", "--theme", "nope", *build]) == 2
    assert "unknown value 'nope'" in capsys.readouterr().err
