"""Serialise a release: dumps in five formats, its identifier, and the call that publishes it.

Output is byte-stable: quads are sorted, gzip carries no timestamp or file name, and the report
holds no clock time. Where the files go, and how a release becomes the current one without
touching the last good one, is `graph.release`'s business.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import operator
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import chain, count, repeat
from pathlib import Path

import pyoxigraph as ox
from rdflib import Literal, URIRef
from rdflib.term import Node

from graph.builder.rdf import Quad
from graph.formats import DATASET, DUMP_FORMATS, NQUADS, NTRIPLES, Format, write_rdf
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
    """Quads in dump order, each packed into one int of ranks.

    The dump order is by graph, subject, predicate, object, each compared by its `n3()`. Each
    position (graph, subject, predicate, object) has its distinct terms in `n3()` order, and a
    quad is one int, `graph << (S+P+O) | subject << (P+O) | predicate << O | object` (S, P, O:
    the bits of those positions' ranks), so sorting the ints sorts the quads.
    Why: rdflib terms hash and compare in Python (`URIRef.__eq__`, `Literal.__hash__`), and
    sorting 4-tuples compares item by item; at a million quads that was most of the time. Here
    each position's terms go through one dict insertion per quad, `n3()` is called once per
    distinct term of a position, and every later step (rank, pack, sort, the distinct triples)
    is C code on lists of ints.
    """

    terms: tuple[list[Node], list[Node], list[Node], list[Node]]  # graph, subject, predicate, object: distinct, in n3() order
    bits: tuple[int, int, int, int]  # the width of each position's rank in a key
    keys: list[int]  # one per quad, sorted

    @classmethod
    def of(cls, quads: Iterable[Quad]) -> Ordered:
        with bulk():
            quads = quads if isinstance(quads, set | frozenset | list | tuple) else list(quads)
            subjects, predicates, objects, graphs = zip(*quads, strict=True) if quads else ((), (), (), ())
            iri, term = (URIRef,), (URIRef, Literal)
            positions = (_Position(graphs, iri), _Position(subjects, iri), _Position(predicates, iri), _Position(objects, term))
            g, s, p, o = (len(position.order) for position in positions)
            bits = (max(g - 1, 0).bit_length(), max(s - 1, 0).bit_length(), max(p - 1, 0).bit_length(), max(o - 1, 0).bit_length())
            shifted = [position.ranks(sum(bits[i + 1 :])) for i, position in enumerate(positions)]
            keys = list(map(operator.or_, map(operator.or_, shifted[0], shifted[1]), map(operator.or_, shifted[2], shifted[3])))
            keys.sort()
            terms = (positions[0].terms, positions[1].terms, positions[2].terms, positions[3].terms)
        return cls(terms, bits, keys)

    def __len__(self) -> int:
        return len(self.keys)

    def _ranks(self, keys: Iterable[int], position: int) -> Iterator[int]:
        """The rank at one position (0 graph, 1 subject, 2 predicate, 3 object) of each key
        (a quad's, or a triple's: a quad's without its graph)."""
        shift, mask = sum(self.bits[position + 1 :]), (1 << self.bits[position]) - 1
        shifted = map(shift.__rrshift__, keys) if shift else iter(keys)
        return shifted if position == 0 else map(mask.__and__, shifted)  # the graph's bits are the top ones

    def quads(self) -> list[Quad]:
        """The rdflib quads in dump order (what `sorted_quads` answered)."""
        g, s, p, o = (map(terms.__getitem__, self._ranks(self.keys, i)) for i, terms in enumerate(self.terms))
        with bulk():
            return list(zip(s, p, o, g, strict=True))  # type: ignore[arg-type]  # graph names are IRIs

    def graphs(self) -> int:
        """How many named graphs the quads are in (each graph term names one)."""
        return len(self.terms[0])

    def triples(self) -> list[int]:
        """The distinct triples (keys without the graph) in dump order: by subject, predicate, object.

        The quads are sorted by graph first, so their triples come as one sorted run per graph:
        the sort merges the runs, and `dict.fromkeys` drops the repeats, keeping the order.
        """
        mask = (1 << sum(self.bits[1:])) - 1
        with bulk():
            triples = list(map(mask.__and__, self.keys))
            triples.sort()
            return list(dict.fromkeys(triples))

    def _lines(self, keys: list[int], texts: list[list[bytes]], positions: tuple[int, ...]) -> bytes:
        """One line per key: the text of the term at each position, one after another (each text carries its separator)."""
        columns = [map(texts[position].__getitem__, self._ranks(keys, position)) for position in positions]
        return b"".join(chain.from_iterable(zip(*columns, strict=True)))

    def formats(self, prefixes: dict[str, str]) -> Iterator[tuple[str, bytes]]:
        """Each dump format as (extension, bytes), one at a time, so a consumer can compress one
        while the next is written; the largest comes first (it takes longest to compress).

        N-Quads and N-Triples are one line per quad or triple, each term as pyoxigraph writes it
        (a term's `str()` is its N-Triples form), so their lines are joined from each distinct
        term's text, made once. The other formats are pyoxigraph's writers fed by its parser
        reading those two back: the same terms in the same order, with no Python loop per quad
        (tests/test_dumps_order.py compares the bytes with pyoxigraph writing every format from
        term objects, as the writer before did).
        """
        written: dict[str, bytes] = {}
        with bulk():
            g, s, p, o = ([str(to_oxigraph(term)).encode("utf-8") for term in terms] for terms in self.terms)
            texts = [[t + b" .\n" for t in g], [t + b" " for t in s], [t + b" " for t in p], [t + b" " for t in o]]
            written[NQUADS.extension] = self._lines(self.keys, texts, (1, 2, 3, 0))
            yield NQUADS.extension, written[NQUADS.extension]
            texts[3] = [t + b" .\n" for t in o]
            written[NTRIPLES.extension] = self._lines(self.triples(), texts, (1, 2, 3))
            yield NTRIPLES.extension, written[NTRIPLES.extension]
            del texts, g, s, p, o
            # Read back leniently (no IRI or language tag checks): every term was checked when it
            # became a pyoxigraph term above, and this text is its own writing. Parsed once and
            # kept while more than one format is written from the same source.
            rest = [fmt for fmt in sorted(DUMP_FORMATS, key=_write_order) if fmt.extension not in written]
            uses = Counter(_source(fmt).extension for fmt in rest)
            kept: dict[str, list[ox.Quad]] = {}
            for fmt in rest:
                source = _source(fmt)
                assert fmt.rdf is not None and source.rdf is not None
                if uses[source.extension] > 1 and source.extension not in kept:
                    kept[source.extension] = list(ox.parse(written[source.extension], format=source.rdf, lenient=True))
                items = kept.get(source.extension) or ox.parse(written[source.extension], format=source.rdf, lenient=True)
                data = write_rdf(items, fmt.rdf, prefixes if fmt.rdf in PREFIXED else None)
                uses[source.extension] -= 1
                if not uses[source.extension]:
                    kept.pop(source.extension, None)
                del items
                yield fmt.extension, data

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


class _Position:
    """The terms at one position of every quad (graph, subject, predicate or object): which are
    the same, and their `n3()` order.

    One dict insertion per quad tells the terms apart (rdflib's own equality, as before);
    `where` holds, for each quad, the index of the first quad with the same term there.
    """

    def __init__(self, column: Sequence[Node], kinds: tuple[type, ...]) -> None:
        self.column = column
        first: dict[Node, int] = {}
        self.where = list(map(first.setdefault, column, count()))
        #: The index of each distinct term's first quad, in `n3()` order.
        self.order = sorted(first.values(), key=lambda i: _n3(column[i]))
        #: The distinct terms, in `n3()` order.
        self.terms = list(map(column.__getitem__, self.order))
        if not all(map(isinstance, self.terms, repeat(kinds))):
            odd = next(term for term in self.terms if not isinstance(term, kinds))
            raise TypeError(f"unexpected term in build: {odd!r} (a graph name, subject or predicate is an IRI; an object an IRI or a literal)")

    def ranks(self, shift: int) -> Iterator[int]:
        """Each quad's rank at this position, shifted to its place in the key."""
        rank = [0] * len(self.column)
        for r, i in enumerate(self.order):
            rank[i] = r << shift
        return map(rank.__getitem__, self.where)


PREFIXED = (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG, ox.RdfFormat.JSON_LD)
#: The order `Ordered.formats` writes in: largest output first, so the last one left to compress is small.
WRITE_ORDER = ("nq", "nt", "jsonld", "trig", "ttl")


def _source(fmt: Format) -> Format:
    """The dump a format is written from: N-Quads for a dataset, N-Triples for a graph."""
    return NQUADS if fmt.kind == DATASET else NTRIPLES


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
