"""Turn checked curated data into RDF quads, following docs/rdf-mapping.md.

Every fact goes into the named graph of each source that supports it, so provenance can be
queried with GRAPH; `dct:source` on each record answers the same question the other way round.
No blank nodes: every node has an IRI, which keeps dumps stable from build to build.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from graph.builder.curated import CuratedData
from graph.builder.readers import Record
from graph.dates import date_literal, instant_property
from graph.namespaces import COUNTRY, CV, DCTERMS, EU_CORPORATE_BODY, FOAF, ORG, RDF, RDFS, SCHEMA, SKOS, TIME, WIKIDATA, XSD, Minter
from graph.vocabulary import MEMBER_ROLES

Quad = tuple[Node, Node, Node, URIRef]

PUBLIC_KINDS = {
    "member-state",
    "city",
    "region",
    "metropolitan-authority",
    "intermunicipal-body",
    "national-agency",
    "national-devolved-government",
    "eu-institution-dg",
    "eu-body",
}
#: Roles that make an organisation a member of the partnership (the `org:memberOf` shortcut).


class QuadSink:
    """Collects quads; a triple stated by several sources goes into each source's graph."""

    def __init__(self, mint: Minter) -> None:
        self.mint = mint
        self.quads: set[Quad] = set()
        self.origins: dict[URIRef, tuple[str, int]] = {}

    def graphs_for(self, sources: Iterable[str]) -> list[URIRef]:
        return [self.mint.graph(f"source/{s}") for s in sources]

    def add(self, s: Node, p: Node, o: Node, graphs: list[URIRef]) -> None:
        for g in graphs:
            self.quads.add((s, p, o, g))

    def labels(self, s: URIRef, texts: dict[str, str], graphs: list[URIRef], *, rdfs_label: bool = True) -> None:
        for lang, text in sorted(texts.items()):
            self.add(s, SKOS.prefLabel, Literal(text, lang=lang), graphs)
            if rdfs_label:
                self.add(s, RDFS.label, Literal(text, lang=lang), graphs)

    def note(self, s: URIRef, text: str, graphs: list[URIRef], prop: URIRef = SKOS.note) -> None:
        if text:
            self.add(s, prop, Literal(text, lang="en"), graphs)

    def sources(self, s: URIRef, sources: Iterable[str], graphs: list[URIRef]) -> None:
        for source in sources:
            self.add(s, DCTERMS.source, self.mint.instance("source", source), graphs)

    def remember(self, node: URIRef, record: Record) -> None:
        self.origins.setdefault(node, (record.file, record.line))


def _names(record: Record, en: str = "name_en", bg: str = "name_bg") -> dict[str, str]:
    names = {"en": record.get(en, "")}
    if record.get(bg):
        names["bg"] = record.get(bg)
    local, lang = record.get("name_local"), record.get("local_lang")
    if local and lang and lang not in names:
        names[lang] = local
    return {k: v for k, v in names.items() if v}


def build_quads(data: CuratedData, model: Graph, mint: Minter) -> QuadSink:
    """All quads of a release: the model, the source descriptions and every curated fact."""
    sink = QuadSink(mint)
    model_graph = mint.graph("model")
    for s, p, o in model:
        sink.quads.add((s, p, o, model_graph))
    _sources(sink, data)
    _countries(sink, data)
    _places(sink, data)
    _organisations(sink, data)
    _people(sink, data)
    _partnerships(sink, data)
    _memberships(sink, data)
    _events(sink, data)
    return sink


def _sources(sink: QuadSink, data: CuratedData) -> None:
    graph = [sink.mint.graph("sources")]
    for ident, record in data.sources.items():
        doc = sink.mint.instance("source", ident)
        sink.remember(doc, record)
        sink.add(doc, RDF.type, FOAF.Document, graph)
        sink.add(doc, DCTERMS.title, Literal(record.get("title")), graph)
        sink.add(doc, RDFS.label, Literal(record.get("title")), graph)
        if record.get("publisher"):
            sink.add(doc, DCTERMS.publisher, Literal(record.get("publisher")), graph)
        if record.get("date"):
            sink.add(doc, DCTERMS.issued, date_literal(record.get("date")), graph)
        sink.add(doc, SCHEMA.url, URIRef(record.get("url")), graph)
        sink.note(doc, record.get("evidence"), graph, DCTERMS.description)
        sink.note(doc, record.get("note"), graph)
        sink.add(sink.mint.graph(f"source/{ident}"), DCTERMS.source, doc, graph)


