"""The example queries of ontology/queries/ answer the researchers' questions correctly.

Each query runs over the real build with its default bindings (and, where it matters, another
binding), and its answer is checked against the curated facts.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Protocol

import pyoxigraph as ox
import pytest

from graph.queries import EXAMPLES_DIR, NamedQuery, example_queries
from graph.store import GraphStore, Solutions
from tests.conftest import ID

Rows = list[dict[str, str]]


class Runner(Protocol):
    """Runs the named example query (with optional other bindings) somewhere; rows as {variable: lexical value}.

    The checks take a runner so the same checks hold in-process here and over HTTP in test_gallery_http.py.
    """

    def __call__(self, name: str, **bindings: ox.NamedNode | ox.Literal) -> Rows: ...


def store_runner(store: GraphStore) -> Runner:
    """A runner over an in-process store."""

    def run(name: str, **bindings: ox.NamedNode | ox.Literal) -> Rows:
        query = next(q for q in example_queries() if q.name == name)
        solutions = store.run(query, bindings)
        assert isinstance(solutions, Solutions)
        return [{n: term.value for n, term in row.items()} for row in solutions]

    return run


def check_coordinators(run: Runner) -> None:
    rows = run("01-partnership-coordinators")
    assert {r["organisation"] for r in rows} == {
        ID + "organisation/estonia-national-authorities",
        ID + "organisation/oulu-city",
        ID + "organisation/sofia-municipality",
    }
    assert {r["evidence"] for r in rows} == {"stated"}
    assert {r["country"] for r in rows} == {"EE", "FI", "BG"}
    housing = run("01-partnership-coordinators", partnership=ox.NamedNode(ID + "partnership/housing"))
    assert len(housing) == 2


def check_event(run: Runner) -> None:
    rows = run("02-event-details")
    assert {(r["start"], r["end"]) for r in rows} == {("2017-06-07", "2017-06-08")}
    assert {r["city"] for r in rows} == {"Sofia"}
    assert all("COOP" in r["venue"] for r in rows)
    assert {r["host"] for r in rows} == {"Sofia Municipality", "Sofia Development Association"}
    assert {r["openedBy"] for r in rows} == {"Elen Gerdzhikov"}
    assert all("Sofia Municipal Council" in r["office"] for r in rows)


def check_panels(run: Runner) -> None:
    rows = run("03-event-panels")
    assert [int(r["position"]) for r in rows] == [1, 2, 3, 4, 5, 6, 7]
    assert rows[0]["title_en"] == "E-government"
    assert rows[0]["title_bg"] == "Е-управление"
    assert rows[6]["title_bg"] == "5G и други ключови базови технологии"
    assert all(r.get("title_bg") for r in rows)


def check_overview(run: Runner) -> None:
    rows = run("04-partnerships-overview")
    by_id = {r["partnership"].rsplit("/", 1)[1]: r for r in rows}
    assert len(by_id) == 20
    dt = by_id["digital-transition"]
    assert dt["start"] == "2017-01"
    assert dt["theme"] == "Digital transition"
    assert set(dt["coordinators"].split(" | ")) == {"Estonia (national authorities)", "City of Oulu", "Sofia Municipality"}
    assert "coordinators" not in by_id["building-decarbonisation"] or by_id["building-decarbonisation"]["coordinators"] == ""
    assert all(r["start"] for r in rows)
    starts = [r["start"] for r in rows]
    assert starts == sorted(starts)


def check_sources(run: Runner) -> None:
    rows = run("05-membership-sources")
    sources = {r["source"].rsplit("/", 1)[1] for r in rows}
    assert {"newsroom-4-new-partnerships", "visitsofia-2168", "sda-946-sofia-meeting"} <= sources
    assert {r["role"] for r in rows} == {"coordinator"}
    assert all(r["url"].startswith("http") for r in rows)


def check_city(run: Runner) -> None:
    rows = run("06-partnerships-of-a-city")
    assert ("Digital Transition", "Sofia Municipality", "coordinator", "stated") in {
        (r["partnershipName"], r["organisationName"], r["role"], r["evidence"]) for r in rows
    }
    oulu = run("06-partnerships-of-a-city", city=ox.NamedNode(ID + "place/oulu"))
    assert "Digital Transition" in {r["partnershipName"] for r in oulu}


def check_labels(run: Runner) -> None:
    rows = run("07-labels-en-bg")
    kinds = {r["kind"] for r in rows}
    assert kinds == {"partnership", "theme", "role"}
    assert sum(1 for r in rows if r["kind"] == "partnership") == 20
    assert sum(1 for r in rows if r["kind"] == "theme") == 20
    missing = [r for r in rows if not r.get("bg")]
    assert missing == []
    dt = next(r for r in rows if r["thing"] == ID.replace("id/", "vocab/") + "theme/digital-transition")
    assert dt["bg"] == "Дигитален преход"


def check_member_states(run: Runner) -> None:
    rows = run("08-member-states-by-partnerships")
    counts = [int(r["partnerships"]) for r in rows]
    assert counts == sorted(counts, reverse=True)
    assert counts[0] >= 5
    assert "EE" in {r["country"] for r in rows}


def check_weaker(run: Runner) -> None:
    rows = run("09-weaker-evidence")
    assert rows
    assert "stated" not in {r["evidence"] for r in rows}
    assert ("Eurocities", "general-statement") in {(r["organisationName"], r["evidence"]) for r in rows}
    equality = run("09-weaker-evidence", partnership=ox.NamedNode(ID + "partnership/cities-of-equality"))
    assert ("coordinator", "disputed") in {(r["role"], r["evidence"]) for r in equality}


def check_timeline(run: Runner) -> None:
    rows = run("10-partnership-timeline")
    starts = [r["start"] for r in rows]
    assert starts == sorted(starts)
    sofia = [r for r in rows if r["start"] == "2017-06-07"]
    assert sofia and sofia[0]["place"] == "Sofia"
    assert any(r["start"] == "2017-02-16" and r["type"] == "kick-off-meeting" and r.get("place") == "Oulu" for r in rows)


def check_coordinating_cities(run: Runner) -> None:
    rows = run("11-cities-coordinating")
    pairs = {(r.get("cityName"), r["partnershipName"]) for r in rows}
    assert ("Sofia", "Digital Transition") in pairs
    assert ("Oulu", "Digital Transition") in pairs
    assert all(r.get("country") for r in rows if r.get("cityName"))


def check_conflicts(run: Runner) -> None:
    rows = run("12-date-conflicts")
    assert len(rows) >= 5
    assert any("Circular" in r["label"] for r in rows)


def check_action_plan(run: Runner) -> None:
    rows = run("13-action-plan")
    two = [r for r in rows if r["number"] == "2"]
    assert len(two) == 1
    assert two[0]["title"] == "Digital Neighbourhood Instrument"
    assert two[0]["pillar"] == "Better funding"
    assert two[0]["leader"] == "Sofia Municipality"


def check_source_graph(run: Runner) -> None:
    rows = run("14-what-a-source-says")
    assert ("event", ID + "event/dt-2nd-sofia-2017") in {(r["kind"], r["thing"]) for r in rows}
    assert "Sofia Municipality" in {r["label"] for r in rows if r["kind"] == "membership"}


def check_per_country(run: Runner) -> None:
    rows = run("15-organisations-per-country")
    bg = {r["kind"]: int(r["organisations"]) for r in rows if r["country"] == "BG"}
    assert bg.get("city", 0) >= 1
    assert all(int(r["organisations"]) > 0 for r in rows)


CHECKS: dict[str, Callable[[Runner], None]] = {
    "01-partnership-coordinators": check_coordinators,
    "02-event-details": check_event,
    "03-event-panels": check_panels,
    "04-partnerships-overview": check_overview,
    "05-membership-sources": check_sources,
    "06-partnerships-of-a-city": check_city,
    "07-labels-en-bg": check_labels,
    "08-member-states-by-partnerships": check_member_states,
    "09-weaker-evidence": check_weaker,
    "10-partnership-timeline": check_timeline,
    "11-cities-coordinating": check_coordinating_cities,
    "12-date-conflicts": check_conflicts,
    "13-action-plan": check_action_plan,
    "14-what-a-source-says": check_source_graph,
    "15-organisations-per-country": check_per_country,
}


def test_every_example_query_has_a_check_and_a_question() -> None:
    queries = example_queries()
    assert len(queries) >= 10
    assert {q.name for q in queries} == set(CHECKS)
    for query in queries:
        assert query.title and query.question, query.name


@pytest.mark.parametrize("name", sorted(CHECKS))
def test_example_query_answers(name: str, graph_store: GraphStore) -> None:
    CHECKS[name](store_runner(graph_store))


def test_bindings_come_from_the_header_not_the_text() -> None:
    query = NamedQuery.load(EXAMPLES_DIR / "01-partnership-coordinators.rq")
    body = "\n".join(line for line in query.text.splitlines() if not line.startswith("#"))
    assert "digital-transition" not in body
    assert query.defaults["partnership"] == ox.NamedNode(ID + "partnership/digital-transition")


def test_the_shown_text_has_its_values_first_inside_where() -> None:
    """The gallery's text puts the bound values on the line after `WHERE {` (in view, where the server
    applies them), drops the `# bind:` comment that would go stale, and runs to the same answer."""
    query = NamedQuery.load(EXAMPLES_DIR / "06-partnerships-of-a-city.rq")
    tallinn = ox.NamedNode(ID + "place/tallinn")
    lines = query.standalone({"city": tallinn}).splitlines()
    where = next(i for i, line in enumerate(lines) if line.rstrip().endswith("WHERE {"))
    assert lines[where + 1] == f"  VALUES ?city {{ <{ID}place/tallinn> }}"
    assert not any(line.startswith("# bind:") for line in lines)
    assert lines[-1].startswith("ORDER BY"), "nothing trails the query any more"
    two = NamedQuery.load(EXAMPLES_DIR / "05-membership-sources.rq").standalone().splitlines()
    where = next(i for i, line in enumerate(two) if line.rstrip().endswith("WHERE {"))
    assert two[where + 1].startswith("  VALUES (?organisation ?partnership) { (<")


def test_a_sub_select_keeps_its_own_group() -> None:
    from graph.queries.text import values_first

    text = "SELECT ?n WHERE { SELECT ?n WHERE { ?s ?p ?n } LIMIT 1 }"
    placed = values_first(text, "VALUES ?s { <http://example.org/a> }", indent="  ")
    assert placed == "SELECT ?n WHERE {\n  VALUES ?s { <http://example.org/a> } {  SELECT ?n WHERE { ?s ?p ?n } LIMIT 1  } }"
    ox.Store().query(placed)  # still a query


def test_no_gallery_variable_shadows_a_parameter_of_the_editor_page() -> None:
    """A question's variables are URL parameters of its permalink (`?example=...&city=...`), so none may
    be one the page or the SPARQL protocol already reads."""
    taken = {"example", "query", "format", "lang", "default-graph-uri", "named-graph-uri", "update"}
    for query in example_queries():
        assert not taken & set(query.defaults), query.name


# ---------------------------------------------------------------- the question's words: languages and placeholders


def test_every_gallery_query_has_its_title_and_question_in_bulgarian() -> None:
    """Lists every query missing `# title-bg:` or `# question-bg:` (a page in Bulgarian would fall back to English)."""
    missing = [f"{q.name}: {kind}-bg" for q in example_queries() for kind, words in (("title", q.titles), ("question", q.questions)) if not words.get("bg")]
    assert missing == []
    for query in example_queries():
        assert query.title_in("bg") != query.title and query.question_in("bg") != query.question, query.name
        assert any("\u0400" <= ch <= "\u04ff" for ch in query.title_in("bg") + query.question_in("bg")), query.name


def test_every_bound_variable_is_a_placeholder_in_both_languages() -> None:
    """The question follows the value asked about: each `# bind:` variable is named `{variable}` in the
    English and the Bulgarian question, and no placeholder names a variable that is not bound."""
    import re

    for query in example_queries():
        for lang in ("en", "bg"):
            written = set(re.findall(r"\{(\w+)\}", query.question_in(lang)))
            assert written == set(query.defaults), (query.name, lang, written)
            assert set(query.placeholders(lang)) == set(query.defaults)


def _written(folder: Path, name: str, text: str) -> NamedQuery:
    """A named query read from a `.rq` file with this text."""
    path = folder / f"{name}.rq"
    path.write_text(text, encoding="utf-8")
    return NamedQuery.load(path)


def test_a_question_is_filled_once_and_other_braces_stay(tmp_path: Path) -> None:
    query = _written(
        tmp_path,
        "x",
        "# title: A city\n# question: Who is in {city} ({not_bound}) {city}?\n# question-bg: Кой е в {city}?\n"
        "# bind: ?city <https://w3id.org/uaeu/id/place/sofia>\nSELECT * WHERE { ?s ?p ?city }\n",
    )
    assert query.ask("en", {"city": "{city} <b>"}) == "Who is in {city} <b> ({not_bound}) {city} <b>?"
    assert query.ask("bg", {"city": "София"}) == "Кой е в София?"
    assert query.ask("de", {"city": "Sofia"}) == "Who is in Sofia ({not_bound}) Sofia?", "a language without lines falls back to English"
    assert query.title_in("bg") == "A city"
    assert query.ask("en", {}) == "Who is in {city} ({not_bound}) {city}?", "nothing to fill with: written as is"


def test_an_old_header_without_placeholders_or_languages_still_reads(tmp_path: Path) -> None:
    query = _written(
        tmp_path,
        "old",
        "# title: Old\n# question: Who coordinates the Digital Transition partnership?\n"
        "# bind: ?partnership <https://w3id.org/uaeu/id/partnership/digital-transition>\nSELECT * WHERE { ?s ?p ?partnership }\n",
    )
    assert (query.title, query.question) == ("Old", "Who coordinates the Digital Transition partnership?")
    assert query.ask("bg", {"partnership": "Дигитален преход"}) == "Who coordinates the Digital Transition partnership?"
    assert query.placeholders() == [] and query.titles == {"en": "Old"}
    bare = _written(tmp_path, "bare", "SELECT * WHERE { ?s ?p ?o }\n")
    assert (bare.title, bare.question_in("bg")) == ("bare", "")


def test_the_shown_text_keeps_the_english_header_only() -> None:
    """The editor's text is the same on every page: the title and question in English (the page shows
    its own language above), no `-bg` lines, no `# bind:` line; the rest of the file unchanged."""
    for query in example_queries():
        shown = query.standalone()
        assert f"# title: {query.title}\n" in shown and f"# question: {query.question}\n" in shown, query.name
        assert "-bg:" not in shown and "# bind:" not in shown, query.name
        kept = [line for line in query.text.splitlines() if not line.startswith(("# title-bg:", "# question-bg:", "# bind:"))]
        assert [line for line in shown.splitlines() if not line.lstrip().startswith("VALUES")] == kept, query.name
