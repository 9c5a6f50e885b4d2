"""The dumps keep their bytes: the rank-based writer gives exactly what the old `n3()`-sorted writer gave.

Why: a release id digests the dumps, and people diff dumps between releases; a faster writer must not
move a single byte. Checked three ways: on the real data against the old writer (kept in
bench/build.py), on hand-made quads whose `n3()` order differs from their plain text order (IRIs
that are prefixes of each other, quotes, newlines, tabs, language tags, datatypes) against
checksums the old writer gave before the change, and the collector is back on afterwards.
"""

from __future__ import annotations

import gc
import gzip
import hashlib
import random

import pytest
from rdflib import BNode, Literal, URIRef

from bench.build import old_dump_files, old_serialise
from graph.builder.dumps import Ordered, bulk, serialise, sorted_quads
from graph.builder.pipeline import Built
from graph.namespaces import XSD, prefixes
from graph.release import SUMS, dump_files

BASE = "https://w3id.org/uaeu/"

#: sha256 of each dump of `_tricky_quads()`, written by the writer as it was before the rank-based ordering.
RECORDED = {
    "jsonld": "f23ac18de20b81db823d64fbc23acae01f31d4474bb1f28ce9a52af227bbd0db",
    "nq": "1e62eaa53106c75ba852eda87f4d00c2b2544d4aa4f7b77fd433470e44207f89",
    "nt": "e10cdfa1b3632b9457ad11ada7d31b5b3ba08f99bba40ed6424cded899845c14",
    "trig": "d09f8aefa86ff5ce4139d2e1a2bbc5f7202f70a91ea9bf7d7187374aa008d3c2",
    "ttl": "b1cb8387d67d90f8a269690ac6fa2fde9587fc94a4645fed4bccc05ae9802a19",
}


def _tricky_quads() -> set[tuple[URIRef, URIRef, URIRef | Literal, URIRef]]:
    """Quads whose order by `n3()` is not their order by plain text ('<a>' sorts after '<a-b>', '"a"@en' after '"a"^^...')."""
    g1, g2 = URIRef(BASE + "graph/source/a"), URIRef(BASE + "graph/source/a-b")
    s1, s2, s3 = URIRef(BASE + "id/x"), URIRef(BASE + "id/x-1"), URIRef(BASE + "id/x/1")
    p1, p2 = URIRef("http://www.w3.org/2004/02/skos/core#prefLabel"), URIRef("http://purl.org/dc/terms/title")
    objects: list[URIRef | Literal] = [
        Literal("a"),
        Literal("a", lang="en"),
        Literal("a", lang="bg"),
        Literal("a", datatype=XSD.string),
        Literal("1", datatype=XSD.integer),
        Literal("01", datatype=XSD.integer),
        Literal("2017-06", datatype=XSD.gYearMonth),
        Literal('say "hi"'),
        Literal("line one\nline two"),
        Literal("tab\there"),
        Literal("back\\slash"),
        Literal('ends with quote\n"'),
        Literal("Панел 1", lang="bg"),
        Literal("émigré"),
        URIRef(BASE + "id/x"),
        URIRef(BASE + "id/x-1"),
    ]
    quads = set()
    for g in (g1, g2):
        for s in (s1, s2, s3):
            for p in (p1, p2):
                for o in objects:
                    quads.add((s, p, o, g))
    return quads


def test_real_dumps_are_the_old_writers_bytes(built: Built) -> None:
    old = old_serialise(set(built.quads), prefixes(BASE))
    assert set(old) == set(built.files) == {"trig", "nq", "ttl", "nt", "jsonld"}
    for extension, content in built.files.items():
        assert content == old[extension], extension
    assert len(built.files["nq"].splitlines()) == len(built.quads) > 10_000


def test_tricky_terms_keep_the_recorded_bytes() -> None:
    quads = _tricky_quads()
    new = serialise(quads, prefixes(BASE))
    old = old_serialise(quads, prefixes(BASE))
    assert new == old
    assert {ext: hashlib.sha256(content).hexdigest() for ext, content in new.items()} == RECORDED


def test_order_is_n3_order_and_quads_come_back_whole() -> None:
    quads = _tricky_quads()
    ordered = Ordered.of(quads)
    expected = sorted(quads, key=lambda q: (q[3].n3(), q[0].n3(), q[1].n3(), q[2].n3()))
    assert ordered.quads() == expected == sorted_quads(list(quads))
    # the hand-made quads do tell the two orders apart: sorting by plain text would move them
    assert expected != sorted(quads, key=lambda q: (str(q[3]), str(q[0]), str(q[1]), str(q[2])))
    assert ordered.graphs() == 2
    assert len(ordered) == len(quads)


def test_the_collector_is_back_on_after_a_bulk_phase_even_after_an_error() -> None:
    assert gc.isenabled()
    try:
        with bulk():
            assert not gc.isenabled()
            raise RuntimeError("a failing phase")
    except RuntimeError:
        pass
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0
    gc.disable()
    try:
        with bulk():
            pass
        assert not gc.isenabled()  # a caller that had it off keeps it off
    finally:
        gc.enable()


