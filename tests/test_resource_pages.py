"""Resource pages read as answers: a partnership's summary, membership periods, roles in their own
groups, human names for predicates and readable headings, through Flask's test client on the real build.

The HTML is read with `html.parser` into a small tree, never with regular expressions over the markup.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

import pyoxigraph as ox
import pytest
from flask.testing import FlaskClient

from tests.conftest import BASE, ID, select

BROWSER = "text/html,application/xhtml+xml"
VOID_TAGS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
SKOS_LABEL = "http://www.w3.org/2004/02/skos/core#prefLabel"
#: A raw predicate name, as a CURIE: `uaeu:statedMemberCount`, `skos:scopeNote`.
CURIE = re.compile(r"^[a-z][a-zA-Z0-9]*:[a-zA-Z][A-Za-z0-9_-]*$")


@dataclass
class Node:
    tag: str
    attrs: dict[str, str]
    children: list[Node | str] = field(default_factory=list)

    def text(self) -> str:
        return " ".join(" ".join(c.text() if isinstance(c, Node) else c for c in self.children).split())

    def all(self, tag: str) -> list[Node]:
        found: list[Node] = []
        for child in self.children:
            if isinstance(child, Node):
                if child.tag == tag:
                    found.append(child)
                found.extend(child.all(tag))
        return found

    def by_id(self, ident: str) -> Node | None:
        for child in self.children:
            if isinstance(child, Node):
                if child.attrs.get("id") == ident:
                    return child
                inner = child.by_id(ident)
                if inner is not None:
                    return inner
        return None


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#root", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(node)
        if tag not in VOID_TAGS:
            self.stack.append(node)

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def page(client: FlaskClient, path: str) -> Node:
    response = client.get(path, headers={"Accept": BROWSER})
    assert response.status_code == 200, path
    builder = _TreeBuilder()
    builder.feed(response.get_data(as_text=True))
    builder.close()
    return builder.root


def section(root: Node, ident: str) -> Node:
    found = root.by_id(ident)
    assert found is not None, f"no section #{ident}"
    return found


def summary_values(root: Node) -> dict[str, Node]:
    """The summary's `<dd>`s by class."""
    return {dd.attrs.get("class", ""): dd for dd in section(root, "summary").all("dd")}


def label(store: ox.Store, iri: str, lang: str) -> str:
    rows = select(store, f"SELECT ?s ?l WHERE {{ ?s <{SKOS_LABEL}> ?l FILTER(lang(?l) = '{lang}') }}", s=ox.NamedNode(iri))
    assert rows, (iri, lang)
    return str(rows[0]["l"])


@pytest.mark.parametrize(
    ("lang", "ongoing", "coordinators", "countries"),
    [
        ("en", "ongoing", ["Estonia (national authorities)", "City of Oulu", "Sofia Municipality"], ["Estonia", "Finland", "Bulgaria"]),
        ("bg", "продължава", ["Естония (национални власти)", "Град Оулу", "Столична община"], ["Естония", "Финландия", "България"]),
    ],
)
def test_a_partnership_page_opens_with_its_summary(
    client: FlaskClient, store: ox.Store, lang: str, ongoing: str, coordinators: list[str], countries: list[str]
) -> None:
    root = page(client, f"/doc/partnership/digital-transition?lang={lang}")
    values = summary_values(root)
    assert "2017-01" in values["dates"].text() and ongoing in values["dates"].text()
    assert values["status"].text() == ongoing
    coordinated = values["coordinators"]
    names = [a.text() for a in coordinated.all("a")]
    for name, country in zip(coordinators, countries, strict=True):
        assert name in names, (lang, name, names)
        assert country in names, (lang, country, names)
    links = [a.attrs["href"] for a in coordinated.all("a")]
    assert any(href.endswith("doc/organisation/oulu-city") or "doc/organisation/oulu-city?" in href for href in links), links
    dt = ox.NamedNode(ID + "partnership/digital-transition")
    known = len(
        select(
            store,
            """SELECT DISTINCT ?p ?o WHERE { ?m <http://www.w3.org/ns/org#organization> ?p ; <http://www.w3.org/ns/org#member> ?o ;
               <http://www.w3.org/ns/org#role> ?r FILTER(STRENDS(STR(?r), '/coordinator') || STRENDS(STR(?r), '/member')) }""",
            p=dt,
        )
    )
    stated = select(store, f"SELECT ?p ?n WHERE {{ ?p <{BASE}ontology#statedMemberTotal> ?n }}", p=dt)
    assert stated, "Digital Transition has a stated member total"
    count = values["member-count"].text()
    assert count.startswith(str(known)) and str(stated[0]["n"]) in count, count
    assert ("known of" if lang == "en" else "известни от") in count
    assert label(store, BASE + "vocab/theme/digital-transition", lang) in values["themes"].text()


@pytest.mark.parametrize(("lang", "ended"), [("en", "ended"), ("bg", "приключило")])
def test_a_partnership_that_ended_says_so(client: FlaskClient, lang: str, ended: str) -> None:
    values = summary_values(page(client, f"/doc/partnership/housing?lang={lang}"))
    assert values["status"].text() == ended
    assert "2015" in values["dates"].text() and "2018" in values["dates"].text()


