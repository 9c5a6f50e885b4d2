"""What changed between two releases: added and removed quads per named graph, as RDF Patch and N-Quads.

A release's facts are its N-Quads dump (one named graph per source document, plus the model and
the sources' descriptions). The diff compares the two dumps quad by quad, so a fact that a new
source also states is an added quad in that source's graph even though the fact itself was known.
Output is deterministic: quads sorted by (graph, subject, predicate, object) in their N-Quads text.

**Blank nodes.** The builder mints an IRI for everything, so today's dumps hold none. A blank
node's label means nothing across two files, so a quad with one is compared by its label as
written; the diff counts such quads (`blank_node_quads`) and the changelog says so, instead of
pretending the comparison is exact.

**Caching.** A diff is computed when first asked for (`uaeu diff`, the changes page, an entity's
history) and kept under `build/diffs/v{VERSION}/{older}__{newer}/`, beside the archive: release
folders are read-only and never gain files. Release ids name their content (the data's hash),
so a cached diff never goes stale; VERSION changes when the changelog's wording or rules do. It
is computed on demand rather than at build time so that any two releases can be compared (not
only neighbours), and a build never fails or slows because of it. Files are written to a
temporary folder and renamed into place, so two processes asking at once both end with the same,
complete files.
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import json
import os
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from graph.release import Release, folder_name, remove_tree

VERSION = 1
DIFFS = "diffs"
PATCH = "changes.rdfp"
ADDED = "added.nq"
REMOVED = "removed.nq"
SUMMARY = "changes.json"
#: RDF Patch's media type (https://afs.github.io/rdf-patch/).
PATCH_MEDIA_TYPE = "application/rdf-patch"

#: A quad as N-Quads text terms: (subject, predicate, object, graph); graph "" is the default graph.
Key = tuple[str, str, str, str]


class UnknownRelease(LookupError):
    """No release of that id (or folder name) in this build folder."""


def find(build_dir: Path, name: str) -> Release:
    """The release named by its id (`0.1.0+3f2a…`) or its folder (`0.1.0_3f2a…`); `UnknownRelease` otherwise."""
    for release in Release.all(build_dir):
        if name in (release.id, release.folder.name):
            return release
    known = ", ".join(r.id for r in Release.all(build_dir)) or "none (run 'uaeu build')"
    raise UnknownRelease(f"no release {name!r} in the archive; known releases: {known}")


def previous(build_dir: Path, release: Release) -> Release | None:
    """The release published just before `release` (None for the first)."""
    earlier = None
    for candidate in Release.all(build_dir):
        if candidate.id == release.id:
            return earlier
        earlier = candidate
    return None


def key(quad: ox.Quad) -> Key:
    graph = "" if isinstance(quad.graph_name, ox.DefaultGraph) else str(quad.graph_name)
    return (str(quad.subject), str(quad.predicate), str(quad.object), graph)


def line(k: Key) -> str:
    """One N-Quads line (without the newline)."""
    return " ".join(term for term in k if term) + " ."


def sort_key(k: Key) -> tuple[str, str, str, str]:
    return (k[3], k[0], k[1], k[2])


def load(release: Release) -> dict[Key, ox.Quad]:
    """Every quad of a release's N-Quads dump, by its text key."""
    with release.dump("nq").open("rb") as handle:
        return {key(q): q for q in ox.parse(handle, format=ox.RdfFormat.N_QUADS)}


def _has_blank(k: Key) -> bool:
    return any(term.startswith("_:") for term in k)