def test_real_dumps_folder_is_the_old_one_at_a_time_folder(built: Built) -> None:
    """gzip and checksums in threads, as the build now makes them, against one file after another as before."""
    assert built.dumps == old_dump_files(built.files)
    assert len(built.dumps) == 2 * len(built.files) + 1


def test_threaded_gzip_gives_the_same_bytes_however_the_dumps_arrive() -> None:
    files = serialise(_tricky_quads(), prefixes(BASE))
    rng = random.Random(7)
    words = [bytes(rng.choice(b"abcdefgh <>@.:/") for _ in range(rng.randint(3, 12))) for _ in range(500)]
    files["nq"] = b" ".join(rng.choice(words) for _ in range(800_000))  # megabytes: zlib and hashlib let go of the GIL
    expected = old_dump_files(files)
    assert dump_files(files) == expected
    assert dump_files(iter(files.items()), threads=1) == expected
    assert dump_files(((e, d) for e, d in reversed(files.items())), threads=4) == expected
    assert list(dump_files(files)) == list(expected)  # the same order of files too
    for extension, data in files.items():
        assert gzip.decompress(expected[f"uaeu.{extension}.gz"]) == data
    sums = dict(reversed(line.split("  ")) for line in expected[SUMS].decode().splitlines())
    assert sums == {name: hashlib.sha256(content).hexdigest() for name, content in expected.items() if name != SUMS}


def test_packed_is_serialise_then_dump_files() -> None:
    ordered = Ordered.of(_tricky_quads())
    files, folder = ordered.packed(prefixes(BASE))
    assert files == ordered.serialise(prefixes(BASE))
    assert list(files) == ["trig", "nq", "ttl", "nt", "jsonld"]  # the formats' order, whatever order they were written in
    assert folder == old_dump_files(files)


def test_edge_cases_keep_the_old_writers_bytes() -> None:
    """No quads; one quad; literals rdflib counts equal (language tags in other cases) and literals
    pyoxigraph writes alike (plain and xsd:string) spread over graphs: the old writer's bytes each time."""
    g1, g2 = URIRef(BASE + "graph/source/a"), URIRef(BASE + "graph/source/b")
    s, p = URIRef(BASE + "id/x"), URIRef("http://www.w3.org/2004/02/skos/core#prefLabel")
    cases: list[set[tuple[URIRef, URIRef, URIRef | Literal, URIRef]]] = [
        set(),
        {(s, p, Literal("a"), g1)},
        {(s, p, Literal("a", lang="EN"), g1), (s, p, Literal("a", lang="en"), g2), (s, p, Literal("b", lang="en-GB"), g2)},
        {(s, p, Literal("a"), g1), (s, p, Literal("a", datatype=XSD.string), g1), (s, p, Literal("a"), g2)},
    ]
    for quads in cases:
        assert serialise(quads, prefixes(BASE)) == old_serialise(quads, prefixes(BASE)), quads
        ordered = Ordered.of(quads)
        assert len(ordered) == len(quads)
        assert ordered.graphs() == len({q[3] for q in quads})


def test_a_term_that_cannot_stand_where_it_is_is_refused() -> None:
    """A literal as subject, predicate or graph name, or a blank node anywhere: a TypeError before anything is written."""
    s, p, g = URIRef(BASE + "id/x"), URIRef(BASE + "p"), URIRef(BASE + "graph/source/a")
    for quad in [(Literal("x"), p, s, g), (s, Literal("p"), s, g), (s, p, s, Literal("g")), (s, p, BNode("b"), g), (BNode("b"), p, s, g)]:
        with pytest.raises(TypeError, match="unexpected term in build"):
            Ordered.of({quad})  # type: ignore[arg-type]


def test_control_characters_astral_and_unicode_iris_keep_the_old_writers_bytes() -> None:
    """Each distinct term's own text makes the N-Quads and N-Triples lines now: every escape
    pyoxigraph's writer makes (and the lines its parser reads back for the other formats) must
    come out as when it wrote term objects."""
    s, p, g = URIRef(BASE + "id/x"), URIRef("http://purl.org/dc/terms/title"), URIRef(BASE + "graph/source/a")
    nasty = [
        "",
        "\x00\x01\x07\x08\x0b\x0c\x1f\x7f",
        "carriage\rreturn",
        "crlf\r\nend",
        "line\u2028separator\u2029paragraph",
        "astral 😀 𝕏",
        "\\u0041 is not an escape here",
        '"\'\'\'"""',
        "> <",
        "\ufeffbom",
    ]
    quads = {(s, p, Literal(text), g) for text in nasty}
    quads |= {(s, p, Literal(text, lang="bg"), g) for text in nasty}
    quads |= {(s, p, Literal(text, datatype=URIRef("http://example.org/dt#é")), g) for text in nasty[:3]}
    quads |= {(s, p, URIRef(iri), g) for iri in ("http://example.org/é", "http://example.org/a%20b", "http://example.org/😀", "urn:x:y")}
    assert serialise(quads, prefixes(BASE)) == old_serialise(quads, prefixes(BASE))
