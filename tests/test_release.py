"""Releases are immutable and pinned: a rebuild while serving changes nothing served until a restart.

Release A is the real data; release B is the same data with one label changed. The tests build A,
serve it (a real `uaeu serve`, and Flask's test client for the pages), build B into the same build
folder while serving, and check that every answer still comes from A, down to a resumed download
and a query worker started after the rebuild; after a restart everything is B. Failed builds (bad
data, a full disk) must leave the build folder exactly as it was.
"""

from __future__ import annotations

import csv
import errno
import hashlib
import json
import os
import shutil
import stat
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from email.message import Message
from pathlib import Path

import pytest
from flask import Flask
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL

import graph.release as release_module
from graph.builder.pipeline import Built, build
from graph.config import PROJECT_ROOT, Settings
from graph.problems import CuratedDataError
from graph.release import Release, folder_name
from tests.conftest import BASE, ID
from tests.helpers import close_app, make_app
from tests.servers import start_server
from webapp import create_app
from webapp.resources import resources
from webapp.settings import AppSettings

PUBLIC = "http://kg.example.org/"
SOFIA = ID + "organisation/sofia-municipality"
LABEL_A = "Sofia Municipality"
LABEL_B = "Sofia Municipality (relabelled)"
LABEL_QUERY = f'SELECT ?n WHERE {{ <{SOFIA}> <http://www.w3.org/2004/02/skos/core#prefLabel> ?n FILTER(lang(?n) = "en") }}'
PATHOLOGICAL = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


def _set_org_field(data: Path, org: str, column: str, value: str) -> None:
    table = data / "organisations.csv"
    with table.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert any(row["id"] == org for row in rows)
    for row in rows:
        if row["id"] == org:
            row[column] = value
    with table.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


