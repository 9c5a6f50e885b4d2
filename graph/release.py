"""A build folder's layout: the only module that knows where a release's files are.

```
build/
  releases/{folder}/          one folder per release id, written once, then read-only
    dumps/uaeu.{trig,nq,ttl,nt,jsonld}  and each .gz, dumps/SHA256SUMS
    report.json, report.md
  current -> releases/{folder}       the release a new reader gets; switched atomically
  dumps -> current/dumps             conveniences for people and scripts, through `current`
  report.json -> current/report.json
  report.md -> current/report.md
  stores/{folder}/           an on-disk store of a release (`uaeu serve --store disk`), made on first use
  networks/{folder}/         the networks `uaeu build` precomputed for a release (graph.network.precomputed)
```

Writers call `publish`: the files go into a staging folder beside the releases, are made
read-only, and the folder is renamed to its release's name; then `current` is switched by
renaming a new symlink over it. A failure at any step removes the staging folder and leaves
`current` and every release as they were. A release whose folder already exists (the same data
built again) is reused, after checking that it holds the same checksums and report.

Readers call `Release.open(build_dir)`, which resolves `current` once and returns the release
pinned to that real folder: whatever a later build does, the pinned paths keep naming the same,
unchanging files. `Release.exists(build_dir)` is the one "is there a build?" check.

Every release is kept; `graph.archive` lists them, records which a running server pins, and prunes
(`uaeu prune`) only on purpose, leaving a tombstone.
This module uses the standard library only: every layer may import it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gzip
import hashlib
import json
import os
import re
import shutil
import stat
import uuid
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DUMP_NAME = "uaeu"
RELEASES = "releases"
CURRENT = "current"
DUMPS = "dumps"
SUMS = "SHA256SUMS"
REPORT_JSON = "report.json"
REPORT_MD = "report.md"
STORES = "stores"
NETWORKS = "networks"
# Links at the top of the build folder, through `current`, so `build/dumps/uaeu.nt` keeps working.
CONVENIENCE_LINKS = {DUMPS: f"{CURRENT}/{DUMPS}", REPORT_JSON: f"{CURRENT}/{REPORT_JSON}", REPORT_MD: f"{CURRENT}/{REPORT_MD}"}
STAGING_PREFIX = ".staging-"
READ_ONLY_FILE = 0o444
READ_ONLY_DIR = 0o555
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


class NoRelease(FileNotFoundError):
    """The build folder holds no complete release."""


class ReleaseConflict(RuntimeError):
    """A release folder of that name exists with other content (releases are never changed)."""


def folder_name(release_id: str) -> str:
    """The folder of a release id: `+` (and anything outside A-Z a-z 0-9 . _ -) becomes `_`.

    `0.1.0+3f2a9c1b7d4e` -> `0.1.0_3f2a9c1b7d4e`: a portable file name, and a URL path segment
    that no decoder turns into a space. The id itself is read from the folder's report.json.
    """
    name = _UNSAFE.sub("_", release_id)
    if not name or name[0] in ".-":
        name = "r" + name
    return name


def dump_name(extension: str, compressed: bool = False) -> str:
    """The file name of a dump: `uaeu.nq`, or `uaeu.nq.gz` compressed."""
    return f"{DUMP_NAME}.{extension}" + (".gz" if compressed else "")


def dump_extension(name: str) -> tuple[str, bool] | None:
    """`uaeu.nq.gz` -> ("nq", True); None for a name that is not a dump."""
    compressed = name.endswith(".gz")
    stem = name.removesuffix(".gz")
    if not stem.startswith(DUMP_NAME + "."):
        return None
    return stem.removeprefix(DUMP_NAME + "."), compressed


def dump_path(dumps: Path, extension: str) -> Path:
    """A dump inside a release's dumps folder (for code handed that folder, e.g. a query worker)."""
    return dumps / dump_name(extension)


def _packed(data: bytes) -> tuple[bytes, str, str]:
    """One dump gzipped (level 9, no timestamp), with its checksum and its gzip's."""
    compressed = gzip.compress(data, compresslevel=9, mtime=0)
    return compressed, hashlib.sha256(data).hexdigest(), hashlib.sha256(compressed).hexdigest()


