"""The release archive: three releases built from three versions of the data, all kept and answerable.

The data changes between builds (Oulu's English name: as curated, then "(v2)", then "(v3)"). The
tests check that a release's files and answers do not change when later ones are built, that
`/releases/` (HTML, JSON, Atom) and the VoID/DCAT list and link the versions, that `release=` and
`/releases/{id}/...` answer from release 1 after release 3 exists (and after a restart), that
loaded releases stay within their bound, that repeats get 304, and that pruning keeps what it must
and leaves a 410 naming the successor. Hostile ids get 400/404.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
import threading
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
from flask import Flask
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL

from graph.archive import Tombstone, lookup, pin, plan_prune, prune
from graph.builder.pipeline import build
from graph.config import PROJECT_ROOT, Settings
from graph.release import Release, network_folder
from tests.conftest import BASE, ID
from tests.helpers import close_app, make_app, rename_organisation, running_app
from webapp.archive import cache
from webapp.cli import main as uaeu
from webapp.permalinks import FILE_NAME, PermalinkStore

PUBLIC = "http://127.0.0.1:5000/"
OULU = ID + "organisation/oulu-city"
NAMES = ("City of Oulu", "City of Oulu (v2)", "City of Oulu (v3)")
QUERY = f'SELECT ?n WHERE {{ <{OULU}> <http://www.w3.org/2004/02/skos/core#prefLabel> ?n FILTER(lang(?n) = "en") }}'
SPARQL_JSON = {"Accept": "application/sparql-results+json"}
DCAT = "http://www.w3.org/ns/dcat#"
PROV = "http://www.w3.org/ns/prov#"
ATOM = "{http://www.w3.org/2005/Atom}"
IMMUTABLE = "public, max-age=31536000, immutable"


@dataclass(frozen=True)
class Built:
    id: str
    folder: str
    files: dict[str, str]  # path inside the release folder -> SHA-256, right after its build
    answer: bytes  # /sparql JSON for QUERY from an app started on this release


def _hashes(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Built]]:
    """Three releases in one build folder, each built from its own version of the data."""
    root = tmp_path_factory.mktemp("archive")
    out = root / "build"
    data = root / "data"
    shutil.copytree(PROJECT_ROOT / "data", data)
    made = []
    for name in NAMES:
        rename_organisation(data, "oulu-city", name_en=name)
        release = build(Settings(build_dir=out, data_dir=data)).release
        assert release is not None
        with running_app(out) as app:
            answer = app.test_client().get("/sparql", query_string={"query": QUERY}, headers=SPARQL_JSON)
            assert answer.status_code == 200 and name in answer.get_data(as_text=True)
        made.append(Built(release.id, release.folder.name, _hashes(release.folder), answer.data))
    assert len({b.id for b in made}) == 3
    return out, made


@pytest.fixture(scope="module")
def served(archive: tuple[Path, list[Built]]) -> Iterator[Flask]:
    """An app started after all three builds (on release 3, the current one)."""
    app = make_app(archive[0])
    yield app
    close_app(app)


def _rows(body: bytes) -> list[str]:
    return [b["n"]["value"] for b in json.loads(body)["results"]["bindings"]]


def test_each_release_is_unchanged_by_later_builds(archive: tuple[Path, list[Built]]) -> None:
    out, made = archive
    for built in made:
        release = Release.find(out, built.id)
        assert release is not None
        assert _hashes(release.folder) == built.files
        for name, digest in release.checksums().items():
            assert hashlib.sha256((release.dumps / name).read_bytes()).hexdigest() == digest


def test_release_1_answers_as_it_did_after_release_3_and_after_a_restart(archive: tuple[Path, list[Built]], served: Flask) -> None:
    out, made = archive
    first = made[0]
    for app in (served, None):
        app = app or make_app(out)  # the second round: a new app, as after a restart
        try:
            client = app.test_client()
            by_argument = client.get("/sparql", query_string={"query": QUERY, "release": first.id}, headers=SPARQL_JSON)
            by_path = client.get(f"/releases/{first.folder}/sparql", query_string={"query": QUERY}, headers=SPARQL_JSON)
            latest = client.get("/sparql", query_string={"query": QUERY}, headers=SPARQL_JSON)
            assert by_argument.data == by_path.data == first.answer
            assert _rows(by_argument.data) == [NAMES[0]]
            assert _rows(latest.data) == [NAMES[2]] and latest.data == made[2].answer
            assert by_argument.headers["X-Release"] == first.id and latest.headers["X-Release"] == made[2].id
            assert json.loads(by_argument.data)["head"]["link"] == [f"{PUBLIC}releases/{first.folder}/"]
            xml = client.get(f"/releases/{made[1].folder}/sparql", query_string={"query": QUERY}, headers={"Accept": "application/sparql-results+xml"})
            links = [e.get("href") for e in ET.fromstring(xml.data).iter("{http://www.w3.org/2005/sparql-results#}link")]
            assert links == [f"{PUBLIC}releases/{made[1].folder}/"]
            assert NAMES[1] in xml.get_data(as_text=True)
        finally:
            if app is not served:
                close_app(app)


def test_release_in_a_post_form_body(archive: tuple[Path, list[Built]], served: Flask) -> None:
    """SPARQL clients (SPARQLWrapper, YASGUI) POST every parameter in the body: `release` there counts too."""
    _, made = archive
    client = served.test_client()
    old = client.post("/sparql", data={"query": QUERY, "release": made[0].id}, headers=SPARQL_JSON)
    assert old.status_code == 200 and old.headers["X-Release"] == made[0].id and _rows(old.data) == [NAMES[0]]
    latest = client.post("/sparql", data={"query": QUERY, "xrelease": made[0].id}, headers=SPARQL_JSON)
    assert latest.headers["X-Release"] == made[2].id and _rows(latest.data) == [NAMES[2]]
    twice = client.post(f"/sparql?release={made[1].folder}", data={"query": QUERY, "release": made[0].id}, headers=SPARQL_JSON)
    assert twice.status_code == 400 and "more than once" in twice.get_data(as_text=True)
    unknown = client.post("/sparql", data={"query": QUERY, "release": "0.0.0+nothing"}, headers=SPARQL_JSON)
    assert unknown.status_code == 404


def test_kept_answers_are_kept_per_release(archive: tuple[Path, list[Built]], served: Flask) -> None:
    """The same text at two releases: two answers, each kept for its own release (graph.sparql.answers)."""
    _, made = archive
    client = served.test_client()
    for _ in range(2):
        for built in (made[0], made[2], made[1]):
            answer = client.get("/sparql", query_string={"query": QUERY + " # kept", "release": built.id}, headers=SPARQL_JSON)
            assert answer.status_code == 200 and answer.headers["X-Release"] == built.id
            assert _rows(answer.data) == [NAMES[made.index(built)]]
    repeat = client.get(f"/releases/{made[0].folder}/sparql", query_string={"query": QUERY + " # kept"}, headers=SPARQL_JSON)
    assert repeat.headers["X-Cache"] == "hit" and _rows(repeat.data) == [NAMES[0]]


def test_kept_pages_are_kept_per_release(archive: tuple[Path, list[Built]], served: Flask) -> None:
    """A resource page kept for one release is never shown for another (webapp.kept)."""
    _, made = archive
    client = served.test_client()
    html = {"Accept": "text/html"}
    for _ in range(2):
        for i in (2, 0, 1):
            for url in (f"/releases/{made[i].folder}/doc/organisation/oulu-city", f"/doc/organisation/oulu-city?release={quote(made[i].id)}"):
                page = client.get(url, headers=html)
                text = page.get_data(as_text=True)
                heading = re.search(r"<h1[^>]*>(.*?)</h1>", text, re.S)
                assert page.headers["X-Release"] == made[i].id and heading is not None, (url, i)
                assert heading.group(1).strip() == NAMES[i], (url, i)
        latest = client.get("/doc/organisation/oulu-city", headers=html).get_data(as_text=True)
        heading = re.search(r"<h1[^>]*>(.*?)</h1>", latest, re.S)
        assert heading is not None and heading.group(1).strip() == NAMES[2] and "not the latest" not in latest


def test_a_kept_page_keeps_the_release_as_each_visitor_wrote_it(archive: tuple[Path, list[Built]], served: Flask) -> None:
    """`/releases/{id}/...` and `/releases/{folder}/...` are the same release, but the page's own links
    (url_for: the menu, static files) follow the form in the address: a kept page is the one that form renders."""
    _, made = archive
    client = served.test_client()
    html = {"Accept": "text/html"}
    by_id = f"/releases/{quote(made[1].id, safe='')}/doc/organisation/oulu-city?lang=en&by=form"
    by_folder = f"/releases/{made[1].folder}/doc/organisation/oulu-city?lang=en&by=form"
    assert made[1].id != made[1].folder
    first = client.get(by_id, headers=html).get_data(as_text=True)
    second = client.get(by_folder, headers=html).get_data(as_text=True)
    assert f'href="/releases/{made[1].id}/sparql' in first.replace("%2B", "+")
    assert f'href="/releases/{made[1].folder}/sparql' in second, "the folder form's page links in the id form"


def test_a_kept_page_follows_a_prune_while_the_server_runs(archive: tuple[Path, list[Built]], tmp_path: Path) -> None:
    """A page's History lists the releases on disk up to the served one: `uaeu prune` (run beside a live
    server) changes it, so a page kept from before must not outlive the prune (webapp.kept)."""
    source, made = archive
    out = tmp_path / "build"
    shutil.copytree(source, out, symlinks=True)
    shutil.rmtree(out / "pins", ignore_errors=True)
    page = "/doc/organisation/oulu-city"
    html = {"Accept": "text/html"}
    second_changes = f"releases/{made[1].folder}/changes"
    with running_app(out) as app:
        client = app.test_client()
        before = client.get(page, headers=html).get_data(as_text=True)
        assert second_changes in before, "release 2 changed Oulu's name (since release 1)"
        plan = plan_prune(out, keep=2)
        assert [e.id for e in plan.remove] == [made[0].id]
        prune(out, plan)
        after = client.get(page, headers=html)
        assert after.status_code == 200
        with running_app(out) as fresh:
            rendered = fresh.test_client().get(page, headers=html).get_data(as_text=True)
        assert second_changes not in rendered, "with release 1 gone, release 2's change has nothing to compare with"
        assert after.get_data(as_text=True) == rendered, "the page kept from before the prune is not the page"


def test_pages_and_apis_answer_from_the_named_release(archive: tuple[Path, list[Built]], served: Flask) -> None:
    _, made = archive
    client = served.test_client()
    html = {"Accept": "text/html"}
    for url in (f"/releases/{made[0].folder}/doc/organisation/oulu-city", f"/doc/organisation/oulu-city?release={made[0].folder}"):
        page = client.get(url, headers=html)
        text = page.get_data(as_text=True)
        assert page.status_code == 200 and page.headers["X-Release"] == made[0].id
        assert NAMES[0] in text and NAMES[2] not in text
        assert f"Release {made[0].id} (not the latest)" in text
        assert f'href="{PUBLIC}doc/organisation/oulu-city"' in text  # the same page on the latest
        assert f"{PUBLIC}releases/{made[0].folder}/doc/" in text  # links stay in the release
    see_other = client.get(f"/releases/{made[0].folder}/id/organisation/oulu-city")
    assert see_other.status_code == 303 and see_other.headers["Location"] == f"{PUBLIC}releases/{made[0].folder}/doc/organisation/oulu-city"
    slash = client.get(f"/releases/{made[0].folder}/dumps")  # the framework's own redirects stay in the release
    assert slash.status_code in (301, 308) and slash.headers["Location"] == f"{PUBLIC}releases/{made[0].folder}/dumps/"
    merged = client.get(f"/releases/{made[0].folder}/doc//organisation/oulu-city")
    assert merged.status_code in (301, 308) and merged.headers["Location"] == f"{PUBLIC}releases/{made[0].folder}/doc/organisation/oulu-city"
    menu = client.get(f"/releases/{made[0].folder}/partnerships", headers=html).get_data(as_text=True)
    assert f'href="/releases/{made[0].folder}/organisations"' in menu  # the menu stays in the release
    with client.get(f"/releases/{made[0].folder}/static/site.css") as style:
        assert style.status_code == 200 and style.mimetype == "text/css"
    latest = client.get("/doc/organisation/oulu-city", headers=html).get_data(as_text=True)
    assert NAMES[2] in latest and "not the latest" not in latest
    bulgarian = client.get(f"/doc/organisation/oulu-city?release={made[0].folder}&lang=bg", headers=html).get_data(as_text=True)
    assert f"Издание {made[0].id} (не е последното)" in bulgarian
    for url in (
        f"/api/map?release={made[1].folder}",
        f"/releases/{made[1].folder}/api/map",
        f"/network.json?release={made[1].folder}",
        "/index.json?release=" + quote(made[1].id, safe=""),
    ):
        answer = client.get(url)
        assert answer.status_code == 200, url
        assert answer.headers["X-Release"] == made[1].id
    unquoted = client.get(f"/index.json?release={made[1].id}")  # a bare + in a query string is a space
    assert unquoted.status_code == 400 and "%2B" in unquoted.get_json()["error"]
    dumps = client.get(f"/releases/{made[0].folder}/dumps/index.json").get_json()
    assert dumps["release"] == made[0].id
    assert all(f["url"].startswith(f"{PUBLIC}releases/{made[0].folder}/dumps/") for f in dumps["files"])


def test_releases_listing_html_json_and_atom_agree(archive: tuple[Path, list[Built]], served: Flask) -> None:
    out, made = archive
    client = served.test_client()
    listing = client.get("/releases/index.json").get_json()
    assert [r["id"] for r in listing["releases"]] == [b.id for b in reversed(made)]
    published = [r["published"] for r in listing["releases"]]
    assert published == sorted(published, reverse=True)
    for entry, built in zip(listing["releases"], reversed(made), strict=True):
        release = Release.find(out, built.id)
        assert release is not None
        assert entry["checksums"] == release.checksums()
        assert entry["triples"] == release.report["counts"]["triples"] > 0
        assert entry["ontology_version"] == built.id.split("+")[0]
    assert [r["current"] for r in listing["releases"]] == [True, False, False]
    page = client.get("/releases/", headers={"Accept": "text/html"})
    text = page.get_data(as_text=True)
    assert re.findall(r'data-release="([^"]+)"', text) == [r["id"] for r in listing["releases"]]
    assert f'<link rel="alternate" type="application/atom+xml" title="Atom feed of releases" href="{PUBLIC}releases.atom">' in text
    assert f'<{PUBLIC}releases.atom>; rel="alternate"; type="application/atom+xml"' in page.headers["Link"]
    feed = client.get("/releases.atom")
    assert feed.mimetype == "application/atom+xml"
    root = ET.fromstring(feed.data)
    assert root.tag == f"{ATOM}feed"
    entries = root.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}title") for e in entries] == [f"Release {b.id}" for b in reversed(made)]
    assert [e.findtext(f"{ATOM}id") for e in entries] == [f"{PUBLIC}releases/{b.folder}/" for b in reversed(made)]
    assert root.findtext(f"{ATOM}updated") == entries[0].findtext(f"{ATOM}updated")


def test_release_page_lists_its_archived_files_report_and_changes(archive: tuple[Path, list[Built]], served: Flask) -> None:
    out, made = archive
    client = served.test_client()
    release = Release.find(out, made[1].id)
    assert release is not None
    data = client.get(f"/releases/{made[1].folder}/index.json").get_json()
    assert data["id"] == made[1].id and data["previous"]["id"] == made[0].id and data["next"]["id"] == made[2].id
    assert {f["name"]: f["sha256"] for f in data["files"]} == {n: s for n, s in release.checksums().items()}
    page = client.get(f"/releases/{made[1].id}/", headers={"Accept": "text/html"}).get_data(as_text=True)  # the id works as well as the folder
    assert f'href="{PUBLIC}releases/{made[1].folder}/changes"' in page
    assert client.get(data["report"]["json"].removeprefix(PUBLIC.rstrip("/"))).data == release.report_json.read_bytes()
    with client.get(f"/releases/{made[1].folder}/dumps/uaeu.nt") as nt:
        assert nt.data == release.dump("nt").read_bytes() and nt.headers["ETag"] == f'"{release.checksums()["uaeu.nt"]}"'
        assert nt.headers["Cache-Control"] == IMMUTABLE
    with client.get(f"/releases/{made[1].folder}/dumps/uaeu.nt", headers={"Range": "bytes=0-99"}) as part:
        assert part.status_code == 206 and part.data == release.dump("nt").read_bytes()[:100]


def test_void_links_the_versions(archive: tuple[Path, list[Built]], served: Flask) -> None:
    _, made = archive
    client = served.test_client()
    dataset = URIRef(BASE + "dataset")
    versions = [URIRef(f"{BASE}dataset/{b.folder}") for b in made]
    for number, built in enumerate(made):
        graph = Graph().parse(data=client.get(f"/releases/{built.folder}/void.ttl").data, format="turtle")
        me = versions[number]
        assert (me, DCTERMS.isVersionOf, dataset) in graph
        assert (me, URIRef(DCAT + "version"), Literal(built.id)) in graph
        assert graph.value(me, DCTERMS.issued) is not None
        assert (URIRef(BASE + "ontology"), OWL.versionInfo, Literal(built.id.split("+")[0])) in graph
        previous = set(graph.objects(me, URIRef(DCAT + "previousVersion")))
        assert previous == ({versions[number - 1]} if number else set())
        assert set(graph.objects(me, URIRef(PROV + "wasRevisionOf"))) == previous
        dumps = {str(o) for o in graph.objects(None, URIRef(DCAT + "downloadURL"))}
        assert f"{PUBLIC}releases/{built.folder}/dumps/uaeu.nt" in dumps
    jsonld = Graph().parse(data=client.get(f"/releases/{made[0].folder}/void.jsonld").data, format="json-ld")
    assert (versions[0], DCTERMS.isVersionOf, dataset) in jsonld
    whole = Graph().parse(data=client.get("/.well-known/void.ttl").data, format="turtle")
    assert set(whole.objects(dataset, URIRef(DCAT + "hasVersion"))) == set(versions)


def test_loaded_releases_stay_within_the_bound_and_load_once(archive: tuple[Path, list[Built]]) -> None:
    out, made = archive
    with running_app(out, release_cache=1) as app:
        client = app.test_client()
        results: list[int] = []

        def ask() -> None:
            results.append(client.get("/index.json", query_string={"release": made[0].folder}).status_code)

        threads = [threading.Thread(target=ask) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert results == [200] * 4
        assert cache(app).loads == 1 and cache(app).loaded() == [made[0].folder]
        assert client.get("/index.json", query_string={"release": made[1].folder}).status_code == 200
        assert cache(app).loaded() == [made[1].folder] and cache(app).loads == 2
        again = client.get("/sparql", query_string={"query": QUERY, "release": made[0].folder}, headers=SPARQL_JSON)
        assert _rows(again.data) == [NAMES[0]]
        assert cache(app).loaded() == [made[0].folder] and cache(app).loads == 3
        # The worker keeps one archived release too: each switch reloads, and every answer is its release's.
        for number in (1, 0, 1, 2, 0):
            answer = client.get("/sparql", query_string={"query": QUERY, "release": made[number].folder}, headers=SPARQL_JSON)
            assert _rows(answer.data) == [NAMES[number]] and answer.headers["X-Release"] == made[number].id
            assert len(cache(app).loaded()) == 1


def test_repeats_get_304(archive: tuple[Path, list[Built]], served: Flask) -> None:
    _, made = archive
    client = served.test_client()
    pinned = [
        ("/doc/organisation/oulu-city", {"release": made[0].folder}, {"Accept": "text/html"}),
        (f"/releases/{made[0].folder}/dumps/uaeu.ttl", {}, {}),
        ("/sparql", {"release": made[0].id, "query": QUERY}, SPARQL_JSON),
        (f"/releases/{made[0].folder}/sparql", {"query": QUERY}, SPARQL_JSON),
        (f"/releases/{made[0].folder}/api/map", {}, {}),
    ]
    for url, params, headers in pinned:
        with client.get(url, headers=headers, query_string=params) as first:
            etag = first.headers["ETag"]
            assert first.status_code == 200 and first.headers["Cache-Control"] == IMMUTABLE and not etag.startswith("W/"), url
        with client.get(url, headers={**headers, "If-None-Match": etag}, query_string=params) as again:
            assert again.status_code == 304 and again.data == b"", url
    on_latest = client.get("/doc/organisation/oulu-city", headers={"Accept": "text/html", "Accept-Encoding": "identity"})
    assert on_latest.headers["Cache-Control"] == "no-cache"
    on_first = client.get(f"/doc/organisation/oulu-city?release={made[0].folder}", headers={"Accept": "text/html"})
    assert on_latest.headers["ETag"] != on_first.headers["ETag"]
    assert client.get("/doc/organisation/oulu-city", headers={"Accept": "text/html", "If-None-Match": on_latest.headers["ETag"]}).status_code == 304
    query = client.get("/sparql", query_string={"query": QUERY}, headers=SPARQL_JSON)
    assert client.get("/sparql", query_string={"query": QUERY}, headers={**SPARQL_JSON, "If-None-Match": query.headers["ETag"]}).status_code == 304
    other = client.get("/sparql", query_string={"query": QUERY.replace('"en"', '"bg"')}, headers={**SPARQL_JSON, "If-None-Match": query.headers["ETag"]})
    assert other.status_code == 200
    gzipped = client.get("/releases/index.json", headers={"Accept-Encoding": "gzip"})
    if gzipped.headers.get("Content-Encoding") == "gzip":
        assert client.get("/releases/index.json", headers={"Accept-Encoding": "gzip", "If-None-Match": gzipped.headers["ETag"]}).status_code == 304


@pytest.mark.parametrize(
    ("url", "statuses"),
    [
        ("/releases/../sparql", (400, 404)),
        ("/releases/%2e%2e/sparql", (400,)),
        ("/releases/%2e%2e/", (400,)),
        ("/releases/..%2fetc/", (400, 404)),
        ("/sparql?release=..", (400,)),
        ("/sparql?release=%2e%2e%2f%2e%2e", (400,)),
        ("/doc/organisation/oulu-city?release=%00", (400,)),
        ("/releases/a%00b/", (400,)),
        ("/releases/" + "7" * 500 + "/", (400,)),
        ("/index.json?release=" + "7" * 5000, (400,)),
        ("/releases/0.1.0_000000000000/", (404,)),
        ("/releases/0.1.0_000000000000/sparql?query=ASK{}", (404,)),
        ("/api/map?release=nope", (404,)),
        ("/index.json?release=", (400,)),
        ("/index.json?release=a&release=b", (400,)),
        ("/releases/build/", (404,)),
        ("/releases/current/", (404,)),
    ],
)
def test_hostile_release_ids(served: Flask, url: str, statuses: tuple[int, ...]) -> None:
    answer = served.test_client().get(url)
    assert answer.status_code in statuses, (url, answer.status_code)
    if url.startswith("/api/") or ".json" in url:
        assert answer.get_json()["status"] == answer.status_code


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_prune_keeps_current_pinned_and_cited_and_leaves_a_410(archive: tuple[Path, list[Built]], tmp_path: Path) -> None:
    source, made = archive
    out = tmp_path / "build"
    shutil.copytree(source, out, symlinks=True)
    shutil.rmtree(out / "pins", ignore_errors=True)
    first, second, third = (Release.find(out, b.id) for b in made)
    assert first is not None and second is not None and third is not None
    # Nothing goes without --yes, and a permalink's release stays unless forced.
    assert uaeu(["prune", "--build", str(out), "--keep", "1"]) == 0
    assert all(Release.find(out, b.id) is not None for b in made)
    cited = plan_prune(out, keep=1, cited={second.id})
    assert [e.id for e in cited.remove] == [first.id] and "cited" in cited.keep[second.id]
    assert [e.id for e in plan_prune(out, keep=1, cited={second.id}, force=True).remove] == [first.id, second.id]
    assert plan_prune(out, max_bytes=10**15).remove == []
    # A live process's pin keeps a release; a dead one's does not.
    pin(out, first, pid=_dead_pid())
    own = pin(out, second)
    plan = plan_prune(out, keep=1)
    assert [e.id for e in plan.remove] == [first.id]
    assert plan.keep == {second.id: "pinned by a running server", third.id: "current"}
    # A pruned release's precomputed networks go with it (a stand-in sidecar: the fixture builds without them).
    sidecar = network_folder(out, first.id)
    sidecar.mkdir(parents=True, exist_ok=True)
    (sidecar / "manifest.json").write_text("{}", encoding="utf-8")
    assert uaeu(["prune", "--build", str(out), "--keep", "1", "--yes"]) == 0
    assert Release.find(out, first.id) is None and not first.folder.exists()
    assert not sidecar.exists()
    stone = lookup(out, first.id)
    assert isinstance(stone, Tombstone) and stone.replaced_by == second.id
    own.unlink()
    assert [e.id for e in plan_prune(out, keep=1).remove] == [second.id]
    with running_app(out) as app:
        client = app.test_client()
        for url in (
            f"/releases/{made[0].folder}/",
            f"/releases/{made[0].folder}/doc/organisation/oulu-city",
            "/doc/organisation/oulu-city?release=" + quote(made[0].id, safe=""),
        ):
            gone = client.get(url, headers={"Accept": "text/html"})
            text = gone.get_data(as_text=True)
            assert gone.status_code == 410 and gone.mimetype == "text/html", url
            assert f"{PUBLIC}releases/{made[1].folder}/" in text and made[1].id in text
        data = client.get(f"/releases/{made[0].folder}/index.json")
        assert data.status_code == 410
        body = data.get_json()
        assert body["replaced_by"] == made[1].id and body["release"] == made[0].id and body["status"] == 410
        changes = client.get(f"/releases/{made[0].folder}/changes.json")
        assert changes.status_code == 410 and changes.get_json()["replaced_by"] == made[1].id
        query = client.get(f"/releases/{made[0].folder}/sparql", query_string={"query": QUERY}, headers=SPARQL_JSON)
        assert query.status_code == 410 and made[1].id in query.get_data(as_text=True)
        listing = client.get("/releases/index.json").get_json()
        assert [r["id"] for r in listing["releases"]] == [made[2].id, made[1].id]
        assert listing["pruned"][0]["id"] == made[0].id and listing["pruned"][0]["replaced_by"] == made[1].id
    assert Release.open(out).id == made[2].id


def test_prune_never_takes_current_even_when_asked_to_keep_none(archive: tuple[Path, list[Built]], tmp_path: Path) -> None:
    out = tmp_path / "build"
    shutil.copytree(archive[0], out, symlinks=True)
    shutil.rmtree(out / "pins", ignore_errors=True)
    plan = plan_prune(out, max_bytes=0)
    assert [e.id for e in plan.remove] == [b.id for b in archive[1][:2]]
    prune(out, plan)
    assert Release.open(out).id == archive[1][2].id
    assert uaeu(["prune", "--build", str(out), "--keep", "0"]) != 0


def test_prune_keeps_a_release_a_permalink_cites_unless_forced(archive: tuple[Path, list[Built]], tmp_path: Path) -> None:
    out = tmp_path / "build"
    shutil.copytree(archive[0], out, symlinks=True)
    shutil.rmtree(out / "pins", ignore_errors=True)
    made = archive[1]
    PermalinkStore(out / FILE_NAME).create("sparql", QUERY, {}, made[0].id, {"head": {"vars": []}, "results": {"bindings": []}}, 0, False)
    assert uaeu(["prune", "--build", str(out), "--keep", "1", "--yes"]) == 0
    assert Release.find(out, made[0].id) is not None and Release.find(out, made[1].id) is None
    assert uaeu(["prune", "--build", str(out), "--keep", "1", "--yes", "--force"]) == 0
    assert Release.find(out, made[0].id) is None
    stone = lookup(out, made[0].id)
    assert isinstance(stone, Tombstone) and stone.replaced_by == made[2].id
