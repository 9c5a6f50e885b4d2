"""Namespaces: the standard vocabularies we reuse and the IRIs we mint under the base."""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, OWL, PROV, RDF, RDFS, SKOS, TIME, XSD

ORG = Namespace("http://www.w3.org/ns/org#")
SCHEMA = Namespace("https://schema.org/")
CV = Namespace("http://data.europa.eu/m8g/")
VANN = Namespace("http://purl.org/vocab/vann/")
COUNTRY = Namespace("http://publications.europa.eu/resource/authority/country/")
WIKIDATA = Namespace("http://www.wikidata.org/entity/")
#: The Publications Office's corporate-body authority table (EU institutions, bodies and their departments).
EU_CORPORATE_BODY = Namespace("http://publications.europa.eu/resource/authority/corporate-body/")
GEONAMES = "https://sws.geonames.org/"

__all__ = ["COUNTRY", "CV", "DCTERMS", "FOAF", "ORG", "OWL", "PROV", "RDF", "RDFS", "SCHEMA", "SKOS", "TIME", "XSD", "Minter", "prefixes"]


@dataclass(frozen=True)
class Minter:
    """Makes the project's IRIs from the one base setting."""

    base: str

    @property
    def uaeu(self) -> Namespace:
        return Namespace(self.base + "ontology#")

    def instance(self, kind: str, slug: str) -> URIRef:
        return URIRef(f"{self.base}id/{kind}/{slug}")

    def concept(self, scheme: str, notation: str) -> URIRef:
        return URIRef(f"{self.base}vocab/{scheme}/{notation}")

    def scheme(self, scheme: str) -> URIRef:
        return URIRef(f"{self.base}vocab/{scheme}")

    def graph(self, name: str) -> URIRef:
        return URIRef(f"{self.base}graph/{name}")


def prefixes(base: str) -> dict[str, str]:
    """Prefixes for serialisations and example queries."""
    return {
        "uaeu": base + "ontology#",
        "id": base + "id/",
        "vocab": base + "vocab/",
        "org": str(ORG),
        "schema": str(SCHEMA),
        "skos": str(SKOS),
        "dct": str(DCTERMS),
        "foaf": str(FOAF),
        "time": str(TIME),
        "prov": str(PROV),
        "cv": str(CV),
        "owl": str(OWL),
        "rdfs": str(RDFS),
        "rdf": str(RDF),
        "xsd": str(XSD),
        "country": str(COUNTRY),
        "wd": str(WIKIDATA),
    }
