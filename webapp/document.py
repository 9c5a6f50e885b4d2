"""A resource's page: what the graph says about it and what points to it, in a fixed handful of named queries.

A page is built from the named queries in `graph/queries/pages/` (outgoing links, incoming links,
the RDF description, and at most three type-specific tables), whatever the number of links, so
page cost does not grow with one query per neighbour. Every query goes through the app's
`GraphStore`, with bound values; `g.ld_queries` counts them per request (the tests read it). The
ontology's labels, which name predicates that have no wording entry, are read once per app (the
`ontology` query) and kept, so they are not counted per page.
"""

from __future__ import annotations

import json
import re
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox
from flask import current_app, g
from markupsafe import Markup

from graph.formats import write_rdf
from graph.queries import NamedQuery, folder
from graph.store import Result, Solutions
from webapp.links import LANG, curie, kind_of, local_url
from webapp.resources import public_url, store
from webapp.wording import KIND_TITLES, order, predicate_name, ui

PAGE_QUERIES: dict[str, NamedQuery] = folder("pages")
LABEL_PREDICATES = (
    "http://www.w3.org/2004/02/skos/core#prefLabel",
    "https://schema.org/name",
    "http://purl.org/dc/terms/title",
    "http://xmlns.com/foaf/0.1/name",
    "http://www.w3.org/2000/01/rdf-schema#label",
)
SKOS = "http://www.w3.org/2004/02/skos/core#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"


@dataclass
class Value:
    """One value on a page: text to show, where it links (or None), its language tag or datatype."""

    text: str
    href: str | None = None
    lang: str | None = None
    iri: str | None = None
    external: bool = False
    start: str | None = None
    end: str | None = None


@dataclass
class Group:
    """A predicate and its values, in one direction."""

    curie: str
    iri: str
    name: str
    values: list[Value] = field(default_factory=list)


def run_page_query(name: str, **bindings: ox.NamedNode | ox.Literal) -> Result:
    """Run one named page query with bound values; counts queries per request (see the tests)."""
    query = PAGE_QUERIES[name]
    g.ld_queries = getattr(g, "ld_queries", 0) + 1
    return store().run(query, bindings)


def page_rows(name: str, **bindings: ox.NamedNode | ox.Literal) -> list[dict[str, Any]]:
    """A page query's rows with every projected variable (None where unbound)."""
    result = run_page_query(name, **bindings)
    assert isinstance(result, Solutions)
    return [{n: row.get(n) for n in result.variables} for row in result]


def page_triples(name: str, **bindings: ox.NamedNode | ox.Literal) -> list[ox.Triple]:
    """A page query's triples (CONSTRUCT/DESCRIBE)."""
    result = run_page_query(name, **bindings)
    if isinstance(result, Solutions | bool):
        raise TypeError(f"page query {name} is not a CONSTRUCT or DESCRIBE")
    return result


def term_labels() -> dict[str, dict[str, str]]:
    """The ontology's `rdfs:label`s by term IRI and language, read once per app (one query, cached)."""
    cached: dict[str, dict[str, str]] | None = current_app.extensions.get("uaeu_term_labels")
    if cached is None:
        cached = {}
        result = store().run(PAGE_QUERIES["ontology"], {})
        if not isinstance(result, Solutions | bool):
            for triple in result:
                if triple.predicate.value == RDFS_LABEL and isinstance(triple.object, ox.Literal) and isinstance(triple.subject, ox.NamedNode):
                    cached.setdefault(triple.subject.value, {})[triple.object.language or ""] = triple.object.value
        current_app.extensions["uaeu_term_labels"] = cached
    return cached


def readable_predicate(cur: str, iri: str, lang: str, inverse: bool) -> str:
    """A predicate's name for people: the wording's, else the ontology's label, else its local name in words; never a CURIE."""
    name = predicate_name(cur, lang, inverse)
    if name != cur:
        return name
    labels = term_labels().get(iri, {})
    label = labels.get(lang) or labels.get("en") or labels.get("")
    if not label:
        local = re.split(r"[#/:]", iri)[-1]
        label = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", local).lower()
    return ui(lang)["inverse_of"].format(label=label) if inverse else label


