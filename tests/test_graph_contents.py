"""What the graph must say, asked in SPARQL over the built dump."""

from __future__ import annotations

import pyoxigraph as ox

from tests.conftest import ID, select

PREFIXES = """
PREFIX uaeu: <https://w3id.org/uaeu/ontology#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX schema: <https://schema.org/>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
"""


def test_every_membership_has_a_described_source(store: ox.Store) -> None:
    rows = select(
        store,
        PREFIXES
        + """SELECT ?m WHERE { ?m a org:Membership .
             FILTER NOT EXISTS { ?m dct:source ?s . ?s a foaf:Document ; dct:title ?t ; schema:url ?u } }""",
    )
    assert rows == []
    total = select(store, PREFIXES + "SELECT (COUNT(?m) AS ?n) WHERE { ?m a org:Membership }")
    assert int(total[0]["n"]) >= 360


def test_weaker_evidence_is_never_shown_as_confirmed(store: ox.Store) -> None:
    rows = select(
        store,
        PREFIXES
        + """SELECT ?org ?p WHERE {
             ?m org:member ?org ; org:organization ?p ; uaeu:evidence/skos:notation ?e . FILTER(?e != "stated")
             FILTER NOT EXISTS { ?m2 org:member ?org ; org:organization ?p ; uaeu:evidence/skos:notation "stated" ;
                                     org:role/skos:notation ?r . FILTER(?r IN ("coordinator", "member")) }
             { ?org org:memberOf ?p } UNION { ?org uaeu:coordinates ?p } }""",
    )
    assert rows == []
    weak = select(store, PREFIXES + 'SELECT ?m WHERE { ?m uaeu:evidence/skos:notation ?e . FILTER(?e != "stated") }')
    assert len(weak) >= 5


def test_building_decarbonisation_has_no_invented_coordinator(store: ox.Store) -> None:
    rows = select(
        store,
        PREFIXES + 'SELECT ?p ?m WHERE { ?m org:organization ?p ; org:role/skos:notation "coordinator" }',
        p=ox.NamedNode(ID + "partnership/building-decarbonisation"),
    )
    assert rows == []


def test_countries_are_the_eu_authority_iris(store: ox.Store) -> None:
    rows = select(store, PREFIXES + "SELECT ?c WHERE { ?c a schema:Country }")
    assert len(rows) >= 27
    assert all(r["c"].startswith("http://publications.europa.eu/resource/authority/country/") for r in rows)
    bulgaria = select(
        store,
        PREFIXES + 'SELECT ?c ?en ?bg WHERE { ?c skos:prefLabel ?en, ?bg FILTER(LANG(?en)="en" && LANG(?bg)="bg") }',
        c=ox.NamedNode("http://publications.europa.eu/resource/authority/country/BGR"),
    )
    assert [(r["en"], r["bg"]) for r in bulgaria] == [("Bulgaria", "България")]


def test_member_states_take_part_through_a_body_not_a_country(store: ox.Store) -> None:
    rows = select(store, PREFIXES + "SELECT ?c WHERE { ?m org:member ?c . ?c a schema:Country }")
    assert rows == []
    estonia = select(
        store,
        PREFIXES + "SELECT ?o ?country WHERE { ?o dct:spatial ?country . ?country a schema:Country }",
        o=ox.NamedNode(ID + "organisation/estonia-national-authorities"),
    )
    assert [r["country"] for r in estonia] == ["http://publications.europa.eu/resource/authority/country/EST"]


def test_city_and_its_authority_are_two_resources(store: ox.Store) -> None:
    rows = select(
        store,
        PREFIXES + "SELECT ?o ?type WHERE { ?o dct:spatial ?city . ?city a ?type . FILTER(?type = schema:City) }",
        o=ox.NamedNode(ID + "organisation/sofia-municipality"),
    )
    assert [r["type"] for r in rows] == ["https://schema.org/City"]


def test_conflicting_dates_are_recorded(store: ox.Store) -> None:
    rows = select(store, PREFIXES + "SELECT ?x ?c WHERE { ?x uaeu:conflict ?c }")
    assert len(rows) >= 5


def test_every_partnership_has_theme_start_and_sources(store: ox.Store) -> None:
    rows = select(
        store,
        PREFIXES
        + """PREFIX time: <http://www.w3.org/2006/time#>
        SELECT ?p WHERE { ?p a uaeu:Partnership .
          FILTER NOT EXISTS { ?p dct:subject ?t ; dct:temporal/time:hasBeginning ?b ; dct:source ?s } }""",
    )
    assert rows == []
    assert len(select(store, PREFIXES + "SELECT ?p WHERE { ?p a uaeu:Partnership }")) == 20


def test_the_sofia_meeting_as_the_press_release_describes_it(store: ox.Store) -> None:
    event = ox.NamedNode(ID + "event/dt-2nd-sofia-2017")
    rows = select(
        store,
        PREFIXES
        + """SELECT ?e ?start ?end ?venue ?p (COUNT(DISTINCT ?panel) AS ?panels) (COUNT(DISTINCT ?host) AS ?hosts) WHERE {
          ?e schema:startDate ?start ; schema:endDate ?end ; schema:location/skos:prefLabel ?venue ;
             uaeu:partnership ?p ; schema:subEvent ?panel ; schema:organizer ?host .
          FILTER(LANG(?venue) = "bg") } GROUP BY ?e ?start ?end ?venue ?p""",
        e=event,
    )
    assert rows == [
        {
            "e": ID + "event/dt-2nd-sofia-2017",
            "start": "2017-06-07",
            "end": "2017-06-08",
            "venue": "хотел „КООП“",
            "p": ID + "partnership/digital-transition",
            "panels": "7",
            "hosts": "2",
        }
    ]
