"""Networks computed once by `uaeu build`, so the server starts warm: the answers the network page asks for most.

Why at build time: metrics (betweenness above all) and layouts cost seconds on bigger data, and the
release never changes once published, so computing them in the serving process on every start (and
on every first use of a filter) is work the build can do once. The build writes them beside the
release, in `graph.release.network_folder(build_dir, release_id)` (the release folder itself is
read-only and its id digests the dumps only), before the release becomes current:

```
networks/{release folder}/
  manifest.json        release, base, fingerprint, level, what each file holds, their SHA-256
  layouts.json.gz      node positions per kind (the broadest filters, as the page draws them)
  net-NNN.json.gz      one network's node-link JSON, byte for byte what the API answers
```

A server uses the folder only when its manifest names the served release and base and the
`fingerprint` of the code and settings that compute networks, and each file's checksum matches;
otherwise (and for every combination not in it) networks are computed on demand, as before.
Everything here is deterministic: the same release and code give the same bytes.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import json
import os
import uuid
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import networkx as nx

from graph.network.extract import NetworkData
from graph.network.metrics import HopMetrics, Sampling
from graph.network.model import KINDS, WEIGHTINGS, NetworkOptions
from graph.release import READ_ONLY_DIR, READ_ONLY_FILE, remove_tree

#: The page's role choices besides its default ("partners"): the aliases it offers first.
ROLE_CHOICES = ("coordinators", "members", "all")
#: The kinds whose networks are big enough to be slow on demand (one node per organisation).
BIG_KINDS = ("organisations", "bipartite")

FORMAT = 1
MANIFEST = "manifest.json"
LAYOUTS = "layouts.json.gz"
#: How much the build precomputes (UAEU_NETWORK_PRECOMPUTE): see `combinations`.
LEVELS = ("auto", "years", "defaults", "none")
#: `auto` precomputes every as-of year up to this many memberships, only the defaults up to AUTO_DEFAULTS_MAX.
AUTO_YEARS_MAX = 3000
AUTO_DEFAULTS_MAX = 20000
FIRST_YEAR = 2016  # the Pact of Amsterdam; the page's date slider starts here unless the data starts earlier
_SOURCES = ("graph/network", "graph/dates.py", "graph/vocabulary.py")


def as_of_years(data: NetworkData, today: dt.date | None = None) -> list[int]:
    """The years the page's date slider offers: from the first partnership (2016 at the latest) to this year."""
    starts = [int(p.start[:4]) for p in data.partnerships.values() if p.start[:4].isdigit()]
    first = min([*starts, FIRST_YEAR])
    return list(range(first, (today or dt.date.today()).year + 1))


def fingerprint(sampling: Sampling) -> str:
    """What made the networks: the network code, networkx's version and the sampling settings."""
    root = Path(__file__).resolve().parents[2]
    digest = hashlib.sha256(f"format {FORMAT}; networkx {nx.__version__}; {sampling}".encode())
    for source in _SOURCES:
        path = root / source
        for file in sorted(path.glob("*.py")) if path.is_dir() else [path]:
            digest.update(file.name.encode() + b"\0" + file.read_bytes())
    return digest.hexdigest()


def resolve_level(level: str, data: NetworkData) -> str:
    if level not in LEVELS:
        raise ValueError(f"UAEU_NETWORK_PRECOMPUTE: unknown level {level!r} (expected one of: {', '.join(LEVELS)})")
    if level != "auto":
        return level
    size = len(data.memberships)
    return "years" if size <= AUTO_YEARS_MAX else "defaults" if size <= AUTO_DEFAULTS_MAX else "none"


def combinations(data: NetworkData, level: str, today: dt.date | None = None) -> list[NetworkOptions]:
    """The filter combinations to precompute.

    `defaults`: every kind x weighting with the page's default filters (partner roles, stated
    evidence, any date). `years`: those, each again with weaker evidence included; every kind at
    every as-of year of the slider (default weighting); and for the kinds with one node per
    organisation (slow on demand), each year again with weaker evidence and each role choice the
    page offers besides the default (coordinators, members, all).
    Other weightings at a year, single roles, partner types, themes and partnerships multiply past
    what is worth storing; those (and everything at `none`) are computed on demand and cached.
    """
    level = resolve_level(level, data)
    if level == "none":
        return []
    chosen = [NetworkOptions(kind=kind, weighting=weighting) for kind in KINDS for weighting in WEIGHTINGS]
    if level == "years":
        chosen += [NetworkOptions(kind=kind, weighting=weighting, evidence=("all",)) for kind in KINDS for weighting in WEIGHTINGS]
        years = as_of_years(data, today)
        chosen += [NetworkOptions(kind=kind, as_of=str(year)) for kind in KINDS for year in years]
        chosen += [NetworkOptions(kind=kind, as_of=str(year), evidence=("all",)) for kind in BIG_KINDS for year in years]
        chosen += [NetworkOptions(kind=kind, roles=(role,)) for kind in BIG_KINDS for role in ROLE_CHOICES]
    unique = {options_key(options): options for options in chosen}
    return list(unique.values())


def options_key(options: NetworkOptions) -> str:
    return json.dumps(options.as_dict(), sort_keys=True, separators=(",", ":"))


def _gzip(data: bytes) -> bytes:
    return gzip.compress(data, compresslevel=6, mtime=0)