def label_of(row: dict[str, Any], name: str) -> str | None:
    for key in (name, name + "En"):
        term = row.get(key)
        if term is not None:
            return str(term.value)
    return None


def value_of(term: Any, label: str | None, lang: str) -> Value:
    if isinstance(term, ox.NamedNode):
        href = local_url(term.value, lang)
        return Value(label or curie(term.value), href, None, term.value, href is not None and not href.startswith(public_url()))
    if isinstance(term, ox.Literal):
        return Value(term.value, None, term.language, None)
    return Value(str(term))


def json_for_script(data: Any) -> Markup:
    """JSON safe inside <script>: '<', '>' and '&' as \\u escapes, so '</script>' in data cannot end it."""
    text = json.dumps(data, ensure_ascii=False, indent=1)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return Markup(text)  # noqa: S704 - escaped above for the <script> context


def exists(iri: str) -> bool:
    return run_page_query("exists", s=ox.NamedNode(iri)) is True


def switch_languages(literal_langs: set[str]) -> list[str]:
    """English, Bulgarian, then any local language this resource has a label in."""
    extra = sorted(lang for lang in literal_langs if lang not in ("en", "bg") and LANG.match(lang))
    return ["en", "bg", *extra]


def page_context(iri: str, lang: str) -> dict[str, Any]:
    subject = ox.NamedNode(iri)
    lit = ox.Literal(lang)
    outgoing: OrderedDict[str, Group] = OrderedDict()
    labels: dict[str, dict[str, str]] = {}
    types: list[str] = []
    seen: set[tuple[str, str]] = set()
    for row in page_rows("outgoing", subject=subject, lang=lit):
        p, o = row["p"].value, row["o"]
        key = (p, str(o))
        if key in seen:
            continue
        seen.add(key)
        cur = curie(p)
        group = outgoing.setdefault(cur, Group(cur, p, readable_predicate(cur, p, lang, inverse=False)))
        label = label_of(row, "olabel")
        if label is None and (row["ostart"] is not None or row["oend"] is not None):
            label = _period({"start": row["ostart"], "end": row["oend"]})
        value = value_of(o, label, lang)
        value.start = row["ostart"].value if row["ostart"] is not None else None
        value.end = row["oend"].value if row["oend"] is not None else None
        group.values.append(value)
        if isinstance(o, ox.Literal) and p in LABEL_PREDICATES:
            labels.setdefault(p, {})[o.language or ""] = o.value
        if p == RDF_TYPE:
            types.append(o.value)
    incoming: OrderedDict[str, Group] = OrderedDict()
    seen.clear()
    for row in page_rows("incoming", subject=subject, lang=lit):
        p, s = row["p"].value, row["s"]
        key = (p, str(s))
        if key in seen:
            continue
        seen.add(key)
        cur = curie(p)
        group = incoming.setdefault(cur, Group(cur, p, readable_predicate(cur, p, lang, inverse=True)))
        group.values.append(value_of(s, label_of(row, "slabel"), lang))
    for group in (*outgoing.values(), *incoming.values()):
        group.values.sort(key=lambda v: (v.lang not in (lang, None), v.text.casefold()))
    kind = kind_of(iri)
    title = _title(labels, lang) or _fallback_title(iri, kind, lang)
    sections = _sections(kind, types, subject, lit, lang)
    if kind == "partnership":
        sections["summary"] = _summary(outgoing, sections.get("members_raw", []), lang)
    literal_langs = {lang_ for by_lang in labels.values() for lang_ in by_lang if lang_}
    return {
        "iri": iri,
        "title": title,
        # The heading's language (a label may be shown in another language than the page's; None: our own words).
        "title_lang": next((lang_ for by_lang in labels.values() for lang_, text in by_lang.items() if text == title), None),
        "kind": kind,
        "outgoing": sorted(outgoing.values(), key=lambda grp: order(grp.curie)),
        "incoming": sorted(incoming.values(), key=lambda grp: order(grp.curie)),
        "sections": sections,
        "literal_langs": literal_langs,
    }


