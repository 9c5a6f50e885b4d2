"""What changed between releases: the diff, the changelog, `uaeu diff`, the changes pages and an entity's history.

Three releases are built from three versions of the data (tests/three_releases.py): a membership
added, then a start date corrected and a label changed. The diff and the changelog must list
exactly those facts, nothing else; the RDF Patch, read by a tiny reader here and applied to the
older release, must give the newer one quad for quad.
"""

from __future__ import annotations

import json
import stat
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pyoxigraph as ox
import pytest
from flask import Flask
from flask.testing import FlaskClient

from graph import diff
from graph.release import READ_ONLY_DIR, Release
from tests.conftest import ID
from tests.helpers import close_app, make_app
from tests.three_releases import DATE_EN, JOINED_EN, LABEL_EN, SOFIA_LABEL, Archive, three_releases

HTML = {"Accept": "text/html"}
SPS = ID + "partnership/security-public-spaces"
GDYNIA = ID + "organisation/gdynia-city"
HOUSING = ID + "partnership/housing"


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Archive:
    return three_releases(tmp_path_factory.mktemp("archive"))


@pytest.fixture(scope="module")
def app(archive: Archive) -> Iterator[Flask]:
    served = make_app(archive.build_dir, public_url="http://kg.example.org/")
    yield served
    close_app(served)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def _quads(release: Release) -> set[str]:
    with release.dump("nq").open("rb") as handle:
        return {diff.line(diff.key(q)) for q in ox.parse(handle, format=ox.RdfFormat.N_QUADS)}


def read_patch(text: str) -> tuple[list[str], list[str]]:
    """A tiny RDF Patch reader: (deleted quads, added quads) as N-Quads lines, checking the syntax of every row."""
    deleted: list[str] = []
    added: list[str] = []
    lines = text.splitlines()
    assert lines[0].startswith("H id <") and lines[0].endswith("> .")
    assert lines[1] == "TX ." and lines[-1] == "TC ."
    for row in lines[2:-1]:
        code, _, quad = row.partition(" ")
        assert code in ("A", "D"), row
        parsed = list(ox.parse(quad.encode("utf-8"), format=ox.RdfFormat.N_QUADS))
        assert len(parsed) == 1, row
        assert not isinstance(parsed[0].graph_name, ox.DefaultGraph), "every quad of a release is in a named graph"
        (added if code == "A" else deleted).append(diff.line(diff.key(parsed[0])))
    return deleted, added


def _summary(archive: Archive, older: int, newer: int) -> dict[str, object]:
    return diff.summary(archive.build_dir, archive.releases[older], archive.releases[newer])


# ---------------------------------------------------------------- the diff and the changelog


def test_a_membership_added_is_the_only_change(archive: Archive) -> None:
    data = _summary(archive, 0, 1)
    entries = data["changelog"]
    assert isinstance(entries, list)
    assert [e["en"] for e in entries] == [JOINED_EN]
    assert entries[0]["kind"] == "joined"
    assert set(entries[0]["subjects"]) >= {GDYNIA, HOUSING, ID + "membership/housing--gdynia-city"}
    assert "се присъедини към" in entries[0]["bg"] and "Жилищно настаняване" in entries[0]["bg"]
    assert data["removed"] == 0 and data["added"] == entries[0]["facts"]
    assert data["other"] == {"count": 0, "by_subject": {}, "quads": []}
    # Every added quad is about the new membership (or the partnership/organisation pair it links).
    folder = diff.cached(archive.build_dir, archive.releases[0], archive.releases[1])
    added = (folder / diff.ADDED).read_text(encoding="utf-8").splitlines()
    assert len(added) == data["added"]
    assert all("housing--gdynia-city" in q or (f"<{HOUSING}>" in q and f"<{GDYNIA}>" in q) for q in added)
    assert (folder / diff.REMOVED).read_text(encoding="utf-8") == ""


