"""The gallery's questions answered over real HTTP by `uaeu serve`, as a researcher's client would ask them.

Each gallery query is POSTed as a form with Accept: application/sparql-results+json and its answer
goes through the same checks as the in-process run in test_example_queries.py. The median latency
of each query is measured and reported (never asserted: timing is not pass/fail).
"""

from __future__ import annotations

import json
import os
import statistics
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import replace
from pathlib import Path

import pyoxigraph as ox
import pytest

from graph.queries import example_queries, gallery
from tests.test_example_queries import CHECKS, Rows, Runner

JSON_RESULTS = "application/sparql-results+json"
LATENCY_RUNS = int(os.environ.get("UAEU_LATENCY_RUNS", "20"))


def post_query(base_url: str, query: str) -> tuple[dict, dict[str, str]]:
    """POST a form query; the parsed JSON results and the response headers."""
    body = urllib.parse.urlencode({"query": query}).encode()
    request = urllib.request.Request(
        base_url + "/sparql",
        data=body,
        method="POST",
        headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": JSON_RESULTS},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 200
        headers = {k.lower(): v for k, v in response.headers.items()}
        return json.loads(response.read()), headers


def gallery_text(name: str, **bindings: ox.NamedNode | ox.Literal) -> str:
    """The gallery's own text for the default bindings; with others, the same query re-bound the same way."""
    if not bindings:
        return next(item["query"] for item in gallery() if item["name"] == name)
    query = next(q for q in example_queries() if q.name == name)
    return replace(query, defaults={**query.defaults, **bindings}).standalone()


def http_runner(base_url: str) -> Runner:
    """A runner that asks `uaeu serve` over HTTP."""

    def run(name: str, **bindings: ox.NamedNode | ox.Literal) -> Rows:
        results, headers = post_query(base_url, gallery_text(name, **bindings))
        assert headers["content-type"].startswith(JSON_RESULTS)
        assert headers["x-truncated"] == "false"
        names = results["head"]["vars"]
        rows = [{n: b[n]["value"] for n in names if n in b} for b in results["results"]["bindings"]]
        assert headers["x-row-count"] == str(len(rows))
        return rows

    return run


def test_the_gallery_is_the_example_queries() -> None:
    assert [item["name"] for item in gallery()] == sorted(CHECKS)
    assert all(item["question"] and item["title"] for item in gallery())


@pytest.mark.parametrize("name", sorted(CHECKS))
def test_gallery_query_over_http(name: str, live_server: str) -> None:
    CHECKS[name](http_runner(live_server))


def test_gallery_latency_over_http(live_server: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Median wall-clock time of each gallery query, request to parsed answer, over LATENCY_RUNS runs."""
    lines = [
        f"Gallery queries over HTTP (POST form, Accept {JSON_RESULTS}), uaeu serve on 127.0.0.1, {LATENCY_RUNS} runs each after one warm-up:",
        "",
        "| query | rows | median ms | min ms | max ms |",
        "|---|---:|---:|---:|---:|",
    ]
    for item in gallery():
        results, _ = post_query(live_server, item["query"])
        rows = len(results["results"]["bindings"])
        assert rows > 0, item["name"]
        seconds = []
        for _ in range(LATENCY_RUNS):
            start = time.perf_counter()
            again, _ = post_query(live_server, item["query"])
            seconds.append(time.perf_counter() - start)
            assert len(again["results"]["bindings"]) == rows
        ms = [s * 1000 for s in seconds]
        lines.append(f"| {item['name']} | {rows} | {statistics.median(ms):.1f} | {min(ms):.1f} | {max(ms):.1f} |")
    report = "\n".join(lines) + "\n"
    out: Path = tmp_path_factory.mktemp("latency") / "gallery-latency.md"
    out.write_text(report, encoding="utf-8")
    print(f"\n{report}(written to {out})")


# ---------------------------------------------------------------- the gallery's words, in the page's language

CITY = "06-partnerships-of-a-city"
SOURCES = "05-membership-sources"


def get(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], str]:
    """A GET's status, headers (lower-case names) and body as text; errors answered, not raised."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read().decode("utf-8")
    except urllib.error.HTTPError as err:
        return err.code, {k.lower(): v for k, v in err.headers.items()}, err.read().decode("utf-8")


def test_the_gallery_json_twin_in_english_and_bulgarian(live_server: str) -> None:
    """`/sparql.json` is the editor page's gallery: titles and questions in the page's language, each
    placeholder filled with the default value's label in that language (a source's graph by its title)."""
    status, headers, body = get(live_server + "/sparql.json")
    assert status == 200 and headers["content-type"].startswith("application/json")
    english = {item["name"]: item for item in json.loads(body)["gallery"]}
    assert json.loads(body)["lang"] == "en" and json.loads(body)["example"] is None
    assert list(english) == sorted(CHECKS)
    assert english[CITY]["question"] == "In which partnerships do bodies of Sofia take part, in which role, and how sure is it?"
    assert english["01-partnership-coordinators"]["question"].startswith("Who coordinates the Digital Transition partnership,")
    assert (
        english["14-what-a-source-says"]["question"]
        == "Which memberships and events does the source “Sofia hosts Digital Transition Partnership meeting” support?"
    )

    status, headers, body = get(live_server + "/sparql.json?lang=bg")
    assert status == 200 and "Cookie" in headers["vary"]
    bulgarian = {item["name"]: item for item in json.loads(body)["gallery"]}
    assert json.loads(body)["lang"] == "bg"
    assert bulgarian[CITY]["title"] == "Партньорствата на един град"
    assert bulgarian[CITY]["question"] == "В кои партньорства участват организации от София, с каква роля и колко сигурно е това?"
    assert bulgarian[SOURCES]["question"].startswith(
        "На кои източници се опира графът, когато казва, че Столична община участва в партньорството „Дигитален преход“"
    )
    for name, item in bulgarian.items():
        assert "{" not in item["question"] and "{" not in english[name]["question"], name
        assert item["title"] != english[name]["title"] and item["question"] != english[name]["question"], name
        assert item["query"] == english[name]["query"], "the query text is the same in both languages"
    # The remembered language (cookie) answers the same as ?lang=bg.
    assert json.loads(get(live_server + "/sparql.json", {"Cookie": "lang=bg"})[2])["gallery"][5]["question"] == bulgarian[CITY]["question"]


def test_the_question_names_the_value_asked_about(live_server: str) -> None:
    """Another city in the form: the question (page and JSON twin) names it, in the page's language."""
    tallinn = urllib.parse.quote("https://w3id.org/uaeu/id/place/tallinn", safe="")
    status, _, body = get(f"{live_server}/sparql.json?example={CITY}&city={tallinn}&lang=bg")
    assert status == 200
    example = json.loads(body)["example"]
    assert example["question"] == "В кои партньорства участват организации от Талин, с каква роля и колко сигурно е това?"
    assert example["question_template"] == "В кои партньорства участват организации от {city}, с каква роля и колко сигурно е това?"
    assert example["title"] == "Партньорствата на един град" and example["params"][0]["label"] == "Талин"
    english = json.loads(get(f"{live_server}/sparql.json?example={CITY}&city={tallinn}")[2])["example"]
    assert english["question"] == "In which partnerships do bodies of Tallinn take part, in which role, and how sure is it?"

    status, _, page = get(f"{live_server}/sparql?example={CITY}&city={tallinn}&lang=bg", {"Accept": "text/html"})
    assert status == 200
    assert '<h2 id="example-title">Партньорствата на един град</h2>' in page
    assert ">В кои партньорства участват организации от Талин, с каква роля и колко сигурно е това?</p>" in page
    # The gallery below the form keeps the default values (Sofia), in Bulgarian.
    assert ">В кои партньорства участват организации от София, с каква роля и колко сигурно е това?</a>" in page
    assert "In which partnerships" not in page.split("<textarea")[0], "no English question in the form (the query's own comments are its text)"

    # An IRI nobody named is the question's word as it is; two values both follow.
    nowhere = urllib.parse.quote("https://example.org/nowhere", safe="")
    example = json.loads(get(f"{live_server}/sparql.json?example={CITY}&city={nowhere}")[2])["example"]
    assert example["question"] == "In which partnerships do bodies of https://example.org/nowhere take part, in which role, and how sure is it?"
    oulu = urllib.parse.quote("https://w3id.org/uaeu/id/organisation/oulu-city", safe="")
    housing = urllib.parse.quote("https://w3id.org/uaeu/id/partnership/housing", safe="")
    example = json.loads(get(f"{live_server}/sparql.json?example={SOURCES}&organisation={oulu}&partnership={housing}&lang=bg")[2])["example"]
    assert "че Град Оулу участва в партньорството „Жилищно настаняване“" in example["question"]


def test_the_gallery_json_twin_refuses_in_json(live_server: str) -> None:
    status, headers, body = get(f"{live_server}/sparql.json?example=no-such-question")
    assert status == 404 and headers["content-type"].startswith("application/json")
    assert json.loads(body)["status"] == 404 and "no-such-question" in json.loads(body)["error"]
    status, _, body = get(f"{live_server}/sparql.json?example={CITY}&city=%3Cscript%3E")
    assert status == 400 and "city= must be an IRI" in json.loads(body)["error"]
    status, _, body = get(f"{live_server}/sparql.json?lang=xx-not-a-language")
    assert status == 200 and json.loads(body)["lang"] == "en"


EVIL = "<script>alert(1)</script>{city}"


def hostile_build(tmp_path: Path) -> Path:
    """A build of the curated data in which Sofia Municipality is called `EVIL` (and `EVIL БГ` in Bulgarian); its folder."""
    import shutil

    from graph.builder.pipeline import build
    from graph.config import PROJECT_ROOT, Settings
    from tests.helpers import rename_organisation

    shutil.copytree(PROJECT_ROOT / "data", tmp_path / "data")
    rename_organisation(tmp_path / "data", "sofia-municipality", name_en=EVIL, name_bg=EVIL + " БГ")
    build(Settings(data_dir=tmp_path / "data", build_dir=tmp_path / "build"))
    return tmp_path / "build"


def test_a_hostile_label_fills_the_question_as_text(tmp_path: Path) -> None:
    """A label carrying markup, filled into the question: escaped on the page (form, gallery, the
    page's JSON config), and plain data in the JSON twin."""
    from tests.helpers import running_app

    with running_app(hostile_build(tmp_path)) as app:
        client = app.test_client()
        for lang in ("en", "bg"):
            page = client.get(f"/sparql?example={SOURCES}&lang={lang}", headers={"Accept": "text/html"}).get_data(as_text=True)
            assert "<script>alert(1)" not in page
            assert page.count("&lt;script&gt;alert(1)&lt;/script&gt;{city}") >= 2, "in the question and in the gallery's link"
            twin = client.get(f"/sparql.json?example={SOURCES}&lang={lang}").get_json()
            assert EVIL in twin["example"]["question"], "filled once: the label's own {city} is kept as written"
        assert twin["example"]["question"].startswith("На кои източници се опира графът, когато казва, че " + EVIL + " БГ участва")
