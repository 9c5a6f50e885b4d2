"""Networks precomputed by `uaeu build`: the same answers as computed on demand, served without computing, the same bytes every build.

Why: the server now starts from what the build wrote (graph.network.precomputed), so a wrong,
stale or damaged file would silently change what people see. Each test checks real outputs: the
parsed JSON of the API, the page's JSON twin, the files in the build folder.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import shutil
import subprocess
import sys
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from flask import Flask

import graph.network as network_module
from graph.config import PROJECT_ROOT
from graph.network import (
    NetworkData,
    NetworkOptionError,
    NetworkOptions,
    Precomputed,
    clear_cache,
    export_network,
    is_precomputed,
    kind_layout,
    load_network_data,
    make_network,
    precompute,
    use_precomputed,
)
from graph.network.metrics import Sampling, hop_centralities, hop_metrics
from graph.network.precomputed import LAYOUTS, MANIFEST, _hops_from, combinations
from graph.release import Release, network_folder, remove_tree
from graph.store import GraphStore
from tests.helpers import running_app
from webapp.views.network import _page_data

BASE = "https://w3id.org/uaeu/"
RELEASE = "test-precomputed"
SAMPLES = [
    NetworkOptions(),
    NetworkOptions(kind="bipartite", weighting="newman"),
    NetworkOptions(kind="countries", weighting="jaccard", evidence=("all",)),
    NetworkOptions(kind="partnerships", as_of="2019"),
    NetworkOptions(kind="organisations", as_of="2021"),
]


@pytest.fixture(scope="module")
def data(graph_store: GraphStore) -> NetworkData:
    return load_network_data(graph_store, base=BASE, release=RELEASE)


@pytest.fixture(scope="module")
def folder(data: NetworkData, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    path = tmp_path_factory.mktemp("networks") / "precomputed"
    precompute(data, path, "years")
    yield path
    remove_tree(path)


@pytest.fixture
def fresh() -> Iterator[None]:
    """No cached networks and nothing precomputed registered, before and after."""
    clear_cache()
    use_precomputed(None, RELEASE)
    yield
    use_precomputed(None, RELEASE)
    clear_cache()


def _json(exported: bytes | tuple[str, str]) -> Any:
    assert isinstance(exported, bytes)
    return json.loads(exported)


def test_the_common_combinations_are_precomputed_with_their_layouts(data: NetworkData, folder: Path) -> None:
    manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    wanted = combinations(data, "years")
    assert len(manifest["networks"]) == len(wanted) == len({json.dumps(o.as_dict(), sort_keys=True) for o in wanted}) > 50
    assert manifest["release"] == RELEASE and manifest["base"] == BASE and manifest["level"] == "years"
    assert sorted(manifest["sha256"]) == sorted([*manifest["networks"].values(), LAYOUTS])
    precomputed = Precomputed.open(folder, RELEASE, BASE)
    assert precomputed is not None
    for options in SAMPLES:
        assert precomputed.has(options), options
    assert not precomputed.has(NetworkOptions(themes=("housing",)))
    # read-only files, as the release itself
    assert not os.access(folder / MANIFEST, os.W_OK) or os.geteuid() == 0
    assert (folder / MANIFEST).stat().st_mode & 0o222 == 0


def test_precomputed_networks_equal_the_ones_computed_on_demand(data: NetworkData, folder: Path, fresh: None) -> None:
    computed = {options: _json(export_network(data, options, "json")) for options in SAMPLES}
    layouts = {kind: kind_layout(data, kind) for kind in ("organisations", "bipartite", "countries", "partnerships")}
    clear_cache()
    precomputed = Precomputed.open(folder, RELEASE, BASE)
    assert precomputed is not None
    use_precomputed(precomputed)
    for options in SAMPLES:
        assert is_precomputed(data, options)
        read = precomputed.export_json(options)
        assert read is not None
        assert json.loads(read) == computed[options], options
        assert _json(export_network(data, options, "json")) == computed[options]
        assert len(computed[options]["nodes"]) > 0
    for kind, positions in layouts.items():
        assert kind_layout(data, kind) == positions
        assert len(positions) > 10


def test_a_damaged_file_is_recomputed_never_served(data: NetworkData, folder: Path, tmp_path: Path, fresh: None) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(folder, copy)
    for path in [copy, *copy.iterdir()]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    manifest = json.loads((copy / MANIFEST).read_text(encoding="utf-8"))
    options = NetworkOptions(kind="countries")
    name = manifest["networks"][json.dumps(options.as_dict(), sort_keys=True, separators=(",", ":"))]
    (copy / name).write_bytes(gzip.compress(b'{"nodes":[],"edges":[],"meta":{}}', mtime=0))
    precomputed = Precomputed.open(copy, RELEASE, BASE)
    assert precomputed is not None and precomputed.export_json(options) is None
    use_precomputed(precomputed)
    answer = _json(export_network(data, options, "json"))
    assert len(answer["nodes"]) > 10 and answer["meta"]["kind"] == "countries"


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ({"release": "another"}, "another release"),
        ({"base": "https://example.org/"}, "another base"),
        ({"fingerprint": "0" * 64}, "other code"),
        ({"format": 99}, "another format"),
    ],
)
def test_a_folder_made_for_something_else_is_not_used(folder: Path, tmp_path: Path, change: dict[str, Any], why: str) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(folder, copy)
    (copy / MANIFEST).chmod(0o644)
    manifest = json.loads((copy / MANIFEST).read_text(encoding="utf-8"))
    (copy / MANIFEST).write_text(json.dumps({**manifest, **change}), encoding="utf-8")
    assert Precomputed.open(copy, RELEASE, BASE) is None, why
    assert Precomputed.open(tmp_path / "missing", RELEASE, BASE) is None
    # other sampling settings make other numbers: not these
    assert Precomputed.open(folder, RELEASE, BASE, Sampling(exact_max_nodes=3, k=2)) is None


def test_a_manifest_cannot_point_outside_its_folder(folder: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(folder, copy)
    (copy / MANIFEST).chmod(0o644)
    secret = tmp_path / "secret.json.gz"
    secret.write_bytes(gzip.compress(b"{}", mtime=0))
    manifest = json.loads((copy / MANIFEST).read_text(encoding="utf-8"))
    key = next(iter(manifest["networks"]))
    manifest["networks"][key] = "../secret.json.gz"
    manifest["sha256"]["../secret.json.gz"] = __import__("hashlib").sha256(secret.read_bytes()).hexdigest()
    (copy / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    precomputed = Precomputed.open(copy, RELEASE, BASE)
    assert precomputed is not None
    assert precomputed.export_json(NetworkOptions(**json.loads(key))) is None


def test_sampled_betweenness_is_recorded_in_the_meta_and_the_downloads(data: NetworkData, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh: None) -> None:
    monkeypatch.setenv("UAEU_NETWORK_EXACT_BETWEENNESS_MAX_NODES", "10")
    monkeypatch.setenv("UAEU_NETWORK_BETWEENNESS_SAMPLE", "5")
    precompute(data, tmp_path / "sampled", "defaults")
    precomputed = Precomputed.open(tmp_path / "sampled", RELEASE, BASE)
    assert precomputed is not None and precomputed.manifest["betweenness_sampling"] == {"exact_max_nodes": 10, "k": 5, "seed": 42}
    options = NetworkOptions()
    read = precomputed.export_json(options)
    assert read is not None
    meta = json.loads(read)["meta"]["metrics"]
    assert meta["betweenness"]["method"] == "sampled" and meta["betweenness"]["k"] == 5 and meta["betweenness"]["seed"] == 42
    assert "sampled, k=5, seed=42" in meta["notes"]["betweenness"]
    # the numbers are networkx's seeded estimate
    graph = make_network(data, options).graph
    ours, _ = hop_centralities(graph, 5, 42)
    theirs = nx.betweenness_centrality(graph, normalized=True, k=5, seed=42)
    assert ours == pytest.approx(theirs, abs=1e-12)
    by_id = {n["id"]: n["betweenness"] for n in json.loads(read)["nodes"]}
    assert by_id == pytest.approx(theirs, abs=1e-12)
    # computed on demand under the same settings: the same note; the CSV download's meta.json says it too
    use_precomputed(None, RELEASE)
    on_demand = _json(export_network(data, options, "json"))
    assert on_demand["meta"]["metrics"]["betweenness"] == meta["betweenness"]
    monkeypatch.delenv("UAEU_NETWORK_EXACT_BETWEENNESS_MAX_NODES")
    monkeypatch.delenv("UAEU_NETWORK_BETWEENNESS_SAMPLE")
    clear_cache()
    exact = _json(export_network(data, options, "json"))["meta"]["metrics"]
    assert exact["betweenness"] == {"method": "exact"} and "sampled" not in exact["notes"]["betweenness"]


def test_bad_sampling_settings_say_what_is_wrong(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UAEU_NETWORK_BETWEENNESS_SAMPLE", "lots")
    with pytest.raises(ValueError, match="UAEU_NETWORK_BETWEENNESS_SAMPLE: must be a whole number"):
        Sampling.from_env()
    monkeypatch.setenv("UAEU_NETWORK_BETWEENNESS_SAMPLE", "0")
    with pytest.raises(ValueError, match="must be 1 or more"):
        Sampling.from_env()


# ---------------------------------------------------------------- the real command and the real server


@pytest.fixture(scope="module")
def cli_build(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """`uaeu build` of the real data into a folder of its own (it precomputes the networks)."""
    out = tmp_path_factory.mktemp("cli-build") / "build"
    env = {**os.environ, "UAEU_NETWORK_PRECOMPUTE": "years", "PYTHONHASHSEED": "1"}
    subprocess.run([sys.executable, "-m", "webapp.cli", "build", "--build", str(out)], check=True, capture_output=True, env=env, cwd=PROJECT_ROOT)
    yield out
    remove_tree(out)


def test_the_server_answers_a_precomputed_combination_without_computing(cli_build: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    release = Release.open(cli_build)
    assert (network_folder(cli_build, release.id) / MANIFEST).is_file()
    clear_cache()
    answers: dict[str, Any] = {}

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a precomputed network was computed again")

    before = sum(network_module.COMPUTED.values())
    app: Flask
    with running_app(cli_build) as app:
        client = app.test_client()
        for thread in threading.enumerate():
            if thread.name == "uaeu-network-warm-up":
                thread.join(timeout=120)
        # the warm-up rendered each kind's default page data: the page's first request is a cache hit
        hits = _page_data.cache_info().hits
        assert client.get("/network.json?kind=bipartite").status_code == 200
        assert _page_data.cache_info().hits == hits + 1
        monkeypatch.setattr(network_module, "make_network", refuse)
        # what the page's form sends (role=partners, evidence=stated, the slider's year), and the API
        for url in (
            "/network.json?kind=organisations&weighting=shared&role=partners&evidence=stated",
            "/network.json?kind=bipartite&weighting=newman&role=partners&evidence=all",
            "/network.json?kind=countries&weighting=shared&role=partners&evidence=stated&as_of=2019",
            "/api/network/partnerships",
        ):
            response = client.get(url)
            assert response.status_code == 200, (url, response.get_data(as_text=True)[:300])
            answers[url] = response.get_json()
        assert sum(network_module.COMPUTED.values()) == before
        monkeypatch.undo()
        # an uncommon combination is still computed on demand (and counted)
        response = client.get("/network.json?kind=organisations&theme=housing")
        assert response.status_code == 200
        assert sum(network_module.COMPUTED.values()) == before + 1
        # computed afresh, the page data is the same
        clear_cache()
        use_precomputed(None, release.id)
        for url, body in answers.items():
            again = client.get(url).get_json()
            assert again == body, url
    page = answers["/network.json?kind=organisations&weighting=shared&role=partners&evidence=stated"]
    assert len(page["nodes"]) > 100 and all("x" in n and "betweenness" in n for n in page["nodes"])
    assert page["meta"]["metrics"]["betweenness"] == {"method": "exact"}
    clear_cache()


def test_csv_download_meta_names_the_betweenness_method(cli_build: Path) -> None:
    clear_cache()
    with running_app(cli_build) as app:
        response = app.test_client().get("/api/network/organisations?format=csv")
        assert response.status_code == 200
        with zipfile.ZipFile(io.BytesIO(response.get_data())) as archive:
            meta_name = next(n for n in archive.namelist() if n.endswith(".meta.json"))
            meta = json.loads(archive.read(meta_name))
    assert meta["metrics"]["betweenness"] == {"method": "exact"}
    clear_cache()


def test_two_builds_are_byte_identical_networks_included(cli_build: Path, tmp_path: Path) -> None:
    """A second `uaeu build` in another process (other string hashing) writes the same bytes: dumps, report, networks."""
    second = tmp_path / "build"
    env = {**os.environ, "UAEU_NETWORK_PRECOMPUTE": "years", "PYTHONHASHSEED": "2"}
    subprocess.run([sys.executable, "-m", "webapp.cli", "build", "--build", str(second)], check=True, capture_output=True, env=env, cwd=PROJECT_ROOT)
    try:
        first_release, second_release = Release.open(cli_build), Release.open(second)
        assert first_release.id == second_release.id
        pairs = [(first_release.folder, second_release.folder), (network_folder(cli_build, first_release.id), network_folder(second, second_release.id))]
        for a, b in pairs:
            names = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
            assert names == sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file())
            assert len(names) > 5
            for name in names:
                assert (a / name).read_bytes() == (b / name).read_bytes(), name
    finally:
        remove_tree(second)


def test_the_same_release_built_again_keeps_its_networks(cli_build: Path) -> None:
    """A rebuild of unchanged data by the same code reuses the release and its precomputed folder (nothing rewritten)."""
    release = Release.open(cli_build)
    folder = network_folder(cli_build, release.id)
    before = {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}
    env = {**os.environ, "UAEU_NETWORK_PRECOMPUTE": "years"}
    out = subprocess.run(
        [sys.executable, "-m", "webapp.cli", "build", "--build", str(cli_build)], check=True, capture_output=True, text=True, env=env, cwd=PROJECT_ROOT
    )
    assert f"networks: {len(before) - 2} precomputed" in out.stdout
    assert {p.name: p.stat().st_mtime_ns for p in folder.iterdir()} == before


# ---------------------------------------------------------------- hop metrics read from a precomputed network

#: Combinations the build does not precompute whose filters it does, in another weighting.
SIBLINGS = [
    NetworkOptions(kind="organisations", weighting="newman", as_of="2021"),
    NetworkOptions(kind="organisations", weighting="jaccard", as_of="2019", evidence=("all",)),
    NetworkOptions(kind="organisations", weighting="jaccard", roles=("all",)),
    NetworkOptions(kind="bipartite", weighting="newman", roles=("coordinators",)),
    NetworkOptions(kind="countries", weighting="newman", as_of="2020"),
]


def test_other_weightings_read_hop_metrics_from_the_precomputed_network_the_same_answer(data: NetworkData, folder: Path, fresh: None) -> None:
    precomputed = Precomputed.open(folder, RELEASE, BASE)
    assert precomputed is not None
    for options in SIBLINGS:
        assert not precomputed.has(options), options
        assert precomputed.has(options.reweighted("shared")), options
    computed = {options: export_network(data, options, "json") for options in SIBLINGS}
    clear_cache()
    use_precomputed(precomputed)
    read_before = sum(network_module.HOPS_READ.values())
    computed_before = sum(network_module.COMPUTED.values())
    for options in SIBLINGS:
        assert export_network(data, options, "json") == computed[options], options
    assert sum(network_module.HOPS_READ.values()) == read_before + len(SIBLINGS)
    assert sum(network_module.COMPUTED.values()) == computed_before + len(SIBLINGS)
    # the numbers read are those computed, value for value (JSON floats read back are the same floats)
    options = SIBLINGS[0]
    graph = make_network(data, options).graph
    read = precomputed.hop_metrics(options, graph.nodes, graph.number_of_edges())
    assert read is not None
    fresh_hops = hop_metrics(graph)
    assert read.betweenness == fresh_hops.betweenness and read.closeness == fresh_hops.closeness
    assert read.clustering == {n: float(v) for n, v in fresh_hops.clustering.items()} and read.component_of == fresh_hops.component_of
    assert read.betweenness_method == fresh_hops.betweenness_method == {"method": "exact"}
    # and the page's data carries the same meta either way
    assert json.loads(computed[options])["meta"]["metrics"]["betweenness"] == {"method": "exact"}


def test_hop_metrics_are_read_only_from_the_same_network(data: NetworkData, folder: Path) -> None:
    precomputed = Precomputed.open(folder, RELEASE, BASE)
    assert precomputed is not None
    options = NetworkOptions(kind="organisations", weighting="newman", as_of="2021")
    graph = make_network(data, options).graph
    nodes, edges = list(graph.nodes), graph.number_of_edges()
    assert precomputed.hop_metrics(options, nodes, edges) is not None
    # other nodes, another edge count, or no precomputed network with these filters: nothing is read
    assert precomputed.hop_metrics(options, nodes[:-1], edges) is None
    assert precomputed.hop_metrics(options, [*nodes[:-1], "https://example.org/other"], edges) is None
    assert precomputed.hop_metrics(options, nodes, edges + 1) is None
    assert precomputed.hop_metrics(NetworkOptions(kind="organisations", themes=("housing",)), nodes, edges) is None
    # a value that is not a number (NaN was written as null) is never read as one
    content = precomputed.export_json(options.reweighted("shared"))
    assert content is not None
    linked = json.loads(content)
    assert _hops_from(linked, nodes, edges) is not None
    linked["nodes"][0]["betweenness"] = None
    assert _hops_from(linked, nodes, edges) is None
    linked["nodes"][0]["betweenness"] = 0.5
    linked["nodes"][1]["component"] = 1.0
    assert _hops_from(linked, nodes, edges) is None


def test_reweighted_options_keep_their_filters_as_they_are() -> None:
    weaker = NetworkOptions(kind="organisations", as_of="2020", evidence=("all",), roles=("coordinators",))
    other = weaker.reweighted("jaccard")
    assert other.weighting == "jaccard" and other.evidence == weaker.evidence and other.roles == weaker.roles
    assert other.reweighted("shared") == weaker and hash(other.reweighted("shared")) == hash(weaker)
    assert other.as_dict() == {**weaker.as_dict(), "weighting": "jaccard"}
    with pytest.raises(NetworkOptionError, match="unknown weighting 'heaviest'"):
        weaker.reweighted("heaviest")
