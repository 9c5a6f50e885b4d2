"""Serialise a release: dumps in five formats, its identifier, and the call that publishes it.

Output is byte-stable: quads are sorted, gzip carries no timestamp or file name, and the report
holds no clock time. Where the files go, and how a release becomes the current one without
touching the last good one, is `graph.release`'s business.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox
from rdflib import Literal, URIRef
from rdflib.term import Node

from graph.builder.rdf import Quad
from graph.formats import DATASET, DUMP_FORMATS, write_rdf
from graph.release import Release, dump_files, publish


def to_oxigraph(term: Node) -> ox.NamedNode | ox.Literal:
    """rdflib term -> pyoxigraph term (the build has no blank nodes)."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"unexpected term in build: {term!r}")


def _iri(term: Node) -> ox.NamedNode:
    """A subject, predicate or graph name: always an IRI in our build."""
    if not isinstance(term, URIRef):
        raise TypeError(f"expected an IRI in the build, not {term!r}")
    return ox.NamedNode(str(term))


def sorted_quads(quads: Iterable[Quad]) -> list[Quad]:
    return sorted(quads, key=lambda q: (q[3].n3(), q[0].n3(), q[1].n3(), q[2].n3()))


def serialise(quads: list[Quad], prefixes: dict[str, str]) -> dict[str, bytes]:
    """Every dump format as bytes, from quads already in a stable order."""
    ox_quads = [ox.Quad(_iri(s), _iri(p), to_oxigraph(o), _iri(g)) for s, p, o, g in quads]
    triples = sorted({(s, p, o) for s, p, o, _ in quads}, key=lambda t: (t[0].n3(), t[1].n3(), t[2].n3()))
    ox_triples = [ox.Triple(_iri(s), _iri(p), to_oxigraph(o)) for s, p, o in triples]
    result = {}
    for fmt in DUMP_FORMATS:
        assert fmt.rdf is not None
        items = ox_quads if fmt.kind == DATASET else ox_triples
        result[fmt.extension] = write_rdf(items, fmt.rdf, prefixes if fmt.rdf in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG, ox.RdfFormat.JSON_LD) else None)
    return result


def release_id(version: str, *contents: bytes) -> str:
    """Release identifier: the ontology version plus a digest of the release's content.

    The pipeline passes every file of the release (the dumps' SHA256SUMS, which covers each dump
    and its gzip, and the report as written without its id), so any difference in what a release
    holds gives another id, and a folder named after an id never needs to change.
    """
    digest = hashlib.sha256()
    for content in contents:
        digest.update(hashlib.sha256(content).digest())
    return f"{version}+{digest.hexdigest()[:12]}"


def write_release(build_dir: Path, files: dict[str, bytes], report: dict[str, object], report_md: str) -> Release:
    """Publish `files` ({extension: bytes}) and the report as a release of `build_dir` (see graph.release)."""
    return publish(build_dir, dump_files(files), report, report_md)
