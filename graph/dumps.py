"""Write a release: dumps in five formats (and gzipped), checksums and the build report.

Output is byte-stable: quads are sorted, gzip carries no timestamp or file name, and the report
holds no clock time. A release is written to a new folder and swapped in only when complete,
so a failed build leaves the last good one in place.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import Literal, URIRef
from rdflib.term import Node

from graph.rdf import Quad

DUMP_NAME = "uaeu"


@dataclass(frozen=True)
class DumpFormat:
    extension: str
    media_type: str
    rdf_format: ox.RdfFormat
    quads: bool


FORMATS = (
    DumpFormat("trig", "application/trig", ox.RdfFormat.TRIG, True),
    DumpFormat("nq", "application/n-quads", ox.RdfFormat.N_QUADS, True),
    DumpFormat("ttl", "text/turtle", ox.RdfFormat.TURTLE, False),
    DumpFormat("nt", "application/n-triples", ox.RdfFormat.N_TRIPLES, False),
    DumpFormat("jsonld", "application/ld+json", ox.RdfFormat.JSON_LD, False),
)


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


def sorted_quads(quads: Iterable[Quad]) -> list[Quad]:
    return sorted(quads, key=lambda q: (q[3].n3(), q[0].n3(), q[1].n3(), q[2].n3()))


def serialise(quads: list[Quad], prefixes: dict[str, str]) -> dict[str, bytes]:
    """Every dump format as bytes, from quads already in a stable order."""
    ox_quads = [ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o), to_oxigraph(g)) for s, p, o, g in quads]  # type: ignore[arg-type]
    triples = sorted({(s, p, o) for s, p, o, _ in quads}, key=lambda t: (t[0].n3(), t[1].n3(), t[2].n3()))
    ox_triples = [ox.Triple(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o)) for s, p, o in triples]  # type: ignore[arg-type]
    result = {}
    for fmt in FORMATS:
        items = ox_quads if fmt.quads else ox_triples
        kwargs = {"prefixes": prefixes} if fmt.rdf_format in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG, ox.RdfFormat.JSON_LD) else {}
        result[fmt.extension] = ox.serialize(items, format=fmt.rdf_format, **kwargs)
    return result


def release_id(version: str, nquads: bytes) -> str:
    """Release identifier: the ontology version plus a digest of the content."""
    return f"{version}+{hashlib.sha256(nquads).hexdigest()[:12]}"


def write_release(build_dir: Path, files: dict[str, bytes], report: dict[str, object], report_md: str) -> None:
    """Write dumps/, SHA256SUMS, report.json and report.md into a fresh folder, then swap it in."""
    parent = build_dir.parent
    parent.mkdir(parents=True, exist_ok=True)
    staging = parent / f".{build_dir.name}.new-{os.getpid()}"
    retired = parent / f".{build_dir.name}.old-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    try:
        dumps = staging / "dumps"
        dumps.mkdir(parents=True)
        sums = []
        for extension in sorted(files):
            name = f"{DUMP_NAME}.{extension}"
            data = files[extension]
            packed = gzip.compress(data, compresslevel=9, mtime=0)
            for file_name, content in ((name, data), (name + ".gz", packed)):
                (dumps / file_name).write_bytes(content)
                sums.append(f"{hashlib.sha256(content).hexdigest()}  {file_name}\n")
        (dumps / "SHA256SUMS").write_text("".join(sorted(sums, key=lambda line: line.split()[1])), encoding="utf-8")
        (staging / "report.json").write_text(json.dumps(report, indent=2, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")
        (staging / "report.md").write_text(report_md, encoding="utf-8")
        if build_dir.exists():
            build_dir.rename(retired)
        staging.rename(build_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        if retired.exists() and not build_dir.exists():
            retired.rename(build_dir)
        raise
    shutil.rmtree(retired, ignore_errors=True)