def country_iri(data: CuratedData, iso2: str) -> URIRef:
    return COUNTRY[data.countries[iso2].get("iso3")]


def _countries(sink: QuadSink, data: CuratedData) -> None:
    for iso2, record in data.countries.items():
        graphs = sink.graphs_for(record.get("sources"))
        country = country_iri(data, iso2)
        sink.remember(country, record)
        sink.add(country, RDF.type, SCHEMA.Country, graphs)
        sink.add(country, RDF.type, DCTERMS.Location, graphs)
        sink.labels(country, _names(record), graphs)
        sink.add(country, SKOS.notation, Literal(iso2), graphs)
        if record.get("wikidata"):
            sink.add(country, SCHEMA.sameAs, WIKIDATA[record.get("wikidata")], graphs)
        sink.sources(country, record.get("sources"), graphs)
        sink.note(country, record.get("note"), graphs)


def _places(sink: QuadSink, data: CuratedData) -> None:
    types = {"city": SCHEMA.City, "region": SCHEMA.AdministrativeArea, "venue": SCHEMA.Place}
    for ident, record in data.places.items():
        graphs = sink.graphs_for(record.get("sources"))
        place = sink.mint.instance("place", ident)
        sink.remember(place, record)
        sink.add(place, RDF.type, types[record.get("type")], graphs)
        sink.labels(place, _names(record), graphs)
        if record.get("within"):
            sink.add(place, SCHEMA.containedInPlace, sink.mint.instance("place", record.get("within")), graphs)
        elif record.get("country"):
            sink.add(place, SCHEMA.containedInPlace, country_iri(data, record.get("country")), graphs)
        if record.get("country"):
            sink.add(place, SCHEMA.addressCountry, country_iri(data, record.get("country")), graphs)
        if record.get("wikidata"):
            sink.add(place, SCHEMA.sameAs, WIKIDATA[record.get("wikidata")], graphs)
        if record.get("geonames"):
            sink.add(place, SCHEMA.sameAs, URIRef(f"https://sws.geonames.org/{record.get('geonames')}/"), graphs)
        if record.get("lat"):
            sink.add(place, SCHEMA.latitude, Literal(record.get("lat"), datatype=XSD.decimal), graphs)
            sink.add(place, SCHEMA.longitude, Literal(record.get("lon"), datatype=XSD.decimal), graphs)
        sink.sources(place, record.get("sources"), graphs)
        sink.note(place, record.get("note"), graphs)


def _organisations(sink: QuadSink, data: CuratedData) -> None:
    for ident, record in data.organisations.items():
        graphs = sink.graphs_for(record.get("sources"))
        org = sink.mint.instance("organisation", ident)
        sink.remember(org, record)
        sink.add(org, RDF.type, ORG.Organization, graphs)
        if record.get("kind") in PUBLIC_KINDS:
            sink.add(org, RDF.type, CV.PublicOrganisation, graphs)
        sink.labels(org, _names(record), graphs)
        sink.add(org, ORG.classification, sink.mint.concept("partner-type", record.get("kind")), graphs)
        if record.get("country"):
            sink.add(org, DCTERMS.spatial, country_iri(data, record.get("country")), graphs)
        if record.get("place"):
            sink.add(org, DCTERMS.spatial, sink.mint.instance("place", record.get("place")), graphs)
        # The same link places and countries use: identifiers checked against datasets (data/README.md).
        if record.get("wikidata"):
            sink.add(org, SCHEMA.sameAs, WIKIDATA[record.get("wikidata")], graphs)
        if record.get("eu_corporate_body"):
            sink.add(org, SCHEMA.sameAs, EU_CORPORATE_BODY[record.get("eu_corporate_body")], graphs)
        sink.sources(org, record.get("sources"), graphs)
        sink.note(org, record.get("note"), graphs)