def test_a_date_corrected_and_a_label_changed_are_the_only_changes(archive: Archive) -> None:
    data = _summary(archive, 1, 2)
    texts = sorted(e["en"] for e in data["changelog"])  # type: ignore[attr-defined]
    assert texts == sorted([DATE_EN, LABEL_EN])
    assert data["other"]["count"] == 0  # type: ignore[index]
    assert data["covered_quads"] == data["added"] + data["removed"]  # type: ignore[operator]
    bg = {e["kind"]: e["bg"] for e in data["changelog"]}  # type: ignore[attr-defined]
    assert bg["date-corrected"] == "Сигурност на обществените пространства: началната дата е поправена от 2018-12 на 2018-11-14"
    assert "Столична община" in bg["name-changed"] and SOFIA_LABEL in bg["name-changed"]
    # The facts removed are exactly the old start and the old name; the added, the new ones.
    removed = set((diff.cached(archive.build_dir, archive.releases[1], archive.releases[2]) / diff.REMOVED).read_text(encoding="utf-8").splitlines())
    assert any('"Sofia Municipality"@en' in q for q in removed)
    assert any("/id/instant/2018-12>" in q for q in removed)
    assert all('"Sofia Municipality"@en' in q or "/id/instant/2018-12>" in q for q in removed)


def test_release_one_to_three_lists_all_three_changes(archive: Archive) -> None:
    data = _summary(archive, 0, 2)
    assert sorted(e["en"] for e in data["changelog"]) == sorted([JOINED_EN, DATE_EN, LABEL_EN])  # type: ignore[attr-defined]
    assert data["other"]["count"] == 0  # type: ignore[index]


def test_the_patch_applied_to_the_older_release_gives_the_newer(archive: Archive) -> None:
    for older, newer in ((0, 1), (1, 2), (0, 2), (2, 0)):
        a, b = archive.releases[older], archive.releases[newer]
        text = (diff.cached(archive.build_dir, a, b) / diff.PATCH).read_text(encoding="utf-8")
        deleted, added = read_patch(text)
        quads = _quads(a)
        assert set(deleted) <= quads and not set(added) & quads
        assert (quads - set(deleted)) | set(added) == _quads(b)
        # Deterministic: sorted by graph, then subject, predicate, object; computed again, the same bytes.
        assert deleted == sorted(deleted, key=lambda q: (q.rsplit(" ", 2)[-2], q)) or len(deleted) < 2
        again, _ = diff.compute(a, b)
        assert again.patch() == text


def test_diffs_are_cached_beside_the_archive_and_releases_stay_read_only(archive: Archive) -> None:
    before = {r.id: r.sums.read_bytes() for r in archive.releases}
    folder = diff.cached(archive.build_dir, archive.releases[0], archive.releases[1])
    assert folder.parent.parent == archive.build_dir / diff.DIFFS
    assert not any(p.name.startswith(".staging") for p in folder.parent.iterdir())
    mtime = (folder / diff.SUMMARY).stat().st_mtime_ns
    diff.cached(archive.build_dir, archive.releases[0], archive.releases[1])
    assert (folder / diff.SUMMARY).stat().st_mtime_ns == mtime  # computed once
    for release in archive.releases:
        assert stat.S_IMODE(release.folder.stat().st_mode) == READ_ONLY_DIR
        assert sorted(p.name for p in release.folder.iterdir()) == ["dumps", "report.json", "report.md"]
        assert release.sums.read_bytes() == before[release.id]


def test_two_processes_asking_at_once_both_get_the_same_complete_diff(archive: Archive) -> None:
    older, newer = archive.releases[2], archive.releases[1]  # a pair nothing else computes
    folder = diff.diff_folder(archive.build_dir, older, newer)
    assert not folder.exists()
    with ThreadPoolExecutor(3) as pool:
        folders = list(pool.map(lambda _: diff.cached(archive.build_dir, older, newer), range(3)))
    assert folders == [folder] * 3
    assert sorted(p.name for p in folder.iterdir()) == sorted([diff.ADDED, diff.PATCH, diff.REMOVED, diff.SUMMARY])
    assert not any(p.name.startswith(".staging") for p in folder.parent.iterdir())
    assert json.loads((folder / diff.SUMMARY).read_text(encoding="utf-8"))["from"] == older.id


