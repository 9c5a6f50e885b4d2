"""Serialise a release: dumps in five formats, its identifier, and the call that publishes it.

Output is byte-stable: quads are sorted, gzip carries no timestamp or file name, and the report
holds no clock time. Where the files go, and how a release becomes the current one without
touching the last good one, is `graph.release`'s business.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import Literal, URIRef
from rdflib.term import Node

from graph.builder.rdf import Quad
from graph.formats import DATASET, DUMP_FORMATS, Format, write_rdf
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


def _n3(term: Node) -> str:
    """rdflib's `n3()` (the dumps' sort key since the first release), without its per-IRI validity scan."""
    return f"<{term}>" if type(term) is URIRef else term.n3()


@contextlib.contextmanager
def bulk() -> Iterator[None]:
    """No cyclic garbage collection while millions of tuples are made and sorted (none of them form cycles).

    Why: every new tuple counts towards a collection, and each full collection walks every live
    object; at a million quads that added about a quarter to the serialisation. Objects alive
    before are frozen (never scanned again in the phase); both are undone however the phase ends.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
        if was_enabled:
            gc.enable()


@dataclass(frozen=True)
class Ordered:
    """Quads in dump order as ranks into `terms` (each distinct term once, in `n3()` order).

    Sorting tuples of small integers gives exactly the order of sorting by each term's `n3()`
    (the rank is order-preserving), but calls `n3()` once per distinct term instead of four times
    per quad; each distinct term is converted to pyoxigraph once too.
    """

    terms: list[Node]
    ranked: list[tuple[int, int, int, int]]  # (graph, subject, predicate, object), sorted

    @classmethod
    def of(cls, quads: Iterable[Quad]) -> Ordered:
        with bulk():
            quads = quads if isinstance(quads, set | frozenset | list | tuple) else list(quads)
            terms = list({term for quad in quads for term in quad})
            terms.sort(key=_n3)
            rank = {term: i for i, term in enumerate(terms)}
            ranked = [(rank[g], rank[s], rank[p], rank[o]) for s, p, o, g in quads]
            ranked.sort()
        return cls(terms, ranked)

    def quads(self) -> list[Quad]:
        """The rdflib quads in dump order (what `sorted_quads` answered)."""
        t = self.terms
        with bulk():
            return [(t[s], t[p], t[o], t[g]) for g, s, p, o in self.ranked]  # type: ignore[misc]  # graph names are IRIs

    def graphs(self) -> int:
        return len({g for g, _, _, _ in self.ranked})

    def formats(self, prefixes: dict[str, str]) -> Iterator[tuple[str, bytes]]:
        """Each dump format as (extension, bytes), one at a time, so a consumer can compress one
        while the next is written; the largest comes first (it takes longest to compress)."""
        with bulk():
            ox_terms = [to_oxigraph(term) for term in self.terms]  # ox.Quad itself refuses a literal subject, predicate or graph
            ox_quads = [ox.Quad(ox_terms[s], ox_terms[p], ox_terms[o], ox_terms[g]) for g, s, p, o in self.ranked]  # type: ignore[arg-type]
            triples = sorted({(s, p, o) for _, s, p, o in self.ranked})
            ox_triples = [ox.Triple(ox_terms[s], ox_terms[p], ox_terms[o]) for s, p, o in triples]  # type: ignore[arg-type]
            del triples
            for fmt in sorted(DUMP_FORMATS, key=_write_order):
                assert fmt.rdf is not None
                items = ox_quads if fmt.kind == DATASET else ox_triples
                yield fmt.extension, write_rdf(items, fmt.rdf, prefixes if fmt.rdf in PREFIXED else None)

    def serialise(self, prefixes: dict[str, str]) -> dict[str, bytes]:
        """Every dump format as bytes (the same bytes as `serialise(sorted_quads(...))` always gave)."""
        written = dict(self.formats(prefixes))
        return {fmt.extension: written[fmt.extension] for fmt in DUMP_FORMATS}

    def packed(self, prefixes: dict[str, str]) -> tuple[dict[str, bytes], dict[str, bytes]]:
        """Every dump format as bytes, and the dumps folder's files (`graph.release.dump_files`):
        each format is compressed and checksummed in a thread while the next one is written."""
        written: dict[str, bytes] = {}

        def keep() -> Iterator[tuple[str, bytes]]:
            for extension, data in self.formats(prefixes):
                written[extension] = data
                yield extension, data

        folder = dump_files(keep())
        return {fmt.extension: written[fmt.extension] for fmt in DUMP_FORMATS}, folder


PREFIXED = (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG, ox.RdfFormat.JSON_LD)
#: The order `Ordered.formats` writes in: largest output first, so the last one left to compress is small.
WRITE_ORDER = ("nq", "nt", "jsonld", "trig", "ttl")


def _write_order(fmt: Format) -> int:
    return WRITE_ORDER.index(fmt.extension) if fmt.extension in WRITE_ORDER else len(WRITE_ORDER)


def sorted_quads(quads: Iterable[Quad]) -> list[Quad]:
    """Quads in dump order: by graph, subject, predicate, object, each compared by its `n3()`."""
    return Ordered.of(quads).quads()


def serialise(quads: Iterable[Quad], prefixes: dict[str, str]) -> dict[str, bytes]:
    """Every dump format as bytes, quads in dump order whatever order they come in."""
    return Ordered.of(quads).serialise(prefixes)


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