def folder_files(
    data: NetworkData,
    level: str,
    export_json: Callable[[NetworkOptions], bytes],
    layout: Callable[[str], dict[str, tuple[float, float]]],
    sampling: Sampling,
    today: dt.date | None = None,
) -> dict[str, bytes]:
    """Every file of a precomputed folder, by name (`export_json`, `layout`: graph.network's own, so the bytes match)."""
    chosen = combinations(data, level, today)
    files: dict[str, bytes] = {}
    entries: dict[str, str] = {}
    for i, options in enumerate(sorted(chosen, key=options_key)):
        name = f"net-{i:03d}.json.gz"
        files[name] = _gzip(export_json(options))
        entries[options_key(options)] = name
    if chosen:
        layouts = {kind: layout(kind) for kind in KINDS}
        files[LAYOUTS] = _gzip(json.dumps(layouts, sort_keys=True, separators=(",", ":")).encode("utf-8"))
    manifest = {
        "format": FORMAT,
        "release": data.release,
        "base": data.base,
        "fingerprint": fingerprint(sampling),
        "level": resolve_level(level, data),
        "betweenness_sampling": {"exact_max_nodes": sampling.exact_max_nodes, "k": sampling.k, "seed": sampling.seed},
        "networks": entries,
        "layouts": LAYOUTS if chosen else None,
        "sha256": {name: hashlib.sha256(content).hexdigest() for name, content in sorted(files.items())},
    }
    files[MANIFEST] = (json.dumps(manifest, indent=1, sort_keys=True) + "\n").encode("utf-8")
    return files


def write_folder(folder: Path, files: dict[str, bytes]) -> None:
    """Write the folder in one step (a staging folder renamed into place), read-only; an existing one is replaced."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = folder.with_name(f".staging-{folder.name}-{os.getpid()}-{uuid.uuid4().hex[:8]}")
    old = folder.with_name(f".old-{folder.name}-{os.getpid()}-{uuid.uuid4().hex[:8]}")
    try:
        staging.mkdir()
        for name, content in files.items():
            (staging / name).write_bytes(content)
            (staging / name).chmod(READ_ONLY_FILE)
        staging.chmod(READ_ONLY_DIR)
        if folder.exists():
            os.rename(folder, old)
        os.rename(staging, folder)
    finally:
        remove_tree(staging)
        remove_tree(old)


@dataclass
class Precomputed:
    """A precomputed folder that matches the served release and code; files are read (and checked) when asked for."""

    folder: Path
    manifest: dict[str, Any]

    @classmethod
    def open(cls, folder: Path, release: str, base: str, sampling: Sampling | None = None) -> Precomputed | None:
        """The folder's networks, or None when it is missing or was made for another release, base or code."""
        try:
            manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            return None
        wanted = {"release": release, "base": base, "fingerprint": fingerprint(sampling or Sampling.from_env())}
        if any(manifest.get(k) != v for k, v in wanted.items()):
            return None
        return cls(folder, manifest)

    @property
    def release(self) -> str:
        return str(self.manifest["release"])

    def __len__(self) -> int:
        return len(self.manifest.get("networks") or {})

    def _read(self, name: str) -> bytes | None:
        expected = (self.manifest.get("sha256") or {}).get(name)
        if expected is None or "/" in name or name.startswith("."):
            return None
        try:
            content = (self.folder / name).read_bytes()
        except OSError:
            return None
        if hashlib.sha256(content).hexdigest() != expected:
            return None  # a damaged file is recomputed, never served
        return gzip.decompress(content)

    def has(self, options: NetworkOptions) -> bool:
        return options_key(options) in (self.manifest.get("networks") or {})

    def export_json(self, options: NetworkOptions) -> bytes | None:
        """The node-link JSON of a precomputed combination (what `export_network(..., "json")` answers), or None."""
        name = (self.manifest.get("networks") or {}).get(options_key(options))
        return self._read(name) if isinstance(name, str) else None

    def hop_metrics(self, options: NetworkOptions, nodes: Collection[str], edges: int) -> HopMetrics | None:
        """The hop-count metrics of these filters, read from a precomputed network with the same filters in any weighting, or None.

        Why: betweenness, closeness, clustering and components ignore the weights, and the weighting
        changes no node or edge, so `organisations` with `newman` at a year has the betweenness of
        the precomputed `shared` one: read, not computed again (the exact search from every node
        is most of an on-demand network's time). The numbers are the file's own (JSON floats read
        back are the same floats), used only when the file holds exactly these nodes and as many
        edges, and every value is a number.
        """
        for weighting in (options.weighting, *WEIGHTINGS):
            content = self.export_json(options.reweighted(weighting))
            if content is not None:
                return _hops_from(json.loads(content), nodes, edges)
        return None

    def layouts(self) -> dict[str, dict[str, tuple[float, float]]] | None:
        name = self.manifest.get("layouts")
        content = self._read(name) if isinstance(name, str) else None
        if content is None:
            return None
        return {kind: {node: (xy[0], xy[1]) for node, xy in positions.items()} for kind, positions in json.loads(content).items()}

    def combinations(self) -> Iterator[NetworkOptions]:
        for key in self.manifest.get("networks") or {}:
            yield NetworkOptions(**json.loads(key))


def _hops_from(linked: dict[str, Any], nodes: Collection[str], edges: int) -> HopMetrics | None:
    """HopMetrics from a network's node-link JSON, if it is the network of `nodes` (and `edges` edges) with every value a number."""
    listed = linked.get("nodes") or []
    if len(listed) != len(nodes) or len(linked.get("edges") or []) != edges or {n.get("id") for n in listed} != set(nodes):
        return None
    method = ((linked.get("meta") or {}).get("metrics") or {}).get("betweenness")
    columns: dict[str, dict[Any, Any]] = {"betweenness": {}, "closeness": {}, "clustering": {}, "component": {}}
    for node in listed:
        for name, column in columns.items():
            value = node.get(name)
            if isinstance(value, bool) or not isinstance(value, int if name == "component" else float):
                return None
            column[node["id"]] = value
    if not isinstance(method, dict):
        return None
    return HopMetrics(columns["betweenness"], columns["closeness"], columns["clustering"], columns["component"], method)