def test_blank_nodes_are_counted_not_hidden() -> None:
    quad = next(iter(ox.parse(b"_:b1 <http://ex/p> <http://ex/o> <http://ex/g> .\n", format=ox.RdfFormat.N_QUADS)))
    named = next(iter(ox.parse(b"<http://ex/s> <http://ex/p> <http://ex/o> <http://ex/g> .\n", format=ox.RdfFormat.N_QUADS)))
    result = diff.Diff.between("a", "b", {diff.key(named): named}, {diff.key(quad): quad, diff.key(named): named})
    assert result.blank_node_quads == 1
    assert result.added == (diff.key(quad),)
    assert "A _:b1 <http://ex/p> <http://ex/o> <http://ex/g> ." in result.patch()


def test_unknown_release_names_the_known_ones(archive: Archive) -> None:
    with pytest.raises(diff.UnknownRelease, match="known releases: " + archive.releases[0].id.replace("+", r"\+")):
        diff.find(archive.build_dir, "0.0.0+nothing")
    assert diff.find(archive.build_dir, archive.releases[1].folder.name) == archive.releases[1]
    assert diff.previous(archive.build_dir, archive.releases[0]) is None
    assert diff.previous(archive.build_dir, archive.releases[2]) == archive.releases[1]


# ---------------------------------------------------------------- uaeu diff


def uaeu(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "webapp.cli", *args], capture_output=True, text=True, timeout=120, check=False)


def test_uaeu_diff_changelog_json_and_patch(archive: Archive) -> None:
    first, _, third = archive.releases
    where = ("--build", str(archive.build_dir))
    text = uaeu("diff", first.id, third.folder.name, *where)
    assert text.returncode == 0, text.stderr
    lines = text.stdout.splitlines()
    assert lines[0].startswith(f"{first.id} -> {third.id}: +")
    assert sorted(lines[1:]) == sorted(f"- {t}" for t in (JOINED_EN, DATE_EN, LABEL_EN))
    bg = uaeu("diff", first.id, third.id, "--lang", "bg", *where)
    assert "началната дата е поправена от 2018-12 на 2018-11-14" in bg.stdout
    as_json = json.loads(uaeu("diff", first.id, third.id, "--format", "json", *where).stdout)
    assert as_json["from"] == first.id and as_json["to"] == third.id and len(as_json["changelog"]) == 3
    patch = uaeu("diff", first.id, third.id, "--format", "patch", *where)
    deleted, added = read_patch(patch.stdout)
    assert len(deleted) == as_json["removed"] and len(added) == as_json["added"]
    same = uaeu("diff", third.id, third.id, *where)
    assert same.stdout.splitlines()[1:] == ["- no changes"]


def test_uaeu_diff_unknown_release_is_a_clear_error(archive: Archive) -> None:
    result = uaeu("diff", archive.releases[0].id, "0.9.9+nope", "--build", str(archive.build_dir))
    assert result.returncode == 2
    assert "no release '0.9.9+nope'" in result.stderr and archive.releases[2].id in result.stderr
    assert result.stdout == ""


# ---------------------------------------------------------------- pages