def _title(labels: dict[str, dict[str, str]], lang: str) -> str | None:
    for wanted in (lang, "en", ""):
        for predicate in LABEL_PREDICATES:
            if wanted in labels.get(predicate, {}):
                return labels[predicate][wanted]
    for predicate in LABEL_PREDICATES:
        if labels.get(predicate):
            return next(iter(labels[predicate].values()))
    return None


def _period(row: dict[str, Any]) -> str:
    start = row.get("start")
    end = row.get("end")
    if start is None and end is None:
        return ""
    return f"{start.value if start is not None else '?'} – {end.value if end is not None else ''}".strip()


def _membership_period(row: dict[str, Any], lang: str) -> str:
    """A membership's period in words: "2016-09 – 2018-05", "since 2016-09", "until 2018", or "unknown"."""
    words = ui(lang)
    start, end = row.get("start"), row.get("end")
    if start is not None and end is not None:
        return f"{start.value} – {end.value}"
    if start is not None:
        return f"{words['since']} {start.value}"
    if end is not None:
        return f"{words['until']} {end.value}"
    return words["unknown"]


def _fallback_title(iri: str, kind: str, lang: str) -> str:
    """A heading for a resource without a label: its kind in words and the last part of its IRI, never the IRI."""
    slug = iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]
    words = KIND_TITLES.get(kind, {})
    return f"{words.get(lang) or words.get('en') or kind.replace('-', ' ').capitalize()} {slug}"


#: Membership roles shown in the "Coordinators and members" section, in this order; other roles get their own groups.
MAIN_ROLES = ("coordinator", "member", "observer")


def _summary(outgoing: OrderedDict[str, Group], members: list[dict[str, Any]], lang: str) -> dict[str, Any]:
    """A partnership at a glance: dates, status, coordinators with their country, members known vs stated, themes."""
    words = ui(lang)
    start = end = None
    period = outgoing.get("dct:temporal")
    if period is not None and period.values:
        start, end = period.values[0].start, period.values[0].end
    known = len({m["org"].iri for m in members if m["role_key"] in ("coordinator", "member")})
    totals = [v.text for v in outgoing["uaeu:statedMemberTotal"].values] if "uaeu:statedMemberTotal" in outgoing else []
    count = words["known_of_stated"].format(known=known, stated=totals[0]) if totals else words["known_only"].format(known=known)
    coordinators = [m for m in members if m["role_key"] == "coordinator"]
    return {
        "start": start or words["unknown"],
        "end": end,
        "status": words["ended"] if end else words["ongoing"],
        "coordinators": coordinators,
        "count": count,
        "themes": list(outgoing["dct:subject"].values) if "dct:subject" in outgoing else [],
    }