def _people(sink: QuadSink, data: CuratedData) -> None:
    for ident, record in data.people.items():
        graphs = sink.graphs_for(record.get("sources"))
        person = sink.mint.instance("person", ident)
        sink.remember(person, record)
        sink.add(person, RDF.type, FOAF.Person, graphs)
        sink.add(person, RDF.type, SCHEMA.Person, graphs)
        sink.add(person, FOAF.name, Literal(record.get("name")), graphs)
        names = {"en": record.get("name")} | ({"bg": record.get("name_bg")} if record.get("name_bg") else {})
        sink.labels(person, names, graphs)
        sink.add(person, SCHEMA.jobTitle, Literal(record.get("office_en"), lang="en"), graphs)
        if record.get("office_bg"):
            sink.add(person, SCHEMA.jobTitle, Literal(record.get("office_bg"), lang="bg"), graphs)
        if record.get("organisation"):
            sink.add(person, SCHEMA.affiliation, sink.mint.instance("organisation", record.get("organisation")), graphs)
        sink.sources(person, record.get("sources"), graphs)
        sink.note(person, record.get("note"), graphs)


def _period(sink: QuadSink, ident: str, start: str, end: str, graphs: list[URIRef], certainty: str = "", conflicts: Iterable[str] = ()) -> URIRef:
    period = sink.mint.instance("period", ident)
    sink.add(period, RDF.type, TIME.Interval, graphs)
    for prop, value in ((TIME.hasBeginning, start), (TIME.hasEnd, end)):
        if value:
            instant = sink.mint.instance("instant", value)
            sink.add(period, prop, instant, graphs)
            sink.add(instant, RDF.type, TIME.Instant, graphs)
            sink.add(instant, TIME[instant_property(value)], date_literal(value), graphs)
    if certainty:
        sink.add(period, sink.mint.uaeu.dateCertainty, Literal(certainty), graphs)
    for conflict in conflicts:
        sink.add(period, sink.mint.uaeu.conflict, Literal(conflict, lang="en"), graphs)
    return period


def _partnerships(sink: QuadSink, data: CuratedData) -> None:
    uaeu = sink.mint.uaeu
    for ident, record in data.partnerships.items():
        graphs = sink.graphs_for(record.get("sources"))
        node = sink.mint.instance("partnership", ident)
        sink.remember(node, record)
        sink.add(node, RDF.type, uaeu.Partnership, graphs)
        sink.add(node, RDF.type, ORG.OrganizationalCollaboration, graphs)
        sink.labels(node, record.get("name"), graphs)
        for lang, text in record.get("short_name").items():
            sink.add(node, SKOS.altLabel, Literal(text, lang=lang), graphs)
        for lang, text in record.get("generation").items():
            sink.add(node, SKOS.historyNote, Literal(text, lang=lang), graphs)
        for theme in record.get("themes"):
            sink.add(node, DCTERMS.subject, sink.mint.concept("theme", theme), graphs)
        sink.sources(node, record.get("sources"), graphs)
        sink.note(node, record.get("note"), graphs)
        start, end = record.get("start"), record.get("end")
        period_graphs = sorted(set(graphs) | set(sink.graphs_for(start["sources"])) | set(sink.graphs_for(end["sources"] if end else [])))
        certainty = "; ".join(
            x for x in (f"start: {start['certainty']}" if start["certainty"] else "", f"end: {end['certainty']}" if end and end["certainty"] else "") if x
        )
        conflicts = [*start["conflicts"], *(end["conflicts"] if end else [])]
        period = _period(sink, f"partnership-{ident}", start["date"], end["date"] if end else "", period_graphs, certainty, conflicts)
        sink.add(node, DCTERMS.temporal, period, graphs)
        for dated in (start, end):
            if dated and dated["note"]:
                sink.note(period, dated["note"], period_graphs)
        count = record.get("stated_member_count")
        if count:
            cgraphs = sink.graphs_for(count["sources"])
            sink.add(node, uaeu.statedMemberCount, Literal(count["text"], lang="en"), cgraphs)
            if count.get("count") is not None:
                # The number beside the words, so a query can compare it with the recorded members.
                sink.add(node, uaeu.statedMemberTotal, Literal(count["count"], datatype=XSD.nonNegativeInteger), cgraphs)
        _milestones(sink, ident, node, record.get("milestones"))
        _action_plan(sink, ident, node, record)