@dataclass(frozen=True)
class Diff:
    """The quads `newer` has and `older` lacks (added), and the reverse (removed), each sorted."""

    older: str
    newer: str
    added: tuple[Key, ...]
    removed: tuple[Key, ...]

    @classmethod
    def between(cls, older_id: str, newer_id: str, old: dict[Key, ox.Quad], new: dict[Key, ox.Quad]) -> Diff:
        added = tuple(sorted((k for k in new if k not in old), key=sort_key))
        removed = tuple(sorted((k for k in old if k not in new), key=sort_key))
        return cls(older_id, newer_id, added, removed)

    @property
    def blank_node_quads(self) -> int:
        return sum(1 for k in (*self.added, *self.removed) if _has_blank(k))

    def graphs(self) -> dict[str, dict[str, int]]:
        """{graph IRI: {"added": n, "removed": m}}, graphs sorted; the default graph is ""."""
        counts: dict[str, dict[str, int]] = {}
        for which, quads in (("added", self.added), ("removed", self.removed)):
            for k in quads:
                entry = counts.setdefault(k[3][1:-1] if k[3] else "", {"added": 0, "removed": 0})
                entry[which] += 1
        return dict(sorted(counts.items()))

    def patch_lines(self) -> Iterator[str]:
        """RDF Patch: one transaction, deletions first, then additions (each `D|A s p o g .`)."""
        yield f"H id <urn:uaeu:diff:{folder_name(self.older)}..{folder_name(self.newer)}> ."
        yield "TX ."
        for k in self.removed:
            yield "D " + line(k)
        for k in self.added:
            yield "A " + line(k)
        yield "TC ."

    def patch(self) -> str:
        return "".join(text + "\n" for text in self.patch_lines())

    @staticmethod
    def nquads(quads: Iterable[Key]) -> str:
        return "".join(line(k) + "\n" for k in quads)


def diff_folder(build_dir: Path, older: Release, newer: Release) -> Path:
    """Where the diff of two releases is kept (outside the read-only release folders)."""
    return build_dir / DIFFS / f"v{VERSION}" / f"{older.folder.name}__{newer.folder.name}"


def compute(older: Release, newer: Release) -> tuple[Diff, dict[str, Any]]:
    """The diff and its summary (counts per graph, the changelog in English and Bulgarian)."""
    from graph.changelog import changelog

    old, new = load(older), load(newer)
    diff = Diff.between(older.id, newer.id, old, new)
    summary: dict[str, Any] = {
        "from": older.id,
        "to": newer.id,
        "added": len(diff.added),
        "removed": len(diff.removed),
        "blank_node_quads": diff.blank_node_quads,
        "graphs": diff.graphs(),
        **changelog(diff, old, new),
    }
    return diff, summary


def cached(build_dir: Path, older: Release, newer: Release) -> Path:
    """The folder holding the diff's files (PATCH, ADDED, REMOVED, SUMMARY), computed and written once."""
    folder = diff_folder(build_dir, older, newer)
    if (folder / SUMMARY).is_file():
        return folder
    diff, summary = compute(older, newer)
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = folder.parent / f".staging-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    staging.mkdir()
    try:
        (staging / PATCH).write_text(diff.patch(), encoding="utf-8")
        (staging / ADDED).write_text(Diff.nquads(diff.added), encoding="utf-8")
        (staging / REMOVED).write_text(Diff.nquads(diff.removed), encoding="utf-8")
        # The summary last: its presence is what says "complete".
        (staging / SUMMARY).write_text(json.dumps(summary, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        try:
            os.rename(staging, folder)
        except OSError:
            if not (folder / SUMMARY).is_file():
                raise  # not "another process got there first"
    finally:
        remove_tree(staging)
    return folder


def summary(build_dir: Path, older: Release, newer: Release) -> dict[str, Any]:
    """The diff's summary and changelog (computed and cached on first use). Do not change the dict: it is shared."""
    return _read_summary(str(cached(build_dir, older, newer) / SUMMARY))


@functools.lru_cache(maxsize=64)
def _read_summary(path: str) -> dict[str, Any]:
    """A complete summary never changes (its releases do not), so each is read once per process."""
    data: dict[str, Any] = json.loads(Path(path).read_text(encoding="utf-8"))
    return data


def history(build_dir: Path, iri: str, until: Release | None = None) -> list[dict[str, Any]]:
    """The releases (up to `until`) in which facts about `iri` changed, newest first, each with its changelog lines about it.

    An entry: {"release", "previous", "lines": [changelog entries naming iri], "other": n facts about it
    that no sentence covers}. Reads the cached diffs of each pair of neighbouring releases.
    """
    releases = Release.all(build_dir)
    if until is not None:
        ids = [r.id for r in releases]
        if until.id in ids:
            releases = releases[: ids.index(until.id) + 1]
    found = []
    for older, newer in itertools.pairwise(releases):
        with contextlib.suppress(OSError):
            data = summary(build_dir, older, newer)
            lines = [entry for entry in data["changelog"] if iri in entry["subjects"]]
            other = int(data["other"]["by_subject"].get(iri, 0))
            if lines or other:
                found.append({"release": newer.id, "folder": newer.folder.name, "previous": older.id, "lines": lines, "other": other})
    return found[::-1]
