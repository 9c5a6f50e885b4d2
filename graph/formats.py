"""Every format we write, once: its name, title, file extension, media types and codecs.

One registry for the dumps, the SPARQL endpoint's answers, the resource pages' RDF, the VoID
description, the network exports and the pages' JSON twins, so a format has one name and one
media type everywhere. `aliases` are the other names clients send in `format=` (SPARQLWrapper,
YASGUI, Virtuoso and Fuseki users); `media_aliases` the other media types they send in `Accept`
for the same thing. The web app's content negotiation (webapp.plumbing) reads these; the
serialisers read `rdf` (pyoxigraph) and `rdflib` (rdflib, for graphs built with it).

This module uses pyoxigraph's format constants only: every layer may import it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pyoxigraph as ox

#: What a format carries.
GRAPH = "graph"  # RDF triples
DATASET = "dataset"  # RDF quads (named graphs)
RESULTS = "results"  # SPARQL SELECT/ASK results
PAGE = "page"  # a page for people, or its JSON twin
NETWORK = "network"  # a network export


@dataclass(frozen=True)
class Format:
    name: str
    title: str
    media_type: str
    extension: str
    kind: str
    aliases: tuple[str, ...] = ()
    media_aliases: tuple[str, ...] = ()
    #: A text format: its Content-Type says charset=utf-8.
    text: bool = False
    rdf: ox.RdfFormat | None = None
    rdflib: str | None = None

    @property
    def content_type(self) -> str:
        return self.media_type + ("; charset=utf-8" if self.text else "")

    @property
    def names(self) -> tuple[str, ...]:
        """Every name `format=` may use for it: the name, the extension and the aliases."""
        return (self.name, self.extension, *self.aliases)


TURTLE = Format("turtle", "Turtle", "text/turtle", "ttl", GRAPH, ("n3",), ("application/x-turtle",), True, ox.RdfFormat.TURTLE, "turtle")
NTRIPLES = Format("ntriples", "N-Triples", "application/n-triples", "nt", GRAPH, ("n-triples",), ("text/plain",), True, ox.RdfFormat.N_TRIPLES, "nt")
JSONLD = Format("jsonld", "JSON-LD", "application/ld+json", "jsonld", GRAPH, ("json-ld", "json"), ("application/json",), False, ox.RdfFormat.JSON_LD, "json-ld")
RDFXML = Format(
    "rdfxml", "RDF/XML", "application/rdf+xml", "rdf", GRAPH, ("rdf+xml", "xml"), ("application/xml", "text/xml"), False, ox.RdfFormat.RDF_XML, "xml"
)
TRIG = Format("trig", "TriG", "application/trig", "trig", DATASET, (), (), True, ox.RdfFormat.TRIG, "trig")
NQUADS = Format("nquads", "N-Quads", "application/n-quads", "nq", DATASET, (), (), True, ox.RdfFormat.N_QUADS, "nquads")

SPARQL_JSON = Format("json", "SPARQL results in JSON", "application/sparql-results+json", "srj", RESULTS, (), ("application/json",))
SPARQL_XML = Format("xml", "SPARQL results in XML", "application/sparql-results+xml", "srx", RESULTS, (), ("application/xml", "text/xml"))
CSV = Format("csv", "CSV", "text/csv", "csv", RESULTS, text=True)
TSV = Format("tsv", "TSV", "text/tab-separated-values", "tsv", RESULTS, text=True)

HTML = Format("html", "HTML", "text/html", "html", PAGE, media_aliases=("application/xhtml+xml",), text=True)
JSON = Format("json", "JSON", "application/json", "json", PAGE)

NETWORK_JSON = Format("json", "node-link JSON", "application/json", "json", NETWORK)
GEXF = Format("gexf", "GEXF", "application/gexf+xml", "gexf", NETWORK, text=True)
GRAPHML = Format("graphml", "GraphML", "application/graphml+xml", "graphml", NETWORK, text=True)
CYJS = Format("cyjs", "Cytoscape JSON", "application/json", "cyjs", NETWORK)
NETWORK_CSV = Format("csv", "CSV (nodes and edges)", "text/csv", "csv", NETWORK, text=True)
ZIP = Format("zip", "ZIP", "application/zip", "zip", NETWORK)
GZIP = Format("gzip", "gzip", "application/gzip", "gz", DATASET)

#: SELECT/ASK answers of /sparql, in the server's order of preference.
RESULT_FORMATS = (SPARQL_JSON, SPARQL_XML, CSV, TSV)
#: CONSTRUCT/DESCRIBE answers of /sparql, in the server's order of preference.
GRAPH_FORMATS = (TURTLE, NTRIPLES, JSONLD, RDFXML)
#: A resource's document (/doc, /vocab, /ontology, VoID): RDF first, so only a client that names text/html gets the page.
DOCUMENT_FORMATS = (TURTLE, JSONLD, NTRIPLES, RDFXML, HTML)
#: The files of a release's dumps folder, in the order they are written.
DUMP_FORMATS = (TRIG, NQUADS, TURTLE, NTRIPLES, JSONLD)
#: Network exports, by name.
NETWORK_FORMATS = {f.name: f for f in (NETWORK_JSON, GEXF, GRAPHML, CYJS, NETWORK_CSV)}


def by_name(name: str, formats: Iterable[Format]) -> Format | None:
    """The format called `name` (its name, extension or an alias; any case), or None."""
    wanted = name.strip().lower()
    return next((f for f in formats if wanted in f.names), None)


def by_extension(extension: str, formats: Iterable[Format]) -> Format | None:
    return next((f for f in formats if f.extension == extension), None)


def by_media_type(media_type: str, formats: Iterable[Format]) -> Format | None:
    """The format with this media type (parameters ignored), its own first, then an alias."""
    media = media_type.split(";")[0].strip().lower()
    chosen = list(formats)
    return next((f for f in chosen if f.media_type == media), None) or next((f for f in chosen if media in f.media_aliases), None)


def media_types(formats: Iterable[Format]) -> list[str]:
    """The media types that select these formats, in preference order: every format's own first, then the aliases."""
    chosen = list(formats)
    ordered = [f.media_type for f in chosen] + [m for f in chosen for m in f.media_aliases]
    return list(dict.fromkeys(ordered))


def write_rdf(items: Iterable[ox.Triple] | Iterable[ox.Quad], rdf: ox.RdfFormat, prefixes: dict[str, str] | None = None) -> bytes:
    """Triples or quads in an RDF format, as bytes (pyoxigraph's serialiser; `prefixes` where the format has them)."""
    data = ox.serialize(items, format=rdf, prefixes=prefixes) if prefixes else ox.serialize(items, format=rdf)
    assert data is not None  # no output file given: the bytes are returned
    return data
