"""The dataset described in VoID and DCAT: counts taken by SPARQL through the store, once per release.

`dataset_counts` runs the named queries of `graph/queries/void/` over the default graph (the union
of all graphs); `describe` turns the counts, the dumps and their checksums into the description
`/.well-known/void` serves. IRIs are in the data's space; links are under the public URL.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, XSD

from graph.config import Settings
from graph.formats import DUMP_FORMATS, by_extension
from graph.queries import NamedQuery, folder
from graph.release import dump_extension
from graph.store import GraphStore, Row

VOID = Namespace("http://rdfs.org/ns/void#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
IANA = "http://www.iana.org/assignments/media-types/"
CC_BY = URIRef("https://creativecommons.org/licenses/by/4.0/")
WIKIDATA = "http://www.wikidata.org/entity/"
EU_AUTHORITY = "http://publications.europa.eu/resource/authority/"


@dataclass(frozen=True)
class DumpFile:
    """One downloadable file of the release."""

    name: str
    path: Path
    format: str
    media_type: str
    compressed: bool
    size: int
    sha256: str


@dataclass(frozen=True)
class Served:
    """The release being served: its identifier, date, files and its VoID/DCAT description."""

    release: str
    issued: dt.date
    files: tuple[DumpFile, ...]
    sums: Path | None
    counts: dict[str, int]
    description: Graph


VOID_QUERIES: dict[str, NamedQuery] = folder("void")


def _rows(store: GraphStore, name: str, bindings: dict[str, ox.NamedNode | ox.Literal] | None = None) -> list[Row]:
    query = VOID_QUERIES[name]
    return store.select(query.text, query.bindings(bindings))


def _count(store: GraphStore, name: str) -> int:
    return int(_rows(store, name)[0]["n"].value)


def dataset_counts(store: GraphStore) -> dict[str, Any]:
    """The numbers VoID states, taken by SPARQL over the default graph (the union of all graphs)."""
    names = {"triples": "triples", "entities": "entities", "distinct_subjects": "distinct-subjects"}
    names |= {"distinct_objects": "distinct-objects", "properties": "properties", "classes": "classes"}
    counts: dict[str, Any] = {key: _count(store, name) for key, name in names.items()}
    counts["class_partitions"] = {s["c"].value: int(s["n"].value) for s in _rows(store, "class-partitions")}
    counts["property_partitions"] = {s["p"].value: int(s["n"].value) for s in _rows(store, "property-partitions")}
    linksets: dict[tuple[str, str], int] = {}
    for target in (WIKIDATA, EU_AUTHORITY):
        for s in _rows(store, "linkset", {"prefix": ox.Literal(target)}):
            linksets[(target, s["p"].value)] = int(s["n"].value)
    counts["linksets"] = linksets
    return counts


def describe(settings: Settings, public_url: str, release: str, issued: dt.date, files: Sequence[DumpFile], counts: dict[str, Any]) -> Graph:
    """VoID + DCAT description of the dataset (IRIs in the data space; links under the public URL)."""
    graph = Graph()
    for prefix, ns in (("void", VOID), ("dcat", DCAT), ("dct", DCTERMS), ("spdx", SPDX), ("owl", OWL)):
        graph.bind(prefix, ns)
    dataset = URIRef(settings.base + "dataset")
    add = graph.add
    add((dataset, RDF.type, VOID.Dataset))
    add((dataset, RDF.type, DCAT.Dataset))
    add((dataset, DCTERMS.title, Literal("Urban Agenda for the EU knowledge graph", lang="en")))
    add((dataset, DCTERMS.title, Literal("Граф на знанието за Градския дневен ред за ЕС", lang="bg")))
    add(
        (
            dataset,
            DCTERMS.description,
            Literal(
                "The thematic partnerships of the Urban Agenda for the EU: who coordinates and who takes part, themes, meetings, action plans; every fact with its source.",
                lang="en",
            ),
        )
    )
    add((dataset, DCTERMS.license, CC_BY))
    add((dataset, DCTERMS.issued, Literal(issued.isoformat(), datatype=XSD.date)))
    add((dataset, DCTERMS.modified, Literal(issued.isoformat(), datatype=XSD.date)))
    add((dataset, OWL.versionInfo, Literal(release)))
    add((dataset, DCAT.version, Literal(release)))
    add((dataset, DCAT.landingPage, URIRef(public_url)))
    add((dataset, VOID.uriSpace, Literal(settings.base + "id/")))
    add((dataset, VOID.exampleResource, URIRef(settings.base + "id/partnership/digital-transition")))
    add((dataset, VOID.sparqlEndpoint, URIRef(public_url + "sparql")))
    add((dataset, VOID.rootResource, URIRef(settings.base + "ontology")))
    add((dataset, VOID.triples, Literal(counts["triples"])))
    add((dataset, VOID.entities, Literal(counts["entities"])))
    add((dataset, VOID.distinctSubjects, Literal(counts["distinct_subjects"])))
    add((dataset, VOID.distinctObjects, Literal(counts["distinct_objects"])))
    add((dataset, VOID.properties, Literal(counts["properties"])))
    add((dataset, VOID.classes, Literal(counts["classes"])))
    service = URIRef(public_url + "sparql")
    add((service, RDF.type, DCAT.DataService))
    add((service, DCAT.endpointURL, service))
    add((service, DCAT.servesDataset, dataset))
    add((service, DCTERMS.conformsTo, URIRef("https://www.w3.org/TR/sparql11-protocol/")))
    for number, (cls, n) in enumerate(sorted(counts["class_partitions"].items()), start=1):
        part = URIRef(f"{settings.base}dataset#class-{number}")
        add((dataset, VOID.classPartition, part))
        add((part, VOID["class"], URIRef(cls)))
        add((part, VOID.entities, Literal(n)))
    for number, (prop, n) in enumerate(sorted(counts["property_partitions"].items()), start=1):
        part = URIRef(f"{settings.base}dataset#property-{number}")
        add((dataset, VOID.propertyPartition, part))
        add((part, VOID.property, URIRef(prop)))
        add((part, VOID.triples, Literal(n)))
    targets = {WIKIDATA: URIRef("http://www.wikidata.org/"), EU_AUTHORITY: URIRef("http://publications.europa.eu/resource/authority/")}
    for number, ((target, prop), n) in enumerate(sorted(counts["linksets"].items()), start=1):
        linkset = URIRef(f"{settings.base}dataset#linkset-{number}")
        add((linkset, RDF.type, VOID.Linkset))
        add((dataset, VOID.subset, linkset))
        add((linkset, VOID.subjectsTarget, dataset))
        add((linkset, VOID.objectsTarget, targets[target]))
        add((targets[target], RDF.type, VOID.Dataset))
        add((linkset, VOID.linkPredicate, URIRef(prop)))
        add((linkset, VOID.triples, Literal(n)))
    for file in files:
        url = URIRef(public_url + "dumps/" + file.name)
        if not file.compressed:
            add((dataset, VOID.dataDump, url))
        dist = URIRef(f"{settings.base}dataset#dump-{file.name}")
        add((dataset, DCAT.distribution, dist))
        add((dist, RDF.type, DCAT.Distribution))
        add((dist, DCTERMS.title, Literal(file.format)))
        add((dist, DCAT.downloadURL, url))
        add((dist, DCAT.accessURL, URIRef(public_url + "dumps/")))
        media = file.media_type if not file.compressed else _uncompressed_media_type(file.name)
        add((dist, DCAT.mediaType, URIRef(IANA + media)))
        if file.compressed:
            add((dist, DCAT.compressFormat, URIRef(IANA + "application/gzip")))
        add((dist, DCAT.byteSize, Literal(file.size, datatype=XSD.nonNegativeInteger)))
        add((dist, DCTERMS.license, CC_BY))
        checksum = URIRef(f"{settings.base}dataset#sha256-{file.name}")
        add((dist, SPDX.checksum, checksum))
        add((checksum, RDF.type, SPDX.Checksum))
        add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
        add((checksum, SPDX.checksumValue, Literal(file.sha256, datatype=XSD.hexBinary)))
    return graph


def _uncompressed_media_type(name: str) -> str:
    extension, _ = dump_extension(name) or ("", False)
    found = by_extension(extension, DUMP_FORMATS)
    return found.media_type if found else "application/octet-stream"


PROV = Namespace("http://www.w3.org/ns/prov#")


@dataclass(frozen=True)
class Version:
    """One release as the dataset's versions list it."""

    id: str
    folder: str
    issued: dt.date