def dump_files(serialised: Mapping[str, bytes] | Iterable[tuple[str, bytes]], threads: int = 2) -> dict[str, bytes]:
    """The dumps folder's files from {extension: bytes} (or (extension, bytes) pairs as they are
    made): each dump, gzipped (no timestamp), and SHA256SUMS.

    Each dump is compressed and checksummed in a thread as soon as it arrives: zlib and hashlib
    release the GIL on large buffers, so the dumps compress beside each other and beside the code
    making the next one. The bytes are the same as compressing them one after another.
    """
    pairs = serialised.items() if isinstance(serialised, Mapping) else serialised
    with ThreadPoolExecutor(max_workers=max(1, threads), thread_name_prefix="uaeu-gzip") as pool:
        jobs = {extension: (data, pool.submit(_packed, data)) for extension, data in pairs}
        packed = {extension: (data, job.result()) for extension, (data, job) in jobs.items()}
    files: dict[str, bytes] = {}
    sums: dict[str, str] = {}
    for extension in sorted(packed):
        data, (compressed, data_sum, compressed_sum) = packed[extension]
        plain, gz = dump_name(extension), dump_name(extension, compressed=True)
        files[plain], files[gz] = data, compressed
        sums[plain], sums[gz] = data_sum, compressed_sum
    files[SUMS] = "".join(f"{sums[name]}  {name}\n" for name in sorted(sums)).encode("utf-8")
    return files


