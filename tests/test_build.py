"""The real curated data builds into complete, consistent, parseable and stable dumps."""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path

import pyoxigraph as ox
import rdflib
from rdflib import Dataset, Graph, URIRef

from graph.builder.pipeline import Built, build
from graph.config import Settings
from graph.release import Release

FORMATS = ("trig", "nq", "ttl", "nt", "jsonld")


def _triples_rdflib(path: Path, fmt: str) -> set[tuple[rdflib.term.Node, ...]]:
    graph = Graph()
    with path.open("rb") as stream:
        graph.parse(stream, format=fmt)
    return set(graph)


def test_release_folder_has_every_dump_gzipped_and_checksummed(built: Built, release_dir: Path) -> None:
    dumps = release_dir / "dumps"
    names = {p.name for p in dumps.iterdir()}
    for ext in FORMATS:
        assert f"uaeu.{ext}" in names
        assert f"uaeu.{ext}.gz" in names
        assert gzip.decompress((dumps / f"uaeu.{ext}.gz").read_bytes()) == (dumps / f"uaeu.{ext}").read_bytes()
    sums = (dumps / "SHA256SUMS").read_text(encoding="utf-8").splitlines()
    assert len(sums) == 2 * len(FORMATS)
    for line in sums:
        digest, name = line.split("  ")
        assert hashlib.sha256((dumps / name).read_bytes()).hexdigest() == digest
    report = json.loads((release_dir / "report.json").read_text(encoding="utf-8"))
    assert report["counts"]["partnerships"] == 20
    assert report["counts"]["triples"] == len(built.union)
    assert (release_dir / "report.md").read_text(encoding="utf-8").startswith("# Build report")


def test_turtle_parses_the_same_with_rdflib_and_pyoxigraph(built: Built, release_dir: Path) -> None:
    path = release_dir / "dumps" / "uaeu.ttl"
    with_rdflib = _triples_rdflib(path, "turtle")
    with_oxigraph = list(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))
    assert len(with_rdflib) == len(with_oxigraph) == len(built.union)
    assert with_rdflib == set(built.union)


def test_ntriples_and_jsonld_hold_the_union(built: Built, release_dir: Path) -> None:
    dumps = release_dir / "dumps"
    expected = set(built.union)
    assert _triples_rdflib(dumps / "uaeu.nt", "nt") == expected
    assert _triples_rdflib(dumps / "uaeu.jsonld", "json-ld") == expected


def test_trig_and_nquads_hold_the_same_union_and_graphs(built: Built, release_dir: Path) -> None:
    dumps = release_dir / "dumps"
    expected = set(built.union)
    per_format = {}
    for ext, fmt in (("trig", "trig"), ("nq", "nquads")):
        dataset = Dataset()
        with (dumps / f"uaeu.{ext}").open("rb") as stream:
            dataset.parse(stream, format=fmt)
        quads = {(s, p, o, g) for s, p, o, g in dataset.quads((None, None, None, None))}
        assert {(s, p, o) for s, p, o, _ in quads} == expected
        per_format[ext] = quads
    assert per_format["trig"] == per_format["nq"]
    store_quads = list(ox.parse(path=str(dumps / "uaeu.nq"), format=ox.RdfFormat.N_QUADS))
    assert len(store_quads) == len(built.quads)


def test_named_graphs_are_model_sources_and_one_per_source_document(built: Built) -> None:
    graphs = {str(q[3]) for q in built.quads}
    base = "https://w3id.org/uaeu/graph/"
    assert base + "model" in graphs
    assert base + "sources" in graphs
    per_source = {g for g in graphs if g.startswith(base + "source/")}
    assert per_source
    assert graphs == {base + "model", base + "sources", *per_source}
    cited = {g.rsplit("/", 1)[1] for g in per_source}
    assert cited <= set(built.data.sources)


def test_no_blank_nodes_and_no_contact_details(built: Built, release_dir: Path) -> None:
    assert not any(isinstance(term, rdflib.BNode) for quad in built.quads for term in quad)
    text = (release_dir / "dumps" / "uaeu.nt").read_text(encoding="utf-8")
    assert "0879" not in text  # the press release's phone number stays out of the graph
    for prop in ("http://xmlns.com/foaf/0.1/phone", "https://schema.org/telephone", "https://schema.org/email", "http://xmlns.com/foaf/0.1/mbox"):
        assert (None, URIRef(prop), None) not in built.union


def test_two_builds_are_byte_identical(tmp_path: Path, release_dir: Path, built: Built) -> None:
    again = tmp_path / "again"
    build(Settings(build_dir=again))

    # What a build writes: the releases and the top-level links to the current one. Apps serving the
    # session build add their own state beside them (pins, stores, diffs), which is not the build's.
    def written(folder: Path) -> dict[Path, bytes]:
        paths = [*(folder / "releases").rglob("*"), *folder.glob("*.*"), *(folder / "dumps").iterdir()]
        return {p.relative_to(folder): p.read_bytes() for p in paths if p.is_file()}

    first, second = written(release_dir), written(again)
    assert first.keys() == second.keys()
    for name in first:
        assert first[name] == second[name], name


def test_rebuild_serves_exactly_the_current_release_and_leaves_nothing_behind(tmp_path: Path) -> None:
    out = tmp_path / "build"
    build(Settings(build_dir=out))
    built = build(Settings(build_dir=out))
    current = Release.open(out)
    assert built.release == current
    assert {p.name for p in (out / "dumps").iterdir()} == {*current.checksums(), "SHA256SUMS"}
    assert (out / "dumps" / "uaeu.ttl").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["build"]
    assert not [p for p in (*out.iterdir(), *(out / "releases").iterdir()) if p.name.startswith(".")], "no staging folder or temporary link left"


def test_base_iri_is_one_setting(tmp_path: Path) -> None:
    other = "https://example.org/ua/"
    result = build(Settings(build_dir=tmp_path / "b", base=other))
    subjects = {str(s) for s in result.union.subjects()}
    assert any(s.startswith(other + "id/partnership/") for s in subjects)
    assert any(s.startswith(other + "vocab/theme/") for s in subjects)
    assert not any(s.startswith("https://w3id.org/uaeu/") for s in subjects)