@pytest.fixture(scope="module")
def data_b(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The curated data with one label changed: it builds into release B."""
    data = tmp_path_factory.mktemp("data-b") / "data"
    shutil.copytree(PROJECT_ROOT / "data", data)
    _set_org_field(data, "sofia-municipality", "name_en", LABEL_B)
    return data


def _build(out: Path, data: Path | None = None) -> Built:
    return build(Settings(build_dir=out, data_dir=data or PROJECT_ROOT / "data"))


def _snapshot(out: Path) -> dict[str, tuple[object, ...]]:
    """Every entry of a build folder: symlinks by target, folders by mode, files by mode, mtime and bytes."""
    entries: dict[str, tuple[object, ...]] = {}
    for root, dirs, files in os.walk(out):
        for name in dirs + files:
            path = Path(root) / name
            info = path.lstat()
            if path.is_symlink():
                entries[str(path.relative_to(out))] = ("link", os.readlink(path))
            elif path.is_dir():
                entries[str(path.relative_to(out))] = ("dir", info.st_mode)  # its mtime moves when a staging folder comes and goes
            else:
                entries[str(path.relative_to(out))] = ("file", info.st_mode, info.st_mtime_ns, path.read_bytes())
    return entries


def _hidden(out: Path) -> list[str]:
    """Staging folders and temporary links left behind (their names start with a dot)."""
    return [str(Path(root) / name) for root, dirs, files in os.walk(out) for name in dirs + files if name.startswith(".")]


# ---------------------------------------------------------------- HTTP helpers for the real server


def _http(url: str, data: dict[str, str] | None = None, headers: dict[str, str] | None = None) -> tuple[int, Message, bytes]:
    """Status, headers (names case-insensitive) and body; an HTTP error status is an answer too."""
    body = urllib.parse.urlencode(data).encode("ascii") if data is not None else None
    request = urllib.request.Request(url, data=body, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as err:
        with err:
            return err.code, err.headers, err.read()


def _label(url: str) -> tuple[str, str]:
    """The English label of Sofia Municipality by /sparql, and the release that answered."""
    status, headers, body = _http(url + "/sparql", {"query": LABEL_QUERY}, {"Accept": "application/sparql-results+json"})
    assert status == 200, body
    [row] = json.loads(body)["results"]["bindings"]
    return row["n"]["value"], headers["X-Release"]


def _listed(url: str) -> dict[str, str]:
    status, _, body = _http(url + "/dumps/index.json")
    assert status == 200
    return {f["name"]: f["sha256"] for f in json.loads(body)["files"]}


def _version(url: str) -> str:
    status, headers, body = _http(url + "/version")
    assert status == 200
    assert headers["X-Release"] == json.loads(body)["release"]
    return str(json.loads(body)["release"])


def test_a_running_server_serves_its_release_through_a_rebuild_until_restarted(tmp_path: Path, data_b: Path) -> None:
    out = tmp_path / "build"
    a = _build(out).report["release"]
    env = {"UAEU_QUERY_TIMEOUT": "1", "UAEU_QUERY_WORKERS": "1"}
    with start_server(out, env) as server:
        url = server.url
        sums_a = _listed(url)
        status, headers, head = _http(url + "/dumps/uaeu.nt", headers={"Range": "bytes=0-999"})
        assert status == 206 and len(head) == 1000
        etag_a = headers["ETag"]
        assert etag_a == f'"{sums_a["uaeu.nt"]}"'

        b = _build(out, data_b).report["release"]
        assert b != a
        assert Release.open(out).id == b, "the build made B current"
        assert hashlib.sha256((out / "dumps" / "uaeu.nt").read_bytes()).hexdigest() != sums_a["uaeu.nt"]

        # Everything the running server says is still A: listing, bytes, ETag, a resumed download, SPARQL, /version.
        assert _listed(url) == sums_a
        status, headers, whole = _http(url + "/dumps/uaeu.nt")
        assert status == 200 and headers["ETag"] == etag_a and headers["X-Release"] == a
        assert hashlib.sha256(whole).hexdigest() == sums_a["uaeu.nt"]
        status, headers, tail = _http(url + "/dumps/uaeu.nt", headers={"Range": "bytes=1000-", "If-Range": etag_a})
        assert status == 206, "If-Range with A's ETag still matches, so the download resumes"
        assert headers["Content-Range"] == f"bytes 1000-{len(whole) - 1}/{len(whole)}"
        assert hashlib.sha256(head + tail).hexdigest() == sums_a["uaeu.nt"]
        status, _, again = _http(url + "/dumps/uaeu.nt", headers={"Range": "bytes=1000-", "If-Range": '"another-release"'})
        assert status == 200 and again == whole, "If-Range is honoured: a stale validator gets the whole file"
        status, _, sums_file = _http(url + "/dumps/SHA256SUMS")
        assert f"{sums_a['uaeu.nt']}  uaeu.nt" in sums_file.decode("utf-8")
        assert _label(url) == (LABEL_A, a)
        assert _version(url) == a

        # A query past the time limit kills the only worker; its replacement loads after the rebuild, and still loads A.
        status, headers, body = _http(url + "/sparql", {"query": PATHOLOGICAL}, {"Accept": "application/sparql-results+json"})
        assert status == 503 and b"was stopped" in body, body
        assert headers["X-Release"] == a
        deadline = time.monotonic() + 60
        while True:
            status, _, body = _http(url + "/sparql", {"query": LABEL_QUERY}, {"Accept": "application/sparql-results+json"})
            if status == 200 or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert status == 200, body
        assert _label(url) == (LABEL_A, a)

    # Restarting is the switch: now everything is B.
    with start_server(out, env) as server:
        url = server.url
        sums_b = _listed(url)
        assert sums_b["uaeu.nt"] != sums_a["uaeu.nt"]
        status, headers, whole = _http(url + "/dumps/uaeu.nt")
        assert headers["ETag"] == f'"{sums_b["uaeu.nt"]}"' and hashlib.sha256(whole).hexdigest() == sums_b["uaeu.nt"]
        status, _, _ = _http(url + "/dumps/uaeu.nt", headers={"Range": "bytes=1000-", "If-Range": etag_a})
        assert status == 200, "A's ETag no longer matches: no splice of two releases"
        assert _label(url) == (LABEL_B, b)
        assert _version(url) == b


# ---------------------------------------------------------------- every consumer in the app reads the pinned release


@pytest.fixture
def pinned_app(tmp_path: Path, data_b: Path) -> Iterator[tuple[Flask, str, str, Path]]:
    """An app started on release A, and B built into the same folder after it started."""
    out = tmp_path / "build"
    a = _build(out).report["release"]
    app = make_app(out, public_url=PUBLIC)
    try:
        b = _build(out, data_b).report["release"]
        yield app, a, b, out
    finally:
        close_app(app)


def test_pages_apis_void_and_version_read_the_pinned_release(pinned_app: tuple[Flask, str, str, Path]) -> None:
    app, a, b, out = pinned_app
    client = app.test_client()
    pinned = resources(app).release
    assert pinned is not None
    assert pinned.id == a and Release.open(out).id == b
    assert pinned.folder == (out / "releases" / folder_name(a)).resolve()

    version = client.get("/version")
    assert version.get_json()["release"] == a and version.headers["X-Release"] == a
    for path in ("/", "/healthz", "/no-such-page", "/static/vendor/map/countries-50m.json", "/dumps/", "/sparql"):
        with client.get(path) as response:
            assert response.headers["X-Release"] == a, path
    assert client.get("/?format=json").get_json()["release"] == a

    void = Graph().parse(data=client.get("/.well-known/void").data, format="turtle")
    assert (URIRef(BASE + "dataset"), OWL.versionInfo, Literal(a)) in void
    listing = client.get("/dumps/index.json").get_json()
    assert listing["release"] == a
    assert {f["name"]: f["sha256"] for f in listing["files"]} == pinned.checksums()
    for name, digest in pinned.checksums().items():
        assert (None, None, Literal(digest, datatype=URIRef("http://www.w3.org/2001/XMLSchema#hexBinary"))) in void, name
    with client.get("/dumps/uaeu.ttl") as response:
        assert hashlib.sha256(response.data).hexdigest() == pinned.checksums()["uaeu.ttl"]
        assert response.headers["Last-Modified"]

    page = client.get("/doc/organisation/sofia-municipality.ttl").get_data(as_text=True)
    assert LABEL_A in page and LABEL_B not in page
    assert client.get("/api/network").get_json()["release"] == a
    places = client.get("/api/map").get_data(as_text=True)
    assert f'"{LABEL_A}"' in places and LABEL_B not in places
    answer = client.post("/sparql", data={"query": LABEL_QUERY}, headers={"Accept": "application/sparql-results+json"})
    assert [row["n"]["value"] for row in answer.get_json()["results"]["bindings"]] == [LABEL_A]


# ---------------------------------------------------------------- failed builds change nothing


@pytest.fixture(scope="module")
def good_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("good") / "build"
    _build(out)
    return out


def test_bad_data_leaves_the_build_folder_as_it_was(good_build: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(PROJECT_ROOT / "data", data)
    _set_org_field(data, "sofia-municipality", "kind", "no-such-kind")
    before = _snapshot(good_build)
    with pytest.raises(CuratedDataError):
        _build(good_build, data)
    assert _snapshot(good_build) == before


def test_a_full_disk_while_writing_leaves_the_build_folder_as_it_was(good_build: Path, data_b: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write = release_module._write
    calls: list[Path] = []

    def full_disk(path: Path, data: bytes) -> None:
        calls.append(path)
        if len(calls) == 4:  # half of the fourth file fits, then the disk is full
            with path.open("wb") as handle:
                handle.write(data[: len(data) // 2])
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        write(path, data)

    monkeypatch.setattr(release_module, "_write", full_disk)
    before = _snapshot(good_build)
    with pytest.raises(OSError) as raised:
        _build(good_build, data_b)
    assert raised.value.errno == errno.ENOSPC
    assert len(calls) == 4 and ".staging-" in str(calls[-1])
    assert _snapshot(good_build) == before
    assert not _hidden(good_build)


def test_a_failed_switch_leaves_the_build_folder_as_it_was(good_build: Path, data_b: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The release is complete but `current` cannot be switched: the new release goes, the old stays current."""
    link = release_module._link

    def no_space_for_links(path: Path, target: str) -> None:
        if path.name == "current":
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        link(path, target)

    monkeypatch.setattr(release_module, "_link", no_space_for_links)
    before = _snapshot(good_build)
    with pytest.raises(OSError):
        _build(good_build, data_b)
    assert _snapshot(good_build) == before
    assert not _hidden(good_build)


# ---------------------------------------------------------------- one release per content, read-only


def test_the_same_data_twice_is_one_release_folder_left_as_it_was(tmp_path: Path) -> None:
    out = tmp_path / "build"
    first = _build(out)
    before = _snapshot(out)
    second = _build(out)
    assert first.report["release"] == second.report["release"]
    assert [p.name for p in (out / "releases").iterdir()] == [folder_name(first.report["release"])]
    assert _snapshot(out) == before, "the existing release is reused, not written again"


def test_each_release_is_kept_and_current_names_the_newest(tmp_path: Path, data_b: Path) -> None:
    out = tmp_path / "build"
    a = _build(out).report["release"]
    b = _build(out, data_b).report["release"]
    assert [r.id for r in Release.all(out)] == [a, b]
    assert os.readlink(out / "current") == f"releases/{folder_name(b)}"
    old = Release.find(out, a)
    assert old is not None and old.report["release"] == a and old.dump("nt").is_file()
    # The conveniences go through `current`: build/dumps lists exactly the current release's files.
    assert {p.name for p in (out / "dumps").iterdir()} == {*Release.open(out).checksums(), "SHA256SUMS"}
    assert json.loads((out / "report.json").read_text(encoding="utf-8"))["release"] == b
    assert not _hidden(out)
    assert [p.name for p in tmp_path.iterdir()] == ["build"]


def test_release_folders_are_read_only(built: Built, release_dir: Path) -> None:
    release = Release.open(release_dir)
    assert release.id == built.report["release"]
    paths = [release.folder, *release.folder.rglob("*")]
    assert len(paths) == 1 + 1 + 2 + 11  # the folder, dumps/, two reports, ten dumps and SHA256SUMS
    for path in paths:
        mode = stat.S_IMODE(path.lstat().st_mode)
        assert mode & 0o222 == 0, f"{path} is writable ({mode:o})"


@pytest.mark.parametrize(
    ("release_id", "folder"),
    [("0.1.0+3f2a9c1b7d4e", "0.1.0_3f2a9c1b7d4e"), ("../../etc+1", "r.._.._etc_1"), ("1.0 beta/2+ab", "1.0_beta_2_ab"), ("-x", "r-x"), ("", "r")],
)
def test_a_release_id_maps_to_a_safe_folder_name(release_id: str, folder: str) -> None:
    assert folder_name(release_id) == folder
    assert "/" not in folder and not folder.startswith(".")


def test_no_build_is_one_clear_answer(tmp_path: Path) -> None:
    assert not Release.exists(tmp_path / "nothing")
    (tmp_path / "half").mkdir()
    (tmp_path / "half" / "current").symlink_to("releases/gone")
    assert not Release.exists(tmp_path / "half")
    with pytest.raises(FileNotFoundError, match="run 'uaeu build' first"):
        Release.open(tmp_path / "half")
    with pytest.raises(FileNotFoundError, match="run 'uaeu build' first"):
        create_app(Settings(build_dir=tmp_path / "half"), AppSettings(query_workers=1))


def test_a_build_folder_from_before_releases_is_kept_as_a_release(tmp_path: Path, release_dir: Path, built: Built) -> None:
    """The old layout (dumps/ and reports straight in the build folder) becomes a release of its own."""
    out = tmp_path / "build"
    out.mkdir()
    source = Release.open(release_dir)
    shutil.copytree(source.dumps, out / "dumps")
    report = {**source.report, "release": "0.0.1+unversioned"}
    (out / "report.json").write_text(json.dumps(report), encoding="utf-8")
    (out / "report.md").write_text("# old\n", encoding="utf-8")
    for path in (out / "dumps", *(out / "dumps").iterdir()):
        path.chmod(0o755 if path.is_dir() else 0o644)
    _build(out)
    assert {r.id for r in Release.all(out)} == {"0.0.1+unversioned", built.report["release"]}
    assert Release.open(out).id == built.report["release"]
    assert (out / "dumps").is_symlink()