def _period_cells(root: Node, ident: str, column: int) -> dict[str, str]:
    """Organisation (first cell) → period cell of every row of a section's tables."""
    cells: dict[str, str] = {}
    for row in section(root, ident).all("tr"):
        tds = row.all("td")
        if tds:
            cells[tds[0].text()] = tds[column].text()
    return cells


def test_membership_periods_are_shown_and_never_left_empty(client: FlaskClient) -> None:
    """Air Quality's Polish ministry joined in September 2016; members without dates say "unknown"."""
    periods = _period_cells(page(client, "/doc/partnership/air-quality?lang=en"), "members", 3)
    dated = [p for p in periods.values() if "2016-09" in p]
    assert dated and all(p.startswith("since") for p in dated), periods
    assert all(periods.values()), "no empty period cell"
    assert "unknown" in periods.values()
    org = _period_cells(page(client, "/doc/organisation/nfosigw?lang=bg"), "memberships", 2)
    assert any("2016-09" in p for p in org.values()), org


def test_hosts_and_the_secretariat_have_their_own_groups(client: FlaskClient, store: ox.Store) -> None:
    rows = select(
        store,
        """SELECT DISTINCT ?p WHERE { ?m <http://www.w3.org/ns/org#organization> ?p ; <http://www.w3.org/ns/org#role> ?r
           FILTER(STRENDS(STR(?r), '/technical-secretariat')) } ORDER BY ?p LIMIT 1""",
    )
    assert rows, "the data has a technical secretariat"
    path = "/doc/" + rows[0]["p"][len(ID) :] + "?lang=en"
    root = page(client, path)
    members = section(root, "members")
    assert members.all("h2")[0].text() == "Coordinators and members"
    main_groups = [h.text() for h in members.all("h3")]
    assert all(re.match(r"^(Coordinators|Members|Observers) \(\d+\)$", h) for h in main_groups), main_groups
    assert "secretariat" not in members.text().casefold()
    others = section(root, "other-roles")
    groups = [h.text() for h in others.all("h3")]
    assert any("secretariat" in h.casefold() for h in groups), groups
    hosts = select(
        store,
        """SELECT DISTINCT ?p WHERE { ?m <http://www.w3.org/ns/org#organization> ?p ; <http://www.w3.org/ns/org#role> ?r
           FILTER(STRENDS(STR(?r), '/meeting-host')) } ORDER BY ?p LIMIT 1""",
    )
    assert hosts, "the data has a meeting host"
    root = page(client, "/doc/" + hosts[0]["p"][len(ID) :] + "?lang=bg")
    assert root.by_id("other-roles") is not None
    assert section(root, "members").all("h2")[0].text() == "Координатори и членове"


def _sample(store: ox.Store, kind: str, n: int = 4) -> list[str]:
    rows = select(store, f"SELECT DISTINCT ?s WHERE {{ ?s ?p ?o FILTER(STRSTARTS(STR(?s), '{ID}{kind}/')) }} ORDER BY ?s")
    iris = [row["s"] for row in rows]
    step = max(1, len(iris) // n)
    return iris[::step][:n]


@pytest.mark.parametrize("kind", ["partnership", "organisation", "place", "event", "source", "membership", "period"])
@pytest.mark.parametrize("lang", ["en", "bg"])
def test_no_raw_predicate_names_and_no_iri_headings(client: FlaskClient, store: ox.Store, kind: str, lang: str) -> None:
    paths = ["/doc/" + iri[len(ID) :] for iri in _sample(store, kind)]
    if kind == "partnership":
        paths += ["/vocab/theme/digital-transition", "/vocab/theme", "/doc/country/BGR"]
    assert paths, kind
    for path in paths:
        root = page(client, f"{path}?lang={lang}")
        for heading in (*root.all("h1"), *root.all("h2"), *root.all("h3")):
            text = heading.text()
            assert "http" not in text and not CURIE.match(text), (path, text)
        for table in root.all("table"):
            for th in table.all("th"):
                assert not CURIE.match(th.text()), (path, th.text())
        iri = root.all("p")
        assert any("iri" in p.attrs.get("class", "") for p in iri), path


@pytest.mark.parametrize(("lang", "name"), [("en", "stated member count"), ("bg", "посочен брой членове")])
def test_a_predicate_without_a_wording_entry_is_named_by_the_ontology(client: FlaskClient, lang: str, name: str) -> None:
    root = page(client, f"/doc/partnership/digital-transition?lang={lang}")
    names = {th.attrs.get("title"): th.text() for th in section(root, "outgoing").all("th")}
    assert names["uaeu:statedMemberCount"] == name


@pytest.mark.parametrize(("lang", "word"), [("en", "Period"), ("bg", "Период")])
def test_a_resource_without_a_label_is_headed_by_its_kind_and_slug(client: FlaskClient, store: ox.Store, lang: str, word: str) -> None:
    periods = _sample(store, "period", 1)
    root = page(client, "/doc/" + periods[0][len(ID) :] + f"?lang={lang}")
    heading = root.all("h1")[0].text()
    assert heading == f"{word} {periods[0].rsplit('/', 1)[-1]}"
    small = next(p for p in root.all("p") if p.attrs.get("class") == "iri")
    assert small.all("small") and periods[0] in small.text()