def _milestones(sink: QuadSink, ident: str, partnership: URIRef, milestones: list[dict[str, Any]]) -> None:
    uaeu = sink.mint.uaeu
    seen: dict[str, int] = {}
    for milestone in milestones:
        kind = milestone["kind"]
        seen[kind] = seen.get(kind, 0) + 1
        suffix = "" if seen[kind] == 1 else f"-{seen[kind]}"
        node = sink.mint.instance("milestone", f"{ident}-{kind}{suffix}")
        graphs = sink.graphs_for(milestone["sources"])
        sink.add(node, RDF.type, SCHEMA.Event, graphs)
        label = f"{kind.replace('-', ' ').capitalize()}: {ident.replace('-', ' ')}"
        sink.add(node, SCHEMA.name, Literal(label, lang="en"), graphs)
        sink.add(node, SCHEMA.additionalType, sink.mint.concept("event-type", kind if kind != "kick-off" else "kick-off-meeting"), graphs)
        sink.add(node, uaeu.partnership, partnership, graphs)
        sink.add(node, SCHEMA.startDate, date_literal(milestone["date"]), graphs)
        if milestone["end"]:
            sink.add(node, SCHEMA.endDate, date_literal(milestone["end"]), graphs)
        if milestone["certainty"]:
            sink.add(node, uaeu.dateCertainty, Literal(milestone["certainty"]), graphs)
        for conflict in milestone["conflicts"]:
            sink.add(node, uaeu.conflict, Literal(conflict, lang="en"), graphs)
        sink.sources(node, milestone["sources"], graphs)
        sink.note(node, milestone["note"], graphs)


def _action_plan(sink: QuadSink, ident: str, partnership: URIRef, record: Record) -> None:
    plan = record.get("action_plan")
    if not plan:
        return
    uaeu = sink.mint.uaeu
    date = plan["date"]
    plan_sources = list(dict.fromkeys([*plan["sources"], *(date["sources"] if date else [])])) or record.get("sources")
    graphs = sink.graphs_for(plan_sources)
    node = sink.mint.instance("action-plan", ident)
    sink.add(node, RDF.type, uaeu.ActionPlan, graphs)
    sink.add(node, RDF.type, FOAF.Document, graphs)
    title = plan["title"] or {"en": f"Action Plan of the {record.get('name')['en']}"}
    for lang, text in title.items():
        sink.add(node, DCTERMS.title, Literal(text, lang=lang), graphs)
        sink.add(node, RDFS.label, Literal(text, lang=lang), graphs)
    sink.add(node, uaeu.partnership, partnership, graphs)
    if date:
        sink.add(node, DCTERMS.issued, date_literal(date["date"]), graphs)
        if date["certainty"]:
            sink.add(node, uaeu.dateCertainty, Literal(date["certainty"]), graphs)
        for conflict in date["conflicts"]:
            sink.add(node, uaeu.conflict, Literal(conflict, lang="en"), graphs)
        sink.note(node, date["note"], graphs)
    sink.note(node, plan["note"], graphs)
    sink.sources(node, plan_sources, graphs)
    for action in plan["actions"]:
        agraphs = sink.graphs_for(action.get("sources"))
        anode = sink.mint.instance("action", action.get("id"))
        sink.remember(anode, action)
        sink.add(anode, RDF.type, uaeu.Action, agraphs)
        if action.get("number"):
            sink.add(anode, uaeu.actionNumber, Literal(action.get("number")), agraphs)
        for lang, text in action.get("title").items():
            sink.add(anode, DCTERMS.title, Literal(text, lang=lang), agraphs)
            sink.add(anode, RDFS.label, Literal(text, lang=lang), agraphs)
        if action.get("pillar"):
            sink.add(anode, uaeu.pillar, sink.mint.concept("pillar", action.get("pillar")), agraphs)
        for leader in action.get("leaders"):
            sink.add(anode, uaeu.leader, sink.mint.instance("organisation", leader), agraphs)
        sink.add(anode, DCTERMS.isPartOf, node, agraphs)
        sink.add(node, DCTERMS.hasPart, anode, agraphs)
        sink.note(anode, action.get("status"), agraphs)
        sink.note(anode, action.get("note"), agraphs)
        sink.sources(anode, action.get("sources"), agraphs)