def report_bytes(report: Mapping[str, Any]) -> bytes:
    """report.json as written: sorted keys, so the same report gives the same bytes."""
    return (json.dumps(report, indent=2, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8")


@dataclass(frozen=True)
class Release:
    """One release, pinned to its real folder: every path below stays valid and unchanged."""

    id: str
    folder: Path
    report: dict[str, Any] = field(compare=False, repr=False)

    @property
    def dumps(self) -> Path:
        return self.folder / DUMPS

    @property
    def sums(self) -> Path:
        return self.dumps / SUMS

    @property
    def report_json(self) -> Path:
        return self.folder / REPORT_JSON

    @property
    def report_md(self) -> Path:
        return self.folder / REPORT_MD

    @property
    def published(self) -> dt.datetime:
        """When the release was first written (its report's modification time; reuse keeps it)."""
        return dt.datetime.fromtimestamp(self.report_json.stat().st_mtime, tz=dt.UTC)

    def dump(self, extension: str, compressed: bool = False) -> Path:
        return self.dumps / dump_name(extension, compressed)

    def checksums(self) -> dict[str, str]:
        """{file name: SHA-256} of the dumps, from SHA256SUMS."""
        sums: dict[str, str] = {}
        for line in self.sums.read_text(encoding="utf-8").splitlines():
            if line.strip():
                digest, name = line.split(maxsplit=1)
                sums[name.strip()] = digest
        return sums

    @classmethod
    def at(cls, folder: Path) -> Release:
        """The release in `folder` (a real folder under releases/)."""
        try:
            report = json.loads((folder / REPORT_JSON).read_text(encoding="utf-8"))
        except (OSError, ValueError) as err:
            raise NoRelease(f"no release at {folder}: {err}") from None
        if not (folder / DUMPS / dump_name("nq")).is_file() or not isinstance(report, dict) or "release" not in report:
            raise NoRelease(f"no complete release at {folder}")
        return cls(str(report["release"]), folder, report)

    @classmethod
    def open(cls, build_dir: Path) -> Release:
        """The current release of `build_dir`, pinned: `current` is resolved once, here."""
        try:
            folder = Path(os.path.realpath(build_dir / CURRENT, strict=True))
            return cls.at(folder)
        except (OSError, NoRelease):
            raise NoRelease(f"no build at {build_dir}; run 'uaeu build' first") from None

    @staticmethod
    def exists(build_dir: Path) -> bool:
        """Is there a build (a complete current release) in `build_dir`?"""
        try:
            Release.open(build_dir)
        except NoRelease:
            return False
        return True

    @classmethod
    def find(cls, build_dir: Path, release_id: str) -> Release | None:
        """The release with this id, if this build folder has it (current or not)."""
        try:
            release = cls.at((build_dir / RELEASES / folder_name(release_id)).resolve())
        except NoRelease:
            return None
        return release if release.id == release_id else None

    @classmethod
    def all(cls, build_dir: Path) -> list[Release]:
        """Every release of the build folder, oldest first."""
        releases = []
        with contextlib.suppress(OSError):
            for folder in sorted((build_dir / RELEASES).iterdir()):
                if not folder.name.startswith("."):
                    with contextlib.suppress(NoRelease):
                        releases.append(cls.at(folder.resolve()))
        return sorted(releases, key=lambda r: (r.published, r.id))


def store_folder(build_dir: Path, release: Release) -> Path:
    """Where an on-disk store of `release` lives: beside the releases (which are read-only), one per release."""
    return build_dir / STORES / folder_name(release.id)


def network_folder(build_dir: Path, release_id: str) -> Path:
    """Where the networks precomputed for a release live: beside the releases (written before it becomes current)."""
    return build_dir / NETWORKS / folder_name(release_id)


def publish(build_dir: Path, dumps: Mapping[str, bytes], report: Mapping[str, Any], report_md: str) -> Release:
    """Write a release (its dumps folder's files from `dump_files`, and the report) and make it current.

    The folder is named after `report["release"]`; if it exists already, it is reused when it
    holds the same checksums and report, and a `ReleaseConflict` otherwise. Any failure
    (an exception, a full disk) leaves `current` and every existing release untouched.
    """
    release_id = str(report["release"])
    releases = build_dir / RELEASES
    releases.mkdir(parents=True, exist_ok=True)
    _adopt_unversioned(build_dir)
    target = releases / folder_name(release_id)
    expected = {f"{DUMPS}/{SUMS}": dumps[SUMS], REPORT_JSON: report_bytes(report), REPORT_MD: report_md.encode("utf-8")}
    created = False
    staging = releases / f"{STAGING_PREFIX}{os.getpid()}-{uuid.uuid4().hex[:8]}"
    try:
        if target.exists():
            _check_same(target, expected)
        else:
            staging.mkdir()
            (staging / DUMPS).mkdir()
            for name, data in dumps.items():
                _write(staging / DUMPS / name, data)
            _write(staging / REPORT_JSON, expected[REPORT_JSON])
            _write(staging / REPORT_MD, expected[REPORT_MD])
            _make_read_only(staging)
            try:
                os.rename(staging, target)
                created = True
            except OSError:
                if not target.is_dir():
                    raise
                _check_same(target, expected)  # another build published the same release meanwhile
            _fsync_dir(releases)
        _link(build_dir / CURRENT, f"{RELEASES}/{target.name}")
        for name, link_target in CONVENIENCE_LINKS.items():
            _link(build_dir / name, link_target)
        _fsync_dir(build_dir)
    except BaseException:
        remove_tree(staging)
        if created and os.path.realpath(build_dir / CURRENT) != os.path.realpath(target):
            remove_tree(target)
        raise
    finally:
        remove_tree(staging)
    return Release.at(target.resolve())


def _write(path: Path, data: bytes) -> None:
    with path.open("wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _walk(folder: Path) -> Iterator[Path]:
    """Every path under `folder`, deepest first, then `folder` itself (no symlinks followed)."""
    for root, dirs, files in os.walk(folder, topdown=False):
        for name in files + dirs:
            yield Path(root) / name
    yield folder


def _make_read_only(folder: Path) -> None:
    for path in _walk(folder):
        if not path.is_symlink():
            path.chmod(READ_ONLY_DIR if path.is_dir() else READ_ONLY_FILE)


def remove_tree(folder: Path) -> None:
    """Remove a folder written here (a staging folder, or a throwaway build), read-only releases included."""
    if folder.is_symlink() or not folder.exists():
        return
    for path in reversed(list(_walk(folder))):
        if path.is_dir() and not path.is_symlink():
            with contextlib.suppress(OSError):
                path.chmod(path.stat().st_mode | stat.S_IWUSR | stat.S_IXUSR)
    shutil.rmtree(folder, ignore_errors=True)


def _check_same(folder: Path, expected: Mapping[str, bytes]) -> None:
    for name, data in expected.items():
        try:
            same = (folder / name).read_bytes() == data
        except OSError:
            same = False
        if not same:
            raise ReleaseConflict(f"{folder} exists with another {name}; a published release is never changed (move that folder away to rebuild it)")


def _link(path: Path, target: str) -> None:
    """Point the symlink `path` at `target` in one step: a new link renamed over the old one."""
    if path.is_symlink() and os.readlink(path) == target:
        return
    temporary = path.with_name(f".{path.name}-{os.getpid()}-{uuid.uuid4().hex[:8]}")
    os.symlink(target, temporary)
    try:
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _adopt_unversioned(build_dir: Path) -> None:
    """A build folder written before releases/ existed: move its release under releases/.

    Its dumps/ and reports become a release folder like any other (read-only, kept), so the
    convenience links can take their place.
    """
    old_dumps = build_dir / DUMPS
    if old_dumps.is_symlink() or not old_dumps.is_dir():
        return
    staging = build_dir / RELEASES / f"{STAGING_PREFIX}adopt-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    staging.mkdir()
    try:
        for name in (DUMPS, REPORT_JSON, REPORT_MD):
            old = build_dir / name
            if old.exists() and not old.is_symlink():
                os.rename(old, staging / name)
        try:
            release_id = str(json.loads((staging / REPORT_JSON).read_text(encoding="utf-8"))["release"])
        except (OSError, ValueError, KeyError, TypeError):
            return  # not a complete release: nothing to keep
        target = build_dir / RELEASES / folder_name(release_id)
        if not target.exists() and (staging / DUMPS / dump_name("nq")).is_file():
            _make_read_only(staging)
            os.rename(staging, target)
    finally:
        remove_tree(staging)