def version_iri(settings: Settings, folder: str) -> URIRef:
    """A release's IRI in the data space: one version of `{base}dataset`."""
    return URIRef(f"{settings.base}dataset/{folder}")


def describe_version(description: Graph, settings: Settings, public_url: str, version: Version, previous: Version | None) -> Graph:
    """A release's own VoID/DCAT: the description of its dataset (made under its /releases/{id}/
    URLs), moved to the version's IRI, with `dct:isVersionOf` the dataset and links to the release before."""
    dataset = URIRef(settings.base + "dataset")
    mine = version_iri(settings, version.folder)
    parts = settings.base + "dataset#"

    def moved(term: Any) -> Any:
        if term == dataset:
            return mine
        if isinstance(term, URIRef) and str(term).startswith(parts):
            return URIRef(f"{mine}#{str(term)[len(parts) :]}")
        return term

    graph = Graph()
    for prefix, namespace in description.namespaces():
        graph.bind(prefix, namespace)
    graph.bind("prov", PROV)
    for s, p, o in description:
        graph.add((moved(s), p, moved(o)))
    add = graph.add
    add((mine, DCTERMS.isVersionOf, dataset))
    add((dataset, DCAT.hasVersion, mine))
    add((mine, DCAT.version, Literal(version.id)))
    add((mine, DCTERMS.issued, Literal(version.issued.isoformat(), datatype=XSD.date)))
    add((mine, DCAT.landingPage, URIRef(f"{public_url}releases/{version.folder}/")))
    ontology = URIRef(settings.base + "ontology")
    add((ontology, OWL.versionInfo, Literal(version.id.split("+", 1)[0])))
    add((mine, DCTERMS.conformsTo, ontology))
    if previous is not None:
        before = version_iri(settings, previous.folder)
        add((mine, DCAT.previousVersion, before))
        add((mine, PROV.wasRevisionOf, before))
        add((before, DCAT.version, Literal(previous.id)))
    return graph


def add_versions(description: Graph, settings: Settings, versions: Sequence[Version]) -> Graph:
    """The dataset's description with every release in the archive as a `dcat:hasVersion` (oldest first, each after the one before)."""
    graph = Graph()
    for prefix, namespace in description.namespaces():
        graph.bind(prefix, namespace)
    graph.bind("prov", PROV)
    for triple in description:
        graph.add(triple)
    dataset = URIRef(settings.base + "dataset")
    previous: URIRef | None = None
    for version in versions:
        mine = version_iri(settings, version.folder)
        graph.add((dataset, DCAT.hasVersion, mine))
        graph.add((mine, DCTERMS.isVersionOf, dataset))
        graph.add((mine, DCAT.version, Literal(version.id)))
        graph.add((mine, DCTERMS.issued, Literal(version.issued.isoformat(), datatype=XSD.date)))
        if previous is not None:
            graph.add((mine, DCAT.previousVersion, previous))
        previous = mine
    return graph