def _sections(kind: str, types: list[str], subject: ox.NamedNode, lit: ox.Literal, lang: str) -> dict[str, Any]:
    """Type-specific tables, one query each (at most three per page)."""
    sections: dict[str, Any] = {}
    if kind == "partnership":
        members: list[dict[str, Any]] = []
        seen_memberships: set[str] = set()
        words = ui(lang)
        for row in page_rows("partnership-memberships", subject=subject, lang=lit):
            if row["membership"].value in seen_memberships:
                continue
            seen_memberships.add(row["membership"].value)
            role_key = row["role"].value.rsplit("/", 1)[-1] if row["role"] is not None else ""
            members.append(
                {
                    "org": value_of(row["org"], label_of(row, "orgLabel"), lang),
                    "country": value_of(row["country"], label_of(row, "countryLabel"), lang) if row["country"] is not None else None,
                    "kind": label_of(row, "kindLabel") or words["kind_other"],
                    "role": label_of(row, "roleLabel") or "",
                    "role_key": role_key,
                    "coordinator": role_key == "coordinator",
                    "evidence": label_of(row, "evidenceLabel") or "",
                    "period": _membership_period(row, lang),
                    "membership": local_url(row["membership"].value, lang),
                }
            )

        def rank(m: dict[str, Any]) -> tuple[int, str, str, str]:
            main = MAIN_ROLES.index(m["role_key"]) if m["role_key"] in MAIN_ROLES else len(MAIN_ROLES)
            return (main, m["role"].casefold(), m["kind"].casefold(), m["org"].text.casefold())

        members.sort(key=rank)
        groups: OrderedDict[str, list[dict[str, Any]]] = OrderedDict()
        others: OrderedDict[str, list[dict[str, Any]]] = OrderedDict()
        for member in members:
            if member["role_key"] in MAIN_ROLES:
                groups.setdefault(words["group_" + member["role_key"]], []).append(member)
            else:
                others.setdefault(member["role"] or words["kind_other"], []).append(member)
        sections["members"] = groups
        sections["other_roles"] = others
        sections["members_raw"] = members
    if kind == "organisation":
        found = page_rows("organisation-memberships", subject=subject, lang=lit)
        sections["memberships"] = sorted(
            (
                {
                    "partnership": value_of(r["partnership"], label_of(r, "partnershipLabel"), lang),
                    "role": label_of(r, "roleLabel") or "",
                    "evidence": label_of(r, "evidenceLabel") or "",
                    "period": _membership_period(r, lang),
                    "when": _period(r),
                    "membership": local_url(r["membership"].value, lang),
                }
                for r in found
            ),
            key=lambda m: (m["when"], m["partnership"].text),
        )
    if kind in ("place", "country"):
        by_org: OrderedDict[str, dict[str, Any]] = OrderedDict()
        for r in page_rows("place-organisations", subject=subject, lang=lit):
            entry = by_org.setdefault(r["org"].value, {"org": value_of(r["org"], label_of(r, "orgLabel"), lang), "roles": []})
            if r["partnership"] is not None:
                role = {
                    "partnership": value_of(r["partnership"], label_of(r, "partnershipLabel"), lang),
                    "role": label_of(r, "roleLabel") or "",
                    "evidence": label_of(r, "evidenceLabel") or "",
                }
                if role not in entry["roles"]:
                    entry["roles"].append(role)
        sections["from_here"] = sorted(by_org.values(), key=lambda e: e["org"].text.casefold())
    if kind in ("partnership", "organisation", "place", "country", "event", "person"):
        events: OrderedDict[str, dict[str, Any]] = OrderedDict()
        for r in page_rows("events", subject=subject, lang=lit):
            entry = events.setdefault(
                r["event"].value,
                {
                    "event": value_of(r["event"], label_of(r, "label"), lang),
                    "start": r["start"].value if r["start"] is not None else "",
                    "end": r["end"].value if r["end"] is not None else "",
                    "type": label_of(r, "typeLabel") or "",
                    "how": set(),
                },
            )
            entry["how"].add(r["how"].value)
        sections["events"] = list(events.values())
    if kind in ("partnership", "organisation", "action-plan"):
        actions: OrderedDict[str, dict[str, Any]] = OrderedDict()
        for r in page_rows("actions", subject=subject, lang=lit):
            entry = actions.setdefault(
                r["action"].value,
                {
                    "action": value_of(r["action"], r["title"].value if r["title"] is not None else None, lang),
                    "number": r["number"].value if r["number"] is not None else "",
                    "pillar": label_of(r, "pillarLabel") or "",
                    "leaders": [],
                },
            )
            if r["leader"] is not None:
                leader = value_of(r["leader"], label_of(r, "leaderLabel"), lang)
                if leader not in entry["leaders"]:
                    entry["leaders"].append(leader)
        sections["actions"] = sorted(actions.values(), key=lambda a: _number_key(a["number"]))
    return sections


def _number_key(number: str) -> tuple[int, str]:
    digits = re.match(r"\d+", number)
    return (int(digits.group()) if digits else 10_000, number)


def jsonld(triples: list[ox.Triple]) -> Any:
    return json.loads(write_rdf(triples, ox.RdfFormat.JSON_LD))