def test_changes_page_and_its_json(archive: Archive, client: FlaskClient) -> None:
    second, third = archive.releases[1], archive.releases[2]
    page = client.get(f"/releases/{third.folder.name}/changes", headers=HTML)
    assert page.status_code == 200 and page.mimetype == "text/html"
    body = page.get_data(as_text=True)
    assert DATE_EN in body
    assert LABEL_EN.replace("“", "“") in body
    assert f'href="http://kg.example.org/releases/{third.folder.name}/changes.rdfp"' in body
    assert f'href="http://kg.example.org/releases/{second.folder.name}/changes"' in body
    data = client.get(f"/releases/{third.id}/changes.json").get_json()
    assert data["release"] == third.id and data["previous"] == second.id
    assert sorted(e["en"] for e in data["changelog"]) == sorted([DATE_EN, LABEL_EN])
    assert data["other"]["count"] == 0
    bg = client.get(f"/releases/{third.folder.name}/changes?lang=bg", headers=HTML).get_data(as_text=True)
    assert "началната дата е поправена" in bg and "Какво се промени" in bg
    patch = client.get(data["downloads"]["patch"].removeprefix("http://kg.example.org"))
    assert patch.status_code == 200 and patch.headers["Content-Type"].startswith(diff.PATCH_MEDIA_TYPE)
    deleted, added = read_patch(patch.get_data(as_text=True))
    assert len(deleted) == data["removed"] and len(added) == data["added"]
    nq = client.get(f"/releases/{third.folder.name}/changes-added.nq")
    assert nq.status_code == 200 and len(list(ox.parse(nq.data, format=ox.RdfFormat.N_QUADS))) == data["added"]


def test_the_first_release_has_nothing_to_compare(archive: Archive, client: FlaskClient) -> None:
    first = archive.releases[0]
    data = client.get(f"/releases/{first.folder.name}/changes.json").get_json()
    assert data["previous"] is None and data["changelog"] == []
    assert "first release" in client.get(f"/releases/{first.folder.name}/changes", headers=HTML).get_data(as_text=True)
    assert client.get(f"/releases/{first.folder.name}/changes.rdfp").status_code == 404


@pytest.mark.parametrize("name", ["0.0.0+nope", "..", "%2e%2e%2f%2e%2e%2fetc", "a" * 300, "x%00y", "0.1.0_%C3%A9"])
def test_unknown_or_hostile_release_names_are_404(client: FlaskClient, name: str) -> None:
    answer = client.get(f"/releases/{name}/changes.json")
    assert answer.status_code == 404
    assert answer.get_json()["status"] == 404
    assert "/tmp" not in answer.get_data(as_text=True)  # no file system paths in answers


def test_entity_history_shows_the_change(archive: Archive, client: FlaskClient) -> None:
    third = archive.releases[2]
    page = client.get("/doc/partnership/security-public-spaces", headers=HTML).get_data(as_text=True)
    assert 'id="history"' in page
    assert DATE_EN in page
    assert f'href="http://kg.example.org/releases/{third.folder.name}/changes"' in page
    gdynia = client.get("/doc/organisation/gdynia-city", headers=HTML).get_data(as_text=True)
    assert JOINED_EN in gdynia and archive.releases[1].id in gdynia and DATE_EN not in gdynia
    untouched = client.get("/doc/organisation/amsterdam-city", headers=HTML).get_data(as_text=True)
    assert 'id="history"' not in untouched
    api = client.get("/api/history", query_string={"iri": SPS}).get_json()
    assert [h["release"] for h in api["history"]] == [third.id]
    assert api["history"][0]["texts"] == [DATE_EN]
    assert client.get("/api/history", query_string={"iri": "x\x01y"}).status_code == 400
    assert client.get("/api/history").status_code == 400


# ---------------------------------------------------------------- each rule, on small hand-made releases

