"""The release archive: every release kept, listed, pinned by running servers, pruned only on purpose.

```
build/
  releases/{folder}/         every release ever published (graph.release), read-only
  tombstones/{folder}.json   a pruned release: its id, when, and the release that replaced it
  pins/{pid}.{folder}        a running server serves that release: never pruned while the pid lives
```

A release id reaches this module from URLs (`/releases/{id}/`, `release=`), so `parse_id` is
strict (a short run of A-Z a-z 0-9 . _ + -, no `..`) and a lookup only ever names a folder
that `graph.release.folder_name` made; an id or its folder name both find the release.

Pruning (`plan_prune`, `prune`) keeps the N newest releases and/or stays under a byte budget,
but never removes `current`, a release a live server pinned, or (unless forced) a release a
permalink cites: the caller passes those ids, so this module does not know where citations are
kept. A pruned release leaves a tombstone, so its URLs answer 410 naming its successor rather
than a bare 404. Standard library only: every layer may import it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

from graph.release import CURRENT, RELEASES, STORES, Release, folder_name, network_folder, remove_tree

TOMBSTONES = "tombstones"
PINS = "pins"
#: How long a release id (or folder name) may be in a URL.
MAX_ID_LENGTH = 100
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+-]*$")
#: The archive's documented size budget (bytes; UAEU_ARCHIVE_BUDGET): `uaeu build` warns past it, `uaeu prune` defaults to it.
DEFAULT_BUDGET = 2 * 1024**3


class BadReleaseId(ValueError):
    """Not something a release id can be (wrong characters, too long, `..`)."""


def parse_id(text: str) -> str:
    """`text` if it can be a release id or folder name, else `BadReleaseId` saying why."""
    if not text:
        raise BadReleaseId("the release id is empty")
    if len(text) > MAX_ID_LENGTH:
        raise BadReleaseId(f"a release id has at most {MAX_ID_LENGTH} characters")
    if ".." in text or not _ID.match(text):
        shown = text.encode("unicode_escape").decode("ascii")[:60]
        raise BadReleaseId(f"'{shown}' is not a release id: ids are letters, digits and . _ + - (write + as %2B in a query string)")
    return text


def budget_from_env() -> int:
    """The archive's size budget in bytes (UAEU_ARCHIVE_BUDGET, default 2 GiB)."""
    value = os.environ.get("UAEU_ARCHIVE_BUDGET", "")
    return int(value) if value.strip() else DEFAULT_BUDGET


@dataclass(frozen=True)
class Tombstone:
    """What is left of a pruned release: enough to answer 410 and say what replaced it."""

    id: str
    folder: str
    pruned: str  # ISO 8601 UTC
    replaced_by: str | None
    published: str = ""


@dataclass(frozen=True)
class Entry:
    """One release as the archive lists it."""

    release: Release
    current: bool
    published: dt.datetime
    triples: int
    ontology_version: str
    checksums: dict[str, str] = field(repr=False)
    size: int = 0

    @property
    def id(self) -> str:
        return self.release.id

    @property
    def folder(self) -> str:
        return self.release.folder.name


def ontology_version(release_id: str) -> str:
    """The ontology's owl:versionInfo a release was built with: the part of its id before `+`."""
    return release_id.split("+", 1)[0]


def size_of(folder: Path) -> int:
    """Bytes of the files under `folder` (symlinks not followed)."""
    total = 0
    for root, _, files in os.walk(folder):
        for name in files:
            with contextlib.suppress(OSError):
                total += (Path(root) / name).lstat().st_size
    return total


def current_folder(build_dir: Path) -> str | None:
    try:
        return Path(os.path.realpath(build_dir / CURRENT, strict=True)).name
    except OSError:
        return None


def listing(build_dir: Path) -> list[Entry]:
    """Every release in the archive, oldest first."""
    current = current_folder(build_dir)
    entries = []
    for release in Release.all(build_dir):
        counts = release.report.get("counts") or {}
        entries.append(
            Entry(
                release=release,
                current=release.folder.name == current,
                published=release.published,
                triples=int(counts.get("triples", 0)),
                ontology_version=ontology_version(release.id),
                checksums=release.checksums(),
                size=size_of(release.folder),
            )
        )
    return entries


def tombstone(build_dir: Path, text: str) -> Tombstone | None:
    """The tombstone of a pruned release named by id or folder name, if there is one."""
    path = build_dir / TOMBSTONES / f"{folder_name(text)}.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        found = Tombstone(**data)
    except (OSError, ValueError, TypeError):
        return None
    return found if text in (found.id, found.folder) else None