def _memberships(sink: QuadSink, data: CuratedData) -> None:
    uaeu = sink.mint.uaeu
    for ident, record in data.memberships.items():
        graphs = sink.graphs_for(record.get("sources"))
        node = sink.mint.instance("membership", ident)
        sink.remember(node, record)
        partnership = sink.mint.instance("partnership", record.get("partnership"))
        org = sink.mint.instance("organisation", record.get("organisation"))
        role, evidence = record.get("role"), record.get("evidence")
        sink.add(node, RDF.type, ORG.Membership, graphs)
        sink.add(node, ORG.organization, partnership, graphs)
        sink.add(node, ORG.member, org, graphs)
        sink.add(node, ORG.role, sink.mint.concept("role", role), graphs)
        sink.add(node, uaeu.evidence, sink.mint.concept("evidence", evidence), graphs)
        if record.get("start") or record.get("end"):
            period = _period(sink, f"membership-{ident}", record.get("start"), record.get("end"), graphs)
            sink.add(node, ORG.memberDuring, period, graphs)
        sink.sources(node, record.get("sources"), graphs)
        sink.note(node, record.get("note"), graphs)
        if evidence == "stated" and role in MEMBER_ROLES:
            sink.add(org, ORG.memberOf, partnership, graphs)
            sink.add(partnership, ORG.hasMember, org, graphs)
            if role == "coordinator":
                sink.add(org, uaeu.coordinates, partnership, graphs)


def _events(sink: QuadSink, data: CuratedData) -> None:
    uaeu = sink.mint.uaeu
    for ident, record in data.events.items():
        graphs = sink.graphs_for(record.get("sources"))
        node = sink.mint.instance("event", ident)
        sink.remember(node, record)
        sink.add(node, RDF.type, SCHEMA.Event, graphs)
        for lang, text in record.get("title").items():
            sink.add(node, SCHEMA.name, Literal(text, lang=lang), graphs)
            sink.add(node, RDFS.label, Literal(text, lang=lang), graphs)
        sink.add(node, SCHEMA.additionalType, sink.mint.concept("event-type", record.get("type")), graphs)
        sink.add(node, SCHEMA.startDate, date_literal(record.get("start")), graphs)
        if record.get("end"):
            sink.add(node, SCHEMA.endDate, date_literal(record.get("end")), graphs)
        if record.get("date_certainty"):
            sink.add(node, uaeu.dateCertainty, Literal(record.get("date_certainty")), graphs)
        if record.get("partnership"):
            sink.add(node, uaeu.partnership, sink.mint.instance("partnership", record.get("partnership")), graphs)
        if record.get("venue"):
            sink.add(node, SCHEMA.location, sink.mint.instance("place", record.get("venue")), graphs)
        elif record.get("place"):
            sink.add(node, SCHEMA.location, sink.mint.instance("place", record.get("place")), graphs)
        for host in record.get("hosts"):
            sink.add(node, SCHEMA.organizer, sink.mint.instance("organisation", host), graphs)
        for participant in record.get("participants"):
            sink.add(node, SCHEMA.attendee, sink.mint.instance("organisation", participant), graphs)
        for person in record.get("people"):
            person_iri = sink.mint.instance("person", person["person"])
            sink.add(node, SCHEMA.attendee, person_iri, graphs)
            if person["opened"]:
                sink.add(node, uaeu.openedBy, person_iri, graphs)
        for theme in record.get("topics"):
            sink.add(node, SCHEMA.about, sink.mint.concept("theme", theme), graphs)
        for lang, text in record.get("attendance_note").items():
            sink.add(node, SKOS.scopeNote, Literal(text, lang=lang), graphs)
        for panel in record.get("panels"):
            pnode = sink.mint.instance("event", panel["id"])
            sink.add(node, SCHEMA.subEvent, pnode, graphs)
            sink.add(pnode, SCHEMA.superEvent, node, graphs)
            sink.add(pnode, RDF.type, SCHEMA.Event, graphs)
            sink.add(pnode, SCHEMA.additionalType, sink.mint.concept("event-type", "panel"), graphs)
            sink.add(pnode, SCHEMA.position, Literal(panel["position"]), graphs)
            for lang, text in panel["title"].items():
                sink.add(pnode, SCHEMA.name, Literal(text, lang=lang), graphs)
                sink.add(pnode, RDFS.label, Literal(text, lang=lang), graphs)
            sink.sources(pnode, record.get("sources"), graphs)
        for conflict in record.get("conflicts"):
            sink.add(node, uaeu.conflict, Literal(conflict, lang="en"), graphs)
        sink.sources(node, record.get("sources"), graphs)
        sink.note(node, record.get("note"), graphs)