B = "https://w3id.org/uaeu/"
RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
LABEL = "<http://www.w3.org/2004/02/skos/core#prefLabel>"
ORG = "http://www.w3.org/ns/org#"
SOURCE = "<http://purl.org/dc/terms/source>"
G1, G2 = f"<{B}graph/source/s1>", f"<{B}graph/source/s2>"
COMMON = f"""
<{B}id/organisation/a> {RDF_TYPE} <{ORG}Organization> {G1} .
<{B}id/organisation/a> {LABEL} "Alpha"@en {G1} .
<{B}id/organisation/a> {LABEL} "Алфа"@bg {G1} .
<{B}id/partnership/p> {RDF_TYPE} <{B}ontology#Partnership> {G1} .
<{B}id/partnership/p> {LABEL} "Pi"@en {G1} .
<{B}vocab/role/member> {LABEL} "member"@en {G1} .
<{B}vocab/role/coordinator> {LABEL} "coordinator"@en {G1} .
<{B}id/membership/p--a> {RDF_TYPE} <{ORG}Membership> {G1} .
<{B}id/membership/p--a> <{ORG}member> <{B}id/organisation/a> {G1} .
<{B}id/membership/p--a> <{ORG}organization> <{B}id/partnership/p> {G1} .
"""
OLD = f"""{COMMON}
<{B}id/membership/p--a> <{ORG}role> <{B}vocab/role/member> {G1} .
<{B}id/event/e> {RDF_TYPE} <https://schema.org/Event> {G1} .
<{B}id/event/e> {LABEL} "Kick-off"@en {G1} .
<{B}id/event/e> <https://schema.org/startDate> "2019-01-01"^^<http://www.w3.org/2001/XMLSchema#date> {G1} .
"""
NEW = f"""{COMMON}
<{B}id/membership/p--a> <{ORG}role> <{B}vocab/role/coordinator> {G1} .
<{B}id/organisation/a> {RDF_TYPE} <{ORG}Organization> {G2} .
<{B}id/organisation/a> {SOURCE} <{B}id/source/s2> {G1} .
<{B}id/organisation/b> {RDF_TYPE} <{ORG}Organization> {G2} .
<{B}id/organisation/b> {LABEL} "Beta"@en {G2} .
<{B}id/organisation/a> <http://www.w3.org/2004/02/skos/core#note> "a note"@en {G1} .
"""


def _parsed(text: str) -> dict[diff.Key, ox.Quad]:
    return {diff.key(q): q for q in ox.parse(text.encode("utf-8"), format=ox.RdfFormat.N_QUADS)}


def test_each_rule_and_the_rest_counted() -> None:
    from graph.changelog import changelog

    old, new = _parsed(OLD), _parsed(NEW)
    result = changelog(diff.Diff.between("r1", "r2", old, new), old, new)
    texts = {e["kind"]: e["en"] for e in result["changelog"]}
    assert texts == {
        "added": "New organisation: Beta",
        "removed": "Removed event: Kick-off",
        "role-changed": "Alpha's role in Pi changed from member to coordinator",
        "cites-added": "Alpha now cites s2",
        "source-backs": "Source s2 now also states 1 fact(s) already in the graph (about Alpha)",
    }
    assert {e["kind"]: e["bg"] for e in result["changelog"]}["role-changed"].startswith("Ролята на Алфа в Pi")
    # The note is no sentence's: counted and listed, never dropped.
    assert result["other"]["count"] == 1
    assert result["other"]["by_subject"] == {f"{B}id/organisation/a": 1}
    assert result["other"]["quads"] == [f'A <{B}id/organisation/a> <http://www.w3.org/2004/02/skos/core#note> "a note"@en {G1} .']
    total = len(set(new) - set(old)) + len(set(old) - set(new))
    assert result["covered_quads"] + result["other"]["count"] == total


def test_backwards_the_membership_is_left_and_the_date_corrected_back(archive: Archive) -> None:
    data = _summary(archive, 2, 0)
    assert sorted(e["en"] for e in data["changelog"]) == sorted(  # type: ignore[attr-defined]
        [
            "City of Gdynia left Housing (was Member; source: gdynia-um-2018)",
            "Security in Public Spaces start corrected from 2018-11-14 to 2018-12",
            f"Sofia Municipality: name (en) changed from “{SOFIA_LABEL}” to “Sofia Municipality”",
        ]
    )
    assert data["other"]["count"] == 0  # type: ignore[index]