def lookup(build_dir: Path, text: str) -> Release | Tombstone | None:
    """The release (or the tombstone of the pruned release) named by `text`, an id or a folder name.

    `text` must have passed `parse_id`; only folders that `folder_name` makes are ever looked at.
    """
    folder = build_dir / RELEASES / folder_name(text)
    if folder.is_dir() and not folder.is_symlink():
        with contextlib.suppress(OSError, ValueError):
            release = Release.at(folder.resolve())
            if text in (release.id, folder.name):
                return release
    return tombstone(build_dir, text)


# ---------------------------------------------------------------- pins


def pin(build_dir: Path, release: Release, pid: int | None = None) -> Path:
    """Mark `release` as served by process `pid` (this one by default): prune leaves it alone while that process lives."""
    pins = build_dir / PINS
    pins.mkdir(parents=True, exist_ok=True)
    path = pins / f"{pid or os.getpid()}.{release.folder.name}"
    path.write_text(release.id + "\n", encoding="utf-8")
    return path


def unpin(path: Path) -> None:
    path.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process: alive
    return True


def pinned(build_dir: Path) -> set[str]:
    """Folder names of the releases pinned by live processes (pins of dead ones are ignored)."""
    found: set[str] = set()
    with contextlib.suppress(OSError):
        for path in (build_dir / PINS).iterdir():
            pid, dot, folder = path.name.partition(".")
            if dot and pid.isdigit() and _alive(int(pid)):
                found.add(folder)
    return found


# ---------------------------------------------------------------- prune


@dataclass(frozen=True)
class PrunePlan:
    """What `prune` would remove, and why each other release stays."""

    remove: list[Entry]
    keep: dict[str, str]  # release id -> why it stays
    size_before: int
    size_after: int


def plan_prune(build_dir: Path, keep: int | None = None, max_bytes: int | None = None, cited: Collection[str] = (), force: bool = False) -> PrunePlan:
    """Which releases to remove: beyond the `keep` newest, then oldest first until under `max_bytes`.

    Never `current`, never a release pinned by a live server; a release in `cited` (ids) only with `force`.
    """
    entries = listing(build_dir)
    pins = pinned(build_dir)
    total = sum(e.size for e in entries)
    rank = {e.id: number for number, e in enumerate(reversed(entries))}  # 0 = newest
    protected: dict[str, str] = {}
    for entry in entries:
        if entry.current:
            protected[entry.id] = "current"
        elif entry.folder in pins:
            protected[entry.id] = "pinned by a running server"
        elif entry.id in cited and not force:
            protected[entry.id] = "cited by a permalink (--force to prune anyway)"
    remove: list[Entry] = []
    size = total
    for entry in entries:  # oldest first
        if entry.id in protected:
            continue
        beyond_keep = keep is not None and rank[entry.id] >= keep
        over_budget = max_bytes is not None and size > max_bytes
        if beyond_keep or over_budget:
            remove.append(entry)
            size -= entry.size
    kept = {e.id: protected.get(e.id, "kept") for e in entries if e not in remove}
    return PrunePlan(remove, kept, total, size)


def prune(build_dir: Path, plan: PrunePlan) -> list[Tombstone]:
    """Remove the planned releases (each leaves a tombstone first, naming its successor)."""
    entries = listing(build_dir)
    gone = {e.id for e in plan.remove}
    pins = pinned(build_dir)
    current = current_folder(build_dir)
    stones = []
    (build_dir / TOMBSTONES).mkdir(parents=True, exist_ok=True)
    for entry in plan.remove:
        if entry.folder == current or entry.folder in pins:
            continue  # pinned or made current since the plan: keep it
        later = [e for e in entries if e.published > entry.published and e.id not in gone]
        successor = later[0].id if later else next((e.id for e in entries if e.current), None)
        stone = Tombstone(entry.id, entry.folder, dt.datetime.now(tz=dt.UTC).isoformat(timespec="seconds"), successor, entry.published.isoformat())
        path = build_dir / TOMBSTONES / f"{entry.folder}.json"
        temporary = path.with_name(f".{path.name}.{os.getpid()}")
        temporary.write_text(json.dumps(stone.__dict__, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        os.replace(temporary, path)
        remove_tree(entry.release.folder)
        remove_tree(build_dir / STORES / entry.folder)
        remove_tree(network_folder(build_dir, entry.id))  # its precomputed networks (graph.network.precomputed)
        stones.append(stone)
    return stones
